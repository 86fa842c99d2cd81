// The sections of ReportData, each built from the analyses of one kind of capture: the snapshot
// series (top sites, tree, diff, leaks, replay), each mprof run, each line report.

import type { AllocatorStats } from '../model/allocator-stats.js';
import type { Frame } from '../model/frames.js';
import type { LineReport } from '../model/line-report.js';
import { callsAboveSamples, childName, type MemorySeries, mainName, type Samples } from '../model/memory-series.js';
import { type RunInfo, recordedPythons } from '../model/run.js';
import { type Snapshot, seriesListingKey } from '../model/snapshot.js';
import { judgedCapture, type SnapshotSeries } from '../model/snapshot-series.js';
import { isListing } from '../model/source.js';
import { internalSite, withoutCaptureFrames } from './filters.js';
import type { LeakResult, LineReportLeaks, MemoryLeaks, SnapshotLeaks } from './leak-results.js';
import { programPeak } from './mprof.js';
import { replayReport } from './pymalloc/compare.js';
import type {
  DiffRow,
  LineReportSection,
  MemorySection,
  ReplaySection,
  SeriesPoints,
  SnapshotSection,
  TopSite,
  TreeNode,
} from './report-data.js';
import { compareTo, type DiffEntry, type KeyType, type Statistic, statistics } from './statistics.js';

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

// Frames below this share of the total are merged, per parent, into one "other" node: the page stays
// small on dumps of millions of blocks, and a box below 0.1% is under a pixel wide anyway.
const TREE_MIN_SHARE = 0.001;

// Frames deeper than this under the root are folded into one node per path: a recursion 3,000 frames
// deep overflowed the stack that turns the tree into a report, nested the report's JSON 6,000 levels
// deep (quadratic in size once indented), and no page shows boxes that deep.
export const TREE_MAX_DEPTH = 128;
// Boxes in the tree at most: as deep as whole levels fit, the rest folded. 900 call paths each 140
// frames deep made a tree of 115,000 boxes, a report JSON of 325 MB, and "Invalid string length".
export const TREE_MAX_NODES = 10_000;

interface Growing {
  readonly frame: Frame | null;
  /** A node of frames folded at TREE_MAX_DEPTH: the most folded under it. */
  deeper: number;
  bytes: number;
  count: number;
  internalBytes: number;
  readonly children: Map<string, Growing>;
}

/**
 * Bytes and blocks by frame path, oldest frame at the root, for the flame graph. The frames of
 * `arenascope run`'s bootstrap beneath the program's are dropped (they are the same under every
 * allocation); the bytes of machinery sites (internalSite: import system, tracemalloc, the capture
 * code) are counted apart in `internalBytes`, so that the page folds them away as `leaks` does.
 * Children under 0.1% of the total are merged into one "other" child of their parent.
 */
function tree(stats: readonly Statistic[], total: number): TreeNode {
  const grow = (frame: Frame | null): Growing => ({
    frame,
    deeper: 0,
    bytes: 0,
    count: 0,
    internalBytes: 0,
    children: new Map(),
  });
  const root = grow(null);
  for (const s of stats) {
    const internal = internalSite(s.frames) ? s.size : 0;
    let node = root;
    const add = (n: Growing): void => {
      n.bytes += s.size;
      n.count += s.count;
      n.internalBytes += internal;
    };
    add(node);
    const frames = withoutCaptureFrames(s.frames);
    for (let depth = 0; depth < frames.length; depth++) {
      const f = frames[depth]!;
      const fold = depth === TREE_MAX_DEPTH;
      const key = fold ? '\0deeper' : `${f.filename}\0${f.lineno}`;
      let child = node.children.get(key);
      if (!child) {
        child = grow(fold ? null : f);
        node.children.set(key, child);
      }
      add(child);
      if (fold) {
        child.deeper = Math.max(child.deeper, frames.length - depth);
        break;
      }
      node = child;
    }
  }
  const min = total * TREE_MIN_SHARE;
  const done = (n: Growing): TreeNode => {
    const kids = [...n.children.values()].sort((a, b) => b.bytes - a.bytes);
    const big = kids.filter((c) => c.bytes >= min);
    const small = kids.filter((c) => c.bytes < min);
    const children = big.map(done);
    if (small.length) {
      const sum = (k: 'bytes' | 'count' | 'internalBytes'): number => small.reduce((x, c) => x + c[k], 0);
      const name = `other (${small.length} frame${small.length === 1 ? '' : 's'} under 0.1% each)`;
      children.push({
        name,
        bytes: sum('bytes'),
        count: sum('count'),
        internalBytes: sum('internalBytes'),
        children: [],
      });
    }
    const f = n.frame;
    const where = f
      ? { name: `${f.filename}:${f.lineno}`, filename: f.filename, lineno: f.lineno }
      : { name: n.deeper ? `up to ${n.deeper} deeper frames` : 'all' };
    return { ...where, bytes: n.bytes, count: n.count, internalBytes: n.internalBytes, children };
  };
  return withinBudget(done(root));
}

