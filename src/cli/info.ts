import type { Argv } from 'yargs';
import { type CaptureInfo, captureInfo } from '../analysis/info.js';
import { type Order, resolveInputs } from '../ingest/resolve-inputs.js';
import { runFiles } from '../ingest/run-folder.js';
import { sidecarLabel } from '../ingest/sidecar.js';
import { renderJson } from '../report/json.js';
import { renderInfoText, renderRunText } from '../report/text/info.js';
import {
  emit,
  type InputArgs,
  inputsOptions,
  type LayoutArgs,
  layoutOf,
  limitOption,
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
  return limitOption(outputOptions(ordered, ['text', 'json']), '@profile functions or line-report functions');
}

export async function handler(
  a: InputArgs & OutputArgs & LayoutArgs & { inputs: string[]; order?: Order },
): Promise<void> {
  const { inputs, skipped, runs } = resolveInputs(a.inputs, a.order);
  for (const s of skipped) warn(a, s);
  // A capture's label: the run folder's, else its `.label` sidecar's.
  const recorded = runFiles(runs);
  const infos: (CaptureInfo & { label?: string })[] = [];
  for (const path of inputs) {
    const label = recorded.get(path)?.label ?? sidecarLabel(path);
    infos.push({ ...captureInfo(await loadAny(path, a)), ...(label === null ? {} : { label }) });
  }
  // One object for one input named as it is, else a list; with run folders, their runs beside it.
  const single = infos.length === 1 && a.inputs.length === 1 && inputs[0] === a.inputs[0];
  const tables = runs.map(({ dir, status, command, python, cwd, tests }) => ({
    dir,
    status,
    command,
    python,
    cwd,
    tests,
  }));
  emit(a, infos, {
    text: (r) => {
      // info names files as given: its layout caps lists only.
      const layout = layoutOf({ ...a, 'full-paths': true }, []);
      return [...tables.map(renderRunText), ...r.map((i) => renderInfoText(i, layout))].join('\n');
    },
    json: (r) => renderJson(tables.length ? { runs: tables, captures: r } : single ? r[0] : r),
  });
}
