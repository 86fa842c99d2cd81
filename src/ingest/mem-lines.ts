// The mprof importer's hot loop, run as WebAssembly: runs of `MEM <MiB> <time>\n` lines are read
// into columns of numbers by assembly/mem-lines.ts (AssemblyScript), which this file loads and
// feeds a chunk at a time. In TypeScript the loop ran unoptimised for most of a one-shot read (a
// .dat of 281k samples: ~60 of the 130 ms `info` spends on it, issue 14). `MemLinesReference` is the
// same loop in TypeScript, which the module is tested against line for line.

import { compileWasm } from '../util/wasm.js';

// scripts/build-wasm.mjs compiles the module into dist/; the path reaches it from dist/ingest/ (the
// package) and from src/ingest/ (vitest runs the sources after a build).
const WASM = new URL('../../dist/ingest/mem-lines.wasm', import.meta.url);

interface Global {
  value: number;
}

interface MemLinesExports {
  readonly memory: WebAssembly.Memory;
  readonly IN: Global;
  readonly TAKEN: Global;
  scan(start: number, end: number, tOut: number, mibOut: number, room: number, lastT: number): number;
  reserve(bytes: number): void;
}

/** A run of MEM lines read from a chunk. */
export interface MemRun {
  /** Where the run stopped in the chunk: the start of the first line not taken. */
  readonly stop: number;
  /** Lines taken; their times and MiB are t[0..n) and mib[0..n). */
  readonly n: number;
  readonly t: Float64Array;
  readonly mib: Float64Array;
  /** The first k whose time is below the one before it (t[k-1], or `lastT` for k = 0); -1: none. */
  readonly back: number;
  /** How many times equal the one before them. */
  readonly repeats: number;
}

/** Reads MEM lines: `chunk()` gives it the bytes, `scan()` reads from a position in them. */
export interface MemLineReader {
  chunk(buf: Uint8Array): void;
  scan(start: number, end: number, lastT: number): MemRun;
}

let compiled: WebAssembly.Module | null = null;

export class MemLines implements MemLineReader {
  private readonly wasm: MemLinesExports;
  private readonly input: number;
  private readonly counts: number;
  private cap = 0; // the bytes of input the memory has room for
  private u8 = new Uint8Array(0);
  private i32 = new Int32Array(0);
  private t = new Float64Array(0);
  private mib = new Float64Array(0);
  private tAt = 0;
  private mibAt = 0;

  constructor() {
    compiled ??= compileWasm(WASM, 'the mprof line reader');
    this.wasm = new WebAssembly.Instance(compiled).exports as unknown as MemLinesExports;
    this.input = this.wasm.IN.value;
    this.counts = this.wasm.TAKEN.value;
  }

  /** Copies a chunk into the module, growing its memory to hold it and a sample for every 8 bytes. */
  chunk(buf: Uint8Array): void {
    if (buf.length > this.cap) this.room(buf.length);
    this.u8.set(buf, this.input);
  }

  scan(start: number, end: number, lastT: number): MemRun {
    if (end - start > this.cap) throw new Error('MemLines.scan() of bytes not given to chunk()');
    // A MEM line is at least 8 bytes ('MEM 1 1\n'): the columns hold every line the chunk can have.
    const room = (this.cap >> 3) + 1;
    const stop = this.wasm.scan(start, end, this.tAt, this.mibAt, room, lastT);
    const c = this.counts >> 2;
    const n = this.i32[c]!;
    return {
      stop,
      n,
      t: this.t,
      mib: this.mib,
      back: this.i32[c + 1]!,
      repeats: this.i32[c + 2]!,
    };
  }

  private room(bytes: number): void {
    const cap = Math.max(bytes, 1 << 16);
    const column = ((cap >> 3) + 1) * 8;
    const tAt = (this.input + cap + 15) & ~15;
    const mibAt = tAt + column;
    const need = mibAt + column;
    this.wasm.reserve(need);
    const buffer = this.wasm.memory.buffer;
    this.cap = cap;
    this.tAt = tAt;
    this.mibAt = mibAt;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.t = new Float64Array(buffer, tAt, column >> 3);
    this.mib = new Float64Array(buffer, mibAt, column >> 3);
  }
}

// time.time() seconds as far as a Date goes (-8.64e15 ms) and before the year 5138 (milliseconds
// beyond), and a process's memory up to 2^53 bytes: the importer's bounds (mprof.ts), which a line
// beyond leaves to it.
const MIN_TIME = -8.64e12;
const LATEST_SECONDS = 1e11;
const MAX_MIB = 2 ** 33;
// A table, not 10 ** k: V8 evaluates ** through a slow path.
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** The same reader in TypeScript: the module's reference in tests. */
export class MemLinesReference implements MemLineReader {
  private buf: Uint8Array = new Uint8Array(0);

  chunk(buf: Uint8Array): void {
    this.buf = buf;
  }

  scan(start: number, end: number, lastT: number): MemRun {
    const buf = this.buf;
    const [t, mib] = [[] as number[], [] as number[]];
    let [i, back, repeats, before] = [start, -1, 0, lastT];
    while (i + 4 < end) {
      if (buf[i] !== 0x4d || buf[i + 1] !== 0x45 || buf[i + 2] !== 0x4d || buf[i + 3] !== 0x20) break;
      if (buf[i + 4] === 0x2d) break;
      const m = decimal(buf, i + 4, end);
      if (m.end >= end || buf[m.end] !== 0x20 || m.digits === 0 || m.digits > 15) break;
      const negative = m.end + 1 < end && buf[m.end + 1] === 0x2d;
      const s = decimal(buf, m.end + 1 + (negative ? 1 : 0), end);
      if (s.end >= end || buf[s.end] !== 0x0a || s.digits === 0 || s.digits > 15) break;
      const time = negative ? -s.value : s.value;
      if (!(time >= MIN_TIME && time < LATEST_SECONDS) || m.value > MAX_MIB) break;
      if (time < before && back < 0) back = t.length;
      if (time === before) repeats++;
      before = time;
      t.push(time);
      mib.push(m.value);
      i = s.end + 1;
    }
    return { stop: i, n: t.length, t: Float64Array.from(t), mib: Float64Array.from(mib), back, repeats };
  }
}

function decimal(buf: Uint8Array, p: number, end: number): { value: number; end: number; digits: number } {
  let [v, digits, places] = [0, 0, -1];
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      digits++;
      if (places >= 0) places++;
    } else if (c === 0x2e && places < 0) places = 0;
    else break;
  }
  return { value: places > 0 && places <= 15 ? v / POW10[places]! : v, end: p, digits };
}
