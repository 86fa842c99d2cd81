// The `leaks` query over a set of captures: one result per kind of capture present.

import type { CaptureSet, TimeSource } from '../model/capture-set.js';
import { type RunOf, runLabel } from '../model/memory-series.js';
import { UsageError } from '../util/errors.js';
import { fmtBytes } from '../util/text.js';
import { detectLeaks, type LeakOptions, type SiteTrend } from './leaks.js';
import {
  type LineIncrement,
  lineReportFindings,
  type RetainingFunction,
  type UnjudgedFunction,
} from './line-report.js';
import { type MemoryTrend, memoryTrends, type RetainingCall, retainingCalls, type TrendOptions } from './mprof.js';
import type { KeyType } from './statistics.js';

export interface SnapshotLeaks {
  readonly kind: 'snapshots';
  readonly captures: number;
  readonly labels: readonly string[];
  /** Capture times (seconds since the epoch) and where they came from, or null: order only. */
  readonly times: readonly number[] | null;
  readonly timeSource: TimeSource;
  readonly groupBy: KeyType;
  readonly minGrowth: number;
  readonly sites: readonly SiteTrend[];
  /** Why a capture given is not judged (the run's exit capture), or null. */
  readonly leftOut: string | null;
}

export interface MemoryLeaks {
  readonly kind: 'memory';
  readonly file: string;
  /** Which run of the file, when it holds several; null for a file of one run. */
  readonly run: RunOf | null;
  /** The file, and the run when there are several: how outputs name it. */
  readonly label: string;
  readonly cmdline: string | null;
  readonly series: readonly MemoryTrend[];
  readonly retainingCalls: readonly RetainingCall[];
}

export interface LineReportLeaks {
  readonly kind: 'line-report';
  readonly file: string;
  readonly topIncrements: readonly LineIncrement[];
  readonly retainingFunctions: readonly RetainingFunction[];
  /** Functions whose report cannot tell what they ended holding (called several times, rows unread). */
  readonly unjudgedFunctions: readonly UnjudgedFunction[];
}

export type LeakResult = SnapshotLeaks | MemoryLeaks | LineReportLeaks;

export interface LeakQuery extends Omit<LeakOptions, 'times'>, TrendOptions {}

/**
 * Whether the series' last capture is the exit snapshot of an `arenascope run` (labelled 'exit': taken by atexit, once
 * the program's functions have returned), with 3 captures before it to judge: what the program's
 * functions held is gone from it, so a leak in main()'s locals read as memory given back ("transient",
 * confidence 1: the gate passed). A run that ended by an exception or a signal keeps them (its last
 * capture has that label).
 */
function atexitCapture(set: CaptureSet): boolean {
  const { snapshots, labels } = set.series;
  return snapshots.length >= 4 && labels[labels.length - 1] === 'exit';
}

/**
 * Why the exit capture is left out, and what it holds more than the capture before it when that is
 * growth that counts: kept after the last checkpoint, which no leak verdict here covers (`leaks` said
 * nothing of a 2 MB table kept there; `gate --baseline` compares it).
 */
function exitLeftOut(set: CaptureSet, minGrowth: number): string {
  const { snapshots, labels } = set.series;
  const [before, exit] = [snapshots[snapshots.length - 2]!, snapshots[snapshots.length - 1]!];
  const more = exit.totalSize - before.totalSize;
  return (
    "the run's exit capture is left out: taken at exit, after the program's functions had returned and " +
    'freed their locals; a leak held by main() would read as given back there' +
    (more >= minGrowth
      ? `; it holds ${fmtBytes(more)} more than the capture before it (${labels[labels.length - 2]}): kept after ` +
        'the last checkpoint, judged by no leak verdict; `arenascope gate --baseline` compares the exit captures'
      : '')
  );
}

// The paths of a pytest run's tests' captures (each test's, as the plugin recorded them).
const testCaptures = (set: CaptureSet): ReadonlySet<string> =>
  new Set((set.runs ?? []).flatMap((r) => r.tests.flatMap((t) => (t.snapshot ? [t.snapshot] : []))));

/**
 * The index of the last test's capture of a pytest run under `arenascope run`, when captures of the
 * session's end come after it (pytest's summary and its plugins' hooks, importing modules: hypothesis's
 * import at its terminal summary read as 5 leaks of a suite of 4 tests that keep nothing, and the gate
 * failed); null otherwise. A suite of one test is judged at its capture too (its session end's interval
 * captures read as 5 leaks of a test keeping nothing, and as the run's state: h286); its leaks then
 * have too few captures to be judged, and the commands say so.
 */
function lastTestCapture(set: CaptureSet, judged: number): number | null {
  const tests = testCaptures(set);
  if (!tests.size) return null;
  const { snapshots } = set.series;
  let last = -1;
  for (let i = 0; i < judged; i++) if (tests.has(snapshots[i]!.source.path)) last = i;
  return last >= 1 && last < judged - 1 ? last : null;
}

/**
 * The index of the first test's capture of a pytest run under `arenascope run`, when captures come
 * before it (the start capture, taken before pytest loaded); 0 otherwise. What pytest's start-up and
 * collection made (its plugins, the test modules' imports, typing's caches) is no test's: +204 KiB of
 * typing.py over a suite of 3 tests read a leak of 0.60, and a plugin's tables loaded at collection a
 * leak of 0.50 over a suite of 2 (its tests' captures too few alone): the gate failed both.
 */
