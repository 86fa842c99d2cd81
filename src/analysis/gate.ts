// The CI gate: checks of the current captures' report data, alone or against a baseline's. Each
// check is pass or fail, with what was measured, the limit, and where (file:line) when it has one.

import { posix } from 'node:path';
import { type Frame, namesNoFile } from '../model/frames.js';
import type { RunInfo, RunTest } from '../model/run.js';
import { UsageError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import { fnmatchToRegExp, normalizeFilename } from '../util/fnmatch.js';
import { printfFixed } from '../util/printf.js';
import { codeOf } from '../util/python-code.js';
import { fmtBytes } from '../util/text.js';
import { type SiteTrend, siteName, verdictGrowth } from './leaks.js';
import { DEFAULT_MIN_LEAK_CONFIDENCE, leakingSeries } from './mprof.js';
import {
  AT_NEW_ARENA,
  type FragmentationMeasure,
  fragmentedOver,
  MADE_AFTER,
  MIN_SPARE_ARENAS,
} from './pymalloc/compare.js';
import { UNTRACED_SITE } from './pymalloc/replay.js';
import {
  finalCapture,
  finalCaptureName,
  type ReportData,
  reportsAloneMeasure,
  type SnapshotSection,
  type TopSite,
} from './report-data.js';

/** A limit on growth: a share of the baseline, or an absolute number of bytes. */
export type GrowthLimit = { readonly percent: number } | { readonly bytes: number };

export interface GateLimits {
  /** Peak memory (mprof peak, or the traced total of the largest capture), in bytes. */
  readonly maxPeak?: number;
  readonly maxPeakGrowth?: GrowthLimit;
  /** Traced bytes at the last capture, against the baseline's last capture. */
  readonly maxTotalGrowth?: GrowthLimit;
  /** Leaks allowed (sites of a snapshot series and mprof processes judged leaking). */
  readonly maxLeaks?: number;
  /** Leaks judged with less confidence than this do not count. */
  readonly minLeakConfidence?: number;
  /** Growth of any one site (line) against the baseline, in bytes. */
  readonly maxSiteGrowth?: number;
  /**
   * Fragmentation above this share fails: the share of the arenas held that packing the live blocks
   * would give back (FragmentationMeasure, as `replay` measures it).
   */
  readonly maxFragmentation?: number;
  /** fnmatch patterns of file names whose sites the site-level checks leave out. */
  readonly ignore?: readonly string[];
}

export interface CheckResult {
  readonly check: string;
  readonly passed: boolean;
  readonly measured: number | null;
  /** Where `measured` is the model's best case (fragmentation without a real report): its scattered order's (no bound). */
  readonly worstCase?: number;
  /**
   * Fragmentation: the spare arenas behind `measured`; under MIN_SPARE_ARENAS they count as none, and a
   * share over the limit passes (1 of 2 arenas spare is 50%).
   */
  readonly spareArenas?: number;
  readonly limit: number;
  readonly unit: 'bytes' | 'percent' | 'count' | 'ratio';
  readonly message: string;
  /** Every place the check found (each leak, each line over its limit), worst first: what CI annotates. */
  readonly sites: readonly GateSite[];
}

export interface GateSite {
  /** Where to point: the line, or the repository line that leads to it (see sourceLocation). */
  readonly file: string;
  /**
   * The file as the capture names it (absolute), where `file` is relative to the root it lies under
   * (the gate's or the captured program's working directory): what a CI workspace's path is taken from.
   */
  readonly path?: string;
  readonly line: number;
  /** What was found there. */
  readonly detail: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: readonly CheckResult[];
  /** What to know about the comparison: kinds of capture the baseline does not hold (sharedKinds). */
  readonly notices: readonly string[];
}

export { DEFAULT_MIN_LEAK_CONFIDENCE } from './mprof.js';

/**
 * Lines a baseline keeps: enough for any real program; beyond it the gate takes the smallest kept size as the floor.
 */
export const BASELINE_SITES = 20_000;

/** The checks that compare against a baseline: asked for without one, they are a usage error. */
export function requireBaseline(limits: GateLimits, hasBaseline: boolean): void {
  if (hasBaseline) return;
  const relative = {
    '--max-peak-growth': limits.maxPeakGrowth,
    '--max-total-growth': limits.maxTotalGrowth,
    '--max-site-growth': limits.maxSiteGrowth,
  };
  const needs = Object.entries(relative)
    .filter(([, v]) => v !== undefined)
    .map(([flag]) => flag);
  if (needs.length) {
    const verb = needs.length > 1 ? 'compare' : 'compares';
    throw new UsageError(
      `${needs.join(', ')} ${verb} against a baseline: give --baseline (or "baseline" in the config file)`,
    );
  }
}

// What a baseline is compared on: the formats of capture (a tracemalloc dump's traced bytes are not a
// memray CSV's); allocator reports are never compared against a baseline.
const KIND_NAMES: Readonly<Record<string, { name: string; add: string }>> = {
  'tracemalloc-snapshot': { name: 'tracemalloc dumps', add: "this run's Snapshot.dump() files" },
  'arenascope-json': { name: 'arenascope JSON snapshots', add: "this run's arenascope JSON snapshots" },
  'memray-csv': { name: 'memray CSV', add: "this run's `memray transform csv` files" },
  'tracemalloc-text': { name: 'tracemalloc statistics logs', add: "this run's statistics log" },
  mprof: { name: 'mprof runs', add: "this run's mprof .dat file (`mprof run -o`)" },
  'line-report': { name: 'memory_profiler line reports', add: "this run's memory_profiler report" },
};
const SNAPSHOT_FORMATS = ['tracemalloc-snapshot', 'arenascope-json', 'memray-csv', 'tracemalloc-text'];
const kindName = (k: string): string => KIND_NAMES[k]?.name ?? k;
const kindsOf = (d: ReportData): string[] => d.formats.filter((k) => k !== 'allocator-stats');

// Interpreter options that take a value (`-X dev`, `-W error`).
const WITH_VALUE = new Set(['-X', '-W']);
const INTERPRETER = /^python[\d.]*(?:\.exe)?$/i;

/**
 * The program a run ran, as one string: its script's name, or `-m module` / `-c code`, the
 * interpreter and its options left out (`python3 -X dev ./app.py` and `app.py` are one program, and
 * so are `/ci/app.py` and `app.py`); none for a command that names none. Another program's baseline
 * compares nothing, and passes or fails as such.
 */
function programOf(command: readonly string[]): string[] {
  if (!command.length) return [];
  let i = INTERPRETER.test(command[0]!.split(/[\\/]/).pop()!) ? 1 : 0;
  if (i === 0) return [command[0]!.split(/[\\/]/).pop()!]; // a console script (pytest)
  for (; i < command.length; i++) {
    const a = command[i]!;
    if (a === '-m' || a === '-c') return i + 1 < command.length ? [`${a} ${command[i + 1]}`] : [];
    if (WITH_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) return [a.split(/[\\/]/).pop()!];
  }
  return [];
}

/** What the current captures and a baseline both hold, and so what the growth checks compare. */
export interface SharedKinds {
  /** Both hold mprof runs or line reports: peaks compare the process's peaks (RSS). */
  readonly memory: boolean;
  /** Both hold snapshots of the same formats: traced bytes, peaks and lines compare. */
  readonly snapshots: boolean;
  /** One line per kind only the current captures hold (checked with absolute limits only). */
  readonly notices: readonly string[];
}

/**
 * The key of a side's logged listings: as written, or of a baseline written before it was (by file
 * when its every top site is at line 0, as CPython prints a statistic by file; else by line).
 */
function listingKeyOf(d: ReportData): string | undefined {
  const s = d.snapshots;
  if (!s || !kindsOf(d).includes('tracemalloc-text')) return undefined;
  if (s.listing) return s.listing;
  // (By line, it may have been by traceback: those builds wrote a listing by traceback's lines.)
  return s.topSites.length && s.topSites.every((t) => t.frames[0]?.lineno === 0) ? 'filename' : 'lines';
}

/**
 * A growth check of traced totals, where either side's are a logged listing's: the sites it lists, a
 * top N leaving the rest out, so a floor of the traced memory; the difference of two floors bounds
 * nothing (a top 3 grown by 229 KiB passed a 500 KiB limit where the snapshots' totals grew by 571;
 * h381). Passed, it fails as not measured; failed, it is said to be the listed sites' growth.
 */
function floorsCompared(current: ReportData, baseline: ReportData | null): (c: CheckResult) => CheckResult {
  const listed = [current, baseline].some((d) => d !== null && listingKeyOf(d) !== undefined);
  if (!listed) return (c) => c;
  const note =
    "a listing's total is the sites it lists (a top N leaves the rest out), a floor of the traced memory: " +
    "two floors' difference is no growth, whole listings' told from none; dumps (Snapshot.dump()) or mprof runs measure it";
  return (c) =>
    c.measured === null
      ? c
      : c.passed
        ? { ...c, passed: false, message: `${c.message}; not measured: ${note}` }
        : { ...c, message: `${c.message}; of the sites the listings list: ${note}` };
}

/**
 * Compares what both sides hold. A kind the baseline holds and the current captures lack is an
 * error saying what to add; a kind only the current captures hold is a notice.
 */
export function sharedKinds(current: ReportData, baseline: ReportData, name: string): SharedKinds {
  const now = kindsOf(current);
  const before = kindsOf(baseline);
  const missing = before.filter((k) => !now.includes(k));
  if (missing.length) {
    const held = missing.map(kindName).join(' and ');
    const add = missing.map((k) => KIND_NAMES[k]?.add ?? `this run's ${k} files`).join(' and ');
    throw new UsageError(
      `${name}: the baseline holds ${held}, the current captures none: add ${add} to the inputs, ` +
        'or give a --baseline written from the kinds of capture this run has',
    );
  }
  // Listings of two keys: a file listing's whole file read as a line "grown from nothing" (h297).
  const [keyNow, keyBefore] = [listingKeyOf(current), listingKeyOf(baseline)];
  const lines = (k: string | undefined): boolean => k === 'lineno' || k === 'traceback' || k === 'lines';
  if (keyNow && keyBefore && keyNow !== keyBefore && !(keyBefore === 'lines' && lines(keyNow))) {
    const by = (k: string): string =>
      ({ filename: 'by file', lineno: 'by line', lines: 'by line or by traceback' })[k] ?? 'by traceback';
    throw new UsageError(
      `${name}: the baseline holds tracemalloc listings ${by(keyBefore)}, the current captures listings ` +
        `${by(keyNow)}: their sites do not compare; print both with one key (statistics('${keyBefore === 'lines' ? 'lineno' : keyBefore}')), ` +
        'or write the baseline from listings like these',
    );
  }
  const extra = now.filter((k) => !before.includes(k));
  const snaps = (ks: string[]): string => ks.filter((k) => SNAPSHOT_FORMATS.includes(k)).join(',');
  // CPython 3.11 and 3.12 allocate differently, and their standard library's lines differ. The
  // version a run folder records, else the one its standard library's paths name (lib/python3.12/):
  // dumps of 3.12 against a baseline of 3.11 grew 15% in the import machinery, unsaid.
  const minor = (d: ReportData): string[] => {
    const recorded = (d.runs ?? []).flatMap((r) => (r.python ? [r.python.split('.').slice(0, 2).join('.')] : []));
    const named = (d.snapshots?.topSites ?? []).flatMap((s) =>
      s.frames.flatMap((f) => /[\\/]lib[\\/]python(3\.\d+)[\\/]/.exec(f.filename)?.[1] ?? []),
    );
    return [...new Set(recorded.length ? recorded : named)].sort();
  };
  const [was, is] = [minor(baseline), minor(current)];
  const python =
    was.length && is.length && was.join() !== is.join()
      ? [
          `${name} was captured with CPython ${was.join(', ')}, these captures with ${is.join(', ')}: growth may be the version's`,
        ]
      : [];
  const programs = (d: ReportData): string[] => [...new Set((d.runs ?? []).flatMap((r) => programOf(r.command)))];
  const [ranBefore, ranNow] = [programs(baseline), programs(current)];
  const program =
    ranBefore.length && ranNow.length && !ranNow.some((p) => ranBefore.includes(p))
      ? [
          `${name} was captured running ${quoted(ranBefore[0]!, 60)}, these captures running ${quoted(ranNow[0]!, 60)}: ` +
            'if they are not the same program, the growth checks compare two programs',
        ]
      : [];
  // Without a run's command line on both sides (which says it, when they differ): the program's own
  // files, by name (the standard library, frozen modules and arenascope's internals aside), in snapshot
  // sites and line reports. None in common: another program's baseline passed a gate on its totals and
  // peaks, unsaid (h319).
  const ownFiles = (d: ReportData): Set<string> =>
    new Set(
      [
        ...(d.snapshots?.topSites ?? [])
          .filter((s) => !s.internal)
          .flatMap((s) => s.frames.map((f) => f.filename))
          .filter((f) => !f.startsWith('<') && !/[\\/]lib[\\/]python3\.\d+[\\/]/.test(f)),
        ...(d.lineReports ?? []).flatMap((r) => r.blocks.map((b) => b.filename)),
      ].map((f) => f.split(/[\\/]/).pop()!),
    );
  const [filesBefore, filesNow] = [ownFiles(baseline), ownFiles(current)];
  const files =
    !(ranBefore.length && ranNow.length) &&
    filesBefore.size &&
    filesNow.size &&
    ![...filesNow].some((f) => filesBefore.has(f))
      ? [
          `${name} names none of the files these captures name (${quoted([...filesBefore][0]!, 40)} there, ` +
            `${quoted([...filesNow][0]!, 40)} here): if they are not the same program, the growth checks compare two programs`,
        ]
      : [];
  return {
    // A line report's peak (its highest Mem usage) is a process's peak as an mprof run's is.
    memory: before.includes('mprof') || before.includes('line-report'),
    snapshots: snaps(before) !== '' && snaps(before) === snaps(now),
    notices: [
      ...python,
      ...program,
      ...files,
      ...extra.map(
        (k) =>
          `${kindName(k)} (in the current captures) are not in ${name}: ` +
          'they are checked with absolute limits only (--max-peak, --max-leaks, --max-fragmentation)',
      ),
    ],
  };
}

const MiB = 2 ** 20;

/**
 * Peak memory of a report: the mprof peak when there is one, else the snapshots': tracemalloc's
 * traced peak between captures when it is known (the `.peak` sidecars, a run's manifest; `traced`
 * false leaves it out), or the largest traced total. `from` picks one (a baseline is compared on
 * what both sides hold).
 */
/** The mprof runs with no peak (no MEM sample measured the program, only its children). */
const noPeak = (d: ReportData): string[] => d.memory.filter((m) => m.peakMiB === null).map((m) => m.label);

/** Why runs have no peak: no MEM sample measured the program (its children alone were, or only Python starting). */
function noPeakWhy(d: ReportData, unknown: readonly string[]): string {
  const early = d.memory.filter((m) => m.sampledBeforeProgram && unknown.includes(m.label)).length;
  const why = [
    ...(early < unknown.length ? ['only its children'] : []),
    ...(early ? ['only Python starting, before the program began (a program done within one sample interval)'] : []),
  ];
  return `no MEM sample measured the program, ${why.join('; or ')}`;
}

export function peakBytes(d: ReportData, from?: 'memory' | 'snapshots', traced = true, calls = false): number | null {
  // The mprof runs' alone when they are compared (line reports' when there is none): a line report's
  // peak beside them is no mprof peak (a baseline's line report of 71.9 MiB against a current run's
  // 71.8 passed a run that grew 53%). `calls`: with the @profile calls' highest (FUNC lines) where above.
  const runs = d.memory.flatMap((m) =>
    m.peakMiB === null ? [] : [calls ? Math.max(m.peakMiB, m.callsPeakMiB ?? 0) : m.peakMiB],
  );
  // The figure as printed, in bytes, fraction and all (29.9023 MiB is 31354834.1248 B): rounded to whole
  // bytes, a peak printed 41.863281 MiB failed a limit written 41.863281MiB, and 3.9 MiB of growth
  // between two line reports a limit of 3.9MiB (h269); limits keep their fraction too (parseSize).
  if (from === 'memory' && runs.length) return Math.max(...runs) * MiB;
  if (from !== 'snapshots' && d.summary.peakMiB !== null) return d.summary.peakMiB * MiB;
  if (from === 'memory') return null;
  const totals = d.snapshots?.totals.map((t) => t.size) ?? [];
  const peak = traced ? (d.summary.tracedPeakBytes ?? null) : null;
  if (peak !== null) totals.push(peak);
  return totals.length ? Math.max(...totals) : null;
}

/**
 * The current and baseline mprof runs paired by command (their CMDLINE), when either side runs two
 * commands or more and the baseline runs every one the current runs do; null otherwise (all of them
 * compared, peak against peak).
 */
function runsByCommand(
  current: ReportData,
  baseline: ReportData,
): { command: string; current: ReportData; baseline: ReportData }[] | null {
  const commands = [...new Set(current.memory.map((m) => m.cmdline))];
  const theirs = new Set(baseline.memory.map((m) => m.cmdline));
  if (!commands.length || commands.some((c) => c === null || !theirs.has(c))) return null;
  if (commands.length < 2 && theirs.size < 2) return null;
  const of = (d: ReportData, c: string): ReportData => ({ ...d, memory: d.memory.filter((m) => m.cmdline === c) });
  return commands.map((c) => ({ command: c!, current: of(current, c!), baseline: of(baseline, c!) }));
}

/** The commands of current mprof runs that no baseline run ran (both sides naming theirs). */
function unmatched(current: ReportData, baseline: ReportData | null): string[] {
  const theirs = new Set(baseline?.memory.map((m) => m.cmdline) ?? []);
  if (!theirs.size || theirs.has(null)) return [];
  return [...new Set(current.memory.flatMap((m) => (m.cmdline !== null && !theirs.has(m.cmdline) ? [m.cmdline] : [])))];
}

// A peak check compared over all the runs, saying which commands the baseline never ran.
const withUnmatched = (check: CheckResult, commands: readonly string[]): CheckResult =>
  commands.length && check.measured !== null
    ? {
        ...check,
        message: `${check.message}; the baseline holds no run of ${quoted(commands[0]!, 60)}${commands.length > 1 ? ` (and ${commands.length - 1} more)` : ''}: compared with all its runs`,
      }
    : check;

/**
 * Whether a side's memory_profiler reports measured traced memory (`backend='tracemalloc'`), not RSS:
 * a Mem usage under 1 MiB, which no Python process's RSS is; null without reports.
 */
function tracedReports(d: ReportData): boolean | null {
  let low = Infinity;
  for (const r of d.lineReports)
    for (const b of r.blocks) for (const l of b.lines) if (l.memMiB !== null) low = Math.min(low, l.memMiB);
  return low === Infinity ? null : low < 1;
}

/**
 * Refuses peaks of memory_profiler reports of two backends compared: traced memory against RSS (a
 * report of backend='tracemalloc' against a baseline of psutil's passed at +4.6% where RSS grew 44.8%;
 * h387).
 */
function sameReportBackend(current: ReportData, baseline: ReportData): void {
  const [now, before] = [tracedReports(current), tracedReports(baseline)];
  if (now === null || before === null || now === before) return;
  const what = (traced: boolean): string =>
    traced ? "tracemalloc's traced memory (backend='tracemalloc': a Mem usage under 1 MiB)" : 'the process RSS';
  throw new UsageError(
    `--max-peak-growth: the baseline's memory_profiler reports measured ${what(before)}, the current ones ${what(now)}: ` +
      'their peaks do not compare; profile both with one backend',
  );
}

/** The largest memory usage the memory_profiler reports print, or null when there is none. */
function lineReportPeak(d: ReportData): number | null {
  let peak: number | null = null;
  for (const r of d.lineReports)
    for (const b of r.blocks)
      for (const l of b.lines) if (l.memMiB !== null) peak = Math.max(peak ?? 0, l.memMiB * MiB);
  return peak;
}

/**
 * The file a process's peak is from: an mprof run's or a line report's (a report left among the dumps
 * set the peak, and the message did not say so).
 */
function peakOrigin(d: ReportData, peakMiB: number): string {
  const run = d.memory.find((m) => m.peakMiB === peakMiB);
  if (run?.sampledPeakMiB !== undefined) {
    return `${run.label}: the program's own peak RSS at exit; its samples reached ${run.sampledPeakMiB.toFixed(1)} MiB`;
  }
  // An -M run's peak is its program's and its children's at one sample: said, as `info` says it (h311).
  const main = run?.lines[0]?.mib ?? [];
  const own = main.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  if (run && run.lines.length > 1 && peakMiB > own) return `mprof ${run.label}, with its children`;
  if (run) return `mprof ${run.label}`;
  const report = d.lineReports.find((r) => r.blocks.some((b) => b.lines.some((l) => l.memMiB === peakMiB)));
  return report ? `memory_profiler report ${report.file}` : 'mprof';
}

/** What peakBytes measured, as the gate names it (`snapshots`: it measured the snapshots, whatever else there is). */
function peakName(d: ReportData, traced = true, snapshots = false): string {
  if (d.summary.peakMiB !== null && !snapshots) return `peak (${peakOrigin(d, d.summary.peakMiB)})`;
  return traced && d.summary.tracedPeakBytes != null ? 'traced peak' : 'largest traced total';
}

// The traced total of the capture the report's top sites describe (the one before a run's exit capture).
function lastTotal(d: ReportData): number | null {
  const s = d.snapshots;
  return s?.totals.length ? s.totals[finalCapture(s)]!.size : null;
}

/** Whether a report's figures are of its exit capture (a run of start and exit alone, or an old baseline). */
const atExit = (d: ReportData): boolean => !!d.snapshots && exitAlone(d.snapshots);
const exitAlone = (s: SnapshotSection): boolean => s.final === undefined && s.labels.at(-1) === 'exit';

/**
 * The lines of both exit captures where one side gives its exit capture's alone (atExit) and the other
 * keeps its exit capture's beside those of the capture before it (exitSites): null when it does not.
 */
function exitAgainstExit(
  current: SnapshotSection,
  baseline: SnapshotSection,
): { sites: readonly TopSite[]; baseSites: readonly TopSite[]; baseTotal: number } | null {
  const exitTotal = (s: SnapshotSection): number => s.totals.at(-1)!.size;
  if (exitAlone(current) && baseline.exitSites)
    return { sites: current.topSites, baseSites: baseline.exitSites, baseTotal: exitTotal(baseline) };
  if (exitAlone(baseline) && current.exitSites)
    return { sites: current.exitSites, baseSites: baseline.topSites, baseTotal: exitTotal(baseline) };
  return null;
}

/**
 * The traced totals of both sides at one moment, and what it is: both at the capture the current
 * figures are of, the baseline's exit capture when they are of an exit capture, else the capture
 * before its exit (a baseline keeps every capture's total); a baseline of start and exit alone, at
 * both exit captures. A run with no checkpoint was judged at exit, after main() had freed a 3 MB leak,
 * against the capture before exit of a baseline with checkpoints: -99.2%, and the gate passed.
 */
function totalsAtOneMoment(
  current: ReportData,
  baseline: ReportData | null,
): { now: number | null; before: number | null; what: string; exit?: { now: number; before: number } } {
  const c = current.snapshots;
  const what = `traced memory at the ${c ? (exitAlone(c) ? 'exit capture' : finalCaptureName(c)) : 'last capture'}`;
  const s = baseline?.snapshots;
  if (!baseline || !s?.totals.length) return { now: lastTotal(current), before: null, what };
  const exitOf = (x: { labels: readonly string[] }): number | null =>
    x.labels.at(-1) === 'exit' ? x.labels.length - 1 : null;
  const [cx, bx] = [c ? exitOf(c) : null, exitOf(s)];
  if (atExit(current))
    return { now: lastTotal(current), before: bx === null ? lastTotal(baseline) : s.totals[bx]!.size, what };
  // Both sides' exit captures too, where the figures are of the captures before them: what a program
  // keeps after its last checkpoint is there only (a 2 MB global kept there passed at +0.0%).
  // Not where either side is a pytest run judged at its last test's capture: its exit capture is pytest's
  // session end, what plugins' and conftest's hooks keep (a summary hook keeping 3 MB more failed an
  // unchanged suite; h286), as the leak verdicts leave it out.
  const exit =
    c?.final !== undefined && bx !== null && bx >= 2 && !c.finalIsLastTest && !s.finalIsLastTest
      ? { now: c.totals[cx!]!.size, before: s.totals[bx]!.size }
      : undefined;
  if (atExit(baseline) && bx !== null && bx >= 2)
    return { now: lastTotal(current), before: s.totals[bx - 1]!.size, what, ...(exit ? { exit } : {}) };
  // A baseline of start and exit alone against captures with checkpoints: both at exit (the capture
  // before exit, 4 MB of leak in it, was compared with the baseline's exit: -16.6%, passed).
  if (atExit(baseline) && c && cx !== null) {
    return { now: c.totals[cx]!.size, before: s.totals[bx!]!.size, what: 'traced memory at the exit capture' };
  }
  return { now: lastTotal(current), before: lastTotal(baseline), what, ...(exit ? { exit } : {}) };
}

/**
 * Peak growth of the largest traced totals where one side alone knows its traced peak (its `.peak`
 * sidecars or run manifest). The current peak against the baseline's largest total is the most the
 * peak can have grown: past the limit, the check cannot pass (a baseline of dumps alone passed a run
 * whose traced peak was +545% of it, its totals compared); the other way round, it is said.
 */
function tracedPeakOnOneSide(
  check: CheckResult,
  current: ReportData,
  baseline: ReportData,
  limit: GrowthLimit,
): CheckResult {
  const peak = current.summary.tracedPeakBytes;
  if (peak == null) {
    // The current peak is not known: its largest total is only a floor of it (a temporary of 1.6 million
    // objects freed between captures, 161.7 MiB against the baseline's 40.2, passed at +0.0%).
    if (baseline.summary.tracedPeakBytes == null || !check.passed) return check;
    return {
      ...check,
      passed: false,
      message:
        `${check.message.replace(/, limit [^)]*\)$/, ')')}: not measured, the current captures record no traced peak ` +
        `and the baseline does (${fmtBytes(baseline.summary.tracedPeakBytes)}): their largest total is only a floor ` +
        'of their peak; capture them with their peak (`arenascope run`, or `.peak` sidecars)',
    };
  }
  const most = growthCheck(check.check, 'traced peak', peak, peakBytes(baseline, 'snapshots', false), limit);
  if (most.passed || !check.passed) return check;
  return {
    ...most,
    message:
      `${most.message.replace(/^traced peak /, "traced peak against the baseline's largest traced total ")}: ` +
      'not measured, the baseline records no traced peak (its captures had no `.peak` sidecars or run manifest); ' +
      `${check.message.replace(/, limit [^)]*\)$/, ')')}; write the baseline from captures that record their peak ` +
      '(`arenascope run`)',
  };
}

/**
 * A growth check at the capture before exit, with its check at the exit capture: the one that fails
 * decides (the capture before exit's when both do), and the exit capture's is said when it fails.
 */
function withExitCheck(main: CheckResult, exit: CheckResult | null): CheckResult {
  if (!exit) return main;
  const figures = exit.message.replace(/^traced memory at the exit capture /, '');
  // The check's figure is the larger growth of the two (a passing one said nothing of the other's).
  const measured =
    main.measured === null || exit.measured === null ? main.measured : Math.max(main.measured, exit.measured);
  const before = main.message.replace(/, limit [^)]*\)$/, ')');
  if (exit.passed) return { ...main, measured, message: `${before}; at the exit capture ${figures}` };
  return main.passed
    ? {
        ...exit,
        message:
          `${before}; but at the exit capture ${figures}, ` +
          'which alone holds what the program keeps after its last checkpoint',
      }
    : { ...main, measured, message: `${before}; at the exit capture ${figures}` };
}

