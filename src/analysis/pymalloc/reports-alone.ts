// Allocator reports given without snapshots: nothing to replay, but each report measures itself (its
// arenas against what its own size-class table needs packed), the measure `report` and `gate` judge
// such inputs by. `replay` says the same verdict on them rather than refusing them.

import { type AllocatorStats, standingReport } from '../../model/allocator-stats.js';
import {
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
  readonly fragmented: FragmentedVerdict;
}

/**
 * The one judged among measures in capture order: the last, or the one before a run's exit report when
 * that one is the more fragmented (main()'s locals are freed at exit), as replay judges a run's captures.
 */
export function judgedOf<T>(
  items: readonly T[],
  measureOf: (t: T) => FragmentationMeasure | null,
  labelOf: (t: T) => string | null | undefined,
): T | null {
  const measured = items.filter((t) => measureOf(t) !== null);
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
  const judged = judgedOf(
    measured,
    (r) => r.measure,
    (r) => r.f.label,
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
  return {
    kind: 'allocator-reports',
    reports,
    judged: reports[measured.indexOf(judged)]!,
    fragmented: {
      verdict: yes ? 'yes' : 'no',
      reason: `the real allocator holds ${m.heldArenas} arenas; packed, its blocks in use need ${m.neededArenas}`,
      next: yes ? next : 'none for fragmentation (not more than twice the arenas the live blocks need)',
    },
  };
}
