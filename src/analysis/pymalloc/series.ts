// A series of snapshots as the replay sees it: every (domain, traceback, size) group of the series
// numbered once, its count at each capture, and what each capture changes (replay.ts).

import type { Frame, FrameTable } from '../../model/frames.js';
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

/**
 * The groups of a series, numbered in an order of their own: by traceback (its frames' file names and
 * lines), then size, then domain. The order the reader met them in (a gzipped dump read on the main
 * thread, the same dump read by a worker) changed the replay's figures: which group's blocks the
 * compact order packs first, what the scattered order's draws fall on.
 */
export function seriesGroups(snapshots: readonly Snapshot[]): SeriesGroups {
  // Tracebacks by their frames as text (one per snapshot and traceback id); groups by (traceback, size, domain).
  const tracebacks = new Map<string, number>();
  const tracebackText: string[] = [];
  const tracebackOf: number[] = [];
  const sized: Map<number, number>[] = []; // per traceback, domain 0: group by size
  const others = new Map<string, number>(); // other domains
  const found: { domain: number; size: number; site: Frame; internal: boolean }[] = [];
  const internal: boolean[] = []; // per traceback
  // A frame table's traceback ids: the series' (snapshots of one set share their table).
  const seenIn = new Map<FrameTable, Map<number, number>>();
  const counts = snapshots.map((s) => {
    const g = s.groups;
    const c = new Map<number, number>();
    const seen = seenIn.get(s.frames) ?? new Map<number, number>();
    seenIn.set(s.frames, seen);
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      const size = Math.ceil(g.size[i]!); // memray gives averages
      let t = seen.get(tb);
      if (t === undefined) {
        const frames = s.frames.tracebackFrames(tb).map((f) => s.frames.frame(f));
        const text = frames.map((f) => `${f.filename}\0${f.lineno}`).join('\n');
        t = tracebacks.get(text);
        if (t === undefined) {
          t = tracebackText.length;
          tracebacks.set(text, t);
          tracebackText.push(text);
          internal.push(internalSite([...frames].reverse()));
        }
        seen.set(tb, t);
      }
      // By size, per traceback (numbers, not strings, as keys: a replay's first loop over every group).
      const domain = g.domain[i]!;
      if (domain === 0 && !sized[t]) sized[t] = new Map();
      const bySize = domain === 0 ? sized[t]! : null;
      let id = bySize ? bySize.get(size) : others.get(`${t}:${size}:${domain}`);
      if (id === undefined) {
        id = found.length;
        if (bySize) bySize.set(size, id);
        else others.set(`${t}:${size}:${domain}`, id);
        const site = s.frames.frame(s.frames.tracebackFrame(tb, 0));
        found.push({ domain, size, site, internal: internal[t]! });
        tracebackOf.push(t);
      }
      c.set(id, (c.get(id) ?? 0) + g.count[i]!);
    }
    return c;
  });
  // The order of their own: tracebacks by their text, then sizes, then domains (each traceback's
  // groups sorted apart: a few sizes each).
  const byText = Array.from(tracebackText.keys()).sort((x, y) =>
    tracebackText[x]! < tracebackText[y]! ? -1 : tracebackText[x]! > tracebackText[y]! ? 1 : 0,
  );
  const ofTraceback: number[][] = tracebackText.map(() => []);
  for (let id = 0; id < found.length; id++) ofTraceback[tracebackOf[id]!]!.push(id);
  const order: number[] = [];
  for (const t of byText) {
    const ids = ofTraceback[t]!;
    if (ids.length > 1) ids.sort((x, y) => found[x]!.size - found[y]!.size || found[x]!.domain - found[y]!.domain);
    for (const id of ids) order.push(id);
  }
  const idOf = new Int32Array(found.length);
  order.forEach((old, id) => {
    idOf[old] = id;
  });
  const peaks = new Array<number>(found.length).fill(0);
  const renumbered = counts.map((c) => {
    const out = new Map<number, number>();
    c.forEach((n, old) => {
      const id = idOf[old]!;
      out.set(id, n);
      if (n > peaks[id]!) peaks[id] = n;
    });
    return out;
  });
  return { groups: order.map((old) => found[old]!), counts: renumbered, peaks };
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
      if (series.groups[id]!.domain === 0) allocatedBytes += (want - have) * series.groups[id]!.size;
    }
  }
  const cut = (c: typeof frees): Changes => ({
    length: c.length,
    id: c.id.subarray(0, c.length),
    n: c.n.subarray(0, c.length),
  });
  return { frees: cut(frees), allocs: cut(allocs), allocatedBytes };
}
