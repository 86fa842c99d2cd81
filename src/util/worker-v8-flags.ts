// A worker thread's first import: sets the V8 flags the process chose (v8-flags.ts) again, as they are
// when it starts: Node set them back to their defaults as the worker started. Apart from v8-flags.ts
// so that the main thread does not load node:worker_threads (~5 ms) for nothing.

import { isMainThread, workerData } from 'node:worker_threads';
import { applyV8FlagState } from './v8-flags.js';

if (!isMainThread) applyV8FlagState((workerData as { v8Flags?: unknown } | null)?.v8Flags);
