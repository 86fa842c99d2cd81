import type { SourceInfo } from './source.js';

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

/**
 * Resident memory an `arenascope run`'s own capture kept (its snapshot's objects freed into arenas and a
 * heap that other objects hold: measured before and after it by the process itself), at the capture's time.
 * Negative: the capture gave back memory an earlier one kept.
 */
export interface CaptureKept {
  readonly time: number;
  readonly bytes: number;
}

/** Which run of a file holding several (`mprof run -o` onto an existing file appends a run). */
export interface RunOf {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** An `mprof run` time series (.dat): the main process, its child processes, function spans. */
export interface MemorySeries {
  readonly kind: 'memory-series';
  readonly source: SourceInfo;
  /** Set when the file holds several runs: this one's place among them; null for a file of one run. */
  readonly run: RunOf | null;
  /** The CMDLINE line, or null when the file has none. */
  readonly cmdline: string | null;
  readonly samples: Samples;
  /**
   * The child processes (CHLD lines, `mprof run --multiprocess`), in order of first appearance: per
   * pid (memory_profiler 0.61); or, when the file numbers children by their place in the list of
   * children at each sample (0, 1, ...: memory_profiler before 0.61, renumbered as children come
   * and go, so that no number is one process), one series keyed 0: their total at each sample.
   */
  readonly children: ReadonlyMap<number, Samples>;
  /** How the CHLD lines named the children: by pid, or by position (see children). */
  readonly childIds: 'pid' | 'position';
  readonly functions: readonly FunctionSpan[];
  readonly warnings: readonly string[];
  /**
   * MEM counts the children too (`arenascope run --include-children`, as `mprof run -C`): the main
   * series is the total, named so, and a child's leak is its leak too. Absent: unknown, or not.
   */
  readonly mainIncludesChildren?: boolean;
  /**
   * MEM counts the children, said so (--mem-includes-children: `mprof run -C`), but no CHLD line
   * lists them: the main series is the program with its children, judged as one (nothing to part it).
   */
  readonly childrenUnlisted?: boolean;
  /**
   * The file holds no times (memory_profiler 0.25-0.27: one MiB figure a line): the samples are placed
   * at its interval from 0 s, and no time of day is known.
   */
  readonly untimed?: boolean;
  /**
   * When the program's own code began, on the samples' clock: an `arenascope run`'s start capture.
   * The samples before it are the interpreter starting (site, imports, tracing set up): warm-up.
   */
  readonly programStart?: number;
  /**
   * programStart is when a pytest run's tests began, collection done: pytest's start-up and collection
   * (its plugins, the test modules' imports) are the warm-up.
   */
  readonly testsBegan?: boolean;
  /**
   * When a pytest run's last test ended, on the samples' clock, where the run went on after it: the
   * samples after it are pytest's session end (its summary, plugins' hooks importing modules), no test's.
   */
  readonly programEnd?: number;
  /**
   * When an `arenascope run`'s exit capture began, on the samples' clock (its last snapshot, labelled
   * 'exit'): the program's code had ended; the samples after it are the capture's and the interpreter's exit.
   */
  readonly exitCapture?: number;
  /**
   * The program's own peak RSS in MiB as it exited (an `arenascope run`'s getrusage), MEM's process
   * alone: the samples can miss it (a program done within one sample interval was sampled once, before
   * Python started: 0.02 MiB).
   */
  readonly exitPeakMiB?: number;
  /** What the run's own captures kept of the resident memory, in time order (runs recorded since it is measured). */
  readonly capturesKept?: readonly CaptureKept[];
}

/**
 * How the main series is named in every output: `main`, `main + children` when MEM counts the children
 * its CHLD lines list (the total, judged in its parts), `main (with its children)` when none is listed.
 */
export function mainName(s: Pick<MemorySeries, 'mainIncludesChildren' | 'childrenUnlisted'>): string {
  return s.mainIncludesChildren ? 'main + children' : s.childrenUnlisted ? 'main (with its children)' : 'main';
}

/** How a child series is named in every output: `child <pid>`, or the total of children numbered by position. */
export function childName(s: Pick<MemorySeries, 'childIds'>, pid: number): string {
  return s.childIds === 'position' ? 'children (total)' : `child ${pid}`;
}

/**
 * Per MEM sample, the memory of the children measured with it: each child's sample written in the
 * same round, from its MEM line (1.5 ms before it: `arenascope run` stamps both to the millisecond)
 * to the next MEM line (memory_profiler writes each CHLD line a few ms after its MEM line).
 */
export function childrenPerSample(s: Pick<MemorySeries, 'samples' | 'children'>): Float64Array {
  const { t } = s.samples;
  const sum = new Float64Array(t.length);
  const slack = 0.0015;
  // The round a time falls in: the last MEM line at or before it (less the slack), -1 before the first.
  const roundOf = (time: number): number => {
    let lo = 0;
    let hi = t.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]! - slack <= time) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  // Each child over its own samples only (a pool that replaced its workers 100,000 times went over
  // every sample for every child: minutes): each sample to its round, the round's last one kept.
  for (const c of s.children.values()) {
    let i = c.t.length ? roundOf(c.t[0]!) : -1;
    for (let j = 0; j < c.t.length; j++) {
      while (i + 1 < t.length && t[i + 1]! - slack <= c.t[j]!) i++;
      if (i < 0) continue;
      // The last sample of this child in round i (one per round as written).
      if (j + 1 < c.t.length && (i + 1 >= t.length || c.t[j + 1]! < t[i + 1]! - slack)) continue;
      sum[i] = sum[i]! + c.mib[j]!;
    }
  }
  return sum;
}

