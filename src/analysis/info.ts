// What `arenascope info` says about a capture, for every kind of capture.

import { type AllocatorStats, standingReport } from '../model/allocator-stats.js';
import type { Capture } from '../model/capture.js';
import type { LineReport } from '../model/line-report.js';
import { childName, type MemoryRuns, type MemorySeries, type RunOf } from '../model/memory-series.js';
import type { Snapshot, TraceLayout } from '../model/snapshot.js';
import type { SnapshotSeries } from '../model/snapshot-series.js';
import type { Format } from '../model/source.js';
import type { StatisticsLog } from '../model/statistics-log.js';
import { mprofPeak, peakWithChildren, programPeak, timeSpan } from './mprof.js';

interface Common {
  readonly file: string;
  /** The file format it was read as (tracemalloc-snapshot, mprof, memray-csv, …). */
  readonly format: Format;
  readonly gzip: boolean;
  readonly bytes: number;
  readonly warnings: readonly string[];
}

export interface SnapshotInfo extends Common {
  readonly kind: 'snapshot';
  /** Which Pythons write this trace layout (tracemalloc dumps only). */
  readonly pythonLayout: string | null;
  readonly tracebackLimit: number | null;
  readonly traces: number;
  readonly groups: number;
  readonly tracebacks: number;
  readonly frames: number;
  readonly filenames: number;
  readonly domains: readonly number[];
  readonly totalSize: number;
  /** Tracebacks cut short by the traceback limit (total_nframe > frames), when the dump says. */
  readonly truncatedTracebacks: number | null;
  readonly time: number | null;
  /** tracemalloc's traced peak since the previous capture, when recorded (a run folder or a `.peak` sidecar). */
  readonly tracedPeak: number | null;
  readonly partial: boolean;
}

export interface SeriesInfo extends Common {
  readonly kind: 'snapshot-series';
  readonly snapshots: readonly SnapshotInfo[];
}

export interface MprofInfo extends Common {
  readonly kind: 'memory-series';
  /** Which run of the file, when it holds several; null for a file of one run. */
  readonly run: RunOf | null;
  readonly cmdline: string | null;
  readonly samples: number;
  /** `untimed`: the file holds no times (see MemorySeries.untimed); start and end are the assumed ones. */
  readonly timeSpan: {
    readonly start: number;
    readonly end: number;
    readonly seconds: number;
    readonly untimed?: boolean;
  } | null;
  /** What `mprof peak` prints for the file (the largest MEM sample), in MiB. */
  readonly peakMiB: number | null;
  /**
   * With its child processes (MEM and the CHLD lines written with it; MEM alone when it counts them):
   * the peak `report` (its `peakMiB`) and `gate --max-peak` take. peakMiB without children.
   */
  readonly peakWithChildrenMiB: number | null;
  /**
   * The peak `report` (its `peakMiB`) and `gate --max-peak` take: peakWithChildrenMiB, or the program's
   * own peak RSS at exit where an `arenascope run` recorded one above it; null when every sample was
   * taken before the program began (programPeak).
   */
  readonly programPeakMiB: number | null;
  /** Per child (`name`: `child <pid>`, or `children (total)` for children numbered by position, pid 0). */
  readonly children: readonly {
    readonly pid: number;
    readonly name: string;
    readonly samples: number;
    readonly peakMiB: number;
  }[];
  readonly functionCalls: number;
  readonly functions: readonly string[];
}

/** An mprof file holding several runs (`mprof run -o` appends to an existing file). */
export interface MprofRunsInfo extends Common {
  readonly kind: 'memory-runs';
  /** What `mprof peak` prints for the file, which it reads as one run: the largest MEM sample of any run. */
  readonly peakMiB: number | null;
  /** The largest of the runs' peaks with their children. */
  readonly peakWithChildrenMiB: number | null;
  /** The largest of the runs' programPeakMiB: what `report` and `gate --max-peak` take. */
  readonly programPeakMiB: number | null;
  readonly runs: readonly MprofInfo[];
}

