import type { Argv } from 'yargs';
import { type CaptureInfo, captureInfo } from '../analysis/info.js';
import { type Order, resolveInputs } from '../ingest/resolve-inputs.js';
import { type RunFile, runFileOf, runFiles, withRunFigures } from '../ingest/run-folder.js';
import { peakAtLeastTotal, sidecarLabel, sidecarPeak, sidecarTime } from '../ingest/sidecar.js';
import type { Capture } from '../model/capture.js';
import { renderJson } from '../report/json.js';
import { renderInfoText, renderRunText } from '../report/text/info.js';
import { NotACaptureError, UsageError } from '../util/errors.js';
import { listed } from '../util/excerpt.js';
import {
  dumpsFirst,
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

/**
 * A capture with the figures kept beside it where its file has none, as every command that reads a
 * series takes them (capture-set.ts): a snapshot's time and traced peak from its run folder or its
 * `.time` and `.peak` sidecars; an allocator report's time.
 */
function withFigures(c: Capture, path: string, f: RunFile | undefined, warned: (w: string) => void): Capture {
  if (c.kind === 'snapshot') {
    // Sidecars first, then the run's record (capture-set.ts).
    const time = c.time ?? sidecarTime(path) ?? f?.time ?? null;
    const side = sidecarPeak(path);
    const tracedPeak =
      c.tracedPeak ??
      (side === null ? null : peakAtLeastTotal(side, c.totalSize, path, warned)) ??
      f?.tracedPeak ??
      null;
    return time === c.time && tracedPeak === (c.tracedPeak ?? null) ? c : { ...c, time, tracedPeak };
  }
  if (c.kind === 'allocator-stats' && c.time == null) return { ...c, time: f?.time ?? sidecarTime(path) };
  // A run's memory.dat: the peak report and gate take (programPeakMiB) knows what its run recorded.
  if (c.kind === 'memory-series') return withRunFigures(c, f);
  if (c.kind === 'memory-runs') return { ...c, runs: c.runs.map((r) => withRunFigures(r, f)) };
  return c;
}

export async function handler(
  a: InputArgs & OutputArgs & LayoutArgs & { inputs: string[]; order?: Order },
): Promise<void> {
  dumpsFirst(a);
  const { inputs, skipped, runs, given } = resolveInputs(a.inputs, a.order);
  for (const s of skipped) warn(a, s);
  if (!inputs.length && !runs.length) throw new UsageError(`${listed(a.inputs)}: no captures among the inputs`);
  // A capture's label: the run folder's, else its `.label` sidecar's.
  const recorded = runFiles(runs);
  const infos: (CaptureInfo & { label?: string })[] = [];
  for (const path of inputs) {
    // A file of a run named on its own is read with what its run recorded, as every command reads it.
    const f = recorded.get(path) ?? runFileOf(path);
    const label = f?.label ?? sidecarLabel(path);
    let c: Capture;
    try {
      // A run's memory file as the run recorded it (whether MEM counts the children), as every command reads it.
      c = await loadAny(
        path,
        a,
        undefined,
        undefined,
        f?.childrenInMem === undefined ? {} : { childrenInMem: f.childrenInMem },
      );
    } catch (e) {
      // A pickle of something else found in a folder or by a glob is passed over, as by every command.
      if (!(e instanceof NotACaptureError) || given.includes(path)) throw e;
      warn(a, `skipping ${path}: ${e.where ? `${e.where}: ` : ''}${e.detail}`);
      continue;
    }
    infos.push({ ...captureInfo(withFigures(c, path, f, (w) => warn(a, w))), ...(label === null ? {} : { label }) });
  }
  if (!infos.length && !runs.length) throw new UsageError(`${listed(a.inputs)}: no captures among the inputs`);
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
