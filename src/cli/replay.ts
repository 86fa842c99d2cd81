import type { Argv } from 'yargs';
import { replayReport } from '../analysis/pymalloc/compare.js';
import { DEFAULT_PYTHON, GEOMETRIES, geometry } from '../analysis/pymalloc/geometry.js';
import { loadCaptureSet, ORDERS, type Order } from '../ingest/inputs.js';
import type { MallocStatsBlock } from '../model/allocator-stats.js';
import { renderJson } from '../report/json.js';
import { renderReplayText } from '../report/text.js';
import { type InputArgs, inputOptions, loadAny, UsageError } from './common.js';

export const command = 'replay <inputs..>';
export const describe =
  "Replay snapshots through a model of CPython's pymalloc: arenas, pools, fragmentation and who pins it";

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Snapshots in capture order (files, directories, globs)',
    }),
  )
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
    .option('order', { choices: ORDERS, describe: 'Order of the captures' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the scattered order' })
    .option('mallocstats', {
      type: 'boolean',
      default: false,
      describe: 'Also print the last capture in the layout of sys._debugmallocstats()',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
    .example('$0 replay captures/ --allocator-stats stats/', 'model against the real allocator at each capture');
}

interface Args extends InputArgs {
  inputs: string[];
  python: string;
  'allocator-stats'?: string[];
  order?: Order;
  seed: number;
  mallocstats: boolean;
  json: boolean;
}

export async function handler(a: Args): Promise<void> {
  const set = await loadCaptureSet(a.inputs, { order: a.order, load: (p, frames) => loadAny(p, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  const { snapshots, labels } = set.series;
  if (!snapshots.length)
    throw new UsageError(
      'replay reads snapshots (tracemalloc dumps, memray CSV, arenascope JSON); none among the inputs',
    );
  let real: MallocStatsBlock[] | null = null;
  if (a['allocator-stats']?.length) {
    const stats = await loadCaptureSet(a['allocator-stats'], {
      order: 'name',
      load: (p, frames) => loadAny(p, a, frames),
    });
    const files = stats.allocatorStats;
    const blocks = files.flatMap((f) => f.blocks);
    // Matched by order: one report per capture, or one file per capture (its last report).
    if (blocks.length === snapshots.length) real = blocks;
    else if (files.length === snapshots.length) real = files.map((f) => f.blocks[f.blocks.length - 1]!);
    else {
      throw new UsageError(
        `${snapshots.length} captures but ${files.length} allocator-stats files holding ${blocks.length} reports: give one report, or one file, per capture`,
      );
    }
    const g = geometry(a.python);
    if (real[0] && real[0].arenaSize !== g.arenaSize) {
      a.io.err(
        `arenascope: warning: the allocator reports have ${real[0].arenaSize}-byte arenas, the model of ${a.python} ${g.arenaSize}: pass --python\n`,
      );
    }
  }
  const report = replayReport(snapshots, labels, real, { python: a.python, seed: a.seed });
  if (a.json) {
    // The _debugmallocstats-shaped figures are for --mallocstats; JSON keeps the summary figures.
    const strip = <T extends { stats: unknown }>(x: T): Omit<T, 'stats'> => {
      const { stats: _, ...rest } = x;
      return rest;
    };
    a.io.out(
      renderJson({
        ...report,
        captures: report.captures.map((c) => ({
          ...c,
          compact: strip(c.compact),
          scattered: strip(c.scattered),
          real: c.real && strip(c.real),
        })),
      }),
    );
  } else a.io.out(renderReplayText(report, a.mallocstats));
}