function firstTestCapture(set: CaptureSet): number {
  const tests = testCaptures(set);
  return Math.max(
    0,
    set.series.snapshots.findIndex((s) => tests.has(s.source.path)),
  );
}

/**
 * The last test's capture of a pytest run under `arenascope run` when captures of its session's end
 * follow it, its exit capture at least, else null: the moment its state is judged at (top sites,
 * totals, the gate's growth), as its leaks are. The session end formats failure reports, which parses
 * the tests' sources: an unchanged suite failed `--max-site-growth` at ast.py +1.6 MiB, against its
 * baseline's session end.
 */
export function lastTestOfRun(set: CaptureSet): number | null {
  return lastTestCapture(set, set.series.snapshots.length);
}

/** The snapshots leak detection judges: the series from `from` to before `end`, and why the rest is left out. */
interface Judged {
  readonly from: number;
  readonly end: number;
  /** The last test's capture of a pytest run, when captures of the session's end follow it. */
  readonly lastTest: number | null;
  /** The run's exit capture is left out. */
  readonly exit: boolean;
  /**
   * The captures judged, from `from` to before `end`: of a pytest run, its tests' and interval captures
   * (a test's checkpoints, each the state its test's own capture holds moments later, made a leak of 3 MB
   * a test read "grew, then stopped", 3, 6, 6, 9, 9 MiB, and the gate passed; h290).
   */
  readonly indices: readonly number[];
}

function judgedSnapshots(set: CaptureSet): Judged {
  const n = set.series.snapshots.length;
  const exit = atexitCapture(set);
  const lastTest = lastTestCapture(set, exit ? n - 1 : n);
  const end = lastTest !== null ? lastTest + 1 : exit ? n - 1 : n;
  const from = Math.min(firstTestCapture(set), end);
  const tests = testCaptures(set);
  const { snapshots, labels } = set.series;
  const indices = Array.from({ length: end - from }, (_, i) => from + i).filter(
    (i) => !tests.size || tests.has(snapshots[i]!.source.path) || labels[i] === 'interval',
  );
  return { from, end, lastTest, exit, indices };
}

/**
 * The snapshots leak detection would judge, named ("2 snapshots", or a pytest run's "2 snapshots of
 * its tests (...)"), when there are some but fewer than the 3 it needs; null otherwise. The commands
 * then judge the other captures alone, and say so.
 */
export function tooFewSnapshots(set: CaptureSet): string | null {
  if (!set.series.snapshots.length) return null;
  const { from, indices } = judgedSnapshots(set);
  const n = indices.length;
  if (n >= 3) return null;
  const named = `${n} snapshot${n === 1 ? '' : 's'}`;
  return from
    ? `${named} of the pytest run's tests (its ${from} capture(s) before the first test's, pytest's start-up and collection, are no test's)`
    : named;
}

/** Whether the set holds anything leak detection reads: snapshots, mprof runs or line reports. */
export function hasLeakEvidence(set: CaptureSet): boolean {
  return set.series.snapshots.length > 0 || set.memorySeries.length > 0 || set.lineReports.length > 0;
}

export function leakResults(set: CaptureSet, q: LeakQuery): LeakResult[] {
  const out: LeakResult[] = [];
  const snaps = set.series.snapshots;
  if (!hasLeakEvidence(set)) throw new UsageError('no snapshot, mprof run or line report among the inputs');
  if (snaps.length) {
    const { from, end, lastTest, exit, indices } = judgedSnapshots(set);
    const few = from ? tooFewSnapshots(set) : null;
    if (few) {
      throw new UsageError(
        `leak detection needs at least 3 snapshots of the same program, in capture order; got ${few}: ` +
          'with fewer, growth cannot be told from a plateau or a transient',
      );
    }
    const judged = indices.map((i) => snaps[i]!);
    const times = set.timeSource ? judged.map((s) => s.time!) : null;
    const r = detectLeaks(judged, { ...q, times });
    const before = from
      ? `the pytest run's ${from} capture(s) before its first test's are left out: pytest's start-up and ` +
        "collection (its plugins, the test modules' imports), where no test runs"
      : null;
    const checkpoints = end - from - indices.length;
    const among = checkpoints
      ? `the pytest run's ${checkpoints} checkpoint capture(s) among its tests' are left out: each test's own ` +
        'capture, after its teardown, stands for the state it leaves'
      : null;
    const after =
      lastTest !== null
        ? `the pytest run's ${snaps.length - end} capture(s) after its last test are left out: ` +
          "pytest's session end (its summary, plugins' hooks importing modules), where no test runs"
        : exit
          ? exitLeftOut(set, r.minGrowth)
          : null;
    out.push({
      kind: 'snapshots',
      captures: r.captures,
      labels: indices.map((i) => set.series.labels[i]!),
      times,
      timeSource: set.timeSource,
      groupBy: r.groupBy,
      minGrowth: r.minGrowth,
      sites: r.sites,
      leftOut: [before, among, after].filter(Boolean).join('; ') || null,
    });
  }
  for (const m of set.memorySeries) {
    out.push({
      kind: 'memory',
      file: m.source.path,
      run: m.run,
      label: runLabel(m.source.path, m.run),
      cmdline: m.cmdline,
      series: memoryTrends(m, q),
      retainingCalls: retainingCalls(m),
    });
  }
  for (const l of set.lineReports) out.push({ kind: 'line-report', file: l.source.path, ...lineReportFindings(l) });
  return out;
}
