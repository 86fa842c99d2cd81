// The one entry for reading any capture: the format is detected from the content, never from the
// file name, unless the caller names it.

import type { Capture } from '../model/capture.js';
import type { FrameTable } from '../model/frames.js';
import * as arenascopeJson from './arenascope-json.js';
import { InputError } from './errors.js';
import { type InputStream, openInput, type ProgressCallback } from './input.js';
import * as lineReport from './line-report.js';
import * as mallocStats from './mallocstats.js';
import * as memrayCsv from './memray-csv.js';
import * as mprof from './mprof.js';
import * as tracemallocPickle from './tracemalloc-pickle.js';
import * as tracemallocText from './tracemalloc-text.js';

export interface LoadOptions {
  /** Skip detection and read the input as this format. */
  readonly format?: FormatId;
  /** On a truncated capture, keep what was read (with a warning) instead of failing. */
  readonly allowPartial?: boolean;
  /** Skip malformed lines of text formats with a warning instead of failing. */
  readonly lenient?: boolean;
  /** Intern into this table, so that snapshots of one series share frame and traceback ids. */
  readonly frames?: FrameTable;
  readonly onProgress?: ProgressCallback;
}

interface Importer {
  /** What it reads, and the command that produces it (for messages and the README). */
  readonly describe: string;
  sniff(head: Buffer): boolean;
  read(input: InputStream, opts: LoadOptions): Promise<Capture>;
}

// In the order they are tried: binary and strict headers first, the loosest text patterns last.
const IMPORTERS = {
  [tracemallocPickle.FORMAT]: {
    describe: 'tracemalloc Snapshot.dump() pickle, protocol 2-5 (gzip too)',
    sniff: tracemallocPickle.sniffPickle,
    read: tracemallocPickle.readSnapshotInput,
  },
  [arenascopeJson.FORMAT]: {
    describe: 'arenascope JSON snapshot or series (arenascope convert --to json)',
    sniff: arenascopeJson.sniffArenascopeJson,
    read: arenascopeJson.readArenascopeJson,
  },
  [memrayCsv.FORMAT]: {
    describe: 'memray transform csv output (header allocator,num_allocations,size,tid,thread_name,stack_trace)',
    sniff: memrayCsv.sniffMemrayCsv,
    read: memrayCsv.readMemrayCsv,
  },
  [mprof.FORMAT]: {
    describe: 'mprof run .dat file (lines MEM, CMDLINE, FUNC, CHLD)',
    sniff: mprof.sniffMprof,
    read: mprof.readMprof,
  },
  [lineReport.FORMAT]: {
    describe: "memory_profiler line-by-line report (a 'Line #  Mem usage  Increment' header)",
    sniff: lineReport.sniffLineReport,
    read: lineReport.readLineReport,
  },
  [mallocStats.FORMAT]: {
    describe: "sys._debugmallocstats() / PYTHONMALLOCSTATS output ('Small block threshold = …')",
    sniff: mallocStats.sniffMallocStats,
    read: mallocStats.readMallocStats,
  },
  [tracemallocText.FORMAT]: {
    describe: "tracemalloc statistics printed as text ('file.py:12: size=… , count=…')",
    sniff: tracemallocText.sniffTracemallocText,
    read: tracemallocText.readTracemallocText,
  },
} satisfies Record<string, Importer>;

export type FormatId = keyof typeof IMPORTERS;
export const FORMATS = Object.keys(IMPORTERS) as FormatId[];

export function formatDescription(id: FormatId): string {
  return IMPORTERS[id].describe;
}

export function detectFormat(head: Buffer): FormatId | null {
  for (const id of FORMATS) if (IMPORTERS[id].sniff(head)) return id;
  return null;
}

/** Opens, sniffs and imports one input ('-' is stdin). */
export async function loadCapture(path: string, opts: LoadOptions = {}): Promise<Capture> {
  const input = await openInput(path, { onProgress: opts.onProgress });
  const format = opts.format ?? detectFormat(input.head);
  if (!format) {
    const what = input.head.length === 0 ? 'the input is empty' : 'not a format arenascope reads';
    const tried = FORMATS.map((id) => `  ${id}: ${IMPORTERS[id].describe}`).join('\n');
    throw new InputError(path, 'byte 0', `${what}${input.gzip ? ' (after gunzip)' : ''}; tried:\n${tried}`);
  }
  return IMPORTERS[format].read(input, opts);
}
