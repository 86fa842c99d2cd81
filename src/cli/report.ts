import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { GEOMETRIES } from '../analysis/pymalloc/geometry.js';
import { buildReportData } from '../analysis/report-data.js';
import { loadCaptureSet, ORDERS, type Order } from '../ingest/inputs.js';
import { renderHtml } from '../report/html/page.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderReportText } from '../report/text.js';
import { type InputArgs, inputOptions, loadAny, UsageError } from './common.js';

export const command = 'report <inputs..>';
export const describe = 'One self-contained HTML page (and JSON, Markdown) of whatever captures it is given';

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Captures of any kind, directories, globs',
    }),
  )
    .option('output', { alias: 'o', type: 'string', default: 'report.html', describe: 'The HTML page to write' })
    .option('json', { type: 'string', describe: 'Also write the report data (versioned JSON) here' })
    .option('markdown', { type: 'string', describe: 'Also write a Markdown summary here' })
    .option('title', { type: 'string', describe: 'Title of the page' })
    .option('python', {
      type: 'string',
      choices: Object.keys(GEOMETRIES),
      describe: 'pymalloc model to replay snapshots through (default 3.11)',
    })
    .option('order', { choices: ORDERS, describe: 'Order of the captures' })
    .option('baseline', {
      type: 'string',
      describe: 'Diff the last capture against this one (one of the inputs) instead of the first',
    })
    .option('format', {
      alias: 'f',
      choices: ['html', 'text', 'markdown', 'csv'] as const,
      default: 'html' as const,
      describe: 'html writes the page (-o); the others print to stdout (csv: the top sites)',
    })
    .example('$0 report captures/ run.dat', 'report.html from a series of dumps and an mprof run');
}

interface Args extends InputArgs {
  inputs: string[];
  output: string;
  json?: string;
  markdown?: string;
  title?: string;
  python?: string;
  order?: Order;
  baseline?: string;
  format: 'html' | 'text' | 'markdown' | 'csv';
}

export async function handler(a: Args): Promise<void> {
  const set = await loadCaptureSet(a.inputs, { order: a.order, load: (p, frames) => loadAny(p, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  const any =
    set.series.snapshots.length + set.memorySeries.length + set.lineReports.length + set.allocatorStats.length;
  if (!any) throw new UsageError('no capture to report on among the inputs');
  let baseline: number | undefined;
  if (a.baseline !== undefined) {
    baseline = set.series.labels.indexOf(a.baseline);
    if (baseline < 0) throw new UsageError(`--baseline ${a.baseline} is not one of the snapshots given`);
  }
  const data = buildReportData(set, a.inputs, { title: a.title, python: a.python, baseline });
  if (a.format === 'text') a.io.out(renderReportText(data));
  else if (a.format === 'markdown') a.io.out(renderMarkdown(data));
  else if (a.format === 'csv') {
    const top = data.snapshots?.topSites ?? [];
    const total = data.snapshots?.totals[data.snapshots.totals.length - 1] ?? { size: 0, count: 0 };
    a.io.out(
      await (await import('../report/csv.js')).renderStatsCsv({
        groupBy: 'lineno',
        cumulative: false,
        total,
        stats: top,
      }),
    );
  }
  if (a.format !== 'html') return;
  writeFileSync(a.output, renderHtml(data));
  if (a.json) writeFileSync(a.json, renderJson(data));
  if (a.markdown) writeFileSync(a.markdown, renderMarkdown(data));
  a.io.out(`wrote ${resolve(a.output)}${a.json ? `, ${a.json}` : ''}${a.markdown ? `, ${a.markdown}` : ''}\n`);
}
