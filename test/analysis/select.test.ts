// The k-th smallest of many doubles, and the median step forward of a series of times, run as
// WebAssembly (select.ts, from assembly/select.ts); their definitions (the references) sort. On random arrays of many shapes (ties, runs, reversed, inputs
// made against a median-of-three pivot) both give the same value for every k tried.
import { describe, expect, it } from 'vitest';
import { kthReference, kthSmallest, medianRise, medianRiseReference } from '../../src/analysis/select.js';

function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return Math.floor((x / 2 ** 32) * n);
  };
}

const SHAPES: Record<string, (i: number, n: number, r: (n: number) => number) => number> = {
  ties: (_i, _n, r) => r(5) * 0.1,
  ascending: (i) => i,
  descending: (i, n) => n - i,
  random: (_i, _n, r) => r(1e9) / 7,
  // Mprof's steps: one interval, its rounding, a pause now and then.
  steps: (i, _n, r) => (i % 997 === 0 ? 3600 : 0.1 + r(3) * 1e-4),
  // Organ pipe and sawtooth: orders that cost a median-of-three quickselect many rounds.
  organ: (i, n) => (i < n / 2 ? i : n - i),
  saw: (i) => i % 17,
};

describe('kthSmallest (WebAssembly) is the k-th of the sorted values', () => {
  it.each(Object.keys(SHAPES))('%s', (shape) => {
    const r = lcg(shape.length * 7919);
    for (const n of [1, 2, 3, 10, 101, 1000, 65_537]) {
      const values = Float64Array.from({ length: n }, (_, i) => SHAPES[shape]!(i, n, r));
      for (const k of new Set([0, n >> 1, n - 1, r(n)])) {
        expect(kthSmallest(values, k)).toBe(kthReference(values, k));
      }
    }
  });

  it.each(Object.keys(SHAPES))('medianRise: the median of the steps forward (%s)', (shape) => {
    const r = lcg(shape.length * 104729);
    for (const n of [0, 1, 2, 3, 10, 101, 65_537]) {
      const t = Float64Array.from({ length: n }, (_, i) => SHAPES[shape]!(i, n, r));
      for (const upTo of new Set([n, n >> 1])) expect(medianRise(t, upTo)).toBe(medianRiseReference(t, upTo));
    }
  });

  it('leaves its input as it was, and refuses a k beyond it', () => {
    const values = Float64Array.from([3, 1, 2]);
    expect(kthSmallest(values, 1)).toBe(2);
    expect([...values]).toEqual([3, 1, 2]);
    expect(() => kthSmallest(values, 3)).toThrow(RangeError);
  });
});
