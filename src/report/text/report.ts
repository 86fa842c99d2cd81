// `arenascope report --format text`: the report's summary for a terminal, with the layout's short
// paths and its cap on the top sites.

import { siteName } from '../../analysis/leaks.js';
import { finalCaptureName, type ReportData, tracedWord } from '../../analysis/report-data.js';
import { allocatorAloneLines } from '../allocator-alone.js';
import { formatSize, growthLabel } from '../format-size.js';
import { confidence, memoryMeasured, memoryTrendRate, memoryVerdictWord, summaryPeak } from '../memory-trend.js';
import { runLine, testCells } from '../run-tests.js';
import { capped, FULL_LAYOUT, type TextLayout, wrapLines } from './layout.js';
import { renderLineReportLeaks } from './leaks.js';
import { statisticLine } from './statistics.js';

/** The file paths the text names (for a layout's shortest unique suffixes). */
export function reportTextPaths(d: ReportData): string[] {
  const leaks = d.snapshots?.leaks?.sites.filter((x) => x.verdict === 'leak') ?? [];
  return [
    ...leaks.map((s) => s.filename),
    ...(d.snapshots?.topSites ?? []).map((s) => s.frames[0]!.filename),
    ...d.lineReports.flatMap((l) =>
      [...l.topIncrements, ...l.retainingFunctions, ...l.unjudgedFunctions].map((x) => x.filename),
    ),
  ];
}

export function renderReportText(d: ReportData, layout: TextLayout = FULL_LAYOUT): string {
  const sm = d.summary;
  const peak = summaryPeak(d);
  const parts = [
    `${peak.label}: ${peak.value ?? '-'}`,
    `${tracedWord(d.snapshots)} at the ${d.snapshots ? finalCaptureName(d.snapshots) : 'last capture'}: ${sm.finalBytes === null ? '-' : formatSize(sm.finalBytes)}`,
    `${d.snapshots?.listing ? "listed sites' growth" : 'growth'}: ${sm.growthBytes === null ? '-' : formatSize(sm.growthBytes, true)}`,
    `leak suspects: ${sm.leakSuspects ?? '-'}${sm.weakLeakSuspects ? ` (+${sm.weakLeakSuspects} below confidence 0.5)` : ''}`,
    `fragmented: ${sm.fragmentation ?? '-'}`,
  ];
  const out = [d.title, parts.join('; ')];
  for (const n of d.snapshots?.replay?.allocatorNotes ?? []) out.push(`note: ${n}`);
  const replay = d.snapshots?.replay;
  if (replay) {
    out.push(`fragmented: ${replay.fragmented.verdict} (${replay.fragmented.reason}); next: ${replay.fragmented.next}`);
    for (const a of replay.assumptions) out.push(`assumed: ${a}`);
  }
  for (const a of allocatorAloneLines(d)) out.push(`allocator report ${a.file}: ${a.text}`);
  // Leaks, then the sites still growing that are none (slowing, uneven), as the Markdown lists them.
  const growing = new Set(['leak', 'slowing', 'uneven']);
  const leaks = capped(d.snapshots?.leaks?.sites.filter((x) => growing.has(x.verdict)) ?? [], layout.limit);
  for (const s of leaks.shown) {
    const site = siteName(s, layout.path);
    out.push(`${s.verdict}  ${site}  ${growthLabel(s)}, confidence ${s.confidence.toFixed(2)}`);
  }
  out.push(...leaks.more);
  for (const m of d.memory)
    for (const t of m.trends.series)
      out.push(
        `${m.label} ${t.name}: ${memoryVerdictWord(t.verdict)}${confidence(t)}, ${memoryTrendRate(t) ?? memoryMeasured(t)}`,
      );
  // Each line report's findings, as `leaks` prints them (the page and Markdown show the same).
  for (const l of d.lineReports) out.push(...renderLineReportLeaks(l, layout));
  for (const r of d.runs ?? []) {
    out.push(runLine(r));
    for (const t of r.tests) {
      const [id, outcome, peak, leaked, limits, over, top] = testCells(t);
      out.push(`  ${id}  ${outcome}; peak ${peak}, leaked ${leaked}; limits ${limits}; over ${over}; top ${top}`);
    }
  }
  if (d.snapshots) {
    out.push(`top sites, ${finalCaptureName(d.snapshots)}:`);
    const top = capped(d.snapshots.topSites, layout.limit, '  ');
    for (const s of top.shown) {
      const frames = s.frames.map((f, i) => (i === 0 ? { ...f, filename: layout.path(f.filename) } : f));
      out.push(`  ${statisticLine({ ...s, frames })}`);
    }
    out.push(...top.more);
  }
  return `${wrapLines(out, layout.columns).join('\n')}\n`;
}
