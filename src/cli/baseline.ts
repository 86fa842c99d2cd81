import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { buildReportData } from '../analysis/report-data.js';
import { loadCaptureSet } from '../ingest/inputs.js';
import { renderJson } from '../report/json.js';
import { inputOptions, loadAny, type InputArgs } from './common.js';

export const command = 'baseline <inputs..>';
export const describe = 'Write the small report.json a team commits as the gate\'s baseline (no dumps in the repository)';

export function builder(y: Argv) {
  return inputOptions(y.positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'Captures of the reference run' }))
    .option('output', { alias: 'o', type: 'string', default: 'memory-baseline.json', describe: 'Where to write it' });
}

export async function handler(a: InputArgs & { inputs: string[]; output: string }): Promise<void> {
  const set = await loadCaptureSet(a.inputs, { load: (p, frames) => loadAny(p, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  const d = buildReportData(set, a.inputs, { top: 1000, title: 'arenascope baseline' });
  // What the gate compares, without what only pages draw (memory lines, the allocation tree).
  const lean = {
    ...d,
    memory: d.memory.map((m) => ({ ...m, lines: [] })),
    snapshots: d.snapshots && { ...d.snapshots, tree: { name: 'all', bytes: d.snapshots.tree.bytes, children: [] } },
  };
  writeFileSync(a.output, renderJson(lean));
  a.io.out(`wrote ${resolve(a.output)}\n`);
}
