// Markdown rendering of ReportData, for pull-request comments and CI step summaries.

import type { ReportData } from '../analysis/report-data.js';
import { cell } from './escape.js';
import { formatSize, printfFixed } from './format-size.js';

export function renderMarkdown(d: ReportData): string {
  const out = [`## ${cell(d.title)}`, ''];
  const sm = d.summary;
  out.push(
    '| peak (mprof) | traced, last capture | growth | leak suspects | fragmented |',
    '|---:|---:|---:|---:|---|',
  );
  const peak = sm.peakMiB === null ? '—' : `${printfFixed(sm.peakMiB, 1)} MiB`;
  const traced = sm.finalBytes === null ? '—' : formatSize(sm.finalBytes);
  const growth = sm.growthBytes === null ? '—' : formatSize(sm.growthBytes, true);
  out.push(`| ${peak} | ${traced} | ${growth} | ${sm.leakSuspects} | ${sm.fragmentation ?? '—'} |`, '');
  const leaks = d.snapshots?.leaks?.sites.filter((s) => s.verdict === 'leak') ?? [];
  if (leaks.length) {
    out.push('### Leak suspects', '', '| site | growth | confidence |', '|---|---:|---:|');
    for (const s of leaks.slice(0, 20))
      out.push(
        `| \`${cell(s.filename)}:${s.lineno}\` | ${formatSize(s.growthBytes, true)} | ${s.confidence.toFixed(2)} |`,
      );
    out.push('');
  }
  for (const m of d.memory) {
    for (const t of m.trends.series) {
      const slopeText = printfFixed(t.slopeMiBPerMin, 2);
      const peakText = printfFixed(t.peakMiB, 1);
      out.push(`- \`${cell(m.label)}\` ${cell(t.name)}: ${t.verdict}, ${slopeText} MiB/min, peak ${peakText} MiB`);
    }
  }
  if (d.snapshots) {
    out.push('', '### Top allocation sites (last capture)', '', '| site | size | blocks |', '|---|---:|---:|');
    for (const s of d.snapshots.topSites.slice(0, 10))
      out.push(`| \`${cell(s.frames[0]!.filename)}:${s.frames[0]!.lineno}\` | ${formatSize(s.size)} | ${s.count} |`);
  }
  return `${out.join('\n')}\n`;
}
