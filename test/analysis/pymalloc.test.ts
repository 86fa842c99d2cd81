// The pymalloc model: hand-worked scenarios that pin its choices to obmalloc's, invariants on
// random sequences, and the _debugmallocstats() layout against CPython's own output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LARGE, PymallocModel } from '../../src/analysis/pymalloc/allocator.js';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { mallocStats, poolCounts } from '../../src/analysis/pymalloc/state.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { AllocatorStats } from '../../src/model/allocator-stats.js';
import { renderMallocStats } from '../../src/report/text/mallocstats.js';

const pool = (m: PymallocModel, b: number) => m.poolOf(b);
const index = (m: PymallocModel, b: number) => m.indexOf(b);

describe('hand-worked scenarios (3.8 geometry: 4 KiB pools, 256 KiB arenas)', () => {
  const g = geometry('3.8');

  it('fills a pool exactly: blocks in address order, then a new pool', () => {
    const m = new PymallocModel(g);
    // 512-byte class: (4096 - 48) / 512 = 7 blocks.
    const blocks = Array.from({ length: 7 }, () => m.alloc(512, 1));
    expect(blocks.map((b) => index(m, b))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(blocks.map((b) => pool(m, b))).size).toBe(1);
    expect(poolCounts(m)).toEqual({ used: 0, full: 1, empty: 0 });
    const eighth = m.alloc(500, 1); // same class
    expect(pool(m, eighth)).not.toBe(pool(m, blocks[0]!));
    m.check();
  });

  it('freeing into a full pool puts it first, and its block is reused next (LIFO)', () => {
    const m = new PymallocModel(g);
    const first = Array.from({ length: 7 }, () => m.alloc(512, 1));
    const second = m.alloc(512, 1); // a second pool, now the used one
    m.free(first[3]!);
    expect(m.alloc(512, 1)).toBe(first[3]); // the freed block, from the pool moved to the front
    m.free(first[5]!);
    m.free(first[1]!);
    expect(m.alloc(512, 1)).toBe(first[1]); // last freed, first reused
    expect(m.alloc(512, 1)).toBe(first[5]);
    expect(pool(m, m.alloc(512, 1))).toBe(pool(m, second));
    m.check();
  });

  it('an empty pool is reused, re-initialised, for another size class', () => {
    const m = new PymallocModel(g);
    const keep = m.alloc(16, 1); // pool A (class 0) keeps the arena busy
    const bs = Array.from({ length: 3 }, () => m.alloc(100, 2)); // pool B (class 6)
    bs.forEach((b) => m.free(b));
    expect(poolCounts(m)).toEqual({ used: 1, full: 0, empty: 1 });
    const c = m.alloc(300, 3); // class 18 takes the cached empty pool B
    expect(pool(m, c)).toBe(pool(m, bs[0]!));
    expect(index(m, c)).toBe(0);
    expect(pool(m, keep)).not.toBe(pool(m, c));
    m.check();
  });

  it('3.8 releases an arena as soon as all its pools are empty', () => {
    const m = new PymallocModel(g);
    // 64 pools of the 512-byte class fill one 256 KiB arena; one more block opens a second.
    const fill = Array.from({ length: 64 * 7 }, () => m.alloc(512, 1));
    expect(m.narenasCurrent).toBe(1);
    const extra = m.alloc(512, 1);
    expect(m.narenasCurrent).toBe(2);
    m.free(extra);
    expect(m.narenasCurrent).toBe(1);
    expect(m.ntimesArenaAllocated).toBe(2);
    fill.forEach((b) => m.free(b));
    expect(m.narenasCurrent).toBe(0);
    m.check();
  });

  it('3.9+ keeps the last wholly free arena (bpo-37257), and only that one', () => {
    const m = new PymallocModel(geometry('3.9'));
    const fill = Array.from({ length: 64 * 7 }, () => m.alloc(512, 1));
    const extra = m.alloc(512, 1);
    m.free(extra);
    expect(m.narenasCurrent).toBe(2); // the empty one is the last usable arena: kept
    const again = m.alloc(512, 1); // and reused: no new arena
    expect(m.ntimesArenaAllocated).toBe(2);
    m.free(again);
    fill.slice(0, 7).forEach((b) => m.free(b)); // empty one pool of the first arena
    m.check();
    fill.slice(7).forEach((b) => m.free(b)); // the first arena is wholly free, but not last
    expect(m.narenasCurrent).toBe(1);
    m.check();
  });

  it('the fullest arena serves first', () => {
    const m = new PymallocModel(g);
    const a1 = Array.from({ length: 64 * 7 }, () => m.alloc(512, 1)); // arena 1 full
    const a2 = Array.from({ length: 10 * 7 }, () => m.alloc(512, 1)); // arena 2: 10 pools
    // Free 3 pools of arena 1: it has 3 free pools, arena 2 has 54: arena 1 is fuller.
    a1.slice(0, 21).forEach((b) => m.free(b));
    a2.slice(63).forEach((b) => m.free(b)); // arena 2's used pool stays partly used
    const next = Array.from({ length: 8 }, () => m.alloc(16, 9)); // a new class: needs a new pool
    const arenaOf = (b: number) => [...m.arenas()].find((a) => a.pools.includes(pool(m, b)))!.id;
    expect(arenaOf(next[0]!)).toBe(arenaOf(a1[30]!));
    m.check();
  });

  it('requests above 512 bytes and of size 0 go to the system allocator', () => {
    const m = new PymallocModel(g);
    expect(m.alloc(513, 1)).toBe(LARGE);
    expect(m.alloc(0, 1)).toBe(LARGE);
    expect([m.largeBlocks, m.largeBytes, m.narenasCurrent]).toEqual([2, 513, 0]);
  });
});

