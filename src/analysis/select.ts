// The k-th smallest of many doubles (a median), run as WebAssembly from assembly/select.ts: in a
// one-shot process, sorting the 281k steps of an mprof run to take their median (a Float64Array's
// native sort) took 50-70 ms of `report`, a selection in JavaScript 30-40 ms, run cold (issue 14).
// `kthReference` is the definition it is tested against.

import { compileWasm } from '../util/wasm.js';

// scripts/build-wasm.mjs compiles the module into dist/; the path reaches it from dist/analysis/ (the
// package) and from src/analysis/ (vitest runs the sources after a build).
const WASM = new URL('../../dist/analysis/select.wasm', import.meta.url);

interface SelectExports {
  readonly memory: WebAssembly.Memory;
  reserve(bytes: number): void;
  base(): number;
  kth(at: number, n: number, k: number): number;
}

let instance: SelectExports | null = null;

/** The k-th smallest (0-based) of `values`, none NaN, as values.slice().sort()[k] gives it. */
export function kthSmallest(values: Float64Array, k: number): number {
  if (!(k >= 0 && k < values.length)) throw new RangeError(`no ${k}-th of ${values.length} values`);
  instance ??= new WebAssembly.Instance(compileWasm(WASM, 'the selection')).exports as unknown as SelectExports;
  const at = instance.base();
  instance.reserve(at + values.byteLength);
  new Float64Array(instance.memory.buffer, at, values.length).set(values);
  return instance.kth(at, values.length, k);
}

/** The definition: sorted, the k-th. */
export const kthReference = (values: Float64Array, k: number): number => values.slice().sort()[k]!;
