// The scattered order's draws: the xorshift32 sequence (Marsaglia's 13/17/5, values from a Python
// transcription), alias tables that draw each index with exactly its share of the weight, and the
// draws of the pool-level sampling against the moments of their distributions.
import { describe, expect, it } from 'vitest';
import {
  aliasTable,
  below,
  binomial,
  drawAlias,
  gamma,
  minMax,
  orderStatistics,
  uniform,
  xorshift,
} from '../../src/analysis/pymalloc/draw.js';

describe('xorshift32', () => {
  it('steps as Marsaglia’s 13/17/5 generator from seed 1', () => {
    const seen: number[] = [];
    let x = 1;
    for (let i = 0; i < 4; i++) {
      x = xorshift(x);
      seen.push(x >>> 0);
    }
    expect(seen).toEqual([270369, 67634689, 2647435461, 307599695]);
  });

  it('below(x, n) is in [0, n)', () => {
    for (let x = 1, i = 0; i < 10000; i++) {
      x = xorshift(x);
      const r = below(x, 7);
      expect(r >= 0 && r < 7 && Number.isInteger(r)).toBe(true);
    }
  });
});

describe('alias tables', () => {
  /** Each index's probability as the table holds it: its own column's share plus what others alias to it. */
  function shares(weights: number[]): number[] {
    const t = aliasTable(weights);
    const p = new Array<number>(weights.length).fill(0);
    for (let i = 0; i < t.n; i++) {
      p[i]! += t.keep[i]! / t.n;
      p[t.alias[i]!]! += (1 - t.keep[i]!) / t.n;
    }
    return p;
  }

  it.each([
    [[1, 3, 6]],
    [[0, 5, 0, 0, 5]],
    [[1000000, 1, 1, 1]],
    [[7]],
    [Array.from({ length: 4831 }, (_, i) => (i * 7919) % 1013)],
  ])('holds each index at its share of the weight (%#)', (weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    shares(weights).forEach((p, i) => expect(p).toBeCloseTo(weights[i]! / total, 12));
  });

  it('never draws an index of weight 0, and draws the others by weight', () => {
    const t = aliasTable([0, 1, 3, 0, 6]);
    const n = [0, 0, 0, 0, 0];
    for (let x = 1, i = 0; i < 100000; i++) {
      const x1 = xorshift(x);
      x = xorshift(x1);
      n[drawAlias(t, x1, x)]!++;
    }
    expect([n[0], n[3]]).toEqual([0, 0]);
    expect(n[1]! / 1e5).toBeCloseTo(0.1, 2);
    expect(n[2]! / 1e5).toBeCloseTo(0.3, 2);
    expect(n[4]! / 1e5).toBeCloseTo(0.6, 2);
  });
});

describe('draws for the pool-level sampling', () => {
  const N = 20000;
  const moments = (draw: () => number) => {
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < N; i++) {
      const v = draw();
      sum += v;
      sq += v * v;
    }
    const mean = sum / N;
    return { mean, variance: sq / N - mean * mean };
  };

  it('uniform() is in (0, 1), mean 1/2, variance 1/12', () => {
    const rng = Int32Array.of(1);
    const m = moments(() => {
      const u = uniform(rng);
      expect(u > 0 && u < 1).toBe(true);
      return u;
    });
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 2);
  });

  // Binomial(n, p): mean np, variance np(1 - p), in [0, n]; below a mean of 30 (inversion), at and
  // above it (the normal law's), and with p above 1/2 (drawn as n minus its complement).
  it.each([
    [10, 0.3],
    [1, 0.5],
    [5_000_000, 0.000004],
    [100, 0.3],
    [60, 0.5],
    [8_000_000, 0.02],
    [40, 0.9],
    [1_000_000, 0.999],
  ])('binomial(%i, %d) has mean np and variance np(1 - p)', (n, p) => {
    const rng = Int32Array.of(n ^ 77);
    const m = moments(() => {
      const k = binomial(rng, n, p);
      expect(Number.isInteger(k) && k >= 0 && k <= n).toBe(true);
      return k;
    });
    const variance = n * p * (1 - p);
    expect(Math.abs(m.mean - n * p)).toBeLessThan(4.5 * Math.sqrt(variance / N));
    expect(m.variance / variance).toBeGreaterThan(0.93);
    expect(m.variance / variance).toBeLessThan(1.07);
  });

  it('binomial draws below a mean of 30 have the exact distribution', () => {
    const rng = Int32Array.of(3);
    const n = 6;
    const p = 0.35;
    const seen = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < N; i++) seen[binomial(rng, n, p)]!++;
    const choose = (k: number): number => (k === 0 ? 1 : (choose(k - 1) * (n - k + 1)) / k);
    seen.forEach((count, k) => {
      const q = choose(k) * p ** k * (1 - p) ** (n - k);
      expect(Math.abs(count / N - q)).toBeLessThan(4.5 * Math.sqrt((q * (1 - q)) / N) + 1e-9);
    });
  });

  it('binomial draws at the edges: no trials, p of 0 or 1', () => {
    const rng = Int32Array.of(9);
    expect([binomial(rng, 0, 0.5), binomial(rng, 7, 0), binomial(rng, 7, 1)]).toEqual([0, 0, 7]);
  });

  // Gamma(k, 1): mean k, variance k (the sum of k exponential draws), below and above the switch at 8.
  it.each([1, 3, 7, 8, 30, 1000])('gamma(%i) has mean and variance k', (k) => {
    const rng = Int32Array.of(k);
    const m = moments(() => gamma(rng, k));
    const se = Math.sqrt(k / N);
    expect(Math.abs(m.mean - k)).toBeLessThan(4.5 * se);
    expect(m.variance / k).toBeGreaterThan(0.93);
    expect(m.variance / k).toBeLessThan(1.07);
  });

  // The r-th smallest of n uniforms is Beta(r, n + 1 - r): mean r / (n + 1); and the draws increase.
  it('orderStatistics gives each rank its mean, in increasing order', () => {
    const rng = Int32Array.of(5);
    const n = 500;
    const ranks = [1, 37, 38, 250, 500];
    const sums = new Array<number>(ranks.length).fill(0);
    for (let i = 0; i < 4000; i++) {
      const keys = orderStatistics(rng, n, ranks);
      for (let j = 1; j < keys.length; j++) expect(keys[j]!).toBeGreaterThan(keys[j - 1]!);
      keys.forEach((v, j) => {
        sums[j]! += v;
      });
    }
    ranks.forEach((r, j) => {
      const mean = r / (n + 1);
      const sd = Math.sqrt((mean * (1 - mean)) / (n + 2));
      expect(Math.abs(sums[j]! / 4000 - mean)).toBeLessThan((4.5 * sd) / Math.sqrt(4000));
    });
  });

  // Of t uniforms, the largest has mean t / (t + 1) and the smallest 1 / (t + 1).
  it.each([1, 2, 9, 200])('minMax(%i) gives the smallest and the largest their means', (t) => {
    const rng = Int32Array.of(t + 11);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < N; i++) {
      const [a, b] = minMax(rng, t);
      expect(a).toBeLessThanOrEqual(b);
      lo += a;
      hi += b;
    }
    expect(lo / N).toBeCloseTo(1 / (t + 1), 2);
    expect(hi / N).toBeCloseTo(t / (t + 1), 2);
  });
});
