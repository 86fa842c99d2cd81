// ReportData: everything a report shows, assembled from the analyses, as one plain JSON object.
// Every renderer (HTML, Markdown, text) reads only this; `report --json` writes it as it is.

import type { MallocStatsBlock } from '../model/allocator-stats.js';
import type { CaptureSet } from '../model/capture-set.js';
import type { Frame } from '../model/frames.js';
import type { Samples } from '../model/memory-series.js';
import { UsageError } from '../util/errors.js';
import { VERSION } from '../version.js';
import {
  hasLeakEvidence,
  type LineReportLeaks,
  leakResults,
  type MemoryLeaks,
  type SnapshotLeaks,
} from './leak-results.js';
import { mprofPeak } from './mprof.js';
import { matchAllocatorReports, replayReport } from './pymalloc/compare.js';
import { DEFAULT_PYTHON } from './pymalloc/geometry.js';
import { compareTo, type Statistic, type StatisticDiff, statistics } from './statistics.js';

export const REPORT_VERSION = 1;

/** A node of the allocation tree of the last capture: bytes under each frame path. */
export interface TreeNode {
  readonly name: string;
  readonly bytes: number;
  readonly children: TreeNode[];
}

export interface SeriesPoints {
  readonly name: string;
  /** Seconds since the first sample, and MiB: downsampled for drawing (min and max per bucket). */
  readonly t: readonly number[];
  readonly mib: readonly number[];
}

export interface MemorySection {
  readonly file: string;
  readonly cmdline: string | null;
  readonly peakMiB: number | null;
  readonly samples: number;
  readonly lines: readonly SeriesPoints[];
  readonly spans: readonly { name: string; start: number; end: number; level: number | null }[];
  readonly trends: MemoryLeaks;
}

export interface ReplaySection {
  readonly python: string;
  readonly fragmented: { readonly verdict: string; readonly reason: string };
  readonly captures: readonly {
    readonly label: string;
    readonly compact: { arenas: number; utilization: number; pinnedArenas: number };
    readonly scattered: { arenas: number; utilization: number; pinnedArenas: number };
    readonly real: { arenas: number; utilization: number } | null;
  }[];
  readonly occupancy: { readonly compact: readonly number[]; readonly scattered: readonly number[] };
  readonly pinningSites: readonly { filename: string; lineno: number; arenas: number; blocks: number }[];
  readonly releasableBytes: number;
  readonly emptyPoolBytes: number;
  /** The last capture, scattered order, as _debugmallocstats() figures. */
  readonly stats: MallocStatsBlock;
}

/** A top site (by line), with the traceback of its largest allocation, oldest frame first. */
export interface TopSite extends Statistic {
  readonly traceback: readonly Frame[];
}

export interface SnapshotSection {
  readonly labels: readonly string[];
  readonly totals: readonly { size: number; count: number }[];
  readonly topSites: readonly TopSite[];
  readonly tree: TreeNode;
  readonly diff: { readonly from: string; readonly to: string; readonly stats: readonly StatisticDiff[] } | null;
  readonly leaks: SnapshotLeaks | null;
  readonly replay: ReplaySection | null;
}

export interface ReportData {
  readonly format: 'arenascope-report';
  readonly version: number;
  /** 'arenascope <version>' that wrote it. */
  readonly generator: string;
  /** The file formats of the inputs (tracemalloc-snapshot, mprof, ...), sorted. */
  readonly formats: readonly string[];
  readonly title: string;
  readonly inputs: readonly string[];
  readonly summary: {
    readonly peakMiB: number | null;
    readonly finalBytes: number | null;
    readonly growthBytes: number | null;
    readonly leakSuspects: number;
    readonly fragmentation: string | null;
    readonly python: string | null;
  };
  readonly snapshots: SnapshotSection | null;
  readonly memory: readonly MemorySection[];
  readonly lineReports: readonly (LineReportLeaks & {
    readonly blocks: readonly {
      filename: string;
      lines: readonly {
        lineno: number;
        memMiB: number | null;
        incrementMiB: number | null;
        occurrences: number | null;
        source: string;
      }[];
    }[];
  })[];
  readonly allocatorStats: readonly {
    readonly file: string;
    readonly arenas: readonly number[];
    readonly allocatedBytes: readonly number[];
  }[];
}

