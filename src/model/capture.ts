// The union of everything an importer can return.

import type { AllocatorStats } from './allocator-stats.js';
import type { LineReport } from './line-report.js';
import type { MemoryRuns, MemorySeries } from './memory-series.js';
import type { Snapshot } from './snapshot.js';
import type { SnapshotSeries } from './snapshot-series.js';
import type { StatisticsLog } from './statistics-log.js';

/** What an importer returns: `kind` says what the model holds, `source.format` the file it came from. */
export type Capture =
  | Snapshot
  | SnapshotSeries
  | MemorySeries
  | MemoryRuns
  | LineReport
  | AllocatorStats
  | StatisticsLog;

/** What a capture holds: 'snapshot', 'snapshot-series', 'memory-series', 'line-report', … */
export type CaptureKind = Capture['kind'];
