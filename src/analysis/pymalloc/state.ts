// The model's state in the figures sys._debugmallocstats() prints (Objects/obmalloc.c,
// _PyObject_DebugMallocStats), so that model and real allocator can be put side by side.

import type { MallocStatsBlock, SizeClassRow } from '../../model/allocator-stats.js';
import type { PoolState, PoolTable } from './pools.js';

export interface PoolCounts {
  /** Pools with some but not all blocks allocated. */
  readonly used: number;
  readonly full: number;
  /** Carved pools with no block allocated (cached in their arena). */
  readonly empty: number;
}

/** Figures of the model, as _debugmallocstats computes them from the real allocator. */
export function mallocStats(m: PoolState, t: PoolTable = m.poolTable()): MallocStatsBlock {
  const g = m.g;
  const pools = new Array<number>(m.classes).fill(0);
  const inUse = new Array<number>(m.classes).fill(0);
  const avail = new Array<number>(m.classes).fill(0);
  let unusedPools = 0;
  let misaligned = 0;
  for (let a = 0; a < t.arenaId.length; a++) {
    unusedPools += t.nfreepools[a]!;
    if (t.ntotalpools[a]! < g.arenaSize / g.poolSize) misaligned++;
  }
  for (let p = 0; p < t.count.length; p++) {
    const [c, n] = [t.sizeClass[p]!, t.count[p]!];
    if (n === 0) continue; // as the report does: empty pools count as unused
    pools[c]!++;
    inUse[c]! += n;
    avail[c]! += t.capacity[p]! - n;
  }
  const classes: SizeClassRow[] = [];
  let allocatedBytes = 0;
  let availableBytes = 0;
  let headers = 0;
  let quantization = 0;
  for (let c = 0; c < m.classes; c++) {
    if (!pools[c]) continue;
    const size = m.classSize(c);
    classes.push({ cls: c, size, pools: pools[c]!, inUse: inUse[c]!, avail: avail[c]! });
    allocatedBytes += inUse[c]! * size;
    availableBytes += avail[c]! * size;
    headers += pools[c]! * g.poolOverhead;
    quantization += pools[c]! * ((g.poolSize - g.poolOverhead) % size);
  }
  const alignment = misaligned * g.poolSize;
  return {
    inputLine: 0,
    smallBlockThreshold: g.smallRequestThreshold,
    numClasses: m.classes,
    classes,
    arenasAllocatedTotal: m.ntimesArenaAllocated,
    arenasReclaimed: m.ntimesArenaAllocated - m.narenasCurrent,
    arenasHighwater: m.narenasHighwater,
    arenasCurrent: m.narenasCurrent,
    arenaCount: m.narenasCurrent,
    arenaSize: g.arenaSize,
    arenaBytes: m.narenasCurrent * g.arenaSize,
    bytesInAllocatedBlocks: allocatedBytes,
    bytesInAvailableBlocks: availableBytes,
    unusedPools,
    poolSize: g.poolSize,
    unusedPoolBytes: unusedPools * g.poolSize,
    bytesLostToPoolHeaders: headers,
    bytesLostToQuantization: quantization,
    bytesLostToArenaAlignment: alignment,
    total: allocatedBytes + availableBytes + unusedPools * g.poolSize + headers + quantization + alignment,
    arenaMap: null,
    freeLists: [],
  };
}

export function poolCounts(m: PoolState, t: PoolTable = m.poolTable()): PoolCounts {
  let used = 0;
  let full = 0;
  let empty = 0;
  for (let p = 0; p < t.count.length; p++) {
    if (t.count[p] === 0) empty++;
    else if (t.count[p] === t.capacity[p]) full++;
    else used++;
  }
  return { used, full, empty };
}