const ABSOLUTE = /^(?:\/|[A-Za-z]:[\\/])/;
const INSTALLED = /[\\/](?:site|dist)-packages[\\/]/;

/**
 * Where a CI system should point for a site: the most recent frame of its traceback in the
 * repository's code, else the allocating line itself. The repository's code is a file named relative
 * to the working directory, or by absolute path under one of `roots` (the directories the gate and
 * the captured program ran in: CPython 3.9+ names a script by absolute path) and not an installed
 * package; it is given relative to its root, as CI annotations want. The standard library and site
 * packages are named by absolute path elsewhere.
 */
export function sourceLocation(
  site: Frame,
  traceback: readonly Frame[],
  roots: readonly string[] = [],
  programDir?: string,
): Frame {
  return repositoryLine(site, traceback, roots, programDir).relative;
}

// The root (of `roots`) a file lies under.
const rootOf =
  (roots: readonly string[]) =>
  (f: string): string | undefined =>
    roots.find(
      (r) => r && (f.startsWith(`${r.replace(/[\\/]+$/, '')}/`) || f.startsWith(`${r.replace(/[\\/]+$/, '')}\\`)),
    );

/** Whether a file is the repository's code: named relatively, or under one of `roots` and not an installed package. */
function ownFile(roots: readonly string[]): (f: string) => boolean {
  const under = rootOf(roots);
  return (f) => (namesNoFile(f) ? false : !ABSOLUTE.test(f) || (under(f) !== undefined && !INSTALLED.test(f)));
}

