import type { SourceInfo } from './snapshot.js';

/** Samples (time in seconds since the epoch, memory in MiB), as two typed arrays. */
export interface Samples {
  readonly t: Float64Array;
  readonly mib: Float64Array;
}

/** One call of a function decorated with @profile while `mprof run` sampled (a FUNC line). */
export interface FunctionSpan {
  readonly name: string;
  readonly memStartMiB: number;
  readonly tStart: number;
  readonly memEndMiB: number;
  readonly tEnd: number;
  /** Nesting depth among decorated calls (0 = outermost); null in files older than memory_profiler 0.56. */
  readonly level: number | null;
}

/** An `mprof run` time series (.dat): the main process, its child processes, function spans. */
export interface MemorySeries {
  readonly kind: 'memory-series';
  readonly source: SourceInfo;
  /** The CMDLINE line, or null when the file has none. */
  readonly cmdline: string | null;
  readonly samples: Samples;
  /** Per child pid (CHLD lines, `mprof run --multiprocess`), in order of first appearance. */
  readonly children: ReadonlyMap<number, Samples>;
  readonly functions: readonly FunctionSpan[];
  readonly warnings: readonly string[];
}

/** Growable (t, value) columns for importers. */
export class SampleBuilder {
  private t = new Float64Array(1024);
  private v = new Float64Array(1024);
  length = 0;

  push(t: number, v: number): void {
    if (this.length === this.t.length) {
      const t2 = new Float64Array(this.length * 2);
      const v2 = new Float64Array(this.length * 2);
      t2.set(this.t);
      v2.set(this.v);
      this.t = t2;
      this.v = v2;
    }
    this.t[this.length] = t;
    this.v[this.length++] = v;
  }

  finish(): Samples {
    return { t: this.t.slice(0, this.length), mib: this.v.slice(0, this.length) };
  }
}
