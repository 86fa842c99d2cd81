// arenascope as a library: what the CLI uses, for other TypeScript code.

export { type DomainFilter, type FilenameFilter, filterSnapshot, type TraceFilter } from './analysis/filters.js';
export {
  BASELINE_SITES,
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
} from './analysis/mprof.js';
export { LARGE, PymallocModel } from './analysis/pymalloc/allocator.js';
export { type ReplayReport, replayReport } from './analysis/pymalloc/compare.js';
export { GEOMETRIES, type Geometry, geometry } from './analysis/pymalloc/geometry.js';
export { type AllocatorPairing, pairAllocatorReports } from './analysis/pymalloc/pairing.js';
export { PoolAllocator, PoolModel } from './analysis/pymalloc/pools.js';
export { type ReplayResult, replay } from './analysis/pymalloc/replay.js';
export { mallocStats, poolCounts } from './analysis/pymalloc/state.js';
export { buildReportData, REPORT_VERSION, type ReportData } from './analysis/report-data.js';
export {
  compareTo,
  type DiffEntry,
  type DiffResult,
  diffResult,
  KEY_TYPES,
  type KeyType,
  type NotListed,
  type QueryOptions,
  type Statistic,
  type StatisticDiff,
  type StatisticsOptions,
  type StatsResult,
  statistics,
  statsResult,
  type UnlistedDiff,
} from './analysis/statistics.js';
export { floorPoints, median, theilSen } from './analysis/trend.js';
export type { Io } from './cli/io.js';
export { runCli } from './cli/run.js';
export { readBaseline } from './ingest/baseline.js';
export { loadCaptureSet } from './ingest/capture-set.js';
export type { Importer, ReadOptions } from './ingest/importer.js';
export { detectFormat, FORMATS, IMPORTERS, sniffFile } from './ingest/importers.js';
export { type LoadOptions, loadCapture } from './ingest/load-capture.js';
export { type InputStream, openInput, readHead } from './ingest/open-input.js';
export { naturalCompare, ORDERS, type Order, resolveInputs } from './ingest/resolve-inputs.js';
export { sidecarTime } from './ingest/sidecar.js';
export { readSnapshot } from './ingest/tracemalloc-pickle.js';
export type {
  AllocatorStats,
  ArenaMap,
  FreeListLine,
  MallocStatsBlock,
  SizeClassRow,
} from './model/allocator-stats.js';
export type { Capture, CaptureKind } from './model/capture.js';
export type { CaptureSet, TimeSource } from './model/capture-set.js';
export { type Frame, FrameTable } from './model/frames.js';
export type { LineReport, ReportBlock, ReportLine } from './model/line-report.js';
export type { FunctionSpan, MemorySeries, Samples } from './model/memory-series.js';
export {
  GroupBuilder,
  type ListingShown,
  type Snapshot,
  type TraceGroups,
  type TraceLayout,
} from './model/snapshot.js';
export type { SnapshotSeries } from './model/snapshot-series.js';
export { type Format, SNAPSHOT_JSON, type SourceInfo } from './model/source.js';
export type { LoggedListing, LoggedStatistic, StatisticsLog } from './model/statistics-log.js';
export { writeSeriesJson, writeSnapshotJson } from './report/arenascope-json.js';
export { renderBaseline } from './report/baseline.js';
export { renderDiffCsv, renderLeaksCsv, renderStatsCsv, renderTopSitesCsv } from './report/csv.js';
export { formatSize } from './report/format-size.js';
export { renderGateMarkdown, renderGateText, renderGithub, renderJunit } from './report/gate.js';
export { renderJson, renderReplayJson } from './report/json.js';
export { fileSourceLookup, noSource, type SourceLookup } from './report/linecache.js';
export { renderInfoText } from './report/text/info.js';
export { renderLeaksText } from './report/text/leaks.js';
export { renderMallocStats } from './report/text/mallocstats.js';
export { renderReplayText } from './report/text/replay.js';
export { renderReportText } from './report/text/report.js';
export {
  formatTraceback,
  renderDiffText,
  renderStatsText,
  statisticDiffLine,
  statisticLine,
} from './report/text/statistics.js';
export { ArenascopeError, EXIT, InputError, TruncatedError, UsageError } from './util/errors.js';
export { printfFixed } from './util/printf.js';