/** The tree cut at the deepest level whose boxes, with all above, fit TREE_MAX_NODES (without recursion). */
function withinBudget(root: TreeNode): TreeNode {
  // Boxes kept: the levels down to `level`, and one folded box under each of its nodes with children.
  let nodes = 1;
  let level: TreeNode[] = [root];
  for (;;) {
    const next = level.flatMap((n) => n.children);
    if (!next.length) return root;
    const folded = next.filter((n) => n.children.length).length;
    if (nodes + next.length + folded > TREE_MAX_NODES) break;
    nodes += next.length;
    level = next;
  }
  // `level` is the deepest whole level that fits: each of its nodes keeps one child for all below it.
  const fold = (n: TreeNode): TreeNode => {
    if (!n.children.length) return n;
    let height = 0;
    for (let l = n.children; l.length; l = l.flatMap((c) => c.children)) height++;
    const sum = (k: 'bytes' | 'count' | 'internalBytes'): number => n.children.reduce((x, c) => x + (c[k] ?? 0), 0);
    const below = {
      // Frames merged into "other" boxes may go deeper than the levels counted.
      name: `at least ${height} deeper frames`,
      bytes: sum('bytes'),
      count: sum('count'),
      internalBytes: sum('internalBytes'),
      children: [],
    };
    return { ...n, children: [below] };
  };
  const cut = new Set(level);
  // Rebuilt from the root down, level by level: the nodes above the cut are copied with new children.
  const copy = (n: TreeNode): TreeNode => (cut.has(n) ? fold(n) : { ...n, children: n.children.map(copy) });
  return copy(root);
}

/** Captures whose real arenas lie above, within or below the model's range (the two orders); null: no real figure. */
function realVsModel(
  captures: readonly { compact: { arenas: number }; scattered: { arenas: number }; real: { arenas: number } | null }[],
): ReplaySection['realVsModel'] {
  const out = { above: 0, within: 0, below: 0 };
  for (const c of captures) {
    if (!c.real) continue;
    const lo = Math.min(c.compact.arenas, c.scattered.arenas);
    const hi = Math.max(c.compact.arenas, c.scattered.arenas);
    out[c.real.arenas > hi ? 'above' : c.real.arenas < lo ? 'below' : 'within']++;
  }
  return out.above + out.within + out.below ? out : null;
}

