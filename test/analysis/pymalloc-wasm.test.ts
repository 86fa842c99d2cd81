// The replay's model runs as WebAssembly (replay-model.ts, from assembly/replay-model.ts); PoolModel
// (pools.ts), which PymallocModel is checked against block by block (pymalloc-allocator-run.test.ts),
// is its reference. On random sequences of the replay's operations, in each geometry, both make
// the same pool choices and reach the same states; the per-block loops (random frees, the scattered
// order's places and the freeing of its transients, who holds the blocks of an arena) do what their
// definitions, written out here on PoolModel, do with the same generator.
import { describe, expect, it } from 'vitest';
import {
  aliasTable,
  below,
  binomial,
  drawAlias,
  minMax,
  orderStatistics,
  seedState,
  xorshift,
} from '../../src/analysis/pymalloc/draw.js';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { LARGE, PoolModel } from '../../src/analysis/pymalloc/pools.js';
import { ReplayModel } from '../../src/analysis/pymalloc/replay-model.js';
import { mallocStats, poolCounts } from '../../src/analysis/pymalloc/state.js';

const PYTHONS = ['3.8', '3.9', '3.11', '3.13'];
const SIZES = [1, 8, 16, 17, 48, 64, 200, 512, 513, 4000, 0];

function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return Math.floor((x / 2 ** 32) * n);
  };
}

const reset = (m: ReplayModel, groups: { size: number; system: boolean }[], starts: Int32Array, room: number) =>
  m.reset(
    Float64Array.from(groups, (g) => g.size),
    Uint8Array.from(groups, (g) => (g.system ? 1 : 0)),
    starts,
    room,
  );

function expectSameState(wasm: ReplayModel, ref: PoolModel): void {
  expect(mallocStats(wasm)).toEqual(mallocStats(ref));
  expect(poolCounts(wasm)).toEqual(poolCounts(ref));
  expect([wasm.largeBlocks, wasm.largeBytes, wasm.narenasHighwater]).toEqual([
    ref.largeBlocks,
    ref.largeBytes,
    ref.narenasHighwater,
  ]);
  expect([...wasm.arenas()]).toEqual([...ref.arenas()]);
  expect(wasm.poolIdCount).toBe(ref.poolIdCount);
  const pools = (m: ReplayModel | PoolModel) =>
    Array.from({ length: ref.poolIdCount }, (_, p) => ({ ...m.pool(p), arena: m.arenaOfPool(p) }));
  expect(pools(wasm)).toEqual(pools(ref));
  const rooms = (m: ReplayModel | PoolModel) => Array.from({ length: ref.classes }, (_, c) => m.headRoom(c));
  expect(rooms(wasm)).toEqual(rooms(ref));
}

