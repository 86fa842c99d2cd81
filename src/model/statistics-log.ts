import { InputError } from '../util/errors.js';
import type { Frame, FrameTable } from './frames.js';
import { GroupBuilder, type ListingShown, type Snapshot } from './snapshot.js';
import type { SourceInfo } from './source.js';

/**
 * A tracemalloc Statistic or StatisticDiff as printed in a log. Sizes were rounded by
 * tracemalloc's _format_size, so they are approximate (to 3 significant digits); counts are exact.
 */
export interface LoggedStatistic {
  /** The printed key frame, or the `File "…", line N` frames printed under it, put oldest first. */
  readonly frames: readonly Frame[];
  readonly size: number;
  readonly count: number;
  readonly sizeDiff: number | null;
  readonly countDiff: number | null;
  /** Line of the input. */
  readonly inputLine: number;
}

/** One uninterrupted listing of statistics (e.g. one "top 10" printed by a program). */
export interface LoggedListing {
  readonly inputLine: number;
  readonly stats: readonly LoggedStatistic[];
  /** Frames were printed under its statistics (Traceback.format()): a listing by traceback, however deep. */
  readonly tracebacks?: boolean;
  /** The process ID its lines' log prefix names (gunicorn's '[%(process)d]'), when one does. */
  readonly process?: string;
  /**
   * The number every line's log prefix carries as a field of its own ('%(asctime)s - %(process)d - …'):
   * a process ID when the series' listings carry two or more, each in one run of listings of its own (a
   * line number or a time in milliseconds differ otherwise; refuseNumbered).
   */
  readonly number?: string;
}

/** tracemalloc statistics recovered from text: what a user who only kept the log has. */
export interface StatisticsLog {
  readonly kind: 'statistics-log';
  readonly source: SourceInfo;
  readonly listings: readonly LoggedListing[];
  readonly warnings: readonly string[];
}

// What a listing answers: its sites by line, by traceback (frames under each statistic) or by file
// (statistics('filename'): every line number 0), and whether it prints compare_to's changes. In the
// order the series is made of, among kinds of as many listings.
const KINDS = [
  'by line',
  'compare_to by line',
  'by traceback',
  'compare_to by traceback',
  "by file (statistics('filename'): line numbers 0)",
  'compare_to by file',
] as const;

function kindOf(l: LoggedListing): number {
  const byFile = l.stats.every((st) => st.frames.length === 1 && st.frames[0]!.lineno === 0);
  const grouping = byFile ? 2 : l.tracebacks || l.stats.some((st) => st.frames.length > 1) ? 1 : 0;
  return 2 * grouping + (l.stats.some((st) => st.sizeDiff !== null) ? 1 : 0);
}

/**
 * Of logs given together, each with its series (seriesListings), those whose series is of another key
 * than the one most listings are of (the first of KINDS among as many), by index, with that kind's
 * words: a folder of top-N.txt files by line and by file, read as one series, summed a file's top 3
 * lines against its whole, a plateau of +246 KiB where nothing grew (h371 F3). Statistics and
 * `compare_to`'s changes of one key are one series across files: each its own moment, its sizes whole
 * (the recipe's baseline listing, then its changes, h374).
 */
export function otherKinds(
  logs: readonly StatisticsLog[],
  series: readonly { indices: readonly number[] }[],
): { left: Set<number>; kept: string } {
  // The key alone: a kind's index halved (KINDS: each key, then its compare_to).
  const kinds = logs.map((log, k) =>
    series[k]!.indices.length ? 2 * (kindOf(log.listings[series[k]!.indices[0]!]!) >> 1) : -1,
  );
  const count = KINDS.map((_, kind) => kinds.reduce((n, x, k) => n + (x === kind ? series[k]!.indices.length : 0), 0));
  const kept = count.indexOf(Math.max(...count));
  return { left: new Set(kinds.flatMap((x, k) => (x !== kept && x >= 0 ? [k] : []))), kept: KINDS[kept]! };
}

