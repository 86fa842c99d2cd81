// Naming a pickle that is not a tracemalloc snapshot: a plain dict or list, a PyTorch CUDA memory
// snapshot (torch.cuda.memory._dump_snapshot() pickles a dict), an object of some library. Once the
// snapshot reader meets something no dump holds, it hands the rest of the stream to this skimmer,
// which follows only the shape of the pickle's stack up to STOP and then names its outermost object.
// Nothing is resolved, imported or called; globals that could run code are refused as before.

import { InputError, NotACaptureError } from '../../util/errors.js';
import { globalName, isHostile, refusedGlobal } from './globals.js';
import { DictKind, describeKind, GlobalKind, KIND, Kind, NOT_A_SNAPSHOT, strKind } from './kinds.js';
import { FIXED, LINES, SIZED, STR_OPS } from './opcodes.js';

// How far past the first foreign byte the skimmer reads to find STOP: a CUDA memory snapshot can
// be gigabytes, and what opens it is then named instead.
const BUDGET = 32 << 20;
const MAX_STACK = 1 << 20;
const MAX_MEMO = 1 << 16;
const MAX_LINE = 1 << 16;

const EXT = new Kind('an object from the copyreg extension registry');
// Opcodes that only push a value.
// biome-ignore format: a table
const PUSHES: Record<number, Kind> = {
  0x4b: KIND.int, 0x4d: KIND.int, 0x4a: KIND.int, 0x47: KIND.float, 0x4e: KIND.none, 0x88: KIND.bool, 0x89: KIND.bool,
  0x29: KIND.tuple, 0x5d: KIND.list, 0x8f: KIND.set, 0x82: EXT, 0x83: EXT, 0x84: EXT,
  0x97: new Kind('an out-of-band buffer'),
};

class GiveUp {
  constructor(readonly why: string) {}
}

/** Follows the rest of a foreign pickle; every way out is an InputError that names it (a NotACaptureError for a whole pickle of something else). */
export class ForeignSkimmer {
  private readonly memo = new Map<number, Kind>();
  private carry: Buffer | null = null;
  private skip = 0;
  private opAt: number; // input offset of the opcode being followed
  private sawSnapshot = false; // a tracemalloc.Snapshot class named: the snapshot sits inside another object
  private suspect = false; // a global of module tracemalloc, or one a byte or two from it: a capture, damaged
  private next: number; // input offset of the next byte to be fed

  constructor(
    private readonly file: string,
    /** Where the reader met the first thing no dump holds (the offset every message gives). */
    private readonly evidence: number,
    private readonly stack: Kind[],
    private readonly marks: number[],
    private memoNext: number,
    /** What the snapshot reader had memoized before handing over. */
    private readonly earlier: (i: number) => Kind | undefined,
  ) {
    this.opAt = evidence;
    this.next = evidence;
  }

  feed(chunk: Buffer): void {
    const chunkAt = this.next;
    this.next += chunk.length;
    let d = chunk;
    let p = Math.min(this.skip, d.length);
    this.skip -= p;
    let base = chunkAt;
    if (this.carry) {
      base = chunkAt + p - this.carry.length;
      d = Buffer.concat([this.carry, d.subarray(p)]);
      p = 0;
      this.carry = null;
    }
    try {
      while (p < d.length && this.skip === 0) {
        this.opAt = base + p;
        const used = this.step(d, p);
        if (used < 0) {
          if (d.length - p > MAX_LINE) throw new GiveUp(`unreadable at byte ${this.opAt}`);
          this.carry = Buffer.from(d.subarray(p));
          break;
        }
        p += used;
      }
      if (this.next - this.evidence > BUDGET) {
        throw new GiveUp(`read ${BUDGET >> 20} MiB further (to byte ${this.next}) without reaching its end`);
      }
    } catch (e) {
      if (e instanceof GiveUp) this.fail(e.why);
      throw e;
    }
  }

  /** The input ended before STOP. */
  finish(): never {
    this.fail(`cut off at byte ${this.next}, before its STOP opcode`);
  }

  private fail(why: string): never {
    // The keys of an outermost dict still on the stack, after the MARK of its first batch (and
    // before the next MARK, where what is still being built begins).
    const pending: string[] = [];
    if (this.marks[0] === 1) {
      const end = Math.min(this.marks[1] ?? this.stack.length, 64);
      for (let i = 1; i < end; i += 2) {
        const t = this.stack[i]?.text;
        if (t != null) pending.push(t);
      }
    }
    // (What the snapshot reader handed over can hold a slot not filled yet: a cut in its first item.)
    const outer = this.stack[0];
    const opens = outer ? ` that opens with ${describeKind(outer, pending)}` : '';
    // Bytes it cannot follow, or an end before STOP: a damaged or cut file, perhaps a snapshot, which
    // a folder does not pass over (a dump with one byte changed was, and a gate passed without it).
    throw new InputError(this.file, `byte ${this.evidence}`, `not a tracemalloc snapshot: a pickle${opens}, ${why}`);
  }

