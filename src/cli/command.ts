// The steps every command repeats, written once (memray's base command is the model): where it
// writes, the options of commands that read captures, loading them, and emitting the result.
// stats and diff read one dump: what only sets and logs need is imported where they are read.

import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Argv } from 'yargs';
import type { TraceFilter } from '../analysis/filters.js';
import { FORMATS } from '../ingest/formats.js';
import type { ReadOptions } from '../ingest/importer.js';
import { loadCapture } from '../ingest/load-capture.js';
import type { Order } from '../ingest/resolve-inputs.js';
import type { Capture } from '../model/capture.js';
import type { CaptureSet, PartialSnapshots } from '../model/capture-set.js';
import { FrameTable } from '../model/frames.js';
import { listingGrouping, type Snapshot, seriesListingKey, tracebackOrderOf } from '../model/snapshot.js';
import type { Format } from '../model/source.js';
import { renderJson } from '../report/json.js';
import { type TextLayout, textLayout } from '../report/text/layout.js';
import { UsageError } from '../util/errors.js';
import { listed } from '../util/excerpt.js';
import type { Io } from './io.js';
import { forStdout } from './output.js';
import { readingProgress } from './progress.js';
import { wholeNumber } from './usage.js';
import { STDIN_ARG } from './words.js';

export type { Io } from './io.js';

/** Set by a command to exit with another code than 0 without an error (the gate's 1). */
export interface ExitStatus {
  code: number;
}

/** What every command's handler is given besides its flags (yargs' parse context). */
export interface CommandArgs {
  io: Io;
  status: ExitStatus;
}

export interface InputArgs extends CommandArgs {
  'allow-partial': boolean;
  'input-format': Format | undefined;
  lenient: boolean;
  'mem-includes-children'?: boolean;
}

// runCli passes { io, status } as yargs' parse context, which yargs merges into every command's argv.
function withContext<T>(y: Argv<T>): Argv<T & CommandArgs> {
  return y as Argv<T & CommandArgs>;
}

/** The options of every command that reads captures. */
export function inputOptions<T>(y: Argv<T>) {
  return withContext(y)
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
    })
    .option('mem-includes-children', {
      type: 'boolean',
      default: false,
      describe: "mprof runs' MEM counts their children (mprof run -C: the file does not say)",
    });
}

// ingest/resolve-inputs' ORDERS, in its order, named here: importing it loads every importer (it sniffs
// what a directory holds), which stats and diff never use. The type makes each key an Order and
// every Order a key.
const ORDER_CHOICES = Object.keys({ name: 0, mtime: 0, given: 0 } satisfies Record<Order, 0>) as Order[];

/** --order, for commands that read several captures. */
export function orderOption<T>(y: Argv<T>, describe = 'Order of the captures') {
  return y.option('order', { choices: ORDER_CHOICES, describe });
}

/** `<inputs..>` (files, directories, globs) and the options of commands that read captures. */
export function inputsOptions<T>(y: Argv<T>, describe: string) {
  return inputOptions(y.positional('inputs', { type: 'string', array: true, demandOption: true, describe }));
}

export { STDIN_ARG } from './words.js';

/** One warning line on stderr. */
export const warn = (a: CommandArgs, text: string): void => a.io.err(`arenascope: warning: ${text}\n`);

/**
 * Loads one capture of any kind; warnings (e.g. a partial read) go to stderr. `python` is the CPython
 * whose tracemalloc a dump is read as (stats and diff reproduce its output).
 */
export async function loadAny(
  path: string,
  a: InputArgs,
  frames?: FrameTable,
  python?: string,
  read: Pick<ReadOptions, 'childrenInMem'> = {},
): Promise<Capture> {
  const file = path === STDIN_ARG ? '-' : await oneMatch(path, (w) => warn(a, w));
  const progress = readingProgress(a.io.progress, file);
  const pace = paceWatch(() => a.io.optimise?.(true));
  const onProgress = (read: number, total: number | null) => {
    pace(read);
    progress.onProgress?.(read, total);
  };
  const c = await loadCapture(file, {
    allowPartial: a['allow-partial'],
    lenient: a.lenient,
    format: a['input-format'],
    python,
    frames,
    // A run folder's record of what its MEM counts is taken over the flag, which is said.
    childrenInMem: read.childrenInMem ?? (a['mem-includes-children'] || undefined),
    onProgress,
    // Every format but a dump is read by JavaScript loops that need the optimiser (see dumpsFirst).
    onFormat: (format) => {
      if (format !== 'tracemalloc-snapshot') a.io.optimise?.(true);
      if (format === 'arenascope-json' || format === 'memray-csv') a.io.growYoungGeneration?.();
    },
  }).finally(() => progress.done());
  if (read.childrenInMem === false && a['mem-includes-children']) {
    warn(
      a,
      `${path}: its run recorded MEM as the program alone (children in CHLD lines): --mem-includes-children is not applied to it`,
    );
  }
  for (const w of c.warnings) warn(a, w);
  return c;
}

