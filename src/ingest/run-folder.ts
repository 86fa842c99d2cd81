// Reading a capture folder of `arenascope run` (issue 15; layout in its run-spec): its manifest.json,
// or the captures.jsonl of a run that did not finish. A manifest is data, never trusted: every path in
// it must name a file inside the folder, and every field has the type the contract gives it.

import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { CaptureKept, MemorySeries } from '../model/memory-series.js';
import type { RunInfo, RunTest, RunTestLine } from '../model/run.js';
import { InputError } from '../util/errors.js';
import { zlib } from '../util/zlib.js';
import { parseJson } from './json-file.js';
import { sidecarLabel, sidecarPeak, sidecarTime } from './sidecar.js';
import { readSmallFile } from './small-file.js';

export const RUN_FORMAT = 'arenascope-run';
export const RUN_VERSION = 1;

/** A capture of the folder, in the run's order; `path` is as the inputs name it (the folder joined). */
export interface RunFile {
  readonly path: string;
  readonly kind: 'snapshot' | 'memory' | 'allocator-stats';
  readonly label: string | null;
  readonly time: number | null;
  readonly tracedPeak: number | null;
  /** An allocator report's snapshot (a path as the inputs name it), or null when it matched none. */
  readonly matches: string | null;
  /** How the run matched an allocator report with its snapshot: by label, or by time (an interval report's, approximate). */
  readonly matchedBy?: 'label' | 'time' | null;
  /** An allocator report matched by time: AllocatorStats.progressGap. */
  readonly progressGap?: number;
  /** The memory file's MEM lines count the children (the run's --include-children). */
  readonly childrenInMem?: boolean;
  /** The memory file's: when the program's own code began (the run's start capture; MemorySeries.programStart). */
  readonly programStart?: number;
  /** The memory file's: programStart is when a pytest run's tests began (MemorySeries.testsBegan). */
  readonly testsBegan?: boolean;
  /** The memory file's: when a pytest run's last test ended, captures coming after it (MemorySeries.programEnd). */
  readonly programEnd?: number;
  /** The memory file's: when the run's exit capture began (MemorySeries.exitCapture). */
  readonly exitCapture?: number;
  /** The memory file's: the program's own peak RSS as it exited, in KiB (MemorySeries.exitPeakMiB). */
  readonly exitPeakKiB?: number;
  /** The memory file's: what the run's own captures kept of the resident memory (MemorySeries.capturesKept). */
  readonly capturesKept?: readonly CaptureKept[];
}

