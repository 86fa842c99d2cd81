// Markdown rendering of ReportData, for pull-request comments and CI step summaries.

import { finalCaptureName, type ReportData } from '../analysis/report-data.js';
import { printfFixed } from '../util/printf.js';
import { mdCode, mdFenced, mdText } from './escape.js';
import { formatSize, growthLabel } from './format-size.js';
import {
  confidence,
  memoryMeasured,
  memoryShape,
  memoryTrendRate,
  memoryVerdictWord,
  peakSource,
} from './memory-trend.js';
import { runLine, TEST_COLUMNS, testCells } from './run-tests.js';
import { renderLineReportLeaks } from './text/leaks.js';

export function renderMarkdown(d: ReportData): string {
  const out = [`## ${mdText(d.title)}`, ''];
  const sm = d.summary;
  out.push(
    `| peak (${peakSource(d)}) | traced, ${d.snapshots ? finalCaptureName(d.snapshots) : 'last capture'} | growth | leak suspects | fragmented |`,
    '|---:|---:|---:|---:|---|',
  );
  const peak = sm.peakMiB === null ? '—' : `${printfFixed(sm.peakMiB, 1)} MiB`;
  const traced = sm.finalBytes === null ? '—' : formatSize(sm.finalBytes);
  const growth = sm.growthBytes === null ? '—' : formatSize(sm.growthBytes, true);
  out.push(
    `| ${peak} | ${traced} | ${growth} | ${sm.leakSuspects ?? '—'}${sm.weakLeakSuspects ? ` (+${sm.weakLeakSuspects} below confidence 0.5)` : ''} | ${sm.fragmentation ?? '—'} |`,
    '',
  );
  for (const n of d.snapshots?.replay?.allocatorNotes ?? []) out.push(`> Note: ${mdText(n)}`, '');
  const replay = d.snapshots?.replay;
  if (replay) {
    const f = replay.fragmented;
    out.push(`Fragmented: **${f.verdict}** (${mdText(f.reason)}). Next: ${mdText(f.next)}.`, '');
    for (const a of replay.assumptions) out.push(`> Assumed: ${mdText(a)}.`, '');
  }
  // Leaks, then sites still growing but slowing (maybe a cache still filling), each with its next step.
  const leaks = d.snapshots?.leaks?.sites.filter((s) => s.verdict === 'leak' || s.verdict === 'slowing') ?? [];
  if (leaks.length) {
    out.push(
      '### Leak suspects',
      '',
      '| site | verdict | growth | confidence | next step |',
      '|---|---|---:|---:|---|',
    );
    for (const s of leaks.slice(0, 20))
      out.push(
        `| ${mdCode(`${s.filename}:${s.lineno}`, true)} | ${s.verdict} | ${growthLabel(s)} | ` +
          `${s.confidence.toFixed(2)} | ${mdText(s.next)} |`,
      );
    out.push('');
  }
  for (const m of d.memory) {
    for (const t of m.trends.series) {
      const trend = memoryTrendRate(t);
      const what = `${memoryVerdictWord(t.verdict)}${confidence(t)}: ${memoryShape(t)}; measured ${memoryMeasured(t, '→')}`;
      out.push(
        `- ${mdCode(m.label)} ${mdText(t.name)}: ${mdText(what)}${trend ? `; ${mdText(trend)}` : ''}. Next: ${mdText(t.next)}`,
      );
    }
  }
  for (const l of d.lineReports) {
    // As `leaks` prints them, in a fence: source lines hold `*`, `_` and the like (and, from a capture,
    // ESC sequences and bidirectional marks, shown by their codes as everywhere else here).
    const lines = renderLineReportLeaks(l).slice(1).map(mdFenced);
    const fence = '`'.repeat(Math.max(3, ...lines.flatMap((x) => x.match(/`+/g) ?? []).map((b) => b.length + 1)));
    out.push('', `### Line report: ${mdText(l.file)}`, '', `${fence}text`, ...lines, fence);
  }
  for (const r of d.runs ?? []) {
    out.push('', '### Tests', '', mdText(runLine(r)), '');
    if (!r.tests.length) continue;
    out.push(`| ${TEST_COLUMNS.join(' | ')} |`, `|---|---|---:|---:|---|---|---|`);
    for (const t of r.tests) out.push(`| ${testCells(t).map(mdText).join(' | ')} |`);
  }
  if (d.snapshots) {
    out.push(
      '',
      `### Top allocation sites (${mdText(finalCaptureName(d.snapshots))})`,
      '',
      '| site | size | blocks |',
      '|---|---:|---:|',
    );
    for (const s of d.snapshots.topSites.slice(0, 10))
      out.push(
        `| ${mdCode(`${s.frames[0]!.filename}:${s.frames[0]!.lineno}`, true)} | ${formatSize(s.size)} | ${s.count} |`,
      );
  }
  return `${out.join('\n')}\n`;
}
