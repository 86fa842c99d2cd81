// The scattered order is sampled at the level of pools (replay.ts): a shuffle per size class, the
// classes' new pools taken at order statistics, each pool's transients freed at their smallest and
// largest place. It must have the odds of what it stands for, written here block by block: every
// survivor and transient of an interval in one shuffled sequence, allocated in turn, then the
// transients shuffled and freed in turn. Both are run from many seeds on a series that makes and
// empties pools and arenas (3.8: 64 pools of 4 KiB an arena), and the figures of each capture must
// agree in mean and spread.
import { describe, expect, it } from 'vitest';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { LARGE, PoolModel } from '../../src/analysis/pymalloc/pools.js';
import { replay } from '../../src/analysis/pymalloc/replay.js';
import { poolCounts } from '../../src/analysis/pymalloc/state.js';
import { FrameTable } from '../../src/model/frames.js';
import { GroupBuilder, type Snapshot } from '../../src/model/snapshot.js';

const frames = new FrameTable();
const site = (line: number) => frames.internTraceback([frames.internFrame('app.py', line)]);

/** A snapshot of [line, size, count] groups; `peak`: tracemalloc's traced peak since the previous one. */
function snapshot(groups: [line: number, size: number, count: number][], peak?: number): Snapshot {
  const b = new GroupBuilder();
  for (const [line, size, count] of groups) b.add(0, site(line), size, count);
  return {
    ...(peak === undefined ? {} : { tracedPeak: peak }),
    kind: 'snapshot',
    source: { path: 'x', format: 'tracemalloc-snapshot', gzip: false, bytes: 0 },
    frames,
    groups: b.finish(),
    tracebackLimit: 1,
    layout: '4-tuple',
    traceCount: b.traceCount,
    totalSize: b.totalSize,
    time: null,
    partial: false,
    warnings: [],
  };
}

const SERIES = [
  snapshot([
    [1, 48, 8000],
    [2, 16, 6000],
    [3, 200, 2000],
    [4, 500, 600],
    [5, 1000, 50],
  ]),
  snapshot([
    [1, 48, 3000],
    [2, 16, 9000],
    [3, 200, 500],
    [4, 500, 900],
    [6, 64, 4000],
  ]),
  snapshot([
    [1, 48, 1000],
    [2, 16, 2000],
    [3, 200, 2500],
    [6, 64, 500],
    [7, 128, 3000],
    // Fewer than the room the pools in use have: which pools take them depends on the order of
    // the classes' used lists, which the previous interval's transients set.
    [8, 64, 800],
    [9, 16, 500],
  ]),
];

type Figures = number[];
const NAMES = [
  'arenas',
  'used pools',
  'full pools',
  'empty pools',
  'pinned arenas',
  ...Array.from({ length: 10 }, (_, i) => `arenas ${i * 10}-${i * 10 + 10}% used`),
];

/** The scattered order block by block, from its definition, on PoolModel (checked against PymallocModel). */
function blockByBlock(snaps: readonly Snapshot[], seed: number): Figures[] {
  let s = seed >>> 0 || 1;
  const random = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const below = (n: number) => Math.floor(random() * n);
  const shuffle = <T>(a: T[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const r = below(i + 1);
      [a[i], a[r]] = [a[r]!, a[i]!];
    }
  };
  const m = new PoolModel(geometry('3.8'));
  // Groups in the order the replay numbers them: first seen, capture by capture.
  const ids = new Map<string, number>();
  const sizes: number[] = [];
  for (const snap of snaps)
    for (let i = 0; i < snap.groups.length; i++) {
      const key = `${snap.frames.tracebackFrames(snap.groups.traceback[i]!).join(',')}:${snap.groups.size[i]}`;
      if (!ids.has(key)) {
        ids.set(key, sizes.length);
        sizes.push(snap.groups.size[i]!);
      }
    }
  const live: number[][] = sizes.map(() => []);
  return snaps.map((snap, k) => {
    const want = new Array<number>(sizes.length).fill(0);
    for (let i = 0; i < snap.groups.length; i++) {
      const key = `${snap.frames.tracebackFrames(snap.groups.traceback[i]!).join(',')}:${snap.groups.size[i]}`;
      want[ids.get(key)!]! += snap.groups.count[i]!;
    }
    // Frees, group by group: blocks at random.
    want.forEach((n, id) => {
      const l = live[id]!;
      while (l.length > n) {
        const j = below(l.length);
        m.free(l[j]!, sizes[id]);
        l[j] = l[l.length - 1]!;
        l.pop();
      }
    });
    // The survivors, and transients drawn by count from the interval's allocations: as many bytes
    // as the traced peak rose above both captures, or without a peak as many as the survivors'.
    const allocs = want.map((n, id) => Math.max(0, n - live[id]!.length));
    const total = allocs.reduce((t, n) => t + n, 0);
    const peak = snap.tracedPeak;
    let bytes =
      peak !== undefined && peak !== null
        ? peak - Math.max(k ? snaps[k - 1]!.totalSize : 0, snap.totalSize)
        : k
          ? allocs.reduce((t, n, id) => t + n * sizes[id]!, 0)
          : 0;
    const seq: number[] = [];
    allocs.forEach((n, id) => {
      for (let i = 0; i < n; i++) seq.push(id);
    });
    while (bytes > 0) {
      let r = below(total);
      let id = 0;
      while (r >= allocs[id]!) r -= allocs[id++]!;
      seq.push(-1 - id);
      bytes -= Math.max(1, sizes[id]!);
    }
    shuffle(seq);
    const made: [number, number][] = [];
    for (const id of seq) {
      if (id >= 0) live[id]!.push(m.alloc(sizes[id]!));
      else made.push([m.alloc(sizes[-1 - id]!), sizes[-1 - id]!]);
    }
    shuffle(made);
    for (const [pool, size] of made) m.free(pool, pool === LARGE ? size : 0);
    return figures(m);
  });
}

