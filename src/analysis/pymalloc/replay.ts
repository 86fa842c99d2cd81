// Replays a series of snapshots through the pymalloc model. Between two captures, each
// (domain, traceback, size) group's count changes; the frees are done before the allocations.
// tracemalloc does not say which block of a group was freed, nor in what order allocations of
// different groups came, so two orders run side by side and every figure is a range:
// - compact: the best case. Allocations place the blocks that will live to the end of the series
//   before those that will be freed, and each group frees its most recently allocated blocks, so
//   that what is freed was packed together and whole pools and arenas empty;
// - scattered: frees pick blocks at random (seeded) and allocations of all groups interleave at
//   random, as in a program that allocates and frees everything everywhere. Churn between
//   captures (blocks made and freed between them, unseen by snapshots) is interleaved with the
//   allocations and freed before the capture: it spreads the survivors over more pools and arenas.
// With the real allocator's report at the first capture, the model starts from it: the blocks it
// holds beyond the first snapshot's (allocated before tracing started) are allocated first.

import type { MallocStatsBlock } from '../../model/allocator-stats.js';
import type { Frame } from '../../model/frames.js';
import type { Snapshot } from '../../model/snapshot.js';
import { aliasTable, below, drawAlias, xorshift } from './draw.js';
import { type Fragmentation, fragmentation } from './fragmentation.js';
import { geometry } from './geometry.js';
import { LARGE, PoolModel } from './pools.js';
import { mallocStats, type PoolCounts, poolCounts } from './state.js';

export type ReplayOrder = 'compact' | 'scattered';

export interface ModelState {
  readonly arenas: number;
  readonly arenasHighwater: number;
  readonly pools: PoolCounts;
  readonly bytesInAllocatedBlocks: number;
  /** Bytes in allocated blocks over bytes in arenas. */
  readonly utilization: number;
  readonly largeBlocks: number;
  readonly largeBytes: number;
  readonly fragmentation: Fragmentation;
  readonly stats: MallocStatsBlock;
}

/** What the scattered order assumed happened between the previous capture and this one. */
export interface Churn {
  /** tracemalloc's traced peak since the previous capture, when the capture recorded it. */
  readonly tracedPeak: number | null;
  /** Bytes of transient blocks made among the interval's allocations and freed before the capture. */
  readonly transientBytes: number;
  /** True when the peak was not recorded and transientBytes is UNKNOWN_CHURN's assumption. */
  readonly assumed: boolean;
}

export interface ReplayCapture {
  readonly label: string;
  readonly compact: ModelState;
  readonly scattered: ModelState;
  readonly churn: Churn;
}

export interface ReplayResult {
  readonly python: string;
  readonly arenaSize: number;
  readonly poolSize: number;
  readonly captures: readonly ReplayCapture[];
  /** Blocks allocated before the replay from the first real report (0 without one). */
  readonly untracedBlocks: number;
  /** Why the model did not start from the first real report, when it was given and not used. */
  readonly startSkipped: string | null;
}

/**
 * Bounds on what the model adds beyond the snapshots, so that an implausible figure in an input (a
 * report's billions of blocks, a traced peak of 1e18) cannot make a replay run for ever: blocks
 * allocated before tracing started (a real report's surplus), and the transient blocks of one interval.
 */
export const MAX_UNTRACED_BLOCKS = 1 << 24;
export const MAX_TRANSIENT_BYTES = 1 << 28;

/**
 * Churn between two captures whose traced peak is unknown: the scattered order assumes as many
 * transient bytes as the interval allocated in blocks that survive it (each new block made beside
 * a temporary of its size). Real churn can be larger (reference cycles freed by the collector:
 * 3-4 times, in fixtures/pymalloc/validate.py's cycles): then only the recorded peak tells.
 */
export const UNKNOWN_CHURN = 1;

// Safety limit: transient blocks made per interval (a few hundred MB of small blocks); a larger
// peak is mostly large buffers, which the system allocator serves.
const MAX_TRANSIENTS = 1 << 23;

/** The site that blocks allocated before tracing started are charged to. */
export const UNTRACED_SITE: Frame = { filename: '<allocated before tracing started>', lineno: 0 };

/** The groups of a whole series, and each one's count at every capture. */
interface SeriesGroups {
  readonly groups: readonly { domain: number; size: number; site: Frame }[];
  /** counts[k].get(group) = blocks of the group at capture k (absent: 0). */
  readonly counts: readonly Map<number, number>[];
  /** Per group, its largest count over the series (the room its live blocks need). */
  readonly peaks: readonly number[];
}