  // What is whole and names no snapshot is another program's pickle, which a folder passes over; one
  // that names tracemalloc, or a module a byte or two from it ("tracemallod"), is a capture gone wrong
  // (an application's own __main__.Snapshot is not).
  private notOurs(detail: string): InputError {
    if (this.sawSnapshot) return new InputError(this.file, `byte ${this.evidence}`, detail);
    if (this.suspect) {
      return new InputError(
        this.file,
        `byte ${this.evidence}`,
        `${detail}; yet it names tracemalloc or near: a dump damaged?`,
      );
    }
    return new NotACaptureError(this.file, `byte ${this.evidence}`, detail);
  }

  // Follows the opcode at p for its effect on the stack; returns the bytes it used, or -1 when
  // they are not all here yet.
  private step(d: Buffer, p: number): number {
    const op = d[p]!;
    const fixed = FIXED[op];
    if (fixed !== undefined) {
      if (p + 1 + fixed > d.length) return -1;
      this.fixedOp(op, d, p + 1);
      return 1 + fixed;
    }
    const sized = SIZED[op];
    if (sized !== undefined) return this.sizedOp(op, sized, d, p);
    const lines = LINES[op];
    if (lines !== undefined) {
      let end = p;
      for (let k = 0; k < lines; k++) {
        end = d.indexOf(0x0a, end + 1);
        if (end < 0) return -1;
      }
      this.textOp(op, d.toString('latin1', p + 1, end).split('\n'));
      return end + 1 - p;
    }
    this.bareOp(op);
    return 1;
  }

  private fixedOp(op: number, d: Buffer, a: number): void {
    const pushed = PUSHES[op];
    if (pushed) {
      this.push(pushed);
      return;
    }
    switch (op) {
      case 0x68:
        this.get(d[a]!);
        return;
      case 0x6a:
        this.get(d.readUInt32LE(a));
        return;
      case 0x71:
        this.put(d[a]!);
        return;
      case 0x72:
        this.put(d.readUInt32LE(a));
        return;
    } // PROTO, FRAME: nothing to do
  }

  private sizedOp(op: number, sized: number, d: Buffer, p: number): number {
    if (p + 1 + sized > d.length) return -1;
    const len = sized === 1 ? d[p + 1]! : d.readUInt32LE(p + 1) + (sized === 8 ? d.readUInt32LE(p + 5) * 2 ** 32 : 0);
    const at = p + 1 + sized;
    const str = STR_OPS.has(op);
    if (str && len <= 255) {
      if (at + len > d.length) return -1;
      this.push(strKind(d.toString(op === 0x55 || op === 0x54 ? 'latin1' : 'utf8', at, at + len)));
      return 1 + sized + len;
    }
    this.push(str ? KIND.str : op === 0x8a || op === 0x8b ? KIND.int : KIND.bytes);
    const here = Math.min(len, d.length - at);
    this.skip = len - here;
    return 1 + sized + here;
  }

  private textOp(op: number, args: string[]): void {
    if (op === 0x63 || op === 0x69) {
      const g = this.global(args[0]!, args[1]!);
      if (op === 0x63) {
        this.push(g);
        return;
      }
      this.popMark();
      this.push(new Kind(`a ${g.what} object`));
      return;
    }
    if (op === 0x67) {
      this.get(Number(args[0]));
      return;
    }
    if (op === 0x70) {
      this.put(Number(args[0]));
      return;
    }
    if (op === 0x50) {
      this.push(KIND.persistent);
      return;
    }
    this.push(op === 0x46 ? KIND.float : op === 0x53 || op === 0x56 ? KIND.str : KIND.int);
  }

