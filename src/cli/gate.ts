import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { BASELINE_SITES, evaluateGate, type GateResult } from '../analysis/gate.js';
import { buildReportData, type ReportData } from '../analysis/report-data.js';
import { readBaseline } from '../ingest/baseline.js';
import type { Order } from '../ingest/resolve-inputs.js';
import type { CaptureSet } from '../model/capture-set.js';
import {
  forCiLog,
  renderGateMarkdown,
  renderGateText,
  renderGithub,
  renderJunit,
  workspaceFile,
} from '../report/gate.js';
import { wrapLines } from '../report/text/layout.js';
import { EXIT, UsageError } from '../util/errors.js';
import {
  emit,
  type InputArgs,
  inputsOptions,
  type LayoutArgs,
  limitOption,
  loadSet,
  type OutputArgs,
  orderOption,
  outputOptions,
  refuseListingSeriesGrouping,
  warn,
} from './command.js';
import {
  baselineInputs,
  findConfig,
  type GateFlags,
  gateLeakArgs,
  gateLimits,
  readConfig,
  requireBaselineFor,
  requireGrowthFor,
} from './gate-config.js';
import {
  type AllocatorStatsArgs,
  allocatorStatsOption,
  type LeakArgs,
  leakOptions,
  leakQueryFromArgs,
  withAllocatorStats,
} from './options.js';
import { claimOutputs, writeOutput } from './output.js';
import { wholeNumber } from './usage.js';
import { realPath, repositoryRoot, withCheckoutSource, workingDirectory } from './working-directory.js';

export const command = 'gate <inputs..>';
export const describe =
  'Fail a build on a memory regression: checks against limits and a baseline; exit 1 when one fails';

export function builder(y: Argv) {
  const inputs = orderOption(inputsOptions(y, 'The current captures (files, directories, globs)'));
  return (
    leakOptions(
      allocatorStatsOption(limitOption(outputOptions(inputs, ['text', 'json']), 'places a failed check points at')),
    )
      .option('baseline', {
        type: 'string',
        array: true,
        describe: 'A baseline (report.json from `arenascope baseline` or `report --json-out`) or captures',
      })
      .option('config', {
        type: 'string',
        describe:
          'Limits from this file (default: the nearest arenascope.config.json(.gz), here or in a folder above, up to the repository root); flags win',
      })
      .option('max-peak', {
        type: 'string',
        describe:
          "Peak memory (an mprof run's, with the children it measured, else the traced peak between captures, else the largest traced total), e.g. 512MiB",
      })
      .option('max-peak-growth', { type: 'string', describe: 'Peak growth against the baseline: 5% or a size' })
      .option('max-total-growth', {
        type: 'string',
        describe: 'Growth of traced bytes at the last capture against the baseline: 5% or a size',
      })
      .option('max-leaks', { type: 'number', describe: 'Leaks allowed (default 0 when the input is a series)' })
      .option('min-leak-confidence', {
        type: 'number',
        describe: 'Leaks judged with less confidence do not count (default 0.5)',
      })
      .option('max-site-growth', { type: 'string', describe: 'Growth of any one line against the baseline, e.g. 1MiB' })
      .option('max-fragmentation', {
        type: 'number',
        describe:
          'Highest fragmentation allowed (0..1): share of the arenas held that packing the blocks in use would give back',
      })
      // Every word up to the next option, unlike the filters of stats and diff (one each): a pattern the
      // shell expanded (an unquoted glob) gave words that, taken one by one, became captures.
      .option('ignore', {
        type: 'string',
        array: true,
        describe: 'fnmatch patterns of file names the site checks leave out (repeatable)',
      })
      .option('junit', { type: 'string', describe: 'Write JUnit XML here (a testcase per check)' })
      .option('github', {
        type: 'boolean',
        default: false,
        describe: 'Print GitHub Actions annotations (::error file=…,line=… for failures)',
      })
      .option('markdown', { type: 'string', describe: 'Write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)' })
      .epilogue('Exit codes: 0 every check passed, 1 a check failed, 2 usage or input error.')
      .example(
        '$0 gate captures/ --baseline memory-baseline.json --max-total-growth 10% --junit gate.xml',
        'fail when traced memory grew by more than 10%, or anything leaks',
      )
  );
}

interface Args extends AllocatorStatsArgs, OutputArgs, GateFlags, LayoutArgs {
  // As LeakArgs: the flags' own types (the config's may be a number of bytes).
  'min-growth'?: string;
  'keep-internals': boolean;
  inputs: string[];
  order?: Order;
  config?: string;
  junit?: string;
  github: boolean;
  markdown?: string;
}

// A baseline given as captures: its lines are keyed by file names relative to where the gate runs,
// as the current captures' are. Another checkout's lines then do not line up, and the site check
// fails saying so (grown from nothing), never passes: a guess of the folder they were taken in
// (the one mirroring the current captures' place, or the one naming the most files alike) took
// v1's lib/app.py for v2's app.py and passed its growth. `arenascope baseline`, run in that
// checkout, keys them by it.
async function reportOf(
  inputs: string[],
  a: InputArgs & { order?: Order },
  top: number,
  current: ReadonlySet<string>,
): Promise<ReportData> {
  const set = await loadSet(inputs, a, { order: a.order, partial: 'never' });
  // The current captures again (one folder given twice, a CI variable naming this run's output): every
  // growth was 0, and the gate passed whatever the run did.
  const files = captureFiles(set);
  if (files.size && [...files].every((f) => current.has(f))) {
    throw new UsageError(
      `--baseline ${inputs.join(' ')}: ${files.size === 1 ? "the baseline's capture is" : `the baseline's ${files.size} captures are`} ` +
        'among the current captures (the gate would compare the run with itself); ' +
        "a baseline is another run's captures, or the file `arenascope baseline` wrote from them",
    );
  }
  // No source text: the checkout holds the current code, not the code these captures ran.
  return buildReportData(set, inputs, {
    top,
    ...workingDirectory(),
    optimise: a.io.optimise,
    exitSites: true,
  });
}

