// Leak detection over a series of snapshots: per site, the bytes at every capture, classified as
// leak (still growing at the end), plateau (grew, then stopped: warm-up, a bounded cache),
// transient (rose and fell back), shrinking or stable, with the evidence behind each verdict.

import type { Frame } from '../model/frames.js';
import type { Snapshot } from '../model/snapshot.js';
import { UsageError } from '../util/errors.js';
import { filterSnapshot, type TraceFilter } from './filters.js';
import { type KeyType, statistics } from './statistics.js';
import { confidenceOf, theilSen } from './trend.js';

export type Verdict = 'leak' | 'plateau' | 'transient' | 'shrinking' | 'stable';

export interface SiteTrend {
  /** The site: the statistic's key, as a tracemalloc Traceback (oldest frame first). */
  readonly frames: readonly Frame[];
  readonly filename: string;
  readonly lineno: number;
  readonly verdict: Verdict;
  /** In [0, 1]: how consistently the captures support the verdict (see README, "Leaks"). */
  readonly confidence: number;
  readonly bytesPerCapture: readonly number[];
  readonly blocksPerCapture: readonly number[];
  /** Last capture minus first. */
  readonly growthBytes: number;
  readonly growthPerStep: number;
  /** Theil-Sen slope of bytes over capture time; null when the captures have no times. */
  readonly growthPerSecond: number | null;
  /** Share of capture-to-capture steps in which the site grew. */
  readonly shareOfStepsGrowing: number;
  /** Share of steps in which it did not shrink. */
  readonly shareOfStepsNotShrinking: number;
  /** Growth over the last third of the captures. */
  readonly lastThirdGrowth: number;
  readonly peakBytes: number;
  /** The traceback (oldest frame first) of the site's group that grew most, first to last. */
  readonly traceback: readonly Frame[];
}

export interface LeakOptions {
  readonly groupBy?: KeyType;
  /** Growth below this, in bytes, is never a leak or a plateau (default 64 KiB). */
  readonly minGrowth?: number;
  /** Keep tracemalloc's own frames and the import machinery (left out by default). */
  readonly keepInternals?: boolean;
  /** Capture times in seconds (one per snapshot), or null for capture order only. */
  readonly times?: readonly number[] | null;
}

export interface LeakReport {
  readonly captures: number;
  readonly groupBy: KeyType;
  readonly minGrowth: number;
  readonly times: readonly number[] | null;
  /** All sites: leaks first (largest growth first), then plateaus, transients, shrinking, stable. */
  readonly sites: readonly SiteTrend[];
}

export const DEFAULT_MIN_GROWTH = 64 * 1024;

// As in CPython's documentation recipe: the import machinery and tracemalloc itself.
export const INTERNAL_FILTERS: readonly TraceFilter[] = [
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib._bootstrap>' },
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib._bootstrap_external>' },
  { kind: 'filename', inclusive: false, pattern: '<unknown>' },
  { kind: 'filename', inclusive: false, pattern: '*/tracemalloc.py' },
];

const ORDER: Record<Verdict, number> = { leak: 0, plateau: 1, transient: 2, shrinking: 3, stable: 4 };

function siteKey(frames: readonly Frame[]): string {
  return JSON.stringify(frames.map((f) => [f.filename, f.lineno]));
}

/**
 * Classifies one site's bytes per capture. Rules, with m = minGrowth and g = last - first:
 * - leak: g >= m, it kept growing in the last third (at least half of what a steady rise would
 *   add there) and most steps (>= 60%) did not shrink;
 * - plateau: g >= m, but the last third added less than that;
 * - shrinking: g <= -m;
 * - transient: |g| < m but it rose at least m above its start at some capture;
 * - stable: everything else.
 */
export interface Classification {
  readonly verdict: Verdict;
  readonly confidence: number;
  readonly stepsGrowing: number;
  readonly stepsNotShrinking: number;
  readonly lastThirdGrowth: number;
}

export function classify(bytes: readonly number[], minGrowth: number): Classification {
  const n = bytes.length;
  const steps = n - 1;
  const first = bytes[0]!;
  const last = bytes[n - 1]!;
  const g = last - first;
  const k = Math.floor((2 * steps) / 3);
  const lastThird = last - bytes[k]!;
  let grew = 0;
  let notShrunk = 0;
  for (let i = 0; i < steps; i++) {
    const d = bytes[i + 1]! - bytes[i]!;
    if (d > 0) grew++;
    if (d >= 0) notShrunk++;
  }
  // More consistent steps, more confidence: 2 growing steps give 0.5, 8 give 0.8.
  const support = (x: number): number => x / (x + 2);
  const result = (verdict: Verdict, c: number): Classification => ({
    verdict,
    confidence: confidenceOf(c),
    stepsGrowing: grew,
    stepsNotShrinking: notShrunk,
    lastThirdGrowth: lastThird,
  });
  if (g >= minGrowth) {
    const expected = (g * (steps - k)) / steps;
    if (lastThird >= expected / 2 && notShrunk / steps >= 0.6)
      return result('leak', (notShrunk / steps) * support(grew));
    // Confidence in a plateau: how little the last third added, over how many steps.
    return result('plateau', (1 - Math.max(0, lastThird) / Math.max(expected, 1)) * support(steps - k));
  }
  if (g <= -minGrowth) return result('shrinking', ((steps - notShrunk) / steps) * support(steps - notShrunk));
  const rise = Math.max(...bytes) - first;
  if (rise >= minGrowth) return result('transient', 1 - Math.abs(g) / rise);
  return result('stable', 1 - Math.abs(g) / minGrowth);
}