function seriesGroups(snapshots: readonly Snapshot[]): SeriesGroups {
  const ids = new Map<string, number>();
  const groups: { domain: number; size: number; site: Frame }[] = [];
  const peaks: number[] = [];
  const counts = snapshots.map((s) => {
    const g = s.groups;
    const c = new Map<number, number>();
    const frames = new Map<number, string>(); // a traceback's frames, once per traceback
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      const size = Math.ceil(g.size[i]!); // memray gives averages
      let tbKey = frames.get(tb);
      if (tbKey === undefined) {
        tbKey = s.frames.tracebackFrames(tb).join(',');
        frames.set(tb, tbKey);
      }
      const key = `${g.domain[i]}:${size}:${tbKey}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = groups.length;
        ids.set(key, id);
        groups.push({ domain: g.domain[i]!, size, site: s.frames.frame(s.frames.tracebackFrame(tb, 0)) });
        peaks.push(0);
      }
      c.set(id, (c.get(id) ?? 0) + g.count[i]!);
    }
    for (const [id, n] of c) if (n > peaks[id]!) peaks[id] = n;
    return c;
  });
  return { groups, counts, peaks };
}

/**
 * What capture k changes, per group in id order: blocks to free and blocks to allocate. Both
 * orders hold each group's count of the previous capture, so one delta serves both.
 */
interface Delta {
  readonly frees: readonly [id: number, n: number][];
  readonly allocs: readonly [id: number, n: number][];
  /** Bytes of the allocations (what churn is measured against). */
  readonly allocatedBytes: number;
}

function delta(series: SeriesGroups, k: number): Delta {
  const before = k ? series.counts[k - 1]! : new Map<number, number>();
  const target = series.counts[k]!;
  const frees: [number, number][] = [];
  const allocs: [number, number][] = [];
  let allocatedBytes = 0;
  series.groups.forEach((g, id) => {
    const have = before.get(id) ?? 0;
    const want = target.get(id) ?? 0;
    if (want < have) frees.push([id, have - want]);
    else if (want > have) {
      allocs.push([id, want - have]);
      allocatedBytes += (want - have) * g.size;
    }
  });
  return { frees, allocs, allocatedBytes };
}

/** A replayer's largest array, which the next one takes over. */
interface ReplayBuffers {
  readonly live: Int32Array;
}

// The replay's per-block work is on typed arrays: no object or array per group or per block
// (issue 14: replay took 2.7x the time of reading its inputs). A block is its pool (PoolModel):
// which pools and arenas hold the live blocks is what every figure is made of.
class Replayer {
  readonly model: PoolModel;
  // The state of the scattered order's generator (xorshift32), in a typed array: a number field
  // would change its representation from small integer to boxed double, deoptimizing every caller.
  private readonly rng = new Int32Array(1);
  private readonly size: Float64Array;
  /** 1 for a group of another domain than pymalloc's. */
  private readonly system: Uint8Array;
  // Each group's live blocks (their pools), in allocation order: group g's are live[start[g]] to
  // live[start[g] + count[g] - 1], with room for its peak count. The blocks allocated before
  // tracing started are a group of their own, after the series' groups.
  private readonly live: Int32Array;
  private readonly start: Int32Array;
  private readonly count: Int32Array;

  constructor(
    python: string,
    private readonly order: ReplayOrder,
    seed: number,
    private readonly series: SeriesGroups,
    untraced = 0,
    reuse?: ReplayBuffers,
  ) {
    this.model = new PoolModel(geometry(python));
    this.rng[0] = seed >>> 0 || 1;
    const n = series.groups.length;
    this.size = Float64Array.from(series.groups, (grp) => grp.size);
    this.system = Uint8Array.from(series.groups, (grp) => (grp.domain !== 0 ? 1 : 0));
    this.start = new Int32Array(n + 1);
    this.count = new Int32Array(n + 1);
    let room = 0;
    for (let id = 0; id < n; id++) {
      this.start[id] = room;
      room += series.peaks[id]!;
    }
    this.start[n] = room;
    room += untraced;
    // Written before read: a group's entries from start[g] up to count[g].
    this.live = reuse && reuse.live.length >= room ? reuse.live : new Int32Array(room);
  }

  /** The array a replayer made after this one can take over; this one must not step again. */
  buffers(): ReplayBuffers {
    return { live: this.live };
  }

  /**
   * Allocates the blocks of each size class that the real allocator held beyond the model at the
   * first capture (`extra[c]` blocks of class c; as many as the constructor's `untraced`), before
   * anything else, charged to UNTRACED_SITE.
   */
  seed(extra: readonly number[]): void {
    const owner = this.series.groups.length;
    extra.forEach((n, c) => {
      this.model.allocRun(this.model.classSize(c), false, n, this.live, this.start[owner]! + this.count[owner]!);
      this.count[owner]! += n;
    });
  }

  /** Moves the model to the counts of capture k (`d`, its delta); `churn` transient bytes in the scattered order. */
  step(k: number, d: Delta, churn = 0): void {
    // Frees first, then allocations.
    if (this.order === 'compact') {
      this.compactFrees(d.frees);
      // The longest-lived blocks first (those living to the end of the series, then those freed
      // last, and so on), so that blocks freed together were packed together.
      const counts = this.series.counts;
      const pieces: [death: number, id: number, n: number][] = [];
      for (const [id, n] of d.allocs) {
        const live = this.count[id]!;
        let left = n; // new blocks still alive
        let floor = Infinity;
        for (let j = k + 1; j < counts.length && left > 0; j++) {
          floor = Math.min(floor, counts[j]!.get(id) ?? 0);
          const alive = Math.max(0, Math.min(n, floor - live));
          if (alive < left) pieces.push([j, id, left - alive]);
          left = alive;
        }
        if (left > 0) pieces.push([Infinity, id, left]);
      }
      pieces.sort((a, b) => b[0] - a[0]);
      for (const [, id, n] of pieces) this.allocate(id, n);
    } else {
      for (const [id, n] of d.frees) this.randomFrees(id, n);
      this.scatteredAllocs(d.allocs, churn);
    }
  }

  // The interval's allocations and its transient blocks interleaved at random; then the
  // transients are freed, in no particular order.
  private scatteredAllocs(allocs: readonly [number, number][], churn: number): void {
    let survivors = 0;
    for (const [, n] of allocs) survivors += n;
    // Group ids, then the transient blocks as -1 - (their group id); shuffled. One array, reused
    // for the transient blocks made (issue 14: replay's memory).
    const seq = this.transients(allocs, churn, survivors);
    let j = 0;
    for (const [id, n] of allocs) {
      seq.fill(id, j, j + n);
      j += n;
    }
    // A shuffle first, then the allocations: drawing the next block as the allocations go (by the
    // odds of a shuffle) took twice as long, its branches mispredicted where a shuffle has none.
    let x = this.rng[0]!;
    for (let i = seq.length - 1; i > 0; i--) {
      x = xorshift(x);
      const r = below(x, i + 1);
      const t = seq[i]!;
      seq[i] = seq[r]!;
      seq[r] = t;
    }
    const m = this.model;
    const { size, system, live, start, count } = this;
    // The transient blocks made, or for one the system allocator served, -1 - (its group id), in
    // seq[0 .. nmade - 1]: never ahead of the entries read.
    const made = seq;
    let nmade = 0;
    for (let i = 0; i < seq.length; i++) {
      const id = seq[i]!;
      if (id >= 0) {
        live[start[id]! + count[id]!++] = m.alloc(size[id]!, system[id] === 1);
      } else {
        const b = m.alloc(size[-1 - id]!, false);
        made[nmade++] = b === LARGE ? id : b;
      }
    }
    // The transients in random order: shuffled first, then freed in turn (a pass of frees with the
    // shuffle's random reads among them was slower, as for the allocations).
    for (let i = nmade - 1; i > 0; i--) {
      x = xorshift(x);
      const r = below(x, i + 1);
      const t = made[i]!;
      made[i] = made[r]!;
      made[r] = t;
    }
    for (let i = 0; i < nmade; i++) {
      const b = made[i]!;
      if (b >= 0) m.free(b);
      else m.free(LARGE, size[-1 - b]!);
    }
    this.rng[0] = x;
  }

  // Transient blocks totalling `bytes` at least, drawn from the interval's allocations by count
  // (their groups, for their sizes): a program's temporaries are most often of the sizes it is
  // allocating. Drawn from an alias table, in constant time each (issue 14: a scan of the groups
  // per draw was half of a replay, a binary search a tenth, a guide table still 30 ms at 1M).
  // Returns an array of `skip` entries left for the caller, then -1 - (group id) of each transient.
  private transients(allocs: readonly [number, number][], bytes: number, skip: number): Int32Array {
    // Another domain is not pymalloc's: its temporaries cannot pin an arena.
    const mix = allocs.filter(([id]) => !this.system[id]);
    const ids = Int32Array.from(mix, ([id]) => id);
    const sizes = Float64Array.from(mix, ([id]) => Math.max(1, this.size[id]!));
    let total = 0;
    let mixBytes = 0;
    mix.forEach(([, n], k) => {
      total += n;
      mixBytes += n * sizes[k]!;
    });
    if (!total || bytes <= 0) return new Int32Array(skip);
    const table = aliasTable(mix.map(([, n]) => n));
    // Room for the expected number of draws; grown by doubling past it.
    let out = new Int32Array(skip + Math.min(MAX_TRANSIENTS, Math.ceil((bytes / mixBytes) * total * 1.05) + 16));
    let n = 0;
    let made = 0;
    let x = this.rng[0]!;
    while (made < bytes && n < MAX_TRANSIENTS) {
      const x1 = xorshift(x);
      x = xorshift(x1);
      const k = drawAlias(table, x1, x);
      if (skip + n === out.length) {
        const grown = new Int32Array(skip + Math.min(MAX_TRANSIENTS, n * 2));
        grown.set(out);
        out = grown;
      }
      out[skip + n++] = -1 - ids[k]!;
      made += sizes[k]!;
    }
    this.rng[0] = x;
    return out.subarray(0, skip + n);
  }

  private allocate(id: number, n: number): void {
    this.model.allocRun(this.size[id]!, this.system[id] === 1, n, this.live, this.start[id]! + this.count[id]!);
    this.count[id]! += n;
  }

  private randomFrees(id: number, n: number): void {
    const s = this.start[id]!;
    const size = this.size[id]!;
    let len = this.count[id]!;
    let x = this.rng[0]!;
    for (let k = 0; k < n; k++) {
      x = xorshift(x);
      const j = s + below(x, len);
      this.model.free(this.live[j]!, size);
      this.live[j] = this.live[s + --len]!;
    }
    this.count[id] = len;
    this.rng[0] = x;
  }

  // The best case: each group frees its most recently allocated blocks (a group's live list is
  // in allocation order here). With the long-lived blocks placed first, what goes is what was
  // packed after them, so whole pools and arenas empty.
  private compactFrees(frees: readonly [number, number][]): void {
    for (const [id, n] of frees) {
      const s = this.start[id]!;
      const size = this.size[id]!;
      let len = this.count[id]!;
      for (let k = 0; k < n; k++) this.model.free(this.live[s + --len]!, size);
      this.count[id] = len;
    }
  }

  site(owner: number): Frame {
    return this.series.groups[owner]?.site ?? UNTRACED_SITE;
  }

  // Per arena of the set, the live blocks of each group in it: from the groups' live lists, a
  // group at a time, counted in typed arrays (a map operation per block was slower than the replay).
  private ownersIn(arenas: ReadonlySet<number>): Map<number, Map<number, number>> {
    const m = this.model;
    const slot = new Int32Array(m.arenaSlotCount).fill(-1); // an arena's place in `order`
    const order = [...arenas];
    order.forEach((a, k) => {
      slot[a] = k;
    });
    const tally = new Int32Array(order.length);
    const touched = new Int32Array(order.length);
    const out = new Map<number, Map<number, number>>(order.map((a) => [a, new Map()]));
    const { live, start, count } = this;
    for (let id = 0; id < start.length; id++) {
      let nt = 0;
      for (let j = start[id]!, end = j + count[id]!; j < end; j++) {
        const pool = live[j]!;
        if (pool === LARGE) continue;
        const k = slot[m.arenaOfPool(pool)]!;
        if (!(k >= 0)) continue;
        if (tally[k]++ === 0) touched[nt++] = k;
      }
      for (let t = 0; t < nt; t++) {
        const k = touched[t]!;
        out.get(order[k]!)!.set(id, tally[k]!);
        tally[k] = 0;
      }
    }
    return out;
  }

  state(): ModelState {
    const m = this.model;
    const stats = mallocStats(m);
    return {
      arenas: m.narenasCurrent,
      arenasHighwater: m.narenasHighwater,
      pools: poolCounts(m),
      bytesInAllocatedBlocks: stats.bytesInAllocatedBlocks,
      utilization: stats.arenaBytes ? stats.bytesInAllocatedBlocks / stats.arenaBytes : 0,
      largeBlocks: m.largeBlocks,
      largeBytes: m.largeBytes,
      fragmentation: fragmentation(
        m,
        (arenas) => this.ownersIn(arenas),
        (o) => this.site(o),
      ),
      stats,
    };
  }
}

/**
 * Per size class, the blocks the real report holds beyond what the first snapshot replays to:
 * what was allocated before tracing started (and tracemalloc's own few blocks).
 */
function untracedBlocks(series: SeriesGroups, python: string, real: MallocStatsBlock): number[] {
  const first = new Replayer(python, 'compact', 1, series);
  first.step(0, delta(series, 0));
  const model = new Map(mallocStats(first.model).classes.map((c) => [c.cls, c.inUse]));
  const extra = new Array<number>(first.model.classes).fill(0);
  for (const c of real.classes) if (c.cls < extra.length) extra[c.cls] = Math.max(0, c.inUse - (model.get(c.cls) ?? 0));
  return extra;
}

/**
 * The transient bytes of the interval before capture k: from its traced peak, else assumed
 * (UNKNOWN_CHURN). Before the first capture nothing is assumed: it is the baseline the changes
 * are measured from, and with a real report the model starts from that report.
 */
function churnBefore(snapshots: readonly Snapshot[], k: number, allocated: number): Churn {
  const peak = snapshots[k]!.tracedPeak ?? null;
  if (peak === null && k === 0) return { tracedPeak: null, transientBytes: 0, assumed: false };
  if (peak === null) {
    return {
      tracedPeak: null,
      transientBytes: Math.min(UNKNOWN_CHURN * allocated, MAX_TRANSIENT_BYTES),
      assumed: true,
    };
  }
  const before = k ? snapshots[k - 1]!.totalSize : 0;
  const transient = Math.max(0, peak - Math.max(before, snapshots[k]!.totalSize));
  return { tracedPeak: peak, transientBytes: Math.min(transient, MAX_TRANSIENT_BYTES), assumed: false };
}

/**
 * Replays snapshots in capture order through the model of `python`'s pymalloc, both orders.
 * `start`: the real allocator's report at the first capture, to start the model from.
 */
export function replay(
  snapshots: readonly Snapshot[],
  labels: readonly string[],
  opts: { python: string; seed?: number; start?: MallocStatsBlock | null },
): ReplayResult {
  const g = geometry(opts.python);
  const series = seriesGroups(snapshots);
  let extra: readonly number[] = [];
  let untraced = 0;
  let startSkipped: string | null = null;
  if (opts.start && snapshots.length) {
    const surplus = untracedBlocks(series, opts.python, opts.start);
    const blocks = surplus.reduce((t, n) => t + n, 0);
    const bytes = surplus.reduce((t, n, c) => t + n * (c + 1) * g.alignment, 0);
    // A report whose table holds more than its own total of allocated bytes, or more blocks than any
    // real start-up, is not started from (its figures are checked and warned about where it is read).
    if (bytes > opts.start.bytesInAllocatedBlocks || blocks > MAX_UNTRACED_BLOCKS) {
      startSkipped =
        `the first allocator report's size-class table holds ${blocks} blocks beyond the first snapshot, ` +
        'more than its own totals allow: the model starts empty';
    } else {
      extra = surplus;
      untraced = blocks;
    }
  }
  const deltas = snapshots.map((_, i) => delta(series, i));
  const churns = deltas.map((d, i) => churnBefore(snapshots, i, d.allocatedBytes));
  // One order after the other, the second taking over the first's largest arrays: the peak memory
  // is one model's, not both, whenever the collector runs (issue 14: replay's memory).
  let buffers: ReplayBuffers | undefined;
  const statesOf = (order: ReplayOrder): ModelState[] => {
    const r = new Replayer(opts.python, order, opts.seed ?? 1, series, untraced, buffers);
    r.seed(extra);
    const states = deltas.map((d, i) => {
      r.step(i, d, churns[i]!.transientBytes);
      return r.state();
    });
    buffers = r.buffers();
    return states;
  };
  const compact = statesOf('compact');
  const scattered = statesOf('scattered');
  return {
    python: g.python,
    arenaSize: g.arenaSize,
    poolSize: g.poolSize,
    captures: snapshots.map((_, i) => ({
      label: labels[i] ?? `#${i}`,
      compact: compact[i]!,
      scattered: scattered[i]!,
      churn: churns[i]!,
    })),
    untracedBlocks: untraced,
    startSkipped,
  };
}
