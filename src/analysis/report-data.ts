// ReportData: everything a report shows, assembled from the analyses, as one plain JSON object.
// Every renderer (HTML, Markdown, text) reads only this; `report --json` writes it as it is.

import { type MallocStatsBlock, standingReport } from '../model/allocator-stats.js';
import type { CaptureSet } from '../model/capture-set.js';
import type { Frame } from '../model/frames.js';
import type { ReportLine } from '../model/line-report.js';
import type { RunInfo } from '../model/run.js';
import { isListing } from '../model/source.js';
import { UsageError } from '../util/errors.js';
import { VERSION } from '../version.js';
import {
  hasLeakEvidence,
  type LeakQuery,
  type LineReportLeaks,
  lastTestOfRun,
  leakResults,
  type MemoryLeaks,
  type SnapshotLeaks,
  tooFewSnapshots,
} from './leak-results.js';
import { DEFAULT_MIN_LEAK_CONFIDENCE, leakingSeries } from './mprof.js';
import {
  beyondModel,
  FRAGMENTED_SHARE,
  type FragmentationEvidence,
  type FragmentationMeasure,
  type FragmentedVerdict,
  fragmentedOver,
  replayable,
  reportFragmentation,
} from './pymalloc/compare.js';
import { pairAllocatorReports, pairedCaptures } from './pymalloc/pairing.js';
import { worthOptimising } from './pymalloc/replay.js';
import { judgedOf, reportsApart } from './pymalloc/reports-alone.js';
import { lineReportSection, memorySection, replaySection, snapshotSection } from './report-sections.js';
import type { DiffEntry, KeyType, Statistic } from './statistics.js';

export const REPORT_VERSION = 1;

/**
 * A node of the allocation tree of the last capture: bytes under each frame path. The frame is absent
 * at the root and on an "other" node (the children too small to draw, merged); count and
 * internalBytes are absent in reports written by older versions.
 */
export interface TreeNode {
  readonly name: string;
  readonly filename?: string;
  readonly lineno?: number;
  readonly bytes: number;
  /** Live blocks under the node. */
  readonly count?: number;
  /** Of `bytes`, those of machinery sites (import system, tracemalloc, the capture code), which pages fold. */
  readonly internalBytes?: number;
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
  /** The file, and which run when it holds several (mprof run -o appends). */
  readonly label: string;
  readonly cmdline: string | null;
  /** The peak of the program and its child processes together (what `mprof peak` prints without children). */
  readonly peakMiB: number | null;
  readonly samples: number;
  /** The main process, then the children with the highest peaks (MAX_CHILD_LINES at most), in pid order. */
  readonly lines: readonly SeriesPoints[];
  /** Child processes not drawn (beyond MAX_CHILD_LINES); absent in reports of older versions. */
  readonly childrenNotDrawn?: number;
  readonly spans: readonly { name: string; start: number; end: number; level: number | null }[];
  readonly trends: MemoryLeaks;
  /**
   * The highest memory its @profile calls recorded (FUNC lines), when above peakMiB's samples (between
   * two samples, or after the last: callsAboveSamples); absent otherwise.
   */
  readonly callsPeakMiB?: number;
  /**
   * The samples' peak, when peakMiB is the program's own peak RSS at exit above it (an `arenascope run`
   * sampled too seldom: programPeak); absent otherwise.
   */
  readonly sampledPeakMiB?: number;
  /**
   * Every sample was taken before the program began (an `arenascope run` of a program done within one
   * sample interval, with no peak RSS at exit recorded): peakMiB is null, not the interpreter's start.
   */
  readonly sampledBeforeProgram?: true;
}

