// A series of snapshots as the replay sees it: every (domain, traceback, size) group of the series
// numbered once, its count at each capture, and what each capture changes (replay.ts).

import type { Frame } from '../../model/frames.js';
import type { Snapshot } from '../../model/snapshot.js';
import { internalSite } from '../filters.js';

/** The groups of a whole series, and each one's count at every capture. */
export interface SeriesGroups {
  /** `internal`: the site is machinery (import system, tracemalloc, arenascope's capture code: internalSite). */
  readonly groups: readonly { domain: number; size: number; site: Frame; internal: boolean }[];
  /** counts[k].get(group) = blocks of the group at capture k (absent: 0). */
  readonly counts: readonly Map<number, number>[];
  /** Per group, its largest count over the series (the room its live blocks need). */
  readonly peaks: readonly number[];
}

export function seriesGroups(snapshots: readonly Snapshot[]): SeriesGroups {
  const ids = new Map<string, number>();
  const groups: { domain: number; size: number; site: Frame; internal: boolean }[] = [];
  const internal = new Map<string, boolean>(); // per traceback, by its frames
  const peaks: number[] = [];
  const counts = snapshots.map((s) => {
    const g = s.groups;
    const c = new Map<number, number>();
    const frames = new Map<number, string>(); // a traceback's frames, once per traceback
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      const size = Math.ceil(g.size[i]!); // memray gives averages
      let tbKey = frames.get(tb);
      if (tbKey === undefined) {
        tbKey = s.frames.tracebackFrames(tb).join(',');
        frames.set(tb, tbKey);
      }
      const key = `${g.domain[i]}:${size}:${tbKey}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = groups.length;
        ids.set(key, id);
        let machinery = internal.get(tbKey);
        if (machinery === undefined) {
          const oldestFirst = s.frames.tracebackFrames(tb).reverse();
          machinery = internalSite(oldestFirst.map((f) => s.frames.frame(f)));
          internal.set(tbKey, machinery);
        }
        const site = s.frames.frame(s.frames.tracebackFrame(tb, 0));
        groups.push({ domain: g.domain[i]!, size, site, internal: machinery });
        peaks.push(0);
      }
      c.set(id, (c.get(id) ?? 0) + g.count[i]!);
    }
    for (const [id, n] of c) if (n > peaks[id]!) peaks[id] = n;
    return c;
  });
  return { groups, counts, peaks };
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
  /** Bytes of the allocations (what churn is measured against). */
  readonly allocatedBytes: number;
}

export function delta(series: SeriesGroups, k: number): Delta {
  const before = k ? series.counts[k - 1]! : new Map<number, number>();
  const target = series.counts[k]!;
  const groups = series.groups.length;
  const frees = { length: 0, id: new Int32Array(groups), n: new Float64Array(groups) };
  const allocs = { length: 0, id: new Int32Array(groups), n: new Float64Array(groups) };
  let allocatedBytes = 0;
  for (let id = 0; id < groups; id++) {
    const have = before.get(id) ?? 0;
    const want = target.get(id) ?? 0;
    if (want < have) {
      frees.id[frees.length] = id;
      frees.n[frees.length++] = have - want;
    } else if (want > have) {
      allocs.id[allocs.length] = id;
      allocs.n[allocs.length++] = want - have;
      allocatedBytes += (want - have) * series.groups[id]!.size;
    }
  }
  const cut = (c: typeof frees): Changes => ({
    length: c.length,
    id: c.id.subarray(0, c.length),
    n: c.n.subarray(0, c.length),
  });
  return { frees: cut(frees), allocs: cut(allocs), allocatedBytes };
}