// The characters of a line's source a report keeps (TopSite.text).
const TEXT_WIDTH = 200;
// The lines of the same code a report lists of each line (TopSite.textLines); more list none.
const MAX_TEXT_LINES = 20;

/**
 * The report's lines of the repository's own files (see sourceLocation) with their source text
 * (TopSite.text) as `lookup` reads it from the checkout, and the lines of the file that hold that
 * text (`copies`, TopSite.textLines): what the site check finds moved lines by.
 */
export function withSourceText(
  d: ReportData,
  lookup: (filename: string, lineno: number) => string,
  roots: readonly string[],
  copies?: (filename: string, text: string, width: number) => readonly number[],
): ReportData {
  const s = d.snapshots;
  if (!s) return d;
  const own = ownFile(roots);
  // A name that climbs out of its folder (`../../etc/passwd`, which a dump may hold) is no checkout file.
  const climbs = (f: string): boolean => /(?:^|[\\/])\.\.(?:[\\/]|$)/.test(f);
  const add = (sites: readonly TopSite[]): TopSite[] =>
    sites.map((t) => {
      const f = t.frames[0]!;
      // An absolute name through a folder and back (`python3 $PWD/../app.py`) is read where it leads.
      const name = ABSOLUTE.test(f.filename) ? posix.normalize(f.filename) : f.filename;
      const text = own(name) && !climbs(name) ? lookup(name, f.lineno).slice(0, TEXT_WIDTH) : '';
      if (!text) return t;
      const lines = copies?.(name, text, TEXT_WIDTH);
      return lines && lines.length <= MAX_TEXT_LINES ? { ...t, text, textLines: [...lines] } : { ...t, text };
    });
  return {
    ...d,
    snapshots: { ...s, topSites: add(s.topSites), ...(s.exitSites ? { exitSites: add(s.exitSites) } : {}) },
  };
}

/**
 * sourceLocation's line, as the capture names it (`at`) and relative to its root (`relative`). A name
 * relative to the directory the program ran in (`programDir`, a run's: CPython 3.8 names a script run
 * as `python app.py` so) is that directory's file: a run in svc/ gated from the repository's root
 * pointed CI at app.py, not svc/app.py.
 */
function repositoryLine(
  site: Frame,
  traceback: readonly Frame[],
  roots: readonly string[],
  programDir?: string,
): { readonly at: Frame; readonly relative: Frame } {
  const under = rootOf(roots);
  const own = ownFile(roots);
  const found = own(site.filename) ? site : ([...traceback].reverse().find((t) => own(t.filename)) ?? site);
  const at =
    programDir && !ABSOLUTE.test(found.filename) && !namesNoFile(found.filename)
      ? {
          ...found,
          filename: `${programDir.replace(/[\\/]+$/, '')}/${found.filename.replace(/^(?:\.[\\/])+/, '')}`,
        }
      : found;
  const root = ABSOLUTE.test(at.filename) && own(at.filename) ? under(at.filename) : undefined;
  return { at, relative: root ? { ...at, filename: at.filename.slice(root.replace(/[\\/]+$/, '').length + 1) } : at };
}

