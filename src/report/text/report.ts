// `arenascope report --format text`: the report's summary for a terminal.

import type { ReportData } from '../../analysis/report-data.js';
import { formatSize, printfFixed } from '../format-size.js';
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
  for (const s of d.snapshots?.leaks?.sites.filter((x) => x.verdict === 'leak') ?? []) {
    out.push(
      `leak  ${s.filename}:${s.lineno}  ${formatSize(s.growthBytes, true)}, confidence ${s.confidence.toFixed(2)}`,
    );
  }
  for (const m of d.memory)
    for (const t of m.trends.series)
      out.push(`${m.label} ${t.name}: ${t.verdict}, ${printfFixed(t.slopeMiBPerMin, 2)} MiB/min`);
  if (d.snapshots) {
    out.push('top sites, last capture:');
    for (const s of d.snapshots.topSites.slice(0, 10)) out.push(`  ${statisticLine(s)}`);
  }
  return `${out.join('\n')}\n`;
}
