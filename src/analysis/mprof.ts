// Figures of mprof time series, as memory_profiler's own tools compute them.

import type { MemorySeries, Samples } from '../model/memory-series.js';
import type { Verdict } from './leaks.js';
import { confidenceOf, floorPoints, theilSen } from './trend.js';

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

/** First and last sample times over the main process and its children. */
export function timeSpan(s: MemorySeries): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  const scan = (x: Samples): void => {
    for (let i = 0; i < x.t.length; i++) {
      if (x.t[i]! < start) start = x.t[i]!;
      if (x.t[i]! > end) end = x.t[i]!;
    }
  };
  scan(s.samples);
  for (const c of s.children.values()) scan(c);
  return start <= end ? { start, end } : null;
}

export interface MemoryTrend {
  /** 'main', or 'child <pid>'. */
  readonly name: string;
  readonly verdict: Verdict;
  readonly confidence: number;
  readonly samples: number;
  readonly durationSeconds: number;
  /** Samples before this many seconds from the start are the warm-up and are not judged (nor
   * the last 5% of the run, when a process frees memory as it shuts down). */
  readonly warmupSeconds: number;
  readonly peakMiB: number;
  /** The floor's trend line right after the warm-up, and at the end. */
  readonly baselineMiB: number;
  readonly finalFloorMiB: number;
  /** Theil-Sen slope of the floor after the warm-up. */
  readonly slopeMiBPerMin: number;
  /** The floor per window after the warm-up (lower envelope of window minima): the evidence. */
  readonly floorMiB: readonly number[];
  /** With a limit: seconds after the last sample until the trend reaches it (null if never). */
  readonly reachesLimitInSeconds: number | null;
}

export interface TrendOptions {
  /** Seconds of warm-up to leave out (default: the first 10% of the run). */
  readonly warmupSeconds?: number;
  /** Floor growth, in MiB, that counts (default: the larger of 1 MiB and 5% of the baseline). */
  readonly minGrowthMiB?: number;
  readonly limitMiB?: number;
}

/**
 * Classifies the floor of a sampled process. Window minima are noisy (a window may miss the
 * bottom of a sawtooth tooth), so unlike a snapshot series it is judged on robust fits, not on
 * steps: with m the minimum growth and g the growth of the Theil-Sen line over the span,
 * - leak: g >= m, at least 70% of point pairs rise, and the last third still rises at half the
 *   overall rate or more;
 * - plateau: g >= m, but the last third has (nearly) stopped;
 * - shrinking: g <= -m; transient: it rose m above its start and came back; else stable.
 */
export function classifyFloor(
  t: readonly number[],
  v: readonly number[],
  minGrowth: number,
): { verdict: Verdict; confidence: number } {
  const n = v.length;
  if (n < 3) return { verdict: 'stable', confidence: 0 };
  const fit = theilSen(t, v);
  const g = fit.slope * (t[n - 1]! - t[0]!);
  const consistency = Math.abs(fit.risingShare - 0.5) * 2; // 0: no trend, 1: every pair agrees
  const support = n / (n + 4);
  if (g >= minGrowth) {
    const k = Math.floor((2 * n) / 3);
    const tail = theilSen(t.slice(k), v.slice(k));
    if (fit.risingShare >= 0.7 && tail.slope >= fit.slope / 2)
      return { verdict: 'leak', confidence: confidenceOf(consistency * support) };
    return { verdict: 'plateau', confidence: confidenceOf((1 - Math.max(0, tail.slope) / fit.slope) * support) };
  }
  if (g <= -minGrowth) return { verdict: 'shrinking', confidence: confidenceOf(consistency * support) };
  const rise = Math.max(...v) - v[0]!;
  if (rise >= minGrowth) return { verdict: 'transient', confidence: confidenceOf(1 - Math.abs(g) / rise) };
  return { verdict: 'stable', confidence: confidenceOf(1 - Math.abs(g) / minGrowth) };
}

/**
 * Memory trend of one sampled process: after the warm-up, the minimum of each of up to 30 time
 * windows (the floor, which a garbage-collection sawtooth does not lift) is classified, and its
 * Theil-Sen slope gives the rate.
 */
export function memoryTrend(name: string, s: Samples, opts: TrendOptions = {}): MemoryTrend {
  // mprof records 0 once the process has gone: such trailing samples are not memory.
  let n = s.t.length;
  while (n > 0 && s.mib[n - 1]! <= 0) n--;
  const t0 = s.t[0] ?? 0;
  const duration = n ? s.t[n - 1]! - t0 : 0;
  const warmup = Math.min(opts.warmupSeconds ?? duration * 0.1, duration);
  let start = 0;
  while (start < n - 1 && s.t[start]! - t0 < warmup) start++;
  // The last 5% too: a process frees much of its memory as it shuts down.
  let end = n;
  while (end > start + 3 && s.t[end - 1]! > t0 + duration * 0.95) end--;
  const t = s.t.subarray(start, end);
  const v = s.mib.subarray(start, end);
  // Windows of 15 samples or more, then the lower envelope of each window and its neighbours,
  // so that a window that falls on a tooth of a sawtooth does not count as the floor.
  const windows = Math.max(3, Math.min(30, Math.floor(t.length / 15)));
  const raw = floorPoints(t, v, windows);
  const floor = { t: raw.t, v: raw.v.map((x, i) => Math.min(x, raw.v[i - 1] ?? x, raw.v[i + 1] ?? x)) };
  const fit = theilSen(floor.t, floor.v);
  const at = (x: number): number => fit.intercept + fit.slope * x;
  const baseline = floor.t.length ? at(floor.t[0]!) : 0;
  const minGrowth = opts.minGrowthMiB ?? Math.max(1, 0.05 * baseline);
  const c = classifyFloor(floor.t, floor.v, minGrowth);
  let reaches: number | null = null;
  if (opts.limitMiB !== undefined && fit.slope > 0 && n) {
    reaches = Math.max(0, (opts.limitMiB - fit.intercept) / fit.slope - s.t[n - 1]!);
  }
  return {
    name,
    verdict: c.verdict,
    confidence: c.confidence,
    samples: n,
    durationSeconds: duration,
    warmupSeconds: warmup,
    peakMiB: max(s.mib) ?? 0,
    baselineMiB: baseline,
    finalFloorMiB: floor.t.length ? at(floor.t[floor.t.length - 1]!) : 0,
    slopeMiBPerMin: fit.slope * 60,
    floorMiB: floor.v,
    reachesLimitInSeconds: reaches,
  };
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

/** Trends of the main process and of every child process of an mprof run. */
export function memoryTrends(s: MemorySeries, opts: TrendOptions = {}): MemoryTrend[] {
  const out = s.samples.t.length ? [memoryTrend('main', s.samples, opts)] : [];
  for (const [pid, c] of s.children) out.push(memoryTrend(`child ${pid}`, c, opts));
  return out;
}