// The file of an installed package, after the last site-packages (or Debian's dist-packages) folder.
const PACKAGE_FILE = /[\\/](?:site|dist)-packages[\\/](?!.*[\\/](?:site|dist)-packages[\\/])(.+)$/;
// A standard-library file, after its CPython's lib/python3.X (3.13t: free-threaded) or, on Windows,
// Python3X\Lib folder: the minor version is kept, another one's code is other code.
const STDLIB_FILE = /[\\/]lib(?:64)?[\\/]python(3\.\d+t?)[\\/](.+)$|[\\/]python3(\d+t?)[\\/]lib[\\/](.+)$/i;

/** A file's name wherever its CPython or virtualenv is installed, for a file of either; else null. */
function installedName(filename: string): string | null {
  const pkg = PACKAGE_FILE.exec(filename);
  if (pkg) return `site-packages/${pkg[1]}`;
  const std = STDLIB_FILE.exec(filename);
  return std ? `python${stdlibVersion(std)}/${(std[2] ?? std[4])!.replace(/\\/g, '/')}` : null;
}

const stdlibVersion = (std: RegExpExecArray): string => std[1] ?? `3.${std[3]}`;

/** The CPython versions whose standard library the lines name (not through site-packages). */
function stdlibVersions(sites: readonly TopSite[]): Set<string> {
  const out = new Set<string>();
  for (const s of sites) {
    const f = s.frames[0]!.filename;
    const std = PACKAGE_FILE.test(f) ? null : STDLIB_FILE.exec(f);
    if (std) out.add(stdlibVersion(std));
  }
  return out;
}

/**
 * A line as the site check looks it up in a baseline: as recorded, and, when its file lies under a
 * run's working directory (a checkout; the outermost of them), relative to it, else under the folder
 * the report was made in, relative to that. The first finds it in a baseline of the same checkout;
 * the second, only when the first does not, in another checkout's (a line of /ci/a/svc/app.py is a
 * line of /ci/b/svc/app.py). A run's directory comes first: the folder `gate` or `baseline` ran in may
 * be the checkout's parent, on one side only (a line unchanged read as grown from 0).
 */
function lineKeys(
  d: ReportData | null,
): (f: Frame) => { readonly whole: string; readonly within: string | null; readonly file: string } {
  const trim = (r: string): string => r.replace(/[\\/]+$/, '');
  const runs = (d?.runs ?? [])
    .map((r) => r.cwd)
    .filter((r): r is string => !!r)
    .map(trim)
    .sort((a, b) => a.length - b.length);
  const roots = [...runs, ...(d?.root ? [trim(d.root)] : []), ...(d?.rootAliases ?? []).map(trim)];
  return (f) => {
    const root = roots.find((r) => f.filename.startsWith(`${r}/`) || f.filename.startsWith(`${r}\\`));
    // A relative name is already relative to the program's working directory: CPython 3.8 and earlier
    // name a script run as `python app.py` so, 3.9+ by its absolute path (a baseline of 3.8 read
    // every line of the script as grown from nothing on 3.9).
    const relative = !ABSOLUTE.test(f.filename) && !namesNoFile(f.filename);
    // An installed package's file is named from its site-packages folder, wherever the virtualenv is
    // (~/.venvs/proj on one machine, the checkout's .venv on CI: every line of it read as grown from
    // nothing), and the standard library's from its CPython's lib folder (pyenv's 3.11 against Debian's).
    const installed = installedName(f.filename);
    const name = installed
      ? installed
      : root !== undefined
        ? f.filename.slice(root.length + 1)
        : relative
          ? f.filename.replace(/^(?:\.[\\/])+/, '')
          : null;
    return {
      whole: `${f.filename}\0${f.lineno}`,
      within: name === null ? null : `${name}\0${f.lineno}`,
      file: name ?? f.filename,
    };
  };
}

/**
 * Each current line's line in the baseline. By key (lineKeys) when both hold the same code or either's
 * source is unknown; else by source text (`text`, read in the checkout when the baseline and the gate
 * ran): a line whose code is that of one baseline line of the same file no current line holds, each
 * alone with that code in its file, moved there (code added above it moved models.py:15 to :25, and the
 * gate read it as grown from nothing); else by key still (the code of the line changed in place),
 * unless its baseline line is another's. A key two baseline lines share finds neither. Moved also
 * means that the baseline line's number no longer holds that code in the checkout (`textLines`, where
 * the gate ran): two functions with the same line, one allocating in the baseline and the other now,
 * were read as a line moved (+490 KiB where CPython's compare_to gives the new line +1.4 MiB, and the
 * gate passed).
 */
function matchLines(
  sites: readonly TopSite[],
  baseSites: readonly TopSite[],
  key: ReturnType<typeof lineKeys>,
  baseKey: ReturnType<typeof lineKeys>,
): Map<TopSite, { readonly line: TopSite; readonly moved: boolean }> {
  const whole = new Map<string, TopSite>();
  const within = new Map<string, TopSite | null>();
  for (const b of baseSites) {
    const k = baseKey(b.frames[0]!);
    whole.set(k.whole, b);
    if (k.within !== null) within.set(k.within, within.has(k.within) ? null : b);
  }
  const byKey = (k: ReturnType<typeof key>): TopSite | undefined =>
    whole.get(k.whole) ?? (k.within === null ? undefined : (within.get(k.within) ?? undefined));
  const out = new Map<TopSite, { line: TopSite; moved: boolean }>();
  const held = new Set<TopSite>();
  const changed = new Map<TopSite, TopSite>(); // same key, other code
  const unheld: TopSite[] = []; // current lines the key did not match, with their code
  for (const s of sites) {
    const k = key(s.frames[0]!);
    const b = byKey(k);
    if (b && (!b.text || !s.text || codeOf(b.text) === codeOf(s.text))) {
      out.set(s, { line: b, moved: false });
      held.add(b);
      continue;
    }
    if (b) changed.set(s, b);
    if (s.text) unheld.push(s);
  }
  // Moved code, found by its file and text: the file as both name it (its path, where the two ran in
  // different folders of one checkout: relative, `repo/app.py` against `app.py`, nothing was found and a
  // line of new code was compared with the old code of its number, a gate passed), then as relative
  // to each one's folder (another checkout).
  const whose = (k: ReturnType<typeof key>): string => k.whole.slice(0, k.whole.lastIndexOf('\0'));
  // Its code still at the baseline line's number (or found at too many lines to tell): not moved.
  const stayed = (s: TopSite, b: TopSite): boolean =>
    s.textLines !== undefined ? s.textLines.includes(b.frames[0]!.lineno) : s.text !== undefined;
  for (const fileOf of [whose, (k: ReturnType<typeof key>) => k.file]) {
    const group = (lines: readonly TopSite[], keyOf: typeof key): Map<string, TopSite[]> => {
      const by = new Map<string, TopSite[]>();
      for (const l of lines) {
        const id = `${fileOf(keyOf(l.frames[0]!))}\0${codeOf(l.text ?? '')}`;
        by.set(id, [...(by.get(id) ?? []), l]);
      }
      return by;
    };
    const spare = group(
      baseSites.filter((b) => b.text && !held.has(b)),
      baseKey,
    ); // baseline lines no current line holds
    for (const [id, now] of group(
      unheld.filter((s) => !out.has(s)),
      key,
    )) {
      const was = spare.get(id);
      if (now.length === 1 && was?.length === 1 && !stayed(now[0]!, was[0]!)) {
        out.set(now[0]!, { line: was[0]!, moved: true });
        held.add(was[0]!);
      }
    }
  }
  for (const [s, b] of changed) if (!out.has(s) && !held.has(b)) out.set(s, { line: b, moved: false });
  return out;
}

function gateSite(
  site: Frame,
  traceback: readonly Frame[],
  detail: string,
  roots: readonly string[],
  programDir?: string,
): GateSite {
  const { at, relative } = repositoryLine(site, traceback, roots, programDir);
  return { file: relative.filename, line: at.lineno, detail, ...(at !== relative ? { path: at.filename } : {}) };
}

/**
 * A figure and its limit, with one decimal, or as many more as it takes to tell them apart when they
 * differ: 128 B against a limit of 100 B read "+0.1 KiB (limit 0.1 KiB)", and equal passes.
 */
function againstLimit(value: number, limit: number, scale: number, unit: string): [string, string] {
  for (let d = 1; d <= 6; d++) {
    // Rounded as Python prints (ties to even), as every other output prints the same figure (gate said
    // 306.3 MiB of a peak of exactly 306.25, leaks and report 306.2).
    const [a, b] = [printfFixed(value / scale, d), printfFixed(limit / scale, d)];
    if (a !== b || atMost(value, limit) === atMost(limit, value)) return [`${a}${unit}`, `${b}${unit}`];
  }
  return [`${value / scale}${unit}`, `${limit / scale}${unit}`];
}

/**
 * value <= limit, up to the rounding of the figures' decimal forms: a peak of 93.570312 MiB (an mprof
 * line's figure) is at most a limit written 93.570312MiB, whichever way each was multiplied out; a
 * growth of two peaks of 1 GiB, each exact to its line's decimals, at most a limit of exactly it (their
 * difference carries 1e-7 B of floating point). The tolerance: 1e-9 of the limit (a byte at 1 GiB,
 * finer than an mprof figure's decimals), a millionth at least.
 */
export const atMost = (value: number, limit: number): boolean =>
  value <= limit || value - limit <= Math.max(1e-9 * Math.abs(limit), 1e-6);

/**
 * atMost of byte counts, up to half a millionth of a MiB too, an mprof figure's rounding (its 6
 * decimals): a peak printed 101.871094 is 101.87109375 MiB, whole pages, and failed a limit of exactly
 * that (h362 F1). No byte count is a fraction of one. (Not of shares: +10.03% against 10% printed as
 * "+10.0%, limit 10%", h369 F2.)
 */
export const atMostBytes = (value: number, limit: number): boolean =>
  atMost(value, limit) || value - limit <= 0.5e-6 * 2 ** 20;

// In the unit of the limit as a user writes it: 300MiB reads "limit 300.0 MiB", not 307200.0 KiB.
// A limit under 1 KiB in bytes ("limit 1 B", not "limit 0.0 KiB"); a figure far past it in its own unit.
const bytesAgainst = (value: number, limit: number): [string, string] => {
  const a = Math.abs(limit);
  if (a < 1024 && Math.abs(value) >= 1024) return [fmtBytes(value), `${limit} B`];
  if (a < 1024 && Number.isInteger(value) && Number.isInteger(limit)) return [`${value} B`, `${limit} B`];
  const [scale, unit] =
    a >= 2 ** 30 ? [2 ** 30, ' GiB'] : a >= 2 ** 20 ? [2 ** 20, ' MiB'] : a >= 1024 ? [1024, ' KiB'] : [1, ' B'];
  const both = againstLimit(value, limit, scale, unit);
  // A figure under one of the limit's unit in its own: 3.5 MiB against 10 GiB, not "0.0 GiB"; 147.3 MiB
  // against 1 GiB, not "0.1 GiB".
  return value !== 0 && Math.abs(value) < scale ? [fmtBytes(value), both[1]] : both;
};
const signed = (x: string): string => (x.startsWith('-') ? x : `+${x}`);