/** Half the last decimal of FUNC's `%.4f`, plus MEM's `%.6f`: how far a printed call can stray above a sample. */
const FUNC_ROUNDING_MIB = 0.00005 + 0.0000005;

/** Several runs appended to one .dat file, each starting at its CMDLINE line, in file order. */
/**
 * @profile calls (FUNC lines) whose memory at their start or end went above the samples' peak (`mprof
 * peak`'s), which they measure by the same means: between two samples (an interval longer than the
 * call: helper h348's calls of 171.7 MiB sampled at 21.7 each second, and a gate's --max-peak of 160
 * MiB passed) or after the last one (the sampler stopped before the program: mprof's own process
 * interrupted, or `mprof run -t` timed out, the program left running and writing; helper h226: one
 * call from 21.7 to 181.8 MiB across a `-t 1` timeout). Null when none did.
 */
export function callsAboveSamples(r: Pick<MemorySeries, 'samples' | 'functions'>): {
  /** The calls above the samples' peak, and those of them that ended after the last sample. */
  readonly calls: number;
  readonly late: number;
  readonly highMiB: number;
  readonly samplesPeakMiB: number;
  /** The late calls ended within 1.5 sampling intervals (the median one) after the last sample. */
  readonly withinInterval: boolean;
} | null {
  const { t, mib } = r.samples;
  if (!t.length || !r.functions.length) return null;
  const end = t[t.length - 1]!;
  let peak = -Infinity;
  for (const v of mib) peak = Math.max(peak, v);
  // FUNC prints MiB with 4 decimals, MEM with 6: a call at a sample's memory reads above it by the
  // rounding (29.7344 over 29.734375), and every run ending in calls was said to be interrupted.
  const above = r.functions.filter((f) => Math.max(f.memStartMiB, f.memEndMiB) > peak + FUNC_ROUNDING_MIB);
  if (!above.length) return null;
  let high = -Infinity; // (a spread of a million calls would overflow the stack)
  let late = 0;
  let last = end;
  for (const f of above) {
    high = Math.max(high, f.memStartMiB, f.memEndMiB);
    if (f.tEnd > end) late++;
    last = Math.max(last, f.tEnd);
  }
  const gaps: number[] = [];
  for (let i = Math.max(1, t.length - 1000); i < t.length; i++) gaps.push(t[i]! - t[i - 1]!);
  const interval = gaps.sort((a, b) => a - b)[gaps.length >> 1] ?? 0;
  const withinInterval = interval > 0 && last - end <= 1.5 * interval;
  return { calls: above.length, late, highMiB: high, samplesPeakMiB: peak, withinInterval };
}

/**
 * How far above the samples the @profile calls' figures (FUNC lines) sit where memory held still, when
 * they may measure something else: at least 1 MiB above at every such point; null otherwise. `mprof run
 * --backend psutil_uss` (or psutil_pss) samples that figure, while the program's own profiler records
 * its calls' RSS, its default (memory_profiler 0.61): 8.9 MiB above still samples (helper h355). So
 * does a temporary the caller holds through every call (100 MiB over 21.7: h358), which the .dat cannot
 * tell from it: said, and the calls still weighed (a gate fails rather than passes). A point is judged
 * where the samples on either side of it are within 0.1 MiB of each other.
 */
