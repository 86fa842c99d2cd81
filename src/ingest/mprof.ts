// Importer for `mprof run` .dat files (memory_profiler): MEM, CMDLINE, FUNC and CHLD lines, in any
// order within a run (FUNC lines are appended by the profiled child at exit). `mprof run -o` onto an
// existing file appends another run, which starts with its own CMDLINE line and restarts time and
// memory: each run is read as a series of its own, with the FUNC lines of its time (ownRuns). mprof writes every line with its '\n': a last line
// without one was cut off (lines.ts, textEnd), unless it is a sample with every digit mprof writes.

import {
  callsAboveSamples,
  childrenPerSample,
  type FunctionSpan,
  funcOffsetMiB,
  type MemoryRuns,
  type MemorySeries,
  SampleBuilder,
  type Samples,
} from '../model/memory-series.js';
import { InputError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import type { Importer, ReadOptions } from './importer.js';
import { type FastLines, forEachByteLine, headLines, textEnd } from './lines.js';
import { type MemLineReader, MemLines } from './mem-lines.js';
import { type InputStream, markUnended } from './open-input.js';

const FORMAT = 'mprof';

const FIELD = /^(MEM|CMDLINE|FUNC|CHLD) /;
// A FUNC line's figures (memory, time, memory, time) or another line's field inside a call's name.
const GLUED_LINE = /(?:^|\s)-?[\d.]+ \d{9,}\.\d+ -?[\d.]+ \d{9,}\.\d+(?:\s|$)|\d(?:MEM|FUNC|CHLD|CMDLINE)\b/;
/** What a run's MEM looks like when its children came and went in it while the rest stayed level. */
export const COUNTS_CHILDREN = "its MEM rose and fell by its children's (CHLD) as they came and went";
/** The warning that MEM may count the children: a run folder that records it takes it back. */
export const MAY_COUNT_CHILDREN = "its MEM samples hold and follow its children's (CHLD)";
const FIELDS = ['MEM', 'CMDLINE', 'FUNC', 'CHLD'];
// A MEM or CHLD line as mprof writes it, every digit there: whole even as a last line without its end.
const WHOLE_SAMPLE = /^(MEM|CHLD \d+) \d+\.\d{6} \d+\.\d{4}$/;
// The figures of a MEM or CHLD sample after a field: two or three numbers.
const SAMPLE_FIGURES = /^ *(?:-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)? +){1,2}-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)? *$/;

/** A sample line damaged ('mem 1.0 2.0', 'MEN …'): one of mprof's fields, nearly, before a sample's figures. */
function damagedSample(line: string): boolean {
  const sp = line.indexOf(' ');
  const field = line.slice(0, sp).toUpperCase();
  return sp > 0 && (FIELDS.includes(field) || nearField(field)) && SAMPLE_FIGURES.test(line.slice(sp + 1));
}

/** A field one letter away from one of mprof's (a letter changed, added or left out). */
function nearField(field: string): boolean {
  return FIELDS.some((f) => {
    if (Math.abs(f.length - field.length) > 1) return false;
    let [i, j, edits] = [0, 0, 0];
    while (i < f.length && j < field.length) {
      if (f[i] === field[j]) [i, j] = [i + 1, j + 1];
      else {
        if (++edits > 1) return false;
        if (f.length > field.length) i++;
        else if (f.length < field.length) j++;
        else [i, j] = [i + 1, j + 1];
      }
    }
    return edits + (f.length - i) + (field.length - j) <= 1;
  });
}
// One of mprof's lines with tabs for its spaces (an editor's, a spreadsheet's): no command line's.
const TABBED = /^(MEM|FUNC|CHLD)\t/;
// A MEM line as mprof writes it: `MEM <MiB> <time>`. A note that starts with the word (`MEM usage
// notes`, in a folder of captures) is no mprof file.
const MEM_LINE = /^MEM +-?[\d.]+(?:[eE][-+]?\d+)? +-?[\d.]+(?:[eE][-+]?\d+)?\s*$/;

// memory_profiler 0.25-0.27's `mprofile` wrote one figure per line, the MiB of each sample (str() of a
// float: a point always), taken every 0.5 s, and no times; 0.28 on write MEM lines. Read only when
// asked (--input-format mprof): any column of numbers looks the same (a time.time() sidecar read as a
// peak of 1.7 million GiB, and a gate passed).
const BARE = /^\d+\.\d+(?:[eE][-+]?\d+)?$/;
const BARE_INTERVAL = 0.5;

function sniffMprof(head: Buffer): boolean {
  // A UTF-8 byte order mark, as an editor on Windows saves the file, is no part of the line.
  // Notes before the first field, which mprof passes over as it reads ('# my notes', 'NOTE …': a line
  // whose first word is none of its fields): a file noted on its first line was skipped in a folder,
  // and a gate passed without its leaking run.
  const lines = headLines(head, 20).map((l) => l.replace(/^\uFEFF/, ''));
  let notes = 0;
  const first = lines.find((l) => {
    if (l.trim() === '' || FIELD.test(l)) return l.trim() !== '';
    if (/^(?:#|[A-Z][A-Z_]*(?:\s|$))/.test(l) && notes < 5) notes++;
    else return true;
    return false;
  });
  return first !== undefined && FIELD.test(first) && (!first.startsWith('MEM ') || MEM_LINE.test(first));
}

function num(s: string | undefined): number {
  // Number('') is 0 and Number(' 1') is 1: only plain decimal numbers count here; '1e999' is no number either.
  const v = s !== undefined && /^-?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
  return Number.isFinite(v) ? v : NaN;
}

// time.time() seconds as far as a Date goes (±8.64e15 ms): a time beyond is no time mprof wrote. Nor
// is one past the year 5138 (1e11 s): milliseconds since the epoch, written by hand or by another
// tool, read as seconds made a 4 s run span 69 minutes and its leak's rate 1000 times too slow (h300).
const MAX_TIME = 8.64e12;
const LATEST_SECONDS = 1e11;
const timeOk = (t: number): boolean => t >= -MAX_TIME && t < LATEST_SECONDS;

// Where the last decimalAt stopped (a module variable: no allocation per number).
let decimalEnd = 0;

// A plain decimal ('-12.345678') read from bytes up to the byte `stop`; NaN for anything else (or
// a rarer form, which the string path then reads), or when `stop` is not found before `end`.
// `lead`: a digit must come before the point, as num() requires. With at most 15 digits the value
// v / 10^k of two exact doubles is rounded once, so it equals what Number() and Python's float() give.
function decimalAt(buf: Uint8Array, i: number, end: number, stop: number, lead: boolean): number {
  const neg = i < end && buf[i] === 0x2d;
  if (neg) i++;
  let v = 0;
  let digits = 0;
  let frac = -1;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === stop) break;
    const d = c - 0x30;
    if (d >= 0 && d <= 9) {
      v = v * 10 + d;
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 0x2e && frac < 0 && (digits > 0 || !lead)) frac = 0;
    else return NaN;
  }
  decimalEnd = i;
  if (i >= end || digits === 0 || digits > 15) return NaN;
  const r = frac > 0 ? v / POW10[frac]! : v;
  return neg ? -r : r;
}
// A table, not 10 ** k: V8 evaluates ** through a slow path, which made this loop 4x slower.
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * Runs of 'MEM <MiB> <time>\n' and 'CHLD <pid> <MiB> <time>\n' lines, nearly all of a .dat, read in
 * one pass over their bytes: MEM lines by the WebAssembly reader (mem-lines.ts), CHLD lines here with
 * what the string path takes (num(): a digit before the point), and only a pid of plain digits.
 */
