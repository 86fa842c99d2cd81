// Format detection: every importer, in the order they are tried. Binary and strict headers come
// first, the loosest text patterns last; the content decides, never the file name.

import type { Format } from '../model/source.js';
import { importer as arenascopeJson } from './arenascope-json.js';
import type { Importer } from './importer.js';
import { importer as lineReport } from './line-report.js';
import { importer as mallocStats } from './mallocstats.js';
import { importer as memrayCsv } from './memray-csv.js';
import { importer as mprof } from './mprof.js';
import { readHead } from './open-input.js';
import { importer as tracemallocPickle } from './tracemalloc-pickle.js';
import { importer as tracemallocText } from './tracemalloc-text.js';

export const IMPORTERS: readonly Importer[] = [
  tracemallocPickle,
  arenascopeJson,
  memrayCsv,
  mprof,
  lineReport,
  mallocStats,
  tracemallocText,
];

export const FORMATS: readonly Format[] = IMPORTERS.map((i) => i.format);

export function importerFor(format: Format): Importer {
  return IMPORTERS.find((i) => i.format === format)!;
}

export function detectFormat(head: Buffer): Format | null {
  return IMPORTERS.find((i) => i.sniff(head))?.format ?? null;
}

/** The format of a file from its first bytes (gunzipped if need be), or null. */
export function sniffFile(path: string): Format | null {
  const head = readHead(path);
  return head && detectFormat(head);
}
