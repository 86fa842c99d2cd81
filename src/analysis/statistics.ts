// tracemalloc's Snapshot.statistics() and Snapshot.compare_to(), with the same grouping, figures
// and order (ties included), computed over the grouped model instead of trace by trace.

import type { Frame, FrameTable } from '../model/frames.js';
import type { Snapshot, TracebackOrder } from '../model/snapshot.js';
import { isListing } from '../model/source.js';
import { InputError, UsageError } from '../util/errors.js';
import { filterSnapshot, type TraceFilter } from './filters.js';

export type KeyType = 'lineno' | 'filename' | 'traceback';
export const KEY_TYPES: readonly KeyType[] = ['lineno', 'filename', 'traceback'];

export interface Statistic {
  /** The key as a tracemalloc.Traceback: oldest frame first (most recent first when reproducing CPython 3.6). */
  readonly frames: readonly Frame[];
  readonly size: number;
  readonly count: number;
}

export interface StatisticDiff extends Statistic {
  readonly sizeDiff: number;
  readonly countDiff: number;
  /** Never set: a site both captures know (see UnlistedDiff). */
  readonly notListed?: undefined;
}

/** Which of two logged listings leaves a site out, and what that listing says of it. */
export interface NotListed {
  /** The capture whose listing does not show the site. */
  readonly in: 'older' | 'newer';
  /** How many sites that listing shows (its top N); null when unknown (a listing converted to JSON). */
  readonly sites: number | null;
  /**
   * The site's size there is at most this, in bytes: the smallest size that listing shows (as read, to
   * 3 significant digits). Null when the listing bounds none: ordered by the change (compare_to's), or
   * read by another key than its own (-g filename of a listing by line: a file's unlisted lines add up).
   */
  readonly sizeAtMost: number | null;
}

/**
 * A site of two logged listings (each a top N) that one of them does not show: its size and count in
 * that capture are not known (a top N says only that the site was below its smallest entry, not that
 * it was freed), nor its changes, known only between `sizeDiffAtLeast` and `sizeDiffAtMost`.
 */
export interface UnlistedDiff {
  readonly frames: readonly Frame[];
  /** The newer capture's size and count; null when the newer listing leaves the site out. */
  readonly size: number | null;
  readonly count: number | null;
  /** The older capture's size and count; null when the older listing leaves the site out. */
  readonly olderSize: number | null;
  readonly olderCount: number | null;
  readonly sizeDiff: null;
  readonly countDiff: null;
  /** newer - older, in bytes, is at least this; null: unbounded (the unlisted size is not bounded). */
  readonly sizeDiffAtLeast: number | null;
  /** newer - older, in bytes, is at most this; null: unbounded. */
  readonly sizeDiffAtMost: number | null;
  readonly notListed: NotListed;
}

/** An entry of a diff: a site both captures know, or (of logged listings) one a listing leaves out. */
export type DiffEntry = StatisticDiff | UnlistedDiff;

export interface StatisticsOptions {
  readonly keyType: KeyType;
  readonly cumulative?: boolean;
}