export interface RunFolder extends RunInfo {
  readonly files: readonly RunFile[];
  /** Captures the run names that are not in the folder (deleted since): left out of `files`. */
  readonly missing?: readonly string[];
  /** One line each: an unfinished run, a file the manifest names that is not there. */
  readonly warnings: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const KINDS = new Set(['snapshot', 'memory', 'allocator-stats']);

/** Reads a JSON value of a manifest or an event: the wrong type is an error naming the file and the JSON path. */
class Fields {
  constructor(
    readonly file: string,
    readonly at: string,
    readonly o: Obj,
  ) {}
  static of(file: string, at: string, v: Json | undefined): Fields {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(file, at, 'an object', v);
    return new Fields(file, at, v);
  }
  private get(k: string, what: string, ok: (v: Json) => boolean, optional: boolean): Json {
    const v = this.o[k];
    if (v === undefined && optional) return null;
    if (v === undefined || !ok(v)) throw bad(this.file, `${this.at}.${k}`, what, v);
    return v;
  }
  str(k: string): string {
    return this.get(k, 'a string', (v) => typeof v === 'string', false) as string;
  }
  strOrNull(k: string): string | null {
    return this.get(k, 'a string or null', (v) => v === null || typeof v === 'string', true) as string | null;
  }
  num(k: string): number {
    return this.get(k, 'a number', (v) => typeof v === 'number', false) as number;
  }
  numOrNull(k: string): number | null {
    return this.get(k, 'a number or null', (v) => v === null || typeof v === 'number', true) as number | null;
  }
  bytesOrNull(k: string): number | null {
    const ok = (v: Json): boolean => v === null || (Number.isSafeInteger(v) && (v as number) >= 0);
    return this.get(k, 'a whole number of bytes or null', ok, true) as number | null;
  }
  list(k: string, optional = false): Json[] {
    const v = this.get(k, 'an array', Array.isArray, optional);
    return v === null ? [] : (v as Json[]);
  }
  strings(k: string): string[] {
    const v = this.list(k, true);
    v.forEach((s, i) => {
      if (typeof s !== 'string') throw bad(this.file, `${this.at}.${k}[${i}]`, 'a string', s);
    });
    return v as string[];
  }
}

function bad(file: string, at: string, what: string, found: Json | undefined): InputError {
  const shown = found === undefined ? 'nothing' : JSON.stringify(found).slice(0, 40);
  return new InputError(file, at, `expected ${what}, found ${shown}`);
}

/**
 * A path of the folder, joined to it. Absolute paths, `..` and anything that resolves outside the
 * folder are refused: a manifest names its own files only.
 */
export function insidePath(dir: string, rel: string, file: string, at: string): string {
  const parts = rel.split(/[\\/]+/);
  const escapes = relative(resolve(dir), resolve(dir, rel)).split(/[\\/]+/)[0] === '..';
  if (!rel || isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || parts.includes('..') || escapes) {
    throw new InputError(file, at, `expected a path inside the run folder, found ${JSON.stringify(rel.slice(0, 60))}`);
  }
  const path = join(dir, rel);
  // Nor a link out of it: a file of another program's run (or of the system) read as this run's (h234).
  let real: string | null = null;
  try {
    real = realpathSync(path);
  } catch {
    // not there: said where it is read
  }
  const within = (r: string): boolean => {
    const up = relative(realpathSync(dir), r).split(/[\\/]+/)[0];
    return up !== '..' && !isAbsolute(relative(realpathSync(dir), r));
  };
  if (real !== null && !within(real)) {
    throw new InputError(
      file,
      at,
      `expected a file inside the run folder, found ${JSON.stringify(rel.slice(0, 60))}, a link out of it`,
    );
  }
  return path;
}

// Where a test's function is defined, as the plugin records it (older runs' events have none).
function definedOf(file: string, at: string, v: Json): RunTest['defined'] {
  if (v === null) return null;
  const l = Fields.of(file, at, v);
  return { filename: l.str('filename'), lineno: l.num('lineno') };
}

function testOf(file: string, at: string, dir: string, v: Json): RunTest {
  const f = Fields.of(file, at, v);
  const snapshot = f.strOrNull('snapshot');
  const top = f.list('top', true).map((t, i): RunTestLine => {
    const l = Fields.of(file, `${at}.top[${i}]`, t);
    return { filename: l.str('filename'), lineno: l.num('lineno'), size: l.num('size') };
  });
  return {
    nodeid: f.str('nodeid'),
    outcome: f.str('outcome'),
    snapshot: snapshot === null ? null : insidePath(dir, snapshot, file, `${at}.snapshot`),
    peakBytes: f.numOrNull('peak'),
    leakedBytes: f.numOrNull('leaked'),
    limitMemoryBytes: f.bytesOrNull('limitMemory'),
    limitLeaksBytes: f.bytesOrNull('limitLeaks'),
    violations: f.strings('violations'),
    top,
    defined: definedOf(file, `${at}.function`, f.o.function ?? null),
  };
}

// A file entry of the manifest (kind) or an event of captures.jsonl (its kind given by the caller).
function fileOf(file: string, at: string, dir: string, f: Fields, kind: string): RunFile {
  const matches = f.strOrNull('matches');
  return {
    path: insidePath(dir, f.str(f.o.path !== undefined ? 'path' : 'file'), file, `${at}.path`),
    kind: kind as RunFile['kind'],
    label: f.strOrNull('label'),
    time: f.numOrNull('time'),
    tracedPeak: f.bytesOrNull('tracedPeak'),
    matches: matches === null ? null : insidePath(dir, matches, file, `${at}.matches`),
    ...(kind === 'allocator-stats' && matches !== null
      ? { matchedBy: f.strOrNull('by') === 'label' ? ('label' as const) : ('time' as const) }
      : {}),
  };
}

/** How an interrupted or crashed run ended, from the manifest's `exit` (code, signal, reason). */
function howItEnded(file: string, status: string, exit: Json | undefined): string {
  const e = exit === undefined || exit === null ? null : Fields.of(file, '$.exit', exit);
  const code = e?.numOrNull('code') ?? null;
  const signal = e?.strOrNull('signal') ?? null;
  const reason = e?.strOrNull('reason') ?? null;
  const how =
    reason === 'exception'
      ? 'an uncaught exception'
      : reason === 'interrupted'
        ? 'Ctrl-C'
        : signal !== null
          ? `killed by ${signal}`
          : reason === 'os._exit'
            ? `os._exit(${code})`
            : code !== null
              ? `exit status ${code}`
              : 'no exit status';
  const what = status === 'interrupted' ? 'the program was interrupted' : 'the program crashed';
  return `${what} (${how}): the captures end where it stopped`;
}

function fromManifest(dir: string, file: string, m: Obj): RunFolder {
  const top = Fields.of(file, '$', m);
  const version = top.num('version');
  if (version !== RUN_VERSION) {
    throw new InputError(file, '$.version', `version ${version}: this arenascope reads run folders of version 1`);
  }
  const files: RunFile[] = [];
  const warnings: string[] = [];
  top.list('files').forEach((v, i) => {
    const f = Fields.of(file, `$.files[${i}]`, v);
    const kind = f.str('kind');
    // A kind a newer `arenascope run` writes is said, not guessed at.
    if (!KINDS.has(kind))
      warnings.push(`${file}: $.files[${i}]: a file of kind ${kind}, which this version leaves out`);
    else files.push(fileOf(file, `$.files[${i}]`, dir, f, kind));
  });
  const python = m.python === undefined || m.python === null ? null : Fields.of(file, '$.python', m.python);
  // --include-children of a run that did not record memIncludesChildren (false since): memory.dat's
  // MEM lines are the program and its children together.
  const options = m.options;
  const recorded = options !== null && typeof options === 'object' && !Array.isArray(options) ? options : {};
  // What the run says MEM counts: then nothing else (--mem-includes-children) says otherwise.
  const childrenInMem = recorded.includeChildren === true && recorded.memIncludesChildren !== false;
  for (const [i, f] of files.entries()) if (f.kind === 'memory') files[i] = { ...f, childrenInMem };
  // Child processes the run saw and did not measure: every command says so (a child's leak went unsaid).
  if (m.childrenNotMeasured === true) {
    warnings.push(
      `${dir}: the program started child processes, whose memory the run did not measure (arenascope run --include-children measures it)`,
    );
  }
  const status = top.str('status');
  // Every command's figures stop where the program did: said once, by every command alike.
  if (status === 'interrupted' || status === 'crashed') warnings.push(`${dir}: ${howItEnded(file, status, m.exit)}`);
  return {
    dir,
    status,
    command: top.strings('command'),
    python: python?.strOrNull('version') ?? null,
    cwd: top.strOrNull('cwd'),
    tests: top.list('tests', true).map((t, i) => testOf(file, `$.tests[${i}]`, dir, t)),
    files,
    warnings,
  };
}

// A manifest or events read whole; larger is no run's (a pytest run of 10,000 tests: ~5 MB).
const MAX_RUN_TEXT = 256 << 20;

/**
 * A file of the run's own (manifest.json, captures.jsonl), or its gzip when the whole folder was
 * gzipped since (`gzip -r`: every capture was left out and a leak passed): where it is and its
 * text, or null when neither is there.
 */
function runText(path: string): { file: string; text: string } | null {
  for (const file of [path, `${path}.gz`]) {
    const bytes = readSmallFile(file, MAX_RUN_TEXT, `a run's ${basename(path)}`);
    if (bytes === null) continue;
    if (file === path) return { file, text: bytes.toString('utf8') };
    try {
      return { file, text: zlib().gunzipSync(bytes, { maxOutputLength: MAX_RUN_TEXT }).toString('utf8') };
    } catch (e) {
      throw new InputError(file, '', `cannot be gunzipped (${(e as Error).message})`);
    }
  }
  return null;
}

// The events of a captures.jsonl; a last line cut short by a kill is left out with a warning.
function events(path: string, warnings: string[]): { line: number; f: Fields }[] {
  const found = runText(path);
  if (!found) return [];
  const { file, text } = found;
  const lines = text.split('\n');
  const out: { line: number; f: Fields }[] = [];
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    let v: Json;
    try {
      v = JSON.parse(text) as Json;
    } catch {
      if (i >= lines.length - 2) warnings.push(`${file}: line ${i + 1}: cut short (the run was killed): left out`);
      else throw new InputError(file, `line ${i + 1}`, 'expected one JSON object per line');
      return;
    }
    out.push({ line: i + 1, f: Fields.of(file, `line ${i + 1}`, v) });
  });
  return out;
}