function sampleLines(run: () => RunBuilder, linesBefore: () => number, reader: MemLineReader): FastLines {
  let taken = 0;
  const scan = (buf: Uint8Array, i: number, end: number): number => {
    const base = linesBefore() + 1;
    let lines = 0;
    for (;;) {
      if (i + 4 >= end) break; // no whole line fits: the string path takes what is left
      const c0 = buf[i];
      if (c0 === 0x43) {
        const next = chldLine(buf, i, end, run(), base + lines);
        if (next < 0) break;
        lines++;
        i = next;
        continue;
      }
      if (c0 !== 0x4d) break;
      const samples = run().main;
      const r = reader.scan(i, end, samples.lastT);
      if (r.n === 0 || r.stop <= i) break;
      samples.pushRun(r.t, r.mib, r.n, base + lines, r.back, r.repeats);
      lines += r.n;
      i = r.stop;
    }
    taken = lines;
    return i;
  };
  return { chunk: (buf) => reader.chunk(buf), scan, taken: () => taken };
}

function chldLine(buf: Uint8Array, i: number, end: number, run: RunBuilder, line: number): number {
  if (buf[i + 1] !== 0x48 || buf[i + 2] !== 0x4c || buf[i + 3] !== 0x44 || buf[i + 4] !== 0x20) return -1;
  let p = i + 5;
  let pid = 0;
  let digits = 0;
  for (; p < end && digits <= 15; p++) {
    const d = buf[p]! - 0x30;
    if (d < 0 || d > 9) break;
    pid = pid * 10 + d;
    digits++;
  }
  if (digits === 0 || digits > 15 || p >= end || buf[p] !== 0x20) return -1;
  const mib = decimalAt(buf, p + 1, end, 0x20, true);
  if (Number.isNaN(mib) || !mibOk(mib) || mib === NONE_MEASURED) return -1;
  const t = decimalAt(buf, decimalEnd + 1, end, 0x0a, true);
  if (!timeOk(t)) return -1;
  run.child(pid).push(t, mib, line);
  return decimalEnd + 1;
}

// Samples are held whole (24 bytes each, and twice that while an array grows): a bound on memory,
// whatever a file or a small gzip of it says (3 GB of lines took 7.9 GB).
const MAX_LINES = 1 << 23;
// Child processes judged one by one; more are read as their total.
const MAX_CHILDREN = 20_000;

const EXPECT: Record<string, string> = {
  MEM: 'MEM <MiB> <time>',
  FUNC: 'FUNC <name> <MiB at start> <start time> <MiB at end> <end time> [<stack level>]',
  CHLD: 'CHLD <pid> <MiB> <time>',
};

// A line that is not what its field says, and why (when it is not its shape).
interface Bad {
  readonly no: number;
  readonly line: string;
  readonly field: string;
  readonly why: string | undefined;
}

const beyond = (time: string): string => {
  const t = Number(time);
  return t >= LATEST_SECONDS && t <= MAX_TIME
    ? `the time ${quoted(time, 24)} is in the year ${new Date(t * 1000).getUTCFullYear()} as seconds since the ` +
        'epoch, which mprof writes (time.time()): milliseconds?'
    : `the time ${quoted(time, 24)} is beyond what a date holds (±${MAX_TIME.toExponential()} s from 1970)`;
};

// Memory in MiB as a process can hold it, up to 2^53 bytes (a sample of 1e308 MiB printed a peak of
// "Infinity GiB"), or -1: memory_profiler's posix backend writes -1 when `ps` measured nothing.
const MAX_MIB = 2 ** 33;
const NONE_MEASURED = -1;
const mibOk = (mib: number): boolean => mib >= NONE_MEASURED && mib <= MAX_MIB;
const notMemory = (mib: string): string =>
  `the memory ${quoted(mib, 24)} MiB is not a process's (0 to 2^53 bytes, ${MAX_MIB} MiB, or -1 for none measured)`;

// One run as it is read.
class RunBuilder {
  readonly main: SampleBuilder;
  readonly children = new Map<number, SampleBuilder>();
  /** The time of the first sample of -1 (none measured), which is left out. */
  noneMeasuredFrom = Number.POSITIVE_INFINITY;
  /** `expected`: the samples the main series may hold (SampleBuilder's hint). */
  constructor(
    public cmdline: string | null,
    expected = 0,
  ) {
    this.main = new SampleBuilder(expected);
  }

  /** No samples yet (FUNC lines alone do not make a run: a child may write them before its run's samples). */
  get empty(): boolean {
    return this.main.length === 0 && this.children.size === 0 && this.many === null;
  }

  /**
   * Every child's samples in one, once there are more than MAX_CHILDREN children (a pool replacing
   * its workers all run long): one builder each took minutes and gigabytes. Read as their total.
   */
  many: SampleBuilder | null = null;

  child(pid: number): SampleBuilder {
    if (this.many) return this.many;
    let c = this.children.get(pid);
    if (!c) {
      if (this.children.size >= MAX_CHILDREN) return this.manyFromNow();
      c = new SampleBuilder();
      this.children.set(pid, c);
    }
    return c;
  }

  private manyFromNow(): SampleBuilder {
    const all: [number, number][] = [];
    for (const b of this.children.values()) {
      const { t, mib } = b.finish();
      for (let i = 0; i < t.length; i++) all.push([t[i]!, mib[i]!]);
    }
    all.sort((a, b) => a[0] - b[0]);
    this.many = new SampleBuilder();
    for (const [t, v] of all) this.many.push(t, v);
    this.children.clear();
    return this.many;
  }
}

/** Per MEM sample, the sum of the samples (of any child) written in its round (childrenPerSample's rounds). */
function roundSums(t: Float64Array, all: Samples): Float64Array {
  const sum = new Float64Array(t.length);
  const slack = 0.0015;
  let i = -1;
  for (let j = 0; j < all.t.length; j++) {
    while (i + 1 < t.length && t[i + 1]! - slack <= all.t[j]!) i++;
    if (i >= 0) sum[i] = sum[i]! + all.mib[j]!;
  }
  return sum;
}

/**
 * The run each FUNC line belongs to, by index in `runs` (-1: none). The profiled child writes its FUNC
 * lines at its exit, straight to the file, while mprof's CMDLINE and MEM lines wait in its buffer: in
 * a file of appended runs (mprof run -o), a run's calls can come before its CMDLINE, after the
 * previous run's samples. So a call belongs to the run that had started when the call did (the
 * latest first sample at or before it); where none had, to the run it follows in the file.
 */
function ownRuns(
  runs: readonly {
    readonly samples: Samples;
    readonly children: ReadonlyMap<number, Samples>;
    /** The first sample of -1 (none measured: left out), which still says the run had started. */
    readonly noneMeasuredFrom: number;
  }[],
  calls: readonly { readonly t: number; readonly follows: number }[],
): number[] {
  if (runs.length < 2) return calls.map((c) => c.follows);
  const starts = runs.map((r) =>
    Math.min(
      r.samples.t[0] ?? Infinity,
      r.noneMeasuredFrom,
      ...[...r.children.values()].map((c) => c.t[0] ?? Infinity),
    ),
  );
  return calls.map(({ t, follows }) => {
    let owner = follows;
    let latest = -Infinity;
    starts.forEach((s, i) => {
      if (s <= t && s > latest) {
        latest = s;
        owner = i;
      }
    });
    return owner;
  });
}

