// A safe, streaming pickle reader for exactly what tracemalloc.Snapshot.dump() writes.
//
// It is not a general unpickler: it knows the opcodes of protocols 2-5 that a dump uses, accepts
// only the globals tracemalloc.Snapshot and tracemalloc._Traces, and builds nothing but the model.
// Trace tuples are recognised by shape (domain, size, traceback[, total_nframe]) the moment they are
// complete and are added straight into the group table, so no per-trace object is ever created and
// no memo entry is kept for them. take_snapshot() never shares a trace tuple, but a snapshot built by
// hand can hold one tuple twice (CPython's own tests do), and the dump then refers back to it: such
// references are counted here and resolved by a second read that records only the traces referred
// to (`resolving`), so memory still grows with distinct groups, not with the file.
// A pickle that turns out to be something else is handed to ForeignSkimmer, which names it.

import type { FrameTable } from '../../model/frames.js';
import type { GroupBuilder, TraceLayout } from '../../model/snapshot.js';
import { InputError, NotACaptureError, TruncatedError } from '../../util/errors.js';
import { decodeUtf8 } from '../../util/text.js';
import { ForeignSkimmer } from './foreign-skimmer.js';
import { isHostile, refusedGlobal } from './globals.js';
import { DictKind, describeKind, GlobalKind, KIND, Kind, NOT_A_SNAPSHOT, strKind } from './kinds.js';
import { MemoTable } from './memo.js';
import { opcodeName } from './opcodes.js';
import { type GroupSink, TraceScanner } from './trace-scanner.js';

// Limits that keep a hostile file from exhausting memory. Real dumps stay far below them: the
// stack holds at most one traceback (<= 65535 frames) plus a few containers, strings are file
// names, and the memo holds strings, frames and tracebacks only.
export const LIMITS = {
  stack: 1 << 20,
  memo: 1 << 25,
  stringBytes: 1 << 20,
};

class FrameRef {
  constructor(readonly id: number) {}
}
class TracebackRef {
  constructor(readonly id: number) {}
}
class Global {
  constructor(readonly name: 'Snapshot' | '_Traces') {}
}
class Instance {
  state: Dict | null = null;
  constructor(readonly cls: Global) {}
}
class Dict {
  readonly entries = new Map<string, Value>();
}
/** Consecutive trace tuples on the stack, already added to the group table. */
class TraceRun {
  constructor(public count: number) {}
}
/** A list or tuple made only of traces: the `_traces` container. */
class TraceSeq {
  constructor(
    public count: number,
    readonly tuple = false,
  ) {}
}
class EmptyTuple {}
const EMPTY = new EmptyTuple();
/**
 * A float, bool or bytes: no part of a snapshot, but a value a user may set on one before dump()
 * (`snapshot.taken_at = time.time()`), which CPython loads. Kept as what it is, never read; any
 * frame, traceback or trace holding one is refused as it holds no such value.
 */
class Scalar {
  constructor(readonly kind: 'float' | 'bool' | 'bytes') {}
}
const FLOAT = new Scalar('float');
const BOOL = new Scalar('bool');
const BYTES = new Scalar('bytes');

type Value =
  | number
  | string
  | null
  | FrameRef
  | TracebackRef
  | Global
  | Instance
  | Dict
  | TraceRun
  | TraceSeq
  | EmptyTuple
  | Scalar;

export interface MachineResult {
  readonly tracebackLimit: number | null;
  readonly layout: TraceLayout;
  readonly protocol: number;
  readonly partial: boolean;
  readonly bytes: number;
  readonly warnings: string[];
  /** References back to earlier trace tuples: memo index -> times referred to and the first offset. */
  readonly shared: ReadonlyMap<number, SharedTrace>;
}

export interface SharedTrace {
  count: number;
  readonly at: number;
}

/** A trace recorded by a resolving read: [domain, traceback id, size]. */
export type TraceValue = readonly [number, number, number];

// Thrown by a check that finds what no dump holds before any tracemalloc global was seen: the
// pickle is something else, and feed() hands the rest of it to ForeignSkimmer.
class Foreign {}
const FOREIGN = new Foreign();

const isSnapshot = (v: Value): boolean => v instanceof Instance && v.cls.name === 'Snapshot' && v.state !== null;
// A snapshot pickled inside another object ([snapshot], (time, snapshot)): said so, with what to do.
const inside = (container: string): string =>
  `a tracemalloc.Snapshot inside ${container}: arenascope reads a snapshot pickled alone, as ` +
  'Snapshot.dump() writes it (load this pickle and dump() its snapshot)';

function describe(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return 'an int';
  if (typeof v === 'string') return 'a str';
  if (v instanceof FrameRef) return 'a frame tuple';
  if (v instanceof TracebackRef) return 'a traceback tuple';
  if (v instanceof Global) return `the class tracemalloc.${v.name}`;
  if (v instanceof Instance) return `a tracemalloc.${v.cls.name} object`;
  if (v instanceof Dict) return 'a dict';
  if (v instanceof TraceRun) return 'trace tuples';
  if (v instanceof TraceSeq) return 'a list of traces';
  if (v instanceof Scalar) return KIND[v.kind].what;
  return 'an empty tuple';
}