function growthCheck(
  name: string,
  what: string,
  current: number | null,
  base: number | null,
  limit: GrowthLimit,
  missing = `no ${what} to compare (in the current captures or the baseline)`,
): CheckResult {
  if (current === null || base === null) {
    return {
      check: name,
      passed: false,
      measured: null,
      limit: 'percent' in limit ? limit.percent : limit.bytes,
      unit: 'percent' in limit ? 'percent' : 'bytes',
      message: missing,
      sites: [],
    };
  }
  const delta = current - base;
  const change = `${what} ${fmtBytes(base)} -> ${fmtBytes(current)}`;
  if ('percent' in limit) {
    const exact = base === 0 ? (delta > 0 ? Infinity : 0) : (delta / base) * 100;
    // A growth of exactly the limit passes (limits are inclusive): 100 -> 107 MiB is 7%, not the
    // 7.000000000000001% floating point makes of it.
    const pct = Math.abs(exact - limit.percent) <= 1e-9 * Math.max(1, Math.abs(limit.percent)) ? limit.percent : exact;
    return {
      check: name,
      passed: pct <= limit.percent,
      measured: pct,
      limit: limit.percent,
      unit: 'percent',
      // From nothing (an empty baseline), any growth is more than any share of it: no '+Infinity%'.
      message: `${change} (${pct === Infinity ? 'grown from nothing' : signed(againstLimit(pct, limit.percent, 1, '%')[0])}, limit ${limit.percent}%)`,
      sites: [],
    };
  }
  return {
    check: name,
    passed: atMostBytes(delta, limit.bytes),
    measured: delta,
    limit: limit.bytes,
    unit: 'bytes',
    message: `${change} (${signed(bytesAgainst(delta, limit.bytes)[0])}, limit ${bytesAgainst(delta, limit.bytes)[1]})`,
    sites: [],
  };
}

/**
 * Each line's growth against the baseline's lines, largest first: `over` the program's lines past the
 * limit (`unknown` when the baseline does not hold them), `machinery` how many of the import system's,
 * tracemalloc's and the capture code's are (not counted).
 */
function lineGrowths(
  sites: readonly TopSite[],
  baseSites: readonly TopSite[],
  baseTotal: number,
  key: ReturnType<typeof lineKeys>,
  baseKey: ReturnType<typeof lineKeys>,
  kept: (file: string) => boolean,
  limit = Number.POSITIVE_INFINITY,
) {
  const matched = matchLines(sites, baseSites, key, baseKey);
  // A baseline holds only its largest lines; a line missing from a cut list had at most the
  // smallest size kept, so growth is counted from there (never a false failure). None kept: from 0.
  const cut = baseSites.length > 0 && baseSites.reduce((n, s) => n + s.size, 0) < baseTotal;
  const floor = cut ? Math.min(...baseSites.map((s) => s.size)) : 0;
  // The import machinery, tracemalloc and arenascope's capture code are not the program's lines,
  // as `leaks` leaves them out (snapshots taken from the capture's thread each keep a block).
  const measured = sites
    .filter((s) => kept(s.frames[0]!.filename))
    .map((s) => {
      const m = matched.get(s);
      return {
        s,
        f: s.frames[0]!,
        growth: s.size - (m?.line.size ?? floor),
        unknown: !cut && m === undefined,
        ...(m?.moved ? { movedFrom: m.line.frames[0]!.lineno } : {}),
      };
    })
    .sort((a, b) => b.growth - a.growth);
  const own = measured.filter((g) => !g.s.internal);
  const over = own.filter((g) => g.growth > limit);
  // The baseline's lines of the files of new lines over the limit that no current line holds: code
  // that moved or changed, where the new line may be the old one (said, never guessed).
  const files = new Set(over.filter((g) => g.unknown).map((g) => key(g.f).file));
  const held = new Set([...matched.values()].map((m) => m.line));
  const gone = baseSites
    .filter((b) => !held.has(b) && files.has(baseKey(b.frames[0]!).file) && !b.internal)
    .sort((a, b) => b.size - a.size);
  return {
    cut,
    floor,
    gone,
    worst: own[0],
    over,
    // Said when one of them grew past the limit: a gate passed with tracemalloc.py's +288 B over a
    // limit of 287 B, naming a smaller line the largest, with no word of what it left out.
    machinery: measured.filter((g) => g.s.internal && g.growth > limit).length,
  };
}

/**
 * Runs the checks; `baselineName` (its file or captures) names the baseline in messages; `roots`, the
 * directories whose files are the repository's code (see sourceLocation).
 */
