import type { AllocatorStats } from './allocator-stats.js';
import type { LineReport } from './line-report.js';
import type { MemorySeries } from './memory-series.js';
import type { RunInfo } from './run.js';
import type { SnapshotSeries } from './snapshot-series.js';

/**
 * What becomes of snapshots read cut short (--allow-partial): kept ('keep'); left out of a series of
 * two or more, whose trend would read the traces never read as freed ('series'); left out always
 * ('never': a gate or a baseline judges whole captures only).
 */
export type PartialSnapshots = 'keep' | 'series' | 'never';

/**
 * Where the capture times of a series came from ('both': some recorded in the captures, the others in
 * sidecars); null when only their order is known.
 */
export type TimeSource = 'capture' | 'sidecar' | 'both' | null;

/**
 * Captures of several inputs, grouped by kind; the snapshots form one ordered series (the listings of
 * tracemalloc statistics logs are snapshots too, when no dump is among the inputs).
 */
export interface CaptureSet {
  readonly series: SnapshotSeries;
  readonly timeSource: TimeSource;
  readonly memorySeries: readonly MemorySeries[];
  readonly lineReports: readonly LineReport[];
  readonly allocatorStats: readonly AllocatorStats[];
  /** The `arenascope run` folders among the inputs: their runs and per-test tables. */
  readonly runs?: readonly RunInfo[];
  /** One line per input that was passed over, and what else the reading of the set has to say. */
  readonly skipped: readonly string[];
  /** Snapshots read cut short and left out (see PartialSnapshots), by path. */
  readonly cutShort?: readonly string[];
  /**
   * Where the series kept is in the one given, when captures of another trace table were left out (a
   * traceback limit that changed): from the given capture `from` (0-based), of `of` given.
   */
  readonly kept?: { readonly from: number; readonly of: number };
}

/**
 * Of allocator reports given one per capture in order, with no name, label or time of their own to pair
 * them by, those of the captures kept when some were left out (`set.kept`): paired in order with the
 * captures kept, 8 reports for 5 captures paired none (h335 F4). Others as they are.
 */
export function reportsOfKept(set: CaptureSet, stats: readonly AllocatorStats[]): readonly AllocatorStats[] {
  const kept = set.kept;
  if (!kept || !stats.length) return stats;
  if (stats.some((f) => f.matches !== undefined || f.label != null || f.time != null)) return stats;
  const [from, to] = [kept.from, kept.from + set.series.snapshots.length];
  if (stats.length === kept.of) return stats.slice(from, to);
  const [one] = stats;
  if (stats.length === 1 && one!.blocks.length === kept.of) return [{ ...one!, blocks: one!.blocks.slice(from, to) }];
  return stats;
}
