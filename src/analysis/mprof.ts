// Figures of mprof time series, as memory_profiler's own tools compute them.

import { childName, childrenPerSample, type MemorySeries, mainName, type Samples } from '../model/memory-series.js';
import { UsageError } from '../util/errors.js';
import type { Verdict } from './leaks.js';
import { medianRise } from './select.js';
import { confidenceOf, envelopePoints, median, type Slope, theilSen } from './trend.js';

export interface PeakResult {
  /** max of the main process's MEM samples (what `mprof peak` prints), or null if there are none. */
  readonly peakMiB: number | null;
  /** Per child pid, in order of first appearance: max of its CHLD samples. */
  readonly children: readonly { readonly pid: number; readonly peakMiB: number }[];
}

function max(a: Float64Array): number | null {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return a.length ? m : null;
}

/**
 * `mprof peak [--func NAME]`: the largest MEM sample; with a function name, only samples taken
 * while a call of it ran (start <= t <= end, inclusive, as mprof filters). Child peaks are never
 * added to the main one. null when no sample qualifies (mprof prints NaN for an unknown name).
 */
export function mprofPeak(s: MemorySeries, func?: string): PeakResult {
  const children = [...s.children].map(([pid, c]) => ({ pid, peakMiB: max(c.mib)! }));
  if (func === undefined) return { peakMiB: max(s.samples.mib), children };
  const spans = s.functions.filter((f) => f.name === func);
  let m: number | null = null;
  const { t, mib } = s.samples;
  for (let i = 0; i < t.length; i++) {
    if (spans.some((f) => f.tStart <= t[i]! && t[i]! <= f.tEnd) && (m === null || mib[i]! > m)) m = mib[i]!;
  }
  return { peakMiB: m, children };
}

/**
 * The peak of the program with its child processes (what `report` and `gate` take): MEM's when it
 * counts them, else the highest of MEM and the children measured with it (`mprof run -M`: two workers
 * holding 400 MiB each passed `gate --max-peak 300MiB` at the parent's 11 MiB). Without children,
 * what `mprof peak` prints.
 */
export function peakWithChildren(m: MemorySeries): number | null {
  const main = mprofPeak(m).peakMiB;
  // No MEM sample (every one -1, none measured): no peak, as the children measured together are not known.
  if (m.mainIncludesChildren || !m.children.size || main === null) return main;
  const children = childrenPerSample(m);
  let peak = main;
  // Each figure has mprof's 6 decimals, and so has their sum: rounded there (330.41015600000003 read
  // in JSON where the lines add up to 330.410156).
  for (let i = 0; i < children.length; i++) {
    peak = Math.max(peak, Math.round((m.samples.mib[i]! + children[i]!) * 1e6) / 1e6);
  }
  // Children measured outside any round (before the first MEM line): their own peaks.
  for (const c of m.children.values()) for (const v of c.mib) peak = Math.max(peak, v);
  return peak;
}

/**
 * The peak report and gate take (peakWithChildren), or the program's own peak RSS at exit where an
 * `arenascope run` recorded one above it: its samples missed it (MemorySeries.exitPeakMiB).
 */
export function programPeak(m: MemorySeries): {
  peakMiB: number | null;
  sampledMiB: number | null;
  /** Every sample was taken before the program began (the interpreter starting): no peak of it. */
  beforeProgram: boolean;
} {
  const sampled = peakWithChildren(m);
  const exit = m.exitPeakMiB;
  if (sampled !== null && exit !== undefined && exit > sampled)
    return { peakMiB: exit, sampledMiB: sampled, beforeProgram: false };
  const { t } = m.samples;
  if (exit === undefined && m.programStart !== undefined && t.length && t[t.length - 1]! < m.programStart)
    return { peakMiB: null, sampledMiB: null, beforeProgram: true };
  // mprof run samples as it starts the program, then after each interval: a run with that one sample
  // ended within its first interval, unmeasured (`mprof run -T 1.5` of a 1.3 s program read 0.08 MiB,
  // and `gate --max-peak 1MiB` passed it).
  if (exit === undefined && m.programStart === undefined && t.length === 1 && !m.children.size)
    return { peakMiB: null, sampledMiB: null, beforeProgram: true };
  return { peakMiB: sampled, sampledMiB: null, beforeProgram: false };
}

/** First and last sample times over the main process and its children. */
export function timeSpan(s: MemorySeries): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const { t } of [s.samples, ...s.children.values()]) {
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!;
      if (x < start) start = x;
      if (x > end) end = x;
    }
  }
  return start <= end ? { start, end } : null;
}

/**
 * What the RSS of an mprof process did: a snapshot verdict, or 'retention': the troughs rose to meet
 * peaks that stayed flat, i.e. the allocator kept freed memory for reuse; RSS alone cannot tell it
 * from live data growing inside a shrinking working set (see `next`).
 */
/** 'unjudged': too few samples after the warm-up to tell a trend (see memoryTrend). */
export type MemoryVerdict = Verdict | 'retention' | 'unjudged';

/** Whether a run's fitted rates say what it does: not for one that rose and fell back or stopped, nor one not judged. */
export const rated = (v: MemoryVerdict): boolean => v !== 'transient' && v !== 'plateau' && v !== 'unjudged';

export interface MemoryTrend {
  /** 'main', or 'child <pid>'. */
  readonly name: string;
  readonly verdict: MemoryVerdict;
  readonly confidence: number;
  /** Samples with memory: those of 0 MiB at the end (the process had gone) are `goneSamples`. */
  readonly samples: number;
  readonly goneSamples: number;
  readonly durationSeconds: number;
  /** Of the duration, gaps between samples the windows leave out (a machine asleep; see activeTime). */
  readonly pausedSeconds: number;
  /** Samples before this many seconds from the start are the warm-up and are not judged (nor
   * the last 5% of the run, when a process frees memory as it shuts down). */
  readonly warmupSeconds: number;
  /**
   * The warm-up is the interpreter's start-up, up to the run's start capture (longer than a tenth of
   * the run): judged so when memory did not grow once the program began (see memoryTrend).
   */
  readonly warmupIsStartup: boolean;
  /** The warm-up is a pytest run's start-up and collection, up to its first test (TrendOptions.testsBegan). */
  readonly warmupIsCollection?: boolean;
  /** Measured: the largest sample of the run (what `mprof peak` prints). */
  readonly peakMiB: number;
  /**
   * A pytest run's session end, after its last test: this many seconds of samples left out of the
   * verdict (MemorySeries.programEnd).
   */
  readonly sessionEndSeconds?: number;
  /** Seconds from an `arenascope run`'s exit capture to the last sample, not judged (MemorySeries.exitCapture). */
  readonly exitCaptureSeconds?: number;
  /**
   * Measured: the floor (the lowest sample of a window; of 5 windows or more, of a window and its
   * neighbours) of the first and of the last window judged.
   */
  readonly floorStartMiB: number;
  readonly floorEndMiB: number;
  /** Measured: the ceiling (the highest sample, likewise) of the first and of the last window judged. */
  readonly ceilingStartMiB: number;
  readonly ceilingEndMiB: number;
  /**
   * Fitted: Theil-Sen slope of the floor after the warm-up, the rate at which memory is kept; null
   * where a straight line over the run says nothing true (released, plateau, not judged: a run that
   * kept 20 MiB and gave 30 back read +713 MiB/min).
   */
  readonly trendMiBPerMin: number | null;
  /** Fitted: Theil-Sen slope of the ceiling after the warm-up, the rate at which the peaks rise; null as above. */
  readonly ceilingTrendMiBPerMin: number | null;
  /** Measured, per window after the warm-up: the floor (lower envelope of window minima) and the
   * ceiling (upper envelope of window maxima): the evidence. */
  readonly floorMiB: readonly number[];
  readonly ceilingMiB: readonly number[];
  /** A plateau: seconds from the start of the run after which floor and ceiling stayed level. */
  readonly settledAtSeconds: number | null;
  /**
   * A leak or a step that began after memory stayed level: seconds from the start of the run where
   * it began (the rates are fitted from there); null when judged over the whole span.
   */
  readonly risingFromSeconds: number | null;
  /** A leak seen in the troughs (floor) alone, under peaks (a working set) that hide it. */
  readonly troughsOnly: boolean;
  /**
   * A leak seen in the last window alone: it holds the peak, above every window before, whatever
   * they did (risingFromSeconds is where that window's rise began, not the end of a level stretch).
   */
  readonly peakAtEnd: boolean;
  /** With a limit and a leak: seconds after the last sample until the ceiling's trend reaches it. */
  readonly reachesLimitInSeconds: number | null;
  /** The next step: what would confirm the verdict or find its cause. */
  readonly next: string;
  /**
   * A run's main process whose captures measured what they kept of the resident memory: their total over
   * the judged span, in MiB (MemorySeries.capturesKept). Said beside the verdict, never taken from the rise.
   */
  readonly capturesKeptMiB?: number;
}

