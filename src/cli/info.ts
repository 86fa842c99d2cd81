import type { Argv } from 'yargs';
import { captureInfo } from '../analysis/info.js';
import { renderJson } from '../report/json.js';
import { renderInfoText } from '../report/text.js';
import { inputOptions, loadSnapshot, type InputArgs } from './common.js';

export const command = 'info <file>';
export const describe = 'What a capture is: format, Python layout, traceback limit, traces, groups, total';

export function builder(y: Argv) {
  return inputOptions(y.positional('file', { type: 'string', demandOption: true, describe: "A capture, or '-' for stdin" }))
    .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object' });
}

export async function handler(a: InputArgs & { file: string; json: boolean }): Promise<void> {
  const info = captureInfo(await loadSnapshot(a.file, a));
  a.io.out(a.json ? renderJson(info) : renderInfoText(info));
}
