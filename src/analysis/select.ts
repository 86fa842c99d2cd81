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
  rises(at: number, n: number): number;
}

let instance: SelectExports | null = null;

/** `values` copied into the module's memory: where they start. */
function load(values: Float64Array): [SelectExports, number] {
  instance ??= new WebAssembly.Instance(compileWasm(WASM, 'the selection')).exports as unknown as SelectExports;
  const at = instance.base();
  instance.reserve(at + values.byteLength);
  new Float64Array(instance.memory.buffer, at, values.length).set(values);
  return [instance, at];
}

/** The k-th smallest (0-based) of `values`, none NaN, as values.slice().sort()[k] gives it. */
export function kthSmallest(values: Float64Array, k: number): number {
  if (!(k >= 0 && k < values.length)) throw new RangeError(`no ${k}-th of ${values.length} values`);
  const [m, at] = load(values);
  return m.kth(at, values.length, k);
}

/**
 * The median (the upper one of an even count) of the steps forward between the first n times, in
 * the module (no copy of the steps in JavaScript: 2 MiB of a 281k-sample run); null when none is.
 */
export function medianRise(t: Float64Array, n: number): number | null {
  const [m, at] = load(t.subarray(0, Math.max(0, Math.min(n, t.length))));
  const count = m.rises(at, Math.max(0, Math.min(n, t.length)));
  return count ? m.kth(at, count, count >> 1) : null;
}

/** The definitions: sorted, the k-th; the steps forward, sorted, the middle one. */
export const kthReference = (values: Float64Array, k: number): number => values.slice().sort()[k]!;
export function medianRiseReference(t: Float64Array, n: number): number | null {
  const steps: number[] = [];
  for (let i = 1; i < Math.min(n, t.length); i++) if (t[i]! > t[i - 1]!) steps.push(t[i]! - t[i - 1]!);
  return steps.length ? kthReference(Float64Array.from(steps), steps.length >> 1) : null;
}
