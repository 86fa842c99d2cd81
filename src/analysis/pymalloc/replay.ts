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
//   It is sampled pool by pool, with the odds of a shuffle of every block (scatteredAllocs).
// With the real allocator's report at the first capture, the model starts from it: the blocks it
// holds beyond the first snapshot's (allocated before tracing started) are allocated first.

import type { MallocStatsBlock } from '../../model/allocator-stats.js';
import type { Frame } from '../../model/frames.js';
import type { Snapshot } from '../../model/snapshot.js';
import { UsageError } from '../../util/errors.js';
import { aliasTable, seedState } from './draw.js';
import { type Fragmentation, fragmentation } from './fragmentation.js';
import { geometry } from './geometry.js';
import { ReplayModel } from './replay-model.js';
import {
  type Changes,
  type Delta,
  delta,
  type LiveLayout,
  liveLayout,
  type SeriesGroups,
  seriesGroups,
} from './series.js';
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
  /**
   * True when transientBytes is UNKNOWN_CHURN's assumption: the peak was not recorded, or is not the
   * interval's (notRisen).
   */
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
/** The live blocks the model holds at most over a series (each group at its peak count). */
export const MAX_LIVE_BLOCKS = 1 << 29;
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

/**
 * Whether the replay's JavaScript is worth V8's optimiser: its work per block is WebAssembly, its
 * JavaScript runs once per group and per pool. For a few thousand groups compiling costs more than
 * it saves (a replay of 2 x 1M blocks in 9.6k groups: a third of its instructions were TurboFan's,
 * 0.80 s with it, 0.65 without); for hundreds of thousands it pays (2 x 1M groups: 4.1 s, 8.6 without).
 */
export function worthOptimising(snapshots: readonly Snapshot[]): boolean {
  return snapshots.reduce((n, s) => n + s.groups.length, 0) >= 50_000;
}

/** The site that blocks allocated before tracing started are charged to. */
export const UNTRACED_SITE: Frame = { filename: '<allocated before tracing started>', lineno: 0 };

// The replay's per-block work runs in WebAssembly (ReplayModel: the allocator and each group's live
// blocks, as their pools), driven a group, a pool or a size class at a time from here (issue 14:
// replay took 2.7x the time of reading its inputs). Which pools and arenas hold the live blocks is
// what every figure is made of.
class Replayer {
  // The state of the scattered order's generator (xorshift32), in a typed array: a number field
  // would change its representation from small integer to boxed double, deoptimizing every caller.
  private readonly rng = new Int32Array(1);
  private readonly size: Float64Array;
  /** 1 for a group of another domain than pymalloc's. */
  private readonly system: Uint8Array;

  /**
   * `model` starts afresh, with room for each group's live blocks up to its peak count where `layout`
   * puts it; the blocks allocated before tracing started are a group of their own, after the series' groups.
   */
  constructor(
    readonly model: ReplayModel,
    private readonly order: ReplayOrder,
    seed: number,
    private readonly series: SeriesGroups,
    layout: LiveLayout,
    untraced = 0,
  ) {
    this.rng[0] = seedState(seed);
    const n = series.size.length;
    this.size = series.size;
    this.system = new Uint8Array(n);
    for (let id = 0; id < n; id++) this.system[id] = series.domain[id] !== 0 ? 1 : 0;
    model.reset(this.size, this.system, layout.start, layout.extent + untraced);
  }

  /**
   * Allocates the blocks of each size class that the real allocator held beyond the model at the
   * first capture (`extra[c]` blocks of class c; as many as the constructor's `untraced`), before
   * anything else, charged to UNTRACED_SITE.
   */
  seed(extra: readonly number[]): void {
    const owner = this.series.size.length;
    extra.forEach((n, c) => {
      this.model.allocateAs(owner, this.model.classSize(c), false, n);
    });
  }

