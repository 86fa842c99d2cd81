// Importer for `mprof run` .dat files (memory_profiler): MEM, CMDLINE, FUNC and CHLD lines, in any
// order (FUNC lines are appended by the profiled child at exit, so they often come first).

import { SampleBuilder, type FunctionSpan, type MemorySeries } from '../model/memory-series.js';
import { InputError, TruncatedError } from './errors.js';
import type { InputStream } from './input.js';
import { headLines, textLines } from './lines.js';

export const FORMAT = 'mprof';

export interface TextReadOptions {
  /** Skip malformed lines with a warning instead of failing. */
  readonly lenient?: boolean;
  /** Accept a last line cut short (a file still being written), with a warning. */
  readonly allowPartial?: boolean;
}

const FIELD = /^(MEM|CMDLINE|FUNC|CHLD) /;

export function sniffMprof(head: Buffer): boolean {
  const first = headLines(head, 20).find((l) => l.trim() !== '');
  return first !== undefined && FIELD.test(first);
}

function num(s: string | undefined): number {
  // Number('') is 0 and Number(' 1') is 1: only plain decimal numbers count here.
  return s !== undefined && /^-?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
}

const EXPECT: Record<string, string> = {
  MEM: 'MEM <MiB> <time>',
  FUNC: 'FUNC <name> <MiB at start> <start time> <MiB at end> <end time> [<stack level>]',
  CHLD: 'CHLD <pid> <MiB> <time>',
};

export async function readMprof(input: InputStream, opts: TextReadOptions = {}): Promise<MemorySeries> {
  const main = new SampleBuilder();
  const children = new Map<number, SampleBuilder>();
  const functions: FunctionSpan[] = [];
  const warnings: string[] = [];
  let cmdline: string | null = null;
  let skipped = 0;
  let firstSkipped = 0;
  let no = 0;
  const text = textLines(input.chunks);
  let bad: { no: number; line: string; field: string } | null = null;

  for await (const line of text.lines) {
    no++;
    if (bad) {
      // A bad line followed by more lines is malformed, not cut off.
      reject(bad);
      bad = null;
    }
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const field = sp < 0 ? line : line.slice(0, sp);
    const parts = line.split(' ');
    let ok = true;
    if (field === 'MEM') {
      const [mib, t] = [num(parts[1]), num(parts[2])];
      ok = parts.length === 3 && mib === mib && t === t;
      if (ok) main.push(t, mib);
    } else if (field === 'CMDLINE') {
      cmdline = line.slice(sp + 1);
    } else if (field === 'FUNC') {
      const v = parts.slice(2, 6).map(num);
      const level = parts.length === 7 ? num(parts[6]) : null;
      ok = (parts.length === 6 || parts.length === 7) && v.every((x) => x === x) && (level === null || Number.isInteger(level));
      if (ok) {
        functions.push({ name: parts[1]!, memStartMiB: v[0]!, tStart: v[1]!, memEndMiB: v[2]!, tEnd: v[3]!, level });
      }
    } else if (field === 'CHLD') {
      const [pid, mib, t] = [num(parts[1]), num(parts[2]), num(parts[3])];
      ok = parts.length === 4 && Number.isInteger(pid) && mib === mib && t === t;
      if (ok) {
        let c = children.get(pid);
        if (!c) children.set(pid, (c = new SampleBuilder()));
        c.push(t, mib);
      }
    } else {
      // mprof itself ignores fields it does not know.
      ok = /^[A-Z_]+$/.test(field);
    }
    if (!ok) bad = { no, line, field };
  }
  if (bad) {
    if (text.endedMidLine() && bad.no === no) {
      const msg = `the file ends in the middle of a line ("${bad.line.slice(0, 60)}"): cut off while being written?`;
      if (!opts.allowPartial && !opts.lenient) throw new TruncatedError(input.label, `line ${no}`, msg);
      warnings.push(`${input.label}: line ${no}: ${msg} Ignored.`);
    } else reject(bad);
  }
  if (skipped) warnings.push(`${input.label}: skipped ${skipped} malformed line(s), the first at line ${firstSkipped} (--lenient)`);
  if (main.length === 0 && children.size === 0) {
    throw new InputError(input.label, `line ${no}`, 'no MEM or CHLD samples: not an mprof run, or sampling stopped at once');
  }
  const kids = new Map([...children].map(([pid, b]) => [pid, b.finish()] as const));
  return {
    kind: 'memory-series',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    cmdline,
    samples: main.finish(),
    children: kids,
    functions,
    warnings,
  };

  function reject(b: { no: number; line: string; field: string }): void {
    if (opts.lenient) {
      if (!skipped++) firstSkipped = b.no;
      return;
    }
    const expected = EXPECT[b.field] ?? 'a line starting with MEM, CMDLINE, FUNC or CHLD';
    throw new InputError(input.label, `line ${b.no}`, `expected "${expected}", found "${b.line.slice(0, 80)}"`);
  }
}
