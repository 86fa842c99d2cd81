// Reading one input of any format: open it (gzip undone), detect its format, import it. A
// tracemalloc dump, tried first, is read without loading the other importers (issue 14: stats and
// diff of a small dump spent ~7 ms of their ~90 ms loading importers they never used).

import type { Capture } from '../model/capture.js';
import type { Format } from '../model/source.js';
import { InputError } from '../util/errors.js';
import { FORMATS } from './formats.js';
import type { ReadOptions } from './importer.js';
import { openInput, type ProgressCallback } from './open-input.js';
import { sniffPickle } from './pickle/sniff.js';

const DUMP: Format = 'tracemalloc-snapshot';

export interface LoadOptions extends ReadOptions {
  /** Skip detection and read the input as this format. */
  readonly format?: Format;
  readonly onProgress?: ProgressCallback;
}

/** Opens, sniffs and imports one input ('-' is stdin). */
export async function loadCapture(path: string, opts: LoadOptions = {}): Promise<Capture> {
  const input = await openInput(path, { onProgress: opts.onProgress });
  // What detection would say: the dump importer's sniff is the first it asks. Its reader is loaded
  // only for a dump (another format's input loads none of it).
  const dump = opts.format ? opts.format === DUMP : FORMATS[0] === DUMP && sniffPickle(input.head);
  if (dump) return (await import('./tracemalloc-pickle.js')).importer.read(input, opts);
  const { detectFormat, IMPORTERS, importerFor } = await import('./importers.js');
  const format = opts.format ?? detectFormat(input.head);
  if (!format) {
    // Close the file: nothing will read it (a generator runs its cleanup only once it has started).
    const chunks = input.chunks[Symbol.asyncIterator]();
    await chunks.next().catch(() => undefined);
    await chunks.return?.();
    const what = input.head.length === 0 ? 'the input is empty' : 'not a format arenascope reads';
    // One line: the formats by name (`--help` describes each); --input-format reads it as one of them.
    const tried = IMPORTERS.map((i) => i.format).join(', ');
    const gz = input.gzip ? ' (after gunzip)' : '';
    throw new InputError(path, 'byte 0', `${what}${gz}; tried ${tried} (--input-format forces one)`);
  }
  return importerFor(format).read(input, opts);
}