  private bareOp(op: number): void {
    const s = this.stack;
    const pushed = PUSHES[op];
    if (pushed) {
      this.push(pushed);
      return;
    }
    switch (op) {
      case 0x2e: {
        const root = this.pop(); // STOP
        // A snapshot pickled inside another object ((time, snapshot), {'run': snapshot}): said so.
        const why = this.sawSnapshot
          ? 'holding a tracemalloc.Snapshot: arenascope reads a snapshot pickled alone, as Snapshot.dump() writes it (load this pickle and dump() its snapshot)'
          : NOT_A_SNAPSHOT;
        throw this.notOurs(`a pickle of ${describeKind(root)}, ${why}`);
      }
      case 0x28: // MARK
        this.marks.push(s.length);
        return;
      case 0x30: // POP
        if (s.length > (this.marks.at(-1) ?? 0)) s.pop();
        else this.popMark();
        return;
      case 0x31: // POP_MARK
        s.length = this.popMark();
        return;
      case 0x32: // DUP
        this.push(this.top());
        return;
      case 0x7d:
        this.push(new DictKind());
        return;
      case 0x61: // APPEND
        this.pop();
        return;
      case 0x73: // SETITEM
        this.pop();
        this.setItems(s.length - 1);
        return;
      case 0x65: // APPENDS, ADDITEMS
      case 0x90:
        s.length = this.popMark();
        return;
      case 0x75: // SETITEMS
        this.setItems(this.popMark());
        return;
      case 0x64: // DICT
        this.fromMark(new DictKind(), true);
        return;
      case 0x6c:
        this.fromMark(KIND.list, false);
        return;
      case 0x74:
        this.fromMark(KIND.tuple, false);
        return;
      case 0x91:
        this.fromMark(KIND.frozenset, false);
        return;
      case 0x85:
      case 0x86:
      case 0x87:
        for (let k = 0x84; k < op; k++) this.pop();
        this.push(KIND.tuple);
        return;
      case 0x52: {
        this.pop(); // REDUCE: the arguments, then the callable
        const f = this.pop();
        this.push(f instanceof GlobalKind ? new Kind(`${f.what}(…)`) : KIND.unknown);
        return;
      }
      case 0x81:
      case 0x92: {
        if (op === 0x92) this.pop(); // NEWOBJ_EX's keyword arguments
        this.pop();
        this.push(this.objectOf(this.pop()));
        return;
      }
      case 0x6f: {
        const m = this.popMark(); // OBJ: the class is the first item after the mark
        const cls = s[m] ?? KIND.unknown;
        s.length = m;
        this.push(this.objectOf(cls));
        return;
      }
      case 0x62: // BUILD
        this.pop();
        this.top();
        return;
      case 0x93: {
        const name = this.pop(); // STACK_GLOBAL
        const module = this.pop();
        this.push(this.global(module.text ?? '?', name.text ?? '?'));
        return;
      }
      case 0x94: // MEMOIZE
        this.put(this.memoNext++);
        return;
      case 0x51: // BINPERSID
        this.pop();
        this.push(KIND.persistent);
        return;
      case 0x98:
        return;
      default:
        throw new GiveUp(`unreadable at byte ${this.opAt}`); // not an opcode: damaged bytes
    }
  }

  private objectOf(cls: Kind): Kind {
    return cls instanceof GlobalKind ? new Kind(`a ${cls.what} object`) : KIND.unknown;
  }

  private global(module: string, name: string): GlobalKind {
    if (nearTracemalloc(module)) this.suspect = true;
    if (isHostile(module, name)) {
      const Cls = this.suspect ? InputError : NotACaptureError;
      throw new Cls(this.file, `byte ${this.opAt}`, refusedGlobal(module, name));
    }
    if (module === 'tracemalloc' && name === 'Snapshot') this.sawSnapshot = true;
    return new GlobalKind(globalName(module, name));
  }

  private fromMark(kind: Kind, dict: boolean): void {
    const m = this.popMark();
    if (dict && kind instanceof DictKind) this.keysOf(kind, m);
    this.stack.length = m;
    this.push(kind);
  }

  private setItems(start: number): void {
    const dict = this.stack[start - 1];
    if (dict instanceof DictKind) this.keysOf(dict, start);
    this.stack.length = Math.max(start, 0);
  }

  private keysOf(dict: DictKind, start: number): void {
    for (let i = start; i < this.stack.length && dict.keys.length < 8; i += 2) {
      const t = this.stack[i]!.text;
      if (t !== null) dict.keys.push(t);
    }
  }

  private get(i: number): void {
    this.push(this.memo.get(i) ?? this.earlier(i) ?? KIND.unknown);
  }

  private put(i: number): void {
    const v = this.top();
    if (this.memo.size < MAX_MEMO && (v.text !== null || v instanceof DictKind || v instanceof GlobalKind)) {
      this.memo.set(i, v);
    }
  }

  private push(k: Kind): void {
    if (this.stack.length >= MAX_STACK) throw new GiveUp(`more than ${MAX_STACK} items deep at byte ${this.opAt}`);
    this.stack.push(k);
  }

  private top(): Kind {
    const v = this.stack.at(-1);
    if (v === undefined) throw new GiveUp(`unreadable at byte ${this.opAt}`);
    return v;
  }

  private pop(): Kind {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) throw new GiveUp(`unreadable at byte ${this.opAt}`);
    return this.stack.pop()!;
  }

  private popMark(): number {
    const m = this.marks.pop();
    if (m === undefined) throw new GiveUp(`unreadable at byte ${this.opAt}`);
    return m;
  }
}

/** Whether a module name is tracemalloc, or two edits from it at most (a damaged dump's). */
function nearTracemalloc(module: string): boolean {
  const t = 'tracemalloc';
  if (Math.abs(module.length - t.length) > 2) return false;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= module.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (module[i - 1] === t[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[t.length]! <= 2;
}
