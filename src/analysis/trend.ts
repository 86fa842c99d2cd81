// Robust trends for memory series: Theil-Sen slopes, and the floor and ceiling of a curve (window
// minima and maxima), so that a garbage-collection sawtooth and one-off peaks do not read as growth.

/** A verdict's confidence: the share given, clamped to [0, 1] and rounded to 2 decimals. */
export function confidenceOf(x: number): number {
  return Math.round(Math.max(0, Math.min(1, x)) * 100) / 100;
}

/** Median of a list (not modified). */
export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Slope {
  /** Theil-Sen estimate: the median of the slopes between every pair of points. */
  readonly slope: number;
  /** Line through the points: y = intercept + slope * x, with the median intercept. */
  readonly intercept: number;
  /** Share of point pairs that rise (ties count half): 0.5 is no trend, 1 every pair rising. */
  readonly risingShare: number;
}

/**
 * Theil-Sen slope of (x, y): robust to up to ~29% of outliers. O(n^2) pairs, so callers pass at
 * most a few hundred points (window minima, capture totals).
 */
export function theilSen(x: readonly number[], y: readonly number[]): Slope {
  const slopes: number[] = [];
  let rising = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = x[j]! - x[i]!;
      if (dx === 0) continue;
      const s = (y[j]! - y[i]!) / dx;
      slopes.push(s);
      rising += s > 0 ? 1 : s === 0 ? 0.5 : 0;
    }
  }
  if (!slopes.length) return { slope: 0, intercept: y.length ? median(y as number[]) : 0, risingShare: 0.5 };
  const slope = median(slopes);
  const intercept = median(x.map((xi, i) => y[i]! - slope * xi));
  return { slope, intercept, risingShare: rising / slopes.length };
}

/**
 * The share of pairs of points (i < j) in which the later y is the larger (ties count half), each
 * pair weighted by the product of the points' weights: with equal weights, the rising share of a
 * Theil-Sen fit of y against its index.
 */
export function weightedRisingShare(y: readonly number[], w: readonly number[]): number {
  let rising = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = i + 1; j < y.length; j++) {
      const pw = w[i]! * w[j]!;
      total += pw;
      rising += y[j]! > y[i]! ? pw : y[j] === y[i] ? pw / 2 : 0;
    }
  }
  return total > 0 ? rising / total : 0.5;
}

/**
 * The floor of a sampled curve: the minimum of each of `windows` equal time windows, at the
 * window's middle. Empty windows are left out.
 */
export function floorPoints(t: ArrayLike<number>, v: ArrayLike<number>, windows: number): { t: number[]; v: number[] } {
  return windowPoints(t, v, windows, -1);
}

/**
 * The ceiling of a sampled curve: the maximum of each of `windows` equal time windows (the peaks
 * of a sawtooth, where the floor is its troughs), at the window's middle. Empty windows are left out.
 */
export function ceilingPoints(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  windows: number,
): { t: number[]; v: number[] } {
  return windowPoints(t, v, windows, 1);
}

/**
 * floorPoints and ceilingPoints at once, in one pass over the samples (281k samples read twice by
 * the interpreter took ~13 ms of a report): each window's middle, minimum and maximum.
 */
export function envelopePoints(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  windows: number,
  byIndex = false,
): { t: number[]; lo: number[]; hi: number[]; tLo: number[]; tHi: number[] } {
  const n = t.length;
  // tLo/tHi: the times of the samples that are each window's lowest and highest. Rates are fitted on
  // them, not on the window's middle: a steady leak's floor is a window's first sample and its ceiling
  // its last, and windows of 2 or 3 samples placed at their middles read 10 MiB/s as 12.
  const out = { t: [] as number[], lo: [] as number[], hi: [] as number[], tLo: [] as number[], tHi: [] as number[] };
  if (n === 0) return out;
  const t0 = t[0]!;
  const span = t[n - 1]! - t0 || 1;
  const lo = new Array<number>(windows).fill(Infinity);
  const hi = new Array<number>(windows).fill(-Infinity);
  const tl = new Array<number>(windows).fill(0);
  const th = new Array<number>(windows).fill(0);
  for (let i = 0; i < n; i++) {
    // As windowPoints places them, to the last bit; but a few samples (under two a window) by their
    // index, as evenly spaced ones fall: by time, sub-millisecond jitter of mprof's clock left a window
    // empty, and a steady 2 MiB/s leak of 5 samples read "stable" in 1 run of 4 (h352).
    const w = byIndex
      ? Math.min(windows - 1, Math.floor((i * windows) / Math.max(1, n - 1)))
      : Math.min(windows - 1, Math.floor(((t[i]! - t0) / span) * windows));
    const x = v[i]!;
    if (x < lo[w]!) {
      lo[w] = x;
      tl[w] = t[i]!;
    }
    if (x > hi[w]!) {
      hi[w] = x;
      th[w] = t[i]!;
    }
  }
  for (let w = 0; w < windows; w++) {
    if (!Number.isFinite(lo[w]!)) continue;
    out.t.push(t0 + ((w + 0.5) / windows) * span);
    out.lo.push(lo[w]!);
    out.hi.push(hi[w]!);
    out.tLo.push(tl[w]!);
    out.tHi.push(th[w]!);
  }
  return out;
}

// sign -1 keeps each window's minimum, +1 its maximum.
function windowPoints(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  windows: number,
  sign: 1 | -1,
): { t: number[]; v: number[] } {
  const n = t.length;
  if (n === 0) return { t: [], v: [] };
  const t0 = t[0]!;
  const span = t[n - 1]! - t0 || 1;
  const best = new Array<number>(windows).fill(-sign * Infinity);
  for (let i = 0; i < n; i++) {
    const w = Math.min(windows - 1, Math.floor(((t[i]! - t0) / span) * windows));
    if (sign * v[i]! > sign * best[w]!) best[w] = v[i]!;
  }
  const out = { t: [] as number[], v: [] as number[] };
  best.forEach((m, w) => {
    if (Number.isFinite(m)) {
      out.t.push(t0 + ((w + 0.5) / windows) * span);
      out.v.push(m);
    }
  });
  return out;
}
