import type { SourceInfo } from './source.js';

/** A row of the size-class table: `class size num-pools blocks-in-use avail-blocks`. */
export interface SizeClassRow {
  readonly cls: number;
  readonly size: number;
  readonly pools: number;
  readonly inUse: number;
  readonly avail: number;
}

/** The radix-tree section of 3.10+ (`arena map counts`). */
export interface ArenaMap {
  readonly midNodes: number;
  readonly botNodes: number;
  readonly root: number;
  readonly mid: number;
  readonly bot: number;
  readonly total: number;
}

export interface FreeListLine {
  readonly count: number;
  readonly name: string;
  readonly size: number;
  readonly bytes: number;
}

/** One `sys._debugmallocstats()` pymalloc report: the real allocator state at one moment. */
export interface MallocStatsBlock {
  /** Line of the input where the block starts (its `Small block threshold` line). */
  readonly inputLine: number;
  readonly smallBlockThreshold: number;
  readonly numClasses: number;
  readonly classes: readonly SizeClassRow[];
  readonly arenasAllocatedTotal: number;
  readonly arenasReclaimed: number;
  readonly arenasHighwater: number;
  readonly arenasCurrent: number;
  readonly arenaCount: number;
  readonly arenaSize: number;
  readonly arenaBytes: number;
  readonly bytesInAllocatedBlocks: number;
  readonly bytesInAvailableBlocks: number;
  readonly unusedPools: number;
  readonly poolSize: number;
  readonly unusedPoolBytes: number;
  readonly bytesLostToPoolHeaders: number;
  readonly bytesLostToQuantization: number;
  readonly bytesLostToArenaAlignment: number;
  readonly total: number;
  readonly arenaMap: ArenaMap | null;
  readonly freeLists: readonly FreeListLine[];
}

export interface AllocatorStats {
  readonly kind: 'allocator-stats';
  readonly source: SourceInfo;
  readonly blocks: readonly MallocStatsBlock[];
  readonly warnings: readonly string[];
}
