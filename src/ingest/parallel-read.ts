// Reading the dumps of a set in worker threads while the main thread reads too. Every dump of a set
// of two or more is read into a frame table of its own and merged into the set's table in input
// order, on one thread or several alike, so that ids, group order and output do not depend on threads.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FrameTable, type FrameTableData } from '../model/frames.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Format } from '../model/source.js';
import { ArenascopeError, InputError, NotACaptureError, TruncatedError, UsageError } from '../util/errors.js';
import { v8FlagState } from '../util/v8-flags.js';
import { loadCapture } from './load-capture.js';
import { sniffPickle } from './pickle/sniff.js';

// tsc compiles the worker into dist/. This path reaches it both from dist/ingest/ (the package) and
// from src/ingest/ (vitest runs the sources after `npm run build`), as the trace scanner's wasm.
const WORKER = new URL('../../dist/ingest/read-worker.js', import.meta.url);

// A worker costs ~35-40 ms to start (its own isolate, the reader's modules, the scanner's wasm) and
// ~10 MiB of RSS, and a dump reads at ~300-500 MiB/s. Measured 2026-11-30 on this 2-core machine
// (in-process reads, quiet): 11 dumps of 71 MiB 142-194 -> 118-146 ms, 2 of 120 MiB 330 -> 291 ms;
// whole `leaks` runs, with the other core busy, were 0-40% slower with a worker. So threads start
// only for sets of dumps large enough that the start-up is a small share even on a busy machine.
const PARALLEL_MIN_BYTES = 256 << 20;

/** What a worker is sent: one dump to read, with the options of the sequential read. */
export interface ReadJob {
  readonly id: number;
  readonly path: string;
  readonly options: DumpReadOptions;
}

export interface DumpReadOptions {
  readonly allowPartial?: boolean;
  readonly lenient?: boolean;
  readonly format?: Format;
}

/** An error of a worker's read, rebuilt on the main thread as the same class with the same message. */
export interface ReadFailure {
  readonly name: string;
  readonly message: string;
  readonly input?: { file: string; where: string; detail: string };
  readonly stack?: string;
}

export type ReadReply =
  | { readonly id: number; readonly snapshot: Omit<Snapshot, 'frames'>; readonly frames: FrameTableData }
  | { readonly id: number; readonly error: ReadFailure };

export interface ParallelOptions extends DumpReadOptions {
  /** Shows a warning of a dump read by a worker (the main thread's reads warn through `load`). */
  warn(text: string): void;
}

/** Reads one input on the main thread into the given table (the set's sequential loader). */
export type Load = (path: string, frames: FrameTable) => Promise<Snapshot | { kind: string }>;

// Whether an input is a dump a worker can read: a plain file whose first bytes are a pickle's (or any
// file with --input-format tracemalloc-snapshot). Gzip and stdin are read as before, on this thread.
function dumpSize(path: string, format: Format | undefined): number | null {
  if (format !== undefined && format !== 'tracemalloc-snapshot') return null;
  let fd: number | undefined;
  try {
    const size = statSync(path).size;
    if (format) return size;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    return sniffPickle(head.subarray(0, readSync(fd, head, 0, 2, 0))) ? size : null;
  } catch {
    return null; // stdin, a directory, a missing file: the sequential read says what is wrong
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// Threads reading dumps, the main one included: ARENASCOPE_THREADS when set (1 reads on this thread
// alone), else every core once the dumps are large enough to pay for starting workers.
function threadCount(sizes: readonly number[]): number {
  const env = process.env.ARENASCOPE_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`ARENASCOPE_THREADS=${env}: give a whole number from 1`);
    return n;
  }
  const bytes = sizes.reduce((a, b) => a + b, 0);
  return bytes >= PARALLEL_MIN_BYTES ? availableParallelism() : 1;
}

