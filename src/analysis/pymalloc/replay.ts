// Replays a series of snapshots through the pymalloc model. Between two captures, each
// (domain, traceback, size) group's count changes; the frees are done before the allocations.
// tracemalloc does not say which block of a group was freed, nor in what order allocations of
// different groups came, so two orders run side by side and every figure is a range:
// - compact: the best case. Allocations place the blocks that will live to the end of the series
//   before those that will be freed, and each group frees its most recently allocated blocks, so
//   that what is freed was packed together and whole pools and arenas empty;
// - scattered: frees pick blocks at random (seeded) and allocations of all groups interleave at
//   random, as in a program that allocates and frees everything everywhere.

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

export interface ReplayCapture {
  readonly label: string;
  readonly compact: ModelState;
  readonly scattered: ModelState;
}

export interface ReplayResult {
  readonly python: string;
  readonly arenaSize: number;
  readonly poolSize: number;
  readonly captures: readonly ReplayCapture[];
}

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

  /** Moves the model to the counts of capture k. */
  step(k: number): void {
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
      const seq = new Int32Array(allocs.reduce((t, [, n]) => t + n, 0));
      let j = 0;
      for (const [id, n] of allocs) for (let i = 0; i < n; i++) seq[j++] = id;
      for (let i = seq.length - 1; i > 0; i--) {
        const r = Math.floor(this.rnd() * (i + 1));
        const t = seq[i]!;
        seq[i] = seq[r]!;
        seq[r] = t;
      }
      for (const id of seq) this.allocate(id);
    }
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
    return this.groups[owner]!.site;
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

/** Replays snapshots in capture order through the model of `python`'s pymalloc, both orders. */
export function replay(
  snapshots: readonly Snapshot[],
  labels: readonly string[],
  opts: { python: string; seed?: number },
): ReplayResult {
  const g = geometry(opts.python);
  const series = seriesGroups(snapshots);
  const compact = new Replayer(opts.python, 'compact', opts.seed ?? 1, series);
  const scattered = new Replayer(opts.python, 'scattered', opts.seed ?? 1, series);
  const captures = snapshots.map((_, i) => {
    compact.step(i);
    scattered.step(i);
    return { label: labels[i] ?? `#${i}`, compact: compact.state(), scattered: scattered.state() };
  });
  return { python: g.python, arenaSize: g.arenaSize, poolSize: g.poolSize, captures };
}