function fromEvents(dir: string, why: string, damaged: string | null = null): RunFolder {
  const warnings = [
    damaged
      ? `${dir}: its manifest.json cannot be read (${damaged}): read from captures.jsonl, as a run that did not finish`
      : `${dir}: the run did not finish (${why}): read from captures.jsonl`,
  ];
  const files: RunFile[] = [];
  const tests: RunTest[] = [];
  let python: string | null = null;
  let command: string[] = [];
  const main = join(dir, 'captures.jsonl');
  // Its end, when the run recorded it: a run whose manifest was lost (deleted) read as unfinished, its
  // crash unsaid (h232).
  let ended: { status: string; reason: string | null; code: number | null } | null = null;
  for (const { line, f } of events(main, warnings)) {
    const kind = f.str('kind');
    if (kind === 'end') {
      const reason = f.strOrNull('reason');
      const status = reason === 'exception' ? 'crashed' : reason === 'interrupted' ? 'interrupted' : 'complete';
      ended = { status, reason, code: f.numOrNull('status') };
    } else if (kind === 'start') {
      python = f.strOrNull('python');
      command = f.strings('argv');
    } else if (kind === 'snapshot') files.push(fileOf(main, `line ${line}`, dir, f, 'snapshot'));
    else if (kind === 'test') tests.push(testOf(main, `line ${line}`, dir, f.o));
  }
  const memory = join(dir, 'memory.dat');
  if (isFile(memory) || isFile(`${memory}.gz`)) files.push({ ...NO_FIGURES, path: memory, kind: 'memory' });
  const alloc = join(dir, 'allocator', 'captures.jsonl');
  for (const { line, f } of events(alloc, warnings)) {
    if (f.str('kind') === 'allocator') files.push(fileOf(alloc, `line ${line}`, dir, f, 'allocator-stats'));
  }
  if (ended && !damaged) {
    const { status, reason, code } = ended;
    warnings[0] = `${dir}: ${why}: read from captures.jsonl, whose last record says the run ended`;
    if (status !== 'complete') warnings.push(`${dir}: ${howItEnded(main, status, { reason, code })}`);
    return { dir, status, command, python, cwd: null, tests, files, warnings };
  }
  return { dir, status: 'unfinished', command, python, cwd: null, tests, files, warnings };
}