export function funcOffsetMiB(r: Pick<MemorySeries, 'samples' | 'functions'>): number | null {
  const { t, mib } = r.samples;
  let least = Infinity;
  for (const f of r.functions) {
    for (const [at, v] of [
      [f.tStart, f.memStartMiB],
      [f.tEnd, f.memEndMiB],
    ] as const) {
      // The last sample at or before `at` (samples are in time order).
      let [lo, hi] = [0, t.length - 1];
      if (!(t[0]! <= at && at < t[hi]!)) continue;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (t[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      const [a, b] = [mib[lo]!, mib[lo + 1]!];
      if (Math.abs(a - b) <= 0.1) least = Math.min(least, v - Math.max(a, b));
    }
  }
  return Number.isFinite(least) && least >= 1 ? least : null;
}

export interface MemoryRuns {
  readonly kind: 'memory-runs';
  readonly source: SourceInfo;
  readonly runs: readonly MemorySeries[];
  readonly warnings: readonly string[];
}

/** How a run is named in every output: the file, and which run when the file holds several. */
export function runLabel(file: string, run: RunOf | null): string {
  return run ? `${file} (run ${run.index} of ${run.count})` : file;
}

/**
 * Growable (t, value) columns for importers, in fixed blocks: growing never copies, so a series of
 * n samples needs its 16n bytes twice at most (the blocks, then the final arrays). With `expected`
 * samples (a hint), the first block holds them all, and a series that fits is its block, not a copy
 * (room never written is never mapped: on this project's VM each page mapped costs ~10 us).
 */
export class SampleBuilder {
  constructor(private readonly expected = 0) {}

  private static readonly BLOCK = 1 << 16;
  // Blocks grow from 16 samples to BLOCK: a run's main series takes 64K-sample blocks, while each of
  // thousands of short-lived children (a pool replacing its workers) takes a few bytes, not 1 MiB
  // (15,000 children took 4 GB).
  private readonly blocks: { t: Float64Array; v: Float64Array }[] = [];
  private size = 0; // the last block's
  private fill = 0;
  length = 0;
  /** The time of the last sample (-Infinity: none yet). */
  lastT = Number.NEGATIVE_INFINITY;
  /** The input line of the first sample whose time is before the one before it; 0: none. */
  backLine = 0;
  /** The input line of the first sample; 0: none, or not known. */
  firstLine = 0;
  /** How many samples have the time of the one before them. */
  repeats = 0;

  /** A sample; `line`, the input line it is on, is kept for the first, and the first that goes back in time. */
  push(t: number, v: number, line = 0): void {
    if (this.length === 0) this.firstLine = line;
    if (t < this.lastT && this.backLine === 0) this.backLine = line || -1;
    if (t === this.lastT) this.repeats++;
    this.lastT = t;
    if (this.fill === this.size) this.grow();
    const b = this.blocks[this.blocks.length - 1]!;
    b.t[this.fill] = t;
    b.v[this.fill++] = v;
    this.length++;
  }

  /**
   * `n` samples at once, t[k] and v[k] on input line `line + k`, of which the first to go back in time
   * is the `back`-th (-1: none) and `repeats` have the time of the one before them.
   */
  pushRun(t: Float64Array, v: Float64Array, n: number, line: number, back: number, repeats: number): void {
    if (n <= 0) return;
    if (this.length === 0) this.firstLine = line;
    if (back >= 0 && this.backLine === 0) this.backLine = line + back;
    this.repeats += repeats;
    this.lastT = t[n - 1]!;
    for (let k = 0; k < n; ) {
      if (this.fill === this.size) this.grow();
      const b = this.blocks[this.blocks.length - 1]!;
      const take = Math.min(n - k, this.size - this.fill);
      b.t.set(t.subarray(k, k + take), this.fill);
      b.v.set(v.subarray(k, k + take), this.fill);
      this.fill += take;
      this.length += take;
      k += take;
    }
  }

  private grow(): void {
    this.size =
      this.blocks.length === 0 && this.expected > 16
        ? this.expected
        : Math.min(SampleBuilder.BLOCK, Math.max(16, this.size * 2));
    this.blocks.push({ t: new Float64Array(this.size), v: new Float64Array(this.size) });
    this.fill = 0;
  }

  finish(): Samples {
    if (this.blocks.length === 1) {
      const [b] = this.blocks.splice(0, 1);
      return { t: b!.t.subarray(0, this.length), mib: b!.v.subarray(0, this.length) };
    }
    const t = new Float64Array(this.length);
    const mib = new Float64Array(this.length);
    let at = 0;
    for (const b of this.blocks) {
      const n = Math.min(b.t.length, this.length - at);
      t.set(b.t.subarray(0, n), at);
      mib.set(b.v.subarray(0, n), at);
      at += n;
    }
    this.blocks.length = 0;
    return { t, mib };
  }
}
