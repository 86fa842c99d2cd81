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
}
