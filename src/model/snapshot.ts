import type { FrameTable } from './frames.js';
import type { SourceInfo } from './source.js';
import { STDLIB_MODULES } from './stdlib-modules.js';

/**
 * Live blocks grouped by (domain, traceback id, size) -> count, columnar. Exact for every
 * tracemalloc statistic: a statistic only ever needs sum(size*count) and sum(count) per key.
 */
export interface TraceGroups {
  readonly length: number;
  readonly domain: Float64Array;
  readonly traceback: Uint32Array;
  readonly size: Float64Array;
  readonly count: Float64Array;
}

/** The raw trace tuple layout of the dump: 3 items up to Python 3.8, 4 items (total_nframe) from 3.9. */
export type TraceLayout = '3-tuple' | '4-tuple' | 'empty';

/**
 * The frame order of tracemalloc.Traceback, which str(Statistic), Traceback.format() and the sort of
 * statistics('traceback') follow: most recent frame first in CPython 3.6, oldest first from 3.7
 * (bpo-32121). The raw trace tuples are most recent first in every version, and 3.6 and 3.7 write the
 * same bytes, so only the user can say which Python's output is wanted.
 */
export type TracebackOrder = 'oldest-first' | 'most-recent-first';

/**
 * The minor version of a CPython version as a user writes it ('3.6', '3.6.15', '3.11.7', '3.13.0rc2'),
 * or null when it is not one of CPython 3.6 or later.
 */
export function python3Minor(python: string): number | null {
  const m = /^\s*3\.(\d+)(?:\.\d+)?(?:(?:a|b|rc)\d+|\+)?\s*$/.exec(python);
  const minor = m ? Number(m[1]) : null;
  return minor !== null && minor >= 6 ? minor : null;
}

/** The Traceback order of a CPython version ('3.6', '3.6.15', '3.11'). */
export function tracebackOrderOf(python: string): TracebackOrder {
  return python3Minor(python) === 6 ? 'most-recent-first' : 'oldest-first';
}

/**
 * Why a CPython version could not have written a dump of this pickle protocol and trace layout (and
 * cannot read it), or null when it could: 3.7 and earlier write protocol 4 at most, 3.9 and later
 * 4-item traces (total_nframe), 3.8 and earlier 3-item ones. Either left unknown is not judged.
 */
export function notWrittenBy(minor: number, protocol: number | undefined, layout: TraceLayout | null): string | null {
  return protocol !== undefined && minor <= 7 && protocol > 4
    ? `it is a protocol ${protocol} pickle, which CPython 3.${minor} cannot read (3.8 and later write it)`
    : minor <= 8 && layout === '4-tuple'
      ? `its traces have 4 items (total_nframe), which CPython 3.9 and later write`
      : minor >= 9 && layout === '3-tuple'
        ? 'its traces have 3 items, which CPython 3.8 and earlier write'
        : null;
}

/**
 * What a logged listing (a program's top N) shows, and so what it says of the sites it does not: the
 * listing holds no figure of them, only that each was below its smallest shown entry.
 */
// A CPython's own library, by its version: '/usr/lib/python3.11/json/decoder.py', one of its modules
// (STDLIB_MODULES); not the packages installed beside it ('…/lib/python3.9/site-packages/…' on the
// PYTHONPATH of a 3.11 is no 3.9's), nor a program's own code in such a folder.
const LIBRARY = /[\\/]lib[\\/]python(\d+\.\d+)[\\/]([^\\/]+?)(?:\.py)?(?:[\\/]|$)/;

/**
 * The CPython versions whose library a snapshot's tracebacks name: two files or more under its
 * lib/pythonX.Y/ (one is a program's own code compiled under such a name, or a file it read; h278), or
 * its tracemalloc.py alone: the module that took the snapshot, its blocks traced (a 3.9 program's
 * dumps naming no other library file were modelled as 3.11's, arenas 4 times too large; h382).
 */