const NO_FIGURES = { label: null, time: null, tracedPeak: null, matches: null } as const;

/**
 * The run folder `dir` is, or null when it is not one: a manifest.json of format arenascope-run, or
 * (a run whose parent was killed, or still running) a captures.jsonl. Files the manifest names that
 * are not in the folder are left out with a warning. A damaged manifest is an InputError naming it.
 */
export function readRunFolder(dir: string): RunFolder | null {
  const manifest = runText(join(dir, 'manifest.json'));
  const jsonl = runText(join(dir, 'captures.jsonl'));
  let m: Json = null;
  let file = join(dir, 'manifest.json');
  let damaged: string | null = null;
  if (manifest) {
    file = manifest.file;
    const text = manifest.text;
    // Another tool's manifest.json is not ours; a damaged one of a run folder is an error, unless
    // the run's captures.jsonl is there to read it from (a run killed as it wrote its manifest).
    try {
      m = JSON.parse(text) as Json;
    } catch {
      if (!jsonl && text.includes(RUN_FORMAT)) parseJson(file, text);
      if (!jsonl) return null;
      try {
        parseJson(file, text);
      } catch (e) {
        damaged = e instanceof InputError ? `${e.where}: ${e.detail}` : String(e);
      }
    }
    const isRun = m !== null && typeof m === 'object' && !Array.isArray(m) && m.format === RUN_FORMAT;
    if (!isRun && damaged === null) {
      if (!jsonl) return null;
      throw new InputError(file, '$.format', `expected "${RUN_FORMAT}" beside a captures.jsonl`);
    }
  } else if (!jsonl || allocatorRun(jsonl.text)) return null;
  let run: RunFolder;
  if (m !== null && (m as Obj).status !== 'running') run = fromManifest(dir, file, m as Obj);
  else
    run = withWholeUnrecorded(
      dir,
      fromEvents(dir, m === null ? 'no manifest.json' : 'manifest.json says running', damaged),
    );
  const before = run.files;
  run = afterTracemallocCalls(run);
  const leftOut = before.filter((f) => !run.files.includes(f));
  // A capture gzipped since (`gzip snapshots/*.pickle`, to keep a run small) is read as it is now.
  const gzipped = new Set(run.files.filter((f) => !isFile(f.path) && isFile(`${f.path}.gz`)).map((f) => f.path));
  const now = (p: string): string => (gzipped.has(p) ? `${p}.gz` : p);
  // An allocator report names its snapshot by the path the run wrote: it pairs with the .gz (0 of 5 paired).
  // From the files before any was left out: the start capture is, when the program cleared the traces.
  const tests = testsBegan(dir);
  const begun = programStart(before, tests);
  const ended = lastTestEnd(run);
  const exit = exitCapture(before);
  const exitPeak = exitPeakKiB(dir);
  const kept = capturesKept(dir);
  const gapOf = progressGaps(run.files);
  const files = run.files.map((f) => ({
    ...f,
    path: now(f.path),
    matches: f.matches && now(f.matches),
    ...(f.kind === 'memory' && begun !== null ? { programStart: begun } : {}),
    ...(f.kind === 'memory' && begun !== null && begun === tests ? { testsBegan: true } : {}),
    ...(f.kind === 'memory' && ended !== null ? { programEnd: ended } : {}),
    ...(f.kind === 'memory' && exit !== null ? { exitCapture: exit } : {}),
    ...(f.kind === 'memory' && exitPeak !== null ? { exitPeakKiB: exitPeak } : {}),
    ...(f.kind === 'memory' && kept.length ? { capturesKept: kept } : {}),
    ...(gapOf.has(f) ? { progressGap: gapOf.get(f)! } : {}),
  }));
  // One there that cannot be read (permission denied) is read, and fails naming why, as in its
  // snapshots/ folder read alone: left out, a series one capture short passed a gate.
  const missing = files.filter((f) => !isFile(f.path));
  return {
    ...run,
    files: files.filter((f) => !missing.includes(f)),
    ...(missing.length ? { missing: missing.map((f) => f.path) } : {}),
    // A test's capture as read now too (gzipped since: the tests' captures were found in no series).
    tests: run.tests.map((t) => (t.snapshot === null ? t : { ...t, snapshot: now(t.snapshot) })),
    warnings: [
      ...run.warnings,
      ...missing.map((f) => `${dir}: the run names ${f.path}, which is not there: left out`),
      ...strangers(dir, [...files, ...leftOut]),
    ],
  };
}

