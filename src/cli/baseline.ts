import type { Argv } from 'yargs';
import { BASELINE_SITES } from '../analysis/gate.js';
import { buildReportData } from '../analysis/report-data.js';
import type { Order } from '../ingest/resolve-inputs.js';
import { renderBaseline } from '../report/baseline.js';
import { type InputArgs, inputsOptions, loadSet, orderOption } from './command.js';
import { claimOutputs, filesAmong, writeOutput } from './output.js';
import { withCheckoutSource, workingDirectory } from './working-directory.js';

export const command = 'baseline <inputs..>';
export const describe =
  "Write the small report.json a team commits as the gate's baseline (no dumps in the repository)";

export function builder(y: Argv) {
  return orderOption(inputsOptions(y, 'Captures of the reference run')).option('output', {
    alias: 'o',
    type: 'string',
    default: 'memory-baseline.json',
    describe: "Where to write it ('-': stdout)",
  });
}

export async function handler(a: InputArgs & { inputs: string[]; output: string; order?: Order }): Promise<void> {
  await claimOutputs({ '-o': a.output }, { inputs: a.inputs });
  const set = await loadSet(a.inputs, a, { order: a.order, partial: 'never' });
  // Every line's size at the last capture: the site check compares line by line.
  // With the source text of the checkout's lines: a line moved by code added above it is found.
  const data = withCheckoutSource(
    buildReportData(set, a.inputs, {
      top: BASELINE_SITES,
      title: 'arenascope baseline',
      ...workingDirectory(),
      optimise: a.io.optimise,
      exitSites: true,
    }),
  );
  writeOutput(a, a.output, renderBaseline(data), 'json');
  for (const file of filesAmong([a.output])) a.io.out(`wrote ${file}\n`);
}