export interface TrendOptions {
  /** Seconds of warm-up to leave out (default: the first 10% of the run). */
  readonly warmupSeconds?: number;
  /**
   * Without warmupSeconds: the time (on the samples' clock) the program's own code began; the samples
   * before it may be left out too, when longer than a tenth of the run (see memoryTrend and
   * MemorySeries.programStart).
   */
  readonly programStart?: number;
  /**
   * programStart is when a pytest run's tests began (MemorySeries.testsBegan): a span of its tests too
   * short to judge is judged so, not by the whole run, whose rise is pytest loading.
   */
  readonly testsBegan?: boolean;
  /** Growth, in MiB, that counts (default: the larger of 1 MiB and 5% of the first floor). */
  readonly minGrowthMiB?: number;
  readonly limitMiB?: number;
  /**
   * A child process's series: a --warmup that leaves it under 3 samples leaves it not judged, where the
   * program's own is refused (one short-lived child stopped the whole command, h291).
   */
  readonly child?: boolean;
}

interface Envelope {
  readonly t: readonly number[];
  /** Window minima and maxima, each smoothed with its neighbours. */
  readonly floor: readonly number[];
  readonly ceiling: readonly number[];
  /** Per window, its maximum minus its minimum (not smoothed, which would widen it during a rise). */
  readonly gap: readonly number[];
  /** Windows left out at the ends (the first and last, one neighbour each), when they were. */
  readonly edges?: number;
  /**
   * The second largest of the samples' separate falls (recurringFall), over the judged span but its last
   * sample (the exit's): memory given back more than once. Troughs that rise to meet the peaks are memory
   * freed and kept, again and again; without falls there were no troughs, only a rise the windows cut.
   */
  readonly fell?: number;
}

interface Fit {
  readonly all: Slope;
  /** The line over the last third (two points at least). */
  readonly tail: Slope;
  /** Rise of the line over the span. */
  readonly growth: number;
  /** Change of level: median of the last third of the points minus that of the first third. A
   * step that stays level for most of the run has a line of slope ~0 (the median of pairwise
   * slopes), yet it rose. */
  readonly level: number;
}

function envelopeFit(t: readonly number[], v: readonly number[]): Fit {
  const n = v.length;
  const k = Math.min(Math.floor((2 * n) / 3), n - 2);
  const q = Math.ceil(n / 3);
  const all = theilSen(t, v);
  const level = median(v.slice(n - q)) - median(v.slice(0, q));
  return { all, tail: theilSen(t.slice(k), v.slice(k)), growth: all.slope * (t[n - 1]! - t[0]!), level };
}

/**
 * The floor's fit up to its highest window, when that window is in the last third and the floor falls
 * by m or more after it (memory given back at the end); null otherwise.
 */
function floorUpToEndFall(t: readonly number[], floor: readonly number[], m: number): Fit | null {
  const n = floor.length;
  let top = 0;
  for (let i = 1; i < n; i++) if (floor[i]! >= floor[top]!) top = i;
  if (top < n - Math.ceil(n / 3) || top === n - 1 || top < 3 || floor[n - 1]! > floor[top]! - m) return null;
  return envelopeFit(t.slice(0, top + 1), floor.slice(0, top + 1));
}

/** Still rising at the end: the rise is consistent and the last third keeps half the rate or more. */
function stillRising(f: Fit, minGrowth: number): boolean {
  return f.growth >= minGrowth && f.all.risingShare >= 0.7 && f.tail.slope >= f.all.slope / 2;
}

/**
 * Where a curve that stayed level starts to rise for good: the last window at its level before (the
 * median of its first half, within m/2), when what follows, three windows or more, rose by m or more
 * above that level and ends at its highest, and what comes before stayed level (within m, or a
 * quarter of the rise: noise beside a large step; rising at a quarter of the rate after it at most).
 * null otherwise: a rise from the start is judged whole.
 */
function onset(v: readonly number[], m: number): number | null {
  const n = v.length;
  const level = median(v.slice(0, Math.ceil(n / 2)));
  let k = n - 1;
  while (k >= 0 && v[k]! > level + m / 2) k--;
  if (k < 1 || n - k < 3) return null;
  const top = Math.max(...v.slice(k));
  const rise = top - level;
  const before = v.slice(0, k + 1);
  // Level: within m, or noise of a quarter of the rise; and not rising itself at a quarter of the rate
  // of what follows (a floor rising from its first window, 14.5, 17.4, 19.8 ... 33.6 MiB, read "level
  // until 2.0 s, then rose": helper h138).
  const steady =
    Math.max(...before) - Math.min(...before) <= Math.max(m, rise / 4) &&
    (v[k]! - v[0]!) / Math.max(1, k) <= (top - v[k]!) / (n - 1 - k) / 4;
  return steady && rise >= m && v[n - 1]! >= top - m / 2 ? k : null;
}

/**
 * Classifies a sampled process by its floor (the troughs: memory kept between iterations) and its
 * ceiling (the peaks: kept memory plus the working set). Window extremes are noisy, so it is
 * judged on robust fits, not on steps. With m the minimum growth, rise/fall measured from the
 * first window to the highest and from the highest to the last, g the growth of a Theil-Sen line
 * over the span, and "rose" a change of level of m or more between the first and last thirds:
 * - transient (released): the ceiling rose m and fell back by m and by half its rise or more,
 *   unless the floor is still rising (a one-off spike on a leak); or the same of the floor, unless
 *   the ceiling is still rising;
 * - leak: the ceiling is still rising at the end (g >= m, 70% of point pairs rise, the last third
 *   at half the rate or more); its confidence is halved when the floor did not rise with it;
 * - retention: the floor rose under a ceiling that did not (or that stopped while the floor still
 *   rises), closing the gap between them by m and by half the floor's rise or more: the troughs
 *   meet the peaks (a plateau or a leak lifts both, and the gap, the working set, stays);
 * - plateau: the ceiling or the floor rose, then stopped;
 * - shrinking: either fell by m or more (change of level); else stable.
 */
