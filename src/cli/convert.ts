import type { Argv } from 'yargs';
import { statsResult } from '../analysis/statistics.js';
import { writeSeriesJson, writeSnapshotJson } from '../report/arenascope-json.js';
import { renderStatsCsv } from '../report/csv.js';
import { UsageError } from '../util/errors.js';
import { type InputArgs, inputsOptions, loadSet } from './command.js';
import { printedByOption } from './options.js';
import { claimOutputs, openOutput } from './output.js';

export const command = 'convert <inputs..>';
export const describe = 'Write snapshots as arenascope JSON (one, or a series for several) or a per-site CSV table';

export function builder(y: Argv) {
  // --python: CPython 3.6's logged tracebacks, most recent frame first, written in 3.7+'s order (a 3.6
  // listing converted kept its frames turned round, its callers read as the sites; h371 F2).
  return printedByOption(inputsOptions(y, 'Snapshots (dumps, memray CSV, JSON), directories or globs'))
    .option('to', {
      choices: ['json', 'csv'] as const,
      demandOption: true,
      describe: 'json: the arenascope snapshot/series format; csv: top sites (lineno)',
    })
    .option('output', { alias: 'o', type: 'string', describe: "Write to this file instead of stdout ('-': stdout)" })
    .example('$0 convert app.pickle --to json -o app.json', 'a JSON snapshot any tool can read');
}

export async function handler(
  a: InputArgs & { inputs: string[]; to: 'json' | 'csv'; output?: string; python?: string },
): Promise<void> {
  await claimOutputs({ '-o': a.output }, { inputs: a.inputs });
  // Captures of other kinds (a run folder's memory.dat) are left out, each with a warning.
  const set = await loadSet(a.inputs, a, { uses: ['snapshots'], whole: true, python: a.python });
  const { snapshots, labels } = set.series;
  if (a.to === 'csv' && snapshots.length > 1) throw new UsageError('--to csv converts one snapshot');
  // A file is written as a stream: a snapshot of millions of groups is never one string.
  const file = openOutput(a, a.output ?? '-', a.to === 'json' ? 'json' : 'text');
  const write = file.write;
  if (a.to === 'csv') write(renderStatsCsv(statsResult(snapshots[0]!, { keyType: 'lineno' })));
  // A label of its own (a run's, a sidecar's: `exit` says what the capture is) is kept; a path is not.
  else if (snapshots.length === 1)
    writeSnapshotJson(
      snapshots[0]!,
      write,
      labels[0] !== snapshots[0]!.source.path && labels[0] !== '-' ? labels[0]! : null,
    );
  // Standard input ('-') has no name to keep.
  else
    writeSeriesJson(
      snapshots,
      labels.map((l) => (l === '-' ? null : l)),
      write,
    );
  file.close();
}
