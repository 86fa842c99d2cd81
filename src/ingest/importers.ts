// Format detection: every importer, in the order they are tried (formats.ts). Binary and strict
// headers come first, the loosest text patterns last; the content decides, never the file name.

import type { Format } from '../model/source.js';
import { importer as arenascopeJson } from './arenascope-json.js';
import { FORMATS } from './formats.js';
import type { Importer } from './importer.js';
import { importer as lineReport } from './line-report.js';
import { importer as mallocStats } from './mallocstats.js';
import { importer as memrayCsv } from './memray-csv.js';
import { importer as mprof } from './mprof.js';
import { readHead } from './open-input.js';
import { DUMP_DESCRIBE, sniffPickle } from './pickle/sniff.js';
import { importer as tracemallocText } from './tracemalloc-text.js';

// The dump reader is the largest module of all: loaded when a dump is read, not to detect one.
const tracemallocPickle: Importer = {
  format: 'tracemalloc-snapshot',
  describe: DUMP_DESCRIBE,
  sniff: sniffPickle,
  read: async (input, opts) => (await import('./tracemalloc-pickle.js')).importer.read(input, opts),
};

const BY_FORMAT: Readonly<Record<Format, Importer>> = {
  'tracemalloc-snapshot': tracemallocPickle,
  'arenascope-json': arenascopeJson,
  'memray-csv': memrayCsv,
  mprof,
  'line-report': lineReport,
  'allocator-stats': mallocStats,
  'tracemalloc-text': tracemallocText,
};

export { FORMATS };

/** Every importer, in the order detection tries them. */
export const IMPORTERS: readonly Importer[] = FORMATS.map((f) => BY_FORMAT[f]);

export function importerFor(format: Format): Importer {
  return IMPORTERS.find((i) => i.format === format)!;
}

export function detectFormat(head: Buffer): Format | null {
  return IMPORTERS.find((i) => i.sniff(head))?.format ?? null;
}

/** The format of a file from its first bytes (gunzipped if need be), or null; an InputError when it cannot be read. */
export function sniffFile(path: string): Format | null {
  const head = readHead(path);
  return head && detectFormat(head);
}