export interface EnvelopeVerdict {
  readonly verdict: MemoryVerdict;
  readonly confidence: number;
  /**
   * A rise that began after the curve stayed level (a leak or a step late in the run): the window it
   * is judged from (the last level one), null when judged over the whole span.
   */
  readonly from: number | null;
  /** A leak seen in the troughs alone: the peaks, a working set far larger, hide it. */
  readonly troughs?: boolean;
  /** A leak seen in the last window alone (endsAtPeak): `from` is where it took its peak, with no level before. */
  readonly endPeak?: boolean;
}

export function classifyEnvelope(e: Envelope, minGrowth: number): EnvelopeVerdict {
  const whole = classifyWhole(e, minGrowth);
  if (whole.verdict === 'leak' || whole.verdict === 'transient' || whole.verdict === 'retention') {
    return whole.verdict === 'leak' ? bestLeak(e, minGrowth, whole) : whole;
  }
  // A rise confined to the end of the run: Theil-Sen lines and thirds' medians take it for outliers
  // (a leak over the last fifth, still rising when the run ended, read "stable, confidence 1"; a
  // 100 MiB step at 85% of the run, "no change of 1 MiB"). Judged from where it began.
  const late = lateRise(e, minGrowth);
  return late ?? endsAtPeak(e, minGrowth) ?? whole;
}

/**
 * A run whose last window holds its peak, m or more above every window before it: memory rose at the
 * end and was not given back (a run killed at 4.3 GiB after 1.1 GiB read "released", for what it had
 * given back earlier; one that took 400 MiB in its last half second, "shrinking"). A leak from the
 * window before, at a confidence the gate does not count (below 0.5): one window cannot tell a leak
 * from a last allocation.
 */
function endsAtPeak(e: Envelope, m: number): EnvelopeVerdict | null {
  const n = e.ceiling.length;
  if (n < 3 || e.ceiling[n - 1]! < Math.max(...e.ceiling.slice(0, -1)) + m) return null;
  return { verdict: 'leak', confidence: confidenceOf(0.45 * (n / (n + 4))), from: n - 2, endPeak: true };
}

// The envelope from window k on.
function from(e: Envelope, k: number): Envelope {
  const { fell } = e;
  const later = { t: e.t.slice(k), floor: e.floor.slice(k), ceiling: e.ceiling.slice(k), gap: e.gap.slice(k) };
  return fell === undefined ? later : { ...later, fell };
}

// A leak over the whole span, or from where the ceiling began to rise when that says more (a leak
// that began mid-run: its line over the whole span is half flat, 0.49, and the gate passed it).
// Or a plateau from there: a rise between 55% and 80% of the run, level since, was a leak over the
// whole span (0.59: its last third still held part of the rise), and the gate failed it.
function bestLeak(e: Envelope, m: number, whole: EnvelopeVerdict): EnvelopeVerdict {
  const k = onset(e.ceiling, m);
  if (k === null) return whole;
  const later = classifyWhole(from(e, k), m, true);
  if (later.verdict === 'leak' && later.confidence > whole.confidence) return { ...later, from: k };
  // Only a rise that stopped: over the last third of the span from there the ceiling rose less than m
  // (a leak slowing from 8 to 1 MiB/s read "rose and stopped", and the gate passed). Not the floor:
  // smoothed, it lags the ceiling by a window or two.
  const n = e.t.length;
  const tail = Math.max(k, n - Math.ceil((n - k) / 3) - 1);
  const level = e.ceiling[n - 1]! - e.ceiling[tail]! < m;
  return later.verdict === 'plateau' && level && later.confidence >= whole.confidence ? { ...later, from: k } : whole;
}

function lateRise(e: Envelope, m: number): EnvelopeVerdict | null {
  const k = onset(e.ceiling, m) ?? onset(e.floor, m);
  if (k === null) return null;
  const later = classifyWhole(from(e, k), m, true);
  if (later.verdict !== 'leak' && later.verdict !== 'plateau') return null;
  return { ...later, from: k };
}

/**
 * The verdict over the span given. `late`: the span is a late rise's, from where the ceiling began to
 * rise; the floor lags it by the windows its minima are smoothed over, so a floor that rose by the
 * growth that counts by the span's end agrees with the rise (read as not rising, a late leak's
 * confidence was halved below the gate's: 0.26 of 150 MiB kept).
 */