// No process's memory grows a hundred thousand times and back within two samples, to a tebibyte or
// more: a figure that did lost a byte ('MEM 45910156 …' for 45.910156: its point gone, a peak of 43 TiB,
// exit 0; h280). (A child's first sample can be a few KiB, at its exec.)
const DAMAGED_RISE = 1e5;
const DAMAGED_MIB = 1024 * 1024;

/**
 * The samples without one a hundred thousand times both samples beside it (the one beside it at either
 * end), a tebibyte or more: a damaged figure, an error naming it; with --lenient left out, with a warning.
 */
function withoutDamaged(s: Samples, label: string, what: string, lenient: boolean, warnings: string[]): Samples {
  const { t, mib } = s;
  const damaged: number[] = [];
  for (let i = 0; i < mib.length; i++) {
    if (mib[i]! < DAMAGED_MIB) continue; // (nearly every sample: a loop that allocates nothing)
    const beside = Math.max(i > 0 ? mib[i - 1]! : 0, i + 1 < mib.length ? mib[i + 1]! : 0);
    if (beside > 0 && mib[i]! >= DAMAGED_RISE * beside) damaged.push(i);
  }
  if (!damaged.length) return s;
  const i = damaged[0]!;
  // (Its line is not kept: its time, as mprof writes it, finds it.)
  const at = `${what} sample ${i + 1} of the run, at "${t[i]!.toFixed(4)}"`;
  const why = `${mib[i]} MiB, a hundred thousand times the samples beside it: a byte of its figure lost?`;
  if (!lenient) throw new InputError(label, at, `${why} --lenient leaves it out`);
  const left = damaged.length > 1 ? `${damaged.length} samples left out, the first ${at}` : `${at} left out`;
  warnings.push(`${label}: ${left} (${why}) (--lenient)`);
  const keep = (_: number, k: number): boolean => !damaged.includes(k);
  return { t: t.filter(keep), mib: mib.filter(keep) };
}

/**
 * A sample whose time is a thousand usual steps or more from the samples on both sides of it, while
 * they are a few steps apart (or, at an end, over 30 days and ten thousand steps from the next): a
 * digit of its time lost or added (1796670972 read as 179670972, 51 years back). It was read as lines
 * moved and sorted, and the run said to span 51 years (h347). An error; --lenient leaves it out.
 */
function withoutDamagedTime(s: Samples, label: string, what: string, lenient: boolean, warnings: string[]): Samples {
  const { t, mib } = s;
  const n = t.length;
  if (n < 3) return s;
  const steps: number[] = [];
  for (let i = 1; i < n; i += Math.max(1, Math.floor(n / 1000))) steps.push(Math.abs(t[i]! - t[i - 1]!));
  const usual = steps.sort((a, b) => a - b)[steps.length >> 1]!;
  if (!(usual > 0)) return s;
  const far = (i: number, j: number, k: number): boolean => Math.abs(t[i]! - t[j]!) > k * usual;
  const damaged: number[] = [];
  for (let i = 0; i < n; i++) {
    const off =
      i === 0 || i === n - 1
        ? far(i, i === 0 ? 1 : n - 2, 1e4) && Math.abs(t[i]! - t[i === 0 ? 1 : n - 2]!) > 30 * 86400
        : far(i, i - 1, 1000) && far(i, i + 1, 1000) && !far(i - 1, i + 1, 10);
    if (off) damaged.push(i);
  }
  if (!damaged.length) return s;
  const i = damaged[0]!;
  const at = `${what} sample ${i + 1} of the run, at "${t[i]!.toFixed(4)}"`;
  const beside = t[i === 0 ? 1 : i - 1]!;
  const why = `its time is ${Math.abs(t[i]! - beside).toExponential(2)} s from the samples beside it, ${usual.toPrecision(2)} s apart: a digit of it lost or added?`;
  if (!lenient) throw new InputError(label, at, `${why} --lenient leaves it out`);
  const left = damaged.length > 1 ? `${damaged.length} samples left out, the first ${at}` : `${at} left out`;
  warnings.push(`${label}: ${left} (${why}) (--lenient)`);
  const keep = (_: number, k: number): boolean => !damaged.includes(k);
  return { t: t.filter(keep), mib: mib.filter(keep) };
}

/**
 * Times that go back: a clock step (mprof stamps samples with time.time(), which NTP or a user can set
 * back) at a few steps is repaired in place, each later sample moved to follow the one before by the
 * usual interval, with a warning; more than a tenth of the steps going back is not a recording in
 * order, and an error. Left as they were, a leak after a step back of an hour read as 'stable' over
 * -3597 s.
 */
function steadyClock(s: Samples, line: number, label: string, what: string, warnings: string[]): void {
  const t = s.t;
  const back: number[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! < t[i - 1]!) back.push(i);
  if (!back.length) return;
  const first = back[0]!;
  // To 0.1 s, or to mprof's 0.1 ms when that would show no step ("1796210000.0 then 1796210000.0").
  const digits = t[first - 1]!.toFixed(1) === t[first]!.toFixed(1) ? 4 : 1;
  const printFixed = (x: number): string => x.toFixed(digits);
  const fell = `${printFixed(t[first - 1]!)} then ${printFixed(t[first]!)}`;
  // Samples that repeat earlier ones, times and memory alike, are no clock change but the samples
  // written twice (a log appended to itself, a copy pasted in): repaired as a step back, a leak's
  // samples read twice over read 'stable', and the gate passed it.
  const again = repeated(s, first);
  if (again) {
    throw new InputError(
      label,
      `line ${line}`,
      `its ${what} samples from here (${fell}) repeat ${again} samples before them, times and memory alike: ` +
        'the samples written twice (a file appended to itself, a copy pasted in)? Give the file as mprof wrote it',
    );
  }
  if (linesMoved(s)) {
    warnings.push(
      `${label}: its ${what} samples are out of the order of their times at ${back.length} step(s), the first at line ${line} ` +
        `(${fell}); in the order of their times they follow each other by the usual interval, none twice: lines moved or ` +
        'sorted in the file, read in the order of their times',
    );
    return;
  }
  // One step back is a clock change, in a run of any length; many are no recording in order.
  if (back.length > 1 && back.length * 10 > t.length - 1) {
    throw new InputError(
      label,
      `line ${line}`,
      `the times of its ${what} samples go back at ${back.length} of ${t.length - 1} steps, the first here ` +
        `(${fell}): not one mprof recording in order`,
    );
  }
  const ahead: number[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) ahead.push(t[i]! - t[i - 1]!);
  ahead.sort((a, b) => a - b);
  const usual = ahead.length ? ahead[ahead.length >> 1]! : 0;
  let shift = 0;
  const stepBack = t[first - 1]! - t[first]!;
  for (let i = 1; i < t.length; i++) {
    const raw = t[i]! + shift;
    if (raw < t[i - 1]!) shift += t[i - 1]! - raw + usual;
    t[i] = t[i]! + shift;
  }
  warnings.push(
    `${label}: the clock of its ${what} samples goes back ${back.length === 1 ? 'once' : `${back.length} times`} ` +
      `(first at line ${line}: ${fell}, ${printFixed(stepBack)} s back: a clock change?); ` +
      'the samples after are taken to follow the one before by the usual interval',
  );
}