/** What a log's listing answers, in words: 'by line', 'compare_to by file', … */
export const listingKind = (log: StatisticsLog, i: number): string => KINDS[kindOf(log.listings[i]!)]!;

/**
 * The listings of a log that make a series (their indices), and what is left out: a program that
 * prints, at each moment, its sites by file and by line, by line and by traceback, or its statistics
 * and its changes since a moment, printed listings that are not successive captures (read as one
 * series, a leak by line read as a plateau beside its file's listings, and a gate passed). The series
 * is of the listings of one kind: the kind printed at the most moments, the first of KINDS among as many.
 */
export function seriesListings(log: StatisticsLog): { indices: number[]; leftOut: string[] } {
  const kinds = log.listings.map(kindOf);
  // The kind printed at the most moments: a kind's listings that others' part are a moment each run
  // (two compare_to listings after each round's statistics are one moment's), and all of a kind
  // printed in a row are a moment each (a baseline's one listing, then a compare_to every round);
  // of as many, the first of KINDS.
  const moments = KINDS.map((_, k) => {
    const listings = kinds.filter((x) => x === k).length;
    const runs = kinds.filter((x, i) => x === k && kinds[i - 1] !== k).length;
    return runs > 1 ? runs : listings;
  });
  const kept = moments.indexOf(Math.max(...moments));
  const indices = kinds.flatMap((k, i) => (k === kept ? [i] : []));
  refuseProcesses(log, indices);
  const left = kinds.flatMap((k, i) => (k === kept ? [] : [i]));
  if (!left.length) return { indices, leftOut: [] };
  const counts = [...new Set(left.map((i) => kinds[i]!))]
    .sort((x, y) => x - y)
    .map((k) => `${kinds.filter((x) => x === k).length} ${KINDS[k]}`);
  const from = log.listings[left[0]!]!.inputLine;
  // The log went on in another kind (by line for a while, then by file): not printed beside the others,
  // but no captures of the same series either (h308 F4: it said "printed beside").
  const switched = left.every((i) => i > indices.at(-1)!) || left.every((i) => i < indices[0]!);
  return {
    indices,
    leftOut: [
      switched
        ? `leaving out listings of ${log.source.path} (${counts.join(', ')}, from line ${from}): the log prints ` +
          `${indices.length} ${KINDS[kept]} ${left[0]! > indices[0]! ? 'before' : 'after'} them, and a series is of one kind; ` +
          'the series is of those (give the others apart to judge them)'
        : `leaving out listings of ${log.source.path} (${counts.join(', ')}; the first at line ${from}): ` +
          `printed beside ${indices.length} ${KINDS[kept]}, they are no captures of their own; the series is of those`,
    ],
  };
}

/**
 * Refuses listings of more than one process as one series: gunicorn's workers logging to one file read
 * as one series, a worker's leak among the others' steady listings was missed (gate passed).
 */
function refuseProcesses(log: StatisticsLog, indices: readonly number[]): void {
  const first = new Map<string, number>();
  for (const i of indices) {
    const p = log.listings[i]!.process;
    if (p !== undefined && !first.has(p)) first.set(p, log.listings[i]!.inputLine);
  }
  if (first.size >= 2) refuse(log, first, (pid) => `grep '\\[${pid}\\]' …`);
  else if (first.size === 0) refuseNumbered(log, indices);
}

/**
 * The same for a PID written as a bare number ('… - 29583 - INFO - …'): a log two runs appended to
 * was read as one series, each run's leak cut in two. A number is taken for a PID when the series'
 * listings carry two or more, each in a run of its own of two listings or more (a line number of two
 * logging calls takes turns with the other, a time in milliseconds never comes again).
 */