function classifyWhole(e: Envelope, minGrowth: number, late = false): EnvelopeVerdict {
  const { t, floor, ceiling } = e;
  const n = t.length;
  if (n < 3) return { verdict: 'stable', confidence: 0, from: null };
  const m = minGrowth;
  // The support of n windows. Three left of five (the ends left out) count as four, as four windows
  // not cut do: the cap was not monotone in the run's length (a steady leak of 5 MiB/s failed the gate
  // over 12 s, 25 samples, and passed over 15 s, 31: capped at 0.43).
  const judged = e.edges ? Math.max(n, Math.min(4, n + e.edges)) : n;
  const support = judged / (judged + 4);
  const consistency = (s: Slope): number => Math.abs(s.risingShare - 0.5) * 2; // 0: no trend, 1: all agree
  const shape = (v: readonly number[]) => {
    const top = Math.max(...v);
    return { rise: top - v[0]!, fall: top - v[n - 1]! };
  };
  const c = shape(ceiling);
  const f = shape(floor);
  const back = (x: { rise: number; fall: number }): boolean =>
    x.rise > 0 && x.rise >= m && x.fall >= Math.max(m, x.rise / 2);
  const fc = envelopeFit(t, ceiling);
  const ff = envelopeFit(t, floor);
  if ((back(c) && !stillRising(ff, m)) || (back(f) && !stillRising(fc, m))) {
    const x = back(c) ? c : f;
    return { verdict: 'transient', confidence: confidenceOf(Math.min(1, x.fall / x.rise) * support), from: null };
  }
  if (stillRising(fc, m)) {
    // A first window above every later one is start-up (children starting, imports) left past the
    // warm-up: the rise is judged on the rest too (a 100 MiB leak under --include-children read 0.33).
    const spike = n > 3 && ceiling[0]! > Math.max(...ceiling.slice(1));
    const ceilingRise = Math.max(
      consistency(fc.all),
      spike ? consistency(envelopeFit(t.slice(1), ceiling.slice(1)).all) : 0,
    );
    // A floor that falls at the end (a child, or the process, exiting within the judged span) is
    // judged up to its highest window: the fall is no evidence against the rise before it (a leaking
    // child that exited a second before its parent read 0.38, and the gate passed).
    const fr = floorUpToEndFall(t, floor, m) ?? ff;
    // Both still rising at their last window: a cache that filled late and settled has its peaks
    // level there while its floor catches up (it read as a leak of 0.65 two seconds after it settled).
    const lagging =
      late && floor[n - 1]! - floor[0]! >= m && floor[n - 1]! > floor[n - 2]! && ceiling[n - 1]! > ceiling[n - 2]!;
    const withFloor = lagging
      ? ceilingRise
      : fr.level >= m
        ? Math.min(ceilingRise, consistency(fr.all))
        : ceilingRise / 2;
    return { verdict: 'leak', confidence: confidenceOf(withFloor * support), from: null };
  }
  const closing = -envelopeFit(t, e.gap).level;
  // How far the troughs closed the gap to the peaks they started under.
  const gap0 = median(e.gap.slice(0, Math.ceil(n / 3)));
  const closed = gap0 > 0 ? Math.min(1, closing / gap0) : 0;
  // Troughs still rising at the end under peaks that do not, far from meeting them: memory kept
  // between iterations grows, under a working set (spikes of 150 MiB) that hides it; retention would
  // close the distance (the troughs rose 11 MiB under 150 MiB spikes: "retention", "plateau"; gate
  // passed). The distance between the envelopes: a window's own extremes miss the spikes of others.
  const third = Math.ceil(n / 3);
  const apart = median(ceiling.slice(0, third)) - median(floor.slice(0, third));
  // The rise as fitted over the span too: the thirds' medians see about 5/7 of a steady rise over 8
  // windows, and a retention of 3-4 s sampled each 0.05 s (troughs 27 -> 47 MiB under peaks flat at
  // 63.9 MiB, arenas pinned by 90 tuples) read as a leak of 0.67 whose troughs were far from the peaks.
  if (stillRising(ff, m) && Math.max(ff.level, ff.growth) < apart / 2) {
    return { verdict: 'leak', confidence: confidenceOf(consistency(ff.all) * support), from: null, troughs: true };
  }
  // Only where memory fell: a fill then idle sampled every 0.5 s, in 3 windows (a floor 25.6, 37.6,
  // 41.9 MiB under 35.6, 41.9, 41.9), closed the gaps its rise made in them, and read "retention …
  // memory kept by the allocator" where no sample ever fell (h313).
  const freed = (e.fell ?? Infinity) >= m;
  if (freed && ff.level >= m && (fc.level < m || stillRising(ff, m)) && closing >= Math.max(m, ff.level / 2)) {
    return {
      verdict: 'retention',
      confidence: confidenceOf(consistency(ff.all) * support * (0.5 + closed / 2)),
      from: null,
    };
  }
  // A floor that rose m after the warm-up and held, with its rise inside the first third (so the
  // thirds' medians see none of it), whatever its ceiling did after the rise's top: it rose, then
  // stopped, and gave nothing back (1.5M tuples freed but for 1 in 200, RSS 89 -> 273 MiB
  // under a peak of 285, read "shrinking: memory given back over the run", h352).
  if (ff.level < m && fc.level < m && floor[n - 1]! - floor[0]! >= m && f.fall < m) {
    return { verdict: 'plateau', confidence: confidenceOf(support), from: null };
  }
  if (fc.level >= m || ff.level >= m) {
    // How much of the rise the last third still adds: 0 when it stopped.
    const x = fc.level >= m ? fc : ff;
    const still = Math.max(0, x.tail.slope * (t[n - 1]! - t[0]!)) / x.level;
    return { verdict: 'plateau', confidence: confidenceOf((1 - still) * support), from: null };
  }
  if (ff.level <= -m || fc.level <= -m) {
    const x = ff.level <= -m ? ff : fc;
    return { verdict: 'shrinking', confidence: confidenceOf(consistency(x.all) * support), from: null };
  }
  return {
    verdict: 'stable',
    confidence: confidenceOf(1 - Math.max(Math.abs(ff.level), Math.abs(fc.level)) / m),
    from: null,
  };
}

const mib = (x: number): string => `${x.toFixed(1)} MiB`;

/** The next step for a verdict: the capture, flag or function that would confirm it or fix it. */
function nextStep(
  verdict: MemoryVerdict,
  r: {
    confidence: number;
    floorRose: boolean;
    ceilingEndMiB: number;
    peakMiB: number;
    minGrowthMiB: number;
    /** How far the floor moved from its first window to its last. */
    floorMovedMiB: number;
  },
  warmup: number | null,
  duration: number,
  call: RetainingCall | undefined,
): string {
  const longer = r.confidence < 0.5 ? '; a longer capture would settle it' : '';
  const look = call ? `; look first at ${call.name}, whose calls ended holding up to +${mib(call.retainedMiB)}` : '';
  switch (verdict) {
    case 'leak':
      return r.floorRose
        ? 'take tracemalloc snapshots during a run (Snapshot.dump() every few seconds) and run ' +
            `\`arenascope leaks\` on them to find the line that keeps it${look}${longer}`
        : 'the peaks rise but not the troughs: a working set that grows at each iteration; ' +
            `\`arenascope diff\` of tracemalloc snapshots taken at two peaks shows which${look}${longer}`;
    case 'retention':
      return (
        `capture longer: retention stops at the peak (${mib(r.ceilingEndMiB)}), a leak would pass it; ` +
        '`arenascope replay --allocator-stats` on tracemalloc snapshots shows what the allocator keeps' +
        look
      );
    case 'plateau':
      return (
        'a warm-up or a bounded cache: check that it stays flat with a longer capture' +
        (warmup !== null ? `, or judge the rest with \`arenascope leaks --warmup ${warmup}\`` : '')
      );
    case 'transient':
      return (
        `memory was given back; if the peak (${mib(r.peakMiB)}) matters, ` +
        'bound it with `arenascope gate --max-peak`'
      );
    case 'shrinking':
      return 'memory was given back over the run: nothing to fix';
    default:
      // A floor that moved by the growth that counts, not as a trend (a step early, then level):
      // "no change" under "floor 21.9 -> 51.5 MiB" was false.
      if (Math.abs(r.floorMovedMiB) >= r.minGrowthMiB)
        return (
          `the floor moved by ${mib(Math.abs(r.floorMovedMiB))} but not as a trend (a step, then level): ` +
          'not a leak over this capture; a longer capture would show whether it holds'
        );
      return (
        `no change of ${mib(r.minGrowthMiB)} or more (the growth that counts) over ${duration < 10 ? duration.toFixed(1) : Math.round(duration)} s; ` +
        'a slower leak needs a longer capture or `arenascope leaks` with a lower `--min-growth`'
      );
  }
}

/**
 * The samples judged after a warm-up of `warmup` seconds, [start, end): the last 5% are left out too,
 * as a process frees much of its memory as it shuts down; but not up to a sample there above every one
 * judged (a run that ended at its peak, 1.1 GiB to 4.3 GiB at its last sample, read "released": what it
 * had given back 3 s before).
 */
function judgedSpan(s: Samples, n: number, warmup: number): [number, number] {
  const { t, mib } = s;
  const t0 = t[0] ?? 0;
  const duration = n ? t[n - 1]! - t0 : 0;
  let start = 0;
  while (start < n - 1 && t[start]! - t0 < warmup) start++;
  let end = n;
  while (end > start + 3 && t[end - 1]! > t0 + duration * 0.95) end--;
  let top = Number.NEGATIVE_INFINITY;
  for (let i = start; i < end; i++) top = Math.max(top, mib[i]!);
  for (let i = end; i < n; i++) if (mib[i]! > top) [top, end] = [mib[i]!, i + 1];
  return [start, end];
}

/**
 * Seconds of the judged clock (`active`, see activeTime) from the first sample to the first one taken
 * at or after `programStart` (on the recorded clock).
 */
