// Format detection: every importer, in the order they are tried (formats.ts). Binary and strict
// headers come first, the loosest text patterns last; the content decides, never the file name.

import { closeSync, openSync, readSync } from 'node:fs';
import type { Format } from '../model/source.js';
import { importer as arenascopeJson } from './arenascope-json.js';
import { FORMATS } from './formats.js';
import type { Importer } from './importer.js';
import { importer as lineReport } from './line-report.js';
import { importer as mallocStats } from './mallocstats.js';
import { importer as memrayCsv } from './memray-csv.js';
import { importer as mprof } from './mprof.js';
import { readHead } from './open-input.js';
import { ownOutput } from './own-output.js';
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
  if (ownOutput(head) || tarArchive(head)) return null;
  return IMPORTERS.find((i) => i.sniff(head))?.format ?? null;
}

/**
 * Whether the head is a tar archive's ('ustar' and a NUL at byte 257): the files in it are no one capture (a
 * folder's backup.tar was read as a line report, its first member's text, and failed a gate; h391).
 */
export function tarArchive(head: Buffer): boolean {
  // POSIX's 'ustar\0', GNU's 'ustar  \0': with its NUL (a listing whose file name held 'custard' at byte
  // 257 was refused; h394).
  if (head.length < 265 || head.toString('latin1', 257, 262) !== 'ustar') return false;
  return head[262] === 0 || (head[262] === 0x20 && head[263] === 0x20 && head[264] === 0);
}

/** The format of a file from its first bytes (gunzipped if need be), or null; an InputError when it cannot be read. */
export function sniffFile(path: string): Format | null {
  const head = readHead(path);
  return head && !ownOutput(head) && !tarArchive(head) ? (detectFormat(head) ?? sniffDeeper(path)) : null;
}

// Formats found anywhere in a log (a program's stderr): a report or a listing may come after more
// than the head holds (an allocator report after 2,000 lines of other output was "not a format").
export const IN_LOGS: readonly Importer[] = [mallocStats, tracemallocText, lineReport];
const DEEP_BYTES = 8 << 20;
const WINDOW = 1 << 16;

/** A log format found past the head of a plain file, in its first 8 MiB, window by window; or null. */
export function sniffDeeper(path: string): Format | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(WINDOW);
    // A gzip file's head is all detection reads of it.
    if (readSync(fd, buf, 0, 2, 0) === 2 && buf[0] === 0x1f && buf[1] === 0x8b) return null;
    // Windows overlap by a quarter, each from a line's start: a report's first line is never cut.
    for (let at = WINDOW / 2; at < DEEP_BYTES; at += (WINDOW * 3) / 4) {
      const n = readSync(fd, buf, 0, WINDOW, at);
      if (n === 0) return null;
      const start = buf.indexOf(0x0a) + 1;
      if (start <= 0 || start >= n) continue;
      const window = buf.subarray(start, n);
      const found = IN_LOGS.find((i) => i.sniff(window));
      if (found) return found.format;
      if (n < WINDOW) return null;
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