describe('the WebAssembly model makes the choices of PoolModel', () => {
  it.each(PYTHONS)('allocations one by one, in runs and by pool; frees one by one and by pool (%s)', (python) => {
    const g = geometry(python);
    const ref = new PoolModel(g);
    const wasm = new ReplayModel(g);
    const groups = SIZES.flatMap((size) => [
      { size, system: false },
      { size, system: true },
    ]);
    // Each group's live list as long as any sequence below can make it.
    const ROOM = 200_000;
    reset(
      wasm,
      groups,
      Int32Array.from({ length: groups.length + 1 }, (_, i) => i * ROOM),
      groups.length * ROOM + 1,
    );
    const live: [pool: number, size: number][] = [];
    const draw = lcg(4242);
    for (let step = 0; step < 500; step++) {
      const id = draw(groups.length);
      const { size, system } = groups[id]!;
      const n = 1 + draw(step % 7 === 0 ? 3000 : 40);
      const how = draw(3);
      if (how === 0) {
        for (let i = 0; i < n; i++) {
          const p = ref.alloc(size, system);
          expect(wasm.alloc(size, system)).toBe(p);
          live.push([p, size]);
        }
      } else if (how === 1) {
        const out = new Int32Array(n);
        ref.allocRun(size, system, n, out, 0);
        wasm.allocate(id, n); // the same run, to the group's live list
        for (const p of out) live.push([p, size]);
      } else if (!ref.isLarge(size, system)) {
        // allocMany: what the pool in use takes, then a new pool's worth at most.
        const c = ref.classOf(size);
        let left = n;
        for (let room = ref.headRoom(c); left > 0; room = ref.headRoom(c)) {
          const k = Math.min(left, room || ref.blocksPerPool(c));
          const p = ref.allocMany(c, k);
          expect(wasm.allocMany(c, k)).toBe(p);
          for (let i = 0; i < k; i++) live.push([p, size]);
          left -= k;
        }
      }
      // Frees of a share of what is live, at random: one by one, or all of a drawn block's pool
      // that is live at once.
      const share = Math.floor(step / 100) % 2 ? 2 : 5;
      for (let k = Math.floor(live.length / share); k > 0 && live.length; k--) {
        const j = draw(live.length);
        const [p, s] = live[j]!;
        if (p !== LARGE && draw(4) === 0) {
          const same = live.filter(([q]) => q === p).length;
          ref.freeMany(p, same);
          wasm.freeMany(p, same);
          for (let i = live.length - 1; i >= 0; i--) if (live[i]![0] === p) live.splice(i, 1);
          continue;
        }
        ref.free(p, s);
        wasm.free(p, s);
        live[j] = live[live.length - 1]!;
        live.pop();
      }
      if (step % 50 === 0) expectSameState(wasm, ref);
    }
    expectSameState(wasm, ref);
  });

  it.each(PYTHONS)(
    "the replay's loops on group lists: runs, compact and random frees, places, owners (%s)",
    (python) => {
      const g = geometry(python);
      const ref = new PoolModel(g);
      const wasm = new ReplayModel(g);
      const groups = [16, 24, 48, 48, 100, 512, 513, 32].map((size, i) => ({ size, system: i === 7 }));
      const peak = 60_000;
      reset(
        wasm,
        groups,
        Int32Array.from({ length: groups.length + 1 }, (_, i) => i * peak),
        groups.length * peak,
      );
      const lists: number[][] = groups.map(() => []); // the reference's live lists
      const draw = lcg(99);
      let x = 0x2545f491;
      for (let round = 0; round < 12; round++) {
        // Runs to some groups' lists.
        for (let id = 0; id < groups.length; id++) {
          const n = draw(Math.min(8000, peak - lists[id]!.length));
          if (!n) continue;
          const out = new Int32Array(n);
          ref.allocRun(groups[id]!.size, groups[id]!.system, n, out, 0);
          wasm.allocate(id, n);
          lists[id]!.push(...out);
        }
        // The compact order's frees (the last blocks), then the scattered order's (at random).
        for (let id = 0; id < groups.length; id++) {
          const list = lists[id]!;
          const last = draw(list.length / 3);
          for (const p of list.splice(list.length - last).reverse()) ref.free(p, groups[id]!.size); // from the end
          wasm.compactFrees(id, last);
          const n = draw(list.length / 2);
          let y = x;
          for (let k = 0; k < n; k++) {
            y = xorshift(y);
            const j = below(y, list.length);
            ref.free(list[j]!, groups[id]!.size);
            list[j] = list[list.length - 1]!;
            list.pop();
          }
          x = wasm.randomFrees(id, n, x);
          expect(x).toBe(y);
          expect(wasm.liveCount(id)).toBe(list.length);
        }
        // The scattered order's allocations of one size class: the places are what the pools in use
        // take, then new pools; transients are drawn among them, then each group's blocks.
        const c = ref.classOf(48);
        const want = [draw(3000), draw(3000)].map((n, k) => Math.min(n, peak - lists[2 + k]!.length));
        const t = draw(2000);
        const blocks = want[0]! + want[1]! + t;
        const planPool: number[] = [];
        const planBlocks: number[] = [];
        for (let left = blocks; left > 0; ) {
          const k = Math.min(left, ref.headRoom(c) || ref.blocksPerPool(c));
          const p = ref.allocMany(c, k);
          expect(wasm.allocMany(c, k)).toBe(p);
          planPool.push(p);
          planBlocks.push(k);
          left -= k;
        }
        const places = planPool.flatMap((p, e) => new Array<number>(planBlocks[e]!).fill(p));
        let len = places.length;
        let y = x;
        const pick = () => {
          y = xorshift(y);
          const r = below(y, len);
          const place = places[r]!;
          places[r] = places[--len]!;
          return place;
        };
        // The transients drawn to the end of the places, then counted from there in order.
        for (let k = 0; k < t; k++) {
          const p = pick(); // before len is read: pick() moves it
          places[len] = p;
        }
        const transients = new Map<number, number>();
        for (const p of places.slice(len, len + t)) transients.set(p, (transients.get(p) ?? 0) + 1);
        const take: [number, number][] = [
          [2, want[0]!],
          [3, want[1]!],
        ];
        for (const [id, n] of take) for (let k = 0; k < n; k++) lists[id]!.push(pick());
        x = wasm.placeClass(planPool, planBlocks, 0, planPool.length, blocks, t, [2, 3], want, x);
        expect(x).toBe(y);
        if (round % 2) {
          const touched = wasm.touched();
          expect(new Map([...touched.pools].map((p, i) => [p, touched.transients[i]!]))).toEqual(transients);
          expect([...touched.pools]).toEqual([...transients.keys()]); // in the order first touched
          for (const [p, n] of transients) {
            ref.freeMany(p, n);
            wasm.freeMany(p, n);
          }
        } else {
          // The transients freed in random order: each pool's first and last free, at the smallest
          // and the largest of its transients' places (minMax), pools in the order first touched.
          const rng = Int32Array.of(x);
          const frees: { key: number; pool: number; n: number }[] = [];
          for (const [p, n] of transients) {
            const [min, max] = minMax(rng, n);
            const full = ref.countOf(p) === ref.blocksPerPool(ref.sizeClassOf(p));
            if (full) frees.push({ key: min, pool: p, n: 1 });
            if (full && n > 1) frees.push({ key: max, pool: p, n: n - 1 });
            if (!full) frees.push({ key: max, pool: p, n });
          }
          for (const f of frees.map((f, i) => ({ ...f, i })).sort((a, b) => a.key - b.key || a.i - b.i)) {
            ref.freeMany(f.pool, f.n);
          }
          x = wasm.freeTransients(x);
          expect(x).toBe(rng[0]);
          expect(wasm.touched().pools.length).toBe(0);
        }
        expectSameState(wasm, ref);
        // Who holds the blocks of every other arena.
        const arenas = new Set([...ref.arenas()].map((a) => a.id).filter((a) => a % 2 === round % 2));
        const owners = new Map([...arenas].map((a) => [a, new Map<number, number>()]));
        lists.forEach((list, id) => {
          for (const p of list) {
            const here = p === LARGE ? undefined : owners.get(ref.arenaOfPool(p));
            here?.set(id, (here.get(id) ?? 0) + 1);
          }
        });
        expect(wasm.ownersIn(arenas)).toEqual(owners);
      }
    },
  );

  it("draws order statistics as draw.ts's orderStatistics, draw for draw", () => {
    const wasm = new ReplayModel(geometry('3.11'));
    reset(wasm, [], new Int32Array(1), 0);
    const draw = lcg(5);
    for (const [n, step] of [
      [1, 1],
      [7, 3],
      [100, 7],
      [5000, 63],
      [1e6, 251],
      [3e6, 40_000],
    ] as const) {
      const ranks = Array.from({ length: Math.floor(n / step) }, (_, j) => 1 + j * step + draw(step));
      for (const seed of [1, 2, 99]) {
        const rng = Int32Array.of(seedState(seed));
        const want = orderStatistics(rng, n, ranks);
        const got = wasm.orderStatistics(n, ranks, seedState(seed));
        expect(got.x).toBe(rng[0]);
        expect([...got.keys]).toEqual([...want]);
      }
    }
  });

  it('splits draws by weight as successive binomial draws do, draw for draw', () => {
    const wasm = new ReplayModel(geometry('3.11'));
    reset(wasm, [], new Int32Array(1), 0);
    const draw = lcg(8);
    for (const g of [1, 2, 10, 4800]) {
      // Small and large shares: binomial draws by inversion and from the normal distribution.
      const weights = Array.from({ length: g }, () => (draw(5) ? 1 + draw(draw(2) ? 20 : 200_000) : 0));
      const total = weights.reduce((t, w) => t + w, 0);
      for (const draws of [0, 1, 37, total >> 1, total]) {
        const rng = Int32Array.of(seedState(g + draws));
        const want: number[] = [];
        let [left, rest] = [draws, total];
        for (const w of weights) {
          const n = left > 0 ? binomial(rng, left, w / rest) : 0;
          want.push(n);
          left -= n;
          rest -= w;
        }
        const got = wasm.splitDraws(weights, draws, seedState(g + draws));
        expect(got.x).toBe(rng[0]);
        expect([...got.counts]).toEqual(want);
      }
    }
  });

  it('sorts keys as numbers, ties in index order', () => {
    const wasm = new ReplayModel(geometry('3.11'));
    reset(wasm, [], new Int32Array(1), 0);
    const keys = [0.5, 0.25, 0.75, 0.25, 0, -0, 1e-300, 0.5, 0.999];
    expect([...wasm.sortKeys(keys)]).toEqual([4, 5, 6, 1, 3, 0, 7, 2, 8]);
    const draw = lcg(7);
    for (const n of [0, 1, 2, 3, 17, 1000, 4097]) {
      const keys = Array.from({ length: n }, () => (draw(3) ? draw(50) / 50 : Math.random()));
      const order = Array.from(keys.keys()).sort((i, j) => keys[i]! - keys[j]! || i - j);
      expect([...wasm.sortKeys(keys)]).toEqual(order);
    }
  });

  it('draws by weight as drawAlias does, draw for draw, until the bytes or the most draws', () => {
    const wasm = new ReplayModel(geometry('3.11'));
    reset(wasm, [], new Int32Array(1), 0);
    const draw = lcg(11);
    for (const n of [1, 2, 5, 300, 5000]) {
      const weights = Array.from({ length: n }, () => (draw(4) ? draw(1000) : 0) + (n === 1 ? 1 : 0));
      const sizes = Array.from({ length: n }, () => 1 + draw(600));
      const cls = sizes.map((s) => (s > 512 ? -1 : (s - 1) >> 4));
      const table = aliasTable(weights);
      for (const [made, bytes, drawn, most] of [
        [0, 1e6, 0, 1 << 23],
        [5000, 2e5, 7, 1 << 23],
        [0, 1e9, 0, 123],
      ] as const) {
        const expected = new Int32Array(32).fill(3);
        let [x, m, k] = [seedState(n), made, drawn];
        while (m < bytes && k < most) {
          const x1 = xorshift(x);
          x = xorshift(x1);
          const i = drawAlias(table, x1, x);
          if (cls[i]! >= 0) expected[cls[i]!]!++;
          k++;
          m += sizes[i]!;
        }
        const perClass = new Int32Array(32).fill(3);
        const state = wasm.drawByWeight(table, sizes, cls, perClass, { made, drawn }, { bytes, most }, seedState(n));
        expect([state, [...perClass]]).toEqual([x, [...expected]]);
      }
    }
  });

  it('starts afresh on reset, in the memory it has', () => {
    const g = geometry('3.11');
    const wasm = new ReplayModel(g);
    const groups = [{ size: 64, system: false }];
    reset(wasm, groups, Int32Array.of(0, 100_000), 100_000);
    wasm.allocate(0, 100_000);
    expect(wasm.narenasCurrent).toBeGreaterThan(1);
    reset(wasm, groups, Int32Array.of(0, 10), 10);
    const ref = new PoolModel(g);
    expectSameState(wasm, ref);
    wasm.allocate(0, 10);
    ref.allocRun(64, false, 10, new Int32Array(10), 0);
    expectSameState(wasm, ref);
  });
});