function startupSeconds(recorded: Float64Array, active: Float64Array, n: number, programStart: number): number {
  if (!n) return 0;
  let i = 0;
  while (i < n - 1 && recorded[i]! < programStart) i++;
  return active[i]! - active[0]!;
}

/**
 * The `--warmup` that judges a run from where it settled, in whole seconds after it (the window it is
 * told from spans a fraction of a second: tenths started while memory still rose, and read a
 * retention), when that leaves enough to judge (a run of 0.3 s was told `--warmup 1`, which leaves nothing).
 */
function warmupFrom(settledAt: number | null, s: Samples, n: number): number | null {
  if (settledAt === null) return null;
  const w = Math.ceil(settledAt);
  const [start, end] = judgedSpan(s, n, w);
  return end - start >= 3 ? w : null;
}

/**
 * Memory trend of one sampled process: after the warm-up, the minimum and the maximum of each of
 * up to 30 time windows (the floor, which a garbage-collection sawtooth does not lift, and the
 * ceiling, which it does not lower) are classified; their Theil-Sen slopes give the rates. The
 * figures printed as measured are samples; only the rates and the time to a limit are fitted.
 * `calls`: the @profile calls that kept memory (keptCalls), the most first: the first that ended in the
 * span judged is named in the next step.
 */
export function memoryTrend(
  name: string,
  recorded: Samples,
  opts: TrendOptions = {},
  calls: readonly RetainingCall[] = [],
): MemoryTrend {
  const whole = judgeTrend(name, recorded, opts, calls, null);
  if (opts.warmupSeconds !== undefined || opts.programStart === undefined) return whole;
  // The interpreter starting up (site, its imports) is no part of the program: on a loaded machine it
  // filled most of a 0.5 s run, its rise of 13 MiB read a leak at 0.5 and the gate failed a steady
  // program. Judged from the start capture on, that rise is left out; but few samples are left to a
  // short program, too few for a verdict sure enough to count (a leak of 5 MiB/s for 3 s after a 2 s
  // start-up read 0.43, and the gate passed it). So a leak over the whole run stands, unless memory
  // rose by less than the growth that counts once the program began: then the rise was the start-up's.
  const n = present(recorded);
  if (!n || opts.programStart < recorded.t[0]!) return whole;
  const own = judgeTrend(name, recorded, opts, calls, opts.programStart);
  // Every sample taken before the program began: the interpreter's start-up alone, nothing of the
  // program's to judge (`run -- python3 -c pass` read "LEAK" of its 10 MiB start-up).
  if (opts.programStart > recorded.t[n - 1]!) return own;
  if (own.warmupSeconds <= whole.warmupSeconds) return whole;
  // The program's own span decides: a leak there is one (the surer of the two; a program that freed what
  // its start-up took read "released" over the whole run, and its leak passed the gate); judged and no
  // leak, none (a 6 MiB load after a slow start-up read a leak over the whole run). Too short to judge
  // (or "stable" unsure: 2.5 MiB kept in 0.5 s), the whole run's leak stands when memory rose by the
  // growth that counts once the program began.
  // Of a pytest run, its tests' span alone: the whole run is surer of a leak by pytest loading.
  if (own.verdict === 'leak')
    return !opts.testsBegan && whole.verdict === 'leak' && whole.confidence > own.confidence ? whole : own;
  if (own.verdict !== 'unjudged' && !(own.verdict === 'stable' && own.confidence < 0.5)) return own;
  // Not a pytest run's: its rise before the tests is pytest loading, and what the tests' capture costs
  // (a snapshot of every trace after each test) raises RSS in a span too short to judge (2 tests keeping
  // nothing, 1 s: a leak of 0.50 over the whole run, and the gate failed).
  return whole.verdict === 'leak' && !opts.testsBegan && grewAfter(recorded, n, opts) ? whole : own;
}

// Samples with memory: mprof records 0 once the process has gone, and such trailing samples are not memory.
function present(recorded: Samples): number {
  let n = recorded.t.length;
  while (n > 0 && recorded.mib[n - 1]! <= 0) n--;
  return n;
}

/**
 * A growth that counts is more than none: a byte at least (--min-growth 0 read a run flat within a page
 * as a leak: helper h350).
 */
const countedMiB = (m: number | undefined): number | undefined => (m === undefined ? m : Math.max(m, 2 ** -20));

/** Whether memory rose by the growth that counts (as memoryTrend's default) after `opts.programStart`. */
function grewAfter(recorded: Samples, n: number, opts: TrendOptions): boolean {
  let i = 0;
  while (i < n - 1 && recorded.t[i]! < opts.programStart!) i++;
  const from = recorded.mib[i]!;
  let top = from;
  for (let j = i; j < n; j++) top = Math.max(top, recorded.mib[j]!);
  return top - from >= (countedMiB(opts.minGrowthMiB) ?? Math.max(1, 0.05 * from));
}

/**
 * The second largest of a value's separate falls (a peak and the trough after it, ended when the value
 * rose back half that fall): troughs are falls that recur. A fill then idle with one 40 MiB temporary
 * freed during the fill (sampled each 0.05 or 0.5 s) fell once, and read "retention" (h316).
 */
function recurringFall(v: Float64Array): number {
  const drops: number[] = [];
  let top = Number.NaN;
  let low = Number.NaN;
  for (const x of v) {
    if (Number.isNaN(top)) {
      top = low = x;
    } else if (x < low) {
      low = x;
    } else if (top > low && x - low >= (top - low) / 2) {
      drops.push(top - low);
      top = low = x;
    } else if (top === low && x > top) {
      top = low = x;
    }
  }
  if (top > low) drops.push(top - low);
  drops.sort((p, q) => q - p);
  return drops[1] ?? 0;
}

/**
 * memoryTrend after the warm-up asked for, else the first tenth of the run; or, with `programStart`
 * (on the recorded clock), from the first sample at or after it.
 */
