import type { Argv } from 'yargs';
import { leakResults } from '../analysis/leak-results.js';
import { KEY_TYPES, type KeyType } from '../analysis/statistics.js';
import { loadCaptureSet, ORDERS, type Order } from '../ingest/inputs.js';
import { renderJson } from '../report/json.js';
import { fileSourceLookup, noSource } from '../report/linecache.js';
import { renderLeaksText } from '../report/text.js';
import { type InputArgs, inputOptions, loadAny, parseSize, UsageError } from './common.js';

export const command = 'leaks <inputs..>';
export const describe =
  'Does memory keep growing, and where? Over a series of snapshots (3+), an mprof run, a line report';

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Snapshots (3 or more, in order), directories, globs, mprof .dat files, line reports',
    }),
  )
    .option('group-by', {
      alias: 'g',
      choices: KEY_TYPES,
      default: 'lineno' as KeyType,
      describe: 'Sites: lines, files or whole tracebacks',
    })
    .option('min-growth', {
      type: 'string',
      describe:
        'Growth below this is never a leak (default: 64KiB for snapshots; for mprof, the larger of 1 MiB and 5% of the baseline)',
    })
    .option('keep-internals', {
      type: 'boolean',
      default: false,
      describe: "Keep tracemalloc's own and the import machinery's allocations (left out by default)",
    })
    .option('order', {
      choices: ORDERS,
      describe: 'Order of the captures (default: as given, directories by natural name, or by capture time when known)',
    })
    .option('warmup', {
      type: 'number',
      describe: 'Seconds of an mprof run to leave out as warm-up (default: the first 10%)',
    })
    .option('limit', { type: 'string', describe: 'A memory limit (e.g. 2GiB): say when an mprof trend would reach it' })
    .option('format', {
      alias: 'f',
      choices: ['text', 'json', 'csv'] as const,
      default: 'text' as const,
      describe: 'Output format',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Same as --format json' })
    .option('source', {
      type: 'boolean',
      default: true,
      describe: 'Source lines under tracebacks when the files exist here',
    })
    .example('$0 leaks captures/', 'classify every line of a series of dumps: leak, plateau, transient')
    .example('$0 leaks run.dat --limit 2GiB', 'the memory trend of an mprof run, and when it would reach 2 GiB');
}

interface Args extends InputArgs {
  inputs: string[];
  'group-by': KeyType;
  'min-growth'?: string;
  'keep-internals': boolean;
  order?: Order;
  warmup?: number;
  limit?: string;
  format: 'text' | 'json' | 'csv';
  json: boolean;
  source: boolean;
}

export async function handler(a: Args): Promise<void> {
  const set = await loadCaptureSet(a.inputs, { order: a.order, load: (p, frames) => loadAny(p, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  const n = set.series.snapshots.length;
  if (n > 0 && n < 3) {
    throw new UsageError(
      `leak detection needs at least 3 snapshots of the same program, in capture order; got ${n}: with fewer, growth cannot be told from a plateau or a transient`,
    );
  }
  if (!n && !set.memorySeries.length && !set.lineReports.length) {
    throw new UsageError('no snapshot, mprof run or line report among the inputs');
  }
  const MiB = 2 ** 20;
  const limit = a.limit === undefined ? undefined : parseSize(a.limit, '--limit') / MiB;
  const minGrowth = a['min-growth'] === undefined ? undefined : parseSize(a['min-growth'], '--min-growth');
  const results = leakResults(set, {
    groupBy: a['group-by'],
    minGrowth,
    minGrowthMiB: minGrowth === undefined ? undefined : minGrowth / MiB,
    keepInternals: a['keep-internals'],
    warmupSeconds: a.warmup,
    limitMiB: limit,
  });
  const format = a.json ? 'json' : a.format;
  if (format === 'json') a.io.out(renderJson(results.length === 1 ? results[0] : results));
  else if (format === 'csv') {
    const snaps = results.find((r) => r.kind === 'snapshots');
    if (snaps?.kind !== 'snapshots')
      throw new UsageError('--format csv lists the sites of a snapshot series; none was given');
    a.io.out(await (await import('../report/csv.js')).renderLeaksCsv(snaps));
  } else a.io.out(renderLeaksText(results, a.source ? fileSourceLookup() : noSource));
}
