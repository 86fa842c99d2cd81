// Importer for tracemalloc.Snapshot.dump() files (pickles), plain or gzip-compressed, as CPython
// 3.6-3.13 write them (protocol 4 up to 3.7, 5 from 3.8; 3-item traces up to 3.8, 4-item from 3.9).

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FrameTable } from '../model/frames.js';
import {
  GroupBuilder,
  notWrittenBy,
  python3Minor,
  type Snapshot,
  type TraceLayout,
  tracebackOrderOf,
} from '../model/snapshot.js';
import { InputError, NotACaptureError, TruncatedError, UsageError } from '../util/errors.js';
import type { Importer, ReadOptions } from './importer.js';
import { gzipEnd, markCutShort, openInput, untilGzipCut } from './open-input.js';
import { type MachineResult, SnapshotMachine } from './pickle/snapshot-machine.js';
import { DUMP_DESCRIBE, damagedDump, sniffPickle } from './pickle/sniff.js';

const FORMAT = 'tracemalloc-snapshot';

type Chunks = AsyncIterable<Buffer> | Iterable<Buffer>;

export interface SnapshotReadOptions extends ReadOptions {
  readonly gzip?: boolean;
  /** The same content again, for a dump that refers back to a trace tuple (read twice then). */
  readonly reread?: () => Chunks | Promise<Chunks>;
}

const damaged = (e: NotACaptureError): InputError =>
  new InputError(e.file, e.where, `${e.detail}; yet its bytes name tracemalloc: a dump damaged?`);

/** Reads a dump from chunks of any size; memory grows with distinct groups, not with the file. */
export async function readSnapshot(label: string, chunks: Chunks, opts: SnapshotReadOptions = {}): Promise<Snapshot> {
  const frames = opts.frames ?? new FrameTable();
  const groups = new GroupBuilder();
  const machine = new SnapshotMachine(label, frames, groups);
  let r: ReturnType<SnapshotMachine['finish']>;
  let first: Buffer | undefined;
  try {
    for await (const chunk of chunks) {
      first ??= chunk;
      machine.feed(chunk);
    }
    r = machine.finish(opts.allowPartial ?? false);
  } catch (e) {
    const err = e instanceof NotACaptureError && first && damagedDump(first) ? damaged(e) : e;
    // A gzipped dump's bytes are counted in its content: said so (the compressed file's are others,
    // and a place the gzip framing gave says so already).
    if (!opts.gzip || !(err instanceof InputError) || !err.where.startsWith('byte ') || /compressed/.test(err.where))
      throw err;
    const Cls =
      err instanceof TruncatedError ? TruncatedError : err instanceof NotACaptureError ? NotACaptureError : InputError;
    throw new Cls(err.file, `${err.where} of the gunzipped content`, err.detail);
  }
  if (r.shared.size > 0) {
    const again = opts.reread ?? (Array.isArray(chunks) ? () => chunks : undefined);
    await countShared(label, r, frames, groups, again);
  }
  if (opts.python !== undefined) checkPython(label, opts.python, r.protocol, r.layout);
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
    pickleProtocol: r.protocol,
    ...(opts.python === undefined ? {} : { tracebackOrder: tracebackOrderOf(opts.python) }),
  };
}

// A trace tuple referred back to is counted again, as CPython's statistics() counts the list item:
// a second read records the traces at the memo indices referred to, and nothing else.
async function countShared(
  label: string,
  r: MachineResult,
  frames: FrameTable,
  groups: GroupBuilder,
  again: SnapshotReadOptions['reread'],
): Promise<void> {
  const first = Math.min(...[...r.shared.values()].map((s) => s.at));
  if (!again) {
    throw new InputError(
      label,
      `byte ${first}`,
      'the dump holds one trace tuple twice (a snapshot built by hand) and counting it takes a second ' +
        'read, which this input cannot give: read the dump from a file (not stdin or a pipe)',
    );
  }
  const resolver = new SnapshotMachine(label, frames, new GroupBuilder(), new Set(r.shared.keys()));
  for await (const chunk of await again()) if (!resolver.resolved) resolver.feed(chunk);
  for (const [i, { count, at }] of r.shared) {
    const t = resolver.found.get(i);
    if (!t) throw new InputError(label, `byte ${at}`, `memo reference ${i} was never stored`);
    groups.add(t[0], t[1], t[2], count);
  }
}

