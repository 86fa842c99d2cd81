import type { Argv } from 'yargs';
import { type CaptureInfo, captureInfo } from '../analysis/info.js';
import { type Order, resolveInputs } from '../ingest/resolve-inputs.js';
import { renderJson } from '../report/json.js';
import { renderInfoText } from '../report/text/info.js';
import {
  emit,
  type InputArgs,
  inputsOptions,
  loadAny,
  type OutputArgs,
  orderOption,
  outputOptions,
  warn,
} from './command.js';

export const command = 'info <inputs..>';
export const describe =
  'What captures are: format, kind, counts, time span, peak, warnings (files, directories, globs)';

export function builder(y: Argv) {
  const inputs = inputsOptions(y, "Captures, directories or globs; '-' for stdin");
  const ordered = orderOption(inputs, 'Order of the inputs (default: as given; directories by natural name)');
  return outputOptions(ordered, ['text', 'json']);
}

export async function handler(a: InputArgs & OutputArgs & { inputs: string[]; order?: Order }): Promise<void> {
  const { inputs, skipped } = resolveInputs(a.inputs, a.order);
  for (const s of skipped) warn(a, s);
  const infos: CaptureInfo[] = [];
  for (const path of inputs) infos.push(captureInfo(await loadAny(path, a)));
  // One object for one input named as it is, else a list.
  const single = infos.length === 1 && a.inputs.length === 1 && inputs[0] === a.inputs[0];
  emit(a, infos, {
    text: (r) => r.map(renderInfoText).join('\n'),
    json: (r) => renderJson(single ? r[0] : r),
  });
}
