// A worker thread's first import: sets the V8 flags it was handed (v8-flags.ts), which are the
// process's, again: Node set them back to their defaults as the worker started. Apart from v8-flags.ts
// so that the main thread does not load node:worker_threads (~5 ms) for nothing.

import { setFlagsFromString } from 'node:v8';
import { isMainThread, workerData } from 'node:worker_threads';

const handed: unknown = isMainThread ? null : (workerData as { v8Flags?: unknown } | null)?.v8Flags;
if (Array.isArray(handed)) {
  for (const f of handed) if (typeof f === 'string' && /^--[a-z-]+(=\d+)?$/.test(f)) setFlagsFromString(f);
}