/**
 * Whether samples out of time order are lines moved or sorted in the file (a block pasted at the end,
 * `sort` of the file): in the order of their times they follow each other as the recording's steps
 * forward do, none closer than half the usual interval (a clock set back overlaps the times before
 * it: two samples an interval), and no gap wider than the widest step forward (a clock set back past
 * the start, or runs appended newest first, leave one between their parts). Then they are put in
 * that order, in place. (A leak's lines moved read as memory released, and the gate passed it: h230.)
 */
function linesMoved(s: Samples): boolean {
  const { t, mib } = s;
  const n = t.length;
  const ahead: number[] = [];
  let widest = 0; // (not Math.max(...ahead): a million arguments overflow the stack)
  for (let i = 1; i < n; i++) {
    if (t[i]! > t[i - 1]!) ahead.push(t[i]! - t[i - 1]!);
    if (t[i]! - t[i - 1]! > widest) widest = t[i]! - t[i - 1]!;
  }
  if (ahead.length < 2) return false;
  ahead.sort((a, b) => a - b);
  const usual = ahead[ahead.length >> 1]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  let close = 0;
  for (let k = 1; k < n; k++) {
    const step = t[order[k]!]! - t[order[k - 1]!]!;
    // The step a moved line leaves out of the file's own forward steps may be the widest one (mprof's
    // closing 0 MiB sample of a child sorted first, 0.3 ms wider than the rest: read as a clock set back
    // 5 s, the child moved past the run, its peak with children 85 MiB for 115: 0.3% of an interval): the
    // sampler's jitter is allowed, no more (a clock set back by the run's span and 1.03 to 1.3 intervals
    // leaves a step that much wider than the widest: read as sorted lines, a leak was "released", h312, h313).
    if (step > widest + 0.01 * usual) return false;
    if (step < usual / 2) close++;
  }
  // As many close steps as the recording's own forward steps have (a sampler's hiccup), and no more.
  const ownClose = ahead.findIndex((d) => d >= usual / 2);
  if (close > Math.max(1, ownClose, Math.ceil(0.01 * n))) return false;
  const [ts, ms] = [order.map((i) => t[i]!), order.map((i) => mib[i]!)];
  t.set(ts);
  mib.set(ms);
  return true;
}

/**
 * How many samples from `at` on repeat, times and memory alike, those from an earlier sample with
 * the same time on (3 or more, or all that are left); 0 when they do not.
 */
function repeated(s: Samples, at: number): number {
  const { t, mib } = s;
  const n = t.length;
  for (let j = 0; j < at; j++) {
    if (t[j] !== t[at] || mib[j] !== mib[at]) continue;
    let k = 0;
    while (at + k < n && j + k < at && t[at + k] === t[j + k] && mib[at + k] === mib[j + k]) k++;
    if (k >= Math.min(3, n - at)) return k;
  }
  return 0;
}

/**
 * Times rounded (a spreadsheet keeps 6 digits, `1.79613E+09`; a script cut them to the second): mprof
 * writes each to 0.1 ms, so most samples sharing their time with the one before were rounded. Each run
 * of one time is spread evenly up to the next time, as mprof sampled them, with a warning (left
 * alike, a leak over 1 s rounded to the second read 'stable'); all at one time tell no time: an error.
 */
function spreadRepeats(s: Samples, line: number, label: string, what: string, warnings: string[]): void {
  const t = s.t;
  let repeats = 0;
  for (let i = 1; i < t.length; i++) if (t[i] === t[i - 1]) repeats++;
  if (t.length < 3 || repeats * 2 < t.length - 1) return;
  if (t[0] === t[t.length - 1]) {
    throw new InputError(
      label,
      `line ${line || 1}`,
      `its ${t.length} ${what} samples are all at one time (${t[0]}): times rounded (a spreadsheet keeps ` +
        '6 digits)? mprof writes them to 0.1 ms; give the file mprof wrote',
    );
  }
  let step = 0;
  for (let a = 0; a < t.length; ) {
    let b = a + 1;
    while (b < t.length && t[b] === t[a]) b++;
    // The last run of one time goes on by the step of the run before it.
    if (b < t.length) step = (t[b]! - t[a]!) / (b - a);
    for (let i = a + 1; i < b; i++) t[i] = t[a]! + (i - a) * step;
    a = b;
  }
  warnings.push(
    `${label}: ${repeats} of its ${t.length} ${what} samples have the time of the one before (rounded times?): ` +
      'each run of one time is spread evenly up to the next, as mprof samples at a steady interval',
  );
}

