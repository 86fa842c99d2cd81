// A series of snapshots as the replay sees it: every (domain, traceback, size) group of the series
// numbered once, its count at each capture, and what each capture changes (replay.ts).

import type { Frame, FrameTable } from '../../model/frames.js';
import { GroupBuilder, type Snapshot } from '../../model/snapshot.js';
import { internalSite } from '../filters.js';

/** The groups a capture holds blocks of, in id order, and how many of each (none absent: 0). */
export interface Counts {
  readonly ids: Int32Array;
  readonly n: Float64Array;
}

/**
 * The groups of a whole series, as columns by group id, and each one's count at every capture. A
 * group's site is its traceback's (`traceback[id]`, an index into `sites` and `internal`).
 */
export interface SeriesGroups {
  readonly domain: Float64Array;
  readonly size: Float64Array;
  readonly traceback: Int32Array;
  /** Per traceback of the series: its most recent frame, where its blocks are charged. */
  readonly sites: readonly Frame[];
  /** Per traceback: 1 when its site is machinery (import system, tracemalloc, arenascope's capture code: internalSite). */
  readonly internal: Uint8Array;
  /** counts[k]: the blocks of each group at capture k. */
  readonly counts: readonly Counts[];
  /** Per group, its largest count over the series (the room its live blocks need). */
  readonly peaks: Float64Array;
}

/**
 * The groups of a series, numbered in an order of their own: by traceback (its frames' file names and
 * lines), then size, then domain. The order the reader met them in (a gzipped dump read on the main
 * thread, the same dump read by a worker) changed the replay's figures: which group's blocks the
 * compact order packs first, what the scattered order's draws fall on. Typed arrays and one hash
 * table, no Map per capture, no object per group: this runs once per replay, before V8 optimises
 * anything (issue 14: with Maps it took 60-190 ms for the 9.6k groups of two 1M-block dumps; an object
 * and a frame per group, 15 ms more).
 */
export function seriesGroups(snapshots: readonly Snapshot[]): SeriesGroups {
  // Tracebacks by their frames as text (one per frame table and traceback id); groups by (traceback, size, domain).
  const tracebacks = new Map<string, number>();
  const tracebackText: string[] = [];
  const internal: number[] = []; // per traceback
  const sites: Frame[] = []; // per traceback
  const builder = new GroupBuilder(); // its traceback column holds the series' traceback numbers
  // A frame table's traceback ids: the series' (snapshots of one set share their table); -1 unseen.
  const seenIn = new Map<FrameTable, Int32Array>();
  const raw = snapshots.map((s): Counts => {
    const g = s.groups;
    let seen = seenIn.get(s.frames);
    if (!seen || seen.length < s.frames.tracebackCount) {
      const grown = new Int32Array(s.frames.tracebackCount).fill(-1);
      if (seen) grown.set(seen);
      seen = grown;
      seenIn.set(s.frames, seen);
    }
    const ids = new Int32Array(g.length);
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      let t = seen[tb]!;
      if (t < 0) {
        const frames = s.frames.tracebackFrames(tb).map((f) => s.frames.frame(f));
        const text = frames.map((f) => `${f.filename}\0${f.lineno}`).join('\n');
        t = tracebacks.get(text) ?? -1;
        if (t < 0) {
          t = tracebackText.length;
          tracebacks.set(text, t);
          tracebackText.push(text);
          internal.push(internalSite([...frames].reverse()) ? 1 : 0);
          sites.push(s.frames.frame(s.frames.tracebackFrame(tb, 0)));
        }
        seen[tb] = t;
      }
      ids[i] = builder.intern(g.domain[i]!, t, Math.ceil(g.size[i]!)); // memray gives averages
    }
    return { ids, n: g.count };
  });
  const found = builder.finish();
  // The order of their own: tracebacks by their text (a native sort of distinct strings), then each
  // traceback's groups by size, then domain (a few each: sorted apart).
  const rank = new Int32Array(tracebackText.length);
  tracebackText
    .slice()
    .sort()
    .forEach((text, r) => {
      rank[tracebacks.get(text)!] = r;
    });
  const start = new Int32Array(tracebackText.length + 1); // per rank, where its groups start in order
  for (let id = 0; id < found.length; id++) start[rank[found.traceback[id]!]! + 1]!++;
  for (let r = 0; r < tracebackText.length; r++) start[r + 1]! += start[r]!;
  const order = new Int32Array(found.length);
  const next = start.slice(0, -1);
  for (let id = 0; id < found.length; id++) order[next[rank[found.traceback[id]!]!]!++] = id;
  const before = (x: number, y: number): number =>
    found.size[x]! - found.size[y]! || found.domain[x]! - found.domain[y]!;
  for (let r = 0; r < tracebackText.length; r++) sortRange(order, start[r]!, start[r + 1]!, before);
  const idOf = new Int32Array(found.length);
  for (let id = 0; id < order.length; id++) idOf[order[id]!] = id;
  // Each capture's counts by the new ids, in id order (a capture's groups that meet in one: summed).
  const peaks = new Float64Array(found.length);
  const sum = new Float64Array(found.length);
  const listed = new Uint8Array(found.length);
  const counts = raw.map((c): Counts => {
    const ids = new Int32Array(c.ids.length);
    let k = 0;
    for (let i = 0; i < c.ids.length; i++) {
      const id = idOf[c.ids[i]!]!;
      if (!listed[id]) ids[k++] = id;
      listed[id] = 1;
      sum[id]! += c.n[i]!;
    }
    const sorted = ids.subarray(0, k).sort();
    const n = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const id = sorted[i]!;
      n[i] = sum[id]!;
      sum[id] = 0;
      listed[id] = 0;
      if (n[i]! > peaks[id]!) peaks[id] = n[i]!;
    }
    return { ids: sorted, n };
  });
  const domain = new Float64Array(found.length);
  const size = new Float64Array(found.length);
  const traceback = new Int32Array(found.length);
  for (let id = 0; id < order.length; id++) {
    const old = order[id]!;
    domain[id] = found.domain[old]!;
    size[id] = found.size[old]!;
    traceback[id] = found.traceback[old]!;
  }
  return { domain, size, traceback, sites, internal: Uint8Array.from(internal), counts, peaks };
}