function judgeTrend(
  name: string,
  recorded: Samples,
  opts: TrendOptions,
  calls: readonly RetainingCall[],
  programStart: number | null,
): MemoryTrend {
  const n = present(recorded);
  const wall = n ? recorded.t[n - 1]! - recorded.t[0]! : 0;
  // Judged on the time the sampler ran (see activeTime): the durations said are the clock's.
  const { samples: s, paused } = activeTime(recorded, n);
  const t0 = s.t[0] ?? 0;
  const duration = n ? s.t[n - 1]! - t0 : 0;
  const warmupIsStartup = programStart !== null;
  const warmup = Math.min(
    opts.warmupSeconds ?? (warmupIsStartup ? startupSeconds(recorded.t, s.t, n, programStart) : duration * 0.1),
    duration,
  );
  const [start, end] = judgedSpan(s, n, warmup);
  // A warm-up asked for that leaves too little to judge is the question's mistake, not a stable run.
  if (end - start < 3 && n >= 3 && opts.warmupSeconds !== undefined && !opts.child) {
    throw new UsageError(
      `--warmup ${opts.warmupSeconds} leaves ${end - start} of the ${n} samples of ${name} to judge ` +
        `(the run lasts ${duration.toFixed(1)} s; 3 or more are needed)`,
    );
  }
  // A run so short that under 3 samples remain is not judged: its warm-up cannot be told from a
  // trend (3 samples rising by 1 GiB in 2 s were 'stable': two points, no trend).
  const unjudged = end - start < 3;
  const t = s.t.subarray(start, end);
  const v = s.mib.subarray(start, end);
  // Windows of 15 samples or more, then the lower (upper) envelope of each window and its
  // neighbours, so that a window that falls on a tooth (between teeth) of a sawtooth does not
  // count as the floor (ceiling). A short run gets up to 10 windows of 5 samples or more.
  // (Under 20 samples, 3 windows cap a verdict's support below the gate's 0.5: a steady leak sampled
  // each second for 20 s is not counted, as a 2 s run's start-up rise on a loaded machine is not.)
  const few = Math.min(10, Math.floor(t.length / 5));
  const windows = Math.max(3, few, Math.min(30, Math.floor(t.length / 15)));
  const env = envelopePoints(t, v, windows, t.length < 2 * windows);
  const lo = { t: env.t, v: env.lo };
  const hi = { t: env.t, v: env.hi };
  // The first and last windows have one neighbour: while the curve rises, the first floor repeats
  // and so does the last ceiling, which would read as a start or an end that stopped rising. With
  // 8 windows or more, they are left out. With fewer, each window stands alone: 3 to 7 windows each
  // merged with its neighbours would be nearly all the same (a rise of 5 GiB in a run of 24 samples
  // read as a floor that kept nothing and a flat ceiling; a 200 MiB spike freed 1.2 s before the end
  // of a run of 34 samples, 6 windows, touched all 4 shown, and read "stable" at 221.7 MiB, h250).
  const wide = lo.v.length >= 8;
  const cut = <T>(a: T[]): T[] => (wide ? a.slice(1, -1) : a);
  const smooth = (a: number[], pick: (...x: number[]) => number): number[] =>
    wide ? a.map((x, i) => pick(x, a[i - 1] ?? x, a[i + 1] ?? x)) : a;
  const e: Envelope = {
    t: cut(lo.t),
    floor: cut(smooth(lo.v, Math.min)),
    ceiling: cut(smooth(hi.v, Math.max)),
    gap: cut(hi.v.map((x, i) => x - lo.v[i]!)),
    ...(wide ? { edges: 2 } : {}),
    fell: recurringFall(v.subarray(0, -1)),
  };
  const k = e.t.length;
  const first = (a: readonly number[]): number => (k ? a[0]! : 0);
  const last = (a: readonly number[]): number => (k ? a[k - 1]! : 0);
  // Growth that counts: 5% of the start (1 MiB at least); 1 MiB when the floor rose at nearly every
  // window (8 or more), however large the process: 400 MiB growing 0.3 MiB/s for 40 s, its floor up
  // in all 20 windows, read "stable" beside its trend of +18 MiB/min.
  const minGrowth =
    countedMiB(opts.minGrowthMiB) ??
    (steadyRise(e.floor, s.mib.subarray(0, n)) ? 1 : Math.max(1, 0.05 * first(e.floor)));
  const c: EnvelopeVerdict = unjudged
    ? { verdict: 'unjudged', confidence: 0, from: null }
    : classifyEnvelope(e, minGrowth);
  // A late rise's rates are its own, fitted from where it began (over the whole span, a leak of the
  // last third read "+0.00 MiB/min").
  const j = c.from ?? 0;
  // Fitted at the times of the samples each smoothed point took its figure from (see envelopePoints).
  const atSample = (a: number[], at: number[], pick: (...x: number[]) => number): number[] =>
    wide
      ? a.map((x, i) => {
          const y = pick(x, a[i - 1] ?? x, a[i + 1] ?? x);
          return y === x ? at[i]! : y === a[i - 1] ? at[i - 1]! : at[i + 1]!;
        })
      : at;
  const floorT = cut(atSample(lo.v, env.tLo, Math.min));
  const ceilingT = cut(atSample(hi.v, env.tHi, Math.max));
  const floorFit = theilSen(floorT.slice(j), e.floor.slice(j));
  const ceilingFit = theilSen(ceilingT.slice(j), e.ceiling.slice(j));
  let reaches: number | null = null;
  if (c.verdict === 'leak' && opts.limitMiB !== undefined && ceilingFit.slope > 0 && n) {
    // 0 once a sample reached it: the trend's line may pass below the highest sample.
    const reached = (max(s.mib) ?? 0) >= opts.limitMiB;
    // From the ceiling of its last window, at the ceiling's slope: the fitted line stands half a window
    // or more above it on a rise (a window's highest sample, placed at its middle, is at its end), and
    // a ramp of 1 MiB/s at 160 MiB read 37.4 s to 200 MiB, not 40 (h303).
    reaches = reached ? 0 : Math.max(0, (opts.limitMiB - hi.v[hi.v.length - 1]!) / ceilingFit.slope);
  }
  // A plateau settles at the first window from which floor and ceiling stay near their last level.
  let settledAt: number | null = null;
  if (c.verdict === 'plateau') {
    let i = k;
    const near = (a: readonly number[], j: number): boolean => Math.abs(a[j]! - last(a)) < minGrowth / 2;
    while (i > 0 && near(e.floor, i - 1) && near(e.ceiling, i - 1)) i--;
    // The window's start: the envelope takes in its neighbours, so step back one more. Two windows
    // at the level at least: the last one alone is always at its own level (a child still rising,
    // its floor 9 MiB below the last one window before, read "level from 1.5 s on").
    // Under 8 windows each stands alone (no neighbours taken in): the level is dated at its first sample
    // (stepped back a window, a fill read "level from 1.8 s on" 6 MiB below its level, h311; at the
    // window's middle, "4.8 s" of a level sampled from 3.5 s, h312).
    const half = (t[t.length - 1]! - t[0]!) / (2 * windows);
    if (i < k - 1 && wide) settledAt = Math.max(0, e.t[Math.max(0, i - 1)]! - t0);
    else if (i < k - 1) {
      // From the start of the first window at the level, back over the samples before it already at the
      // level (within m/2 of its floor and ceiling): at the window's start, a level sampled from 4.26 s was
      // dated 4.91 s (h313).
      const [lo, hi] = [last(e.floor) - minGrowth / 2, last(e.ceiling) + minGrowth / 2];
      let f = t.findIndex((x) => x >= e.t[i]! - half);
      if (f < 0) f = t.length - 1;
      while (f > 0 && v[f - 1]! >= lo && v[f - 1]! <= hi) f--;
      settledAt = Math.max(0, t[f]! - t0);
    }
  }
  const peak = max(s.mib) ?? 0;
  // Rose: by its last window, or by the last third's highest when it fell at the end (given back).
  const lateFloor = k ? Math.max(...e.floor.slice(k - Math.ceil(k / 3))) : 0;
  const floorRose = Math.max(last(e.floor), lateFloor) - first(e.floor) >= minGrowth;
  const facts = {
    confidence: c.confidence,
    floorRose,
    floorMovedMiB: last(e.floor) - first(e.floor),
    ceilingEndMiB: last(e.ceiling),
    peakMiB: peak,
    minGrowthMiB: minGrowth,
  };
  return {
    name,
    verdict: c.verdict,
    confidence: c.confidence,
    samples: n,
    goneSamples: s.t.length - n,
    durationSeconds: wall,
    pausedSeconds: paused,
    warmupSeconds: warmup,
    warmupIsStartup,
    ...(warmupIsStartup && opts.testsBegan ? { warmupIsCollection: true } : {}),
    peakMiB: peak,
    floorStartMiB: first(e.floor),
    floorEndMiB: last(e.floor),
    ceilingStartMiB: first(e.ceiling),
    ceilingEndMiB: last(e.ceiling),
    trendMiBPerMin: rated(c.verdict) ? floorFit.slope * 60 : null,
    ceilingTrendMiBPerMin: rated(c.verdict) ? ceilingFit.slope * 60 : null,
    floorMiB: e.floor,
    ceilingMiB: e.ceiling,
    settledAtSeconds: settledAt,
    risingFromSeconds: c.from === null ? null : Math.max(0, e.t[c.from]! - t0),
    troughsOnly: c.troughs === true,
    peakAtEnd: c.endPeak === true,
    reachesLimitInSeconds: reaches,
    next: unjudged
      ? `${n} sample(s) with memory${n >= 3 ? `, ${end - start} after the warm-up (${opts.warmupSeconds !== undefined ? `--warmup ${opts.warmupSeconds}` : warmupIsStartup ? (opts.testsBegan ? "pytest's start-up and collection" : "the interpreter's start-up") : 'a tenth of the run'})` : ''}: ` +
        'too few to judge a trend; capture a longer run (or sample more often: mprof run -T)' +
        (n >= 3
          ? opts.warmupSeconds !== undefined
            ? ', or give a shorter --warmup'
            : ', or judge it whole with `arenascope leaks --warmup 0`'
          : '')
      : nextStep(
          c.verdict,
          facts,
          warmupFrom(settledAt, s, n),
          duration,
          // Not one of the warm-up's: a setup() that kept 50 MiB once was named over the handle() whose
          // 50 calls grew it after (h387).
          calls.find((k) => k.tEnd >= recorded.t[start]!),
        ),
  };
}

