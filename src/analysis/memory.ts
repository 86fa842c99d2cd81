// Figures of mprof time series, as memory_profiler's own tools compute them.

import type { MemorySeries, Samples } from '../model/memory-series.js';

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