  /** Moves the model to the counts of capture k (`d`, its delta); `churn` transient bytes in the scattered order. */
  step(k: number, d: Delta, churn = 0): void {
    const m = this.model;
    const { frees, allocs } = d;
    // Frees first, then allocations.
    if (this.order === 'compact') {
      for (let e = 0; e < frees.length; e++) m.compactFrees(frees.id[e]!, frees.n[e]!);
      // The longest-lived blocks first (those living to the end of the series, then those freed
      // last, and so on), so that blocks freed together were packed together: pieces of each
      // group's blocks by the capture they die at (none: the series' end), taken latest first.
      const counts = this.series.counts;
      const end = counts.length; // for the blocks that live to the end
      const death: number[] = [];
      const pieceId: number[] = [];
      const pieceN: number[] = [];
      // Per later capture, where its counts reach the group at hand (both in id order).
      const at = new Int32Array(end);
      const countAt = (j: number, id: number): number => {
        const c = counts[j]!;
        let i = at[j]!;
        while (i < c.ids.length && c.ids[i]! < id) i++;
        at[j] = i;
        return i < c.ids.length && c.ids[i] === id ? c.n[i]! : 0;
      };
      const liveOf = m.liveCounts(); // before any allocation below
      for (let e = 0; e < allocs.length; e++) {
        const id = allocs.id[e]!;
        const n = allocs.n[e]!;
        const live = liveOf[id]!;
        let left = n; // new blocks still alive
        let floor = Infinity;
        for (let j = k + 1; j < end && left > 0; j++) {
          floor = Math.min(floor, countAt(j, id));
          const alive = Math.max(0, Math.min(n, floor - live));
          if (alive < left) {
            death.push(j);
            pieceId.push(id);
            pieceN.push(left - alive);
          }
          left = alive;
        }
        if (left > 0) {
          death.push(end);
          pieceId.push(id);
          pieceN.push(left);
        }
      }
      // Latest death first, in the order made among the same (a counting sort).
      const from = new Int32Array(end - k + 1); // per death j, where its pieces start: from[end - j]
      for (let i = 0; i < death.length; i++) from[end - death[i]! + 1]!++;
      for (let i = 1; i < from.length; i++) from[i]! += from[i - 1]!;
      const order = new Int32Array(death.length);
      for (let i = 0; i < death.length; i++) order[from[end - death[i]!]!++] = i;
      for (let i = 0; i < order.length; i++) m.allocate(pieceId[order[i]!]!, pieceN[order[i]!]!);
    } else {
      let x = this.rng[0]!;
      for (let e = 0; e < frees.length; e++) x = m.randomFrees(frees.id[e]!, frees.n[e]!, x);
      this.rng[0] = x;
      this.scatteredAllocs(allocs, churn);
    }
  }

  // The interval's allocations and its transient blocks interleaved at random; then the
  // transients are freed, in random order. Sampled at the level of pools, from the same odds as a
  // shuffle of every block and a model step per block (issue 14: that was most of a replay):
  // - where each block goes depends only on the order within its size class: a class's blocks
  //   fill the pool in use, then the next, then new pools, in turn (no block is freed meanwhile).
  //   So the class's places are laid out in pools first, and each block draws its place at random
  //   (without replacement): a shuffle of the class's blocks, cut into pools;
  // - the classes interleave only where a class takes a new pool from an arena: that happens at
  //   the first block of each new pool, whose place in the interleaving is an order statistic of
  //   the class's blocks (orderStatistics); the pools are taken in that order;
  // - freeing the transients changes lists only at a pool's first free (a full pool goes to the
  //   front of its class's list) and its last (an empty pool goes back to its arena): the smallest
  //   and the largest of its transients' places in a random order (minMax), taken in that order.
  private scatteredAllocs(allocs: Changes, churn: number): void {
    const m = this.model;
    const classes = m.classes;
    const transientsIn = this.transientsByClass(allocs, churn);
    const blocksIn = transientsIn.slice();
    // Each allocation's size class (-1: the system allocator serves it).
    const classOf = new Int32Array(allocs.length);
    for (let e = 0; e < allocs.length; e++) {
      const id = allocs.id[e]!;
      const size = this.size[id]!;
      if (m.isLarge(size, this.system[id] === 1)) {
        classOf[e] = -1;
        m.allocate(id, allocs.n[e]!);
      } else {
        classOf[e] = m.classOf(size);
        blocksIn[classOf[e]!]! += allocs.n[e]!;
      }
    }
    // The pools of each class's places, in order: what the pools in use can take, then new pools,
    // each taken at its first block's place in the interleaving.
    const planPool: number[] = [];
    const planBlocks: number[] = [];
    // New pools: the place of each one's first block in the interleaving, its entry in the plan.
    const newKey: number[] = [];
    const newPlan: number[] = [];
    for (let c = 0; c < classes; c++) {
      const blocks = blocksIn[c]!;
      let left = blocks;
      for (let room = m.headRoom(c); left > 0 && room > 0; room = m.headRoom(c)) {
        const k = Math.min(room, left);
        planPool.push(m.allocMany(c, k));
        planBlocks.push(k);
        left -= k;
      }
      if (!left) continue;
      const capacity = m.blocksPerPool(c);
      const firsts: number[] = []; // the rank of each new pool's first block in the class
      for (let b = blocks - left; b < blocks; b += capacity) {
        firsts.push(b + 1);
        planPool.push(-1);
        planBlocks.push(Math.min(capacity, blocks - b));
      }
      const { keys, x } = m.orderStatistics(blocks, firsts, this.rng[0]!);
      this.rng[0] = x;
      const first = planPool.length - firsts.length;
      for (let j = 0; j < keys.length; j++) {
        newKey.push(keys[j]!);
        newPlan.push(first + j);
        planPool[first + j] = -1 - c; // its class, until it has a pool
      }
    }
    const taken = m.sortKeys(newKey);
    for (let i = 0; i < taken.length; i++) {
      const plan = newPlan[taken[i]!]!;
      planPool[plan] = m.allocMany(-1 - planPool[plan]!, planBlocks[plan]!);
    }
    // Class by class, the places (their pools) laid out, each transient and each block drawing its
    // place without replacement (ReplayModel.placeClass).
    // The allocations by class, in their order within each (a counting sort).
    const first = new Int32Array(classes + 1);
    for (let e = 0; e < allocs.length; e++) if (classOf[e]! >= 0) first[classOf[e]! + 1]!++;
    for (let c = 0; c < classes; c++) first[c + 1]! += first[c]!;
    const ids = new Int32Array(first[classes]!);
    const ns = new Float64Array(first[classes]!);
    const next = first.slice(0, classes);
    for (let e = 0; e < allocs.length; e++) {
      const c = classOf[e]!;
      if (c < 0) continue;
      ids[next[c]!] = allocs.id[e]!;
      ns[next[c]!++] = allocs.n[e]!;
    }
    let x = this.rng[0]!;
    let p = 0;
    for (let c = 0; c < classes; c++) {
      const from = p;
      for (let len = 0; len < blocksIn[c]!; p++) len += planBlocks[p]!;
      const [a, b] = [first[c]!, first[c + 1]!];
      x = m.placeClass(
        planPool,
        planBlocks,
        from,
        p,
        blocksIn[c]!,
        transientsIn[c]!,
        ids.subarray(a, b),
        ns.subarray(a, b),
        x,
      );
    }
    this.rng[0] = x;
    // The transients freed: each pool's first and last free, in random order (in WebAssembly: a
    // loop over thousands of pools, run once, before V8 compiles it: 13 ms of a 2 x 1M replay).
    this.rng[0] = m.freeTransients(this.rng[0]!);
  }

