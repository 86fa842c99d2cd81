// Flags shared by the commands that query snapshots, and the conversion of flags to library options.

import type { Argv } from 'yargs';
import type { TraceFilter } from '../analysis/filters.js';
import { KEY_TYPES, type KeyType, type QueryOptions } from '../analysis/statistics.js';
import { FORMATS, type FormatId, loadCapture } from '../ingest/sniff.js';
import type { Capture } from '../model/capture.js';
import type { FrameTable } from '../model/frames.js';
import type { Snapshot } from '../model/snapshot.js';
import { type ProgressLine, readingProgress } from './progress.js';

/** A usage mistake: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OutputFormat = 'text' | 'json' | 'csv';

/** Where a command writes; the CLI passes process streams, tests collect strings. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly columns?: number;
  /** Set when stderr is a terminal: shows (text) or erases (null) a transient progress line. */
  readonly progress?: ProgressLine;
}

/** Set by a command to exit with another code than 0 without an error (the gate's 1). */
export interface ExitStatus {
  code: number;
}

export interface InputArgs {
  status: ExitStatus;
  'allow-partial': boolean;
  'input-format': FormatId | undefined;
  lenient: boolean;
  io: Io;
}

export interface QueryArgs extends InputArgs {
  'group-by': KeyType;
  cumulative: boolean;
  limit: number | undefined;
  include: string[];
  exclude: string[];
  'all-frames': boolean;
  domain: number[];
  'exclude-domain': number[];
  format: OutputFormat;
  json: boolean;
  source: boolean;
}

// runCli passes { io, status } as yargs' parse context, which yargs merges into every command's argv.
function withIo<T>(y: Argv<T>): Argv<T & { io: Io; status: ExitStatus }> {
  return y as Argv<T & { io: Io; status: ExitStatus }>;
}

export function inputOptions<T>(y: Argv<T>) {
  return withIo(y)
    .option('allow-partial', {
      type: 'boolean',
      default: false,
      describe: 'On a truncated capture, analyze what was read (with a warning) instead of failing',
    })
    .option('input-format', {
      choices: FORMATS,
      describe: 'Read inputs as this format instead of detecting it from their content',
    })
    .option('lenient', {
      type: 'boolean',
      default: false,
      describe: 'Skip malformed lines of text captures (with a warning) instead of failing',
    });
}

export function queryOptions<T>(y: Argv<T>) {
  return inputOptions(y)
    .option('group-by', {
      alias: 'g',
      choices: KEY_TYPES,
      default: 'lineno' as KeyType,
      describe: "tracemalloc key_type: the most recent frame's line, its file, or the whole traceback",
    })
    .option('cumulative', {
      type: 'boolean',
      default: false,
      describe: 'Count each block at every frame of its traceback (lineno and filename only)',
    })
    .option('limit', { alias: 'n', type: 'number', describe: 'Show only the first N entries' })
    .option('include', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Keep traces whose most recent frame matches PATTERN[:LINENO] (fnmatch; repeatable)',
    })
    .option('exclude', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Drop traces whose most recent frame matches PATTERN[:LINENO] (fnmatch; repeatable)',
    })
    .option('all-frames', {
      type: 'boolean',
      default: false,
      describe: '--include/--exclude test every frame of the traceback, not only the most recent',
    })
    .option('domain', {
      type: 'number',
      array: true,
      default: [] as number[],
      describe: 'Keep only this allocation domain (repeatable)',
    })
    .option('exclude-domain', {
      type: 'number',
      array: true,
      default: [] as number[],
      describe: 'Drop this allocation domain (repeatable)',
    })
    .option('format', {
      alias: 'f',
      choices: ['text', 'json', 'csv'] as const,
      default: 'text' as OutputFormat,
      describe: 'Output format',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Same as --format json' })
    .option('source', {
      type: 'boolean',
      default: true,
      describe: 'Show source lines under traceback frames when the files exist here (--no-source to omit)',
    });
}

function parsePattern(arg: string, inclusive: boolean, allFrames: boolean): TraceFilter {
  // A trailing ':123' selects one line, as tracemalloc.Filter's lineno does.
  const m = /^(.*):(\d+)$/.exec(arg);
  const pattern = m ? m[1]! : arg;
  if (!pattern) throw new UsageError(`empty file pattern in '${arg}'`);
  return { kind: 'filename', inclusive, pattern, lineno: m ? Number(m[2]) : null, allFrames };
}

function checkDomain(d: number): number {
  if (!Number.isInteger(d) || d < 0) throw new UsageError(`--domain takes a non-negative integer, got ${d}`);
  return d;
}

export function queryFromArgs(a: QueryArgs): QueryOptions & { format: OutputFormat } {
  if (a.cumulative && a['group-by'] === 'traceback') {
    throw new UsageError('--cumulative works with --group-by lineno or filename, not traceback');
  }
  if (a.limit !== undefined && (!Number.isInteger(a.limit) || a.limit < 0)) {
    throw new UsageError(`--limit takes a non-negative integer, got ${a.limit}`);
  }
  const filters: TraceFilter[] = [
    ...a.include.map((p) => parsePattern(p, true, a['all-frames'])),
    ...a.exclude.map((p) => parsePattern(p, false, a['all-frames'])),
    ...a.domain.map((d) => ({ kind: 'domain' as const, inclusive: true, domain: checkDomain(d) })),
    ...a['exclude-domain'].map((d) => ({ kind: 'domain' as const, inclusive: false, domain: checkDomain(d) })),
  ];
  return {
    keyType: a['group-by'],
    cumulative: a.cumulative,
    filters,
    limit: a.limit,
    format: a.json ? 'json' : a.format,
  };
}

export const STDIN_ARG = '\u0000stdin';

/** Loads one capture of any kind; warnings (e.g. a partial read) go to stderr. */
export async function loadAny(path: string, a: InputArgs, frames?: FrameTable): Promise<Capture> {
  const file = path === STDIN_ARG ? '-' : path;
  const progress = readingProgress(a.io.progress, file);
  const c = await loadCapture(file, {
    allowPartial: a['allow-partial'],
    lenient: a.lenient,
    format: a['input-format'],
    frames,
    onProgress: progress.onProgress,
  }).finally(() => progress.done());
  for (const w of c.warnings) a.io.err(`arenascope: warning: ${w}\n`);
  return c;
}

/** Loads one capture that must be a snapshot (a tracemalloc dump, memray CSV, arenascope JSON). */
export async function loadSnapshot(path: string, a: InputArgs, frames?: FrameTable): Promise<Snapshot> {
  const c = await loadAny(path, a, frames);
  if (c.kind === 'snapshot') return c;
  if (c.kind === 'snapshot-series' && c.snapshots.length === 1) return c.snapshots[0]!;
  const what =
    c.kind === 'snapshot-series' ? `a series of ${c.snapshots.length} snapshots` : `a ${c.kind} (${c.source.format})`;
  throw new UsageError(
    `${path}: this is ${what}; this command reads one snapshot (a tracemalloc dump, memray CSV or arenascope JSON)`,
  );
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40,
};

/** '512KiB', '10MB', '1.5GiB', '4096' -> bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new UsageError(`${flag} takes a size such as 64KiB, 10MB or 1.5GiB; got '${text}'`);
  return Number(m[1]) * unit;
}
