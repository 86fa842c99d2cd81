// Compiling the page's vega-lite specs to vega. `report` starts a thread that loads vega-lite while
// this one reads and replays the captures (when the machine has a core for it), and the page's specs
// are compiled there; that thread runs a bundle of vega-lite made at build time (dist/bin/
// chart-worker.mjs, scripts/build-bundle.mjs), which loads in ~25 ms where the ~270 modules of
// vega-lite and vega took ~0.2 s. Anywhere else, and whenever that thread cannot start, they are
// compiled on this thread, by vega-lite as installed.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Spec as VegaSpec } from 'vega';

export type { VegaSpec };

import type { TopLevelSpec } from 'vega-lite';
import { v8FlagState } from '../../util/v8-flags.js';

/** Compiles vega-lite specs to vega specs, in order. */
export type CompileCharts = (specs: readonly TopLevelSpec[]) => Promise<VegaSpec[]>;

/** What the chart thread answers: the compiled specs, or why it could not. */
export type ChartReply = { readonly specs: VegaSpec[] } | { readonly error: string; readonly stack?: string };

/** Compiles on this thread, loading vega-lite on first use. */
export const compileHere: CompileCharts = async (specs) => {
  const { compile } = await import('vega-lite');
  return specs.map((s) => compile(s).spec);
};

// The build bundles the worker (chart-worker.ts) into dist/bin/. This path reaches it both from
// dist/report/html/ (the package) and from src/report/html/ (vitest runs the sources after `npm run build`).
const WORKER = new URL('../../../dist/bin/chart-worker.mjs', import.meta.url);

export interface ChartCompiler {
  readonly compile: CompileCharts;
  /** Ends the thread (a compiler is used once). */
  close(): void;
}

const HERE: ChartCompiler = { compile: compileHere, close: () => {} };

/** A compiler that starts loading vega-lite now, on a thread of its own when the machine has two cores. */
export function startChartCompiler(): ChartCompiler {
  if (availableParallelism() < 2) return HERE;
  let worker: Worker;
  try {
    worker = new Worker(WORKER, { workerData: { v8Flags: v8FlagState() } });
  } catch {
    return HERE;
  }
  worker.unref(); // loading vega-lite keeps no process alive: an input error exits at once
  // The requests not answered yet, in the order sent: the thread answers them in that order.
  const pending: {
    specs: readonly TopLevelSpec[];
    resolve(v: Promise<VegaSpec[]> | VegaSpec[]): void;
    reject(e: Error): void;
  }[] = [];
  let down = false;
  // A thread that cannot start (no dist/ build) or stops: the specs are compiled here.
  const fell = (): void => {
    down = true;
    for (const p of pending.splice(0)) p.resolve(compileHere(p.specs));
  };
  worker.on('error', fell);
  worker.on('exit', fell);
  worker.on('message', (m: ChartReply) => {
    const p = pending.shift();
    if (!pending.length) worker.unref();
    if (!p) return;
    if ('specs' in m) p.resolve(m.specs);
    else p.reject(Object.assign(new Error(m.error), { stack: m.stack }));
  });
  const compile: CompileCharts = (specs) => {
    if (down) return compileHere(specs);
    return new Promise<VegaSpec[]>((resolve, reject) => {
      pending.push({ specs, resolve, reject });
      worker.ref();
      worker.postMessage(specs);
    });
  };
  return { compile, close: () => void worker.terminate() };
}
