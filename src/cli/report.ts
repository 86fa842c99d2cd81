import { existsSync, realpathSync } from 'node:fs';
import type { Argv } from 'yargs';
import { buildReportData, REPORT_TOP_SITES } from '../analysis/report-data.js';
import type { Order } from '../ingest/resolve-inputs.js';
import type { CaptureSet } from '../model/capture-set.js';
import { renderTopSitesCsv } from '../report/csv.js';
import type { CompileCharts } from '../report/html/chart-compiler.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderReportText, reportTextPaths } from '../report/text/report.js';
import { UsageError } from '../util/errors.js';
import {
  emit,
  inputsOptions,
  type LayoutArgs,
  layoutOf,
  layoutOptions,
  loadSet,
  type OutputFormat,
  orderOption,
  refuseListingSeriesGrouping,
  warn,
} from './command.js';
import {
  type AllocatorStatsArgs,
  allocatorStatsOption,
  type LeakArgs,
  leakOptions,
  leakQueryFromArgs,
  sourceLookup,
  sourceOption,
  withAllocatorStats,
} from './options.js';
import { claimOutputs, filesAmong, isStdout, type OutputKind, writeOutput } from './output.js';
import { duringPhase } from './progress.js';
import { wholeNumber } from './usage.js';
import { workingDirectory } from './working-directory.js';

export const command = 'report <inputs..>';
export const describe = 'One self-contained HTML page (and JSON, Markdown) of whatever captures it is given';

export function builder(y: Argv) {
  const inputs = inputsOptions(y, 'Captures of any kind, directories, globs');
  return (
    leakOptions(sourceOption(allocatorStatsOption(layoutOptions(orderOption(inputs), 'sites'))))
      .option('output', {
        alias: 'o',
        type: 'string',
        describe:
          "The file to write the report to (--format html: report.html unless named; the others: stdout; '-': stdout)",
      })
      .option('json-out', {
        type: 'string',
        requiresArg: true,
        describe: "Also write the report data (versioned JSON) to this file ('-': stdout), whatever is printed",
      })
      // --json prints JSON in every command; until 0.2 it named report's JSON file (still read, with a notice).
      .option('json', { type: 'string', describe: 'Same as --format json (--json FILE: deprecated, use --json-out)' })
      .option('markdown', { type: 'string', describe: "Also write a Markdown summary here ('-': stdout)" })
      .option('title', { type: 'string', describe: 'Title of the page' })
      .option('diff-from', {
        type: 'string',
        requiresArg: true,
        describe: 'Diff the last capture against this one (its label: one of the inputs) instead of the first',
      })
      // --baseline is the gate's reference run; until 0.2 it was this (still read, with a notice).
      .option('baseline', { type: 'string', hidden: true, describe: 'Deprecated: use --diff-from' })
      .option('format', {
        alias: 'f',
        choices: ['html', 'text', 'json', 'markdown', 'csv'] as const,
        default: 'html' as const,
        describe:
          'html writes the page to -o; the others print to stdout, or write to -o when named (json: the report data; csv: the top sites)',
      })
      .example('$0 report captures/ run.dat', 'report.html from a series of dumps and an mprof run')
  );
}

interface Args extends AllocatorStatsArgs, LayoutArgs, LeakArgs {
  inputs: string[];
  output?: string;
  'json-out'?: string;
  json?: string;
  'diff-from'?: string;
  markdown?: string;
  title?: string;
  python?: string;
  order?: Order;
  baseline?: string;
  format: 'html' | OutputFormat;
  source: boolean;
  'source-path'?: string[];
}

/** The old spellings (until 0.2) read as the new ones, each with a notice on stderr. */
async function withoutDeprecated(a: Args): Promise<Args> {
  let b = a;
  if (a.json) {
    // Before the inputs (`report --json snap-1.pickle snap-2.pickle`) it meant "print JSON": never write over a capture.
    if (existsSync(a.json) && !(await import('../ingest/baseline.js')).isReportJson(a.json)) {
      throw new UsageError(
        `--json ${a.json}: it exists and is no report's JSON; --json prints JSON (as --format json) when it follows ` +
          'the inputs, and --json-out FILE writes the report data to a file',
      );
    }
    warn(a, `--json ${a.json}: naming the JSON file with --json is deprecated; use --json-out ${a.json}`);
    b = { ...b, 'json-out': a['json-out'] ?? a.json, json: undefined };
  } else if (a.json === '') b = { ...b, format: 'json', json: undefined };
  if (a.baseline !== undefined) {
    warn(a, `--baseline ${a.baseline}: report's --baseline is deprecated; use --diff-from (--baseline is the gate's)`);
    b = { ...b, 'diff-from': a['diff-from'] ?? a.baseline };
  }
  return b;
}

/**
 * --diff-from naming a capture's file by a path from elsewhere (`/abs/caps/snap-03.pickle` of a folder
 * given as `caps`): that capture's label. Else as given: another file of the same name is no name of a
 * capture (another run's `../run1/snap-00.pickle` was taken for this run's `snap-00.pickle`, h320).
 */
function diffFromLabel(set: CaptureSet, given: string | undefined): string | undefined {
  const { snapshots, labels } = set.series;
  if (given === undefined || labels.includes(given)) return given;
  const real = (path: string): string | null => {
    try {
      return realpathSync(path);
    } catch {
      return null;
    }
  };
  const file = real(given);
  const i = file === null ? -1 : snapshots.findIndex((s) => real(s.source.path) === file);
  return i >= 0 ? labels[i] : given;
}

