// The baseline a team commits for the gate: the report data without what only pages draw or the
// gate never reads again (tracebacks, tree, diff, leak verdicts, drawn memory lines).

import type { ReportData } from '../analysis/report-data.js';
import { renderJson } from './json.js';

export function renderBaseline(d: ReportData): string {
  const lean: ReportData = {
    ...d,
    memory: d.memory.map((m) => ({ ...m, lines: [] })),
    snapshots: d.snapshots && {
      ...d.snapshots,
      topSites: d.snapshots.topSites.map((s) => ({ ...s, traceback: s.frames })),
      ...(d.snapshots.exitSites
        ? { exitSites: d.snapshots.exitSites.map((s) => ({ ...s, traceback: s.frames })) }
        : {}),
      tree: { name: 'all', bytes: d.snapshots.tree.bytes, children: [] },
      diff: null,
      leaks: null,
    },
  };
  return renderJson(lean);
}
