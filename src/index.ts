// arenascope as a library: what the CLI uses, for other TypeScript code.

export type { Capture } from './model/capture.js';
export type {
  AllocatorStats,
  ArenaMap,
  FreeListLine,
  MallocStatsBlock,
  SizeClassRow,
} from './model/allocator-stats.js';
export type { LineReport, ReportBlock, ReportLine } from './model/line-report.js';
export type { FunctionSpan, MemorySeries, Samples } from './model/memory-series.js';
export type { SnapshotSeries } from './model/snapshot-series.js';
export type { LoggedListing, LoggedStatistic, StatisticsLog } from './model/statistics-log.js';
export { FrameTable, type Frame } from './model/frames.js';
export { GroupBuilder, type Snapshot, type SourceInfo, type TraceGroups, type TraceLayout } from './model/snapshot.js';

export { InputError, TruncatedError } from './ingest/errors.js';
export { openInput, type InputStream } from './ingest/input.js';
export {
  detectFormat,
  formatDescription,
  loadCapture,
  FORMATS,
  type FormatId,
  type LoadOptions,
} from './ingest/sniff.js';
export { loadCaptureSet, naturalCompare, resolveInputs, sidecarTime, ORDERS, type Order } from './ingest/inputs.js';
export type { CaptureSet, TimeSource } from './model/capture-set.js';
export { readSnapshot, type SnapshotReadOptions } from './ingest/tracemalloc-pickle.js';

export { filterSnapshot, type DomainFilter, type FilenameFilter, type TraceFilter } from './analysis/filters.js';
export {
  compareTo,
  diffResult,
  statistics,
  statsResult,
  KEY_TYPES,
  type DiffResult,
  type KeyType,
  type QueryOptions,
  type Statistic,
  type StatisticDiff,
  type StatisticsOptions,
  type StatsResult,
} from './analysis/statistics.js';
export { captureInfo, type CaptureInfo } from './analysis/info.js';
export {
  memoryTrend,
  memoryTrends,
  mprofPeak,
  retainingCalls,
  timeSpan,
  type MemoryTrend,
  type PeakResult,
  type RetainingCall,
} from './analysis/memory.js';
export {
  classify,
  detectLeaks,
  type LeakOptions,
  type LeakReport,
  type SiteTrend,
  type Verdict,
} from './analysis/leaks.js';
export { leakResults, type LeakResult } from './analysis/leak-results.js';
export { lineReportFindings, type LineReportFindings } from './analysis/line-report.js';
export { theilSen, floorPoints, median } from './analysis/trend.js';
export { LARGE, PymallocModel } from './analysis/pymalloc/allocator.js';
export { GEOMETRIES, geometry, type Geometry } from './analysis/pymalloc/geometry.js';
export { mallocStats, poolCounts } from './analysis/pymalloc/state.js';
export { replay, type ReplayResult } from './analysis/pymalloc/replay.js';
export { replayReport, type ReplayReport } from './analysis/pymalloc/compare.js';
export { buildReportData, REPORT_VERSION, type ReportData } from './analysis/report-data.js';
export {
  evaluateGate,
  peakBytes,
  sourceLocation,
  type CheckResult,
  type GateLimits,
  type GateResult,
  type GrowthLimit,
} from './analysis/gate.js';

export { formatSize, printfFixed } from './report/format-size.js';
export { writeSeriesJson, writeSnapshotJson } from './report/arenascope-json.js';
export { fileSourceLookup, noSource, type SourceLookup } from './report/linecache.js';
export {
  formatTraceback,
  renderDiffText,
  renderInfoText,
  renderLeaksText,
  renderMallocStats,
  renderReplayText,
  renderStatsText,
  statisticDiffLine,
  statisticLine,
} from './report/text.js';
export { renderJson } from './report/json.js';
export { renderGateMarkdown, renderGateText, renderGithub, renderJunit } from './report/gate.js';
export { renderDiffCsv, renderLeaksCsv, renderStatsCsv } from './report/csv.js';

export { runCli, EXIT } from './cli/run.js';
