// A model made on another model's block slots (replay's second order takes over the first's arrays,
// dirty) makes the very choices of a model made afresh: a block's slot, and a chunk's pool, is
// written before it is read. Checked on a random sequence of allocations and frees in each geometry.
import { describe, expect, it } from 'vitest';
import { PymallocModel } from '../../src/analysis/pymalloc/allocator.js';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { mallocStats } from '../../src/analysis/pymalloc/state.js';

/** Runs a seeded random sequence on each model alike; returns the handles the first gave. */
function churn(models: readonly PymallocModel[], seed: number, steps: number): number[] {
  let x = seed;
  const draw = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  const sizes = [1, 8, 16, 17, 48, 64, 200, 512, 513, 4000, 0];
  const live: [block: number, size: number][] = [];
  const handed: number[] = [];
  for (let step = 0; step < steps; step++) {
    if (live.length && draw(3) === 0) {
      const [b, size] = live.splice(draw(live.length), 1)[0]!;
      for (const m of models) m.free(b, size);
      continue;
    }
    const size = sizes[draw(sizes.length)]!;
    const owner = draw(1000);
    const blocks = models.map((m) => m.alloc(size, owner));
    expect(new Set(blocks).size).toBe(1);
    live.push([blocks[0]!, size]);
    handed.push(blocks[0]!);
  }
  return handed;
}

describe('a model on another model’s block slots', () => {
  it.each(['3.8', '3.9', '3.11', '3.13'])('makes the choices of a fresh one (%s)', (python) => {
    const g = geometry(python);
    const first = new PymallocModel(g, 50_000);
    churn([first], 7, 60_000);
    const taken = first.blockSlots();
    const reused = new PymallocModel(g, 50_000, taken);
    const fresh = new PymallocModel(g, 50_000);
    // The arrays are taken over, with the first model's values in them.
    expect(reused.blockSlots().slot).toBe(taken.slot);
    expect(taken.slot.some((v) => v !== 0)).toBe(true);
    churn([reused, fresh], 99, 60_000);
    reused.check();
    expect(mallocStats(reused)).toEqual(mallocStats(fresh));
    const owners = (m: PymallocModel) =>
      [...m.arenas()].map((a) => a.pools.map((p) => [...m.poolOwners(p)].join(',')).join(';')).join('|');
    expect(owners(reused)).toBe(owners(fresh));
  });

  it('makes its own slots when the ones given are too small', () => {
    const g = geometry('3.11');
    const small = new PymallocModel(g).blockSlots();
    const big = new PymallocModel(g, 1 << 20, small);
    expect(big.blockSlots().slot).not.toBe(small.slot);
    expect(big.blockSlots().slot.length).toBeGreaterThan(small.slot.length);
  });
});