export interface LineReportInfo extends Common {
  readonly kind: 'line-report';
  readonly functions: readonly {
    readonly filename: string;
    readonly firstLine: number;
    readonly lines: number;
    readonly peakMiB: number | null;
    /** Decimals of its figures (memory_profiler's `precision`). */
    readonly precision: number;
  }[];
  /** The first function's precision (each function has its own: a file may join reports). */
  readonly precision: number;
  /**
   * The highest Mem usage of any function's report (what `report` and `gate --max-peak` take), with its
   * report's precision; null when no row has figures. (Only each function's was listed, the first 10.)
   */
  readonly peakMiB: number | null;
  readonly peakPrecision: number;
}

export interface AllocatorStatsInfo extends Common {
  readonly kind: 'allocator-stats';
  readonly blocks: number;
  readonly arenaSize: number;
  readonly poolSize: number;
  /**
   * The report the file stands for (as gate, report and replay take it: standingReport), 1-based: the
   * last, or a PYTHONMALLOCSTATS log's last before the one at exit.
   */
  readonly standing: number;
  /** That report: arenas now, their bytes, and the share of them in allocated blocks. */
  readonly arenasCurrent: number;
  readonly arenaBytes: number;
  readonly bytesInAllocatedBlocks: number;
  readonly highwaterArenas: number;
  /** When its last report was taken (a `.time` sidecar or the run folder), null when not recorded. */
  readonly time: number | null;
}

export interface StatisticsLogInfo extends Common {
  readonly kind: 'statistics-log';
  readonly listings: number;
  readonly statistics: number;
}

export type CaptureInfo =
  | SnapshotInfo
  | SeriesInfo
  | MprofInfo
  | MprofRunsInfo
  | LineReportInfo
  | AllocatorStatsInfo
  | StatisticsLogInfo;

const LAYOUTS: Record<TraceLayout, string> = {
  '3-tuple': 'Python 3.6-3.8 (traces are (domain, size, traceback))',
  '4-tuple': 'Python 3.9+ (traces are (domain, size, traceback, total_nframe))',
  empty: 'unknown (no traces)',
};

function common(c: Snapshot | MemorySeries | MemoryRuns | LineReport | AllocatorStats | StatisticsLog): Common {
  return {
    file: c.source.path,
    format: c.source.format,
    gzip: c.source.gzip,
    bytes: c.source.bytes,
    warnings: c.warnings,
  };
}

function snapshotInfo(c: Snapshot): SnapshotInfo {
  const { frames, groups } = c;
  // Only tracebacks that traces use count (a shared frame table may hold more).
  const usedTb = new Set<number>();
  const usedFrames = new Set<number>();
  const domains = new Set<number>();
  for (let i = 0; i < groups.length; i++) {
    usedTb.add(groups.traceback[i]!);
    domains.add(groups.domain[i]!);
  }
  let truncated = 0;
  let known = false;
  for (const tb of usedTb) {
    const depth = frames.tracebackLength(tb);
    for (let j = 0; j < depth; j++) usedFrames.add(frames.tracebackFrame(tb, j));
    const total = frames.totalNframe(tb);
    if (total !== null) {
      known = true;
      if (total > depth) truncated++;
    }
  }
  const files = new Set([...usedFrames].map((f) => frames.frameFilenameId(f)));
  return {
    kind: 'snapshot',
    ...common(c),
    pythonLayout: c.layout ? LAYOUTS[c.layout] : null,
    tracebackLimit: c.tracebackLimit,
    traces: c.traceCount,
    groups: groups.length,
    tracebacks: usedTb.size,
    frames: usedFrames.size,
    filenames: files.size,
    domains: [...domains].sort((a, b) => a - b),
    totalSize: c.totalSize,
    truncatedTracebacks: known ? truncated : null,
    time: c.time,
    tracedPeak: c.tracedPeak ?? null,
    partial: c.partial,
  };
}