/** Compares strings by code point, as Python does (JS '<' compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca < 0xd800 && cb < 0xd800) return ca - cb;
  // A surrogate is involved: step back to the start of the character and compare code points.
  if (i > 0 && isLowSurrogate(ca) && isHighSurrogate(a.charCodeAt(i - 1))) i--;
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Traceback ordering: tuples of (filename, lineno), oldest frame first, compared element-wise. */
export function compareFrames(a: readonly Frame[], b: readonly Frame[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const fa = a[i]!;
    const fb = b[i]!;
    const c = compareCodePoints(fa.filename, fb.filename) || fa.lineno - fb.lineno;
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function checkOptions(o: StatisticsOptions): void {
  if (!KEY_TYPES.includes(o.keyType)) throw new UsageError(`unknown key type '${o.keyType}'`);
  if (o.cumulative && o.keyType === 'traceback') {
    throw new UsageError(
      'cumulative statistics count every frame of a traceback: group by lineno or filename, not traceback',
    );
  }
}

// Statistic keys are frame ids ('lineno'), filename ids ('filename') or traceback ids. A traceback
// key is built as tracemalloc.Traceback builds it: the raw frames reversed from CPython 3.7 on, as
// they are (most recent first) in 3.6; its str, format() and sort follow from that order.
function keyFrames(frames: FrameTable, keyType: KeyType, key: number, order: TracebackOrder): Frame[] {
  if (keyType === 'lineno') return [frames.frame(key)];
  if (keyType === 'filename') return [{ filename: frames.filenames[key]!, lineno: 0 }];
  const ids = frames.tracebackFrames(key);
  return (order === 'most-recent-first' ? ids : ids.reverse()).map((f) => frames.frame(f));
}

/** Snapshot._group_by: key -> (size, count), as unsorted statistics. */
function groupBy(snapshot: Snapshot, o: StatisticsOptions): Statistic[] {
  checkOptions(o);
  const { frames, groups: g } = snapshot;
  const keyType = o.keyType;
  const slots =
    keyType === 'lineno' ? frames.frameCount : keyType === 'filename' ? frames.filenames.length : frames.tracebackCount;
  const size = new Float64Array(slots);
  const count = new Float64Array(slots);
  const keyOf = (frame: number): number => (keyType === 'lineno' ? frame : frames.frameFilenameId(frame));
  for (let i = 0; i < g.length; i++) {
    const tb = g.traceback[i]!;
    const bytes = g.size[i]! * g.count[i]!;
    const n = g.count[i]!;
    if (keyType === 'traceback') {
      size[tb]! += bytes;
      count[tb]! += n;
    } else if (!o.cumulative) {
      const k = keyOf(frames.tracebackFrame(tb, 0));
      size[k]! += bytes;
      count[k]! += n;
    } else {
      // Every frame of the traceback, repeats included (tracemalloc does not deduplicate).
      for (let j = 0, depth = frames.tracebackLength(tb); j < depth; j++) {
        const k = keyOf(frames.tracebackFrame(tb, j));
        size[k]! += bytes;
        count[k]! += n;
      }
    }
  }
  // A block counts at each of its frames: a site's sum may pass 2^53 where the total does not (which
  // the importers check), and be rounded unsaid, ranked on the rounded figure.
  if (o.cumulative && size.some((x) => x > Number.MAX_SAFE_INTEGER)) {
    throw new InputError(
      snapshot.source.path,
      '',
      'a site counting each block at every frame of its traceback (cumulative) adds up to beyond 2^53 bytes (8 PiB), ' +
        'past which bytes cannot be counted exactly',
    );
  }
  const order = snapshot.tracebackOrder ?? 'oldest-first';
  const stats: Statistic[] = [];
  for (let k = 0; k < slots; k++) {
    if (count[k]! > 0) stats.push({ frames: keyFrames(frames, keyType, k, order), size: size[k]!, count: count[k]! });
  }
  return stats;
}

/** Snapshot.statistics(key_type, cumulative): largest first by (size, count, traceback). */
export function statistics(snapshot: Snapshot, o: StatisticsOptions): Statistic[] {
  return groupBy(snapshot, o).sort((a, b) => b.size - a.size || b.count - a.count || compareFrames(b.frames, a.frames));
}

/** What a capture says of the keys it does not show; null of a whole snapshot, where they are 0. */
interface Unshown {
  readonly sites: number | null;
  readonly sizeAtMost: number | null;
  /** Keys it shows with no block left (compare_to's `size=0 B`): 0, as of a whole snapshot. */
  readonly gone: ReadonlySet<string>;
}

const keyOf = (frames: readonly Frame[]): string => JSON.stringify(frames.map((f) => [f.filename, f.lineno]));

function unshown(s: Snapshot, o: StatisticsOptions): Unshown | null {
  if (!isListing(s.source)) return null;
  const l = s.listing;
  if (!l) return { sites: null, sizeAtMost: null, gone: new Set() };
  // The listing bounds a key it leaves out when the key is one statistic of the listing's own key: a
  // line or a traceback of a listing by line, anything of one by file, a traceback of one by traceback
  // (a file gathers lines, and a line tracebacks, which the listing may leave out however large).
  const own =
    l.grouping === 'filename' || (l.grouping === 'lineno' ? o.keyType !== 'filename' : o.keyType === 'traceback');
  if (!own) return { sites: l.sites, sizeAtMost: null, gone: new Set() };
  const { frames } = s;
  const order = s.tracebackOrder ?? 'oldest-first';
  const idOf = (tb: number): number => {
    if (o.keyType === 'traceback') return tb;
    const f = frames.tracebackFrame(tb, 0);
    return o.keyType === 'lineno' ? f : frames.frameFilenameId(f);
  };
  return {
    sites: l.sites,
    sizeAtMost: l.smallestSize,
    gone: new Set(l.gone.map((tb) => keyOf(keyFrames(frames, o.keyType, idOf(tb), order)))),
  };
}

/** A site the listing of one capture (`side`) leaves out, known in the other as `known`. */
function unlisted(known: Statistic, side: 'older' | 'newer', u: Unshown): UnlistedDiff {
  const bound = u.sizeAtMost;
  const notListed: NotListed = { in: side, sites: u.sites, sizeAtMost: bound };
  if (side === 'newer') {
    return {
      frames: known.frames,
      size: null,
      count: null,
      sizeDiff: null,
      countDiff: null,
      olderSize: known.size,
      olderCount: known.count,
      sizeDiffAtLeast: 0 - known.size,
      sizeDiffAtMost: bound === null ? null : bound - known.size,
      notListed,
    };
  }
  return {
    frames: known.frames,
    size: known.size,
    count: known.count,
    sizeDiff: null,
    countDiff: null,
    olderSize: null,
    olderCount: null,
    sizeDiffAtLeast: bound === null ? null : known.size - bound,
    sizeDiffAtMost: known.size,
    notListed,
  };
}

/**
 * The change in size an entry is known to have at least, signed: its sizeDiff, or of a site a listing
 * leaves out the value of its range nearest 0 (0 when it may have none).
 */
export function leastChange(d: DiffEntry): number {
  if (!d.notListed) return d.sizeDiff;
  return Math.max(d.sizeDiffAtLeast ?? -Infinity, Math.min(d.sizeDiffAtMost ?? Infinity, 0));
}

/**
 * new.compare_to(old, key_type, cumulative): ordered by (|size_diff|, size, |count_diff|, count, traceback).
 * Of logged listings, a site one of them leaves out is an UnlistedDiff, not one that went to or came
 * from 0; it is ordered by the change it is known to have at least, after the sites known to have
 * changed as much, then by its size as listed.
 */
export function compareTo(newer: Snapshot, older: Snapshot, o: StatisticsOptions): DiffEntry[] {
  const old = new Map<string, Statistic>();
  for (const s of groupBy(older, o)) old.set(keyOf(s.frames), s);
  const [olderUnshown, newerUnshown] = [unshown(older, o), unshown(newer, o)];
  const diffs: DiffEntry[] = [];
  for (const s of groupBy(newer, o)) {
    const k = keyOf(s.frames);
    const prev = old.get(k);
    old.delete(k);
    if (!prev && olderUnshown && !olderUnshown.gone.has(k)) diffs.push(unlisted(s, 'older', olderUnshown));
    else diffs.push({ ...s, sizeDiff: s.size - (prev?.size ?? 0), countDiff: s.count - (prev?.count ?? 0) });
  }
  for (const [k, s] of old) {
    if (newerUnshown && !newerUnshown.gone.has(k)) diffs.push(unlisted(s, 'newer', newerUnshown));
    // 0 - x, not -x: a zero must stay +0 so it prints as "+0 B" like Python.
    else diffs.push({ frames: s.frames, size: 0, count: 0, sizeDiff: 0 - s.size, countDiff: 0 - s.count });
  }
  // Two whole snapshots: compare_to's order alone (a diff of two dumps of 1M sites sorts them once).
  if (!olderUnshown && !newerUnshown) return (diffs as StatisticDiff[]).sort(compareToOrder);
  return diffs.sort((a, b) => {
    const c = Math.abs(leastChange(b)) - Math.abs(leastChange(a));
    if (c !== 0) return c;
    if (!a.notListed && !b.notListed) return compareToOrder(a, b);
    if (!a.notListed || !b.notListed) return a.notListed ? 1 : -1;
    const listed = (d: UnlistedDiff): number => d.size ?? d.olderSize ?? 0;
    return listed(b) - listed(a) || compareFrames(b.frames, a.frames);
  });
}

/** compare_to's order: (|size_diff|, size, |count_diff|, count, traceback), largest first. */
function compareToOrder(a: StatisticDiff, b: StatisticDiff): number {
  return (
    Math.abs(b.sizeDiff) - Math.abs(a.sizeDiff) ||
    b.size - a.size ||
    Math.abs(b.countDiff) - Math.abs(a.countDiff) ||
    b.count - a.count ||
    compareFrames(b.frames, a.frames)
  );
}

export interface QueryOptions extends StatisticsOptions {
  readonly filters?: readonly TraceFilter[];
  /** Keep only the first N entries (the totals still cover everything). */
  readonly limit?: number;
}

export interface StatsResult {
  readonly groupBy: KeyType;
  readonly cumulative: boolean;
  /** Traced bytes and blocks after filtering (each block once, even in cumulative mode). */
  readonly total: { readonly size: number; readonly count: number };
  readonly stats: readonly Statistic[];
}

export interface DiffResult {
  readonly groupBy: KeyType;
  readonly cumulative: boolean;
  readonly total: {
    readonly size: number;
    readonly count: number;
    readonly sizeDiff: number;
    readonly countDiff: number;
  };
  /** Of logged listings, a site one of them leaves out is an UnlistedDiff (see compareTo). */
  readonly stats: readonly DiffEntry[];
  /**
   * Its sizes are a logged listing's, known as tracemalloc printed them (3 significant digits): a
   * change is known to the coarser last digit of its two figures.
   */
  readonly printedSizes?: true;
}

function limited<T>(items: T[], limit: number | undefined): T[] {
  return limit === undefined ? items : items.slice(0, Math.max(0, limit));
}

/** The `stats` query: filter, group, sort, cut. */
export function statsResult(snapshot: Snapshot, o: QueryOptions): StatsResult {
  const s = filterSnapshot(snapshot, o.filters ?? []);
  return {
    groupBy: o.keyType,
    cumulative: o.cumulative ?? false,
    total: { size: s.totalSize, count: s.traceCount },
    stats: limited(statistics(s, o), o.limit),
  };
}

/** The `diff` query: newer.compare_to(older) after the same filters on both. */
export function diffResult(older: Snapshot, newer: Snapshot, o: QueryOptions): DiffResult {
  const a = filterSnapshot(older, o.filters ?? []);
  const b = filterSnapshot(newer, o.filters ?? []);
  return {
    groupBy: o.keyType,
    cumulative: o.cumulative ?? false,
    total: {
      size: b.totalSize,
      count: b.traceCount,
      sizeDiff: b.totalSize - a.totalSize,
      countDiff: b.traceCount - a.traceCount,
    },
    stats: limited(compareTo(b, a, o), o.limit),
    ...(isListing(older.source) || isListing(newer.source) ? { printedSizes: true as const } : {}),
  };
}