export interface ReportOptions {
  readonly title?: string;
  readonly python?: string;
  readonly top?: number;
  /** Points at most per drawn memory line (peaks kept: min and max per bucket). */
  readonly maxPoints?: number;
  /** Diff from the capture with this label instead of the first. */
  readonly baselineLabel?: string;
}

/** Min and max of each bucket, in time order: a line drawn from it keeps every peak and trough. */
export function downsample(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  maxPoints: number,
): { t: number[]; v: number[] } {
  const n = t.length;
  if (n <= maxPoints) return { t: Array.from(t), v: Array.from(v) };
  const buckets = Math.floor(maxPoints / 2);
  const out = { t: [] as number[], v: [] as number[] };
  for (let b = 0; b < buckets; b++) {
    const s = Math.floor((b * n) / buckets);
    const e = Math.floor(((b + 1) * n) / buckets);
    let lo = s;
    let hi = s;
    for (let i = s; i < e; i++) {
      if (v[i]! < v[lo]!) lo = i;
      if (v[i]! > v[hi]!) hi = i;
    }
    for (const i of lo < hi ? [lo, hi] : lo > hi ? [hi, lo] : [lo]) {
      out.t.push(t[i]!);
      out.v.push(v[i]!);
    }
  }
  return out;
}

function points(name: string, s: Samples, t0: number, maxPoints: number): SeriesPoints {
  const d = downsample(s.t, s.mib, maxPoints);
  return { name, t: d.t.map((x) => x - t0), mib: d.v };
}

// Bytes by frame path, oldest frame first, for the icicle chart; small branches are folded.
function tree(stats: readonly Statistic[], total: number): TreeNode {
  const root: TreeNode = { name: 'all', bytes: 0, children: [] };
  const label = (f: Frame): string => `${f.filename}:${f.lineno}`;
  for (const s of stats) {
    let node = root;
    (node as { bytes: number }).bytes += s.size;
    for (const f of s.frames) {
      let child = node.children.find((c) => c.name === label(f));
      if (!child) {
        child = { name: label(f), bytes: 0, children: [] };
        node.children.push(child);
      }
      (child as { bytes: number }).bytes += s.size;
      node = child;
    }
  }
  const prune = (n: TreeNode): TreeNode => ({
    ...n,
    children: n.children
      .filter((c) => c.bytes >= total / 500)
      .sort((a, b) => b.bytes - a.bytes)
      .map(prune),
  });
  return prune(root);
}