export interface ReplaySection {
  readonly python: string;
  /** Allocator reports left unpaired with a capture (each named), and other warnings on the real figures. */
  readonly allocatorNotes: readonly string[];
  /** The verdict on the last capture, its reason and the next step. */
  readonly fragmented: FragmentedVerdict;
  /** What the model assumed where the captures do not tell (churn between captures). */
  readonly assumptions: readonly string[];
  readonly captures: readonly {
    readonly label: string;
    readonly compact: { arenas: number; utilization: number; pinnedArenas: number };
    readonly scattered: { arenas: number; utilization: number; pinnedArenas: number };
    readonly real: { arenas: number; utilization: number } | null;
  }[];
  readonly occupancy: { readonly compact: readonly number[]; readonly scattered: readonly number[] };
  /** The capture the verdict, occupancy and table are of when not the last (a run's exit capture follows it). */
  readonly judged?: number;
  /** Captures at which the two orders hold different arenas (0: the model's range is one line). */
  readonly ordersDiffer?: number;
  /**
   * Where the real arenas sit against the model's range (the fewer and the more of the two orders),
   * counted over the captures with a real report; null without one. Absent in older reports.
   */
  readonly realVsModel?: { readonly above: number; readonly within: number; readonly below: number } | null;
  /** The last capture's figures, each labelled with its evidence: real, or the model's best/worst case. */
  readonly fragmentation: FragmentationEvidence;
  /** The capture judged (see judged), scattered order, as _debugmallocstats() figures. */
  readonly stats: MallocStatsBlock;
}

/** A top site (by line), with the traceback of its largest allocation, oldest frame first. */
export interface TopSite extends Statistic {
  readonly traceback: readonly Frame[];
  /**
   * The line's source, stripped, where the gate or a baseline read it from the checkout (the
   * repository's own files): what finds a line that code added above it moved.
   */
  readonly text?: string;
  /**
   * The lines of its file that hold `text` (its own among them), in the source read; absent when more
   * than 20 do: a line moved leaves no copy of its code at its old number.
   */
  readonly textLines?: readonly number[];
  /** Import machinery, tracemalloc or arenascope's capture code (internalSite): folded away on the page. */
  readonly internal?: boolean;
}

/** A line of the diff, marked as a top site is (of logged listings, a site one leaves out: UnlistedDiff). */
export type DiffRow = DiffEntry & {
  readonly internal?: boolean;
};

/** A question these inputs cannot answer, and the capture that would answer it: one line on the page. */
export interface ReportGap {
  readonly topic: 'leaks' | 'memory' | 'changes' | 'fragmentation';
  readonly text: string;
}

/** The largest lines a report keeps of its capture (topSites), unless asked for another number. */
export const REPORT_TOP_SITES = 200;

export interface SnapshotSection {
  readonly labels: readonly string[];
  /**
   * The capture the top sites, the tree, the diff and the gate's growth checks describe, when it is
   * not the last: the one before a run's exit capture, which the leak analysis leaves out too
   * (SnapshotLeaks.leftOut). Absent: the last.
   */
  readonly final?: number;
  /** `final` is a pytest run's last test's capture, before the captures of its session's end. */
  readonly finalIsLastTest?: true;
  readonly totals: readonly { size: number; count: number }[];
  /**
   * Of logged listings, the key they hold (seriesListingKey): a gate compares listings of one key only
   * (a file listing's whole file read as a line "grown from nothing" against a baseline of listings by
   * line), and no line's growth of listings by traceback. Absent: dumps, or a baseline written before it.
   */
  readonly listing?: KeyType;
  readonly topSites: readonly TopSite[];
  /**
   * The exit capture's largest lines, when `final` is set and the gate or a baseline asked for them:
   * what a program keeps after its last checkpoint is there only (the gate's site growth checks both).
   */
  readonly exitSites?: readonly TopSite[];
  readonly tree: TreeNode;
  readonly diff: {
    readonly from: string;
    readonly to: string;
    readonly stats: readonly DiffRow[];
    /** Of logged listings: their sizes known as printed (3 significant digits), as DiffResult's. */
    readonly printedSizes?: true;
  } | null;
  readonly leaks: SnapshotLeaks | null;
  readonly replay: ReplaySection | null;
}