/**
 * An unfinished run with the snapshots it wrote whole after the last it recorded: its captures.jsonl cut
 * in the line of one (the run killed as it wrote it). The run writes a dump, then its .label and .time
 * sidecars, then its event: with both sidecars there, the dump is whole. Left out, the run's last
 * capture was not judged, and the gate passed its leak (h232).
 */
function withWholeUnrecorded(dir: string, run: RunFolder): RunFolder {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'snapshots'));
  } catch {
    return run;
  }
  const number = (p: string): number => Number(/(\d+)\.pickle(?:\.gz)?$/.exec(p)?.[1] ?? Number.NaN);
  const last = run.files.reduce((m, f) => (f.kind === 'snapshot' ? Math.max(m, number(f.path)) : m), 0);
  const whole = names
    .filter((n) => /^\d+\.pickle(?:\.gz)?$/.test(n) && number(n) > last)
    .map((n) => join(dir, 'snapshots', n.replace(/\.gz$/, '')))
    .filter((p, i, all) => all.indexOf(p) === i && sidecarLabel(p) !== null && sidecarTime(p) !== null)
    .sort((a, b) => number(a) - number(b));
  if (!whole.length) return run;
  const files: RunFile[] = whole.map((p) => ({
    path: p,
    kind: 'snapshot',
    label: sidecarLabel(p),
    time: sidecarTime(p),
    tracedPeak: sidecarPeak(p),
    matches: null,
  }));
  return {
    ...run,
    files: [...run.files, ...files],
    warnings: [
      ...run.warnings,
      `${dir}: read ${whole.join(', ')}, which its captures.jsonl does not record (the run stopped as it wrote it): ` +
        'its sidecars, written after the dump, say the capture is whole',
    ],
  };
}

/** A memory series with what its run recorded of it: when the program began, and its peak RSS at exit. */
export function withRunFigures(m: MemorySeries, f: RunFile | undefined): MemorySeries {
  return {
    ...m,
    ...(f?.programStart === undefined ? {} : { programStart: f.programStart }),
    ...(f?.testsBegan ? { testsBegan: true } : {}),
    ...(f?.programEnd === undefined ? {} : { programEnd: f.programEnd }),
    ...(f?.exitCapture === undefined ? {} : { exitCapture: f.exitCapture }),
    ...(f?.exitPeakKiB === undefined ? {} : { exitPeakMiB: f.exitPeakKiB / 1024 }),
    ...(f?.capturesKept ? { capturesKept: f.capturesKept } : {}),
  };
}

/**
 * When a pytest run's last test ended: the time of its capture, when snapshots come after it (pytest's
 * session end); null otherwise (MemorySeries.programEnd).
 */
