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
 * Whether two captures name a file in common, other than code every program runs ('<frozen posixpath>',
 * '<unknown>'). A program's own code with no file is its own: `python -c`'s '<string>' (its first
 * capture, holding that alone, was called another program's, h299), '<stdin>'.
 */
function shareAFile(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  for (const file of a.keys()) if (!/^<(?:frozen |unknown>)/.test(file) && b.has(file)) return true;
  return false;
}

/**
 * The indices of the captures (in series order, 3 or more) that are strangers: no file in common with
 * a capture beside them (by bytes, a job's phase whose result sat in another module of the same program
 * was called another program's, h255), while each capture beside them holds half its bytes or more at
 * the files of the capture beyond it (the series is one program's, but for this one).
 */
export function foreignCaptures(snapshots: readonly Snapshot[]): number[] {
  if (snapshots.length < 3) return [];
  const files = snapshots.map(bytesByFile);
  const out: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const beside = [i - 1, i + 1].filter((j) => j >= 0 && j < files.length);
    const apart = files[i]!.size > 0 && beside.every((j) => !shareAFile(files[i]!, files[j]!));
    const kin = beside.every((j) => {
      const k = 2 * j - i;
      return k >= 0 && k < files.length && shareIn(files[j]!, files[k]!) >= 0.5;
    });
    if (apart && kin) out.push(i);
  }
  return out;
}
