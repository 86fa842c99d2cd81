import type { Argv } from 'yargs';
import { type CaptureInfo, captureInfo } from '../analysis/info.js';
import { ORDERS, type Order, resolveInputs } from '../ingest/inputs.js';
import { renderJson } from '../report/json.js';
import { renderInfoText } from '../report/text.js';
import { type InputArgs, inputOptions, loadAny } from './common.js';

export const command = 'info <inputs..>';
export const describe = 'What captures are: kind, counts, time span, peak, warnings (files, directories, globs)';

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: "Captures, directories or globs; '-' for stdin",
    }),
  )
    .option('order', {
      choices: ORDERS,
      describe: 'Order of the inputs (default: as given; directories by natural name)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON: one object for one input, else a list' });
}

export async function handler(a: InputArgs & { inputs: string[]; json: boolean; order?: Order }): Promise<void> {
  const { inputs, skipped } = resolveInputs(a.inputs, a.order);
  for (const s of skipped) a.io.err(`arenascope: warning: ${s}\n`);
  const infos: CaptureInfo[] = [];
  for (const path of inputs) infos.push(captureInfo(await loadAny(path, a)));
  const single = infos.length === 1 && a.inputs.length === 1 && inputs[0] === a.inputs[0];
  if (a.json) a.io.out(renderJson(single ? infos[0] : infos));
  else a.io.out(infos.map(renderInfoText).join('\n'));
}
