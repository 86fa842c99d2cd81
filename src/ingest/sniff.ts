// The one entry for reading any capture: the format is detected from the content, never from the
// file name, unless the caller names it.

import type { Capture } from '../model/capture.js';
import { InputError } from './errors.js';
import { openInput, type InputStream, type ProgressCallback } from './input.js';
import * as tracemallocPickle from './tracemalloc-pickle.js';

export interface LoadOptions extends tracemallocPickle.SnapshotReadOptions {
  /** Skip detection and read the input as this format. */
  readonly format?: FormatId;
  readonly onProgress?: ProgressCallback;
}

interface Importer {
  readonly describe: string;
  sniff(head: Buffer): boolean;
  read(input: InputStream, opts: LoadOptions): Promise<Capture>;
}

const IMPORTERS = {
  [tracemallocPickle.FORMAT]: {
    describe: 'tracemalloc Snapshot.dump() pickle (protocol 2-5, optionally gzip)',
    sniff: tracemallocPickle.sniffPickle,
    read: tracemallocPickle.readSnapshotInput,
  },
} satisfies Record<string, Importer>;

export type FormatId = keyof typeof IMPORTERS;
export const FORMATS = Object.keys(IMPORTERS) as FormatId[];

export function detectFormat(head: Buffer): FormatId | null {
  for (const id of FORMATS) if (IMPORTERS[id].sniff(head)) return id;
  return null;
}

/** Opens, sniffs and imports one input ('-' is stdin). */
export async function loadCapture(path: string, opts: LoadOptions = {}): Promise<Capture> {
  const input = await openInput(path, { onProgress: opts.onProgress });
  const format = opts.format ?? detectFormat(input.head);
  if (!format) {
    const tried = FORMATS.map((id) => `${id}: ${IMPORTERS[id].describe}`).join('; ');
    const what = input.head.length === 0 ? 'the input is empty' : 'unrecognised content';
    throw new InputError(path, 'byte 0', `${what}${input.gzip ? ' (after gunzip)' : ''}; tried ${tried}`);
  }
  return IMPORTERS[format].read(input, opts);
}
