// The reader's hot loop, run as WebAssembly: runs of trace tuples whose traceback the reader has
// already seen are consumed and pre-aggregated by assembly/trace-scanner.ts (AssemblyScript), which
// this file loads and feeds. A one-shot process spends most of its parse in that loop; the same loop
// in TypeScript made reading a dump 1.3x (1M traces) to 1.4x (5M) slower (issue 14), as V8 runs it
// unoptimised, then deoptimises it while warming up, where WebAssembly is compiled before it runs.

import { compileWasm } from '../../util/wasm.js';

// scripts/build-wasm.mjs compiles the module into dist/. This path reaches it both from dist/ingest/
// pickle/ (the package) and from src/ingest/pickle/ (vitest runs the sources after `npm run build`).
const WASM = new URL('../../../dist/ingest/pickle/trace-scanner.wasm', import.meta.url);

interface Global {
  value: number;
}

interface ScannerExports {
  readonly memory: WebAssembly.Memory;
  readonly INPUT: Global;
  readonly INPUT_CAP: Global;
  readonly OUT: Global;
  readonly COUNTS: Global;
  scan(start: number, end: number, mode: number): number;
  collect(slot: number): number;
  remember(idx: number, tb: number): void;
  forget(idx: number): number;
  collectTotals(slot: number): number;
}

let compiled: WebAssembly.Module | null = null;

/** Result of one scan: where it stopped and how many traces it consumed. */
export interface ScanResult {
  readonly end: number;
  readonly traces: number;
}

/** Receives aggregated groups. */
export type GroupSink = (domain: number, tb: number, size: number, count: number) => void;

export class TraceScanner {
  /** The largest buffer load() takes. */
  readonly inputCap: number;
  private readonly wasm: ScannerExports;
  private readonly input: number;
  // Views of the module's memory, made again when remember() grows it (which detaches the old ones).
  private buffer!: ArrayBuffer;
  private u8!: Uint8Array;
  private out!: Int32Array; // OUT's records, 4 ints each
  private counts!: Int32Array; // records in OUT, traces consumed by the last scan

  constructor() {
    compiled ??= compileWasm(WASM, 'the trace scanner');
    this.wasm = new WebAssembly.Instance(compiled).exports as unknown as ScannerExports;
    this.input = this.wasm.INPUT.value;
    this.inputCap = this.wasm.INPUT_CAP.value;
    this.view();
  }

  private view(): void {
    const buffer = this.wasm.memory.buffer;
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.out = new Int32Array(buffer, this.wasm.OUT.value);
    this.counts = new Int32Array(buffer, this.wasm.COUNTS.value, 2);
  }

  /** Copies bytes to scan into the module; at most inputCap. */
  load(d: Uint8Array): void {
    this.u8.set(d, this.input);
  }

  /** Scans loaded bytes from p (relative to the loaded buffer) to n; mode 4 (3.9+) or 3 (<= 3.8). */
  scan(p: number, n: number, mode: 3 | 4, sink: GroupSink): ScanResult {
    const end = this.wasm.scan(this.input + p, this.input + n, mode) - this.input;
    const traces = this.counts[1]!;
    this.drain(sink);
    return { end, traces };
  }

  /** Remembers that memo index idx holds traceback tb (a full table, or an index beyond 2^31,
   * just leaves such traces to the general path). */
  remember(idx: number, tb: number): void {
    if (idx >= 2 ** 31) return;
    this.wasm.remember(idx, tb);
    // The only call that grows the memory (the traceback table doubles), a few times a dump at most.
    if (this.wasm.memory.buffer !== this.buffer) this.view();
  }

  /** Forgets memo index idx (it was overwritten); returns the largest total_nframe noted for it, or -1. */
  forget(idx: number): number {
    return idx < 2 ** 31 ? this.wasm.forget(idx) : -1;
  }

  /** Hands every pre-aggregated group and every noted total_nframe to the caller. */
  flush(sink: GroupSink, noteTotal: (tb: number, total: number) => void): void {
    for (let slot = 0; slot >= 0; ) {
      slot = this.wasm.collect(slot);
      this.drain(sink);
    }
    for (let slot = 0; slot >= 0; ) {
      slot = this.wasm.collectTotals(slot);
      const records = this.counts[0]!;
      for (let r = 0; r < 4 * records; r += 4) noteTotal(this.out[r]!, this.out[r + 1]!);
    }
  }

  // Hands the groups the last call put in OUT, (tb, size, domain, count) records, to the sink.
  private drain(sink: GroupSink): void {
    const records = this.counts[0]!;
    const out = this.out;
    for (let r = 0; r < 4 * records; r += 4) sink(out[r + 2]!, out[r]!, out[r + 1]!, out[r + 3]!);
  }
}
