// Fragmentation in a pymalloc state: memory held in arenas that live blocks barely use, and the
// sites whose blocks keep those arenas from going back to the operating system.

import type { Frame } from '../../model/frames.js';
import type { PoolState, PoolTable } from './pools.js';

/** An arena is pinned when its live blocks use less than this share of it. */
export const PINNED_UTILIZATION = 0.25;

export interface PinningSite {
  readonly filename: string;
  readonly lineno: number;
  /** Pinned arenas holding at least one of its blocks. */
  readonly arenas: number;
  /** Its live blocks in pinned arenas. */
  readonly blocks: number;
}

export interface Fragmentation {
  /** Arena occupancy histogram: arenas whose live blocks use [0-10%), [10-20%), ... [90-100%]. */
  readonly occupancy: readonly number[];
  /** Arenas whose live blocks use less than PINNED_UTILIZATION of them. */
  readonly pinnedArenas: number;
  /**
   * Bytes that would return to the operating system if the blocks in pinned arenas moved: the pinned
   * arenas, but no more than the arenas beyond those all live blocks need packed (a heap of one arena,
   * pinned, gives back nothing).
   */
  readonly releasableBytes: number;
  /** Live blocks in pinned arenas. */
  readonly pinningBlocks: number;
  /** Bytes in carved pools with no live block (kept for reuse, not returned). */
  readonly emptyPoolBytes: number;
  /** Pools with some free blocks and some live ones. */
  readonly partlyUsedPools: number;
  /** Sites owning the live blocks of pinned arenas, most arenas first (machinery left out: siteOf). */
  readonly pinningSites: readonly PinningSite[];
}

/** Per arena of the set, the live blocks of each owner in it (owners as the model's caller numbers them). */
export type OwnersIn = (arenas: ReadonlySet<number>) => ReadonlyMap<number, ReadonlyMap<number, number>>;

/**
 * `siteOf(owner)`: the site an owner's blocks were allocated at, or null for machinery (the import
 * system, tracemalloc, arenascope's capture code), whose blocks count as pinning but which is not named:
 * no program can change it ("look at arenascope_capture/_controller.py" was the next step).
 */
export function fragmentation(
  m: PoolState,
  ownersIn: OwnersIn,
  siteOf: (owner: number) => Frame | null,
  topSites = 20,
  t: PoolTable = m.poolTable(),
): Fragmentation {
  const occupancy = new Array<number>(10).fill(0);
  let pinned = 0;
  let pinningBlocks = 0;
  let emptyPools = 0;
  let partly = 0;
  const pinnedArenas: number[] = [];
  const sizes = Array.from({ length: m.classes }, (_, c) => m.classSize(c));
  // The pools and arenas all live blocks need packed: each class's blocks in full pools.
  const [liveOf, perPool] = [new Array<number>(m.classes).fill(0), new Array<number>(m.classes).fill(1)];
  let poolsPerArena = 1;
  for (let a = 0; a < t.arenaId.length; a++) {
    let live = 0;
    poolsPerArena = Math.max(poolsPerArena, t.ntotalpools[a]!);
    for (let p = t.start[a]!; p < t.start[a + 1]!; p++) {
      const n = t.count[p]!;
      if (n === 0) emptyPools++;
      else {
        const c = t.sizeClass[p]!;
        live += n * sizes[c]!;
        liveOf[c]! += n;
        perPool[c] = t.capacity[p]!;
        if (n < t.capacity[p]!) partly++;
      }
    }
    const use = live / m.g.arenaSize;
    occupancy[Math.min(9, Math.floor(use * 10))]!++;
    if (use >= PINNED_UTILIZATION) continue;
    pinned++;
    pinnedArenas.push(t.arenaId[a]!);
  }
  const sites = new Map<string, { frame: Frame; arenas: number; blocks: number }>();
  const owners = pinnedArenas.length ? ownersIn(new Set(pinnedArenas)) : new Map<number, Map<number, number>>();
  for (const a of pinnedArenas) {
    const here = new Map<string, number>();
    for (const [owner, n] of owners.get(a) ?? []) {
      pinningBlocks += n;
      const f = siteOf(owner);
      if (!f) continue;
      const key = `${f.filename}\0${f.lineno}`;
      here.set(key, (here.get(key) ?? 0) + n);
      if (!sites.has(key)) sites.set(key, { frame: f, arenas: 0, blocks: 0 });
    }
    for (const [key, n] of here) {
      const e = sites.get(key)!;
      e.arenas++;
      e.blocks += n;
    }
  }
  const neededPools = liveOf.reduce((t, n, c) => t + Math.ceil(n / perPool[c]!), 0);
  const neededArenas = Math.ceil(neededPools / poolsPerArena);
  const pinningSites = [...sites.values()]
    .sort(
      (x, y) =>
        y.arenas - x.arenas ||
        y.blocks - x.blocks ||
        (x.frame.filename < y.frame.filename ? -1 : x.frame.filename > y.frame.filename ? 1 : 0) ||
        x.frame.lineno - y.frame.lineno,
    )
    .slice(0, topSites)
    .map((e) => ({ filename: e.frame.filename, lineno: e.frame.lineno, arenas: e.arenas, blocks: e.blocks }));
  return {
    occupancy,
    pinnedArenas: pinned,
    releasableBytes: Math.min(pinned, t.arenaId.length - neededArenas) * m.g.arenaSize,
    pinningBlocks,
    emptyPoolBytes: emptyPools * m.g.poolSize,
    partlyUsedPools: partly,
    pinningSites,
  };
}
