// The thread of chart-compiler.ts: loads vega-lite as soon as it starts, then compiles the specs it
// is sent and sends back the vega specs, or the error. Until the first request it warms vega-lite
// up on small specs of the page's kinds (chart-warmup.ts), one per turn of its event loop, so that
// a request waits for one at most.

// First: sets the process's V8 flags again, before vega-lite loads (util/worker-v8-flags.ts).
import '../../util/worker-v8-flags.js';
import { parentPort } from 'node:worker_threads';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartReply } from './chart-compiler.js';
import { WARM_UP_SPECS } from './chart-warmup.js';

let asked = false;

parentPort?.on('message', (specs: TopLevelSpec[]) => {
  asked = true;
  let reply: ChartReply;
  try {
    reply = { specs: specs.map((s) => compile(s).spec) };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e), stack: (e as Error)?.stack };
  }
  parentPort!.postMessage(reply);
});

function warmUp(next: number): void {
  if (asked || next >= WARM_UP_SPECS.length) return;
  try {
    compile(WARM_UP_SPECS[next]!);
  } catch {
    // Only a matter of speed.
  }
  setImmediate(() => warmUp(next + 1)).unref();
}
setImmediate(() => warmUp(0)).unref();