/**
 * Whether a floor rose steadily (by more than a page's noise), over 8 windows or more, and was still
 * rising at the run's end:
 * - at 90% of its steps or more, and the highest of the last tenth of samples above the highest of
 *   the tenth before (a ring buffer that filled at 52 s of 60 read a leak: the envelope leaves out
 *   the last samples);
 * - or in steps (fewer): never falling (but once or twice, rising past it after), rising 4 times
 *   or more, twice or more in the later two thirds of its windows and once in the last, its last
 *   rise no further from the end than 1.5 times the longest wait between two rises before (a 400 MiB
 *   process keeping 3 MiB every 12 s read "stable" beside a trend of +18 MiB/min; a warm-up's rises
 *   are early, a full pool's stop well before the end).
 */
function steadyRise(floor: readonly number[], mib: Float64Array): boolean {
  if (floor.length < 9) return false;
  const steps = floor.length - 1;
  const rises: number[] = [];
  const falls: number[] = [];
  for (let i = 1; i < floor.length; i++) {
    if (floor[i]! < floor[i - 1]! - 0.01) falls.push(i);
    if (floor[i]! > floor[i - 1]! + 0.01) rises.push(i);
  }
  // A fall or two (a start-up buffer freed once) the rises went on past: the floor at the end above
  // its highest before the last fall (a leak of 3 MiB every 8 s read "stable" for a 1 MiB dip).
  const before = falls.length ? Math.max(...floor.slice(0, falls[falls.length - 1]!)) : -Infinity;
  const fell = falls.length > Math.max(1, steps / 10) || floor[floor.length - 1]! <= before;
  // (A floor that rose at nearly every window is the first kind's: its end is told by the samples.)
  if (!fell && rises.length >= 4 && rises.length < 0.9 * steps) {
    const middle = rises.filter((i) => 3 * i > steps).length >= 2;
    const last = rises.some((i) => 3 * i > 2 * steps);
    let wait = 1;
    for (let k = 1; k < rises.length; k++) wait = Math.max(wait, rises[k]! - rises[k - 1]!);
    if (middle && last && steps - rises[rises.length - 1]! <= 1.5 * wait) return true;
  }
  const tenth = Math.floor(mib.length / 10);
  if (rises.length < 0.9 * steps || tenth < 2) return false;
  const top = (from: number, to: number): number => {
    let m = -Infinity;
    for (let i = from; i < to; i++) m = Math.max(m, mib[i]!);
    return m;
  };
  return top(mib.length - tenth, mib.length) > top(mib.length - 2 * tenth, mib.length - tenth) + 0.01;
}

/**
 * The samples on the time the sampler ran: a gap between two samples of 20 usual intervals and 5 s
 * or more (a laptop asleep, a stopped VM) becomes one usual interval. Windows of wall time put the
 * samples before and after an hour's sleep in the first and last windows: a leak of 60 MiB a minute
 * read "stable: nothing kept". Returns the samples (the same object when there is no such gap) and
 * the seconds left out.
 */
function activeTime(s: Samples, n: number): { samples: Samples; paused: number } {
  // No step of 5 s (the shortest gap): nothing to leave out, and no median to select (copying the
  // times into the module took ~10 ms of a report of a 281k-sample run).
  let longest = 0;
  for (let i = 1; i < n; i++) longest = Math.max(longest, s.t[i]! - s.t[i - 1]!);
  if (!(longest >= 5)) return { samples: s, paused: 0 };
  // The median step, selected in WebAssembly: a typed array's native sort of 281k steps took 50-70
  // ms of a report (a comparator's 45 ms more).
  const usual = medianRise(s.t, n);
  if (usual === null) return { samples: s, paused: 0 };
  const gap = Math.max(20 * usual, 5);
  let paused = 0;
  for (let i = 1; i < n; i++) if (s.t[i]! - s.t[i - 1]! >= gap) paused += s.t[i]! - s.t[i - 1]! - usual;
  if (!paused) return { samples: s, paused: 0 };
  const t = new Float64Array(s.t.length);
  t[0] = s.t[0]!;
  for (let i = 1; i < s.t.length; i++) {
    const d = s.t[i]! - s.t[i - 1]!;
    t[i] = t[i - 1]! + (i < n && d >= gap ? usual : d);
  }
  return { samples: { t, mib: s.mib }, paused };
}

/** A decorated function's call whose memory at exit stayed above its memory at entry. */
export interface RetainingCall {
  readonly name: string;
  readonly tStart: number;
  readonly tEnd: number;
  readonly memStartMiB: number;
  readonly memEndMiB: number;
  readonly retainedMiB: number;
}

/** FUNC spans (mprof run on @profile functions) that did not give back `minMiB` or more. */
export function retainingCalls(s: MemorySeries, minMiB = 1): RetainingCall[] {
  return s.functions
    .filter((f) => f.memEndMiB - f.memStartMiB >= minMiB)
    .map((f) => ({
      name: f.name,
      tStart: f.tStart,
      tEnd: f.tEnd,
      memStartMiB: f.memStartMiB,
      memEndMiB: f.memEndMiB,
      retainedMiB: f.memEndMiB - f.memStartMiB,
    }))
    .sort((a, b) => b.retainedMiB - a.retainedMiB);
}

/**
 * The retaining calls a next step may name, the most kept first: those whose memory was still held
 * when the next @profile call began (half of it at least), or, with none after it, at the lowest of
 * the 5 samples after it (the first, and those before the run's last 5%). A call that returns what its caller drops ends holding it, and the next call starts back
 * down: named, it hid the function that kept its memory (a make() whose buffer was thrown away, +30
 * MiB a call, named over the keep() that grew 20 MiB a call).
 */
