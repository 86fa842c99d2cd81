import type { Argv } from 'yargs';
import { type LeakResult, leakResults, tooFewSnapshots } from '../analysis/leak-results.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { renderLeaksCsv } from '../report/csv.js';
import { renderJson } from '../report/json.js';
import { leaksTextPaths, renderLeaksText } from '../report/text/leaks.js';
import { UsageError } from '../util/errors.js';
import {
  emit,
  fullPathsOption,
  type InputArgs,
  inputsOptions,
  layoutOf,
  loadSet,
  type OutputArgs,
  orderOption,
  outputOptions,
  refuseListingSeriesGrouping,
  warn,
} from './command.js';
import {
  type LeakArgs,
  leakOptions,
  leakQueryFromArgs,
  parseSize,
  printedByOption,
  sourceLookup,
  sourceOption,
} from './options.js';

export const command = 'leaks <inputs..>';
export const describe =
  'Does memory keep growing, and where? Over a series of snapshots (3+), an mprof run, a line report';

export function builder(y: Argv) {
  const inputs = inputsOptions(
    y,
    'Snapshots (3 or more, in order), directories, globs, mprof .dat files, line reports',
  );
  const order = 'Order of the captures (default: as given, directories by natural name, or by capture time when known)';
  const options = orderOption(inputs, order);
  return (
    leakOptions(printedByOption(sourceOption(fullPathsOption(outputOptions(options, ['text', 'json', 'csv'])))))
      // A string, so that the size this option took before 0.2 is still read (with a notice).
      .option('limit', {
        alias: 'n',
        type: 'string',
        describe: 'Text output lists the first N sites of each verdict (default 10), and says how many more',
      })
      .option('memory-limit', {
        type: 'string',
        describe: 'A memory limit (e.g. 2GiB): say when an mprof trend would reach it',
      })
      .example('$0 leaks captures/', 'classify every line of a series of dumps: leak, plateau, transient')
      .example(
        '$0 leaks run.dat --memory-limit 2GiB',
        'the memory trend of an mprof run, and when it would reach 2 GiB',
      )
  );
}

interface Args extends InputArgs, OutputArgs, LeakArgs {
  inputs: string[];
  order?: Order;
  limit?: string;
  'memory-limit'?: string;
  'full-paths': boolean;
  source: boolean;
  python?: string;
}

const MiB = 2 ** 20;

function csv(results: readonly LeakResult[], say: (message: string) => void): string {
  const snaps = results.find((r) => r.kind === 'snapshots');
  if (snaps?.kind !== 'snapshots')
    throw new UsageError('--format csv lists the sites of a snapshot series; none was given');
  // The other captures' findings are in no row: said, with their leaks (a run folder's memory.dat, the
  // only leak, was left out unsaid while text, JSON, report and gate named it; h254).
  const others = results.filter((r) => r.kind !== 'snapshots');
  if (others.length) {
    const leaking = others.flatMap((r) =>
      r.kind === 'memory' ? r.series.filter((t) => t.verdict === 'leak').map((t) => `${r.label} ${t.name}`) : [],
    );
    say(
      `--format csv lists the snapshot series' sites alone: ${others.map((r) => (r.kind === 'memory' ? r.label : r.file)).join(', ')} ` +
        `not in it${leaking.length ? ` (judged a leak: ${leaking.join(', ')})` : ''}; the text or --json lists them`,
    );
  }
  return renderLeaksCsv(snaps);
}

/**
 * -n/--limit is a count here as everywhere; until 0.2 it was leaks' memory limit, so a size given to
 * it (a number with a unit) still sets --memory-limit, with a notice.
 */
function limits(a: Args): { count?: number; memory?: string } {
  const typed = a.limit;
  if (typed === undefined) return { memory: a['memory-limit'] };
  if (/^\s*\d+\s*$/.test(typed)) return { count: Number(typed), memory: a['memory-limit'] };
  if (/^\s*\d+(?:\.\d+)?\s*[a-zA-Z]+\s*$/.test(typed) && a['memory-limit'] === undefined) {
    warn(a, `--limit ${typed}: a size given to --limit is deprecated; use --memory-limit ${typed} (-n is a count)`);
    return { memory: typed };
  }
  throw new UsageError(`-n expects a whole number, got ${typed.trim() === '' ? `'${typed}'` : typed}`);
}

export async function handler(a: Args): Promise<void> {
  const { count, memory } = limits(a);
  const set = await loadSet(a.inputs, a, {
    order: a.order,
    uses: ['snapshots', 'memory', 'line-reports'],
    partial: 'series',
    python: a.python,
  });
  refuseListingSeriesGrouping(set, a['group-by']);
  // Too few snapshots beside an mprof run or a line report (a run folder with --interval 0): the
  // others are judged, as report and gate judge them, and the snapshots are said to be too few.
  const few = tooFewSnapshots(set);
  const others = set.memorySeries.length + set.lineReports.length > 0;
  if (few && others)
    warn(a, `${few}: too few to judge (leak detection needs 3 or more); the other captures are judged`);
  const judged = few && others ? { ...set, series: { ...set.series, snapshots: [], labels: [] } } : set;
  // Said, not dropped unsaid: it reads the trend of a process's memory over time (h303).
  if (memory !== undefined && !set.memorySeries.length)
    warn(a, `--memory-limit ${memory}: it dates an mprof run's trend, and these captures hold none`);
  const results = leakResults(judged, {
    ...leakQueryFromArgs(a),
    limitMiB: memory === undefined ? undefined : parseSize(memory, '--memory-limit') / MiB,
  });
  emit(a, results, {
    text: (r) => renderLeaksText(r, sourceLookup(a), layoutOf({ ...a, limit: count }, leaksTextPaths(r))),
    json: (r) => renderJson(r.length === 1 ? r[0] : r),
    csv: (r) => csv(r, (m) => warn(a, m)),
  });
}
