// `arenascope report --format text`: the report's summary for a terminal.

import type { ReportData } from '../../analysis/report-data.js';
import { formatSize, printfFixed } from '../format-size.js';
import { memoryMeasured, memoryTrendRate, memoryVerdictWord } from '../memory-trend.js';
import { runLine, testCells } from '../run-tests.js';
import { statisticLine } from './statistics.js';

export function renderReportText(d: ReportData): string {
  const sm = d.summary;
  const parts = [
    `peak (mprof): ${sm.peakMiB === null ? '-' : `${printfFixed(sm.peakMiB, 1)} MiB`}`,
    `traced at the last capture: ${sm.finalBytes === null ? '-' : formatSize(sm.finalBytes)}`,
    `growth: ${sm.growthBytes === null ? '-' : formatSize(sm.growthBytes, true)}`,
    `leak suspects: ${sm.leakSuspects}`,
    `fragmented: ${sm.fragmentation ?? '-'}`,
  ];
  const out = [d.title, parts.join('; ')];
  for (const n of d.snapshots?.replay?.allocatorNotes ?? []) out.push(`note: ${n}`);
  const replay = d.snapshots?.replay;
  if (replay) {
    out.push(`fragmented: ${replay.fragmented.verdict} (${replay.fragmented.reason}); next: ${replay.fragmented.next}`);
    for (const a of replay.assumptions) out.push(`assumed: ${a}`);
  }
  for (const s of d.snapshots?.leaks?.sites.filter((x) => x.verdict === 'leak') ?? []) {
    out.push(
      `leak  ${s.filename}:${s.lineno}  ${formatSize(s.growthBytes, true)}, confidence ${s.confidence.toFixed(2)}`,
    );
  }
  for (const m of d.memory)
    for (const t of m.trends.series)
      out.push(`${m.label} ${t.name}: ${memoryVerdictWord(t.verdict)}, ${memoryTrendRate(t) ?? memoryMeasured(t)}`);
  for (const r of d.runs ?? []) {
    out.push(runLine(r));
    for (const t of r.tests) {
      const [id, outcome, peak, leaked, limits, over, top] = testCells(t);
      out.push(`  ${id}  ${outcome}; peak ${peak}, leaked ${leaked}; limits ${limits}; over ${over}; top ${top}`);
    }
  }
  if (d.snapshots) {
    out.push('top sites, last capture:');
    for (const s of d.snapshots.topSites.slice(0, 10)) out.push(`  ${statisticLine(s)}`);
  }
  return `${out.join('\n')}\n`;
}