// Which Pythons write (and can read) a dump of this protocol and trace layout.
function checkPython(label: string, python: string, protocol: number, layout: TraceLayout): void {
  const minor = python3Minor(python);
  if (minor === null) {
    throw new UsageError(`--python takes a CPython version from 3.6 on, such as 3.6 or 3.11; got '${python}'`);
  }
  const why = notWrittenBy(minor, protocol, layout);
  if (why) throw new InputError(label, '', `not a dump of CPython ${python}: ${why}`);
}

function regularFile(path: string): boolean {
  try {
    return path !== '-' && statSync(path).isFile();
  } catch {
    return false;
  }
}

// A dump ends with the pickle's STOP opcode, never with a zero byte: zeros at its end are a file cut
// short and padded to its size (a crash after the file system had sized it). Read as the content,
// they were opcodes ('unexpected unknown opcode 0x00', or an argument: 'memo index 0 stored a second
// time'), and --allow-partial read nothing, or a trace the zeros made up.
/** Where the zeros at the end of a regular file begin, when it ends with one. */
function zeroTail(path: string): { from: number; size: number } | null {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const block = Buffer.alloc(Math.min(size, 1 << 16));
    let from = size;
    while (from > 0) {
      const n = Math.min(block.length, from);
      readSync(fd, block, 0, n, from - n);
      let i = n;
      while (i > 0 && block[i - 1] === 0) i--;
      from -= n - i;
      if (i > 0) break;
    }
    return from < size ? { from, size } : null;
  } finally {
    closeSync(fd);
  }
}

async function* upTo(chunks: Chunks, end: number): AsyncGenerator<Buffer> {
  let at = 0;
  for await (const c of chunks) {
    if (at + c.length >= end) {
      if (end > at) yield c.subarray(0, end - at);
      return;
    }
    at += c.length;
    yield c;
  }
}

export const importer: Importer = {
  format: FORMAT,
  describe: DUMP_DESCRIBE,
  sniff: sniffPickle,
  read: async (input, opts) => {
    const file = regularFile(input.label);
    const zeros = file && !input.gzip ? zeroTail(input.label) : null;
    const content = async function* (i: typeof input) {
      yield* zeros ? upTo(untilGzipCut(i), zeros.from) : untilGzipCut(i);
    };
    const n = zeros ? zeros.size - zeros.from : 0;
    const bytes = n === 1 ? '1 zero byte' : `${n} zero bytes`;
    const padded = zeros ? `then ${bytes} to its end: zero-filled, as a crash leaves a file cut short` : '';
    let s: Snapshot;
    try {
      s = await readSnapshot(input.label, content(input), {
        ...opts,
        gzip: input.gzip,
        // A second read of a regular file only: a pipe (a FIFO, `<(cat dump)`) read again waited for a
        // writer that had gone, for ever, or read nothing.
        reread: file ? async () => content(await openInput(input.label)) : undefined,
      });
    } catch (e) {
      if (!(zeros && e instanceof TruncatedError)) throw e;
      // The zeros may be the data's own: a dump cut right after an argument of 0 (BININT1 0) was said to
      // stop a byte early, "zero-filled". Read whole, a cut found there is where it stops.
      const whole = await readSnapshot(input.label, untilGzipCut(await openInput(input.label)), {
        ...opts,
        gzip: input.gzip,
      }).catch((e2: unknown) => e2);
      if (whole instanceof TruncatedError) throw whole;
      throw new TruncatedError(e.file, e.where, `${e.detail}; ${padded}`);
    }
    if (zeros && s.partial) {
      markCutShort(input);
      s = { ...s, warnings: [...s.warnings, `${input.label}: ${padded}`] };
    } else if (zeros) {
      s = { ...s, warnings: [...s.warnings, `${input.label}: ignored ${bytes} after the end of the pickle`] };
    }
    const cut = gzipEnd(input, opts.allowPartial ?? false);
    return cut ? { ...s, partial: true, warnings: [...s.warnings, cut] } : s;
  },
};