export function librariesOf(s: Snapshot): string[] {
  const { frames, groups } = s;
  const tracebacks = new Uint8Array(frames.tracebackCount);
  const files = new Uint8Array(frames.filenames.length);
  const found = new Map<string, number>();
  for (let g = 0; g < groups.length; g++) {
    const tb = groups.traceback[g]!;
    if (tracebacks[tb]) continue;
    tracebacks[tb] = 1;
    for (let i = 0, n = frames.tracebackLength(tb); i < n; i++) {
      const f = frames.frameFilenameId(frames.tracebackFrame(tb, i));
      if (files[f]) continue;
      files[f] = 1;
      const m = LIBRARY.exec(frames.filenames[f]!);
      if (m && STDLIB_MODULES.has(m[2]!)) found.set(m[1]!, (found.get(m[1]!) ?? 0) + (m[2] === 'tracemalloc' ? 2 : 1));
    }
  }
  return [...found].flatMap(([v, n]) => (n > 1 ? [v] : [])).sort();
}

export interface ListingShown {
  /** How many statistics it prints (its N, or fewer when the program had fewer sites). */
  readonly sites: number;
  /**
   * Its statistics' key: 'filename' (statistics('filename'): every line number 0), 'traceback' (frames
   * printed under its statistics, some more than one) or 'lineno' (one frame each).
   */
  readonly grouping: 'lineno' | 'filename' | 'traceback';
  /**
   * The smallest size it shows, in bytes (as read: printed to 3 significant digits), when it is ordered
   * by size (statistics()): no site it leaves out is larger. Null when it is ordered by the change
   * (compare_to), which bounds no size.
   */
  readonly smallestSize: number | null;
  /** Tracebacks of the sites it shows with no block left (compare_to's `size=0 B (-…)`): known to be 0. */
  readonly gone: readonly number[];
}

/**
 * The key of a logged listing's statistics, null of a whole snapshot: as read from its log, or of one
 * converted to arenascope JSON (which keeps only that it was a listing: `--cumulative` of its JSON
 * printed the plain figures), by its tracebacks: every line 0, by file; a traceback of several
 * frames, by traceback; else by line.
 */
export function listingGrouping(s: Snapshot): ListingShown['grouping'] | null {
  if (s.listing) return s.listing.grouping;
  if (s.source.from !== 'tracemalloc-text') return null;
  let [byFile, byTraceback] = [s.groups.length > 0, false];
  for (let i = 0; i < s.groups.length; i++) {
    const frames = s.frames.tracebackFrames(s.groups.traceback[i]!);
    if (frames.length > 1) byTraceback = true;
    if (frames.some((f) => s.frames.frameLineno(f) !== 0)) byFile = false;
  }
  return byFile ? 'filename' : byTraceback ? 'traceback' : 'lineno';
}

/**
 * The key a series of logged listings holds, null of dumps: the coarsest of theirs, a listing by
 * traceback of one frame each counting as by line (its tracebacks are its lines). A coarser key is no
 * answer of a top N: a file's (or, of tracebacks, a line's) figure sums the entries each listing
 * shows, and its change across them the pieces that enter and leave it (h297, h301).
 */
export function seriesListingKey(snapshots: readonly Snapshot[]): ListingShown['grouping'] | null {
  const rank = { traceback: 0, lineno: 1, filename: 2 } as const;
  let key: ListingShown['grouping'] | null = null;
  for (const s of snapshots) {
    let own = listingGrouping(s);
    if (own === 'traceback' && oneFrameEach(s)) own = 'lineno';
    if (own && (key === null || rank[own] > rank[key])) key = own;
  }
  return key;
}

function oneFrameEach(s: Snapshot): boolean {
  for (let i = 0; i < s.groups.length; i++) if (s.frames.tracebackLength(s.groups.traceback[i]!) > 1) return false;
  return true;
}

export interface Snapshot {
  readonly kind: 'snapshot';
  readonly source: SourceInfo;
  readonly frames: FrameTable;
  readonly groups: TraceGroups;
  /** tracemalloc.get_traceback_limit() at capture time; null when the dump says None or was cut short. */
  readonly tracebackLimit: number | null;
  /** The raw trace layout of a tracemalloc dump; null for captures from other tools. */
  readonly layout: TraceLayout | null;
  /** Number of traces (live blocks) in the dump. */
  readonly traceCount: number;
  /** Sum of all trace sizes, in bytes. */
  readonly totalSize: number;
  /** Capture time in seconds since the epoch, when known. */
  readonly time: number | null;
  /**
   * tracemalloc's traced peak since the previous capture, in bytes (get_traced_memory()[1], then
   * reset_peak(), 3.9+): it shows blocks made and freed between captures. Absent or null: unknown.
   */
  readonly tracedPeak?: number | null;
  /** True when the input was truncated and only what was read is here. */
  readonly partial: boolean;
  readonly warnings: readonly string[];
  /** The pickle protocol of a tracemalloc dump (4 up to CPython 3.7, 5 from 3.8). */
  readonly pickleProtocol?: number;
  /** Set when the user named the CPython to reproduce; absent means 3.7+ ('oldest-first'). */
  readonly tracebackOrder?: TracebackOrder;
  /** Of a logged listing read from its log: what it shows (absent: unknown, or a whole snapshot). */
  readonly listing?: ListingShown;
}