async function readMprof(input: InputStream, opts: ReadOptions): Promise<MemorySeries | MemoryRuns> {
  const runs: RunBuilder[] = [];
  // The first run's samples, if the file is all MEM lines (~30 bytes each as mprof writes them).
  let run = new RunBuilder(null, input.size ? Math.min(Math.ceil(input.size / 24), MAX_LINES) : 0);
  const warnings: string[] = [];
  let skipped = 0;
  let firstSkipped = 0;
  // Lines mprof passes over too (a field it does not write, a '#' note), the first of them.
  let passedOver = 0;
  let firstPassedOver = { no: 0, line: '' };
  let noneMeasured = 0;
  let no = 0; // the line being handled
  let lines = 0; // lines seen so far, by either path
  let bad: Bad | null = null;
  const fast = sampleLines(
    () => run,
    () => lines,
    new MemLines(),
  );
  // FUNC lines, and the run each follows in the file (see ownRuns).
  const calls: { readonly span: FunctionSpan; readonly follows: RunBuilder }[] = [];
  // The line a CMDLINE (or the last line of one) is on: mprof writes an argument holding a newline
  // as it is, so a line right after it that is no field of mprof's is more of the command line.
  let cmdlineAt = -1;
  // The lines read so: said, as a command wrapped when copied keeps its breaks so.
  const cmdlineGoesOn: number[] = [];
  let cmdlineBlanks = 0; // blank lines since it, an argument's own ('one\n\ntwo') when more of it follows

  // A file of 0.25-0.27's figures alone (BARE), known at its first line.
  let bare: boolean | undefined;
  const handle = (text: string): void => {
    // A byte order mark starts no field; spaces at the end of a line (an editor's) end none.
    const line = no === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (line.trim() === '') {
      // mprof passes over a line of spaces too; right after a CMDLINE it may be the command's own.
      if (cmdlineAt === no - 1) [cmdlineAt, cmdlineBlanks] = [no, cmdlineBlanks + 1];
      return;
    }
    bare ??= BARE.test(line.trim());
    if (bare) {
      const mib = Number(line.trim());
      if (!BARE.test(line.trim())) {
        const found = quoted(line, 60);
        bad = {
          no,
          line,
          field: '',
          why: `expected one MiB figure (memory_profiler 0.25-0.27's lines), found ${found}`,
        };
      } else if (!mibOk(mib)) bad = { no, line, field: '', why: notMemory(line.trim()) };
      else run.main.push(run.main.length * BARE_INTERVAL, mib, no);
      return;
    }
    if (TABBED.test(line)) {
      bad = { no, line, field: '', why: `fields separated by tabs (${quoted(line, 40)}): mprof writes single spaces` };
      return;
    }
    const sp = line.indexOf(' ');
    const field = sp < 0 ? line : line.slice(0, sp);
    const parts = line.trimEnd().split(' ');
    let ok = true;
    let why: string | undefined;
    if (field === 'MEM') {
      const [mib, t] = [num(parts[1]), num(parts[2])];
      ok = parts.length === 3 && !Number.isNaN(mib) && !Number.isNaN(t);
      why = ok && !timeOk(t) ? beyond(parts[2]!) : ok && !mibOk(mib) ? notMemory(parts[1]!) : undefined;
      if (ok && !why && mib === NONE_MEASURED) {
        noneMeasured++;
        run.noneMeasuredFrom = Math.min(run.noneMeasuredFrom, t);
      } else if (ok && !why) run.main.push(t, mib, no);
    } else if (field === 'CMDLINE') {
      // A CMDLINE after a run's samples starts the next run (mprof run -o appends). mprof starts every
      // run with its CMDLINE: CHLD lines before the first are that run's, the file's lines sorted by
      // their field (a spreadsheet's sort by column A put them first, and the children were a run of
      // their own, left out of the gate's peak).
      const cmd = line.slice(sp + 1).trimEnd();
      const prelude = runs.length === 0 && run.cmdline === null && run.main.length === 0;
      // mprof writes a MEM line at every round, -1 when it measured nothing: a run of CHLD lines alone
      // before the next CMDLINE is the file's lines out of mprof's order (sorted by field, two runs:
      // every child went to the first run, every sample to the second).
      if (!prelude && !run.empty && run.main.length === 0 && run.noneMeasuredFrom === Infinity) {
        throw new InputError(
          input.label,
          `line ${no}`,
          "a CMDLINE after a run of CHLD lines with no MEM line: mprof writes a MEM line at every round, so the file's " +
            'lines are not in the order mprof wrote them (sorted?), and its runs cannot be told apart',
        );
      }
      if (!run.empty && !prelude) {
        runs.push(run);
        run = new RunBuilder(cmd);
      } else run.cmdline = cmd;
      [cmdlineAt, cmdlineBlanks] = [no, 0];
    } else if (cmdlineAt === no - 1 && !FIELD.test(line) && !damagedSample(line)) {
      run.cmdline = `${run.cmdline ?? ''}${'\n'.repeat(cmdlineBlanks + 1)}${line}`;
      [cmdlineAt, cmdlineBlanks] = [no, 0];
      cmdlineGoesOn.push(no);
    } else if (field === 'FUNC') {
      // Read from the right: a name may hold spaces (`with profile.timestamp("load data")` writes
      // "FUNC .load data ..."). The stack level, when written (0.56 on), is a whole number; the
      // times have a decimal point.
      const leveled = parts.length >= 7 && /^\d+$/.test(parts[parts.length - 1]!);
      const at = parts.length - (leveled ? 5 : 4);
      const v = parts.slice(at, at + 4).map(num);
      const level = leveled ? num(parts[parts.length - 1]) : null;
      ok = at >= 2 && v.every((x) => !Number.isNaN(x)) && (level === null || Number.isSafeInteger(level));
      // Its memory as a MEM line's (an edited end of 1e308 MiB read "returned holding up to +1e+308 MiB").
      const memory = [0, 2].find((k) => !mibOk(v[k]!));
      // A name holding another line's figures or field: two lines glued where a line end was lost (read
      // as one call of a name made of both, the other call lost; mprof itself refuses it: h363 F3).
      const glued = ok && GLUED_LINE.test(parts.slice(1, at).join(' '));
      why = glued
        ? `two lines glued on one (${quoted(line, 80)}): a line end lost between them?`
        : ok && !timeOk(v[1]!)
          ? beyond(parts[at + 1]!)
          : ok && !timeOk(v[3]!)
            ? beyond(parts[at + 3]!)
            : ok && memory !== undefined
              ? notMemory(parts[at + memory]!)
              : undefined;
      if (ok && !why) {
        const name = parts.slice(1, at).join(' ');
        const span = { name, memStartMiB: v[0]!, tStart: v[1]!, memEndMiB: v[2]!, tEnd: v[3]!, level };
        calls.push({ span, follows: run });
      }
    } else if (field === 'CHLD') {
      const [pid, mib, t] = [num(parts[1]), num(parts[2]), num(parts[3])];
      ok = parts.length === 4 && Number.isSafeInteger(pid) && !Number.isNaN(mib) && !Number.isNaN(t);
      // memory_profiler measures children with psutil alone, which never gives -1: a -1 here is no
      // child's sample (left out, a child numbered by its place would take the next one's).
      why =
        ok && !timeOk(t)
          ? beyond(parts[3]!)
          : ok && (!mibOk(mib) || mib === NONE_MEASURED)
            ? `${notMemory(parts[2]!)}; -1 is the main process's only`
            : undefined;
      if (ok && !why) run.child(pid).push(t, mib, no);
    } else if (line.startsWith('#')) {
      // A note written in by hand: mprof passes over any line it has no field for; said once below.
      if (!passedOver++) firstPassedOver = { no, line };
    } else {
      // mprof itself ignores fields it does not know; one a letter away from its own, or holding a
      // sample's figures, is one of its lines damaged ('MEN 99.5 …' dropped the peak, and a gate passed).
      ok = /^[A-Z_]+$/.test(field) && !nearField(field) && !SAMPLE_FIGURES.test(line.slice(sp + 1));
      if (!ok && /^[A-Z_]+$/.test(field))
        why = `an unknown field ${quoted(line, 60)}: a damaged MEM, CHLD, FUNC or CMDLINE line?`;
      if (ok && !passedOver++) firstPassedOver = { no, line };
    }
    if (!ok || why) bad = { no, line, field, why };
  };

  const read = await forEachByteLine(
    input,
    (buf, s, e) => {
      no = lines + 1;
      lines++;
      if (lines > MAX_LINES) tooMany(lines);
      handle(buf.toString('utf8', s, e));
      if (bad) reject(bad);
    },
    {
      chunk: fast.chunk,
      scan: (buf, i, end) => {
        const next = fast.scan(buf, i, end);
        lines += fast.taken();
        if (lines > MAX_LINES) tooMany(lines);
        return next;
      },
      taken: fast.taken,
    },
  );
  no = read.lines;
  // A last sample without its line end, its figures to the digits mprof writes (`%f`, then the time's
  // `%.4f`), is whole: a file trimmed in an editor ends so (`mprof peak` read its peak; it was refused).
  let cut = read.cut;
  if (cut !== null && WHOLE_SAMPLE.test(cut)) {
    no++;
    handle(cut);
    if (bad) reject(bad);
    cut = null;
    markUnended(input, no);
    warnings.push(
      `${input.label}: line ${no}: the file ends without a line end after a whole sample (mprof writes one): read; ` +
        'if it was cut there, the samples after it are missing (a gate and a baseline refuse it)',
    );
  }
  warnings.push(...textEnd(input, cut, `line ${no + 1}`, opts.allowPartial ?? false));
  if (skipped)
    warnings.push(
      `${input.label}: skipped ${skipped} malformed line(s), the first at line ${firstSkipped} (--lenient)`,
    );
  if (cmdlineGoesOn.length)
    warnings.push(
      `${input.label}: ${cmdlineGoesOn.length === 1 ? 'line' : 'lines'} ${cmdlineGoesOn.join(', ')} read as more of ` +
        `the CMDLINE line before, after a line end (mprof writes an argument's line end as it is; a command line ` +
        'wrapped when the file was copied keeps the breaks)',
    );
  if (passedOver)
    warnings.push(
      `${input.label}: passed over ${passedOver === 1 ? 'a line' : `${passedOver} lines`} of no field mprof writes, ` +
        `as mprof does (line ${firstPassedOver.no}: ${quoted(firstPassedOver.line, 60)})`,
    );
  runs.push(run);
  const sampled = runs.filter((r) => !r.empty);
  const gone = `${noneMeasured} sample(s) of -1 MiB (memory_profiler's posix backend: \`ps\` measured nothing)`;
  if (!sampled.length) {
    throw new InputError(
      input.label,
      `line ${no}`,
      noneMeasured
        ? `no sample measured a process, only ${gone}`
        : 'no MEM or CHLD samples: not an mprof run, or sampling stopped at once',
    );
  }
  if (bare) {
    warnings.push(
      `${input.label}: one MiB figure a line and no times (memory_profiler 0.25-0.27's mprofile): the samples ` +
        `are taken to be ${BARE_INTERVAL} s apart from 0 s, its interval (each sample also took the time of measuring it)`,
    );
  }
  // Read as memory, a -1 was a floor of -1 MiB: a leak judged "floor 60.3 -> -1.0 MiB", half as sure.
  if (noneMeasured) warnings.push(`${input.label}: ${gone} left out: no memory was measured then`);
  if (sampled.length < runs.length) {
    warnings.push(`${input.label}: a run with no MEM or CHLD sample (its CMDLINE only) is left out`);
  }
  const source = { path: input.label, format: FORMAT, gzip: input.gzip, bytes: read.bytes } as const;
  // Each run's first and last MEM time as written (before any repair): see overlapping().
  const spans: ([number, number] | undefined)[] = [];
  const runSeries = sampled.map((r, i) => {
    const run = sampled.length > 1 ? { index: i + 1, count: sampled.length } : null;
    const name = run ? `${input.label} (run ${run.index})` : input.label;
    // Times that go back (see steadyClock), or repeat (spreadRepeats), repaired as the samples are
    // finished: a warning each, counted to say that the FUNC lines' times were not moved with them.
    let moved = 0;
    const finished = (b: SampleBuilder, what: string): Samples => {
      const samples = withoutDamagedTime(b.finish(), name, what, opts.lenient ?? false, warnings);
      // With no step back in time (most runs), the first and the last are the extent.
      if (what === 'MEM' && samples.t.length)
        spans[i] = b.backLine ? extent(samples.t) : [samples.t[0]!, samples.t[samples.t.length - 1]!];
      const before = warnings.length;
      // The builder counted the steps back and the repeats: most runs have neither to look for.
      if (b.backLine) steadyClock(samples, b.backLine, name, what, warnings);
      if (b.backLine || b.repeats * 2 >= b.length - 1) spreadRepeats(samples, b.firstLine, name, what, warnings);
      moved += warnings.length - before;
      return withoutDamaged(samples, name, what, opts.lenient ?? false, warnings);
    };
    const samples = finished(r.main, 'MEM');
    let children = new Map([...r.children].map(([pid, b]) => [pid, finished(b, `CHLD ${pid}`)] as const));
    let childIds = numberedByPosition(children) ? ('position' as const) : ('pid' as const);
    // memory_profiler 0.61 writes "CHLD 0 0.000000" for a child gone between being listed and measured.
    if (childIds === 'pid' && children.get(0)?.mib.every((v) => v === 0)) children.delete(0);
    if (childIds === 'position') {
      children = new Map([[0, childrenTotal(children)]]);
      warnings.push(
        `${name}: its CHLD lines number the children by their place at each sample (memory_profiler before 0.61), ` +
          "renumbered as children come and go: read as one series, the total of the children, where one child's " +
          'leak can hide (0.61 numbers them by pid)',
      );
    } else if (r.many) {
      // A pool that replaced its workers all run long: each child, short-lived, is no trend to judge,
      // and one series each took minutes and gigabytes. Their total at each sample is.
      warnings.push(
        `${name}: more than ${MAX_CHILDREN} child processes, too many to judge one by one: ` +
          'read as one series, the total of the children at each sample',
      );
      children = new Map([[0, { t: samples.t, mib: roundSums(samples.t, r.many.finish()) }]]);
      childIds = 'position';
    }
    // `mprof run -C -M` writes MEM as the program with its children; the file does not say so.
    // Said, not assumed (a parent keeping what its child streams to it looks the same, and read as
    // the total its peak was halved: a gate passed); --mem-includes-children says it.
    // Said to count them, MEM must hold them: below the children's total at a sample, it cannot (an
    // `mprof run -M` run without -C, given the flag, read 21.2 MiB where it and its children held 140.4,
    // and a gate passed).
    const under = opts.childrenInMem && !r.many ? belowChildren(samples, children) : null;
    if (under) {
      warnings.push(
        `${name}: --mem-includes-children is not applied: the MEM sample at ${under.t.toFixed(4)} is ${under.mem.toFixed(1)} MiB where ` +
          `its children's CHLD lines add up to ${under.children.toFixed(1)} (MEM is below them at ${under.count} of ` +
          `${under.rounds} samples with children): MEM is the program alone, as \`mprof run -M\` without -C writes it`,
      );
    }
    const includes = opts.childrenInMem && !under;
    const counted = r.many || includes ? 'no' : countsChildren(samples, children);
    if (counted !== 'no') {
      warnings.push(
        `${name}: ${counted === 'came' ? COUNTS_CHILDREN : MAY_COUNT_CHILDREN}: read as the program alone; if it ` +
          'was `mprof run -C`, the peak counts them twice (--mem-includes-children)',
      );
    }
    if (moved && calls.length) {
      warnings.push(
        `${name}: the times of its @profile calls (FUNC lines) are not moved with its samples: ` +
          'calls after the clock went back may be shown at the wrong time, or with the wrong run',
      );
    }
    return {
      kind: 'memory-series' as const,
      source,
      run,
      cmdline: r.cmdline,
      samples,
      children,
      childIds,
      ...(includes ? (children.size ? { mainIncludesChildren: true } : { childrenUnlisted: true }) : {}),
      functions: [] as FunctionSpan[],
      warnings: [],
      ...(bare ? { untimed: true } : {}),
    };
  });
  overlapping(input.label, sampled, spans);
  const copies = repeatedCalls(calls.map((c) => c.span));
  if (copies.size) {
    let kept = 0;
    for (let k = 0; k < calls.length; k++) if (!copies.has(k)) calls[kept++] = calls[k]!;
    calls.length = kept;
    warnings.push(
      `${input.label}: ${copies.size} FUNC line(s) repeat an earlier one field for field (the same call, started and ` +
        "ended at the same 0.1 ms: lines a forked child wrote again from its copy of the parent's buffer): counted once",
    );
  }
  const owners = ownRuns(
    runSeries.map((r, i) => ({ ...r, noneMeasuredFrom: sampled[i]!.noneMeasuredFrom })),
    calls.map((c) => ({ t: c.span.tStart, follows: sampled.indexOf(c.follows) })),
  );
  calls.forEach((c, k) => runSeries[owners[k]!]?.functions.push(c.span));
  for (const r of runSeries) callsAbove(r.run ? `${input.label} (run ${r.run.index})` : input.label, r, warnings);
  if (sampled.length === 1) return { ...runSeries[0]!, warnings };
  warnings.push(
    `${input.label}: ${sampled.length} runs appended in one file (each CMDLINE starts one): ` +
      'each is analysed on its own',
  );
  return { kind: 'memory-runs', source, runs: runSeries, warnings };

  function tooMany(at: number): never {
    throw new InputError(
      input.label,
      `line ${at}`,
      `more than ${MAX_LINES.toLocaleString('en-US')} lines: more samples than arenascope holds of one run ` +
        "(9 days at mprof's 0.1 s); keep every 10th sample (awk 'NR % 10 == 1') or sample less often (mprof run -T)",
    );
  }

  function reject(b: Bad): void {
    bad = null;
    if (opts.lenient) {
      if (!skipped++) firstSkipped = b.no;
      // A run killed mid-line, the next appended to the file (mprof run -o): the CMDLINE glued to the
      // cut line starts that run (skipped with it, the two runs were read as one).
      const glued = b.line.indexOf('CMDLINE ');
      if (glued > 0) {
        handle(b.line.slice(glued));
        if (bad) reject(bad);
      }
      return;
    }
    const expected = EXPECT[b.field] ?? 'a line starting with MEM, CMDLINE, FUNC or CHLD';
    const detail = b.why ?? `expected "${expected}", found ${quoted(b.line, 80)}`;
    throw new InputError(input.label, `line ${b.no}`, `${detail}; --lenient skips it`);
  }
}

