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
import { PymallocModel } from './allocator.js';
import { type Fragmentation, fragmentation } from './fragmentation.js';
import { geometry } from './geometry.js';
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
}

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

interface Group {
  readonly domain: number;
  readonly size: number;
  readonly site: Frame;
  readonly live: number[];
}

// A small seeded generator (xorshift32): replays are reproducible.
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** The groups of a whole series, and each one's count at every capture. */
interface SeriesGroups {
  readonly groups: readonly { domain: number; size: number; site: Frame }[];
  /** counts[k].get(group) = blocks of the group at capture k (absent: 0). */
  readonly counts: readonly Map<number, number>[];
}

function seriesGroups(snapshots: readonly Snapshot[]): SeriesGroups {
  const ids = new Map<string, number>();
  const groups: { domain: number; size: number; site: Frame }[] = [];
  const counts = snapshots.map((s) => {
    const g = s.groups;
    const c = new Map<number, number>();
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      const size = Math.ceil(g.size[i]!); // memray gives averages
      const key = `${g.domain[i]}:${size}:${s.frames.tracebackFrames(tb).join(',')}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = groups.length;
        ids.set(key, id);
        groups.push({ domain: g.domain[i]!, size, site: s.frames.frame(s.frames.tracebackFrame(tb, 0)) });
      }
      c.set(id, (c.get(id) ?? 0) + g.count[i]!);
    }
    return c;
  });
  return { groups, counts };
}

class Replayer {
  readonly model: PymallocModel;
  private readonly groups: Group[];
  private readonly rnd: () => number;

  constructor(
    python: string,
    private readonly order: ReplayOrder,
    seed: number,
    private readonly series: SeriesGroups,
  ) {
    this.model = new PymallocModel(geometry(python));
    this.rnd = random(seed);
    this.groups = series.groups.map((g) => ({ ...g, live: [] }));
  }

  /**
   * Allocates the blocks of each size class that the real allocator held beyond the model at the
   * first capture (`extra[c]` blocks of class c), before anything else, charged to UNTRACED_SITE.
   */
  seed(extra: readonly number[]): void {
    const owner = this.groups.length;
    extra.forEach((n, c) => {
      for (let i = 0; i < n; i++) this.model.alloc(this.model.classSize(c), owner);
    });
  }

  /** Bytes the allocations of capture k would add (what churn is measured against). */
  allocatedBytes(k: number): number {
    const target = this.series.counts[k]!;
    let bytes = 0;
    this.groups.forEach((grp, id) => {
      const want = target.get(id) ?? 0;
      if (want > grp.live.length) bytes += (want - grp.live.length) * grp.size;
    });
    return bytes;
  }

  /** Moves the model to the counts of capture k; `churn` transient bytes in the scattered order. */
  step(k: number, churn = 0): void {
    const target = this.series.counts[k]!;
    // Frees first, then allocations.
    const allocs: [number, number][] = [];
    const frees = new Map<number, number>();
    this.groups.forEach((grp, id) => {
      const want = target.get(id) ?? 0;
      if (want < grp.live.length) frees.set(id, grp.live.length - want);
      else if (want > grp.live.length) allocs.push([id, want - grp.live.length]);
    });
    if (this.order === 'compact') {
      this.compactFrees(frees);
      // The longest-lived blocks first (those living to the end of the series, then those freed
      // last, and so on), so that blocks freed together were packed together.
      const counts = this.series.counts;
      const pieces: [death: number, id: number, n: number][] = [];
      for (const [id, n] of allocs) {
        const live = this.groups[id]!.live.length;
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
      for (const [, id, n] of pieces) for (let i = 0; i < n; i++) this.allocate(id);
    } else {
      for (const [id, n] of frees) this.randomFrees(this.groups[id]!, n);
      const survivors = allocs.reduce((t, [, n]) => t + n, 0);
      const transients = this.transients(allocs, churn);
      // Group ids, and transient blocks as -1 - (their index in `transients`).
      const seq = new Int32Array(survivors + transients.length);
      let j = 0;
      for (const [id, n] of allocs) for (let i = 0; i < n; i++) seq[j++] = id;
      for (let i = 0; i < transients.length; i++) seq[j++] = -1 - i;
      for (let i = seq.length - 1; i > 0; i--) {
        const r = Math.floor(this.rnd() * (i + 1));
        const t = seq[i]!;
        seq[i] = seq[r]!;
        seq[r] = t;
      }
      const made: number[] = [];
      const owner = this.groups.length + 1;
      for (const id of seq) {
        if (id >= 0) this.allocate(id);
        else made.push(this.model.alloc(transients[-1 - id]!, owner, false));
      }
      // Gone by the capture, in no particular order.
      for (let i = made.length - 1; i >= 0; i--) {
        const r = Math.floor(this.rnd() * (i + 1));
        this.model.free(made[r]!, transients[r]!);
        made[r] = made[i]!;
        transients[r] = transients[i]!;
      }
    }
  }

  // Sizes of transient blocks totalling `bytes` at least, drawn from the interval's allocations
  // by count: a program's temporaries are most often of the sizes it is allocating.
  private transients(allocs: readonly [number, number][], bytes: number): number[] {
    // Another domain is not pymalloc's: its temporaries cannot pin an arena.
    const mix = allocs.filter(([id]) => this.groups[id]!.domain === 0);
    const total = mix.reduce((t, [, n]) => t + n, 0);
    const sizes: number[] = [];
    if (!total || bytes <= 0) return sizes;
    let made = 0;
    while (made < bytes) {
      let r = Math.floor(this.rnd() * total);
      let k = 0;
      while (r >= mix[k]![1]) r -= mix[k++]![1];
      const size = this.groups[mix[k]![0]]!.size;
      sizes.push(size);
      made += Math.max(1, size);
      if (sizes.length >= MAX_TRANSIENTS) break;
    }
    return sizes;
  }

  private allocate(id: number): void {
    const grp = this.groups[id]!;
    grp.live.push(this.model.alloc(grp.size, id, grp.domain !== 0));
  }

  private randomFrees(grp: Group, n: number): void {
    for (let k = 0; k < n; k++) {
      const j = Math.floor(this.rnd() * grp.live.length);
      this.model.free(grp.live[j]!, grp.size);
      grp.live[j] = grp.live[grp.live.length - 1]!;
      grp.live.pop();
    }
  }

  // The best case: each group frees its most recently allocated blocks (a group's live list is
  // in allocation order here). With the long-lived blocks placed first, what goes is what was
  // packed after them, so whole pools and arenas empty.
  private compactFrees(frees: Map<number, number>): void {
    for (const [id, n] of frees) {
      const grp = this.groups[id]!;
      for (let k = 0; k < n; k++) this.model.free(grp.live.pop()!, grp.size);
    }
  }

  site(owner: number): Frame {
    return this.groups[owner]?.site ?? UNTRACED_SITE;
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
      fragmentation: fragmentation(m, (o) => this.site(o)),
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
  first.step(0);
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
  if (peak === null) return { tracedPeak: null, transientBytes: UNKNOWN_CHURN * allocated, assumed: true };
  const before = k ? snapshots[k - 1]!.totalSize : 0;
  return {
    tracedPeak: peak,
    transientBytes: Math.max(0, peak - Math.max(before, snapshots[k]!.totalSize)),
    assumed: false,
  };
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
  const compact = new Replayer(opts.python, 'compact', opts.seed ?? 1, series);
  const scattered = new Replayer(opts.python, 'scattered', opts.seed ?? 1, series);
  let untraced = 0;
  if (opts.start && snapshots.length) {
    const extra = untracedBlocks(series, opts.python, opts.start);
    compact.seed(extra);
    scattered.seed(extra);
    untraced = extra.reduce((t, n) => t + n, 0);
  }
  const captures = snapshots.map((_, i) => {
    const churn = churnBefore(snapshots, i, scattered.allocatedBytes(i));
    compact.step(i);
    scattered.step(i, churn.transientBytes);
    return { label: labels[i] ?? `#${i}`, compact: compact.state(), scattered: scattered.state(), churn };
  });
  return { python: g.python, arenaSize: g.arenaSize, poolSize: g.poolSize, captures, untracedBlocks: untraced };
}
