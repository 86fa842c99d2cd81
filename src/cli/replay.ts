import type { Argv } from 'yargs';
import { replayReport } from '../analysis/pymalloc/compare.js';
import { worthOptimising } from '../analysis/pymalloc/replay.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { recordedPythons } from '../model/run.js';
import { renderJson, renderReplayJson } from '../report/json.js';
import { renderReplayText, renderReportsAloneText } from '../report/text/replay.js';
import { UsageError } from '../util/errors.js';
import {
  emit,
  inputsOptions,
  type LayoutArgs,
  layoutOf,
  layoutOptions,
  loadSet,
  type OutputArgs,
  orderOption,
  outputOptions,
  warn,
} from './command.js';
import { type AllocatorStatsArgs, allocatorStatsOption, withAllocatorStats } from './options.js';
import { duringPhase } from './progress.js';

export const command = 'replay <inputs..>';
export const describe =
  "Replay snapshots through a model of CPython's pymalloc: arenas, pools, fragmentation and who pins it";

export function builder(y: Argv) {
  const inputs = inputsOptions(
    y,
    'Snapshots in capture order (files, directories, globs); allocator reports among them pair with them, or alone are measured',
  );
  const outputs = layoutOptions(outputOptions(orderOption(inputs), ['text', 'json']), 'pinning sites');
  return allocatorStatsOption(outputs)
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the scattered order' })
    .option('mallocstats', {
      type: 'boolean',
      default: false,
      describe: 'Also print the last capture in the layout of sys._debugmallocstats()',
    })
    .example('$0 replay captures/ --allocator-stats stats/', 'model against the real allocator at each capture');
}

interface Args extends AllocatorStatsArgs, OutputArgs, LayoutArgs {
  inputs: string[];
  order?: Order;
  seed: number;
  mallocstats: boolean;
}

// The seed is taken as a 32-bit integer (draw.ts): any other number was quietly another seed.
const SEED_MIN = -(2 ** 31);
const SEED_MAX = 2 ** 31 - 1;

export async function handler(a: Args): Promise<void> {
  if (!(Number.isInteger(a.seed) && a.seed >= SEED_MIN && a.seed <= SEED_MAX)) {
    throw new UsageError(`--seed expects a whole number from ${SEED_MIN} to ${SEED_MAX}, got ${a.seed}`);
  }
  // Allocator reports among the inputs are used as those --allocator-stats names (pairing.ts pairs them).
  const set = await withAllocatorStats(
    await loadSet(a.inputs, a, { order: a.order, uses: ['snapshots', 'allocator-stats'], partial: 'series' }),
    a,
  );
  const { snapshots, labels } = set.series;
  // Reports alone: nothing to replay, but each measures itself, as report and gate judge them.
  if (!snapshots.length && set.allocatorStats.length) {
    const { reportsAlone } = await import('../analysis/pymalloc/reports-alone.js');
    const alone = reportsAlone(set.allocatorStats);
    if (alone.apart) warn(a, alone.apart);
    const layout = layoutOf(
      a,
      alone.reports.map((r) => r.file),
    );
    emit(a, alone, { text: (r) => renderReportsAloneText(r, layout), json: renderJson });
    return;
  }
  a.io.optimise?.(worthOptimising(snapshots));
  // The model replays every block twice: about a second per quarter million (measured on 5M blocks).
  const blocks = snapshots.reduce((n, s) => n + s.traceCount, 0);
  const report = await duringPhase(a.io.progress, `replaying ${blocks} blocks`, blocks >= 250_000, () =>
    replayReport(snapshots, labels, set.allocatorStats, {
      python: a.python,
      recordedPythons: recordedPythons(set.runs),
      seed: a.seed,
      requireReports: Boolean(a['allocator-stats']?.length),
    }),
  );
  for (const w of report.warnings) warn(a, w);
  const layout = layoutOf(a, [...labels, ...report.fragmentation.pinningSites.map((p) => p.filename)]);
  emit(a, report, { text: (r) => renderReplayText(r, a.mallocstats, layout), json: renderReplayJson });
}