function rebuild(f: ReadFailure): Error {
  if (f.input) {
    const Cls =
      f.name === 'TruncatedError' || f.name === 'GzipCutError'
        ? TruncatedError
        : f.name === 'NotACaptureError'
          ? NotACaptureError
          : InputError;
    return new Cls(f.input.file, f.input.where, f.input.detail);
  }
  if (f.name === 'UsageError') return new UsageError(f.message);
  if (f.name === 'ArenascopeError') return new ArenascopeError(f.message);
  const e = new Error(f.message);
  if (f.stack) e.stack = f.stack;
  return e;
}

// Gives the set's table the snapshot's frames and tracebacks and its groups the ids they have there.
function adopt(s: Omit<Snapshot, 'frames'>, table: FrameTableData, frames: FrameTable): Snapshot {
  const ids = frames.merge(table);
  const tb = s.groups.traceback;
  for (let i = 0; i < s.groups.length; i++) tb[i] = ids[tb[i]!]!;
  return { ...s, frames };
}

// A dump's read: the snapshot with the table it was read into (warned: its warnings were shown), or
// the error to throw when its turn comes; 'again' when its worker could not start.
type Result =
  | { readonly snapshot: Omit<Snapshot, 'frames'>; readonly table: FrameTableData; readonly warned: boolean }
  | { readonly error: Error }
  | 'again';

interface Job {
  readonly path: string;
  /** Who reads it: nobody yet, a worker, or this thread ahead of its turn. */
  by: 'nobody' | 'worker' | 'ahead';
  result?: Promise<Result>;
  done: boolean;
}

// Lets the event loop deliver the workers' messages: this thread's own reads are synchronous.
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The dumps among a set's inputs (null when fewer than two) and the threads that read them. Workers
 * take dumps from the front of the queue; this thread reads a dump whose turn has come if nobody has
 * taken it, and while a worker reads that one it reads the next ones nobody has taken.
 */
export class DumpReader {
  private readonly jobs = new Map<number, Job>();
  private readonly workers: Worker[] = [];
  private closed = false;
  /** Dumps read by worker threads so far (tests check that the workers were used). */
  workerReads = 0;

  private constructor(
    paths: readonly (string | null)[],
    private readonly options: ParallelOptions,
    workers: number,
  ) {
    paths.forEach((path, i) => {
      if (path !== null) this.jobs.set(i, { path, by: 'nobody', done: false });
    });
    // The first dump is this thread's: it needs it first, while the workers start (~35 ms).
    const first = this.jobs.values().next().value;
    if (first && workers > 0) first.by = 'ahead';
    for (let w = 0; w < workers; w++) this.start();
    if (first?.by === 'ahead') first.by = 'nobody';
  }

  /** Without `options` (a library caller's own loader), every dump is read on this thread. */
  static plan(inputs: readonly string[], options?: ParallelOptions): DumpReader | null {
    const sizes = inputs.map((p) => dumpSize(p, options?.format));
    const dumps = sizes.filter((s): s is number => s !== null);
    if (dumps.length < 2) return null;
    const workers = options ? Math.min(threadCount(dumps), dumps.length) - 1 : 0;
    const paths = inputs.map((p, i) => (sizes[i] === null ? null : p));
    return new DumpReader(paths, options ?? { warn: () => undefined }, workers);
  }

  isDump(index: number): boolean {
    return this.jobs.has(index);
  }

  /**
   * Reads input `index` (a dump) into the set's table: its warnings are shown and its error thrown
   * now, in input order, whichever thread read it and when.
   */
  async read(index: number, frames: FrameTable, load: Load): Promise<Snapshot> {
    const job = this.jobs.get(index)!;
    let r: Result = 'again';
    while (r === 'again') {
      if (job.by === 'nobody') r = await this.readHere(job, load);
      else if (!job.done && job.by === 'worker' && this.nextOpen()) await this.readAhead(this.nextOpen()!);
      else r = await job.result!;
    }
    this.jobs.delete(index); // what is kept of it is the snapshot
    if ('error' in r) throw r.error;
    if (!r.warned) for (const w of r.snapshot.warnings) this.options.warn(w);
    return adopt(r.snapshot, r.table, frames);
  }