const ALLOWED_GLOBALS = new Map([
  ['Snapshot', new Global('Snapshot')],
  ['_Traces', new Global('_Traces')],
]);

export class SnapshotMachine {
  private readonly stack: Value[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new MemoTable<Value>();
  private readonly scanner = new TraceScanner();
  private readonly addGroup: GroupSink;
  private readonly noteTotal: (tb: number, total: number) => void;
  private memoNext = 0;

  // Bytes of an unfinished opcode carried over to the next chunk.
  private rest: Buffer[] = [];
  private restLen = 0;
  private need = 0;
  private base = 0; // input offset of the first byte of the current buffer
  private cur: Buffer = Buffer.alloc(0); // the buffer run() executes, from input offset curBase
  private curBase = 0;
  private opStart = 0; // input offset of the opcode being executed (for errors)

  private proto = -1;
  private stopped = false;
  private root: Instance | null = null;
  private trailing = 0;
  private readonly trailingHead: number[] = [];
  // The furthest end of a frame a FRAME opcode announced, and where that opcode was.
  private frameEnd = 0;
  private frameAt = 0;
  private tuples3 = 0;
  private tuples4 = 0;
  private sawTracemalloc = false;
  private skimmer: ForeignSkimmer | null = null;

  private readonly shared = new Map<number, SharedTrace>();
  private sharedCount = 0;
  // A resolving read: the last trace completed, and the traces found at the memo indices wanted.
  private lastTrace: TraceValue = [0, 0, 0];
  readonly found = new Map<number, TraceValue>();

  /**
   * `resolving`: the memo indices of shared trace tuples; the machine then records the traces stored
   * there (in `found`) and takes no shortcut past them.
   */
  constructor(
    private readonly file: string,
    readonly frames: FrameTable,
    readonly groups: GroupBuilder,
    private readonly resolving: ReadonlySet<number> | null = null,
  ) {
    this.addGroup = (domain, tb, size, count) => groups.add(domain, tb, size, count);
    this.noteTotal = (tb, total) => frames.noteTotalNframe(tb, total);
  }

  /** A resolving read has found every trace it wanted. */
  get resolved(): boolean {
    return this.resolving !== null && this.found.size === this.resolving.size;
  }

  /** Feeds the next chunk; a pickle found not to be a snapshot ends in an InputError that names it. */
  feed(chunk: Buffer): void {
    if (this.skimmer) {
      this.skimmer.feed(chunk);
      return;
    }
    const chunkAt = this.base + this.restLen;
    try {
      this.feedChunk(chunk);
    } catch (e) {
      if (e !== FOREIGN) throw e;
      // Hand over from the opcode that gave it away, then the rest of this chunk.
      this.skimmer = this.foreignSkimmer();
      const cur = this.cur;
      this.skimmer.feed(cur.subarray(this.opStart - this.curBase));
      const curEnd = this.curBase + cur.length;
      if (curEnd < chunkAt + chunk.length) this.skimmer.feed(chunk.subarray(curEnd - chunkAt));
    }
  }

  // Bytes after the pickle's STOP: counted, their first two kept (another pickle's start?).
  private after(bytes: Buffer): void {
    for (let i = 0; i < bytes.length && this.trailingHead.length < 2; i++) this.trailingHead.push(bytes[i]!);
    this.trailing += bytes.length;
  }

  // Feeds the next chunk of the pickle stream. Chunks may split opcodes anywhere.
  private feedChunk(chunk: Buffer): void {
    if (this.stopped) {
      this.after(chunk);
      return;
    }
    let d = chunk;
    if (this.restLen > 0) {
      // Finish the opcode split across chunks on a small joined buffer (the carried tail plus the
      // head of this chunk), then go on in the chunk itself: copying every chunk would make
      // garbage in proportion to the file.
      const tailLen = this.restLen;
      const take = Math.min(chunk.length, Math.max(this.need - tailLen, 0) + 64);
      const joined = Buffer.concat([...this.rest, chunk.subarray(0, take)]);
      const used = this.run(joined);
      if (used >= tailLen || this.stopped) {
        this.rest = [];
        this.restLen = 0;
        this.base += used;
        if (this.stopped) {
          this.after(joined.subarray(used));
          this.after(chunk.subarray(take));
          return;
        }
        d = chunk.subarray(used - tailLen);
      } else if (take === chunk.length) {
        // Still incomplete (a long string): keep all of it. A copy, since callers reuse buffers.
        this.rest = [joined];
        this.restLen = joined.length;
        return;
      } else {
        // The opcode is longer than estimated (a GLOBAL line): join the whole chunk.
        d = Buffer.concat([...this.rest, chunk]);
        this.rest = [];
        this.restLen = 0;
      }
    }
    const used = this.run(d);
    if (this.stopped) {
      this.after(d.subarray(used));
    } else if (used < d.length) {
      // Copy: the caller may reuse its buffer, and the tail is at most one opcode.
      const tail = Buffer.from(d.subarray(used));
      this.rest = [tail];
      this.restLen = tail.length;
    }
    this.base += used;
  }

  /** Ends the stream. Throws TruncatedError unless allowPartial, then reports what was read. */
  finish(allowPartial: boolean): MachineResult {
    if (this.skimmer) this.skimmer.finish();
    this.scanner.flush(this.addGroup, this.noteTotal);
    const warnings: string[] = [];
    const bytes = this.base + this.restLen;
    let partial = false;
    if (!this.stopped) {
      const where = this.proto < 0 && bytes === 0 ? 'the file is empty' : `the data stops at byte ${bytes}`;
      const inside = this.restLen > 0 ? ` inside ${opcodeName(this.rest[0]![0]!)} at byte ${this.base}` : '';
      const msg = `truncated tracemalloc dump: ${where}${inside}, before the pickle's STOP opcode`;
      if (!allowPartial || this.groups.traceCount + this.sharedCount === 0) {
        throw new TruncatedError(this.file, `byte ${bytes}`, msg + (allowPartial ? ' (no trace was read)' : ''));
      }
      partial = true;
      warnings.push(
        `${this.file}: ${msg}; using the ${this.groups.traceCount + this.sharedCount} traces read before it ` +
          '(--allow-partial)',
      );
    } else if (this.frameEnd > bytes + this.trailing) {
      // The pickle reached its STOP: the data is whole and the frame's length is what is wrong (or
      // the file was cut right after its STOP). CPython's load refuses it (pickle exhausted before end of frame).
      const to = this.frameEnd > Number.MAX_SAFE_INTEGER ? 'beyond 2^53' : `to byte ${this.frameEnd}`;
      const msg =
        `damaged tracemalloc dump: the FRAME at byte ${this.frameAt} announces a frame ${to}, past the end ` +
        `of the data at byte ${bytes + this.trailing}, where the pickle has ended (its STOP): Snapshot.load refuses it`;
      if (!allowPartial) throw new TruncatedError(this.file, `byte ${bytes}`, msg);
      partial = true;
      warnings.push(`${this.file}: ${msg}; using the traces read before it (--allow-partial)`);
    } else if (this.trailing > 0) {
      // A second dump written to the same file, or two gzipped into one: its capture is not read, said.
      const [p, v] = this.trailingHead;
      const another =
        p === 0x80 && v !== undefined && v >= 2 && v <= 5
          ? ': they begin another pickle (a second dump in the same file?): only the first is read; give each dump its own file'
          : '';
      const n = this.trailing === 1 ? '1 byte' : `${this.trailing} bytes`;
      warnings.push(`${this.file}: ignored ${n} after the end of the pickle at byte ${bytes}${another}`);
    }
    let tracebackLimit: number | null = null;
    if (this.root) {
      const limit = this.root.state!.entries.get('traceback_limit');
      tracebackLimit = typeof limit === 'number' ? limit : null;
    }
    const layout: TraceLayout = this.tuples4 ? '4-tuple' : this.tuples3 ? '3-tuple' : 'empty';
    return { tracebackLimit, layout, protocol: this.proto, partial, bytes, warnings, shared: this.shared };
  }

  // Traces of 3 items (CPython 3.8 and before) and of 4 (3.9 and later) in one dump: no CPython wrote
  // it, and none reads it (each unpacks one layout); figures of it were an answer CPython never gives.
  private oneLayout(): void {
    if (this.tuples3 && this.tuples4) {
      this.fail(
        `traces of 3 and of 4 items in one dump (${this.tuples3} and ${this.tuples4} so far): each CPython writes ` +
          'one layout (3 up to 3.8, 4 from 3.9), and none reads this one',
      );
    }
  }

  private fail(detail: string): never {
    throw new InputError(this.file, `byte ${this.opStart}`, detail);
  }

  // What is never read, a call or a global that could run code: inside a tracemalloc pickle, a dump
  // refused; before any tracemalloc global, a pickle of something else (which a folder passes over).
  private refused(detail: string): never {
    if (this.sawTracemalloc || this.resolving) this.fail(detail);
    throw new NotACaptureError(this.file, `byte ${this.opStart}`, detail);
  }

  // What no dump holds: inside a tracemalloc pickle an error with this detail, before any
  // tracemalloc global the sign of another kind of pickle, which the skimmer then names.
  private foreign(detail: string): never {
    if (this.sawTracemalloc || this.resolving) this.fail(detail);
    throw FOREIGN;
  }

  private foreignSkimmer(): ForeignSkimmer {
    const stack: Kind[] = [];
    const marks: number[] = [];
    let m = 0;
    this.stack.forEach((v, i) => {
      while (m < this.marks.length && this.marks[m] === i) marks[m++] = stack.length;
      // A run of n traces stands for n tuples on the pickle's stack.
      for (let k = v instanceof TraceRun ? v.count : 1; k > 0; k--) stack.push(kindOf(v));
    });
    while (m < this.marks.length) marks[m++] = stack.length;
    const earlier = (i: number): Kind | undefined => {
      const v = this.memo.get(i);
      return v === undefined ? undefined : kindOf(v);
    };
    return new ForeignSkimmer(this.file, this.opStart, stack, marks, this.memoNext, earlier);
  }

  private suspend(p: number, need: number): number {
    this.need = need;
    return p;
  }

  private push(v: Value): void {
    if (this.stack.length >= LIMITS.stack) this.fail(`pickle stack deeper than ${LIMITS.stack} items`);
    this.stack.push(v);
  }

  /** The item `depth` below the top of the stack, left in place. */
  private top(op: string, depth = 0): Value {
    const floor = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length - depth <= floor) {
      this.fail(this.marks.length ? `${op} found nothing above the last MARK` : `${op} found an empty stack`);
    }
    return this.stack[this.stack.length - 1 - depth]!;
  }