export function evaluateGate(
  current: ReportData,
  baseline: ReportData | null,
  limits: GateLimits,
  baselineName = 'the baseline',
  roots: readonly string[] = [],
): GateResult {
  // The directories the captured programs ran in are the repository's too.
  const dirs = [...roots, ...(current.runs ?? []).flatMap((r) => (r.cwd ? [r.cwd] : []))];
  // The directory relative file names are of: the run's (plain dumps do not say theirs).
  const programDir = current.runs?.length === 1 ? (current.runs[0]!.cwd ?? undefined) : undefined;
  requireBaseline(limits, baseline !== null);
  const shared = baseline && sharedKinds(current, baseline, baselineName);
  // A growth check without a kind both sides hold cannot compare: it fails, saying so.
  const unshared = (what: string): string =>
    `no ${what} to compare: the current captures and ${baselineName} hold no snapshots of the same formats`;
  const checks: CheckResult[] = [];
  // As tracemalloc.Filter matches: a compiled file's name (and pattern) as its source's (`*.pyc` is `*.py`).
  const ignored = (limits.ignore ?? []).map((p) => fnmatchToRegExp(normalizeFilename(p)));
  const kept = (file: string): boolean => !ignored.some((re) => re.test(normalizeFilename(file)));

  if (limits.maxPeak !== undefined) {
    const p = peakBytes(current);
    // An mprof run with no peak (no MEM sample measured: its children alone were) beside others with
    // one: the largest of theirs is no peak of it (a run's children of 420 MiB passed a 200 MiB limit).
    const unknown = p === null ? [] : noPeak(current);
    // A run whose @profile calls recorded more than its samples, over the limit: between two samples (a
    // call of 171.7 MiB sampled at 21.7 passed a 160 MiB limit) or after its sampler stopped (a run of
    // `mprof run -t 1`: 47.1 MiB sampled, 67.1 in its calls, passed a 50 MiB limit).
    const calls = current.memory.filter((m) => m.callsPeakMiB !== undefined && m.callsPeakMiB * MiB > limits.maxPeak!);
    // Listings' totals are the sites they list: a top N's is a floor of the traced total, which passes
    // nothing (a top 10 of 15.2 MiB passed a 20 MiB limit where the program's own print said its traced
    // peak was 20.96 MB: h241). Over the limit, it fails as measured.
    const floorOnly =
      p !== null && current.formats.includes('tracemalloc-text') && peakName(current) === 'largest traced total';
    checks.push({
      check: 'max-peak',
      passed: p !== null && atMostBytes(p, limits.maxPeak) && unknown.length === 0 && calls.length === 0 && !floorOnly,
      measured: p,
      limit: limits.maxPeak,
      unit: 'bytes',
      message:
        p === null
          ? `no peak in the current captures${noPeak(current).length ? `: no peak of ${listedSome(noPeak(current))}: ${noPeakWhy(current, noPeak(current))}` : ''}`
          : `${peakName(current)} ${bytesAgainst(p, limits.maxPeak)[0]} (limit ${bytesAgainst(p, limits.maxPeak)[1]})` +
            (unknown.length ? `; but no peak of ${listedSome(unknown)}: ${noPeakWhy(current, unknown)}` : '') +
            calls
              .map(
                (m) =>
                  `; but the @profile calls of ${m.label} reached ${m.callsPeakMiB!.toFixed(1)} MiB ` +
                  '(its FUNC lines, which measure as its samples do: memory the samples missed)',
              )
              .join('') +
            (floorOnly && atMostBytes(p, limits.maxPeak)
              ? "; not measured: a listing's total is the sites it lists (a top N leaves the rest out), a floor of " +
                "the traced memory, not its peak; dumps (Snapshot.dump()), an mprof run or tracemalloc's traced peak " +
                '(.peak sidecars) measure it'
              : ''),
      sites: [],
    });
  }
  if (limits.maxPeakGrowth !== undefined) {
    // The mprof peaks when both sides have them, else the traced peaks of snapshots of the same formats
    // (tracemalloc's peaks between captures when both know them, else the largest traced totals).
    const from = shared?.memory ? 'memory' : shared?.snapshots ? 'snapshots' : undefined;
    const traced = current.summary.tracedPeakBytes != null && baseline?.summary.tracedPeakBytes != null;
    // A baseline of memory_profiler reports alone: reports against reports (the current run's mprof
    // peak against the baseline's report, "peak of the mprof runs" of two reports, was compared).
    const reportsAlone = from === 'memory' && baseline !== null && baseline.memory.length === 0;
    if (baseline) sameReportBackend(current, baseline);
    const maxPeakGrowth = limits.maxPeakGrowth;
    // The @profile calls' highest too where above the samples, as --max-peak judges them (a run sampled
    // too seldom to see its calls of 321.8 MiB passed as -90.1% beside the max-peak check it failed; h387).
    const withCalls = (d: ReportData | null): boolean => d?.memory.some((m) => m.callsPeakMiB !== undefined) === true;
    const peakCheck = (cur: ReportData, base: ReportData | null): CheckResult => {
      const calls = from === 'memory' && !reportsAlone && (withCalls(cur) || withCalls(base));
      return growthCheck(
        'max-peak-growth',
        // Only the snapshots compared (the baseline has no mprof run): named so, not after the mprof peak.
        from === 'snapshots'
          ? peakName(cur, traced, true)
          : reportsAlone
            ? 'peak of the memory_profiler reports'
            : calls
              ? 'peak (with the @profile calls, FUNC lines)'
              : 'peak',
        reportsAlone ? lineReportPeak(cur) : from ? peakBytes(cur, from, traced, calls) : null,
        reportsAlone ? lineReportPeak(base!) : base && from ? peakBytes(base, from, traced, calls) : null,
        maxPeakGrowth,
        from ? undefined : `${unshared('peak')} or mprof runs`,
      );
    };
    // mprof runs of several commands (mprof run -o appending programs): each command's peak against the
    // baseline's runs of it, the worst said; a program's peak was compared with another's, and a run
    // that grew passed (h277, h282).
    const paired = from === 'memory' && !reportsAlone && baseline ? runsByCommand(current, baseline) : null;
    const byCommand = paired?.map((p) => ({ p, check: peakCheck(p.current, p.baseline) }));
    const worst = byCommand?.sort(
      (a, b) => Number(a.check.passed) - Number(b.check.passed) || (b.check.measured ?? 0) - (a.check.measured ?? 0),
    )[0];
    const check: CheckResult = worst
      ? {
          ...worst.check,
          message:
            `${worst.check.message}; of the runs of ${quoted(worst.p.command, 60)}` +
            (byCommand!.length > 1 ? `, the largest growth of ${byCommand!.length} commands` : '') +
            `, against the baseline's runs of it`,
        }
      : withUnmatched(
          peakCheck(current, baseline),
          from === 'memory' && !reportsAlone ? unmatched(current, baseline) : [],
        );
    // A run with no peak, as --max-peak: the others' largest is no peak of it.
    const unknown = from === 'memory' && check.measured !== null ? noPeak(current) : [];
    // memory_profiler reports on both sides beside the mprof runs: their peaks compared too, each kind
    // with its own (a report's peak that grew 50% passed beside an mprof run that did not, unsaid).
    const reports =
      from === 'memory' &&
      !reportsAlone &&
      baseline &&
      lineReportPeak(current) !== null &&
      lineReportPeak(baseline) !== null
        ? growthCheck(
            'max-peak-growth',
            'peak of the memory_profiler reports',
            lineReportPeak(current),
            lineReportPeak(baseline),
            limits.maxPeakGrowth,
          )
        : null;
    const both = (c: CheckResult): CheckResult =>
      reports === null
        ? c
        : {
            ...c,
            passed: c.passed && reports.passed,
            measured: !reports.passed && c.passed ? reports.measured : c.measured,
            message: `${c.message.replace(/^peak /, 'peak of the mprof runs ')}; ${reports.message}`,
          };
    checks.push(
      both(
        unknown.length
          ? {
              ...check,
              passed: false,
              message: `${check.message}; but no peak of ${listedSome(unknown)}: ${noPeakWhy(current, unknown)}`,
            }
          : from === 'snapshots' && baseline && check.measured !== null && !traced
            ? floorsCompared(current, baseline)(tracedPeakOnOneSide(check, current, baseline, limits.maxPeakGrowth))
            : check,
      ),
    );
  }
  if (limits.maxTotalGrowth !== undefined) {
    const { now, before, what, exit } = totalsAtOneMoment(current, baseline);
    const main = floorsCompared(
      current,
      baseline,
    )(
      growthCheck(
        'max-total-growth',
        what,
        now,
        baseline && shared?.snapshots ? before : null,
        limits.maxTotalGrowth,
        shared?.snapshots ? undefined : unshared(what),
      ),
    );
    const atExitCapture =
      exit && shared?.snapshots && main.measured !== null
        ? growthCheck(
            'max-total-growth',
            'traced memory at the exit capture',
            exit.now,
            exit.before,
            limits.maxTotalGrowth,
          )
        : null;
    checks.push(withExitCheck(main, atExitCapture));
  }
  // Leaks: by default none is allowed when there is a series to judge (an mprof run too short to
  // judge is none: a quick program's run failed every gate, "no leak verdict", with no way out).
  const series =
    ((current.snapshots?.labels.length ?? 0) >= 3 && unjudgedSnapshots(current) === null) ||
    current.memory.some((m) => m.trends.series.some((t) => t.verdict !== 'unjudged'));
  const maxLeaks = limits.maxLeaks ?? (series ? 0 : undefined);
  if (maxLeaks !== undefined)
    checks.push(leaksCheck(current, maxLeaks, limits.minLeakConfidence, kept, dirs, programDir));
  if (limits.maxSiteGrowth !== undefined) {
    const limit = limits.maxSiteGrowth;
    const compared = baseline !== null && shared?.snapshots === true;
    const [now, before] = [current.snapshots, baseline?.snapshots];
    // A line of listings by traceback sums the tracebacks each shows: its growth, the pieces that
    // entered and left the top N (a line that shrank by 98 KiB grew by 244, h301).
    if (compared && (now?.listing === 'traceback' || before?.listing === 'traceback'))
      throw new UsageError(
        '--max-site-growth compares lines, and listings by traceback hold of a line only the tracebacks each ' +
          "lists (its growth would be the difference of two partial sums): print statistics('lineno'), or give the dumps",
      );
    const key = lineKeys(current);
    const baseKey = lineKeys(baseline);
    const growths = (sites: readonly TopSite[], baseSites: readonly TopSite[], baseTotal: number) =>
      lineGrowths(sites, baseSites, baseTotal, key, baseKey, kept, limit);
    // One side's lines of its exit capture alone (a run of start and exit, or an old baseline): the
    // other side's exit lines, where it keeps them, are the ones to compare with.
    const crossed =
      compared && baseline && atExit(baseline) !== atExit(current) ? exitAgainstExit(now!, before!) : null;
    const atLast = crossed
      ? growths(crossed.sites, crossed.baseSites, crossed.baseTotal)
      : growths(
          compared ? (now?.topSites ?? []) : [],
          (compared && before?.topSites) || [],
          (baseline && lastTotal(baseline)) ?? 0,
        );
    // The exit captures' lines too, where both sides keep them (see totalsAtOneMoment).
    const exitBoth = compared && !crossed && now?.exitSites && before?.exitSites;
    const atExitCapture = exitBoth ? growths(now.exitSites!, before.exitSites!, before.totals.at(-1)!.size) : null;
    const noExitLines =
      compared && now?.exitSites && !before?.exitSites && before?.final !== undefined
        ? `; ${baselineName} keeps no lines of its exit capture (written by an older arenascope, or by \`report\`): ` +
          'lines kept after the last checkpoint are not compared (write it again with `arenascope baseline`)'
        : '';
    const { cut, floor } = atLast;
    const tagged = <T>(gs: readonly T[], exit: boolean) => gs.map((g) => ({ ...g, exit }));
    const over = [...tagged(atLast.over, crossed !== null), ...tagged(atExitCapture?.over ?? [], true)].sort(
      (a, b) => b.growth - a.growth,
    );
    const worst = [
      ...tagged(atLast.worst ? [atLast.worst] : [], crossed !== null),
      ...tagged(atExitCapture?.worst ? [atExitCapture.worst] : [], true),
    ].sort((a, b) => b.growth - a.growth)[0];
    const where = (g: { exit: boolean }): string => (g.exit ? ' at the exit capture' : '');
    const movedText = (g: { movedFrom?: number }): string =>
      g.movedFrom === undefined ? '' : ` (line ${g.movedFrom} in the baseline, the same code)`;
    // Lines over the limit the baseline does not hold grew from nothing: new lines, or a baseline
    // whose file names read otherwise (its captures taken in another checkout's parent, elsewhere).
    // Counted as lines: one may be over at both captures.
    const lineOf = (g: (typeof over)[number]): string => `${g.f.filename}\0${g.f.lineno}`;
    const unknown = new Set(over.filter((g) => g.unknown).map(lineOf)).size;
    const lines = new Set(over.map(lineOf)).size;
    const machinery = atLast.machinery + (atExitCapture?.machinery ?? 0);
    const gone = [...atLast.gone, ...(atExitCapture?.gone ?? [])];
    const goneText = gone.length
      ? `; lines of the baseline no line holds now, in the same files: ${listedSome([
          ...new Set(gone.map((b) => `${b.frames[0]!.filename}:${b.frames[0]!.lineno} (${fmtBytes(b.size)})`)),
        ])}: code moved or changed (a line moved by code added above it is found when the baseline, written by ` +
        '`arenascope baseline` in the checkout, holds its source, and the code is unchanged and no other line of its file is the same)'
      : '';
    // The standard library of another CPython minor version: its lines are other lines.
    const ours = stdlibVersions(now?.topSites ?? []);
    const theirs = [...stdlibVersions(before?.topSites ?? [])].filter((v) => !ours.has(v));
    const otherPython =
      ours.size > 0 && theirs.length > 0 && ![...ours].some((v) => stdlibVersions(before?.topSites ?? []).has(v))
        ? `the baseline's standard library is CPython ${theirs.join(', ')}'s, these captures' ${[...ours].join(', ')}'s: ` +
          'write the baseline with the CPython this job runs'
        : null;
    const overNote =
      (unknown > 0
        ? `; ${unknown === lines ? (unknown === 1 ? 'it is' : 'they are') : `${unknown} of them are`} ` +
          'not in the baseline (grown from nothing: ' +
          (otherPython ??
            'new lines, or a baseline taken in another folder: lines are keyed by file names relative to where ' +
              '`baseline` and `gate` run; write it with `arenascope baseline` in its checkout') +
          `)${goneText}`
        : '') +
      (lines > 1 ? `; ${lines} lines over the limit` : '') +
      // A baseline that keeps its largest lines only (a report's JSON keeps 200): a line below them
      // is measured from the smallest kept, which may pass a line that grew from nothing.
      (cut
        ? `; the baseline keeps its ${before!.topSites.length} largest lines: a line below them is measured from ${fmtBytes(floor)}`
        : '') +
      (machinery
        ? `; ${machinery === 1 ? '1 line' : `${machinery} lines`} of tracemalloc, the import system or arenascope's ` +
          "capture code grew past the limit, not counted (not the program's own)"
        : '') +
      noExitLines;
    checks.push({
      check: 'max-site-growth',
      passed: compared && over.length === 0,
      measured: worst?.growth ?? null,
      limit: limit,
      unit: 'bytes',
      message:
        baseline === null
          ? 'needs a baseline'
          : !shared?.snapshots
            ? unshared('line sizes')
            : worst
              ? `largest site growth ${worst.f.filename}:${worst.f.lineno}${movedText(worst)}${where(worst)} ${signed(bytesAgainst(worst.growth, limit)[0])} ` +
                `(limit ${bytesAgainst(worst.growth, limit)[1]})${overNote}`
              : 'no site left to check in the current captures',
      sites: over.map((g) =>
        gateSite(
          g.f,
          g.s.traceback,
          `${g.f.filename}:${g.f.lineno}${movedText(g)} grew ${signed(bytesAgainst(g.growth, limit)[0])}${where(g)} (limit ${bytesAgainst(g.growth, limit)[1]})`,
          dirs,
          programDir,
        ),
      ),
    });
  }
  if (limits.maxFragmentation !== undefined)
    checks.push(fragmentationCheck(current, limits.maxFragmentation, dirs, programDir));
  // A run's tests (none: said beside the other checks, and no check alone: a run folder of two captures
  // and no limit passed "no tests", where the same dumps given alone are "no check to make"; h328).
  if (current.runs?.length && (checks.length || current.runs.some((r) => r.tests.length)))
    checks.push(testLimitsCheck(current.runs, dirs, programDir));
  // One side's sites of an exit capture (a run of start and exit alone, or a baseline written before
  // arenascope described the capture before exit), the other's of the capture before one: not compared
  // (what main() held is freed at exit, so a leak read as shrinking), and the check fails saying so.
  // The total is compared at one moment (baselineTotal).
  if (baseline && atExit(baseline) !== atExit(current) && !exitAgainstExit(current.snapshots!, baseline.snapshots!)) {
    const which = atExit(baseline) ? 'the baseline gives' : 'the current captures give';
    const note =
      `${which} the sites of an exit capture (taken once main() had returned), the other side ` +
      'those of the capture before exit: write the baseline from a run like this one (checkpoints alike)';
    for (const [i, c] of checks.entries())
      if (c.check === 'max-site-growth') checks[i] = { ...c, passed: false, message: `not compared: ${note}` };
  }
  // A baseline run's exit capture with none in the current captures (a run ended by os._exit() or a
  // signal, or dumps of another kind): what the program keeps after its last checkpoint went unsaid.
  const b = baseline?.snapshots;
  const c = current.snapshots;
  if (b?.final !== undefined && c && c.labels.at(-1) !== 'exit') {
    // A run that ended by an exception or Ctrl-C was captured then: that capture stands for its end
    // (said to be missing, beside a failure of its own figures), against the baseline's capture before
    // exit, where main()'s locals live too (totalsAtOneMoment; it said the exit capture: h231).
    const ended = c.labels.at(-1);
    const note =
      ended === 'exception' || ended === 'interrupted'
        ? `; the current run ended ${ended === 'exception' ? 'by an exception' : 'interrupted'}: its capture then ` +
          "stands for its end, against the baseline's capture before exit (the locals of the functions it was in live in both)"
        : '; the current captures have no exit capture, the baseline has (a run ended by os._exit() or a signal?): ' +
          'what the program keeps after its last checkpoint is not compared';
    for (const [i, check] of checks.entries())
      if (check.check === 'max-total-growth' || check.check === 'max-site-growth')
        checks[i] = { ...check, message: `${check.message}${note}` };
  }
  // A pytest run is judged at its last test's capture, before its session end; a baseline written
  // before arenascope did so gives its capture before exit, in the session end: said, not hidden.
  const sessionEnd = (x: SnapshotSection): boolean => !x.finalIsLastTest && x.labels[x.final!] === 'interval';
  if (
    b?.final !== undefined &&
    c?.final !== undefined &&
    ((b.finalIsLastTest && sessionEnd(c)) || (c.finalIsLastTest && sessionEnd(b)))
  ) {
    const note =
      `; the baseline's figures are of its ${finalCaptureName(b)}, the current ones of the ${finalCaptureName(c)}: ` +
      'write the baseline again from a run like this one';
    for (const [i, check] of checks.entries())
      if (check.check === 'max-total-growth' || check.check === 'max-site-growth')
        checks[i] = { ...check, message: `${check.message}${note}` };
  }
  return { passed: checks.every((c) => c.passed), checks, notices: shared?.notices ?? [] };
}

