// arenascope as a library: what the CLI uses, for other TypeScript code.

export { type DomainFilter, type FilenameFilter, filterSnapshot, type TraceFilter } from './analysis/filters.js';
export {
  type CheckResult,
  evaluateGate,
  type GateLimits,
  type GateResult,
  type GrowthLimit,
  peakBytes,
  sourceLocation,
} from './analysis/gate.js';
export { type CaptureInfo, captureInfo } from './analysis/info.js';
export { type LeakResult, leakResults } from './analysis/leak-results.js';
export {
  classify,
  detectLeaks,
  type LeakOptions,
  type LeakReport,
  type SiteTrend,
  type Verdict,
} from './analysis/leaks.js';
export { type LineReportFindings, lineReportFindings } from './analysis/line-report.js';
export {
  type MemoryTrend,
  memoryTrend,
  memoryTrends,
  mprofPeak,
  type PeakResult,
  type RetainingCall,
  retainingCalls,
  timeSpan,
} from './analysis/memory.js';
export { LARGE, PymallocModel } from './analysis/pymalloc/allocator.js';
export { type ReplayReport, replayReport } from './analysis/pymalloc/compare.js';
export { GEOMETRIES, type Geometry, geometry } from './analysis/pymalloc/geometry.js';
export { type ReplayResult, replay } from './analysis/pymalloc/replay.js';
export { mallocStats, poolCounts } from './analysis/pymalloc/state.js';
export { buildReportData, REPORT_VERSION, type ReportData } from './analysis/report-data.js';
export {
  compareTo,
  type DiffResult,
  diffResult,
  KEY_TYPES,
  type KeyType,
  type QueryOptions,
  type Statistic,
  type StatisticDiff,
  type StatisticsOptions,
  type StatsResult,
  statistics,
  statsResult,
} from './analysis/statistics.js';
export { floorPoints, median, theilSen } from './analysis/trend.js';
export { EXIT, runCli } from './cli/run.js';
export { InputError, TruncatedError } from './ingest/errors.js';
export { type InputStream, openInput } from './ingest/input.js';
export { loadCaptureSet, naturalCompare, ORDERS, type Order, resolveInputs, sidecarTime } from './ingest/inputs.js';
export {
  detectFormat,
  FORMATS,
  type FormatId,
  formatDescription,
  type LoadOptions,
  loadCapture,
} from './ingest/sniff.js';
export { readSnapshot, type SnapshotReadOptions } from './ingest/tracemalloc-pickle.js';
export type {
  AllocatorStats,
  ArenaMap,
  FreeListLine,
  MallocStatsBlock,
  SizeClassRow,
} from './model/allocator-stats.js';
export type { Capture } from './model/capture.js';
export type { CaptureSet, TimeSource } from './model/capture-set.js';
export { type Frame, FrameTable } from './model/frames.js';
export type { LineReport, ReportBlock, ReportLine } from './model/line-report.js';
export type { FunctionSpan, MemorySeries, Samples } from './model/memory-series.js';
export { GroupBuilder, type Snapshot, type SourceInfo, type TraceGroups, type TraceLayout } from './model/snapshot.js';
export type { SnapshotSeries } from './model/snapshot-series.js';
export type { LoggedListing, LoggedStatistic, StatisticsLog } from './model/statistics-log.js';
export { writeSeriesJson, writeSnapshotJson } from './report/arenascope-json.js';
export { renderDiffCsv, renderLeaksCsv, renderStatsCsv } from './report/csv.js';
export { formatSize, printfFixed } from './report/format-size.js';
export { renderGateMarkdown, renderGateText, renderGithub, renderJunit } from './report/gate.js';
export { renderJson } from './report/json.js';
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
