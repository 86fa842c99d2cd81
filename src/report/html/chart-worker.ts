// The thread of chart-compiler.ts: loads vega-lite as soon as it starts, then compiles the specs it
// is sent and sends back the vega specs, or the error.

import { parentPort } from 'node:worker_threads';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartReply } from './chart-compiler.js';

parentPort?.on('message', (specs: TopLevelSpec[]) => {
  let reply: ChartReply;
  try {
    reply = { specs: specs.map((s) => compile(s).spec) };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e), stack: (e as Error)?.stack };
  }
  parentPort!.postMessage(reply);
});
