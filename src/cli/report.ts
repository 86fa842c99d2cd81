import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_PYTHON, GEOMETRIES } from '../analysis/pymalloc/geometry.js';
import { buildReportData } from '../analysis/report-data.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { renderTopSitesCsv } from '../report/csv.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderReportText } from '../report/text/report.js';
import { emit, inputsOptions, loadSet, type OutputFormat, orderOption, warn } from './command.js';
import { type AllocatorStatsArgs, allocatorStatsOption, withAllocatorStats } from './options.js';

export const command = 'report <inputs..>';
export const describe = 'One self-contained HTML page (and JSON, Markdown) of whatever captures it is given';

export function builder(y: Argv) {
  const inputs = inputsOptions(y, 'Captures of any kind, directories, globs');
  return allocatorStatsOption(orderOption(inputs))
    .option('output', { alias: 'o', type: 'string', default: 'report.html', describe: 'The HTML page to write' })
    .option('json', { type: 'string', describe: 'Also write the report data (versioned JSON) here' })
    .option('markdown', { type: 'string', describe: 'Also write a Markdown summary here' })
    .option('title', { type: 'string', describe: 'Title of the page' })
    .option('python', {
      type: 'string',
      choices: Object.keys(GEOMETRIES),
      describe: `pymalloc model to replay snapshots through (default ${DEFAULT_PYTHON})`,
    })
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

interface Args extends AllocatorStatsArgs {
  inputs: string[];
  output: string;
  json?: string;
  markdown?: string;
  title?: string;
  python?: string;
  order?: Order;
  baseline?: string;
  format: 'html' | Exclude<OutputFormat, 'json'>;
}

export async function handler(a: Args): Promise<void> {
  const set = await withAllocatorStats(await loadSet(a.inputs, a, a.order), a);
  const data = buildReportData(set, a.inputs, {
    title: a.title,
    python: a.python,
    baselineLabel: a.baseline,
    requireAllocatorReports: Boolean(a['allocator-stats']?.length),
  });
  for (const n of data.snapshots?.replay?.allocatorNotes ?? []) warn(a, n);
  if (a.format !== 'html') {
    emit({ ...a, format: a.format, json: false }, data, {
      text: renderReportText,
      markdown: renderMarkdown,
      csv: renderTopSitesCsv,
    });
    return;
  }
  // The page module loads the chart compiler: only when a page is written.
  const { renderHtml } = await import('../report/html/page.js');
  writeFileSync(a.output, renderHtml(data));
  if (a.json) writeFileSync(a.json, renderJson(data));
  if (a.markdown) writeFileSync(a.markdown, renderMarkdown(data));
  a.io.out(`wrote ${resolve(a.output)}${a.json ? `, ${a.json}` : ''}${a.markdown ? `, ${a.markdown}` : ''}\n`);
}
