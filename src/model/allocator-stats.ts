import { groupThousands } from '../util/text.js';
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

/** Which rule of Objects/obmalloc.c a report breaks, or which part of it was left out. */
export type MallocStatsRule =
  | 'classes'
  | 'row'
  | 'table-elided'
  | 'table-rows-missing'
  | 'allocated-bytes'
  | 'available-bytes'
  | 'pool-headers'
  | 'quantization'
  | 'reclaimed'
  | 'highwater'
  | 'arenas'
  | 'unused-pools'
  | 'arena-alignment'
  | 'total'
  | 'arena-map'
  | 'arena-map-partial'
  | 'free-list'
  | 'free-lists-elided';

/** A figure of a report that does not add up, or a part of it left out (pasted or edited by hand). */
export interface MallocStatsWarning {
  /** Line of the input the warning is about (the figure, the row, or the '...' line). */
  readonly line: number;
  readonly rule: MallocStatsRule;
  /** One line, without the file and line (AllocatorStats.warnings has those). */
  readonly message: string;
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
  /**
   * False when part of the report was left out: size-class rows or free-list lines (elided with '...'
   * or deleted), or part of the arena-map section. Absent when the report is whole.
   */
  readonly complete?: boolean;
  /** What does not add up or is missing, in line order; absent when every figure agrees. */
  readonly warnings?: readonly MallocStatsWarning[];
  /** Set for a report of a PYTHONMALLOCSTATS log printed before a new arena (see printedAtNewArena). */
  readonly atNewArena?: boolean;
}

export interface AllocatorStats {
  readonly kind: 'allocator-stats';
  readonly source: SourceInfo;
  readonly blocks: readonly MallocStatsBlock[];
  readonly warnings: readonly string[];
  /** When its last report was taken (seconds since the epoch), from a `.time` sidecar; pairs it with a capture. */
  readonly time?: number | null;
  /** Its label (a `.label` sidecar, as `arenascope run` writes beside each report): pairs it with the capture so labelled. */
  readonly label?: string | null;
  /**
   * Set for a report of an `arenascope run` folder: the snapshot file it was taken with (a path as the
   * inputs name it), or null when the run matched it with none. The run's pairing wins over any rule.
   */
  readonly matches?: string | null;
  /**
   * How the run matched it: by label (the same checkpoint), or by time (an interval report nearest an
   * interval snapshot: approximate, the run without tracemalloc being faster).
   */
  readonly matchedBy?: 'label' | 'time';
  /**
   * Of a report matched by time: how far apart, as shares of each run's span from its start capture to its
   * exit capture, the report and its snapshot were taken (0.4: one 93% through the faster run, the other
   * 52% through the traced one); absent when a run's start or exit is not known.
   */
  readonly progressGap?: number;
}

/**
 * Whether a file's last report is the one a PYTHONMALLOCSTATS log ends with at exit, printed by
 * Py_FinalizeEx after the interpreter tore its objects down. The log's first report is the one
 * printed before the first arena (none allocated yet, which no `sys._debugmallocstats()` call shows);
 * its reports are pymalloc's alone (a program's own call adds the free lists), and one printed before
 * a new arena has no unused pool (new_arena() runs when no arena has a free pool): the exit report has
 * no free lists and unused pools. A log cut before exit (killed) ends with a report of its run.
 */
export const endsWithExitReport = (blocks: readonly MallocStatsBlock[]): boolean => {
  const last = blocks[blocks.length - 1];
  return (
    blocks.length >= 3 && blocks[0]!.arenasAllocatedTotal === 0 && !last!.freeLists.length && last!.unusedPools > 0
  );
};

/**
 * Whether a PYTHONMALLOCSTATS log ends, without its exit report, with one printed before a new arena:
 * no free lists (not the program's own call) and no unused pool (new_arena() runs when every arena is
 * full). The process died before Py_FinalizeEx (CPython 3.12.1 crashes there, exit 139; a kill), and
 * what it freed after that report does not show: its last report is no end state.
 */
export const endsAtNewArena = (blocks: readonly MallocStatsBlock[]): boolean => {
  const last = blocks[blocks.length - 1];
  return (
    blocks.length >= 2 && blocks[0]!.arenasAllocatedTotal === 0 && !last!.freeLists.length && last!.unusedPools === 0
  );
};

/**
 * Whether a report is one PYTHONMALLOCSTATS printed before a new arena: in a log (its first report
 * printed before any arena), with no free lists (a program's own sys._debugmallocstats() adds them) and no
 * unused pool (new_arena() runs when no arena has one). Every arena was full then: room freed after it
 * does not show, so it can show fragmentation, never its absence (a log's last such report read "not
 * fragmented" for 10 arenas 60% spare at the capture: h256). Not a report of the program's own call
 * pasted without its free lists, alone (it read "printed by PYTHONMALLOCSTATS": h260).
 */
export const printedAtNewArena = (b: MallocStatsBlock): boolean => b.atNewArena === true;

/** The reports of a file, those a PYTHONMALLOCSTATS log printed before a new arena marked (printedAtNewArena). */
export function markedAtNewArena(blocks: readonly MallocStatsBlock[]): MallocStatsBlock[] {
  const log = blocks.length >= 2 && blocks[0]!.arenasAllocatedTotal === 0;
  return blocks.map((b) => (log && !b.freeLists.length && b.unusedPools === 0 ? { ...b, atNewArena: true } : b));
}

/**
 * The report a file stands for (paired with a capture, judged alone): its last; a PYTHONMALLOCSTATS
 * log's last before the one at exit (a program that did nothing "fragmented" 2 of its 3 arenas there).
 * Either may be one printed before a new arena, when all were full (endsAtNewArena for the last): the
 * importer warns that room freed after it does not show.
 */
export const standingReport = (f: AllocatorStats): MallocStatsBlock =>
  f.blocks[f.blocks.length - (endsWithExitReport(f.blocks) ? 2 : 1)]!;

/**
 * What differs between two reports that no process changes: its arena and pool size, its small-block
 * threshold, its size classes (each as `what now, not then`); empty when they may be one build's.
 */
export function buildChanges(b: MallocStatsBlock, prev: MallocStatsBlock): string[] {
  const fields = [
    ['arenas of', 'arenaSize', ' bytes'],
    ['pools of', 'poolSize', ' bytes'],
    ['a threshold of', 'smallBlockThreshold', ''],
    ['size classes:', 'numClasses', ''],
  ] as const;
  return fields.flatMap(([what, k, unit]) =>
    b[k] === prev[k] ? [] : [`${what} ${groupThousands(b[k])}${unit}, not ${groupThousands(prev[k])}`],
  );
}

/** The first report among several, in order, of another build than the one before it (buildChanges); else null. */
export function buildsApart(
  reports: readonly (MallocStatsBlock | null)[],
): { earlier: number; later: number; changes: string[] } | null {
  let last = -1;
  for (let i = 0; i < reports.length; i++) {
    const b = reports[i];
    if (!b) continue;
    const changes = last >= 0 ? buildChanges(b, reports[last]!) : [];
    if (changes.length) return { earlier: last, later: i, changes };
    last = i;
  }
  return null;
}