/** A line report's rows, with what the leak analysis found in them. */
export interface LineReportSection extends LineReportLeaks {
  readonly blocks: readonly {
    readonly filename: string;
    /** The decimals its report prints figures with. */
    readonly precision: number;
    readonly lines: readonly ReportLine[];
  }[];
}

export interface ReportData {
  readonly format: 'arenascope-report';
  /** The `arenascope run` folders among the inputs, with their per-test tables (absent in older reports). */
  readonly runs?: readonly RunInfo[];
  readonly version: number;
  /** 'arenascope <version>' that wrote it. */
  readonly generator: string;
  /** The file formats of the inputs (tracemalloc-snapshot, mprof, ...), sorted. */
  readonly formats: readonly string[];
  readonly title: string;
  readonly inputs: readonly string[];
  /**
   * The folder the report was made in (the checkout, as the command line gives it): gate compares
   * lines by their file relative to it, so that one checkout's baseline fits another's. Absent in
   * older reports and where no one gave it.
   */
  readonly root?: string;
  /** `root` as symbolic links name it (the shell's $PWD, where it is one): files under it are the checkout's too. */
  readonly rootAliases?: readonly string[];
  readonly summary: {
    /** The highest memory an mprof run or a line report measured (the process's RSS), in MiB. */
    readonly peakMiB: number | null;
    readonly finalBytes: number | null;
    readonly growthBytes: number | null;
    /** Sites and series judged a leak; null when nothing was judged (fewer than 3 snapshots and no mprof run). */
    /** Leaks judged with the gate's default confidence or more (DEFAULT_MIN_LEAK_CONFIDENCE). */
    readonly leakSuspects: number | null;
    /** Leaks judged with less: named, not counted (absent when none). */
    readonly weakLeakSuspects?: number;
    readonly fragmentation: string | null;
    readonly python: string | null;
    /** The largest traced total of a capture (what the gate takes as the peak without mprof runs). */
    readonly largestCaptureBytes?: number | null;
    /** tracemalloc's traced peak between captures (`arenascope run` records it), the largest; null: unknown. */
    readonly tracedPeakBytes?: number | null;
  };
  /** What these inputs cannot tell, each with the capture that would (absent in older reports). */
  readonly gaps?: readonly ReportGap[];
  readonly snapshots: SnapshotSection | null;
  readonly memory: readonly MemorySection[];
  readonly lineReports: readonly LineReportSection[];
  /**
   * Why the allocator reports given alone (no snapshots) are not one process's in the order taken
   * (reportsApart): each is then judged as its own process's, the most fragmented for them all. Absent
   * when they are, or with snapshots (paired with them instead: compare.ts).
   */
  readonly allocatorApart?: string;
  readonly allocatorStats: readonly {
    readonly file: string;
    readonly arenas: readonly number[];
    readonly allocatedBytes: readonly number[];
    /** The last report's fragmentation, from its own size-class table; null when the table is incomplete. */
    readonly fragmentation: FragmentationMeasure | null;
    /** The capture it was taken with (a run's label, or its .label sidecar), when known. */
    readonly label?: string;
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
  /** The allocator reports were asked for (--allocator-stats): none pairing with a capture is an error. */
  readonly requireAllocatorReports?: boolean;
  /** The folder the captures were analyzed in (the checkout): see ReportData.root. */
  readonly root?: string;
  /** See ReportData.rootAliases. */
  readonly rootAliases?: readonly string[];
  /** Turns V8's optimiser on or off (the CLI's): off for a replay of few groups (worthOptimising). */
  readonly optimise?: (on: boolean) => void;
  /** The exit capture's lines too (SnapshotSection.exitSites): the gate's and a baseline's. */
  readonly exitSites?: boolean;
  /** What counts as a leak (--min-growth, --keep-internals), as `leaks` takes it. */
  readonly leaks?: Pick<LeakQuery, 'minGrowth' | 'minGrowthMiB' | 'keepInternals'>;
}

// Runs `f` with the optimiser on or off as asked, then on again (the rest of a report is JavaScript loops).
function optimisedFor<T>(on: boolean, optimise: ((on: boolean) => void) | undefined, f: () => T): T {
  optimise?.(on);
  try {
    return f();
  } finally {
    optimise?.(true);
  }
}

/** The questions the report cannot answer from these captures, each with what to capture. */
function gaps(set: CaptureSet, replayed: boolean, beyond: string | null = null): ReportGap[] {
  const n = set.series.snapshots.length;
  const out: ReportGap[] = [];
  const several = 'take tracemalloc snapshots as the program runs (`arenascope run` does) and give them all';
  const few = tooFewSnapshots(set);
  if (few) {
    const what = set.memorySeries.length ? 'which lines leak' : 'leak detection';
    out.push({ topic: 'leaks', text: `${few}: ${what} needs 3 or more: ${several}.` });
  } else if (n === 0 && !set.memorySeries.length && !set.lineReports.length) {
    out.push({
      topic: 'leaks',
      text: `Leak detection needs 3 or more tracemalloc snapshots, or an mprof run: ${several}.`,
    });
  }
  if (n === 1) {
    out.push({ topic: 'changes', text: 'What changed between captures, and traced memory over time, need 2 or more.' });
  }
  if (!set.memorySeries.length) {
    out.push({
      topic: 'memory',
      text: 'Memory over time (the process RSS) needs an mprof run: `mprof run prog.py`, or `arenascope run`.',
    });
  }
  if (beyond) out.push({ topic: 'fragmentation', text: `Fragmentation is not modelled: ${beyond}.` });
  else if (!replayed && !set.allocatorStats.length) {
    const why =
      n === 0
        ? 'tracemalloc snapshots'
        : n === 1
          ? '2 or more snapshots, or --python or --allocator-stats with this one'
          : "snapshot dumps that hold every block (a log's top lines do not)";
    out.push({
      topic: 'fragmentation',
      text: `Fragmentation needs ${why}, or sys._debugmallocstats() reports taken with them.`,
    });
  }
  return out;
}

/** The index of the capture a section's top sites describe (see SnapshotSection.final). */
export function finalCapture(s: Pick<SnapshotSection, 'final' | 'labels'>): number {
  return s.final ?? s.labels.length - 1;
}

/** How outputs name that capture: 'last capture', or the one before the run's exit capture. */
/**
 * What the summary's memory at a capture is: 'traced' of dumps; of logged listings, 'listed sites' (a
 * top N's sum, a floor of the traced memory; its growth none of the traced growth: h381).
 */
export function tracedWord(s: Pick<SnapshotSection, 'listing'> | null | undefined): string {
  return s?.listing ? 'listed sites' : 'traced';
}

export function finalCaptureName(s: Pick<SnapshotSection, 'final' | 'finalIsLastTest' | 'labels'>): string {
  if (s.final === undefined) return 'last capture';
  return `${s.finalIsLastTest ? "last test's capture" : 'capture before exit'} (${s.labels[s.final]})`;
}

// The summary's leak counts: at the gate's default confidence, and below it.
function suspects(leaks: readonly { confidence: number }[] | null): {
  leakSuspects: number | null;
  weakLeakSuspects?: number;
} {
  if (leaks === null) return { leakSuspects: null };
  const weak = leaks.filter((x) => x.confidence < DEFAULT_MIN_LEAK_CONFIDENCE).length;
  return { leakSuspects: leaks.length - weak, ...(weak ? { weakLeakSuspects: weak } : {}) };
}

/**
 * The capture a label names: its own label, or else the one label that ends with it at a '/'
 * (`snap-03.pickle` of a folder's `caps/run/snap-03.pickle`, which was refused; h317). -1 for none, or
 * for several. (A path ending with a label is no name of it: `../run1/snap-00.pickle` is another run's
 * file, taken for this run's `snap-00.pickle`, h320; the command resolves a file's path to its label.)
 */
function labelIndex(labels: readonly string[], label: string): number {
  const exact = labels.indexOf(label);
  if (exact >= 0) return exact;
  const bare = (x: string): string => x.replace(/^(?:\.\/)+/, '');
  const a = bare(label);
  const found = labels.flatMap((l, i) => (bare(l) === a || bare(l).endsWith(`/${a}`) ? [i] : []));
  return new Set(found.map((i) => labels[i])).size === 1 ? found[0]! : -1;
}

export function buildReportData(set: CaptureSet, inputs: readonly string[], opts: ReportOptions = {}): ReportData {
  const { snapshots: snaps, labels } = set.series;
  if (!snaps.length && !set.memorySeries.length && !set.lineReports.length && !set.allocatorStats.length) {
    throw new UsageError('no capture to report on among the inputs');
  }
  const base = opts.baselineLabel === undefined ? 0 : labelIndex(labels, opts.baselineLabel);
  if (base < 0) {
    throw new UsageError(
      `--diff-from ${opts.baselineLabel} is not one of the snapshots ${set.kept ? 'judged' : 'given'} (their labels: ${labels.slice(0, 10).join(', ')}` +
        `${labels.length > 10 ? `, … ${labels.length - 10} more` : ''})` +
        (set.kept ? `; the ${set.kept.of - snaps.length} others, of another trace table, are left out, as said` : ''),
    );
  }
  const alike = opts.baselineLabel === undefined ? [] : labels.flatMap((l, i) => (l === labels[base] ? [i + 1] : []));
  if (alike.length > 1) {
    throw new UsageError(
      `--diff-from ${opts.baselineLabel}: ${alike.length} captures have that label (captures ${alike.slice(0, 5).join(', ')}` +
        `${alike.length > 5 ? ', …' : ''}); name one that only one has (a file's path, or a .label sidecar)`,
    );
  }
  // Leak detection needs 3 snapshots at least; with fewer, the other captures are still judged.
  const few = tooFewSnapshots(set) !== null;
  const judged = { ...set, series: few ? { ...set.series, snapshots: [], labels: [] } : set.series };
  const leaks = hasLeakEvidence(judged) ? leakResults(judged, opts.leaks ?? {}) : [];
  // The replay needs 2 captures to see frees, unless a model or the real allocator's figures were
  // asked for, and every block's size.
  const asked = opts.python !== undefined || set.allocatorStats.length > 0;
  const wanted = snaps.length > 0 && snaps.every(replayable) && (asked || snaps.length >= 2);
  // Beyond what the model holds, the replay is left out, said, and the other sections answered.
  const beyond = wanted ? beyondModel(snaps) : null;
  const replayed = wanted && beyond === null;
  if (replayed && opts.requireAllocatorReports && set.allocatorStats.length) {
    const pairing = pairAllocatorReports(pairedCaptures(snaps, labels), set.allocatorStats);
    if (!pairing.rule) throw new UsageError(pairing.notes.join('; '));
  }

  const snapshots = snaps.length
    ? snapshotSection(set.series, {
        top: opts.top ?? REPORT_TOP_SITES,
        base,
        lastTest: lastTestOfRun(set),
        exitSites: opts.exitSites ?? false,
        leaks: (leaks.find((r) => r.kind === 'snapshots') as SnapshotLeaks | undefined) ?? null,
        replay: replayed
          ? optimisedFor(worthOptimising(snaps), opts.optimise, () =>
              replaySection(
                set.series,
                set.allocatorStats,
                opts.python,
                opts.requireAllocatorReports ?? false,
                set.runs,
              ),
            )
          : null,
      })
    : null;
  const memory = set.memorySeries.map((m) => memorySection(m, leaks, opts.maxPoints ?? 2000));
  // Peaks of the process: mprof runs', and the highest Mem usage of line reports' rows.
  const reportPeaks = set.lineReports.flatMap((r) => r.blocks.flatMap((b) => b.lines.map((l) => l.memMiB)));
  const peaks = [...memory.map((m) => m.peakMiB), ...reportPeaks].filter((p): p is number => p !== null);
  const totals = snapshots?.totals;
  const tracedPeaks = snaps.map((x) => x.tracedPeak).filter((p): p is number => typeof p === 'number');
  const captures = [...snaps, ...set.memorySeries, ...set.lineReports, ...set.allocatorStats];
  const allocatorStats = set.allocatorStats.map((a) => ({
    file: a.source.path,
    arenas: a.blocks.map((b) => b.arenasCurrent),
    allocatedBytes: a.blocks.map((b) => b.bytesInAllocatedBlocks),
    fragmentation: a.blocks.length ? reportFragmentation(standingReport(a)) : null,
    ...(a.label ? { label: a.label } : {}),
  }));
  // With no snapshot replayed (none, or listings a replay cannot take), the last allocator report says
  // it by its own table, as gate measures it (beside a logged listing the summary said none).
  const apart = snapshots?.replay ? null : reportsApart(set.allocatorStats);
  const alone = snapshots?.replay ? null : reportsAloneMeasure(allocatorStats, apart !== null);
  return {
    format: 'arenascope-report',
    version: REPORT_VERSION,
    generator: `arenascope ${VERSION}`,
    // A logged listing converted to JSON is a listing still: compared as one, never with whole snapshots.
    formats: [...new Set(captures.map((c) => (isListing(c.source) ? 'tracemalloc-text' : c.source.format)))].sort(),
    title: opts.title ?? 'arenascope report',
    inputs,
    ...(opts.root === undefined ? {} : { root: opts.root }),
    ...(opts.rootAliases?.length ? { rootAliases: opts.rootAliases } : {}),
    summary: {
      peakMiB: peaks.length ? Math.max(...peaks) : null,
      finalBytes: totals ? totals[finalCapture(snapshots!)]!.size : null,
      growthBytes: totals && totals.length > 1 ? totals[finalCapture(snapshots!)]!.size - totals[0]!.size : null,
      // Counted only where something was judged: a run too short to judge ('unjudged') counts as none.
      // Counted as the gate counts them by default; those judged with less confidence are said apart.
      ...suspects(
        snapshots?.leaks || memory.some((m) => m.trends.series.some((t) => t.verdict !== 'unjudged'))
          ? [
              ...(snapshots?.leaks?.sites.filter((s) => s.verdict === 'leak') ?? []),
              ...memory.flatMap((m) => leakingSeries(m.trends.series).counted),
            ]
          : null,
      ),
      fragmentation: snapshots?.replay
        ? snapshots.replay.fragmented.verdict
        : alone && (fragmentedOver(alone, FRAGMENTED_SHARE) ? 'yes' : alone.atNewArena ? 'unknown' : 'no'),
      python: snapshots?.replay?.python ?? null,
      largestCaptureBytes: totals?.length ? Math.max(...totals.map((t) => t.size)) : null,
      // A peak is never below a traced total: CPython 3.8's runs record a peak only where it rose past
      // the last one (11 of 13 captures had none, and a "traced peak" of 497 KiB stood by 3414 KiB).
      tracedPeakBytes: tracedPeaks.length ? Math.max(...tracedPeaks, ...(totals ?? []).map((t) => t.size)) : null,
    },
    gaps: gaps(set, replayed, beyond),
    snapshots,
    memory,
    lineReports: set.lineReports.map((l) => lineReportSection(l, leaks)),
    runs: set.runs ?? [],
    ...(apart ? { allocatorApart: apart } : {}),
    allocatorStats,
  };
}

/** The measure of allocator reports given without snapshots: the last one whose table is complete. */
export function reportsAloneMeasure(reports: ReportData['allocatorStats'], apart = false): FragmentationMeasure | null {
  return (
    judgedOf(
      reports,
      (a) => a.fragmentation,
      (a) => a.label,
      apart,
    )?.fragmentation ?? null
  );
}
