// Writes arenascope's JSON form of a snapshot or a series (schema/arenascope-snapshot.schema.json)
// in pieces, so that a snapshot of millions of groups is never one string. Frames and tracebacks
// come before the traces that refer to them, which is what lets the reader stream.

import type { Snapshot } from '../model/snapshot.js';
import { SNAPSHOT_JSON } from '../model/source.js';

const BATCH = 1 << 16;

type Write = (text: string) => void;

function writeSnapshotBody(s: Snapshot, label: string | null, write: Write): void {
  const { frames, groups: g } = s;
  // Only what this snapshot uses, renumbered (a series shares one table).
  const tbIndex = new Map<number, number>();
  const frameIndex = new Map<number, number>();
  const frameList: number[] = [];
  const tbList: number[] = [];
  const use = (tb: number): void => {
    if (tbIndex.has(tb)) return;
    tbIndex.set(tb, tbList.length);
    tbList.push(tb);
    for (const f of frames.tracebackFrames(tb)) {
      if (!frameIndex.has(f)) {
        frameIndex.set(f, frameList.length);
        frameList.push(f);
      }
    }
  };
  for (let i = 0; i < g.length; i++) use(g.traceback[i]!);
  // A listing's sites shown with no block left are tracebacks no trace refers to: written all the same.
  for (const tb of s.listing?.gone ?? []) use(tb);
  const head: Record<string, unknown> = {};
  if (label !== null) head.label = label;
  head.source = s.source.path;
  head.time = s.time;
  if (s.tracedPeak != null) head.tracedPeak = s.tracedPeak; // absent: unknown
  head.tracebackLimit = s.tracebackLimit;
  // Which CPython wrote the dump it came from, as the dump told it (the model replay picks).
  // An empty dump's says nothing of its CPython (and the schema has no such layout).
  if (s.layout === '3-tuple' || s.layout === '4-tuple') head.traceLayout = s.layout;
  if (s.pickleProtocol !== undefined) head.pickleProtocol = s.pickleProtocol;
  // What it was converted from: a log's listing read back must stay a listing (its top sites only).
  head.sourceFormat = s.source.from ?? s.source.format;
  // Read cut short (--allow-partial): said, so that no later command takes it for whole.
  if (s.partial) head.partial = true;
  // What a listing shows (its N, key, smallest size): what bounds a site it leaves out in a diff.
  if (s.listing) {
    const { sites, grouping, smallestSize, gone } = s.listing;
    head.listing = { sites, grouping, smallestSize, gone: gone.map((tb) => tbIndex.get(tb)) };
  }
  write(JSON.stringify(head).slice(0, -1));
  let out = ',\n"frames":[';
  frameList.forEach((f, i) => {
    out += `${i ? ',' : ''}${JSON.stringify([frames.frameFilename(f), frames.frameLineno(f)])}`;
    if (out.length > BATCH) {
      write(out);
      out = '';
    }
  });
  out += '],\n"tracebacks":[';
  tbList.forEach((tb, i) => {
    out += `${i ? ',' : ''}[${frames
      .tracebackFrames(tb)
      .map((f) => frameIndex.get(f))
      .join(',')}]`;
    if (out.length > BATCH) {
      write(out);
      out = '';
    }
  });
  out += `],\n"totalNframe":${JSON.stringify(tbList.map((tb) => frames.totalNframe(tb)))},\n"traces":[`;
  for (let i = 0; i < g.length; i++) {
    out += `${i ? ',' : ''}[${g.domain[i]},${tbIndex.get(g.traceback[i]!)},${g.size[i]},${g.count[i]}]`;
    if (out.length > BATCH) {
      write(out);
      out = '';
    }
  }
  write(`${out}]}`);
}

/** `label`: the capture's label (a run's, a `.label` sidecar's), kept in the file; null: none. */
export function writeSnapshotJson(s: Snapshot, write: Write, label: string | null = null): void {
  write(`{"format":"${SNAPSHOT_JSON.snapshot}","version":${SNAPSHOT_JSON.version},`);
  writeSnapshotBody(s, label, (t) => write(t.startsWith('{') ? t.slice(1) : t));
  write('\n');
}

export function writeSeriesJson(
  snapshots: readonly Snapshot[],
  labels: readonly (string | null)[],
  write: Write,
): void {
  write(`{"format":"${SNAPSHOT_JSON.series}","version":${SNAPSHOT_JSON.version},"snapshots":[\n`);
  snapshots.forEach((s, i) => {
    if (i) write(',\n');
    writeSnapshotBody(s, labels[i] ?? null, write);
  });
  write('\n]}\n');
}