/** The pymalloc replay of the series, with the real allocator's figures when they match the captures. */
export function replaySection(
  series: SnapshotSeries,
  allocatorStats: readonly AllocatorStats[],
  python: string | undefined,
  requireReports = false,
  runs: readonly RunInfo[] = [],
): ReplaySection {
  const { snapshots, labels } = series;
  // Reports pair with captures by pairAllocatorReports' rule; what it leaves out is in allocatorNotes.
  const r = replayReport(snapshots, labels, allocatorStats, {
    python,
    recordedPythons: recordedPythons(runs),
    requireReports,
  });
  // The capture the verdict is of (the one before a run's exit capture, mostly): its occupancy and table.
  const last = r.captures[r.judged]!;
  const model = (f: { arenas: number; utilization: number; pinnedArenas: number }) => ({
    arenas: f.arenas,
    utilization: f.utilization,
    pinnedArenas: f.pinnedArenas,
  });
  return {
    python: r.python,
    allocatorNotes: r.warnings,
    fragmented: r.fragmented,
    assumptions: r.assumptions,
    captures: r.captures.map((c) => ({
      label: c.label,
      compact: model(c.compact),
      scattered: model(c.scattered),
      real: c.real && { arenas: c.real.arenas, utilization: c.real.utilization },
    })),
    occupancy: { compact: last.compact.occupancy, scattered: last.scattered.occupancy },
    ...(r.judged < r.captures.length - 1 ? { judged: r.judged } : {}),
    ordersDiffer: r.captures.filter((c) => c.compact.arenas !== c.scattered.arenas).length,
    realVsModel: realVsModel(r.captures),
    fragmentation: r.fragmentation,
    stats: last.scattered.stats,
  };
}

// A line's traceback: its largest in a capture (a line only in the baseline has just its own frame).
function largestTracebacks(byTraceback: readonly Statistic[]): (st: Pick<Statistic, 'frames'>) => readonly Frame[] {
  const largest = new Map<string, readonly Frame[]>();
  for (const st of byTraceback) {
    const f = st.frames[st.frames.length - 1]!; // the most recent frame: the line's site
    const key = `${f.filename}\0${f.lineno}`;
    if (!largest.has(key)) largest.set(key, st.frames); // sorted by size: the first is the largest
  }
  return (st) => largest.get(`${st.frames[0]!.filename}\0${st.frames[0]!.lineno}`) ?? st.frames;
}

// A capture's largest lines, each with its largest traceback.
function topSites(s: Snapshot, top: number, tracebackOf: (st: Statistic) => readonly Frame[]): TopSite[] {
  return statistics(s, { keyType: 'lineno' })
    .slice(0, top)
    .map((st) => ({
      ...st,
      traceback: withoutCaptureFrames(tracebackOf(st)),
      internal: internalSite(tracebackOf(st)),
    }));
}

/** The series' totals, the top sites of its last capture with their largest traceback, its tree and diff. */
export function snapshotSection(
  series: SnapshotSeries,
  opts: {
    top: number;
    base: number;
    /** A pytest run's last test's capture, when captures of its session's end follow it (lastTestOfRun). */
    lastTest?: number | null;
    leaks: SnapshotLeaks | null;
    replay: ReplaySection | null;
    /** The exit capture's lines too, when the figures are of the capture before it (the gate's and baseline's). */
    exitSites?: boolean;
  },
): SnapshotSection {
  const { snapshots: snaps, labels } = series;
  // The capture before a run's exit capture: what main()'s locals held is gone from that one (the
  // growth checks passed a leak that max-leaks failed). With a capture between it and the start:
  // of (start, exit) alone, the exit capture says more. A pytest run's last test's, before its session end.
  const final = opts.lastTest ?? judgedCapture(labels);
  const last = snaps[final]!;
  const from = snaps[opts.base] ?? snaps[0]!;
  const byTraceback = statistics(last, { keyType: 'traceback' });
  const tracebackOf = largestTracebacks(byTraceback);
  const diffRows = (stats: readonly DiffEntry[]): DiffRow[] =>
    stats.map((st) => ({ ...st, internal: internalSite(tracebackOf(st)) }));
  // What a program makes after its last checkpoint and keeps in a global is in the exit capture only:
  // the gate compares its lines too (a 2 MB global kept there passed every growth check).
  const exit = snaps[snaps.length - 1]!;
  // Not of a pytest run judged at its last test's capture: its exit capture is pytest's session end.
  const exitSites =
    opts.exitSites && final < snaps.length - 1 && opts.lastTest == null
      ? { exitSites: topSites(exit, opts.top, largestTracebacks(statistics(exit, { keyType: 'traceback' }))) }
      : {};
  return {
    labels,
    ...(final < snaps.length - 1 ? { final } : {}),
    ...(opts.lastTest != null ? { finalIsLastTest: true as const } : {}),
    totals: snaps.map((s) => ({ size: s.totalSize, count: s.traceCount })),
    ...listingKey(snaps),
    topSites: topSites(last, opts.top, tracebackOf),
    ...exitSites,
    tree: tree(byTraceback, last.totalSize),
    // To the capture before exit, unless the diff starts there or after (--diff-from): then to the last,
    // forward in time (from exit it ran backwards; from the capture before exit there was none).
    // Not of listings by traceback: a line's change would be the difference of two partial sums (h301).
    diff: ((to) =>
      snaps.length >= 2 && from !== snaps[to] && seriesListingKey(snaps) !== 'traceback'
        ? {
            from: labels[snaps.indexOf(from)]!,
            to: labels[to]!,
            stats: diffRows(compareTo(snaps[to]!, from, { keyType: 'lineno' }).slice(0, opts.top)),
            ...(isListing(from.source) || isListing(snaps[to]!.source) ? { printedSizes: true as const } : {}),
          }
        : null)(snaps.indexOf(from) >= final ? snaps.length - 1 : final),
    leaks: opts.leaks,
    replay: opts.replay,
  };
}

