// The scattered order's draws: the xorshift32 sequence (Marsaglia's 13/17/5, values from a Python
// transcription), and alias tables that draw each index with exactly its share of the weight.
import { describe, expect, it } from 'vitest';
import { aliasTable, below, drawAlias, xorshift } from '../../src/analysis/pymalloc/draw.js';

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