// Sorts order[from, to) by `before`: an insertion sort for the few groups of most tracebacks.
function sortRange(order: Int32Array, from: number, to: number, before: (x: number, y: number) => number): void {
  if (to - from > 32) {
    order.set(Array.from(order.subarray(from, to)).sort(before), from);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = order[i]!;
    let j = i - 1;
    for (; j >= from && before(order[j]!, x) > 0; j--) order[j + 1] = order[j]!;
    order[j + 1] = x;
  }
}

/** Blocks to free or to allocate, per group: group id[e] changes by n[e] blocks. */
export interface Changes {
  readonly length: number;
  readonly id: Int32Array;
  readonly n: Float64Array;
}

/**
 * What capture k changes, per group in id order: blocks to free and blocks to allocate. Both
 * orders hold each group's count of the previous capture, so one delta serves both. (Columns, not
 * [id, n] pairs: the replay's loops over them run once, before V8 has optimised them, where each
 * pair taken apart walked an iterator: issue 14.)
 */
export interface Delta {
  readonly frees: Changes;
  readonly allocs: Changes;
  /**
   * Bytes of the allocations of pymalloc's domain (0), what churn is measured against: another
   * domain's (a C extension's PyTraceMalloc_Track) are no temporaries of the program's objects (a
   * 512 MiB buffer tracked in domain 1 was taken for as many bytes of small temporaries: 244 arenas
   * pinned at worst, where the same dumps without it held 1).
   */
  readonly allocatedBytes: number;
}

export function delta(series: SeriesGroups, k: number): Delta {
  const none: Counts = { ids: new Int32Array(0), n: new Float64Array(0) };
  const before = k ? series.counts[k - 1]! : none;
  const target = series.counts[k]!;
  const grow = before.ids.length;
  const take = target.ids.length;
  const frees = { length: 0, id: new Int32Array(grow), n: new Float64Array(grow) };
  const allocs = { length: 0, id: new Int32Array(take), n: new Float64Array(take) };
  let allocatedBytes = 0;
  // Both in id order: merged.
  for (let i = 0, j = 0; i < grow || j < take; ) {
    const a = i < grow ? before.ids[i]! : Number.MAX_SAFE_INTEGER;
    const b = j < take ? target.ids[j]! : Number.MAX_SAFE_INTEGER;
    const id = Math.min(a, b);
    const have = a === id ? before.n[i++]! : 0;
    const want = b === id ? target.n[j++]! : 0;
    if (want < have) {
      frees.id[frees.length] = id;
      frees.n[frees.length++] = have - want;
    } else if (want > have) {
      allocs.id[allocs.length] = id;
      allocs.n[allocs.length++] = want - have;
      if (series.domain[id] === 0) allocatedBytes += (want - have) * series.size[id]!;
    }
  }
  const cut = (c: typeof frees): Changes => ({
    length: c.length,
    id: c.id.subarray(0, c.length),
    n: c.n.subarray(0, c.length),
  });
  return { frees: cut(frees), allocs: cut(allocs), allocatedBytes };
}

