import type { Snapshot } from './snapshot.js';

/** Snapshots in capture order, each with a label (its file name, or the label it was saved with). */
export interface SnapshotSeries {
  readonly kind: 'snapshot-series';
  readonly snapshots: readonly Snapshot[];
  readonly labels: readonly string[];
  readonly warnings: readonly string[];
}