  private topMark(op: string): number {
    const m = this.marks[this.marks.length - 1];
    if (m === undefined) this.fail(`${op} without a preceding MARK`);
    return m;
  }

  // Runs opcodes from d; returns how many bytes were fully executed.
  private run(d: Buffer): number {
    const n = d.length;
    let p = 0;
    this.cur = d;
    this.curBase = this.base;
    // Runs of known trace tuples go to the WebAssembly scanner, which needs the bytes in its memory
    // (not on a resolving read, which must see the memo index of every trace).
    const fast = n <= this.scanner.inputCap && this.resolving === null;
    if (fast) this.scanner.load(d);
    let q: number;
    const stack = this.stack;
    while (p < n) {
      const op = d[p]!;
      this.opStart = this.base + p;
      if (this.proto < 0 && op !== 0x80) {
        this.fail(
          'not a protocol 2-5 pickle: expected the PROTO opcode 0x80 first, ' +
            `found 0x${op.toString(16).padStart(2, '0')}`,
        );
      }
      switch (op) {
        case 0x4b: // BININT1
          q = fast ? this.scanTraces(p, n, 3) : p;
          if (q > p) {
            p = q;
            break;
          }
          if (p + 2 > n) return this.suspend(p, 2);
          this.push(d[p + 1]!);
          p += 2;
          break;
        case 0x4d: // BININT2
          if (p + 3 > n) return this.suspend(p, 3);
          this.push(d[p + 1]! | (d[p + 2]! << 8));
          p += 3;
          break;
        case 0x4a: // BININT
          if (p + 5 > n) return this.suspend(p, 5);
          this.push(d.readInt32LE(p + 1));
          p += 5;
          break;
        case 0x94: // MEMOIZE
          this.memoize();
          p += 1;
          break;
        case 0x68: // BINGET
          if (p + 2 > n) return this.suspend(p, 2);
          this.get(d[p + 1]!);
          p += 2;
          break;
        case 0x6a: // LONG_BINGET
          if (p + 5 > n) return this.suspend(p, 5);
          this.get(d.readUInt32LE(p + 1));
          p += 5;
          break;
        case 0x28: // MARK
          q = fast ? this.scanTraces(p, n, 4) : p;
          if (q > p) {
            p = q;
            break;
          }
          if (this.marks.length >= LIMITS.stack) this.fail(`more than ${LIMITS.stack} nested MARKs`);
          this.marks.push(stack.length);
          p += 1;
          break;
        case 0x74: // TUPLE
          this.makeTuple(this.topMark('TUPLE'));
          p += 1;
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: // TUPLE3
          this.makeSmallTuple(op - 0x84);
          p += 1;
          break;
        case 0x8c: {
          // SHORT_BINUNICODE
          if (p + 2 > n) return this.suspend(p, 2);
          const len = d[p + 1]!;
          if (p + 2 + len > n) return this.suspend(p, 2 + len);
          this.push(this.decode(d, p + 2, p + 2 + len));
          p += 2 + len;
          break;
        }
        case 0x58: {
          // BINUNICODE
          if (p + 5 > n) return this.suspend(p, 5);
          const len = this.stringLength(d.readUInt32LE(p + 1));
          if (p + 5 + len > n) return this.suspend(p, 5 + len);
          this.push(this.decode(d, p + 5, p + 5 + len));
          p += 5 + len;
          break;
        }
        case 0x8d: {
          // BINUNICODE8
          if (p + 9 > n) return this.suspend(p, 9);
          const len = this.stringLength(d.readBigUInt64LE(p + 1));
          if (p + 9 + len > n) return this.suspend(p, 9 + len);
          this.push(this.decode(d, p + 9, p + 9 + len));
          p += 9 + len;
          break;
        }
        case 0x8a: {
          // LONG1
          if (p + 2 > n) return this.suspend(p, 2);
          const len = d[p + 1]!;
          if (p + 2 + len > n) return this.suspend(p, 2 + len);
          this.push(this.decodeLong(d, p + 2, len));
          p += 2 + len;
          break;
        }
        case 0x8b: {
          // LONG4
          if (p + 5 > n) return this.suspend(p, 5);
          const len = d.readInt32LE(p + 1);
          if (len < 0 || len > 9) this.foreign(`LONG4 of ${len} bytes: no tracemalloc integer is that large`);
          if (p + 5 + len > n) return this.suspend(p, 5 + len);
          this.push(this.decodeLong(d, p + 5, len));
          p += 5 + len;
          break;
        }
        case 0x65: // APPENDS
          this.appends(this.topMark('APPENDS'));
          this.marks.pop();
          p += 1;
          break;
        case 0x61: // APPEND: the list too above the last MARK, as CPython's unpickler wants
          this.top('APPEND', 1);
          this.appendTo(stack.length - 2, this.top('APPEND'));
          stack.pop();
          p += 1;
          break;
        case 0x95: {
          // FRAME: a length hint only (boundaries differ between picklers), but CPython reads the
          // frame whole first: one announced past the end of the data is a cut dump (finish).
          if (p + 9 > n) return this.suspend(p, 9);
          const end = this.base + p + 9 + Number(d.readBigUInt64LE(p + 1));
          if (end > this.frameEnd) [this.frameEnd, this.frameAt] = [end, this.base + p];
          p += 9;
          break;
        }
        case 0x71: // BINPUT
          if (p + 2 > n) return this.suspend(p, 2);
          this.put(d[p + 1]!, 2);
          p += 2;
          break;
        case 0x72: // LONG_BINPUT
          if (p + 5 > n) return this.suspend(p, 5);
          this.put(d.readUInt32LE(p + 1), 5);
          p += 5;
          break;
        case 0x4e: // NONE
          this.push(null);
          p += 1;
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          this.push(BOOL);
          p += 1;
          break;
        case 0x47: // BINFLOAT
          if (p + 9 > n) return this.suspend(p, 9);
          this.push(FLOAT);
          p += 9;
          break;
        case 0x43: // SHORT_BINBYTES
        case 0x42: // BINBYTES
        case 0x8e: {
          // BINBYTES8
          const width = op === 0x43 ? 1 : op === 0x42 ? 4 : 8;
          if (p + 1 + width > n) return this.suspend(p, 1 + width);
          const len = this.stringLength(
            width === 1 ? d[p + 1]! : width === 4 ? d.readUInt32LE(p + 1) : d.readBigUInt64LE(p + 1),
          );
          if (p + 1 + width + len > n) return this.suspend(p, 1 + width + len);
          this.push(BYTES);
          p += 1 + width + len;
          break;
        }
        case 0x29: // EMPTY_TUPLE
          this.push(EMPTY);
          p += 1;
          break;
        case 0x7d: // EMPTY_DICT
          this.push(new Dict());
          p += 1;
          break;
        case 0x5d: // EMPTY_LIST
          this.push(new TraceSeq(0));
          p += 1;
          break;
        case 0x73: // SETITEM
          this.setItems(stack.length - 2);
          p += 1;
          break;
        case 0x75: // SETITEMS
          this.setItems(this.topMark('SETITEMS'), 1);
          this.marks.pop();
          p += 1;
          break;
        case 0x93: {
          // STACK_GLOBAL (looked at before it is popped: a foreign global hands the stack over whole)
          const name = this.top('STACK_GLOBAL');
          const module = this.top('STACK_GLOBAL', 1);
          if (typeof name !== 'string' || typeof module !== 'string') {
            this.fail('STACK_GLOBAL expects a module name and a class name (two str)');
          }
          const g = this.global(module, name);
          stack.length -= 2;
          this.push(g);
          p += 1;
          break;
        }
        case 0x63: {
          // GLOBAL: "module\nname\n"
          const nl1 = d.indexOf(0x0a, p + 1);
          const nl2 = nl1 < 0 ? -1 : d.indexOf(0x0a, nl1 + 1);
          if (nl2 < 0) {
            if (n - p > 1024) this.fail('GLOBAL with a name longer than 1024 bytes');
            return this.suspend(p, n - p + 1);
          }
          this.push(this.global(d.toString('latin1', p + 1, nl1), d.toString('latin1', nl1 + 1, nl2)));
          p = nl2 + 1;
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.top('NEWOBJ');
          const cls = this.top('NEWOBJ', 1);
          if (!(cls instanceof Global)) {
            this.foreign(`NEWOBJ of ${describe(cls)}: only tracemalloc classes are accepted`);
          }
          if (args !== EMPTY) this.fail(`NEWOBJ of tracemalloc.${cls.name} with arguments: a dump passes none`);
          stack.length -= 2;
          this.push(new Instance(cls));
          p += 1;
          break;
        }
        case 0x62: // BUILD: the object too above the last MARK, as CPython's unpickler wants
          this.top('BUILD', 1);
          this.build(this.top('BUILD'));
          stack.pop();
          p += 1;
          break;
        case 0x80: // PROTO
          if (p + 2 > n) return this.suspend(p, 2);
          if (this.proto >= 0) this.fail('a second PROTO opcode');
          this.proto = d[p + 1]!;
          if (this.proto < 2 || this.proto > 5) {
            this.fail(`pickle protocol ${this.proto}: tracemalloc dumps use protocol 2-5`);
          }
          p += 2;
          break;
        case 0x2e: // STOP
          this.stop();
          return p + 1;
        default:
          this.refuse(op);
      }
    }
    return p;
  }

