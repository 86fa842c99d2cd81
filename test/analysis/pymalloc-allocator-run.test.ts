// allocRun(), the compact order's way to allocate a run of one group, hands out the very blocks that
// as many alloc() calls would, in the same order, and leaves the model in the same state: checked
// on random runs and frees of mixed sizes (small, large, another domain) in each geometry.
import { describe, expect, it } from 'vitest';
import { PymallocModel } from '../../src/analysis/pymalloc/allocator.js';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { mallocStats } from '../../src/analysis/pymalloc/state.js';

describe('allocRun = alloc() n times', () => {
  it.each(['3.8', '3.9', '3.11', '3.13'])('on a random sequence (%s)', (python) => {
    const g = geometry(python);
    const byRun = new PymallocModel(g);
    const byCall = new PymallocModel(g);
    const live: number[] = [];
    let x = 12345;
    const draw = (n: number) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    const sizes = [1, 8, 16, 17, 48, 64, 200, 512, 513, 4000, 0];
    for (let step = 0; step < 400; step++) {
      const size = sizes[draw(sizes.length)]!;
      const n = 1 + draw(step % 7 === 0 ? 3000 : 40);
      const owner = draw(50);
      const system = draw(10) === 0;
      const out = new Int32Array(n + 2).fill(-7);
      byRun.allocRun(size, owner, system, n, out, 1);
      const expected = Array.from({ length: n }, () => byCall.alloc(size, owner, system));
      expect([...out.subarray(1, n + 1)]).toEqual(expected);
      expect([out[0], out[n + 1]]).toEqual([-7, -7]);
      for (const b of expected) live.push(b, size);
      // Free about a third of what is live, at random, in both.
      for (let k = Math.floor(live.length / 6); k > 0; k--) {
        const j = 2 * draw(live.length / 2);
        byRun.free(live[j]!, live[j + 1]!);
        byCall.free(live[j]!, live[j + 1]!);
        live.splice(j, 2);
      }
    }
    byRun.check();
    expect(mallocStats(byRun)).toEqual(mallocStats(byCall));
    expect([byRun.largeBlocks, byRun.largeBytes]).toEqual([byCall.largeBlocks, byCall.largeBytes]);
    for (let j = 0; j < live.length; j += 2) {
      if (live[j]! >= 0) expect(byRun.owner(live[j]!)).toBe(byCall.owner(live[j]!));
    }
  });
});
