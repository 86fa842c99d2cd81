// Where the replay keeps each group's live blocks (liveLayout): rooms shared over time must never be
// shared by two groups holding blocks at the same capture, each as large as its group's peak; groups
// that never live at once take the same room (issue 14: two dumps of no common group wrote 8 MiB of
// rooms where 4 held them).
import { describe, expect, it } from 'vitest';
import { type Counts, liveLayout } from '../../src/analysis/pymalloc/series.js';

/** A series of captures, each a map of group id to its count. */
function series(groups: number, captures: Record<number, number>[]) {
  const counts: Counts[] = captures.map((c) => {
    const ids = Object.keys(c)
      .map(Number)
      .sort((a, b) => a - b);
    return { ids: Int32Array.from(ids), n: Float64Array.from(ids.map((id) => c[id]!)) };
  });
  const peaks = new Float64Array(groups);
  for (const c of counts)
    for (let i = 0; i < c.ids.length; i++) peaks[c.ids[i]!] = Math.max(peaks[c.ids[i]!]!, c.n[i]!);
  return { counts, peaks };
}

/** Every capture's groups that hold blocks from then to a later one (their lifetime) have rooms apart. */
function expectApart(s: ReturnType<typeof series>): void {
  const { start, extent } = liveLayout(s);
  const groups = s.peaks.length;
  expect(start[groups]).toBe(extent);
  const first = new Array<number>(groups).fill(-1);
  const last = new Array<number>(groups).fill(-1);
  s.counts.forEach((c, k) =>
    c.ids.forEach((id, i) => {
      if (c.n[i]! <= 0) return;
      if (first[id]! < 0) first[id] = k;
      last[id] = k;
    }),
  );
  const faults: string[] = [];
  for (let k = 0; k < s.counts.length; k++) {
    const rooms: (readonly [number, number, number])[] = [];
    for (let id = 0; id < groups; id++) {
      if (first[id]! > k || last[id]! < k || first[id]! < 0) continue;
      const room = [start[id]!, start[id]! + s.peaks[id]!, id] as const;
      if (room[0] < 0 || room[1] > extent) faults.push(`capture ${k}: group ${id} at ${room} beyond 0-${extent}`);
      rooms.push(room);
    }
    rooms.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < rooms.length; i++) {
      const [a, b] = [rooms[i - 1]!, rooms[i]!];
      if (b[0] < a[1]) faults.push(`capture ${k}: groups ${a[2]} and ${b[2]} share ${b[0]}-${Math.min(a[1], b[1])}`);
    }
  }
  expect(faults).toEqual([]);
}

describe('liveLayout', () => {
  it('gives groups that never live at once the same room', () => {
    // Two dumps of no common group (the benchmark's two seeds), 1000 blocks each.
    const s = series(4, [
      { 0: 600, 1: 400 },
      { 2: 700, 3: 300 },
    ]);
    expectApart(s);
    expect(liveLayout(s).extent).toBe(1000);
  });

  it('keeps a group that goes and comes back in its room meanwhile', () => {
    const s = series(3, [
      { 0: 50, 1: 10 },
      { 1: 10, 2: 40 },
      { 0: 20, 2: 40 },
    ]);
    expectApart(s);
    expect(liveLayout(s).extent).toBe(100);
  });

  it('never puts two groups living at once in one room, over random series', () => {
    let x = 12345;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const groups = 1 + rand(40);
      const captures = Array.from({ length: 1 + rand(12) }, () => {
        const c: Record<number, number> = {};
        for (let id = 0; id < groups; id++) if (rand(3)) c[id] = rand(4) ? 1 + rand(100) : 0;
        return c;
      });
      expectApart(series(groups, captures));
    }
  });

  it('gives each group a room of its own past 4096 lifetimes, apart still', () => {
    // 100 captures, a group for every (first, last) pair of them: 5050 lifetimes.
    const captures: Record<number, number>[] = Array.from({ length: 100 }, () => ({}));
    let id = 0;
    for (let a = 0; a < 100; a++)
      for (let b = a; b < 100; b++, id++) for (let k = a; k <= b; k++) captures[k]![id] = 1 + (id % 7);
    const s = series(id, captures);
    expectApart(s);
    expect(liveLayout(s).extent).toBe(s.peaks.reduce((t, n) => t + n, 0));
  });
});
