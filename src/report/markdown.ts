// Markdown rendering of ReportData, for pull-request comments and CI step summaries.

import { siteName } from '../analysis/leaks.js';
import { finalCaptureName, type ReportData, tracedWord } from '../analysis/report-data.js';
import { allocatorAloneLines } from './allocator-alone.js';
import { mdCode, mdFenced, mdText } from './escape.js';
import { formatSize, growthLabel } from './format-size.js';
import {
  confidence,
  memoryMeasured,
  memoryShape,
  memoryTrendRate,
  memoryVerdictWord,
  summaryPeak,
} from './memory-trend.js';
import { runLine, TEST_COLUMNS, testCells } from './run-tests.js';
import { renderLineReportLeaks } from './text/leaks.js';

/**
 * The report in Markdown. `limit` (--limit) is how many leak suspects and top sites each table lists
 * (20 and 10 without it); a table cut says how many more there are.
 */
export function renderMarkdown(d: ReportData, limit?: number): string {
  const out = [`## ${mdText(d.title)}`, ''];
  const sm = d.summary;
  // The capture's label is a capture's string (a test id, a checkpoint's label): escaped as a cell's
  // (a '|' in it made the header a cell longer than the table, which then rendered as no table).
  const traced = d.snapshots ? mdText(finalCaptureName(d.snapshots)) : 'last capture';
  out.push(
    `| ${summaryPeak(d).label} | ${tracedWord(d.snapshots)}, ${traced} | ${d.snapshots?.listing ? "listed sites' growth" : 'growth'} | leak suspects | fragmented |`,
    '|---:|---:|---:|---:|---|',
  );
  const peak = summaryPeak(d).value ?? '—';
  const final = sm.finalBytes === null ? '—' : formatSize(sm.finalBytes);
  const growth = sm.growthBytes === null ? '—' : formatSize(sm.growthBytes, true);
  out.push(
    `| ${peak} | ${final} | ${growth} | ${sm.leakSuspects ?? '—'}${sm.weakLeakSuspects ? ` (+${sm.weakLeakSuspects} below confidence 0.5)` : ''} | ${sm.fragmentation ?? '—'} |`,
    '',
  );
  for (const n of d.snapshots?.replay?.allocatorNotes ?? []) out.push(`> Note: ${mdText(n)}`, '');
  const replay = d.snapshots?.replay;
  if (replay) {
    const f = replay.fragmented;
    out.push(`Fragmented: **${f.verdict}** (${mdText(f.reason)}). Next: ${mdText(f.next)}.`, '');
    for (const a of replay.assumptions) out.push(`> Assumed: ${mdText(a)}.`, '');
  }
  for (const a of allocatorAloneLines(d)) out.push(`- allocator report ${mdCode(a.file)}: ${mdText(a.text)}`);
  if (allocatorAloneLines(d).length) out.push('');
  // Leaks, then sites still growing but slowing (maybe a cache still filling) or uneven, each with its next step.
  const leaks =
    d.snapshots?.leaks?.sites.filter(
      (s) => s.verdict === 'leak' || s.verdict === 'slowing' || s.verdict === 'uneven',
    ) ?? [];
  if (leaks.length) {
    out.push(
      '### Leak suspects',
      '',
      '| site | verdict | growth | confidence | next step |',
      '|---|---|---:|---:|---|',
    );
    const shown = limit ?? 20;
    for (const s of leaks.slice(0, shown))
      out.push(
        `| ${mdCode(siteName(s), true)} | ${s.verdict} | ${growthLabel(s)} | ` +
          `${s.confidence.toFixed(2)} | ${mdText(s.next)} |`,
      );
    out.push('', ...more(leaks.length - shown, 'leak suspects'));
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
    const shown = limit ?? 10;
    for (const s of d.snapshots.topSites.slice(0, shown))
      out.push(
        `| ${mdCode(`${s.frames[0]!.filename}:${s.frames[0]!.lineno}`, true)} | ${formatSize(s.size)} | ${s.count} |`,
      );
    const left = d.snapshots.topSites.length - shown;
    if (left > 0) out.push('', ...more(left, 'sites in the report'));
  }
  return `${out.join('\n')}\n`;
}

/** The line under a table cut at its limit. */
const more = (n: number, what: string): string[] =>
  n > 0 ? [`… and ${n} more ${what} (--limit lists more).`, ''] : [];
