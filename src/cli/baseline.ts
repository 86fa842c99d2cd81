import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { buildReportData } from '../analysis/report-data.js';
import { loadCaptureSet } from '../ingest/inputs.js';
import { renderJson } from '../report/json.js';
import { type InputArgs, inputOptions, loadAny } from './common.js';

/** Lines kept: enough for any real program; beyond it the gate takes the smallest kept size as the floor. */
export const BASELINE_SITES = 20_000;

export const command = 'baseline <inputs..>';
export const describe =
  "Write the small report.json a team commits as the gate's baseline (no dumps in the repository)";

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Captures of the reference run',
    }),
  ).option('output', { alias: 'o', type: 'string', default: 'memory-baseline.json', describe: 'Where to write it' });
}

export async function handler(a: InputArgs & { inputs: string[]; output: string }): Promise<void> {
  const set = await loadCaptureSet(a.inputs, { load: (p, frames) => loadAny(p, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  // Every line's size at the last capture (the site check compares per line), without what only
  // pages draw or the gate never reads again (tracebacks, tree, diff, leak verdicts).
  const d = buildReportData(set, a.inputs, { top: BASELINE_SITES, title: 'arenascope baseline' });
  const lean = {
    ...d,
    memory: d.memory.map((m) => ({ ...m, lines: [] })),
    snapshots: d.snapshots && {
      ...d.snapshots,
      topSites: d.snapshots.topSites.map((s) => ({ ...s, traceback: s.frames })),
      tree: { name: 'all', bytes: d.snapshots.tree.bytes, children: [] },
      diff: null,
      leaks: null,
    },
  };
  writeFileSync(a.output, renderJson(lean));
  a.io.out(`wrote ${resolve(a.output)}\n`);
}
