// The replay's PoolModel names a block by its pool; PymallocModel models the blocks themselves.
// Both must make the same pool-level choices: on random sequences of allocations (one at a time
// and in runs, as the replay's compact order makes them) and frees of mixed sizes (small, large,
// another domain), each block lands in the same pool, and the states are the same, in each geometry.
import { describe, expect, it } from 'vitest';
import { LARGE, PymallocModel } from '../../src/analysis/pymalloc/allocator.js';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { PoolModel } from '../../src/analysis/pymalloc/pools.js';
import { mallocStats, poolCounts } from '../../src/analysis/pymalloc/state.js';

describe('PoolModel makes the pool choices of PymallocModel', () => {
  it.each(['3.8', '3.9', '3.11', '3.13'])('on a random sequence (%s)', (python) => {
    const g = geometry(python);
    const pools = new PoolModel(g);
    const blocks = new PymallocModel(g);
    // Live blocks: [block handle, its pool in PoolModel, size].
    const live: [number, number, number][] = [];
    let x = 12345;
    const draw = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return Math.floor((x / 2 ** 32) * n); // the high bits: an LCG's low bits repeat
    };
    const sizes = [1, 8, 16, 17, 48, 64, 200, 512, 513, 4000, 0];
    for (let step = 0; step < 600; step++) {
      const size = sizes[draw(sizes.length)]!;
      const n = 1 + draw(step % 7 === 0 ? 3000 : 40);
      const system = draw(10) === 0;
      const out = new Int32Array(n + 2).fill(-7);
      if (draw(2)) pools.allocRun(size, system, n, out, 1);
      else for (let i = 1; i <= n; i++) out[i] = pools.alloc(size, system);
      expect([out[0], out[n + 1]]).toEqual([-7, -7]);
      for (let i = 1; i <= n; i++) {
        const b = blocks.alloc(size, 0, system);
        expect(out[i]).toBe(b === LARGE ? LARGE : blocks.poolOf(b));
        live.push([b, out[i]!, size]);
      }
      // Free a share of what is live, at random, in both (phases of growth and of shrinking).
      const share = Math.floor(step / 100) % 2 ? 2 : 5;
      for (let k = Math.floor(live.length / share); k > 0; k--) {
        const j = draw(live.length);
        const [b, p, s] = live[j]!;
        blocks.free(b, s);
        pools.free(p, s);
        live[j] = live[live.length - 1]!;
        live.pop();
      }
    }
    const same = () => {
      pools.check();
      blocks.check();
      expect(mallocStats(pools)).toEqual(mallocStats(blocks));
      expect(poolCounts(pools)).toEqual(poolCounts(blocks));
      expect([pools.largeBlocks, pools.largeBytes]).toEqual([blocks.largeBlocks, blocks.largeBytes]);
      expect([...pools.arenas()]).toEqual([...blocks.arenas()]);
    };
    same();
    // Then everything, at random: arenas empty and are released.
    while (live.length) {
      const j = draw(live.length);
      const [b, p, s] = live[j]!;
      blocks.free(b, s);
      pools.free(p, s);
      live[j] = live[live.length - 1]!;
      live.pop();
    }
    expect(pools.ntimesArenaAllocated - pools.narenasCurrent).toBeGreaterThan(0);
    same();
  });
});
