// Allocator reports given without snapshots: nothing to replay, but each report measures itself (its
// arenas against what its own size-class table needs packed), the measure `report` and `gate` judge
// such inputs by. `replay` says the same verdict on them rather than refusing them.

import { type AllocatorStats, buildsApart, standingReport } from '../../model/allocator-stats.js';
import {
  AT_NEW_ARENA,
  COUNTERS,
  countersBack,
  FRAGMENTED_SHARE,
  type FragmentationMeasure,
  type FragmentedVerdict,
  fragmentedOver,
  reportFragmentation,
} from './compare.js';

/** A file's measure: of the report it stands for (standingReport), null when its table is incomplete. */
export interface ReportMeasure {
  readonly file: string;
  /** The line of the input its standing report starts at. */
  readonly line: number;
  readonly arenaSize: number;
  /** The arenas it holds (CPython's '# arenas allocated current'). */
  readonly arenas: number;
  readonly measure: FragmentationMeasure | null;
}

export interface ReportsAlone {
  readonly kind: 'allocator-reports';
  readonly reports: readonly ReportMeasure[];
  /** The report judged (judgedOf), null when none could be measured. */
  readonly judged: ReportMeasure | null;
  /** Why the reports are not one process's in order (reportsApart), when they are not. */
  readonly apart: string | null;
  readonly fragmented: FragmentedVerdict;
}

/**
 * Why allocator reports given alone are not one process's in the order taken, or null: a file's report
 * (the one it stands for) counting fewer arenas allocated, reclaimed or held at once than the report of
 * a file before it, counters that only grow in a process. Then each is another process's (two CI
 * workers': one 85% fragmented passed the gate on the other's 0%, the file that sorted last), or the
 * order is wrong: judgedOf takes the most fragmented (as captures beside them, such reports are not
 * paired: compare.ts).
 */
export function reportsApart(files: readonly AllocatorStats[]): string | null {
  const standing = files.filter((f) => f.blocks.length).map((f) => ({ f, b: standingReport(f) }));
  const where = (i: number): string => `${standing[i]!.f.source.path} (line ${standing[i]!.b.inputLine})`;
  // Another build's report read as a later state of one process: a 3.12 report of 0% after a 3.9 one
  // of 90% passed the gate, failed it in the other order.
  const builds = buildsApart(standing.map((x) => x.b));
  if (builds) {
    return (
      `${where(builds.later)} is another CPython build's report than ${where(builds.earlier)} ` +
      `(${builds.changes.join('; ')}): not one process's; each is judged as its own process's, the most ` +
      'fragmented for them all (give each build its own command)'
    );
  }
  const back = countersBack(standing.map((x) => x.b));
  if (!back) return null;
  const [a, b] = [standing[back.earlier]!.b, standing[back.later]!.b];
  return (
    `${where(back.later)} counts ${b[back.counter]} ${COUNTERS[back.counter]} where ${where(back.earlier)}, before it, ` +
    `counts ${a[back.counter]}: a process's counts only grow, so these allocator reports are not one process's in ` +
    "the order taken; each is judged as its own process's, the most fragmented for them all (give each process " +
    "its own command, or one process's reports in the order taken: --order mtime, --order given)"
  );
}

/**
 * The one judged among measures in capture order: the last, or the one before a run's exit report when
 * that one is the more fragmented (main()'s locals are freed at exit), as replay judges a run's captures;
 * the most fragmented when they are not one process's in order (`apart`: reportsApart).
 */
export function judgedOf<T>(
  items: readonly T[],
  measureOf: (t: T) => FragmentationMeasure | null,
  labelOf: (t: T) => string | null | undefined,
  apart = false,
): T | null {
  const measured = items.filter((t) => measureOf(t) !== null);
  if (apart)
    return measured.reduce<T | null>((w, t) => (w && measureOf(w)!.share >= measureOf(t)!.share ? w : t), null);
  const last = measured.at(-1);
  if (!last) return null;
  const before = measured.length >= 3 && labelOf(last) === 'exit' ? measured.at(-2)! : null;
  return before && measureOf(before)!.share > measureOf(last)!.share ? before : last;
}

export function reportsAlone(files: readonly AllocatorStats[]): ReportsAlone {
  const measured = files
    .filter((f) => f.blocks.length)
    .map((f) => {
      const b = standingReport(f);
      return {
        file: f.source.path,
        line: b.inputLine,
        arenaSize: b.arenaSize,
        arenas: b.arenasCurrent,
        measure: reportFragmentation(b),
        f,
      };
    });
  const apart = reportsApart(files);
  const judged = judgedOf(
    measured,
    (r) => r.measure,
    (r) => r.f.label,
    apart !== null,
  );
  const reports = measured.map(({ f: _, ...r }) => r);
  const next =
    'give tracemalloc dumps taken at the same moments (`arenascope run --allocator` takes both) to replay them ' +
    'and name the sites that pin the arenas';
  if (!judged?.measure) {
    return {
      kind: 'allocator-reports',
      reports,
      judged: null,
      apart,
      fragmented: {
        verdict: 'unknown',
        reason:
          'no report has its size-class table whole (elided or damaged): what its blocks need packed is not known',
        next: 'give a report whole',
      },
    };
  }
  const m = judged.measure;
  const yes = fragmentedOver(m, FRAGMENTED_SHARE);
  const held = `the real allocator holds ${m.heldArenas} arenas; packed, its blocks in use need ${m.neededArenas}`;
  if (!yes && m.atNewArena) {
    return {
      kind: 'allocator-reports',
      reports,
      judged: reports[measured.indexOf(judged)]!,
      apart,
      fragmented: { verdict: 'unknown', reason: `${held}; but ${AT_NEW_ARENA.reason}`, next: AT_NEW_ARENA.next },
    };
  }
  return {
    kind: 'allocator-reports',
    reports,
    judged: reports[measured.indexOf(judged)]!,
    apart,
    fragmented: {
      verdict: yes ? 'yes' : 'no',
      reason: held,
      next: yes ? next : 'none for fragmentation (not more than twice the arenas the live blocks need)',
    },
  };
}