/**
 * Fragmentation of the last capture, as `replay` measures it (measureFragmentation): the real report
 * paired with the snapshots, else the model's best case; with no snapshot, the last allocator report
 * against its own table. A measure that cannot be had fails, saying why.
 */
function fragmentationCheck(
  current: ReportData,
  limit: number,
  roots: readonly string[],
  programDir?: string,
): CheckResult {
  const replay = current.snapshots?.replay;
  const m: FragmentationMeasure | null =
    replay?.fragmentation.measure ??
    (replay ? null : reportsAloneMeasure(current.allocatorStats, current.allocatorApart !== undefined));
  const [share, max] = againstLimit(m?.share ?? 0, limit, 0.01, '%');
  const why =
    (current.snapshots?.labels.length ?? 0) === 1
      ? 'fragmentation cannot be seen from one capture (it comes from frees): give more captures or --allocator-stats'
      : current.snapshots
        ? `no fragmentation figure: the snapshots could not be replayed through the pymalloc model${beyondText(current)}`
        : 'no snapshots to replay and no complete allocator report among the inputs';
  const spare = m && `${m.spareArenas} of ${m.heldArenas} arenas spare (${m.basis})`;
  const small = m && m.spareArenas < MIN_SPARE_ARENAS ? `; under ${MIN_SPARE_ARENAS} spare arenas counts as none` : '';
  // Without a real report at the last capture, an earlier capture's is said (the check judged the
  // model's best case of 16.7% beside a real report of 68.8% at the capture before, and told to give
  // --allocator-stats, which was given).
  const modelled = m?.basis === 'model, best case';
  const reported = modelled ? replay?.fragmentation.earlierReal : null;
  const earlier = reported
    ? `; the real report of an earlier capture, ${reported.label}: ${againstLimit(reported.measure.share, limit, 0.01, '%')[0]}, ` +
      `${reported.measure.spareArenas} of ${reported.measure.heldArenas} arenas spare (none pairs with the last capture)`
    : '';
  const give = reported
    ? 'a report at the last capture gives the real figure'
    : '--allocator-stats gives the real figure';
  // Without a real report the check judges the model's best case (compact order), and says the
  // scattered order's figure beside it. Neither is a bound on the real heap: a heap keeping 1 object
  // in 50 was 0.0% at best where CPython's report said 82.5%, one with assumed churn 0.0% scattered
  // where it said 75%, and one making a 128 MiB temporary 87.9% scattered where it said 0%. Between
  // the two the model cannot tell: the check fails as not measured, saying what would measure it
  // (it passed there, and so passed heaps CPython's reports found 66.7% and 72.7% spare).
  const scattered = modelled ? (replay?.fragmentation.worstCase ?? null) : null;
  const undecided = m !== null && !fragmentedOver(m, limit) && scattered !== null && fragmentedOver(scattered, limit);
  // The model's best case under the limit where CPython's report at an earlier capture of the same run
  // was over it, and the model there under it too: the model misreads this program's heap, so its
  // figure at the last capture is no evidence (0.0% passed beside a real 59.3% a capture before).
  const misread =
    m !== null &&
    !fragmentedOver(m, limit) &&
    reported != null &&
    fragmentedOver(reported.measure, limit) &&
    !fragmentedOver(reported.model, limit);
  const misreadText = misread
    ? `; not measured: at ${reported!.label} the model's best case read ${againstLimit(reported!.model.share, limit, 0.01, '%')[0]} ` +
      `where CPython's report said ${againstLimit(reported!.measure.share, limit, 0.01, '%')[0]}, so its figure here is no evidence ` +
      '(a report at the last capture gives the real figure, or `arenascope run --allocator`)'
    : '';
  // The replay's verdict unknown beside the model's figures (no traced peak, or captures of a steady
  // state): what the captures do not hold leaves arenas pinned unseen (0.0% passed where CPython's
  // report said 92.5%). Not measured, as `replay` says.
  const unknown = modelled && replay?.fragmented.verdict === 'unknown' ? replay.fragmented : null;
  const unknownText = unknown ? `; not measured: ${unknown.reason}; ${unknown.next}` : '';
  const range = scattered
    ? `; if frees were scattered ${againstLimit(scattered.share, limit, 0.01, '%')[0]}: ${scattered.spareArenas} of ` +
      `${scattered.heldArenas} arenas spare (${scattered.basis})`
    : '';
  // The model's best case over the limit: its arenas are the traced blocks' alone, and the heap made
  // before tracing began has arenas of its own (66.7% failed where CPython's report said 26.3%). It
  // fails as not measured, as `replay` says possibly.
  const untraced = modelled && m !== null && fragmentedOver(m, limit);
  // A real report printed before a new arena, when every arena was full, under the limit: it shows no room
  // freed after it (10 arenas 60% spare at the capture passed at 0%: h256). Not measured, as replay says.
  const atNewArena = m?.atNewArena === true && !fragmentedOver(m, limit);
  const verdict = atNewArena
    ? `; not measured: ${AT_NEW_ARENA.reason}; ${AT_NEW_ARENA.next}`
    : misread
      ? misreadText
      : unknown
        ? unknownText
        : undecided
          ? `; not measured: which blocks were freed is not in the snapshots, and the model's figures are no bounds (${give}, ` +
            'or `arenascope run --allocator`)'
          : untraced
            ? "; not measured: the model's arenas are the traced blocks' alone, and the heap made before tracing " +
              `began, in no capture, lowers the whole heap's share (${give}, or \`arenascope run --allocator\`)`
            : modelled
              ? "; not measured: the model's figures, both under the limit, are no bounds on the real heap (frees of " +
                'blocks made before tracing or resized by realloc are in no capture; a heap with assumed churn read 0% ' +
                `scattered where CPython's report said 75%), and \`replay\` says possibly (${give}, or \`arenascope run --allocator\`)`
              : '';
  const passed =
    m !== null && !modelled && !fragmentedOver(m, limit) && !misread && !unknown && !undecided && !atNewArena;
  // Failed, the sites pinning the model's spare arenas, as replay ranks them: where CI points (the
  // check named none, where replay and report said which line to look at).
  // Those in half as many pinned arenas as the first, or more (not a library's one block among them).
  const ranked = (replay?.fragmentation.pinningSites ?? []).filter((p) => p.filename !== UNTRACED_SITE.filename);
  const near = passed ? [] : ranked.filter((p) => 2 * p.arenas >= ranked[0]!.arenas);
  // Those made after the largest frees after the others, before the first few are taken, as replay's next
  // step names them (it named the site kept through the frees, the gate a dict made after them first,
  // h275; and the gate's three took one made after them where replay named a kept one third: h364 F2).
  const pinning = [...near.filter((p) => !p.madeAfterFrees), ...near.filter((p) => p.madeAfterFrees)].slice(
    0,
    MAX_PINNING_SITES,
  );
  const order = replay?.fragmentation.pinningSitesOrder;
  return {
    check: 'max-fragmentation',
    passed,
    measured: m?.share ?? null,
    ...(scattered ? { worstCase: scattered.share } : {}),
    ...(m ? { spareArenas: m.spareArenas } : {}),
    limit,
    unit: 'ratio',
    message: m ? `fragmentation ${share}: ${spare}${small}${range} (limit ${max})${verdict}${earlier}` : why,
    sites: pinning.map((p) =>
      gateSite(
        p,
        [p],
        `its live blocks are in ${p.arenas} of the arenas the model pins (${order} order)` +
          `${p.madeAfterFrees ? `, ${MADE_AFTER}` : ''}: fragmentation ${share} (limit ${max})` +
          // Failed as not measured, said where CI shows the sites alone (an annotation read "0.0% (limit
          // 10.0%)" as the error: h342).
          verdict,
        roots,
        programDir,
      ),
    ),
  };
}