export async function handler(given: Args): Promise<void> {
  const a = await withoutDeprecated(given);
  // A page's charts: vega-lite loads on another thread while this one reads and analyzes.
  const charts = a.format === 'html' ? (await import('../report/html/chart-compiler.js')).startChartCompiler() : null;
  try {
    await report(a, charts?.compile);
  } finally {
    charts?.close();
  }
}

async function report(given: Args, compileCharts: CompileCharts | undefined): Promise<void> {
  // The warnings printed while the inputs are read and analyzed, shown on the page too.
  const warnings: string[] = [];
  const err = (text: string): void => {
    const w = /^arenascope: warning: ([\s\S]*?)\n?$/.exec(text);
    if (w) warnings.push(w[1]!);
    given.io.err(text);
  };
  const a: Args = { ...given, io: { ...given.io, err } };
  const limit = wholeNumber(a.limit, '--limit', 1);
  // Before anything is read: at most one output on stdout, and none when it holds the report.
  const html = a.format === 'html';
  // -o names the file of every format (`--json -o report.json` printed it, and wrote no file: h332, h333).
  const output = a.output ?? (html ? 'report.html' : '-');
  const toStdout = await claimOutputs(
    { '-o': html || !isStdout(output) ? output : undefined, '--json-out': a['json-out'], '--markdown': a.markdown },
    { inputs: a.inputs, holder: html || !isStdout(output) ? undefined : `the report (--format ${a.format})` },
  );
  const set = await withAllocatorStats(await loadSet(a.inputs, a, { order: a.order, partial: 'series' }), a);
  refuseListingSeriesGrouping(set, a['group-by']);
  // The analyses replay the snapshots through the model: long for a large series (see replay.ts).
  const blocks = set.series.snapshots.reduce((n, x) => n + x.traceCount, 0);
  const data = await duringPhase(a.io.progress, `analyzing ${blocks} blocks`, blocks >= 250_000, () =>
    buildReportData(set, a.inputs, {
      ...workingDirectory(),
      title: a.title,
      python: a.python,
      baselineLabel: diffFromLabel(set, a['diff-from']),
      requireAllocatorReports: Boolean(a['allocator-stats']?.length),
      optimise: a.io.optimise,
      leaks: leakQueryFromArgs(a),
    }),
  );
  if (data.snapshots?.listing === 'traceback' && data.snapshots.labels.length >= 2)
    warn(
      a,
      "listings by traceback: the report's diff by line is left out (a line's change would be the difference of " +
        'two partial sums of the tracebacks each lists); `arenascope diff` compares two of them by traceback',
    );
  for (const n of data.snapshots?.replay?.allocatorNotes ?? []) warn(a, n);
  if (data.allocatorApart) warn(a, data.allocatorApart);
  // The JSON carries the warnings too, as the page does (logged sizes read as exact figures there).
  const json = (): string => renderJson({ ...data, warnings });
  // The files asked for are written whatever is printed: --json-out is never dropped silently.
  const files: string[] = [];
  const write = (file: string | undefined, text: () => string, kind: OutputKind): void => {
    if (file === undefined) return;
    writeOutput(a, file, text(), kind);
    files.push(file);
  };
  if (a.format !== 'html') {
    write(a['json-out'], json, 'json');
    write(a.markdown, () => renderMarkdown(data, limit), 'text');
    const layout = layoutOf(a, reportTextPaths(data));
    // Rendered as it is printed, then written whole to the file -o names.
    const rendered: string[] = [];
    const io = isStdout(output) ? a.io : { ...a.io, out: (t: string) => void rendered.push(t), outIsFile: true };
    emit({ ...a, io, format: a.format, json: false }, data, {
      json,
      text: (d) => renderReportText(d, layout),
      markdown: (d) => renderMarkdown(d, limit),
      csv: (d) => {
        // As leaks: a CSV of no snapshot would be a header alone, read as "no site".
        if (!d.snapshots) throw new UsageError('--format csv lists the top sites of the snapshots; none was given');
        // The report keeps its largest lines: a CSV of them said so (615 lines' capture, 200 rows, unsaid).
        if (d.snapshots.topSites.length >= REPORT_TOP_SITES) {
          warn(
            a,
            `the CSV lists the report's ${REPORT_TOP_SITES} largest lines; \`arenascope stats -f csv CAPTURE\` ` +
              'lists every line of a capture',
          );
        }
        return renderTopSitesCsv(d);
      },
    });
    if (!isStdout(output)) {
      writeOutput(a, output, rendered.join(''), a.format === 'json' ? 'json' : 'text');
      const written = filesAmong([output, ...files]);
      if (toStdout && written.length) a.io.err(`arenascope: wrote ${written.join(', ')}\n`);
      else if (!toStdout) a.io.out(`wrote ${written.join(', ')}\n`);
      return;
    }
    // stdout holds the report itself: the files written are said on stderr.
    for (const f of files) a.io.err(`arenascope: wrote ${f}\n`);
    return;
  }
  // The page module loads the chart compiler: only when a page is written.
  const { renderHtmlParts } = await import('../report/html/page.js');
  const page = await duringPhase(a.io.progress, `rendering ${output}`, true, () =>
    renderHtmlParts(data, sourceLookup(a), compileCharts, warnings),
  );
  writeOutput(a, output, page, 'text');
  write(a['json-out'], json, 'json');
  write(a.markdown, () => renderMarkdown(data, limit), 'text');
  const written = filesAmong([output, ...files]);
  // With an output on stdout, the files written are said on stderr.
  if (toStdout && written.length) a.io.err(`arenascope: wrote ${written.join(', ')}\n`);
  else if (!toStdout) a.io.out(`wrote ${written.join(', ')}\n`);
}