describe('invariants on random alloc/free sequences', () => {
  it.each(['3.8', '3.9', '3.11'])('%s', (python) => {
    const m = new PymallocModel(geometry(python));
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const live: number[] = [];
    let allocs = 0;
    let frees = 0;
    for (let i = 0; i < 60000; i++) {
      // Phases of growth and of shrinking, so that arenas are created and released.
      const grow = Math.floor(i / 10000) % 2 === 0 ? 0.7 : 0.3;
      if (!live.length || rnd() < grow) {
        const size = rnd() < 0.05 ? 600 : 1 + Math.floor(rnd() * rnd() * 512);
        const b = m.alloc(size, size);
        if (b !== LARGE) live.push(b);
        allocs++;
      } else {
        const j = Math.floor(rnd() * live.length);
        m.free(live[j]!);
        live[j] = live[live.length - 1]!;
        live.pop();
        frees++;
      }
      if (i % 5000 === 0) m.check();
    }
    m.check();
    const st = mallocStats(m);
    // Blocks conserved, and the figures add up as _debugmallocstats asserts.
    expect(st.classes.reduce((n, c) => n + c.inUse, 0)).toBe(live.length);
    expect(st.total).toBe(st.arenaBytes);
    expect(allocs - frees - m.largeBlocks).toBe(live.length);
    // Free everything: every arena goes back, but the last one from 3.9 on.
    live.forEach((b) => m.free(b));
    m.check();
    expect(m.narenasCurrent).toBe(python === '3.8' ? 0 : 1);
    expect(mallocStats(m).classes).toEqual([]);
  });
});

describe('_debugmallocstats() layout', () => {
  it.each(['py38', 'py311', 'py313'])(
    "%s: printed from its figures, the pymalloc part is character for character CPython's",
    async (v) => {
      const file = `fixtures/mallocstats/${v}-debugmallocstats.txt`;
      const s = (await loadCapture(file)) as AllocatorStats;
      const text = readFileSync(file, 'utf8');
      const start = text.indexOf('Small block threshold');
      const end = text.indexOf('\n', text.indexOf('Total', start)) + 1;
      expect(renderMallocStats(s.blocks[0]!)).toBe(text.slice(start, end));
    },
  );
});