/**
 * Called first by the commands that read captures and summarise them (stats, diff, info), and by
 * loadSet, which turns the optimiser back on once the set is read (replay then chooses for its model):
 * the process runs its JavaScript unoptimised until an input of another format than a tracemalloc
 * dump turns V8's optimiser back on (loadAny). A dump's hot loop is WebAssembly (ingest/pickle/
 * trace-scanner.ts); the JavaScript around it runs long enough for V8 to optimise some 20 functions
 * (and drop 8 of them again) but not to pay the compiler back: stats of a 1M-block dump took 0.113 s
 * and 56 MiB with it, 0.105 s and 53 MiB without (issue 14). Other formats are read by JavaScript
 * loops: info of a 281k-sample mprof .dat took 0.14 s with the optimiser, 0.34 s without.
 */
export function dumpsFirst(a: CommandArgs): void {
  a.io.optimise?.(false);
}

/**
 * Watches a read's pace chunk by chunk, and calls `slow` once it falls below 150 KB a millisecond
 * over 1 MiB or more, the first two chunks left out (the scanner is compiled in them). Dumps the
 * scanner reads go at 500-650 KB/ms here; a dump of a million distinct tracebacks, which the
 * JavaScript reader takes, at 35 KB/ms unoptimised, which made its stats 0.30 s -> 0.70 s.
 */
// Milliseconds, from the process's clock: the global `performance` loads perf_hooks (~2 ms).
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export function paceWatch(slow: () => void): (read: number) => void {
  let chunks = 0;
  let from = 0;
  let since = 0;
  let told = false;
  return (read) => {
    if (told) return;
    if (++chunks <= 2) {
      from = read;
      since = now();
    } else if (read - from >= 2 ** 20 && (read - from) / (now() - since) < 150_000) {
      told = true;
      slow();
    }
  };
}

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * A folder given to a command that reads one file (`diff run-a/ run-b/`): its one capture (the files
 * of no capture format beside it skipped, said), else an error that names its first and last (it said
 * "cannot read: is a directory, expected a file").
 */
async function onlyCapture(dir: string, warned: (w: string) => void): Promise<string> {
  const { resolveInputs } = await import('../ingest/resolve-inputs.js');
  const { inputs, skipped } = resolveInputs([dir]);
  if (inputs.length === 1) {
    for (const w of skipped) warned(w); // a folder's notes and logs, as leaks says of them
    return inputs[0]!;
  }
  if (!inputs.length) throw new UsageError(`${dir}: a folder holding no capture, and this command reads one file`);
  // A run folder's dumps are what diff and stats read, not its memory.dat or allocator reports.
  const dumps = inputs.filter((p) => /\.pickle(?:\.gz)?$/i.test(p));
  const [what, named] = dumps.length > 1 ? ['first dump', dumps] : ['first', inputs];
  throw new UsageError(
    `${dir}: a folder of ${inputs.length} captures, and this command reads one: name it (its ${what} is ` +
      `${named[0]}, its last ${named.at(-1)}); leaks, report and gate read a folder as a series`,
  );
}

