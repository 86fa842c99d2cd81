import type { Argv } from 'yargs';
import { replayReport } from '../analysis/pymalloc/compare.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { recordedPythons } from '../model/run.js';
import { renderReplayJson } from '../report/json.js';
import { renderReplayText } from '../report/text/replay.js';
import {
  dumpsFirst,
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

/** Groups (summed over the captures) from which the replay's JavaScript is worth optimising. */
const OPTIMISE_GROUPS = 50_000;
export const describe =
  "Replay snapshots through a model of CPython's pymalloc: arenas, pools, fragmentation and who pins it";

export function builder(y: Argv) {
  const inputs = inputsOptions(y, 'Snapshots in capture order (files, directories, globs)');
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

export async function handler(a: Args): Promise<void> {
  dumpsFirst(a);
  // Allocator reports among the inputs are used as those --allocator-stats names (pairing.ts pairs them).
  const set = await withAllocatorStats(
    await loadSet(a.inputs, a, { order: a.order, uses: ['snapshots', 'allocator-stats'], partial: 'series' }),
    a,
  );
  const { snapshots, labels } = set.series;
  // The model's work per block is WebAssembly; its JavaScript runs once per group and per pool. For a
  // few thousand groups V8's optimiser costs more than it saves: in a replay of 2 x 1M blocks in 9.6k
  // groups, compiling was a third of the instructions, and without it the replay took 0.65 s, not
  // 0.80; for hundreds of thousands it pays (2 x 1M groups: 4.1 s with it, 8.6 without).
  const groups = snapshots.reduce((n, s) => n + s.groups.length, 0);
  a.io.optimise?.(groups >= OPTIMISE_GROUPS);
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
