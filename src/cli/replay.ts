import type { Argv } from 'yargs';
import { replayReport } from '../analysis/pymalloc/compare.js';
import { DEFAULT_PYTHON, GEOMETRIES } from '../analysis/pymalloc/geometry.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { renderReplayJson } from '../report/json.js';
import { renderReplayText } from '../report/text/replay.js';
import { emit, type InputArgs, inputsOptions, loadSet, type OutputArgs, outputOptions, warn } from './command.js';
import { orderOption } from './options.js';

export const command = 'replay <inputs..>';
export const describe =
  "Replay snapshots through a model of CPython's pymalloc: arenas, pools, fragmentation and who pins it";

export function builder(y: Argv) {
  const inputs = inputsOptions(y, 'Snapshots in capture order (files, directories, globs)');
  return outputOptions(orderOption(inputs), ['text', 'json'])
    .option('python', {
      type: 'string',
      choices: Object.keys(GEOMETRIES),
      default: DEFAULT_PYTHON,
      describe: 'Model the pymalloc of this CPython version (arena and pool sizes, release rule)',
    })
    .option('allocator-stats', {
      type: 'string',
      array: true,
      describe:
        'sys._debugmallocstats() reports taken at the same moments (files or directories): shown next to the model',
    })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the scattered order' })
    .option('mallocstats', {
      type: 'boolean',
      default: false,
      describe: 'Also print the last capture in the layout of sys._debugmallocstats()',
    })
    .example('$0 replay captures/ --allocator-stats stats/', 'model against the real allocator at each capture');
}

interface Args extends InputArgs, OutputArgs {
  inputs: string[];
  python: string;
  'allocator-stats'?: string[];
  order?: Order;
  seed: number;
  mallocstats: boolean;
}

export async function handler(a: Args): Promise<void> {
  const { snapshots, labels } = (await loadSet(a.inputs, a, a.order, ['snapshots'])).series;
  // Allocator reports in the order of their names: one per capture, or one file per capture.
  const stats = a['allocator-stats']?.length
    ? (await loadSet(a['allocator-stats'], a, 'name', ['allocator-stats'])).allocatorStats
    : [];
  const report = replayReport(snapshots, labels, stats, { python: a.python, seed: a.seed });
  for (const w of report.warnings) warn(a, w);
  emit(a, report, { text: (r) => renderReplayText(r, a.mallocstats), json: renderReplayJson });
}