function refuseNumbered(log: StatisticsLog, indices: readonly number[]): void {
  const numbers = indices.map((i) => log.listings[i]!.number);
  if (numbers.some((n) => n === undefined)) return;
  const runs: { number: string; line: number; listings: number }[] = [];
  numbers.forEach((n, k) => {
    const last = runs[runs.length - 1];
    if (last?.number === n) last.listings++;
    else runs.push({ number: n!, line: log.listings[indices[k]!]!.inputLine, listings: 1 });
  });
  const once = new Set(runs.map((r) => r.number)).size === runs.length;
  if (runs.length < 2 || !once || runs.some((r) => r.listings < 2)) return;
  refuse(log, new Map(runs.map((r) => [r.number, r.line])), (pid) => `grep -w ${pid} …`);
}

function refuse(log: StatisticsLog, first: ReadonlyMap<string, number>, grep: (pid: string) => string): never {
  const pids = [...first.keys()];
  const shown = pids.slice(0, 5).join(', ') + (pids.length > 5 ? ', …' : '');
  throw new InputError(
    log.source.path,
    `line ${[...first.values()][1]}`,
    `listings of ${pids.length} processes (PIDs ${shown}) logged to one file: one series would mix their memory; ` +
      `give each process's lines alone (${grep(pids[0]!)})`,
  );
}

/**
 * One listing as a snapshot, so that every snapshot query reads it: each logged statistic becomes
 * one group of its blocks (domain 0, its frames as the traceback, the average size as printed).
 * It holds only what the log lists (a top N, sizes to 3 significant digits): the totals are those
 * of the listed statistics, and `listing` says what the log knows of the sites it leaves out. Frames
 * are interned into the given table, shared by a series.
 */
export function listingSnapshot(log: StatisticsLog, index: number, frames: FrameTable): Snapshot {
  const groups = new GroupBuilder();
  const listing = log.listings[index]!;
  const gone: number[] = [];
  for (const s of listing.stats) {
    // Logged frames are oldest first; a traceback is interned most recent first.
    const ids = s.frames.map((f) => frames.internFrame(f.filename, f.lineno)).reverse();
    const tb = frames.internTraceback(ids);
    if (s.count <= 0) {
      gone.push(tb); // a compare_to line of a site that is gone holds no block
      continue;
    }
    // Whole blocks whose sizes add up to the statistic's: an average of 171.9 B a block summed to
    // 63,999.99999999999 B, and JSON printed that.
    const each = Math.floor(s.size / s.count);
    const larger = s.size - each * s.count;
    if (larger < s.count) groups.add(0, tb, each, s.count - larger);
    if (larger > 0) groups.add(0, tb, each + 1, larger);
  }
  return {
    kind: 'snapshot',
    source: log.source,
    frames,
    groups: groups.finish(),
    tracebackLimit: null,
    layout: null,
    traceCount: groups.traceCount,
    totalSize: groups.totalSize,
    time: null,
    // Of a log read cut short (--allow-partial), its last listing: those before it are whole (every
    // listing of a cut log was left out of a series, and leaks found none; h280).
    partial: log.source.partial === true && index === log.listings.length - 1,
    warnings: [],
    listing: shown(listing, gone),
  };
}

/** What a listing shows (see ListingShown): its N, its key, its smallest size when it is ordered by size. */
function shown(l: LoggedListing, gone: readonly number[]): ListingShown {
  const byFile = l.stats.every((st) => st.frames.length === 1 && st.frames[0]!.lineno === 0);
  const held = l.stats.filter((st) => st.count > 0).reduce((m, st) => Math.min(m, st.size), Infinity);
  return {
    sites: l.stats.length,
    // Printed with its frames (Traceback.format()), by traceback however deep: tracemalloc.start(1)'s
    // tracebacks are one frame each (refused -g traceback as a listing by line, h297).
    grouping: byFile ? 'filename' : l.tracebacks || l.stats.some((st) => st.frames.length > 1) ? 'traceback' : 'lineno',
    // compare_to's listing is ordered by the change: a site it leaves out may be of any size.
    smallestSize: l.stats.some((st) => st.sizeDiff !== null) || held === Infinity ? null : held,
    gone,
  };
}