export function buildReportData(set: CaptureSet, inputs: readonly string[], opts: ReportOptions = {}): ReportData {
  const top = opts.top ?? 200;
  const maxPoints = opts.maxPoints ?? 2000;
  const { snapshots: snaps, labels } = set.series;
  if (!snaps.length && !set.memorySeries.length && !set.lineReports.length && !set.allocatorStats.length) {
    throw new UsageError('no capture to report on among the inputs');
  }
  const base = opts.baselineLabel === undefined ? 0 : labels.indexOf(opts.baselineLabel);
  if (base < 0) throw new UsageError(`--baseline ${opts.baselineLabel} is not one of the snapshots given`);
  // Leak detection needs 3 snapshots at least; with fewer, the other captures are still judged.
  const judged = { ...set, series: snaps.length >= 3 ? set.series : { ...set.series, snapshots: [], labels: [] } };
  const leaks = hasLeakEvidence(judged) ? leakResults(judged, {}) : [];
  let snapshotSection: SnapshotSection | null = null;
  let python: string | null = null;
  if (snaps.length) {
    const last = snaps[snaps.length - 1]!;
    const first = snaps[0]!;
    let replay: ReplaySection | null = null;
    if (opts.python !== undefined || snaps.length >= 2) {
      python = opts.python ?? DEFAULT_PYTHON;
      // Reports that do not match the captures are left out of the comparison (not an error here).
      const matched = matchAllocatorReports(set.allocatorStats, snaps.length) ? set.allocatorStats : [];
      const r = replayReport(snaps, labels, matched, { python });
      const lastC = r.captures[r.captures.length - 1]!;
      replay = {
        python: r.python,
        fragmented: r.fragmented,
        captures: r.captures.map((c) => ({
          label: c.label,
          compact: {
            arenas: c.compact.arenas,
            utilization: c.compact.utilization,
            pinnedArenas: c.compact.pinnedArenas,
          },
          scattered: {
            arenas: c.scattered.arenas,
            utilization: c.scattered.utilization,
            pinnedArenas: c.scattered.pinnedArenas,
          },
          real: c.real && { arenas: c.real.arenas, utilization: c.real.utilization },
        })),
        occupancy: { compact: lastC.compact.occupancy, scattered: lastC.scattered.occupancy },
        pinningSites: lastC.scattered.pinningSites,
        releasableBytes: lastC.scattered.releasableBytes,
        emptyPoolBytes: lastC.scattered.emptyPoolBytes,
        stats: lastC.scattered.stats,
      };
    }
    const byTraceback = statistics(last, { keyType: 'traceback' });
    const largest = new Map<string, readonly Frame[]>();
    for (const st of byTraceback) {
      const f = st.frames[st.frames.length - 1]!; // the most recent frame: the line's site
      const key = `${f.filename}\0${f.lineno}`;
      if (!largest.has(key)) largest.set(key, st.frames); // sorted by size: the first is the largest
    }
    const from = snaps[base] ?? first;
    snapshotSection = {
      labels,
      totals: snaps.map((s) => ({ size: s.totalSize, count: s.traceCount })),
      topSites: statistics(last, { keyType: 'lineno' })
        .slice(0, top)
        .map((st) => ({
          ...st,
          traceback: largest.get(`${st.frames[0]!.filename}\0${st.frames[0]!.lineno}`) ?? st.frames,
        })),
      tree: tree(byTraceback, last.totalSize),
      diff:
        snaps.length >= 2 && from !== last
          ? {
              from: labels[snaps.indexOf(from)]!,
              to: labels[labels.length - 1]!,
              stats: compareTo(last, from, { keyType: 'lineno' }).slice(0, top),
            }
          : null,
      leaks: (leaks.find((r) => r.kind === 'snapshots') as SnapshotLeaks | undefined) ?? null,
      replay,
    };
  }
  const memory: MemorySection[] = set.memorySeries.map((m) => {
    const t0 = m.samples.t[0] ?? 0;
    return {
      file: m.source.path,
      cmdline: m.cmdline,
      peakMiB: mprofPeak(m).peakMiB,
      samples: m.samples.t.length,
      lines: [
        points('main', m.samples, t0, maxPoints),
        ...[...m.children].map(([pid, c]) => points(`child ${pid}`, c, t0, maxPoints)),
      ],
      spans: m.functions.map((f) => ({ name: f.name, start: f.tStart - t0, end: f.tEnd - t0, level: f.level })),
      trends: leaks.find((r) => r.kind === 'memory' && r.file === m.source.path) as MemoryLeaks,
    };
  });
  const lineReports = set.lineReports.map((l) => ({
    ...(leaks.find((r) => r.kind === 'line-report' && r.file === l.source.path) as LineReportLeaks),
    blocks: l.blocks.map((b) => ({ filename: b.filename, lines: b.lines })),
  }));
  const peaks = memory.map((m) => m.peakMiB).filter((p): p is number => p !== null);
  const totals = snapshotSection?.totals;
  const formats = new Set<string>([
    ...snaps.map((x) => x.source.format),
    ...set.memorySeries.map((x) => x.source.format),
    ...set.lineReports.map((x) => x.source.format),
    ...set.allocatorStats.map((x) => x.source.format),
    ...set.statisticsLogs.map((x) => x.source.format),
  ]);
  return {
    format: 'arenascope-report',
    version: REPORT_VERSION,
    generator: `arenascope ${VERSION}`,
    formats: [...formats].sort(),
    title: opts.title ?? 'arenascope report',
    inputs,
    summary: {
      peakMiB: peaks.length ? Math.max(...peaks) : null,
      finalBytes: totals ? totals[totals.length - 1]!.size : null,
      growthBytes: totals && totals.length > 1 ? totals[totals.length - 1]!.size - totals[0]!.size : null,
      leakSuspects:
        (snapshotSection?.leaks?.sites.filter((s) => s.verdict === 'leak').length ?? 0) +
        memory.reduce((n, m) => n + m.trends.series.filter((t) => t.verdict === 'leak').length, 0),
      fragmentation: snapshotSection?.replay ? snapshotSection.replay.fragmented.verdict : null,
      python,
    },
    snapshots: snapshotSection,
    memory,
    lineReports,
    allocatorStats: set.allocatorStats.map((a) => ({
      file: a.source.path,
      arenas: a.blocks.map((b) => b.arenasCurrent),
      allocatedBytes: a.blocks.map((b) => b.bytesInAllocatedBlocks),
    })),
  };
}