function seriesInfo(c: SnapshotSeries): SeriesInfo {
  const first = c.snapshots[0]?.source;
  return {
    kind: 'snapshot-series',
    file: first?.path.replace(/#\d+$/, '') ?? '',
    format: first?.format ?? 'arenascope-json',
    gzip: first?.gzip ?? false,
    bytes: first?.bytes ?? 0,
    warnings: c.warnings,
    snapshots: c.snapshots.map(snapshotInfo),
  };
}

function mprofInfo(c: MemorySeries): MprofInfo {
  const peak = mprofPeak(c);
  const span = timeSpan(c);
  return {
    kind: 'memory-series',
    ...common(c),
    run: c.run,
    cmdline: c.cmdline,
    samples: c.samples.t.length,
    timeSpan: span && { ...span, seconds: span.end - span.start, ...(c.untimed ? { untimed: true } : {}) },
    peakMiB: peak.peakMiB,
    peakWithChildrenMiB: peakWithChildren(c),
    programPeakMiB: programPeak(c).peakMiB,
    children: peak.children.map((k) => ({ ...k, name: childName(c, k.pid), samples: c.children.get(k.pid)!.t.length })),
    functionCalls: c.functions.length,
    functions: [...new Set(c.functions.map((f) => f.name))],
  };
}

function mprofRunsInfo(c: MemoryRuns): MprofRunsInfo {
  const runs = c.runs.map(mprofInfo);
  const largest = (xs: (number | null)[]): number | null => {
    const known = xs.filter((p): p is number => p !== null);
    return known.length ? Math.max(...known) : null;
  };
  return {
    kind: 'memory-runs',
    ...common(c),
    peakMiB: largest(runs.map((r) => r.peakMiB)),
    peakWithChildrenMiB: largest(runs.map((r) => r.peakWithChildrenMiB)),
    programPeakMiB: largest(runs.map((r) => r.programPeakMiB)),
    runs,
  };
}

function lineReportInfo(c: LineReport): LineReportInfo {
  const functions = lineReportFunctions(c);
  const top = functions.reduce<(typeof functions)[number] | null>(
    (best, f) => (f.peakMiB !== null && (best === null || f.peakMiB > best.peakMiB!) ? f : best),
    null,
  );
  return {
    kind: 'line-report',
    ...common(c),
    precision: c.blocks[0]?.precision ?? 0,
    peakMiB: top?.peakMiB ?? null,
    peakPrecision: top?.precision ?? 0,
    functions,
  };
}

function lineReportFunctions(c: LineReport): LineReportInfo['functions'] {
  return c.blocks.map((b) => {
    const mems = b.lines.map((l) => l.memMiB).filter((m): m is number => m !== null);
    return {
      filename: b.filename,
      firstLine: b.lines[0]?.lineno ?? 0,
      lines: b.lines.length,
      peakMiB: mems.length ? Math.max(...mems) : null,
      precision: b.precision,
    };
  });
}

function allocatorStatsInfo(c: AllocatorStats): AllocatorStatsInfo {
  // The report every other command takes (info said the one at exit, 3 arenas, where gate and
  // report judged the one before it, 9).
  const last = standingReport(c);
  return {
    kind: 'allocator-stats',
    ...common(c),
    blocks: c.blocks.length,
    standing: c.blocks.indexOf(last) + 1,
    arenaSize: last.arenaSize,
    poolSize: last.poolSize,
    arenasCurrent: last.arenasCurrent,
    arenaBytes: last.arenaBytes,
    bytesInAllocatedBlocks: last.bytesInAllocatedBlocks,
    highwaterArenas: Math.max(...c.blocks.map((b) => b.arenasHighwater)),
    time: c.time ?? null,
  };
}

function statisticsLogInfo(c: StatisticsLog): StatisticsLogInfo {
  return {
    kind: 'statistics-log',
    ...common(c),
    listings: c.listings.length,
    statistics: c.listings.reduce((n, l) => n + l.stats.length, 0),
  };
}

export function captureInfo(c: Capture): CaptureInfo {
  switch (c.kind) {
    case 'snapshot':
      return snapshotInfo(c);
    case 'snapshot-series':
      return seriesInfo(c);
    case 'memory-series':
      return mprofInfo(c);
    case 'memory-runs':
      return mprofRunsInfo(c);
    case 'line-report':
      return lineReportInfo(c);
    case 'allocator-stats':
      return allocatorStatsInfo(c);
    case 'statistics-log':
      return statisticsLogInfo(c);
  }
}