/** Leak detection over snapshots in capture order (at least 3). */
export function detectLeaks(snapshots: readonly Snapshot[], opts: LeakOptions = {}): LeakReport {
  if (snapshots.length < 3) {
    throw new UsageError(
      `leak detection needs at least 3 snapshots of the same program, in capture order; got ${snapshots.length}: ` +
        'with fewer, growth cannot be told from a plateau or a transient',
    );
  }
  const groupBy = opts.groupBy ?? 'lineno';
  const minGrowth = opts.minGrowth ?? DEFAULT_MIN_GROWTH;
  const times = opts.times ?? null;
  const snaps = opts.keepInternals ? snapshots : snapshots.map((s) => filterSnapshot(s, INTERNAL_FILTERS));
  const n = snaps.length;
  const sites = new Map<string, { frames: readonly Frame[]; bytes: number[]; blocks: number[] }>();
  snaps.forEach((s, i) => {
    for (const st of statistics(s, { keyType: groupBy })) {
      const key = siteKey(st.frames);
      let e = sites.get(key);
      if (!e) {
        e = { frames: st.frames, bytes: new Array(n).fill(0), blocks: new Array(n).fill(0) };
        sites.set(key, e);
      }
      e.bytes[i] = st.size;
      e.blocks[i] = st.count;
    }
  });
  const growth = largestGrowingTracebacks(snaps[0]!, snaps[n - 1]!, groupBy);
  const out: SiteTrend[] = [];
  for (const [key, e] of sites) {
    const c = classify(e.bytes, minGrowth);
    const steps = n - 1;
    const keyFrame = groupBy === 'traceback' ? e.frames[e.frames.length - 1]! : e.frames[0]!;
    out.push({
      frames: e.frames,
      filename: keyFrame.filename,
      lineno: keyFrame.lineno,
      verdict: c.verdict,
      confidence: c.confidence,
      bytesPerCapture: e.bytes,
      blocksPerCapture: e.blocks,
      growthBytes: e.bytes[n - 1]! - e.bytes[0]!,
      growthPerStep: (e.bytes[n - 1]! - e.bytes[0]!) / steps,
      growthPerSecond: times ? theilSen(times, e.bytes).slope : null,
      shareOfStepsGrowing: c.stepsGrowing / steps,
      shareOfStepsNotShrinking: c.stepsNotShrinking / steps,
      lastThirdGrowth: c.lastThirdGrowth,
      peakBytes: Math.max(...e.bytes),
      traceback: growth.get(key) ?? e.frames,
    });
  }
  out.sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || b.growthBytes - a.growthBytes || b.peakBytes - a.peakBytes);
  return { captures: n, groupBy, minGrowth, times, sites: out };
}

// Per site key: the full traceback (oldest first) of the group whose bytes grew most from the
// first capture to the last.
function largestGrowingTracebacks(first: Snapshot, last: Snapshot, groupBy: KeyType): Map<string, readonly Frame[]> {
  const bytesByTb = (s: Snapshot): Map<string, { frames: Frame[]; bytes: number }> => {
    const m = new Map<string, { frames: Frame[]; bytes: number }>();
    const g = s.groups;
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      const frames = s.frames
        .tracebackFrames(tb)
        .reverse()
        .map((f) => s.frames.frame(f));
      const key = siteKey(frames);
      const e = m.get(key) ?? { frames, bytes: 0 };
      e.bytes += g.size[i]! * g.count[i]!;
      m.set(key, e);
    }
    return m;
  };
  const before = bytesByTb(first);
  const best = new Map<string, { frames: Frame[]; growth: number }>();
  for (const [key, e] of bytesByTb(last)) {
    const growth = e.bytes - (before.get(key)?.bytes ?? 0);
    const top = e.frames[e.frames.length - 1]!; // the most recent frame
    const site =
      groupBy === 'traceback' ? key : siteKey([groupBy === 'lineno' ? top : { filename: top.filename, lineno: 0 }]);
    const cur = best.get(site);
    if (!cur || growth > cur.growth) best.set(site, { frames: e.frames, growth });
  }
  return new Map([...best].map(([k, v]) => [k, v.frames]));
}
