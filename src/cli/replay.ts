import type { Argv } from 'yargs';
import { replayReport } from '../analysis/pymalloc/compare.js';
import { DEFAULT_PYTHON, GEOMETRIES } from '../analysis/pymalloc/geometry.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { renderReplayJson } from '../report/json.js';
import { renderReplayText } from '../report/text/replay.js';
import { emit, inputsOptions, loadSet, type OutputArgs, orderOption, outputOptions, warn } from './command.js';
import { type AllocatorStatsArgs, allocatorStatsOption, withAllocatorStats } from './options.js';

export const command = 'replay <inputs..>';
export const describe =
  "Replay snapshots through a model of CPython's pymalloc: arenas, pools, fragmentation and who pins it";

export function builder(y: Argv) {
  const inputs = inputsOptions(y, 'Snapshots in capture order (files, directories, globs)');
  return allocatorStatsOption(outputOptions(orderOption(inputs), ['text', 'json']))
    .option('python', {
      type: 'string',
      choices: Object.keys(GEOMETRIES),
      default: DEFAULT_PYTHON,
      describe: 'Model the pymalloc of this CPython version (arena and pool sizes, release rule)',
    })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the scattered order' })
    .option('mallocstats', {
      type: 'boolean',
      default: false,
      describe: 'Also print the last capture in the layout of sys._debugmallocstats()',
    })
    .example('$0 replay captures/ --allocator-stats stats/', 'model against the real allocator at each capture');
}

interface Args extends AllocatorStatsArgs, OutputArgs {
  inputs: string[];
  python: string;
  order?: Order;
  seed: number;
  mallocstats: boolean;
}

export async function handler(a: Args): Promise<void> {
  // Allocator reports among the inputs are used as those --allocator-stats names (pairing.ts pairs them).
  const set = await withAllocatorStats(await loadSet(a.inputs, a, a.order, ['snapshots', 'allocator-stats']), a);
  const { snapshots, labels } = set.series;
  const report = replayReport(snapshots, labels, set.allocatorStats, {
    python: a.python,
    seed: a.seed,
    requireReports: Boolean(a['allocator-stats']?.length),
  });
  for (const w of report.warnings) warn(a, w);
  emit(a, report, { text: (r) => renderReplayText(r, a.mallocstats), json: renderReplayJson });
}