/** Where each group's live blocks are kept (the model's live column): start[id] for its peak's room. */
export interface LiveLayout {
  /** Per group, the first entry of its room; start[groups] is the extent, where any further room begins. */
  readonly start: Int32Array;
  readonly extent: number;
}

// Past this many runs of groups by lifetime, each group keeps a room of its own (a first fit over
// the free ones would grow with their square).
const MAX_LIFETIMES = 4096;

/**
 * A room for each group's live blocks, as large as its peak, shared over time: the groups that hold
 * blocks from capture a to capture b (their lifetime) take one run of rooms, free again from capture
 * b + 1 on, where the groups that begin then may take it (a capture's frees come before its
 * allocations, in both orders). The two seeds of the benchmark's dumps share no group: with a room per
 * group the column held 2M entries and its 8 MiB were written for the first time, ~2.7 ms a MiB on
 * the project's VM (issue 14); shared, 1M. Where the groups are, not what they hold: the replay's
 * figures are the same.
 */
export function liveLayout(series: Pick<SeriesGroups, 'counts' | 'peaks'>): LiveLayout {
  const { counts, peaks } = series;
  const groups = peaks.length;
  const first = new Int32Array(groups).fill(-1);
  const last = new Int32Array(groups).fill(-1);
  counts.forEach((c, k) => {
    for (let i = 0; i < c.ids.length; i++) {
      if (c.n[i]! <= 0) continue;
      const id = c.ids[i]!;
      if (first[id]! < 0) first[id] = k;
      last[id] = k;
    }
  });
  // Runs of groups by lifetime, in id order within each (a group never holding a block: none).
  const runOf = new Map<number, number>();
  const runs: { first: number; last: number; ids: number[] }[] = [];
  for (let id = 0; id < groups; id++) {
    if (first[id]! < 0) continue;
    const key = first[id]! * counts.length + last[id]!;
    let r = runOf.get(key);
    if (r === undefined) {
      r = runs.length;
      runOf.set(key, r);
      runs.push({ first: first[id]!, last: last[id]!, ids: [] });
    }
    runs[r]!.ids.push(id);
  }
  const start = new Int32Array(groups + 1);
  if (runs.length > MAX_LIFETIMES) {
    let room = 0;
    for (let id = 0; id < groups; id++) {
      start[id] = room;
      room += peaks[id]!;
    }
    start[groups] = room;
    return { start, extent: room };
  }
  const roomOf = runs.map((r) => r.ids.reduce((t, id) => t + peaks[id]!, 0));
  // The free rooms, by place, none adjacent (merged as they are freed); a first fit, else the end.
  const free: { at: number; n: number }[] = [];
  let extent = 0;
  const release = (at: number, n: number): void => {
    let i = 0;
    while (i < free.length && free[i]!.at < at) i++;
    free.splice(i, 0, { at, n });
    if (i + 1 < free.length && at + n === free[i + 1]!.at) free[i]!.n += free.splice(i + 1, 1)[0]!.n;
    if (i > 0 && free[i - 1]!.at + free[i - 1]!.n === at) free[i - 1]!.n += free.splice(i, 1)[0]!.n;
  };
  const take = (n: number): number => {
    const i = free.findIndex((f) => f.n >= n);
    if (i < 0) {
      // The last free room, when it reaches the end, is taken with what follows it.
      const tail = free.length && free[free.length - 1]!.at + free[free.length - 1]!.n === extent ? free.pop()! : null;
      const at = tail ? tail.at : extent;
      extent = at + n;
      return at;
    }
    const f = free[i]!;
    const at = f.at;
    f.at += n;
    f.n -= n;
    if (!f.n) free.splice(i, 1);
    return at;
  };
  const placed = new Float64Array(runs.length);
  const bornAt: number[][] = counts.map(() => []);
  const diesAfter: number[][] = counts.map(() => []);
  runs.forEach((r, i) => {
    bornAt[r.first]!.push(i);
    diesAfter[r.last]!.push(i);
  });
  for (let k = 0; k < counts.length; k++) {
    if (k > 0) for (const i of diesAfter[k - 1]!) if (roomOf[i]) release(placed[i]!, roomOf[i]!);
    for (const i of bornAt[k]!) {
      let at = roomOf[i] ? take(roomOf[i]!) : 0;
      placed[i] = at;
      for (const id of runs[i]!.ids) {
        start[id] = at;
        at += peaks[id]!;
      }
    }
  }
  start[groups] = extent;
  return { start, extent };
}