// Sizes and domains are integers below 2^53: fold the high word in so large ones still spread.
function groupHash(domain: number, tb: number, size: number): number {
  let h = Math.imul(tb ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (size | 0) ^ ((size / 4294967296) | 0), 0xc2b2ae35);
  h = Math.imul(h ^ (domain | 0), 0x27d4eb2f);
  return h ^ (h >>> 15);
}

/** Accumulates traces into groups with an open-addressing hash table over typed arrays. */
export class GroupBuilder {
  private cap = 1 << 12;
  private slots = new Int32Array(this.cap).fill(-1);
  private n = 0;
  private domain = new Float64Array(1 << 10);
  private traceback = new Uint32Array(1 << 10);
  private size = new Float64Array(1 << 10);
  private count = new Float64Array(1 << 10);
  private hash = new Int32Array(1 << 10); // kept so that growing never recomputes it
  traceCount = 0;
  totalSize = 0;

  get groupCount(): number {
    return this.n;
  }

  add(domain: number, tb: number, size: number, count = 1): void {
    this.traceCount += count;
    this.totalSize += size * count;
    const mask = this.cap - 1;
    const h = groupHash(domain, tb, size);
    let i = h & mask;
    for (;;) {
      const g = this.slots[i]!;
      if (g < 0) break;
      if (this.traceback[g] === tb && this.size[g] === size && this.domain[g] === domain) {
        this.count[g]! += count;
        return;
      }
      i = (i + 1) & mask;
    }
    this.insert(i, h, domain, tb, size, count);
  }

  /** The index of group (domain, tb, size), added with no blocks when it is new (count untouched). */
  intern(domain: number, tb: number, size: number): number {
    const mask = this.cap - 1;
    const h = groupHash(domain, tb, size);
    let i = h & mask;
    for (;;) {
      const g = this.slots[i]!;
      if (g < 0) break;
      if (this.traceback[g] === tb && this.size[g] === size && this.domain[g] === domain) return g;
      i = (i + 1) & mask;
    }
    this.insert(i, h, domain, tb, size, 0);
    return this.n - 1;
  }

  // Kept out of add(): rare, and a smaller add() is optimized sooner by V8.
  private insert(slot: number, h: number, domain: number, tb: number, size: number, count: number): void {
    const g = this.n++;
    if (g === this.size.length) this.growColumns();
    this.domain[g] = domain;
    this.traceback[g] = tb;
    this.size[g] = size;
    this.count[g] = count;
    this.hash[g] = h;
    this.slots[slot] = g;
    if (this.n * 2 > this.cap) this.rehash();
  }

  finish(): TraceGroups {
    const n = this.n;
    return {
      length: n,
      domain: this.domain.slice(0, n),
      traceback: this.traceback.slice(0, n),
      size: this.size.slice(0, n),
      count: this.count.slice(0, n),
    };
  }

  private growColumns(): void {
    const len = this.size.length * 2;
    const grow = <T extends Float64Array | Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(len);
      b.set(a);
      return b;
    };
    this.domain = grow(this.domain, (k) => new Float64Array(k));
    this.traceback = grow(this.traceback, (k) => new Uint32Array(k));
    this.size = grow(this.size, (k) => new Float64Array(k));
    this.count = grow(this.count, (k) => new Float64Array(k));
    this.hash = grow(this.hash, (k) => new Int32Array(k));
  }

  private rehash(): void {
    const groups = this.n;
    this.cap *= 2;
    this.slots = new Int32Array(this.cap).fill(-1);
    // Re-adding would double the totals, so place the existing groups directly.
    const mask = this.cap - 1;
    for (let g = 0; g < groups; g++) {
      let i = this.hash[g]! & mask;
      while (this.slots[i]! >= 0) i = (i + 1) & mask;
      this.slots[i] = g;
    }
  }
}