const special = (path: string): boolean => {
  try {
    const st = statSync(path);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
};

/**
 * A pattern given quoted (the shell did not expand it) to a command that reads one file: its one
 * match. It read "no such file" of a pattern matching five dumps. A folder: its one capture.
 */
async function oneMatch(path: string, warned: (w: string) => void): Promise<string> {
  if (isFolder(path)) return onlyCapture(path, warned);
  if (!/[*?[{]/.test(path) || existsSync(path)) return path;
  const { glob } = await import('../ingest/resolve-inputs.js');
  // A capture's sidecars (.time, .peak, .label) beside it are no second match, nor a FIFO or socket.
  const all = glob(path).filter((m) => !special(m));
  const matches = all.filter((m) => !/\.(?:time|peak|label)$/.test(m) || !all.includes(m.replace(/\.\w+$/, '')));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(
    matches.length
      ? `${path}: the pattern matches ${matches.length} files, and this command reads one: name it (leaks, report and gate read a series)`
      : `${path}: no file matches this pattern`,
  );
}

const attempt = <T>(f: () => T): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};

/**
 * Loads one capture that must be a snapshot (a tracemalloc dump, memray CSV, arenascope JSON), or
 * a log of tracemalloc statistics: its last listing, the most recent, when it holds several.
 */
export async function loadSnapshot(
  path: string,
  a: InputArgs & { python?: string },
  frames?: FrameTable,
): Promise<Snapshot> {
  const c = await loadAny(path, a, frames, a.python);
  if (c.kind === 'snapshot') return c;
  if (c.kind === 'snapshot-series' && c.snapshots.length === 1) return c.snapshots[0]!;
  if (c.kind === 'statistics-log') {
    const last = c.listings.length - 1;
    const line = c.listings[last]!.inputLine;
    const { listingKind, listingSnapshot, seriesListings } = await import('../model/statistics-log.js');
    // Of several kinds, which it reads and which the series is of: of the docs' two example listings,
    // stats read the compare_to's 10.7 MiB, report the statistics' 6.1 MiB, neither saying so (h305).
    // (Listings of several processes are refused as a series, not as one listing.)
    const series = last > 0 ? attempt(() => seriesListings(c).indices) : null;
    const kinds =
      !series || listingKind(c, series[0]!) === listingKind(c, last)
        ? ''
        : ` (${listingKind(c, last)}; leaks, report and gate read those ${listingKind(c, series[0]!)}, the last at line ${c.listings[series.at(-1)!]!.inputLine})`;
    if (last > 0)
      warn(a, `${path}: the log holds ${c.listings.length} listings; this reads the last (line ${line})${kinds}`);
    const listing = listingSnapshot(c, last, frames ?? new FrameTable());
    // Its frames were read in the order of the CPython named (the importer): printed in it too.
    return a.python === undefined ? listing : { ...listing, tracebackOrder: tracebackOrderOf(a.python) };
  }
  const what =
    c.kind === 'snapshot-series' ? `a series of ${c.snapshots.length} snapshots` : `a ${c.kind} (${c.source.format})`;
  throw new UsageError(
    `${path}: this is ${what}; this command reads one snapshot (a tracemalloc dump, memray CSV or arenascope JSON)`,
  );
}

// Keys from the finest to the coarsest: a coarser key gathers the statistics of finer ones.
const FINENESS = { traceback: 0, lineno: 1, filename: 2 } as const;

/**
 * What a logged listing read by a coarser key than its own says (`-g filename` of a listing by line): a
 * file's figures add up the lines it lists, not those its top N leaves out, so they are at least
 * these; else null. (Printed as exact, a file of CPython's 2414 B more read as the listing's sum.)
 */
export function coarserThanListing(s: Snapshot, keyType: keyof typeof FINENESS, path: string): string | null {
  const own = s.listing?.grouping;
  if (!own || FINENESS[keyType] <= FINENESS[own]) return null;
  const by = { traceback: 'traceback', lineno: 'line', filename: 'file' } as const;
  return (
    `${path}: a listing by ${by[own]}, grouped by ${by[keyType]}: each ${by[keyType]}'s figures add up the ` +
    `${by[own]}s it lists, not those its top N leaves out; they are at least these`
  );
}

/**
 * The key two logged listings are diffed by: a coarser key than theirs is no answer. Each holds its
 * top N, so a file's (or a line's, of listings by traceback) change would be the difference of two
 * lower bounds, which bounds nothing: a file that grew by 6 KiB read -88 KiB as its lines left the
 * newer top 3 (h297). Not asked for, their own key; asked for, refused. By line, a listing by
 * traceback of one frame each is exact. Of dumps, the key asked for (default lineno).
 */
export function listingDiffKey(
  older: Snapshot,
  newer: Snapshot,
  asked: keyof typeof FINENESS | undefined,
  paths: readonly [string, string],
): keyof typeof FINENESS {
  const key = asked ?? 'lineno';
  const own = [older, newer].map((s) => seriesListingKey([s]));
  // Listings of two keys, by line and by file: each site of one read against the other's missing ones,
  // a file that held 57 KiB read "+110 KiB, was <=160 B" (h371 F1). Asked for a key, the coarser refuses.
  if (asked === undefined && own[0] && own[1] && own[0] !== own[1]) {
    throw new UsageError(
      `${paths[0]} is a listing by ${BY[own[0]]} and ${paths[1]} one by ${BY[own[1]]}: their sites are not ` +
        'of one kind; diff two listings by one key, or give the dumps',
    );
  }
  const coarser = own.findIndex((g) => g !== null && FINENESS[key] > FINENESS[g]);
  if (coarser < 0) return key;
  const g = own[coarser]!;
  if (asked === undefined && own[0] === own[1]) return g;
  throw new UsageError(
    `${paths[coarser]}: a listing by ${BY[g]}, diffed by ${BY[key]}: ${partialSums(g, key)}; ` +
      `${own[0] === own[1] ? `diff by ${BY[g]}` : 'diff two listings by one key'}, or give the dumps`,
  );
}

const BY = { traceback: 'traceback', lineno: 'line', filename: 'file' } as const;

// Why a coarser key than a listing's is no answer.
const partialSums = (own: keyof typeof FINENESS, key: keyof typeof FINENESS): string =>
  `each listing holds its top N ${BY[own]}s, so a ${BY[key]}'s change would be the difference of two partial ` +
  `sums (a ${BY[key]} whose ${BY[own]}s leave the newer top N reads as shrinking)`;

/**
 * Refuses what a logged listing cannot answer, where the answer would be made up: it prints no domain
 * (`--domain 7` read 0 B of a dump's 2.9 MiB in domain 7); by line or by file, no frame that called
 * each statistic's line (`--cumulative` printed the plain figures, `--all-frames` filtered as without
 * it); by file, no line (a `--include` pattern's line number matches none). Nor is it grouped by a
 * finer key than its own, asked for (`-g traceback` of a listing by line printed one-frame tracebacks
 * where CPython's had 3 frames; `-g lineno` of a listing by file, every file at line 0; h294).
 */
export function refuseListingQuery(
  s: Snapshot,
  a: { 'group-by'?: keyof typeof FINENESS; 'all-frames': boolean },
  query: { cumulative?: boolean; filters?: readonly TraceFilter[] },
  path: string,
): void {
  const own = listingGrouping(s);
  if (!own) return;
  const by = { traceback: 'traceback', lineno: 'line', filename: 'file' } as const;
  // Converted to JSON, a listing of one frame a statistic may have been by traceback of one frame.
  const listing =
    s.listing || own !== 'lineno'
      ? `${path}: a tracemalloc listing by ${by[own]}`
      : `${path}: converted from a tracemalloc listing of one frame a statistic (by line, or by traceback of one frame: its JSON does not say)`;
  const filters = query.filters ?? [];
  if (filters.some((f) => f.kind === 'domain'))
    throw new UsageError(
      `${listing} prints no domain (CPython's listings do not): --domain and --exclude-domain need the dump`,
    );
  const key = a['group-by'];
  if (key !== undefined && FINENESS[key] < FINENESS[own])
    throw new UsageError(
      `${listing} cannot be grouped by ${by[key]}: it holds ${own === 'filename' ? 'no line numbers' : "only each statistic's most recent frame"}; group by ${own === 'filename' ? 'file' : 'line or file'}, or give the dump`,
    );
  if (own === 'traceback') return;
  const callers = "holds only each statistic's most recent frame, not the frames that called it";
  if (query.cumulative)
    throw new UsageError(`${listing} ${callers}: --cumulative needs the dump or a listing by traceback`);
  if (a['all-frames'] && filters.some((f) => f.kind === 'filename'))
    throw new UsageError(`${listing} ${callers}: --all-frames needs the dump or a listing by traceback`);
  if (own === 'filename' && filters.some((f) => f.kind === 'filename' && f.lineno != null))
    throw new UsageError(
      `${listing} holds no line numbers: a filter's line number needs the dump or a listing by line`,
    );
}

/**
 * Refuses a series of listings grouped by a finer key than theirs, asked for (`leaks -g traceback` of
 * listings by line said "by traceback" and judged lines: a traceback's leak under a flat line passed
 * the gate; `-g lineno` of listings by file named lines 0; h297), or by a coarser one (`-g filename`
 * of listings by line read a file that shrank by 98 KiB as a leak of +244 KiB, its lines leaving the
 * top 3 one by one; h301). Not asked for, the series is judged by its own key (detectLeaks).
 */
export function refuseListingSeriesGrouping(set: CaptureSet, key: keyof typeof FINENESS | undefined): void {
  if (key === undefined) return;
  set.series.snapshots.forEach((s, i) => {
    const own = listingGrouping(s);
    if (own && FINENESS[key] < FINENESS[own])
      refuseListingQuery(s, { 'group-by': key, 'all-frames': false }, {}, set.series.labels[i]!);
  });
  const own = seriesListingKey(set.series.snapshots);
  if (own && FINENESS[key] > FINENESS[own])
    throw new UsageError(
      `a series of tracemalloc listings by ${BY[own]}, judged by ${BY[key]}: ${partialSums(own, key)}, and its ` +
        `growth with it; judge it by ${BY[own]} (the default), or give the dumps`,
    );
}

/** Loads every input (files, directories, globs) as one set; each file passed over is one warning. */
/** The groups of a capture set a command reads. */
export type SetPart = 'snapshots' | 'memory' | 'line-reports' | 'allocator-stats';
const PARTS: Readonly<Record<SetPart, string>> = {
  snapshots: 'snapshots',
  memory: 'mprof runs',
  'line-reports': 'line reports',
  'allocator-stats': 'allocator reports',
};

// One of a part's files: `PARTS[part]` without its plural's s ("the mprof run of run/").
const ofCount = (part: SetPart, n: number): string => (n === 1 ? PARTS[part].replace(/s$/, '') : PARTS[part]);

/** How a set is read: the order of its captures, the kinds the command reads, dumps cut short. */
export interface SetOptions {
  readonly order?: Order | undefined;
  readonly uses?: readonly SetPart[];
  /** What becomes of snapshots read cut short (--allow-partial): see PartialSnapshots. Default 'keep'. */
  readonly partial?: PartialSnapshots;
  /** Every capture kept, none judged (convert): a traceback limit that changes cuts nothing, and is said. */
  readonly whole?: boolean;
  /** The CPython that printed logged listings (--python: 3.6 lists tracebacks most recent first). */
  readonly python?: string | undefined;
  /**
   * The option the inputs were given to (`--allocator-stats`): what it leaves out is said in one line
   * for it, not as left out by the command (which reads the snapshots among its own inputs).
   */
  readonly option?: string;
}

/**
 * Loads every input (files, directories, globs) as one set. Each file passed over is one warning,
 * and so is each capture of a kind the command does not read (`uses`): nothing is left out silently.
 */
export async function loadSet(inputs: readonly string[], a: InputArgs, opts: SetOptions = {}): Promise<CaptureSet> {
  const { order, uses = ['snapshots', 'memory', 'line-reports', 'allocator-stats'], partial } = opts;
  const { loadCaptureSet } = await import('../ingest/capture-set.js');
  // Dumps are read unoptimised (see dumpsFirst; other formats turn the optimiser on as they come):
  // with it, reading 2 dumps of 1M blocks beside report's chart thread took 0.24 s, not 0.11 s.
  dumpsFirst(a);
  // Dumps read in worker threads are read with the same options and warn the same way.
  const parallel = {
    allowPartial: a['allow-partial'],
    lenient: a.lenient,
    format: a['input-format'],
    warn: (text: string) => warn(a, text),
  };
  const set = await loadCaptureSet(inputs, {
    order,
    load: (p, frames, read) => loadAny(p, a, frames, opts.python, read),
    parallel,
    partial,
    whole: opts.whole,
  });
  // What follows is analysis: JavaScript loops (a replay chooses for itself).
  a.io.optimise?.(true);
  for (const s of set.skipped) warn(a, s);
  const files: Record<SetPart, readonly { source: { path: string } }[]> = {
    snapshots: set.series.snapshots,
    memory: set.memorySeries,
    'line-reports': set.lineReports,
    'allocator-stats': set.allocatorStats,
  };
  const wanted = uses.map((u) => PARTS[u]);
  const joined = (word: string): string =>
    wanted.length > 1 ? `${wanted.slice(0, -1).join(', ')} ${word} ${wanted.at(-1)}` : wanted[0]!;
  const read = joined('and');
  for (const part of Object.keys(PARTS) as SetPart[]) {
    if (uses.includes(part)) continue;
    if (opts.option) {
      const n = files[part].length;
      if (n) warn(a, `${opts.option} ${listed(inputs)}: ${n} ${PARTS[part]} left out (it reads ${read})`);
      continue;
    }
    // A run folder's own files are left out in one line, not one a file.
    const paths = [...new Set(files[part].map((c) => c.source.path))];
    const runOf = (p: string) => set.runs?.find((r) => p.startsWith(`${r.dir}/`) || p.startsWith(`${r.dir}\\`));
    // Likewise a folder's: one line for its files of a kind the command does not read.
    const byFolder = new Map<string, string[]>();
    for (const p of paths.filter((p) => !runOf(p))) {
      const inDir = byFolder.get(dirname(p));
      if (inDir) inDir.push(p);
      else byFolder.set(dirname(p), [p]);
    }
    for (const [dir, inDir] of byFolder) {
      if (inDir.length === 1) warn(a, `leaving out ${inDir[0]}: this command reads ${read}, not ${PARTS[part]}`);
      else warn(a, `leaving out the ${inDir.length} ${PARTS[part]} of ${dir}: this command reads ${read}`);
    }
    for (const r of set.runs ?? []) {
      const n = paths.filter((p) => runOf(p) === r).length;
      if (n)
        warn(
          a,
          `leaving out ${n === 1 ? 'the' : `the ${n}`} ${ofCount(part, n)} of ${r.dir}: this command reads ${read}`,
        );
    }
  }
  if (uses.every((part) => files[part].length === 0)) {
    // Every one left out as read cut short: said so (it read as if the inputs held none; h280).
    const cut = set.skipped.some((w) => w.includes('it was read cut short (--allow-partial)'));
    throw new UsageError(
      `${listed(inputs)}: no ${cut ? 'whole ' : ''}${joined('or')} among the inputs` +
        (cut ? ' (those read cut short are left out, as the warnings above say)' : ''),
    );
  }
  return set;
}

export type OutputFormat = 'text' | 'json' | 'csv' | 'markdown';

export interface OutputArgs extends CommandArgs {
  format: OutputFormat;
  json: boolean;
}

/** --format among the given outputs (text first, the default) and --json for `--format json`. */
export function outputOptions<T>(y: Argv<T>, formats: readonly OutputFormat[]) {
  return withContext(y)
    .option('format', {
      alias: 'f',
      choices: formats,
      default: 'text' as OutputFormat,
      describe: 'Output format',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Same as --format json' });
}

export interface LayoutArgs extends CommandArgs {
  'full-paths'?: boolean;
  limit?: number;
}

/**
 * -n/--limit (a count, as in every command) and --full-paths, for commands whose text lists sites:
 * lists show the first N (default 10) and say how many more there are.
 */
export function layoutOptions<T>(y: Argv<T>, what = 'entries') {
  return limitOption(fullPathsOption(y), what);
}

/** -n/--limit alone, for a command whose text names files as given (info) or as the repository does (gate). */
export function limitOption<T>(y: Argv<T>, what = 'entries') {
  return withContext(y).option('limit', {
    alias: 'n',
    type: 'number',
    describe: `Text output lists the first N ${what} of each list (default 10), and says how many more`,
  });
}

/** --full-paths alone, for a command whose -n/--limit is its own (leaks reads an old size there too). */
export function fullPathsOption<T>(y: Argv<T>) {
  return withContext(y).option('full-paths', {
    type: 'boolean',
    default: false,
    describe: 'Text output prints file paths whole (default: the shortest suffix that tells them apart)',
  });
}

/** The layout of a command's text: its paths (those it will print), --limit, --full-paths, the width. */
export function layoutOf(a: LayoutArgs, paths: Iterable<string>): TextLayout {
  return textLayout(paths, {
    fullPaths: a['full-paths'],
    limit: wholeNumber(a.limit, '--limit', 1),
    columns: a.io.columns,
  });
}

/** A renderer per output format a command offers; JSON defaults to the result as it is. */
export type Renderers<T> = { readonly text: (r: T) => string } & {
  readonly [F in Exclude<OutputFormat, 'text'>]?: (r: T) => string;
};

/** Writes the result to stdout in the format asked for. */
export function emit<T>(a: OutputArgs, result: T, renderers: Renderers<T>): void {
  // --json is --format json: beside another format, which was meant is not known (it printed JSON).
  if (a.json && a.format !== 'text' && a.format !== 'json') {
    throw new UsageError(`--json and --format ${a.format}: --json is --format json; give one of them`);
  }
  const format = a.json ? 'json' : a.format;
  const render = format === 'json' ? (renderers.json ?? renderJson) : renderers[format];
  if (!render) throw new UsageError(`--format ${format} is not an output of this command`);
  a.io.out(forStdout(a.io, render(result), format === 'json' ? 'json' : 'text'));
}
