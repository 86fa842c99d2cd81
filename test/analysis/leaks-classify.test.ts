// The snapshot leak classifier on hand-made byte series (not golden data: shapes chosen to sit on
// each side of the rules in src/analysis/leaks.ts), and the next step each verdict gets.
import { describe, expect, it } from 'vitest';
import { classify, type NextStepContext, nextStep, SLOWING_MIN_CAPTURES } from '../../src/analysis/leaks.js';

const KiB = 1024;
const M = 64 * KiB;
function cumulative(start: number, steps: readonly number[]): number[] {
  const out = [start];
  for (const d of steps) out.push(out[out.length - 1]! + d);
  return out;
}

// A small seeded generator (mulberry32), so the noisy series are the same on every run.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('slowing: growth that keeps going, each step smaller', () => {
  it('a cache filling towards a bound it has not reached is slowing, not a leak', () => {
    // Each step 0.75 of the one before: 400, 300, 225, ... KiB.
    const bytes = cumulative(
      10 * KiB,
      [400, 300, 225, 169, 127, 95, 71, 53].map((k) => k * KiB),
    );
    const c = classify(bytes, M);
    expect(c.verdict).toBe('slowing');
    // Every pair of steps falls: the clearest shrinking there is, times 8/(8+2) for 8 steps.
    expect(c.confidence).toBe(0.8);
    expect(c.firstThirdGrowth).toBe(925 * KiB);
    expect(c.lastThirdGrowth).toBe(219 * KiB);
  });

  it('confidence falls when the steps shrink less consistently', () => {
    const clean = classify(
      cumulative(
        0,
        [400, 300, 225, 169, 127, 95, 71, 53].map((k) => k * KiB),
      ),
      M,
    );
    // Two neighbouring steps swapped: 2 of 28 pairs of steps rise.
    const rough = classify(
      cumulative(
        0,
        [300, 400, 225, 169, 95, 127, 71, 53].map((k) => k * KiB),
      ),
      M,
    );
    expect(rough.verdict).toBe('slowing');
    expect(rough.confidence).toBeLessThan(clean.confidence);
  });

  it('a steady leak with noisy steps stays a leak', () => {
    const next = rng(13);
    let slowing = 0;
    let leaks = 0;
    for (let i = 0; i < 500; i++) {
      // Steps uniform between half and one and a half times 100 KiB.
      const steps = Array.from({ length: 8 }, () => (0.5 + next()) * 100 * KiB);
      const v = classify(cumulative(5 * KiB, steps), M).verdict;
      if (v === 'slowing') slowing++;
      if (v === 'leak') leaks++;
    }
    expect(slowing).toBe(0);
    expect(leaks).toBe(500);
  });

  it('steps as irregular as uniform between 0 and twice their mean: rarely slowing (the rate in leaks.ts)', () => {
    const next = rng(7);
    const rate = (captures: number): number => {
      let slowing = 0;
      for (let i = 0; i < 2000; i++) {
        const steps = Array.from({ length: captures - 1 }, () => next() * 200 * KiB);
        if (classify(cumulative(5 * KiB, steps), M).verdict === 'slowing') slowing++;
      }
      return slowing / 2000;
    };
    expect(rate(9)).toBeLessThan(0.01);
    expect(rate(6)).toBeLessThan(0.03);
  });

  it('a leak after a burst of warm-up stays a leak: the last third is not slower than the middle', () => {
    // Every pair of steps falls and the last third is well under the first, but the rate has
    // settled at ~100 KiB per step since the fourth.
    const bytes = cumulative(
      0,
      [400, 250, 150, 104, 103, 102, 101, 100].map((k) => k * KiB),
    );
    expect(classify(bytes, M).verdict).toBe('leak');
  });

  it('growth that has all but stopped is a plateau', () => {
    const bytes = cumulative(
      0,
      [400, 200, 100, 50, 25, 12, 6, 3].map((k) => k * KiB),
    );
    expect(classify(bytes, M).verdict).toBe('plateau');
  });

  it(`needs ${SLOWING_MIN_CAPTURES} captures: with fewer, the step sizes cannot show a trend`, () => {
    const steps = [400, 300, 225, 169, 127].map((k) => k * KiB);
    expect(classify(cumulative(0, steps.slice(0, SLOWING_MIN_CAPTURES - 2)), M).verdict).toBe('leak');
    expect(classify(cumulative(0, steps.slice(0, SLOWING_MIN_CAPTURES - 1)), M).verdict).toBe('slowing');
  });

  it('below the minimum growth it is never slowing', () => {
    const bytes = cumulative(0, [16, 12, 9, 7, 5, 4, 3, 2]);
    expect(classify(bytes, M).verdict).toBe('stable');
  });
});

describe('next steps', () => {
  const ctx: NextStepContext = { groupBy: 'lineno', captures: 9, timesKnown: true, tracebackLimit: 10 };

  it('a leak: open the most recent frame and find the holder', () => {
    expect(nextStep('leak', 'app.py:12', 0.8, ctx)).toBe(
      'open app.py:12 and find what keeps its objects alive (a global, an unbounded cache, a list never emptied)',
    );
  });

  it('a weak leak asks for more captures; one frame per traceback asks for more frames', () => {
    const s = nextStep('leak', 'app.py:12', 0.5, { ...ctx, captures: 3, tracebackLimit: 1 });
    expect(s).toContain('tracemalloc.start(25)');
    expect(s).toContain('more captures would confirm it (3 so far)');
  });

  it('by filename, a leak names the flag that finds the line', () => {
    expect(nextStep('leak', 'app.py:12', 0.8, { ...ctx, groupBy: 'filename' })).toContain('--group-by lineno');
  });

  it('slowing: capture longer; without times, say what gives rates per second', () => {
    const s = nextStep('slowing', 'cache.py:3', 0.7, { ...ctx, timesKnown: false });
    expect(s).toMatch(/^capture longer .*cache\.py:3 levels off .*maxsize/);
    expect(s).toMatch(/sidecar <capture>\.time file .* rates per second$/);
  });

  it('plateau, transient, shrinking and stable', () => {
    expect(nextStep('plateau', 'lru.py:9', 0.9, ctx)).toMatch(/^nothing to do unless the level .* lru\.py:9/);
    expect(nextStep('transient', 'tmp.py:5', 0.9, ctx)).toMatch(/^not a leak .*peak.* tmp\.py:5/);
    expect(nextStep('shrinking', 'x.py:1', 0.9, { ...ctx, timesKnown: false })).toBe('nothing to do: it shrank');
    expect(nextStep('stable', 'x.py:1', 0.9, ctx)).toBe('nothing to do');
  });
});
