// A worker process of the long campaign (scripts/fuzz.mjs): runs one command line at a time
// in-process, under a clock that the parent keeps. A hang is killed, and a death is seen. Either way
// the worker starts again.

import { type ChildProcess, fork } from 'node:child_process';
import type { RunResult } from './oracle.js';

export interface WorkerResult extends RunResult {
  readonly ms: number;
}

export class WorkerProcess {
  private proc!: ChildProcess;
  private ready!: Promise<unknown>;
  private stderr = '';
  private next = 0;
  private runs = 0;

  /** `script` is forked with `args`; it answers each {id, args} message with {id, code, err, …}. */
  constructor(
    private readonly script: string,
    private readonly args: readonly string[],
    private readonly cwd: string,
    private readonly timeoutMs: number,
  ) {
    this.start();
  }

  private start(): void {
    this.stderr = '';
    this.proc = fork(this.script, [...this.args], {
      cwd: this.cwd,
      execArgv: ['--max-old-space-size=2048'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.proc.stderr!.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.ready = new Promise((r) => this.proc.once('message', r));
  }

  /** Runs one command line: its result, or a hang or a crash (and the worker starts again). */
  async run(args: readonly string[]): Promise<WorkerResult> {
    // A fresh process now and then: what one input leaks (files, memory) must not change the next.
    if (++this.runs % 2000 === 0) {
      this.proc.kill();
      this.start();
    }
    await this.ready;
    const id = ++this.next;
    const proc = this.proc;
    return new Promise((done) => {
      const finish = (r: WorkerResult): void => {
        clearTimeout(timer);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
        done(r);
      };
      const onMessage = (m: WorkerResult & { id?: number }): void => {
        if (m.id === id) finish(m);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        finish({ code: null, signal: signal ?? `exit ${code}`, err: this.stderr, ms: 0 });
        this.start();
      };
      const timer = setTimeout(() => {
        proc.off('exit', onExit);
        proc.kill('SIGKILL');
        finish({ code: null, timedOut: true, err: '', ms: this.timeoutMs });
        this.start();
      }, this.timeoutMs);
      proc.on('message', onMessage);
      proc.once('exit', onExit);
      proc.send({ id, args });
    });
  }

  stop(): void {
    this.proc.kill();
  }
}