/** Of logged listings, the key they hold (seriesListingKey). */
function listingKey(snaps: readonly Snapshot[]): { listing?: KeyType } {
  const key = seriesListingKey(snaps);
  return key ? { listing: key } : {};
}

// Child processes drawn at most: a pool that replaces its workers leaves thousands of short ones (a
// run of 15,000 made a chart of 15,000 series and a page that took 4 GB to write).
export const MAX_CHILD_LINES = 12;

/** An mprof run: its lines for drawing, function spans, and its trends from the leak analysis. */
export function memorySection(m: MemorySeries, leaks: readonly LeakResult[], maxPoints: number): MemorySection {
  const t0 = m.samples.t[0] ?? 0;
  const trends = leaks.find((r) => r.kind === 'memory' && r.file === m.source.path && r.run === m.run) as MemoryLeaks;
  const peak = (c: Samples): number => c.mib.reduce((x, v) => Math.max(x, v), -Infinity);
  const calls = callsAboveSamples(m);
  const measured = programPeak(m);
  const drawn = [...m.children]
    .map(([pid, c]) => ({ pid, c, peak: peak(c) }))
    .sort((a, b) => b.peak - a.peak || a.pid - b.pid)
    .slice(0, MAX_CHILD_LINES)
    .sort((a, b) => a.pid - b.pid);
  return {
    file: m.source.path,
    label: trends.label,
    cmdline: m.cmdline,
    peakMiB: measured.peakMiB,
    ...(measured.sampledMiB !== null ? { sampledPeakMiB: measured.sampledMiB } : {}),
    ...(measured.beforeProgram ? { sampledBeforeProgram: true as const } : {}),
    samples: m.samples.t.length,
    lines: [
      points(mainName(m), m.samples, t0, maxPoints),
      ...drawn.map(({ pid, c }) => points(childName(m, pid), c, t0, maxPoints)),
    ],
    ...(m.children.size > drawn.length ? { childrenNotDrawn: m.children.size - drawn.length } : {}),
    spans: m.functions.map((f) => ({ name: f.name, start: f.tStart - t0, end: f.tEnd - t0, level: f.level })),
    trends,
    ...(calls ? { callsPeakMiB: calls.highMiB } : {}),
  };
}

/** A line report: its rows, and what the leak analysis found in them. */
export function lineReportSection(l: LineReport, leaks: readonly LeakResult[]): LineReportSection {
  return {
    ...(leaks.find((r) => r.kind === 'line-report' && r.file === l.source.path) as LineReportLeaks),
    blocks: l.blocks.map((b) => ({ filename: b.filename, precision: b.precision, lines: b.lines })),
  };
}