  // Transient blocks totalling `bytes` at least, drawn from the interval's allocations by count
  // (their groups, for their sizes) until they do: a program's temporaries are most often of the
  // sizes it is allocating. Returns how many fall in each size class (one the system allocator
  // serves leaves no trace once freed). Drawn one by one, a million transients were a tenth of a
  // replay (issue 14): the first ones, as many as the bytes hold at all but surely (6 standard
  // deviations below their expected number), are drawn at once, a binomial draw per group (the
  // counts of any number of draws by weight, their order aside); the rest one by one, from an alias
  // table, until the bytes are made. The odds are those of drawing every one in turn.
  private transientsByClass(allocs: Changes, bytes: number): Int32Array {
    const m = this.model;
    const perClass = new Int32Array(m.classes);
    // Another domain is not pymalloc's: its temporaries cannot pin an arena.
    const weights: number[] = [];
    const sizes: number[] = [];
    const cls: number[] = [];
    let total = 0;
    let sum = 0;
    let squares = 0;
    for (let e = 0; e < allocs.length; e++) {
      const id = allocs.id[e]!;
      if (this.system[id]) continue;
      const n = allocs.n[e]!;
      const size = Math.max(1, this.size[id]!);
      weights.push(n);
      sizes.push(size);
      cls.push(m.isLarge(this.size[id]!, false) ? -1 : m.classOf(this.size[id]!));
      total += n;
      sum += n * size;
      squares += n * size ** 2;
    }
    if (!total || bytes <= 0) return perClass;
    // How many draws the bytes take: about bytes / mean, with a variance of bytes * variance / mean^3.
    const mean = sum / total;
    const expected = bytes / mean;
    const sd = Math.sqrt((expected * Math.max(0, squares / total - mean * mean)) / (mean * mean));
    let n = Math.min(MAX_TRANSIENTS, Math.max(0, Math.floor(expected - 6 * sd - 1)));
    let made = 0;
    const split = m.splitDraws(weights, n, this.rng[0]!);
    this.rng[0] = split.x;
    for (let k = 0; k < weights.length; k++) {
      const drawn = split.counts[k]!;
      if (cls[k]! >= 0) perClass[cls[k]!]! += drawn;
      made += drawn * sizes[k]!;
    }
    if (made >= bytes) {
      // Past the bytes already (about one chance in a billion): drawn one by one after all.
      perClass.fill(0);
      n = 0;
      made = 0;
    }
    // One at a time in WebAssembly: tens of thousands of draws, each a few calls in JavaScript run
    // unoptimised (worthOptimising).
    const until = { bytes, most: MAX_TRANSIENTS };
    this.rng[0] = m.drawByWeight(aliasTable(weights), sizes, cls, perClass, { made, drawn: n }, until, this.rng[0]!);
    return perClass;
  }

