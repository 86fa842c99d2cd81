// The trend and classification functions on synthetic series whose truth is known by construction.
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analysis/leaks.js';
import { memoryTrend } from '../../src/analysis/mprof.js';
import { floorPoints, median, theilSen, weightedRisingShare } from '../../src/analysis/trend.js';

const KiB = 1024;
// A deterministic generator, so the "noisy" series are the same on every run.
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('theilSen', () => {
  it('finds the slope of a line', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const r = theilSen(
      x,
      x.map((v) => 3 + 2 * v),
    );
    expect([r.slope, r.intercept, r.risingShare]).toEqual([2, 3, 1]);
  });

  it('ignores outliers that would pull least squares away', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const y = x.map((v) => 10 + v);
    y[3] = 500;
    y[15] = -400;
    expect(theilSen(x, y).slope).toBe(1);
  });

  it('median', () => {
    expect([median([3, 1, 2]), median([4, 1, 3, 2])]).toEqual([2, 2.5]);
  });
});

describe('weightedRisingShare', () => {
  it('with equal weights, the rising share of a Theil-Sen fit against the index', () => {
    const rnd = noise(9);
    const y = Array.from({ length: 12 }, () => Math.round(rnd() * 10));
    const x = y.map((_, i) => i);
    expect(weightedRisingShare(y, new Array<number>(y.length).fill(1))).toBeCloseTo(theilSen(x, y).risingShare, 12);
  });

  it('a point of weight 0 counts for nothing; a light one for little', () => {
    // Four equal values then one far below: 4 falling pairs of 10, ties half.
    expect(weightedRisingShare([5, 5, 5, 5, 0], [1, 1, 1, 1, 1])).toBeCloseTo(3 / 10, 12);
    expect(weightedRisingShare([5, 5, 5, 5, 0], [1, 1, 1, 1, 0])).toBe(0.5);
    // Pairs with the last weigh 0.1 each: 6 ties (3) over 6 + 4 x 0.1.
    expect(weightedRisingShare([5, 5, 5, 5, 0], [1, 1, 1, 1, 0.1])).toBeCloseTo(3 / 6.4, 12);
  });

  it('no pair: 0.5, no trend', () => {
    expect(weightedRisingShare([3], [1])).toBe(0.5);
  });
});

describe('classify (bytes per capture)', () => {
  const m = 64 * KiB;
  it.each([
    ['steady linear growth', [0, 100, 200, 300, 400, 500, 600, 700, 800].map((v) => v * KiB), 'leak'],
    ['growth with noise', [0, 120, 180, 330, 390, 520, 560, 720, 790].map((v) => v * KiB), 'leak'],
    ['filled a cache, then flat', [0, 200, 400, 400, 400, 400, 400, 400, 400].map((v) => v * KiB), 'plateau'],
    ['warm-up then tiny drift', [0, 300, 390, 395, 398, 400, 401, 402, 403].map((v) => v * KiB), 'plateau'],
    ['up and back down', [10, 200, 180, 20, 190, 15, 200, 12, 10].map((v) => v * KiB), 'transient'],
    ['flat', [50, 51, 50, 52, 50, 51, 50, 51, 50].map((v) => v * KiB), 'stable'],
    ['falling', [800, 700, 600, 500, 400, 300, 200, 100, 0].map((v) => v * KiB), 'shrinking'],
    ['growth below the threshold', [0, 5, 10, 15, 20, 25, 30, 35, 40].map((v) => v * KiB), 'stable'],
  ] as const)('%s -> %s', (_, bytes, verdict) => {
    expect(classify(bytes, m).verdict).toBe(verdict);
  });

  it('confidence rises with the number of consistent steps', () => {
    const few = classify(
      [0, 100, 200].map((v) => v * KiB),
      m,
    ).confidence;
    const many = classify(
      Array.from({ length: 20 }, (_, i) => i * 100 * KiB),
      m,
    ).confidence;
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThanOrEqual(1);
  });
});

describe('memoryTrend (sampled RSS)', () => {
  const rnd = noise(42);
  const t = Array.from({ length: 600 }, (_, i) => 1000 + i * 0.1); // a minute at 10 Hz

  function series(f: (s: number) => number) {
    return { t: Float64Array.from(t), mib: Float64Array.from(t.map((x) => f(x - 1000))) };
  }

  it('a GC sawtooth on a flat floor is not a leak', () => {
    const s = series((x) => 100 + ((x * 7) % 10) * 8 + rnd() * 2); // 0..80 MiB teeth, period ~1.4 s
    const r = memoryTrend('main', s);
    expect(r.verdict).not.toBe('leak');
    expect(Math.abs(r.trendMiBPerMin ?? 0)).toBeLessThan(2);
  });

  it('a sawtooth on a rising floor is a leak, at the floor rate', () => {
    const s = series((x) => 100 + 0.5 * x + ((x * 7) % 10) * 8 + rnd() * 2); // +30 MiB/min floor
    const r = memoryTrend('main', s);
    expect(r.verdict).toBe('leak');
    expect(r.trendMiBPerMin).toBeGreaterThan(25);
    expect(r.trendMiBPerMin).toBeLessThan(35);
  });

  it('warm-up growth then flat is not a leak', () => {
    const s = series((x) => 100 + Math.min(x, 5) * 40 + rnd() * 3); // +200 MiB in 5 s, then flat
    expect(memoryTrend('main', s).verdict).not.toBe('leak');
  });

  it('a one-off peak is not a leak', () => {
    const s = series((x) => (x > 30 && x < 32 ? 900 : 100) + rnd() * 2);
    expect(memoryTrend('main', s).verdict).not.toBe('leak');
  });

  it('says when the trend reaches a limit', () => {
    const s = series((x) => 100 + x); // +60 MiB/min, 160 MiB at the end
    const r = memoryTrend('main', s, { limitMiB: 400 });
    // 240 s on: from the ceiling's fitted line it read 2.6 s less, a window's highest sample placed
    // at its middle, half a window early on a rise (h303).
    expect(r.reachesLimitInSeconds).toBeCloseTo(240, 0);
  });

  it('floorPoints keeps the minimum of each window', () => {
    const f = floorPoints([0, 1, 2, 3], [5, 3, 9, 7], 2);
    expect(f.v).toEqual([3, 7]);
  });
});
