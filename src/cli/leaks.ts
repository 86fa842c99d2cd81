import type { Argv } from 'yargs';
import { type LeakResult, leakResults } from '../analysis/leak-results.js';
import type { KeyType } from '../analysis/statistics.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { renderLeaksCsv } from '../report/csv.js';
import { renderJson } from '../report/json.js';
import { renderLeaksText } from '../report/text/leaks.js';
import { UsageError } from '../util/errors.js';
import {
  emit,
  type InputArgs,
  inputsOptions,
  loadSet,
  type OutputArgs,
  orderOption,
  outputOptions,
} from './command.js';
import { groupByOption, parseSize, sourceLookup, sourceOption } from './options.js';

export const command = 'leaks <inputs..>';
export const describe =
  'Does memory keep growing, and where? Over a series of snapshots (3+), an mprof run, a line report';

export function builder(y: Argv) {
  const inputs = inputsOptions(
    y,
    'Snapshots (3 or more, in order), directories, globs, mprof .dat files, line reports',
  );
  const order = 'Order of the captures (default: as given, directories by natural name, or by capture time when known)';
  const options = groupByOption(orderOption(inputs, order), 'Sites: lines, files or whole tracebacks');
  return sourceOption(outputOptions(options, ['text', 'json', 'csv']))
    .option('min-growth', {
      type: 'string',
      describe:
        'Growth below this is never a leak ' +
        '(default: 64KiB for snapshots; for mprof, the larger of 1 MiB and 5% of the baseline)',
    })
    .option('keep-internals', {
      type: 'boolean',
      default: false,
      describe: "Keep tracemalloc's own and the import machinery's allocations (left out by default)",
    })
    .option('warmup', {
      type: 'number',
      describe: 'Seconds of an mprof run to leave out as warm-up (default: the first 10%)',
    })
    .option('limit', { type: 'string', describe: 'A memory limit (e.g. 2GiB): say when an mprof trend would reach it' })
    .example('$0 leaks captures/', 'classify every line of a series of dumps: leak, plateau, transient')
    .example('$0 leaks run.dat --limit 2GiB', 'the memory trend of an mprof run, and when it would reach 2 GiB');
}

interface Args extends InputArgs, OutputArgs {
  inputs: string[];
  'group-by': KeyType;
  'min-growth'?: string;
  'keep-internals': boolean;
  order?: Order;
  warmup?: number;
  limit?: string;
  source: boolean;
}

const MiB = 2 ** 20;

function csv(results: readonly LeakResult[]): string {
  const snaps = results.find((r) => r.kind === 'snapshots');
  if (snaps?.kind !== 'snapshots')
    throw new UsageError('--format csv lists the sites of a snapshot series; none was given');
  return renderLeaksCsv(snaps);
}

export async function handler(a: Args): Promise<void> {
  const set = await loadSet(a.inputs, a, a.order, ['snapshots', 'memory', 'line-reports']);
  const minGrowth = a['min-growth'] === undefined ? undefined : parseSize(a['min-growth'], '--min-growth');
  const results = leakResults(set, {
    groupBy: a['group-by'],
    minGrowth,
    minGrowthMiB: minGrowth === undefined ? undefined : minGrowth / MiB,
    keepInternals: a['keep-internals'],
    warmupSeconds: a.warmup,
    limitMiB: a.limit === undefined ? undefined : parseSize(a.limit, '--limit') / MiB,
  });
  emit(a, results, {
    text: (r) => renderLeaksText(r, sourceLookup(a)),
    json: (r) => renderJson(r.length === 1 ? r[0] : r),
    csv,
  });
}
