// The thread of chart-compiler.ts: loads vega-lite as soon as it starts, then compiles the specs it
// is sent and sends back the vega specs, or the error. Until the first request it warms vega-lite
// up on small specs of the page's kinds (chart-warmup.ts), one per turn of its event loop, so that
// a request waits for one at most.

// First: sets the process's V8 flags again, before vega-lite loads (util/worker-v8-flags.ts).
import '../../util/worker-v8-flags.js';
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartReply } from './chart-compiler.js';
import { WARM_UP_SPECS } from './chart-warmup.js';

// This thread runs at a lower priority than the one that reads and analyzes (Linux: a thread's own
// niceness, by its id, 10 above the process's): on a busy machine loading vega-lite beside the reading made reading 2 dumps
// of 1M blocks ~0.1 s slower; idle cores it still uses. Elsewhere it runs as it is.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, Math.min(19, getPriority(tid) + 10));
} catch {
  // Only a matter of speed.
}

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
  // Held (not unref'd): a thread whose only held handle is its port runs unheld immediates only when a
  // message wakes it, so the warm-up stopped after the few run while vega-lite loaded (4 of 5). The
  // thread keeps no process alive either way (chart-compiler.ts unrefs it).
  setImmediate(() => warmUp(next + 1));
}
setImmediate(() => warmUp(0));
