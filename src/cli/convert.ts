import { createWriteStream, type WriteStream } from 'node:fs';
import type { Argv } from 'yargs';
import { statsResult } from '../analysis/statistics.js';
import { loadCaptureSet } from '../ingest/inputs.js';
import { writeSeriesJson, writeSnapshotJson } from '../report/arenascope-json.js';
import { type InputArgs, inputOptions, loadAny, UsageError } from './common.js';

export const command = 'convert <inputs..>';
export const describe = 'Write snapshots as arenascope JSON (one, or a series for several) or a per-site CSV table';

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Snapshots (dumps, memray CSV, JSON), directories or globs',
    }),
  )
    .option('to', {
      choices: ['json', 'csv'] as const,
      demandOption: true,
      describe: 'json: the arenascope snapshot/series format; csv: top sites (lineno)',
    })
    .option('output', { alias: 'o', type: 'string', describe: 'Write to this file instead of stdout' })
    .example('$0 convert app.pickle --to json -o app.json', 'a JSON snapshot any tool can read');
}

export async function handler(a: InputArgs & { inputs: string[]; to: 'json' | 'csv'; output?: string }): Promise<void> {
  const set = await loadCaptureSet(a.inputs, { load: (path, frames) => loadAny(path, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  const { snapshots, labels } = set.series;
  const other = [...set.memorySeries, ...set.lineReports, ...set.allocatorStats, ...set.statisticsLogs];
  if (other.length)
    throw new UsageError(`${other[0]!.source.path}: a ${other[0]!.source.format} capture has no snapshot to convert`);
  if (!snapshots.length) throw new UsageError('no snapshot to convert');
  let file: WriteStream | null = null;
  if (a.output) file = createWriteStream(a.output);
  const write = (text: string): void => void (file ? file.write(text) : a.io.out(text));
  if (a.to === 'json') {
    if (snapshots.length === 1) writeSnapshotJson(snapshots[0]!, write);
    else writeSeriesJson(snapshots, labels, write);
  } else {
    if (snapshots.length > 1) throw new UsageError('--to csv converts one snapshot');
    const { renderStatsCsv } = await import('../report/csv.js');
    write(await renderStatsCsv(statsResult(snapshots[0]!, { keyType: 'lineno' })));
  }
  if (file) await new Promise<void>((resolve, reject) => file!.end((e?: Error | null) => (e ? reject(e) : resolve())));
}