  // Hands a run of trace tuples starting at p to the WebAssembly scanner; returns where the run
  // ends (p itself when the scanner took nothing). The traces are then complete and memoized
  // (nothing is kept for them), so they join the trace run on the stack.
  private scanTraces(p: number, n: number, mode: 3 | 4): number {
    const r = this.scanner.scan(p, n, mode, this.addGroup);
    if (r.traces === 0) return p;
    this.opStart = this.base + p;
    if (mode === 3) this.tuples3 += r.traces;
    else this.tuples4 += r.traces;
    this.oneLayout();
    this.memoNext += r.traces;
    const s = this.stack;
    const top = s[s.length - 1];
    const floor = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    if (top instanceof TraceRun && s.length > floor) top.count += r.traces;
    else this.push(new TraceRun(r.traces));
    this.storeEnd = this.base + r.end; // the last trace's MEMOIZE
    return r.end;
  }

  private refuse(op: number): never {
    const name = opcodeName(op);
    if (op === 0x52 || op === 0x69 || op === 0x6f || op === 0x92) {
      this.refused(`refusing ${name}: it calls a function or class, which a tracemalloc snapshot never does`);
    }
    this.foreign(`unexpected ${name}: not part of a tracemalloc snapshot dump`);
  }

  // An 8-byte length is read whole, as a bigint: 2^60 was said as 1152921504606847000 (h234).
  private stringLength(len: number | bigint): number {
    if (len > LIMITS.stringBytes) {
      this.fail(`a string of ${len} bytes; file names in a dump are far shorter (limit ${LIMITS.stringBytes})`);
    }
    return Number(len);
  }