/** The most pinning sites a failed fragmentation check points at. */
const MAX_PINNING_SITES = 3;

// Why the report left the replay out, when its captures are more than the model holds.
const beyondText = (current: ReportData): string => {
  const gap = current.gaps?.find(
    (g) => g.topic === 'fragmentation' && g.text.startsWith('Fragmentation is not modelled'),
  );
  return gap ? ` (${gap.text.slice('Fragmentation is not modelled: '.length).replace(/\.$/, '')})` : '';
};

const listedSome = (xs: readonly string[], max = 3): string =>
  xs.slice(0, max).join('; ') + (xs.length > max ? `; and ${xs.length - max} more` : '');

/**
 * The snapshots the report found too few to judge, named as its gap says ("2 snapshots", or those of a
 * pytest run's tests, 3 or more captures in all), or null.
 */
function unjudgedSnapshots(current: ReportData): string | null {
  const gap = current.gaps?.find((g) => g.topic === 'leaks');
  return (gap && /^(.+?): (?:which lines leak|leak detection) needs 3 or more/.exec(gap.text)?.[1]) ?? null;
}

/**
 * Leaks as `leaks` judges them, counted at the confidence asked for. What `leaks` calls a leak below
 * it, and growth that is slowing, are named, not counted; snapshots too few to judge are said.
 */
function leaksCheck(
  current: ReportData,
  maxLeaks: number,
  minConfidence = DEFAULT_MIN_LEAK_CONFIDENCE,
  kept: (file: string) => boolean,
  roots: readonly string[],
  programDir?: string,
): CheckResult {
  const siteText = (s: SiteTrend): string =>
    `${siteName(s)} (${signed(fmtBytes(verdictGrowth(s)))}${s.kept ? ' kept' : s.judgedFrom ? ` from capture ${s.judgedFrom + 1}` : ''}, confidence ${s.confidence.toFixed(2)})`;
  const allSites = (current.snapshots?.leaks?.sites ?? []).filter((s) => kept(s.filename));
  const leaking = allSites.filter((s) => s.verdict === 'leak');
  const sites = leaking.filter((s) => s.confidence >= minConfidence);
  const trends = current.memory.flatMap((m) => m.trends.series.map((t) => ({ m, t })));
  const procText = ({ m, t }: (typeof trends)[number]): string =>
    // Both rates, as every output says them: a leak of the peaks read "trend 0.00 MiB/min" by its floor's alone.
    `${m.label} ${t.name} (trend ${(t.trendMiBPerMin ?? 0).toFixed(2)} MiB/min` +
    `${t.ceilingTrendMiBPerMin === null ? '' : ` floor, ${t.ceilingTrendMiBPerMin.toFixed(2)} MiB/min ceiling`}, confidence ${t.confidence.toFixed(2)})`;
  // A total of the program and its children (--include-children) leaks when a child does: one leak.
  const leakingOf = current.memory.map((m) => ({ m, ...leakingSeries(m.trends.series, minConfidence) }));
  const procs = leakingOf.flatMap(({ m, counted }) => counted.map((t) => ({ m, t })));
  const inChildren = leakingOf.flatMap(({ m, inChildren }) => inChildren.map((t) => ({ m, t })));
  const n = sites.length + procs.length;
  const what = [...sites.map(siteText), ...procs.map(procText)];
  const weak = [
    ...leaking.filter((s) => s.confidence < minConfidence).map(siteText),
    ...trends.filter(({ t }) => t.verdict === 'leak' && t.confidence < minConfidence).map(procText),
  ];
  const slowing = allSites.filter((s) => s.verdict === 'slowing').map(siteText);
  const uneven = allSites.filter((s) => s.verdict === 'uneven').map(siteText);
  // Leaks --ignore leaves out are still said, with the line of the program that called into them.
  const ignored = (current.snapshots?.leaks?.sites ?? [])
    .filter((s) => !kept(s.filename) && s.verdict === 'leak' && s.confidence >= minConfidence)
    .map((s) => {
      // The program's own line that called into the ignored files, as a failed check points at it
      // (not a library's or the standard library's, nor an ignored file's: the traceback is oldest first).
      const callers = s.traceback.filter((t) => kept(t.filename));
      const last = callers[callers.length - 1];
      const at = last && sourceLocation(last, callers, roots, programDir);
      return siteText(s) + (at ? `, reached from ${at.filename}:${at.lineno}` : '');
    });
  const captures = current.snapshots?.labels.length ?? 0;
  const few = unjudgedSnapshots(current);
  const tooFew = captures > 0 && (captures < 3 || few !== null);
  // No snapshot, no mprof run (line reports tell what a call returned holding, which is no leak verdict).
  const reportsOnly = captures === 0 && current.memory.length === 0;
  // mprof runs too short to judge ('not judged' in leaks) give no verdict either.
  const unjudged = trends.filter(({ t }) => t.verdict === 'unjudged');
  const notes = [
    weak.length ? `not counted, below confidence ${minConfidence}: ${listedSome(weak)}` : '',
    slowing.length ? `not counted, growing but slowing (a cache still filling?): ${listedSome(slowing)}` : '',
    uneven.length
      ? `not counted, still growing with ups and downs that show no leak (capture longer, or --group-by traceback): ${listedSome(uneven)}`
      : '',
    inChildren.length
      ? `not counted apart, the total of the program and its children (the program and each child are judged): ${listedSome(inChildren.map(procText))}`
      : '',
    ignored.length ? `not counted, in files --ignore leaves out: ${listedSome(ignored)}` : '',
    tooFew
      ? few !== null
        ? `the ${few} ${/^1 snapshot\b/.test(few) ? 'is' : 'are'} too few to judge (leaks needs 3 or more)`
        : `${captures === 1 ? 'the 1 snapshot is' : `the ${captures} snapshots are`} too few to judge (leaks needs 3 or more)`
      : '',
    unjudged.length
      ? `not judged, too few samples: ${listedSome(unjudged.map(({ m, t }) => `${m.label} ${t.name}`))}`
      : '',
    reportsOnly && current.lineReports.length
      ? 'memory_profiler line reports give none (a call that returned holding memory is not a leak by itself: ' +
        '`arenascope leaks` lists them); 3 or more tracemalloc snapshots, or an mprof run, do'
      : '',
  ].filter(Boolean);
  const judgedRuns = trends.length > unjudged.length;
  // Judged by runs, every run judged: one too short to judge failed the gate alone, and passed it
  // beside another run that could be (h362 F3). A short-lived child's run is no such input; nor is
  // the RSS run beside snapshots that judge the program (an `arenascope run` folder's quick program).
  const unjudgedMain = unjudged.some(({ m, t }) => t === m.trends.series[0]);
  const bySnapshots = captures >= 3 && !tooFew;
  const some = bySnapshots || judgedRuns;
  const judged = bySnapshots || (judgedRuns && !unjudgedMain);
  const head = !judged
    ? some
      ? `no leak verdict for every input (${n} leak${n === 1 ? '' : 's'} among those judged)`
      : 'no leak verdict'
    : n
      ? `${n} leak${n > 1 ? 's' : ''} (limit ${maxLeaks}): ${listedSome(what, 10)}`
      : `no leak (limit ${maxLeaks})`;
  return {
    check: 'max-leaks',
    passed: judged && n <= maxLeaks,
    measured: judged ? n : null,
    limit: maxLeaks,
    unit: 'count',
    message: [head, ...notes].join('; '),
    // A file's leak (file:0: by file, or spread over its lines) is annotated at its largest growing
    // allocation's line in that file: CI has no line 0 (helper h140).
    sites: sites.map((s, i) => {
      const top = s.traceback[s.traceback.length - 1];
      const at = s.lineno === 0 && top?.filename === s.filename ? top : s;
      return gateSite(
        at,
        s.traceback,
        `leak at ${what[i]}; ${n} leak${n > 1 ? 's' : ''}, limit ${maxLeaks}`,
        roots,
        programDir,
      );
    }),
  };
}

// What a violated marker measured against its limit, as pytest-memray words its markers.
function violationText(t: RunTest, v: string): string {
  if (v === 'limit_memory' && t.limitMemoryBytes !== null && t.peakBytes !== null) {
    // pytest-memray fails a peak at its limit too: 'at' where they print alike (h384).
    const [peak, max] = bytesAgainst(t.peakBytes, t.limitMemoryBytes);
    return `peak ${peak} ${t.peakBytes > t.limitMemoryBytes ? 'over' : 'at'} limit_memory ${max}`;
  }
  if (v === 'limit_leaks' && t.limitLeaksBytes !== null && t.leakedBytes !== null) {
    const [leaked, max] = bytesAgainst(t.leakedBytes, t.limitLeaksBytes);
    return `leaked ${leaked} ${t.leakedBytes > t.limitLeaksBytes ? 'over' : 'at'} limit_leaks ${max}`;
  }
  return v;
}

// Where CI points for a test: its largest growing line in the repository, else where its function is
// defined, else its test file (it pointed at line 1, an import, for a peak the run did not see; h270).
function testSite(t: RunTest, roots: readonly string[], programDir?: string): GateSite {
  const top = t.top.map((l) => ({ filename: l.filename, lineno: l.lineno }));
  const file = t.nodeid.split('::')[0]!;
  const first = top[0] ?? t.defined ?? { filename: file, lineno: 1 };
  return gateSite(first, top, '', roots, programDir);
}

/**
 * The per-test limit markers (pytest-memray's limit_memory and limit_leaks) of the run folders among
 * the inputs: each test the run recorded as violating one fails the check, at its largest line.
 */
function testLimitsCheck(runs: readonly RunInfo[], roots: readonly string[], programDir?: string): CheckResult {
  const tests = runs.flatMap((r) => r.tests);
  // A test whose teardown failed has a second entry, its error: counted once, as pytest collected it.
  const count = new Set(runs.flatMap((r) => r.tests.map((t) => `${r.dir}\0${t.nodeid}`))).size;
  const failing = tests.filter((t) => t.violations.length > 0);
  const marked = tests.filter((t) => t.limitMemoryBytes !== null || t.limitLeaksBytes !== null).length;
  const texts = failing.map((t) => `${t.nodeid}: ${t.violations.map((v) => violationText(t, v)).join(', ')}`);
  const dirs = runs.map((r) => r.dir).join(', ');
  const message = !tests.length
    ? `no tests in ${dirs} (per-test limits are recorded when the run is \`arenascope run -- pytest …\`)`
    : failing.length
      ? `${failing.length} of ${count} tests over their limit markers: ${listedSome(texts)}`
      : `${count} tests, ${marked} with limit markers, none over its limits`;
  return {
    check: 'test-limits',
    passed: failing.length === 0,
    measured: failing.length,
    limit: 0,
    unit: 'count',
    message,
    sites: failing.map((t, i) => ({ ...testSite(t, roots, programDir), detail: texts[i]! })),
  };
}
