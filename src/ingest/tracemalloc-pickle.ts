// Importer for tracemalloc.Snapshot.dump() files (pickles), plain or gzip-compressed.

import { FrameTable } from '../model/frames.js';
import { GroupBuilder, type Snapshot } from '../model/snapshot.js';
import type { Importer, ReadOptions } from './importer.js';
import { SnapshotMachine } from './pickle/snapshot-machine.js';

const FORMAT = 'tracemalloc-snapshot';

/** A pickle starts with PROTO (0x80) and a protocol number; dumps use 2-5. */
function sniffPickle(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5;
}

/** Reads a dump from chunks of any size; memory grows with distinct groups, not with the file. */
export async function readSnapshot(
  label: string,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  opts: ReadOptions & { gzip?: boolean } = {},
): Promise<Snapshot> {
  const frames = opts.frames ?? new FrameTable();
  const groups = new GroupBuilder();
  const machine = new SnapshotMachine(label, frames, groups);
  for await (const chunk of chunks) machine.feed(chunk);
  const r = machine.finish(opts.allowPartial ?? false);
  return {
    kind: 'snapshot',
    source: { path: label, format: FORMAT, gzip: opts.gzip ?? false, bytes: r.bytes },
    frames,
    groups: groups.finish(),
    tracebackLimit: r.tracebackLimit,
    layout: r.layout,
    traceCount: groups.traceCount,
    totalSize: groups.totalSize,
    time: null,
    partial: r.partial,
    warnings: r.warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: 'tracemalloc Snapshot.dump() pickle, protocol 2-5 (gzip too)',
  sniff: sniffPickle,
  read: (input, opts) => readSnapshot(input.label, input.chunks, { ...opts, gzip: input.gzip }),
};
