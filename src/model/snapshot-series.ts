import type { Snapshot } from './snapshot.js';

/** Snapshots in capture order, each with a label (its file name, or the label it was saved with). */
export interface SnapshotSeries {
  readonly kind: 'snapshot-series';
  readonly snapshots: readonly Snapshot[];
  readonly labels: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * The capture a series' state is judged at (top sites, totals, fragmentation): the last, or the one
 * before a run's exit capture (labelled 'exit': taken once the program's functions had returned, so
 * what main()'s locals held is gone from it) when a capture comes between the start and it.
 */
export function judgedCapture(labels: readonly string[]): number {
  return labels.length >= 3 && labels[labels.length - 1] === 'exit' ? labels.length - 2 : labels.length - 1;
}