function figures(m: PoolModel): Figures {
  const p = poolCounts(m);
  let pinned = 0;
  const occupancy = new Array<number>(10).fill(0);
  for (const a of m.arenas()) {
    let bytes = 0;
    for (const pool of a.pools) {
      const s = m.pool(pool);
      bytes += s.count * m.classSize(s.sizeClass);
    }
    if (bytes < 0.25 * m.g.arenaSize) pinned++;
    occupancy[Math.min(9, Math.floor((bytes / m.g.arenaSize) * 10))]!++;
  }
  return [m.narenasCurrent, p.used, p.full, p.empty, pinned, ...occupancy];
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((t, x) => t + x, 0) / xs.length;
  const variance = xs.reduce((t, x) => t + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
};

function agree(series: readonly Snapshot[]): void {
  const runs = 300;
  const sampled: Figures[][] = [];
  const reference: Figures[][] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const r = replay(series, ['a', 'b', 'c'], { python: '3.8', seed });
    sampled.push(
      r.captures.map(({ scattered: s }) => [
        s.arenas,
        s.pools.used,
        s.pools.full,
        s.pools.empty,
        s.fragmentation.pinnedArenas,
        ...s.fragmentation.occupancy,
      ]),
    );
    reference.push(blockByBlock(series, seed * 7919));
  }

  it.each([0, 1, 2])('capture %i: every figure agrees in mean and spread', (k) => {
    let spread = 0;
    NAMES.forEach((name, f) => {
      const a = stats(sampled.map((run) => run[k]![f]!));
      const b = stats(reference.map((run) => run[k]![f]!));
      spread += a.variance + b.variance;
      // Means within 4.5 standard errors (of their difference); a figure that does not vary must be equal.
      const se = Math.sqrt(a.variance / runs + b.variance / runs);
      expect(Math.abs(a.mean - b.mean), `${name}: ${a.mean} against ${b.mean}`).toBeLessThanOrEqual(4.5 * se + 1e-9);
      if (a.variance + b.variance > 0.5) {
        const ratio = a.variance / b.variance;
        expect(ratio, `${name}: variance ${a.variance} against ${b.variance}`).toBeGreaterThan(0.6);
        expect(ratio, `${name}: variance ${a.variance} against ${b.variance}`).toBeLessThan(1 / 0.6);
      }
    });
    // The series leaves room for chance after the first capture (else the test proves nothing).
    if (k) expect(spread).toBeGreaterThan(0.2);
  });
}

describe('the scattered order, sampled by pools, has the odds of a shuffle of every block', () => {
  describe('a series that makes and empties pools and arenas of many classes', () => agree(SERIES));
  // 100 full pools of 64-byte blocks; then as many again, with as many transients (200 pools
  // full, then the transients freed); then a few blocks more and no transients (the peak is the
  // capture's size), which go to the pools at the front of the class's list: the pools whose
  // first transient was freed last, which fill up.
  describe('a series whose last capture fills the pools its transients left first', () =>
    agree([
      snapshot([[1, 64, 6300]]),
      snapshot([
        [1, 64, 6300],
        [2, 64, 6300],
      ]),
      snapshot(
        [
          [1, 64, 6300],
          [2, 64, 6300],
          [3, 64, 300],
        ],
        (6300 * 2 + 300) * 64,
      ),
    ]));
});