  private decode(d: Buffer, start: number, end: number): string {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (d[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return d.toString('latin1', start, end);
    try {
      return decodeUtf8(d.subarray(start, end));
    } catch {
      return decodeSurrogatePass(d, start, end) ?? this.fail('a string that is not valid UTF-8');
    }
  }

  private decodeLong(d: Buffer, start: number, len: number): number {
    if (len === 0) return 0;
    // A size_t of 2^63 or more takes a ninth byte (pickle's integers are signed), a zero.
    if (len > 9 || (len === 9 && d[start + 8] !== 0)) {
      this.foreign(`an integer of ${len} bytes: no tracemalloc integer is that large`);
    }
    let v = 0n;
    for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(d[start + i]!);
    if (d[start + len - 1]! & 0x80) v -= 1n << BigInt(8 * len);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.fail(
        `the integer ${v} is ${v < 0n ? 'below -2^53' : '2^53 or more'}, which arenascope cannot count exactly`,
      );
    }
    return Number(v);
  }

  private global(module: string, name: string): Global {
    const g = module === 'tracemalloc' ? ALLOWED_GLOBALS.get(name) : undefined;
    if (!g) {
      if (isHostile(module, name)) this.refused(refusedGlobal(module, name));
      this.foreign(refusedGlobal(module, name));
    }
    this.sawTracemalloc = true;
    return g;
  }

  // A memo store needs a value above the last MARK (CPython: "unexpected MARK found").
  private memoize(): void {
    const value = this.top('MEMOIZE');
    this.storedBy('MEMOIZE', 1, value);
    this.memoStore(this.memoNext++, value, true);
  }

  private put(i: number, length: number): void {
    const value = this.top('BINPUT');
    this.storedBy('BINPUT', length, value);
    // Every pickler numbers its memo from 0 up and never stores twice at one index; read on, an
    // index stored again (CPython keeps the last value) counted the traces its references stood for
    // as the first value (a hand-made dump: stats 128 B where CPython says 112 B).
    if (this.memo.get(i) !== undefined || (this.memoizing && i < this.memoNext))
      this.fail(`memo index ${i} stored a second time: no pickler writes that`);
    this.memoStore(i, value, false);
  }

  // MEMOIZE stores at the memo's length, BINPUT at the index it names: mixed, a MEMOIZE after a
  // BINPUT numbered its value as CPython does not (a frame read another file's name). No pickler
  // mixes them (protocol 4 on writes MEMOIZE, earlier ones BINPUT).
  private memoizing = false;
  private putting = false;
  // A pickler stores each object in the memo once, as it makes it, and never an int or None: a memo
  // store right after another, or of a number, is a flood (20 MB of MEMOIZE took 5.8 GB; h234).
  private storeEnd = -1;
  private storedBy(op: 'MEMOIZE' | 'BINPUT', length: number, value: Value): void {
    if (op === 'MEMOIZE') this.memoizing = true;
    else this.putting = true;
    if (this.memoizing && this.putting)
      this.fail('MEMOIZE and BINPUT memo stores in one pickle: no pickler writes that');
    if (this.opStart === this.storeEnd) this.fail(`${op} of a value just stored in the memo: no pickler writes that`);
    if (typeof value === 'number' || value === null) {
      this.fail(`${op} of ${value === null ? 'None' : 'an int'}: no pickler stores those in the memo`);
    }
    this.storeEnd = this.opStart + length;
  }

  // `numbered`: stored by MEMOIZE, at the next index.
  private memoStore(i: number, value: Value, numbered: boolean): void {
    let v = value;
    const old = this.memo.get(i);
    // Keep the scanner's table of tracebacks in step (an overwrite happens only with BINPUT).
    if (old instanceof TracebackRef) {
      const total = this.scanner.forget(i);
      if (total >= 0) this.noteTotal(old.id, total);
    }
    if (v instanceof TracebackRef) this.scanner.remember(i, v.id);
    // No entry for a trace tuple: an index below memoNext that MEMOIZE left empty is one. BINPUT
    // (protocols 2-3) numbers freely, so there, as where an entry is overwritten, a marker says it.
    if (v instanceof TraceRun) {
      if (this.resolving?.has(i)) this.found.set(i, this.lastTrace);
      if (old === undefined && numbered) return;
      v = TRACE;
    }
    if (old === undefined && this.memo.size >= LIMITS.memo) this.fail(`more than ${LIMITS.memo} memo entries`);
    this.memo.set(i, v);
  }

  // BINGET, LONG_BINGET.
  private get(i: number): void {
    const v = this.memo.get(i);
    if (v !== undefined && v !== TRACE) this.push(v);
    else if (v === TRACE || i < this.memoNext) this.referToTrace(i);
    else this.fail(`memo reference ${i} was never stored`);
  }

  // The same trace tuple again (a snapshot built by hand): counted once more, like CPython's
  // statistics() does, once the second read has found it.
  private referToTrace(i: number): void {
    const seen = this.shared.get(i);
    if (seen) seen.count++;
    else this.shared.set(i, { count: 1, at: this.opStart });
    this.sharedCount++;
    if (this.resolving) this.lastTrace = this.found.get(i) ?? this.lastTrace;
    this.pushTupleResult(TRACE);
  }

  // Values start..end of the stack become one tuple value.
  private makeTuple(start: number): void {
    const stack = this.stack;
    const len = stack.length - start;
    let v: Value;
    if (len === 0) v = EMPTY;
    else if (len === 1 && stack[start] instanceof TraceRun) v = new TraceSeq((stack[start] as TraceRun).count, true);
    else v = this.tupleOf(start, len);
    this.marks.pop();
    stack.length = start;
    this.pushTupleResult(v);
  }

  private makeSmallTuple(len: number): void {
    const stack = this.stack;
    const top = stack[stack.length - 1];
    const floor = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    if (top instanceof TraceRun && stack.length > floor) {
      // A tuple of 1-3 traces (the trace container of a tiny snapshot).
      if (top.count !== len) this.fail('trace tuples outside of the trace list');
      stack[stack.length - 1] = new TraceSeq(len, true);
      return;
    }
    const start = stack.length - len;
    if (start < floor) this.fail(`${opcodeName(0x84 + len)} needs ${len} items on the stack`);
    const v = this.tupleOf(start, len);
    stack.length = start;
    this.pushTupleResult(v);
  }

  // Interprets a tuple by its shape: frame, traceback or trace. Anything else cannot be in a dump.
  private tupleOf(start: number, len: number): Value {
    const s = this.stack;
    const a = s[start];
    if (len === 2 && typeof a === 'string' && typeof s[start + 1] === 'number') {
      return new FrameRef(this.frames.internFrame(a, s[start + 1] as number));
    }
    if (a instanceof FrameRef) {
      const ids: number[] = new Array(len);
      for (let i = 0; i < len; i++) {
        const f = s[start + i];
        if (!(f instanceof FrameRef)) this.foreign(`a traceback tuple holding ${describe(f!)}`);
        ids[i] = f.id;
      }
      return new TracebackRef(this.frames.internTraceback(ids));
    }
    const tb = s[start + 2];
    if ((len === 3 || len === 4) && tb instanceof TracebackRef) {
      const domain = s[start];
      const size = s[start + 1];
      const total = len === 4 ? s[start + 3] : null;
      if (typeof domain !== 'number' || domain < 0) this.foreign('a trace whose domain is not a non-negative int');
      if (typeof size !== 'number' || size < 0) this.foreign('a trace whose size is not a non-negative int');
      if (total !== null && typeof total !== 'number') this.foreign('a trace whose total_nframe is not an int');
      this.groups.add(domain, tb.id, size);
      if (this.resolving) this.lastTrace = [domain, tb.id, size];
      if (len === 4) {
        this.tuples4++;
        if (total !== null) this.frames.noteTotalNframe(tb.id, total);
      } else this.tuples3++;
      this.oneLayout();
      return TRACE;
    }
    const kinds = [];
    for (let i = 0; i < Math.min(len, 4); i++) kinds.push(describe(s[start + i]!));
    for (let i = 0; i < len; i++) if (isSnapshot(s[start + i]!)) this.foreign(inside('a tuple'));
    this.foreign(
      `a tuple of ${len} items (${kinds.join(', ')}${len > 4 ? ', ...' : ''}) ` +
        'that is neither a frame, a traceback nor a trace',
    );
  }

  private pushTupleResult(v: Value): void {
    if (v === TRACE) {
      const s = this.stack;
      const top = s[s.length - 1];
      const floor = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
      // Merge with the run below unless a MARK separates them.
      if (top instanceof TraceRun && s.length > floor) top.count++;
      else this.push(new TraceRun(1));
      return;
    }
    this.push(v);
  }

  private appendTo(listIndex: number, v: Value): void {
    const list = this.stack[listIndex];
    if (!(list instanceof TraceSeq)) this.foreign(`APPEND to ${list === undefined ? 'nothing' : describe(list)}`);
    if (isSnapshot(v)) this.foreign(inside('a list'));
    if (!(v instanceof TraceRun)) this.foreign(`the trace list holds ${describe(v)}; only traces belong there`);
    list.count += v.count;
  }

  private appends(mark: number): void {
    const s = this.stack;
    for (let i = mark; i < s.length; i++) this.appendTo(mark - 1, s[i]!);
    s.length = mark;
  }

  // SETITEM(S) of the items from start on; `batched` is 1 while SETITEMS' own MARK is still on.
  private setItems(start: number, batched = 0): void {
    const s = this.stack;
    const dict = s[start - 1];
    const below = this.marks.length - 1 - batched;
    const floor = below >= 0 ? this.marks[below]! : 0;
    if (start - 1 < floor || !(dict instanceof Dict))
      this.foreign(`SETITEM(S) on ${dict === undefined ? 'nothing' : describe(dict)}`);
    if ((s.length - start) % 2 !== 0) this.fail('SETITEMS with an odd number of items');
    for (let i = start; i < s.length; i += 2) {
      if (typeof s[i] !== 'string') this.foreign(`a dict key that is ${describe(s[i]!)}; attribute names are str`);
    }
    for (let i = start + 1; i < s.length; i += 2) if (isSnapshot(s[i]!)) this.foreign(inside('a dict'));
    for (let i = start; i < s.length; i += 2) dict.entries.set(s[i] as string, s[i + 1]!);
    s.length = start;
  }

  // BUILD with the state still on top of the stack, the object below it.
  private build(state: Value): void {
    const inst = this.stack[this.stack.length - 2];
    if (!(inst instanceof Instance)) this.foreign(`BUILD on ${inst === undefined ? 'nothing' : describe(inst)}`);
    if (!(state instanceof Dict)) this.fail(`BUILD of tracemalloc.${inst.cls.name} with ${describe(state)} as state`);
    if (inst.state) this.fail(`BUILD applied twice to a tracemalloc.${inst.cls.name}`);
    if (inst.cls.name === '_Traces') {
      const traces = state.entries.get('_traces');
      if (!(traces instanceof TraceSeq) && traces !== EMPTY) {
        this.fail(`tracemalloc._Traces._traces is ${traces === undefined ? 'missing' : describe(traces)}`);
      }
    } else {
      const traces = state.entries.get('traces');
      if (!(traces instanceof Instance) || traces.cls.name !== '_Traces' || !traces.state) {
        this.fail(
          `Snapshot.traces is ${traces === undefined ? 'missing' : describe(traces)}, not a tracemalloc._Traces`,
        );
      }
      const limit = state.entries.get('traceback_limit');
      if (limit !== null && typeof limit !== 'number') {
        this.fail(`Snapshot.traceback_limit is ${limit === undefined ? 'missing' : describe(limit)}`);
      }
    }
    inst.state = state;
  }

  private stop(): void {
    this.scanner.flush(this.addGroup, this.noteTotal);
    // What STOP returns must be above the last MARK (CPython: "unexpected MARK found").
    if (this.stack.length) this.top('STOP');
    const root = this.stack.pop();
    if (!(root instanceof Instance) || root.cls.name !== 'Snapshot' || !root.state) {
      if (!this.sawTracemalloc && root !== undefined) {
        throw new NotACaptureError(
          this.file,
          `byte ${this.opStart}`,
          `a pickle of ${describeKind(kindOf(root))}, ${NOT_A_SNAPSHOT}`,
        );
      }
      this.fail(`the pickle holds ${root === undefined ? 'nothing' : describe(root)}, not a tracemalloc.Snapshot`);
    }
    const container = (root.state.entries.get('traces') as Instance).state!.entries.get('_traces');
    const inContainer = container instanceof TraceSeq ? container.count : 0;
    const traces = this.groups.traceCount + this.sharedCount;
    if (inContainer !== traces) {
      this.fail(`${traces - inContainer} trace tuples lie outside of the snapshot's trace list`);
    }
    this.root = root;
    this.stopped = true;
  }
}

// Marker returned by tupleOf for a trace that has been added to the groups.
const TRACE = new TraceRun(0);

// What a value is, for naming a pickle that is not a snapshot.
function kindOf(v: Value): Kind {
  if (v === null) return KIND.none;
  if (typeof v === 'number') return KIND.int;
  if (typeof v === 'string') return strKind(v);
  if (v instanceof Dict) {
    const d = new DictKind();
    d.keys.push(...[...v.entries.keys()].slice(0, 8));
    return d;
  }
  if (v instanceof TraceSeq) return v.tuple ? KIND.tuple : KIND.list;
  if (v instanceof Global) return new GlobalKind(`tracemalloc.${v.name}`);
  if (v instanceof Instance) return new Kind(`a tracemalloc.${v.cls.name} object`);
  if (v instanceof Scalar) return KIND[v.kind];
  return KIND.tuple; // frames, tracebacks, traces, the empty tuple
}

// Decodes Python's UTF-8 'surrogatepass' strings: lone surrogates (ED A0..BF xx) are kept as the
// UTF-16 code units they stand for, which the standard decoder would reject.
function decodeSurrogatePass(d: Buffer, start: number, end: number): string | null {
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = d[i]!;
    let cp: number;
    let n: number;
    if (b < 0x80) [cp, n] = [b, 1];
    else if (b >= 0xc2 && b < 0xe0) [cp, n] = [b & 0x1f, 2];
    else if (b >= 0xe0 && b < 0xf0) [cp, n] = [b & 0x0f, 3];
    else if (b >= 0xf0 && b < 0xf5) [cp, n] = [b & 0x07, 4];
    else return null;
    if (i + n > end) return null;
    for (let k = 1; k < n; k++) {
      const c = d[i + k]!;
      if ((c & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((n === 3 && cp < 0x800) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) return null;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    i += n;
  }
  let out = '';
  for (let k = 0; k < units.length; k += 8192) out += String.fromCharCode(...units.slice(k, k + 8192));
  return out;
}