  /** Stops the workers (after the last read, or an error). */
  close(): void {
    this.closed = true;
    for (const w of this.workers) void w.terminate();
  }

  private nextOpen(): Job | undefined {
    for (const job of this.jobs.values()) if (job.by === 'nobody') return job;
    return undefined;
  }

  // A dump whose turn has come, read with the set's loader (which shows its warnings and progress).
  private async readHere(job: Job, load: Load): Promise<Result> {
    job.by = 'ahead';
    const own = new FrameTable();
    const c = await load(job.path, own);
    if (c.kind !== 'snapshot') throw new Error(`${job.path}: read as a ${c.kind}, where a dump was expected`);
    const { frames: _, ...snapshot } = c as Snapshot;
    return { snapshot, table: own.data(), warned: true };
  }

  // A later dump, read while a worker reads the one whose turn it is: quietly, its warnings and
  // error kept for its turn.
  private async readAhead(job: Job): Promise<void> {
    job.by = 'ahead';
    const own = new FrameTable();
    let r: Result;
    try {
      const c = await loadCapture(job.path, { ...this.jobOptions(), frames: own });
      if (c.kind !== 'snapshot') throw new Error(`${job.path}: read as a ${c.kind}, where a dump was expected`);
      const { frames: _, ...snapshot } = c;
      r = { snapshot, table: own.data(), warned: false };
    } catch (e) {
      r = { error: e instanceof Error ? e : new Error(String(e)) };
    }
    job.result = Promise.resolve(r);
    job.done = true;
    await yieldToEvents();
  }

  private start(): void {
    const w = new Worker(WORKER, { workerData: { v8Flags: v8FlagState() } });
    this.workers.push(w);
    let ready = false;
    let job: Job | undefined;
    let settle: ((r: Result) => void) | undefined;
    // Jobs are posted at once (a worker queues them while it starts): this thread's reads do not
    // let the event loop run, so a 'ready' message would wait for them.
    const give = (): void => {
      job = this.closed ? undefined : this.nextOpen();
      if (!job) {
        w.unref(); // an idle worker keeps no process alive
        return;
      }
      const id = [...this.jobs].find(([, j]) => j === job)![0];
      job.by = 'worker';
      job.result = new Promise<Result>((resolve) => {
        settle = resolve;
      });
      w.ref();
      w.postMessage({ id, path: job.path, options: this.jobOptions() } satisfies ReadJob);
    };
    const finish = (r: Result): void => {
      if (job) job.done = r !== 'again';
      if (r === 'again' && job) job.by = 'nobody';
      settle?.(r);
      settle = undefined;
      job = undefined;
    };
    w.on('message', (m: ReadReply | 'ready') => {
      if (m === 'ready') {
        ready = true;
        return;
      }
      this.workerReads++;
      finish('error' in m ? { error: rebuild(m.error) } : { snapshot: m.snapshot, table: m.frames, warned: false });
      give();
    });
    // A worker that cannot start (no dist/ build) hands its dump back to this thread; one that dies
    // while reading fails that dump as a bug would on this thread.
    const died = (e: unknown): void => {
      if (!job) return;
      if (!ready) {
        finish('again');
        return;
      }
      const message = e instanceof Error ? e.message : `the reading thread stopped (exit code ${String(e)})`;
      finish({ error: rebuild({ name: 'Error', message, stack: e instanceof Error ? e.stack : undefined }) });
    };
    w.on('error', died);
    w.on('exit', died);
    give();
  }

  private jobOptions(): DumpReadOptions {
    const { allowPartial, lenient, format } = this.options;
    return { allowPartial, lenient, format };
  }
}