function lastTestEnd(run: RunFolder): number | null {
  const tested = new Set(run.tests.flatMap((t) => (t.snapshot ? [t.snapshot] : [])));
  const snaps = run.files.filter((f) => f.kind === 'snapshot' && f.time !== null);
  const last = snaps.filter((f) => tested.has(f.path)).reduce<number | null>((a, f) => Math.max(a ?? 0, f.time!), null);
  return last !== null && snaps.some((f) => f.time! > last) ? last : null;
}

/**
 * What the run's own captures kept of the resident memory, in time order: a snapshot's `rssKept` (taken
 * alone), a test's (its measurement: the snapshots before and after its body, and their growth) at the
 * time of the test's capture. Empty for a run recorded before it was measured. Only a figure said
 * beside a verdict: an event whose fields are not what they should be is passed over, not an error.
 */
function capturesKept(dir: string): CaptureKept[] {
  const file = join(dir, 'captures.jsonl');
  const timeOf = new Map<string, number>();
  const out: CaptureKept[] = [];
  for (const { f } of events(file, [])) {
    const { kind, file: written, snapshot, time: at, rssKept } = f.o;
    if (kind !== 'snapshot' && kind !== 'test') continue;
    const path = kind === 'snapshot' ? written : snapshot;
    const time = typeof path !== 'string' ? null : kind === 'snapshot' ? at : timeOf.get(path);
    if (typeof time !== 'number' || !Number.isFinite(time)) continue;
    if (kind === 'snapshot') timeOf.set(path as string, time);
    if (Number.isSafeInteger(rssKept)) out.push({ time, bytes: rssKept as number });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** The program's own peak RSS as it exited (captures.jsonl's end event, `maxRssKiB`), or null. */
function exitPeakKiB(dir: string): number | null {
  const file = join(dir, 'captures.jsonl');
  let peak: number | null = null;
  for (const { f } of events(file, [])) if (f.str('kind') === 'end') peak = f.bytesOrNull('maxRssKiB');
  return peak;
}

/**
 * When the program's own code began: the time of the run's start capture, the first snapshot it takes
 * (labelled 'start', before the program runs), of every snapshot the run took; null when the first is
 * another. Not an allocator report's: `--allocator` runs the program a second time, after memory.dat.
 * Of a pytest run, when its tests began (`tests`): pytest's start-up and collection are warm-up (a
 * 1.2 s run of 2 tests keeping nothing, its RSS rising 37 MiB as pytest loaded, read a leak and the
 * gate failed).
 */
function programStart(files: readonly RunFile[], tests: number | null): number | null {
  let first: RunFile | null = null;
  for (const f of files) if (f.kind === 'snapshot' && f.time !== null && (!first || f.time < first.time!)) first = f;
  if (first?.label !== 'start') return null;
  return tests !== null && tests > first.time! ? tests : first.time;
}

/**
 * Of each allocator report the run matched by time with a snapshot, how far apart the two were taken as
 * shares of their runs' spans, start capture to exit capture (AllocatorStats.progressGap): the run
 * without tracemalloc goes faster, a program's work the more so, so a report taken as far into its run's
 * time as the snapshot into its own can be another moment of the program.
 */
function progressGaps(files: readonly RunFile[]): Map<RunFile, number> {
  const span = (kind: RunFile['kind']) => {
    const at = (label: string) =>
      files.find((f) => f.kind === kind && f.label === label && f.time !== null)?.time ?? undefined;
    const [start, exit] = [at('start'), at('exit')];
    return start !== undefined && exit !== undefined && exit > start ? { start, exit } : null;
  };
  const [traced, untraced] = [span('snapshot'), span('allocator-stats')];
  const out = new Map<RunFile, number>();
  if (!traced || !untraced) return out;
  const share = (t: number, s: { start: number; exit: number }) => (t - s.start) / (s.exit - s.start);
  for (const f of files) {
    if (f.kind !== 'allocator-stats' || f.matchedBy !== 'time' || f.time === null || f.matches === null) continue;
    const snap = files.find((x) => x.kind === 'snapshot' && x.path === f.matches && x.time !== null);
    if (snap) out.set(f, Math.abs(share(f.time, untraced) - share(snap.time!, traced)));
  }
  return out;
}

/** When the run's exit capture began: the time of its last snapshot when labelled 'exit'; else null. */
function exitCapture(files: readonly RunFile[]): number | null {
  let last: RunFile | null = null;
  for (const f of files) if (f.kind === 'snapshot' && f.time !== null && (!last || f.time > last.time!)) last = f;
  return last?.label === 'exit' ? last.time : null;
}

/** When a pytest run's tests began, collection done (captures.jsonl's `tests` event), or null. */
function testsBegan(dir: string): number | null {
  let time: number | null = null;
  for (const { f } of events(join(dir, 'captures.jsonl'), []))
    if (f.str('kind') === 'tests') time = f.numOrNull('time');
  return time;
}

/**
 * The program's own calls of tracemalloc.clear_traces() and stop() (`tracemalloc` events of
 * captures.jsonl, with the number of captures before each): what was traced before one is in no
 * later capture, so captures on either side of it are not compared: the longest run of captures
 * between such calls is kept (the later of two alike), the others are left out, said (blocks kept
 * since the start read as freed, "transient"; a clear registered with atexit left one capture of
 * eleven, and the leak they showed went unjudged). After a stop that none follows, no capture was
 * taken: said, as the captures end there.
 */
function afterTracemallocCalls(run: RunFolder): RunFolder {
  const file = join(run.dir, 'captures.jsonl');
  const calls: { call: string; after: number }[] = [];
  for (const { f } of events(file, [])) {
    if (f.str('kind') === 'tracemalloc') calls.push({ call: f.str('call'), after: f.num('after') });
  }
  if (!calls.length) return run;
  const snapshots = run.files.filter((f) => f.kind === 'snapshot');
  const named = (k: number): string => {
    const f = snapshots[k - 1];
    return f ? `capture ${k}${f.label ? ` (${f.label})` : ''}` : `capture ${k}`;
  };
  const what = (c: { call: string }): string => `tracemalloc.${c.call === 'stop' ? 'stop' : 'clear_traces'}()`;
  const warnings = [...run.warnings];
  // Runs of captures between the calls that captures follow: [from, to) by index.
  const cuts = [...new Set(calls.filter((c) => c.after > 0 && c.after < snapshots.length).map((c) => c.after))].sort(
    (a, b) => a - b,
  );
  let files = run.files;
  if (cuts.length) {
    const bounds = [0, ...cuts, snapshots.length];
    let best = 0;
    for (let r = 1; r < bounds.length - 1; r++) {
      if (bounds[r + 1]! - bounds[r]! >= bounds[best + 1]! - bounds[best]!) best = r;
    }
    const [from, to] = [bounds[best]!, bounds[best + 1]!];
    const kept = new Set(snapshots.slice(from, to).map((f) => f.path));
    files = run.files.filter((f) => f.kind !== 'snapshot' || kept.has(f.path));
    const call = (k: number): string => what(calls.find((c) => c.after === k)!);
    const said = [
      from > 0 ? `${call(from)} after ${named(from)}` : null,
      to < snapshots.length ? `${call(to)} after ${named(to)}` : null,
    ].filter((x): x is string => x !== null);
    warnings.push(
      `${run.dir}: the program called ${said.join(' and ')}: what was traced before such a call is in no later ` +
        `capture, so captures ${from + 1} to ${to} (the most between such calls) are judged and the ` +
        `${snapshots.length - (to - from) === 1 ? 'other is' : `${snapshots.length - (to - from)} others are`} left out`,
    );
  }
  const stop = calls.find((c) => c.call === 'stop' && c.after >= snapshots.length);
  if (stop) {
    warnings.push(
      `${run.dir}: the program stopped tracemalloc after ${named(stop.after)}: no capture was taken after it, so ` +
        'the captures end there (before the program did)',
    );
  }
  return { ...run, files, warnings };
}

// What `arenascope run` writes beside the captures the run names: its records, a capture's sidecars,
// the allocator run's output, files being written (.tmp, .part); each gzipped since, too.
const OWN = /^(?:manifest\.json|captures\.jsonl|memory\.dat|allocator\/(?:captures\.jsonl|output\.txt))(?:\.gz)?$/;
const SIDECAR = /\.(?:time|label|peak)(?:\.gz)?$/;
// A capture's name as the run writes it: one there that the run did not record was written as it was killed.
const CAPTURE = /^(?:snapshots\/\d+\.pickle|allocator\/\d+\.txt)(?:\.gz)?$/;
const WRITING = /\.(?:tmp|part)$/;

/**
 * Files in a run folder (its top, snapshots/ and allocator/) that the run did not write: a report or
 * notes saved beside its captures are passed over with a warning, as in any folder (they were
 * passed over unsaid). Hidden files are passed over unsaid, as a folder's are.
 */
function strangers(dir: string, files: readonly RunFile[]): string[] {
  const known = new Set(files.map((f) => relative(dir, f.path).replace(/\.gz$/, '')));
  const out: string[] = [];
  const unrecorded = new Set<string>();
  const look = (sub: string): void => {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub)).sort(byName);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const rel = sub ? `${sub}/${name}` : name;
      const path = join(dir, rel);
      if (!sub && (name === 'snapshots' || name === 'allocator')) continue;
      if (OWN.test(rel) || WRITING.test(name) || known.has(rel.replace(/\.gz$/, ''))) continue;
      const side = SIDECAR.exec(rel);
      const of = side ? rel.slice(0, side.index).replace(/\.gz$/, '') : null;
      if (of !== null && (known.has(of) || unrecorded.has(of))) continue;
      let st: ReturnType<typeof statSync> | null;
      try {
        st = statSync(path);
      } catch {
        st = null;
      }
      // What an entry is when it is no file the run could have written.
      const odd = !st
        ? 'a link to nothing, or that cannot be read'
        : st.isDirectory()
          ? 'a directory'
          : !st.isFile()
            ? 'not a regular file (a pipe, a socket, a device)'
            : null;
      if (CAPTURE.test(rel)) {
        unrecorded.add(rel.replace(/\.gz$/, ''));
        const what = odd ?? (st!.size === 0 ? 'an empty file' : null);
        out.push(
          `skipping ${path}: ${what ? `named like a capture, ${what}` : 'a capture the run wrote but did not record (it was stopped as it wrote it?)'}`,
        );
        continue;
      }
      out.push(`skipping ${path}: ${odd && !st?.isDirectory() ? `${odd}, ` : ''}not one of the run's captures`);
    }
  };
  for (const sub of ['', 'snapshots', 'allocator']) look(sub);
  return out;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// The allocator/ folder of a run (its second run's captures.jsonl starts in mode "allocator"): a