// The current captures, with the allocator reports --allocator-stats names; what pairing left out is said.
async function currentReport(
  a: Args,
  leakArgs: LeakArgs,
  everyLine: boolean,
): Promise<{ data: ReportData; cutShort: number; files: ReadonlySet<string> }> {
  const set = await withAllocatorStats(await loadSet(a.inputs, a, { order: a.order, partial: 'never' }), a);
  refuseListingSeriesGrouping(set, leakArgs['group-by']);
  // Every line when lines are checked (a line grown below the 1,000 largest passed unseen).
  const data = buildReportData(set, a.inputs, {
    ...workingDirectory(),
    top: everyLine ? Number.POSITIVE_INFINITY : 1000,
    requireAllocatorReports: Boolean(a['allocator-stats']?.length),
    ...(a.python === undefined ? {} : { python: a.python }),
    optimise: a.io.optimise,
    exitSites: everyLine,
    leaks: leakQueryFromArgs(leakArgs),
  });
  for (const n of data.snapshots?.replay?.allocatorNotes ?? []) warn(a, n);
  if (data.allocatorApart) warn(a, data.allocatorApart);
  return {
    data: everyLine ? withCheckoutSource(data) : data,
    cutShort: set.cutShort?.length ?? 0,
    files: captureFiles(set),
  };
}

/** The files a set's captures were read from, by their real paths (stdin left out). */
function captureFiles(set: CaptureSet): Set<string> {
  const sources = [
    ...set.series.snapshots.map((s) => s.source),
    ...set.memorySeries.map((m) => m.source),
    ...set.lineReports.map((r) => r.source),
    ...set.allocatorStats.map((r) => r.source),
  ];
  return new Set(sources.filter((s) => s.path !== '-' && existsSync(s.path)).map((s) => realPath(s.path)));
}

export async function handler(a: Args): Promise<void> {
  const config = readConfig(a.config);
  let limits = gateLimits(config, a);
  const base = baselineInputs(config, a);
  // The baseline and the config are inputs too: never written over (a --junit onto the baseline was).
  const configFile = a.config ?? findConfig();
  await claimOutputs(
    { '--junit': a.junit, '--markdown': a.markdown },
    { inputs: [...a.inputs, ...(base ?? []), ...(configFile ? [configFile] : [])], holder: "the gate's summary" },
  );
  // Before anything is loaded: a growth check without a baseline is a mistake.
  requireBaselineFor(config, a, limits, base);
  requireGrowthFor(config, a, limits, base);
  const leakArgs = gateLeakArgs(config, a);
  const { data: current, cutShort, files } = await currentReport(a, leakArgs, limits.maxSiteGrowth !== undefined);
  // Snapshots left out as cut short still made the input a series: its leak check stays (and says
  // what it could judge), as it would have been without them.
  const given = (current.snapshots?.labels.length ?? 0) + cutShort;
  if (cutShort && given >= 3 && limits.maxLeaks === undefined) limits = { ...limits, maxLeaks: 0 };
  let baseline: ReportData | null = null;
  if (base?.length)
    baseline = (base.length === 1 && readBaseline(base[0]!)) || (await reportOf(base, a, BASELINE_SITES, files));
  // The repository is where the gate runs (CI's checkout), as for relative file names.
  const cwd = workingDirectory();
  const result = evaluateGate(current, baseline, limits, base?.join(', '), [cwd.root, ...cwd.rootAliases]);
  // A gate with nothing to check passed every build it was put in (2 dumps and no limit: "no check was asked for").
  if (!result.checks.length) {
    throw new UsageError(
      'no check to make: give a limit (--max-peak, --max-leaks, --max-fragmentation; with --baseline, ' +
        '--max-total-growth, --max-peak-growth or --max-site-growth) or a config file; leaks are checked by ' +
        'default in a series of 3 snapshots or more, or an mprof run long enough to judge',
    );
  }
  if (a.junit) writeOutput(a, a.junit, renderJunit(result), 'text');
  if (a.markdown) writeOutput(a, a.markdown, renderGateMarkdown(result), 'text');
  const limit = wholeNumber(a.limit, '--limit', 1);
  // Annotations are one line each, as GitHub reads them; the summary wraps to the terminal.
  // With --github the summary is in the job's log too, which renders ANSI escapes: shown as codes.
  const summary = (r: GateResult): string => {
    const text = `${wrapLines(renderGateText(r, limit).split('\n'), a.io.columns).join('\n')}`;
    return a.github ? forCiLog(text) : text;
  };
  // The annotations are the only workflow commands printed: emit marks any other line that reads as one.
  if (a.github && (a.json || a.format !== 'text')) {
    warn(a, '--github prints its annotations with the text output only (stdout holds the JSON): none printed');
  }
  if (a.github && !a.json && a.format === 'text') {
    // The repository's root: GitHub's, else the folder holding .git above the one the gate runs in (a gate
    // tried out of Actions in a subfolder; run at the root, names are the gate's own).
    const above = repositoryRoot(process.cwd());
    const ws = process.env.GITHUB_WORKSPACE || (above !== process.cwd() ? above : null);
    a.io.out(renderGithub(result, ws ? workspaceFile(ws, process.cwd(), realPath, existsSync) : undefined));
  }
  emit(a, result, { text: summary });
  if (!result.passed) a.status.code = EXIT.gateFailed;
}