function keptCalls(s: Pick<MemorySeries, 'functions' | 'samples'>, calls: readonly RetainingCall[]): RetainingCall[] {
  if (!calls.length) return [];
  // With no call after it (the run's last, or one a thread's call overlapped), the samples after it
  // tell: the lowest of the next 5 (a make() whose 60 MiB its caller dropped was named over the keep()
  // that kept 80 MiB, as was a thread's call that kept nothing; h250). Not those of the run's last 5%,
  // which the trend leaves out too, but the first after it (the interpreter freeing a store of 2.5
  // million objects at exit took 0.3 s, and the call that filled it was passed over; h255).
  const { t, mib } = s.samples;
  const until = t.length ? t[0]! + 0.95 * (t[t.length - 1]! - t[0]!) : 0;
  const after = (at: number): number | null => {
    let i = 0;
    while (i < t.length && (t[i]! <= at || !(mib[i]! > 0))) i++;
    if (i === t.length) return null;
    let low = mib[i]!;
    for (let j = i + 1; j < Math.min(t.length, i + 5) && t[j]! <= until; j++)
      if (mib[j]! > 0) low = Math.min(low, mib[j]!);
    return low;
  };
  const starts = s.functions.map((f) => [f.tStart, f.memStartMiB] as const).sort((a, b) => a[0] - b[0]);
  const nextStart = (t: number): number | null => {
    let [lo, hi] = [0, starts.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]![0] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length ? starts[lo]![1] : null;
  };
  return calls.filter((c) => {
    const next = nextStart(c.tEnd) ?? after(c.tEnd);
    return next === null || next - c.memStartMiB >= c.retainedMiB / 2;
  });
}

/**
 * The series of one run judged a leak at `minConfidence` or more, counted once: the total of the
 * program and its children (`main + children`) is never counted (`inChildren`): its parts are, the
 * program's own memory (`main`, the total less the children) and each child (counted as the total,
 * a leaking child counted twice; discounted when a child leaked, a parent leaking beside it hid).
 */
/** Leaks judged with less confidence are named, not counted (the gate's --min-leak-confidence default). */
export const DEFAULT_MIN_LEAK_CONFIDENCE = 0.5;

export function leakingSeries(
  series: readonly MemoryTrend[],
  minConfidence = 0,
): { counted: MemoryTrend[]; inChildren: MemoryTrend[] } {
  const total = mainName({ mainIncludesChildren: true });
  const leaking = series.filter((t) => t.verdict === 'leak' && t.confidence >= minConfidence);
  const inChildren = leaking.filter((t) => t.name === total);
  return { counted: leaking.filter((t) => !inChildren.includes(t)), inChildren };
}

/**
 * A run's main-process trend with what its own captures kept of the resident memory over the judged span
 * (MemorySeries.capturesKept), and, for a leak, that RSS cannot tell the two apart. Each capture of a pytest
 * run snapshots every trace before and after a test and groups their growth: tens of MiB freed into a heap
 * the process holds (a suite of 8 tests keeping nothing rose 44-64 MiB under them, and read a leak). But the
 * memory a capture frees is then reused by whatever comes next: tests keeping 6 MiB each outside Python's
 * objects grew RSS by 10 MiB of their 48 in their bodies, and the captures after them by 111 MiB. So the rise is
 * judged as measured (a leak is counted), and the captures' figure is said beside it.
 */
function withCapturesKept(s: MemorySeries, t: MemoryTrend): MemoryTrend {
  const kept = s.capturesKept;
  const times = s.samples.t;
  if (!kept?.length || !times.length) return t;
  const from = times[0]! + t.warmupSeconds;
  const to = Math.min(s.programEnd ?? Number.POSITIVE_INFINITY, times[times.length - 1]!);
  let bytes = 0;
  let captures = 0;
  for (const k of kept) {
    if (k.time < from || k.time > to) continue;
    bytes = Math.max(0, bytes + k.bytes); // what one gave back, of what those before it kept
    captures++;
  }
  if (!captures) return t;
  const keptMiB = bytes / 2 ** 20;
  if (t.verdict !== 'leak') return { ...t, capturesKeptMiB: keptMiB };
  const next =
    `${t.next}; the run's own ${captures} captures grew RSS by ${mib(keptMiB)} as they were taken (their snapshots' ` +
    "objects, freed into memory the process then holds or reuses): RSS cannot tell the program's rise from theirs, " +
    "so judge the program's objects by its snapshots (`arenascope leaks` on the run) and its RSS alone in a run " +
    'without captures (mprof run)';
  return { ...t, capturesKeptMiB: keptMiB, next };
}

/** Trends of the main process and of every child process of an mprof run. */
export function memoryTrends(s: MemorySeries, opts: TrendOptions = {}): MemoryTrend[] {
  // FUNC spans are the main process's: its next step names the call that kept the most (keptCalls).
  const calls = keptCalls(s, retainingCalls(s));
  if (s.programStart !== undefined && opts.programStart === undefined)
    opts = { ...opts, programStart: s.programStart, ...(s.testsBegan ? { testsBegan: true } : {}) };
  // A pytest run judged up to its last test: the session's end after it is no test's (hypothesis's
  // import at its summary read as a leak of a suite keeping nothing). Any run up to its exit capture:
  // the snapshot's objects after it are the run's (a parent flat at 16.4 MiB read a leak of its
  // start-up by the exit capture's 1.3 MiB). The peak is the whole run's.
  const end = s.programEnd ?? s.exitCapture;
  const trend = (name: string, x: Samples, c: readonly RetainingCall[] = [], child = false): MemoryTrend => {
    const o = child ? { ...opts, child } : opts;
    const n = end === undefined ? x.t.length : x.t.findIndex((t) => t > end);
    if (n < 0 || n === x.t.length || n < 3) return memoryTrend(name, x, o, c);
    const judged = memoryTrend(name, { t: x.t.subarray(0, n), mib: x.mib.subarray(0, n) }, o, c);
    const after = x.t[x.t.length - 1]! - end!;
    return {
      ...judged,
      peakMiB: Math.max(judged.peakMiB, ...x.mib),
      ...(s.programEnd === undefined ? { exitCaptureSeconds: after } : { sessionEndSeconds: after }),
    };
  };
  // What the run's captures kept is the program's own process's (not its children's).
  const own = (t: MemoryTrend): MemoryTrend => withCapturesKept(s, t);
  const out = s.samples.t.length
    ? [s.mainIncludesChildren ? trend(mainName(s), s.samples) : own(trend(mainName(s), s.samples, calls))]
    : [];
  // MEM counting the children: the program's own memory is the total less its children at each sample.
  if (s.mainIncludesChildren && s.samples.t.length) out.push(own(trend(mainName({}), ownSamples(s), calls)));
  for (const [pid, c] of s.children) out.push(trend(childName(s, pid), c, undefined, true));
  return out;
}

/**
 * The program's own samples of a run whose MEM counts its children: each MEM less the CHLD samples
 * written with it (childrenPerSample).
 */
export function ownSamples(s: MemorySeries): Samples {
  const children = childrenPerSample(s);
  const mib = Float64Array.from(s.samples.mib, (v, i) => Math.max(0, v - children[i]!));
  return { t: s.samples.t, mib };
}