export const importer: Importer = {
  format: FORMAT,
  describe: "mprof run .dat file (lines MEM, CMDLINE, FUNC, CHLD; or 0.25-0.27's MiB figures alone)",
  sniff: sniffMprof,
  read: readMprof,
};

function extent(t: Float64Array): [number, number] {
  // Plain variables: a pair made per sample was 9.5 MB of garbage for a 281k-sample run.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/**
 * Runs appended to one file follow each other; two whose MEM times overlap were written at once (two
 * `mprof run -o` of one file: their 8 KiB writes interleave, and each run held pieces of both, the
 * steps back "repaired" as clock changes): an error.
 */
function overlapping(
  label: string,
  runs: readonly RunBuilder[],
  spans: readonly ([number, number] | undefined)[],
): void {
  for (let i = 1; i < runs.length; i++) {
    const [before, now] = [spans[i - 1], spans[i]];
    if (!before || !now || now[0] >= before[1]) continue;
    // Wholly before the run above it: files appended newest first (read as two runs writing at once).
    if (now[1] <= before[0]) {
      throw new InputError(
        label,
        `line ${runs[i]!.main.firstLine || 1}`,
        `run ${i + 1} ends at ${now[1].toFixed(4)}, before run ${i} starts (${before[0].toFixed(4)}): runs appended ` +
          'newest first (cat new.dat old.dat?); give them oldest first, or each file alone',
      );
    }
    // The same times again: one run's file appended to itself (`cat run.dat run.dat`), not two at once.
    const again = now[0] === before[0] && now[1] === before[1];
    throw new InputError(
      label,
      `line ${runs[i]!.main.firstLine || 1}`,
      again
        ? `run ${i + 1} repeats run ${i}'s times (${now[0].toFixed(4)} to ${now[1].toFixed(4)}): one run's lines appended ` +
            'again (cat run.dat run.dat?); give the run once'
        : `run ${i + 1} starts at ${now[0].toFixed(4)}, before run ${i} ends (${before[1].toFixed(4)}): not runs appended ` +
            'one after another but two mprof runs writing to one file at once',
    );
  }
}

/**
 * The first sample where MEM is below its children's total by more than the figures' rounding, with how
 * many such samples of how many with children, when they are 5% of those or more (a child measured
 * a moment after MEM may have grown by then); null otherwise.
 */
function belowChildren(
  samples: Samples,
  children: ReadonlyMap<number, Samples>,
): { t: number; mem: number; children: number; count: number; rounds: number } | null {
  if (!children.size) return null;
  const sum = childrenPerSample({ samples, children });
  let first = -1;
  let count = 0;
  let rounds = 0;
  for (let i = 0; i < sum.length; i++) {
    if (!(sum[i]! > 0)) continue;
    rounds++;
    if (below(samples.mib, sum, i)) {
      count++;
      if (first < 0) first = i;
    }
  }
  if (first < 0 || count < Math.max(1, rounds * 0.05)) return null;
  return { t: samples.t[first]!, mem: samples.mib[first]!, children: sum[first]!, count, rounds };
}

/**
 * Whether a run's MEM looks like it counts its children (`mprof run -C` is not in the file): 'came',
 * it rose and fell by them as they came and went (enterAndLeave); 'follows', it follows their total
 * while they run (mayCountChildren); else 'no'.
 */
function countsChildren(samples: Samples, children: ReadonlyMap<number, Samples>): 'came' | 'follows' | 'no' {
  if (!children.size) return 'no';
  const sum = childrenPerSample({ samples, children });
  if (enterAndLeave(samples.mib, sum)) return 'came';
  return mayCountChildren(samples, sum) ? 'follows' : 'no';
}

/**
 * Whether MEM is below the children's total at sample i, and not as the race of a child started between
 * them: mprof writes MEM, then measures the children for the CHLD lines, and a child started (or grown)
 * in between is in CHLD but not yet in MEM (`mprof run -C -M` of memory_profiler 0.50-0.61, a child's
 * first sample 16.7 MiB over MEM's 10.5: MEM read as the program alone, its peak with children 249 MiB
 * where `mprof peak` says 140, and --mem-includes-children refused; h380). A race where the total rose
 * there and the next sample keeps it, MEM holding it: a child seen once, or a rise gone by the next
 * sample, is no race (`mprof run -M` without -C of short-lived children, MEM below each, was taken as
 * counting them and its peak read as the parent's 13.7 MiB where with them it was 147; h385).
 */
function below(mib: Float64Array, sum: Float64Array, i: number): boolean {
  if (!(mib[i]! < sum[i]! - 0.5)) return false;
  const raced =
    i > 0 &&
    i + 1 < sum.length &&
    sum[i]! > sum[i - 1]! + 0.5 &&
    sum[i + 1]! >= sum[i]! - 0.5 &&
    mib[i + 1]! >= sum[i + 1]! - 0.5;
  return !raced;
}

/**
 * Whether MEM rose by the children's total as they came and fell as they went (samples without them
 * before and after): over the samples of their stay and 3 on either side, those without children (3 or more) and with (2 or more: two
 * 50 MiB children of `-C -M` sampled 3 times read 249 MiB where `mprof peak` says 130, unsaid), MEM
 * holds the sum (95% of them, a child's race aside: below) and MEM less the sum stays within a quarter of MEM's range, which the
 * sum spans (2 MiB and a tenth of the peak or more). Without -C, MEM is the program alone and stays where it was as children come and go:
 * MEM less the sum falls by theirs (`mprof run -M -C` of three steady children read 188 MiB at the
 * peak where `mprof peak` reads 99.8: no warning, as their total never varied while they ran).
 */
const AROUND = 3;

function enterAndLeave(mib: Float64Array, sum: Float64Array): boolean {
  // Samples without children before the first with and after the last: they came, and went (a forked
  // worker alive to the end shares its parent's pages, and a parent holding what it held looked level).
  let first = -1;
  let last = -1;
  for (let i = 0; i < mib.length; i++) {
    if (!(sum[i]! > 0)) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 1 || last < 0 || last >= mib.length - 1) return false;
  let alone = 0;
  let rounds = 0;
  let under = 0;
  let [chHi, memLo, memHi] = [0, Infinity, -Infinity];
  const own: number[] = [];
  // Around the children's stay: 3 samples before they came and 3 after they went (the parent's own rise
  // before it forked is no part of it: `-C -M` of a parent holding 100 MiB, its two idle workers sharing
  // its pages, counted them twice, unsaid; helper h226).
  for (let i = Math.max(0, first - AROUND); i <= Math.min(mib.length - 1, last + AROUND); i++) {
    const ch = sum[i]! > 0 ? sum[i]! : 0;
    if (ch > 0) rounds++;
    else alone++;
    if (below(mib, sum, i)) under++;
    chHi = Math.max(chHi, ch);
    own.push(mib[i]! - ch);
    memLo = Math.min(memLo, mib[i]!);
    memHi = Math.max(memHi, mib[i]!);
  }
  if (alone < 3 || rounds < 2 || under > (alone + rounds) * 0.05) return false;
  return chHi >= Math.max(2, 0.1 * memHi) && spread(own) <= (memHi - memLo) / 4;
}

/**
 * How far MEM less the children's sum moves: from its 10th to its 90th percentile. MEM and the CHLD
 * lines are read at different moments, so as pool workers come and go a few rounds miss one or hold a
 * gone one twice (`mprof run -C -M` of a Pool, MEM less the sum from 5.5 to 53 MiB around a median of
 * 12: counted twice, 170 MiB where `mprof peak` says 91.6, unsaid; h250).
 */
function spread(values: number[]): number {
  if (!values.length) return 0;
  const v = values.sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  return at(0.9) - at(0.1);
}

/**
 * The FUNC lines that repeat an earlier one field for field (their indices): one call written twice. A
 * forked child inherits the parent's unwritten lines and writes them again at its exit (helper h226:
 * `mprof run -C` of a program that forks after a profiled call listed 4 calls of 3). Two calls of one
 * process cannot both start and end at the same 0.1 ms with the same memory.
 */
function repeatedCalls(spans: readonly FunctionSpan[]): Set<number> {
  const order = spans.map((_, k) => k).sort((a, b) => spans[a]!.tStart - spans[b]!.tStart || a - b);
  const copies = new Set<number>();
  for (let i = 1; i < order.length; i++) {
    const s = spans[order[i]!]!;
    for (let j = i - 1; j >= 0 && spans[order[j]!]!.tStart === s.tStart; j--) {
      const o = spans[order[j]!]!;
      if (copies.has(order[j]!)) continue;
      if (
        o.name === s.name &&
        o.tEnd === s.tEnd &&
        o.memStartMiB === s.memStartMiB &&
        o.memEndMiB === s.memEndMiB &&
        o.level === s.level
      ) {
        copies.add(order[i]!);
        break;
      }
    }
  }
  return copies;
}

/** Said when the run's @profile calls recorded more than its samples' peak (callsAboveSamples). */
function callsAbove(
  name: string,
  r: { samples: Samples; functions: readonly FunctionSpan[] },
  warnings: string[],
): void {
  const above = callsAboveSamples(r);
  if (!above) return;
  const offset = funcOffsetMiB(r);
  const where =
    above.late === above.calls
      ? 'end after the last memory sample'
      : `recorded between memory samples${above.late ? ` (${above.late} of them ending after the last)` : ''}`;
  const why =
    above.late === 0
      ? 'the samples came too seldom to see it'
      : above.withinInterval
        ? 'within a sampling interval of it: the program ended before the next sample'
        : 'the sampler stopped before the program: mprof interrupted?';
  warnings.push(
    `${name}: ${above.calls} @profile call(s) (FUNC lines) ${where}, up to ${above.highMiB.toFixed(1)} MiB where the ` +
      `samples' peak is ${above.samplesPeakMiB.toFixed(1)} (${why}); ` +
      "the peak is the samples' (a gate's --max-peak judges the calls' too)" +
      (offset === null
        ? ''
        : `; they sit ${offset.toFixed(1)} MiB or more above the samples wherever memory held still: a run ` +
          "sampled with `mprof run --backend psutil_uss` or psutil_pss measures another figure than the calls' " +
          'RSS, else the calls hold that much each time'),
  );
}

/**
 * Whether a run's MEM samples may count its children (`mprof run -C`, which the file does not say):
 * in the rounds where children were measured, MEM holds their sum (within 0.5 MiB, a child's race aside, 95% of rounds or
 * more) and follows it: the sum varies (by 2 MiB and a tenth of the peak or more) while MEM less the
 * sum varies half as much as MEM or less. Said, not assumed: a parent keeping what its workers also
 * cache looks the same (taken for a total, its own leak vanished), and a parent counted with its
 * children reads as leaking beside them, which the gate fails rather than passes.
 */
function mayCountChildren(samples: Samples, sum: Float64Array): boolean {
  const { mib } = samples;
  let rounds = 0;
  let under = 0;
  const range = { ch: [Infinity, -Infinity], mem: [Infinity, -Infinity] };
  const own: number[] = [];
  const see = (r: number[], v: number): void => {
    r[0] = Math.min(r[0]!, v);
    r[1] = Math.max(r[1]!, v);
  };
  for (let i = 0; i < mib.length; i++) {
    if (!(sum[i]! > 0)) continue;
    rounds++;
    if (below(mib, sum, i)) under++;
    see(range.ch, sum[i]!);
    own.push(mib[i]! - sum[i]!);
    see(range.mem, mib[i]!);
  }
  if (rounds < 5 || under > rounds * 0.05) return false;
  const width = (r: number[]): number => r[1]! - r[0]!;
  // Not the first round with children nor the last: the children are measured after MEM, one come or
  // gone in between is in one and not the other (see below).
  const inner = own.length > 5 ? own.slice(1, -1) : own;
  return width(range.ch) >= Math.max(2, 0.1 * range.mem[1]!) && spread(inner) <= width(range.mem) / 2;
}

/**
 * Whether CHLD lines number the children by position (memory_profiler before 0.61): their numbers
 * are 0, 1, ... with none missing, and number 0 held memory or others follow it (pids 1 and 2 are the
 * system's first processes, never a program's children: a zombie child at position 0, 0 MiB
 * throughout, and pool workers at 1 and 2 were read as processes, each judged for leaks). A pid is
 * never 0, but 0.61 writes "CHLD 0 0.000000" for a child gone between being listed and measured
 * (with the pids of the others).
 */
function numberedByPosition(children: ReadonlyMap<number, Samples>): boolean {
  const first = children.get(0);
  if (!first || (children.size < 2 && !first.mib.some((v) => v > 0))) return false;
  for (let i = 0; i < children.size; i++) if (!children.has(i)) return false;
  return true;
}

/**
 * The total of children numbered by position: a sample per sample of position 0 (written first at
 * each sample, as every list of children has a first), each other position's samples added to the
 * latest position-0 sample at or before them (their lines follow it, each timed as it is written).
 */
function childrenTotal(byPosition: ReadonlyMap<number, Samples>): Samples {
  const rounds = byPosition.get(0)!;
  const t = Float64Array.from(rounds.t);
  const mib = Float64Array.from(rounds.mib);
  for (const [position, c] of byPosition) {
    if (position === 0) continue;
    for (let i = 0; i < c.t.length; i++) {
      // The last round starting at or before this sample (the first round for one before them all).
      let lo = 0;
      let hi = t.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (t[mid]! <= c.t[i]!) lo = mid;
        else hi = mid - 1;
      }
      mib[lo]! += c.mib[i]!;
    }
  }
  return { t, mib };
}
