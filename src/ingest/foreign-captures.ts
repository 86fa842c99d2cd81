// Captures of a series that hold none of the files of the captures beside them: a dump of another
// program dropped into the folder (or listed with the others) read as one more capture of this one,
// unsaid: the series' sites fell to nothing at it and came back, and a leak read as transient (h252).

import type { Snapshot } from '../model/snapshot.js';

/** A capture's traced bytes by the file of each traceback's first frame. */
function bytesByFile(s: Snapshot): Map<string, number> {
  const by = new Map<string, number>();
  const g = s.groups;
  for (let i = 0; i < g.length; i++) {
    const tb = g.traceback[i]!;
    if (!s.frames.tracebackLength(tb)) continue;
    const file = s.frames.frameFilename(s.frames.tracebackFrame(tb, 0));
    by.set(file, (by.get(file) ?? 0) + g.size[i]! * g.count[i]!);
  }
  return by;
}

/** The share of `a`'s bytes at files `b` also holds (1 of a capture holding nothing). */
function shareIn(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let [total, shared] = [0, 0];
  for (const [file, bytes] of a) {
    total += bytes;
    if (b.has(file)) shared += bytes;
  }
  return total > 0 ? shared / total : 1;
}

/**
 * The indices of the captures (in series order, 3 or more) that are strangers: under 5% of their
 * bytes at files a capture beside them holds, and under 5% of that one's at theirs, while each capture
 * beside them holds half its bytes or more at the files of the capture beyond it (the series is one
 * program's, but for this one).
 */
export function foreignCaptures(snapshots: readonly Snapshot[]): number[] {
  if (snapshots.length < 3) return [];
  const files = snapshots.map(bytesByFile);
  const out: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const beside = [i - 1, i + 1].filter((j) => j >= 0 && j < files.length);
    const apart = beside.every((j) => shareIn(files[i]!, files[j]!) < 0.05 && shareIn(files[j]!, files[i]!) < 0.05);
    const kin = beside.every((j) => {
      const k = 2 * j - i;
      return k >= 0 && k < files.length && shareIn(files[j]!, files[k]!) >= 0.5;
    });
    if (apart && kin) out.push(i);
  }
  return out;
}