  /** The site of an owner's blocks; null for machinery (see fragmentation()). */
  site(owner: number): Frame | null {
    const s = this.series;
    if (owner >= s.size.length) return UNTRACED_SITE;
    const tb = s.traceback[owner]!;
    return s.internal[tb] ? null : s.sites[tb]!;
  }

  state(): ModelState {
    const m = this.model;
    const pools = m.poolTable();
    const stats = mallocStats(m, pools);
    return {
      arenas: m.narenasCurrent,
      arenasHighwater: m.narenasHighwater,
      pools: poolCounts(m, pools),
      bytesInAllocatedBlocks: stats.bytesInAllocatedBlocks,
      utilization: stats.arenaBytes ? stats.bytesInAllocatedBlocks / stats.arenaBytes : 0,
      largeBlocks: m.largeBlocks,
      largeBytes: m.largeBytes,
      fragmentation: fragmentation(
        m,
        (arenas) => m.ownersIn(arenas),
        (o) => this.site(o),
        undefined,
        pools,
      ),
      stats,
    };
  }
}

/**
 * Per size class, the blocks the real report holds beyond what the first snapshot replays to:
 * what was allocated before tracing started (and tracemalloc's own few blocks).
 */
function untracedBlocks(
  series: SeriesGroups,
  layout: LiveLayout,
  model: ReplayModel,
  real: MallocStatsBlock,
): number[] {
  const first = new Replayer(model, 'compact', 1, series, layout);
  first.step(0, delta(series, 0));
  const inUse = new Map(mallocStats(model).classes.map((c) => [c.cls, c.inUse]));
  const extra = new Array<number>(model.classes).fill(0);
  for (const c of real.classes) if (c.cls < extra.length) extra[c.cls] = Math.max(0, c.inUse - (inUse.get(c.cls) ?? 0));
  return extra;
}

/**
 * Whether capture k's traced peak is the run's so far, not its interval's: CPython 3.8 and earlier
 * cannot reset it (reset_peak() is 3.9's), so a peak the same as the capture before's did not rise in
 * the interval (sidecars of get_traced_memory()[1] at each capture of a 3.8 run: 42 MB at four
 * captures in a row, read as 25-42 MB of churn where the program made one object; its real reports
 * held 72 arenas, the worst case climbed from 183 to 224). One that fell was cleared (clear_traces()),
 * and rose from there in the interval.
 */
function notRisen(snapshots: readonly Snapshot[], k: number): boolean {
  const [s, prev] = [snapshots[k]!, snapshots[k - 1]];
  return s.layout === '3-tuple' && prev?.layout === '3-tuple' && prev.tracedPeak === s.tracedPeak;
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
  if (notRisen(snapshots, k)) {
    return {
      tracedPeak: peak,
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
  // One model for every run of the replay, each starting it afresh: its memory is one run's.
  const model = new ReplayModel(g);
  const layout = liveLayout(series);
  let extra: readonly number[] = [];
  let untraced = 0;
  let startSkipped: string | null = null;
  if (opts.start && snapshots.length) {
    const surplus = untracedBlocks(series, layout, model, opts.start);
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
  // The model holds every group's live blocks up to its peak, 4 bytes each, in WebAssembly's 4 GiB:
  // a series whose groups' peaks add up past MAX_LIVE_BLOCKS is refused, not run out of memory.
  const room = series.peaks.reduce((t, n) => t + n, untraced);
  if (room > MAX_LIVE_BLOCKS) {
    throw new UsageError(
      `the captures' blocks, each group at its largest, add up to ${room}: more than the pymalloc model holds ` +
        `(${MAX_LIVE_BLOCKS}, 2^29); replay fewer captures`,
    );
  }
  const deltas = snapshots.map((_, i) => delta(series, i));
  const churns = deltas.map((d, i) => churnBefore(snapshots, i, d.allocatedBytes));
  const statesOf = (order: ReplayOrder): ModelState[] => {
    const r = new Replayer(model, order, opts.seed ?? 1, series, layout, untraced);
    r.seed(extra);
    return deltas.map((d, i) => {
      r.step(i, d, churns[i]!.transientBytes);
      return r.state();
    });
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