// folder of allocator reports, read as one, not a run of its own that "did not finish".
function allocatorRun(jsonl: string): boolean {
  const first = jsonl.split('\n', 1)[0]!;
  try {
    const start = JSON.parse(first) as Json;
    return typeof start === 'object' && start !== null && !Array.isArray(start) && start.mode === 'allocator';
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The files of the runs by path: what the run recorded of each capture (label, time, peak, match). */
export function runFiles(runs: readonly RunFolder[]): Map<string, RunFile> {
  const m = new Map<string, RunFile>();
  for (const r of runs) for (const f of r.files) m.set(f.path, f);
  return m;
}

/** A file's or folder's real path (its links followed), or the path as given when it has none. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * What its run recorded of a capture file named on its own (or by a glob), under the path given: a
 * run's memory.dat is read as its run records it, what its MEM counts (`--mem-includes-children`
 * halved a run's peak given so, and a gate passed) and the program's own peak at exit; a snapshot
 * or allocator report in a run's folder, its time and traced peak. Undefined for other files.
 */
export function runFileOf(path: string): RunFile | undefined {
  if (path === '-') return undefined;
  const inRun = runHolding(realPath(path));
  if (inRun === null) return runMemoryFile(path);
  let run: RunFolder | null = null;
  try {
    run = readRunFolder(inRun);
  } catch {
    return undefined; // a damaged manifest: said where the folder is read as a run
  }
  const real = resolve(realPath(path));
  const f = run?.files.find((x) => x.kind !== 'memory' && resolve(realPath(x.path)) === real);
  return f && { ...f, path };
}

/** A run's memory.dat named on its own: what its run recorded of it (runFileOf). */
export function runMemoryFile(path: string): RunFile | undefined {
  if (path === '-' || !/^memory\.dat(?:\.gz)?$/.test(basename(path))) return undefined;
  // By its real path: a link to a run's memory.dat is that run's.
  const real = realPath(path);
  let run: RunFolder | null = null;
  try {
    run = readRunFolder(dirname(real));
  } catch {
    return undefined; // a damaged manifest: said where the folder is read as a run
  }
  const f = run?.files.find((x) => x.kind === 'memory' && resolve(x.path) === resolve(real));
  return f && { ...f, path };
}

/**
 * The run folder a capture file is in, by its place: `<run>/snapshots/<file>` or
 * `<run>/allocator/<file>` of a folder holding a run's manifest or events; else null.
 */
export function runHolding(path: string): string | null {
  const dir = dirname(path);
  if (path === '-' || (basename(dir) !== 'snapshots' && basename(dir) !== 'allocator')) return null;
  const run = dirname(dir);
  let known = runFolders.get(run);
  if (known === undefined) {
    try {
      known = readRunFolder(run) !== null;
    } catch {
      known = false; // a damaged manifest: its folder is read as a plain one, which says so
    }
    runFolders.set(run, known);
  }
  return known ? run : null;
}
const runFolders = new Map<string, boolean>();
