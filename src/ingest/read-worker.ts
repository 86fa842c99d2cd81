// A worker thread of parallel-read.ts: reads the dumps it is sent, each into a frame table of its
// own, and sends back the snapshot (its columns transferred, not copied) and that table, or the error.

// First: sets the process's V8 flags again (util/worker-v8-flags.ts).
import '../util/worker-v8-flags.js';
import { parentPort } from 'node:worker_threads';
import { FrameTable } from '../model/frames.js';
import { ArenascopeError, InputError } from '../util/errors.js';
import { loadCapture } from './load-capture.js';
import type { ReadFailure, ReadJob, ReadReply } from './parallel-read.js';

function failure(e: unknown): ReadFailure {
  if (e instanceof InputError) {
    return { name: e.name, message: e.message, input: { file: e.file, where: e.where, detail: e.detail } };
  }
  if (e instanceof ArenascopeError) return { name: e.name, message: e.message };
  return { name: 'Error', message: e instanceof Error ? e.message : String(e), stack: (e as Error)?.stack };
}

async function read(job: ReadJob): Promise<void> {
  const port = parentPort!;
  try {
    const frames = new FrameTable();
    const c = await loadCapture(job.path, { ...job.options, frames });
    if (c.kind !== 'snapshot') throw new Error(`${job.path}: read as a ${c.kind}, where a dump was expected`);
    const { frames: _, ...snapshot } = c;
    const table = frames.data();
    const g = snapshot.groups;
    const reply: ReadReply = { id: job.id, snapshot, frames: table };
    const columns = [g.domain, g.traceback, g.size, g.count, table.frameFile, table.frameLine];
    const tables = [table.tbStart, table.tbFrames, table.tbTotal];
    port.postMessage(
      reply,
      [...columns, ...tables].map((a) => a.buffer as ArrayBuffer),
    );
  } catch (e) {
    port.postMessage({ id: job.id, error: failure(e) } satisfies ReadReply);
  }
}

parentPort?.on('message', (job: ReadJob) => void read(job));
parentPort?.postMessage('ready');
