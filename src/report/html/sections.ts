// The HTML report's sections that do not come from tracemalloc captures: the summary cards, memory
// over time (mprof), the per-test table of a run folder, memory_profiler's line reports and pymalloc's own
// allocator reports.

import { AT_NEW_ARENA } from '../../analysis/pymalloc/compare.js';
import { finalCaptureName, type MemorySection, type ReportData, tracedWord } from '../../analysis/report-data.js';
import { reportFileName } from '../../model/line-report.js';
import { printfFixed } from '../../util/printf.js';
import { allocatorAloneLines } from '../allocator-alone.js';
import { esc } from '../escape.js';
import { formatSize, growthLabel } from '../format-size.js';
import {
  confidence,
  memoryMeasured,
  memoryShape,
  memoryTrendRate,
  memoryVerdictWord,
  peakSource,
} from '../memory-trend.js';
import { runLine, TEST_COLUMNS, testCells } from '../run-tests.js';
import { renderLineReportLeaks } from '../text/leaks.js';
import { fragmentationVerdict } from './capture-sections.js';
import { memoryChart } from './charts.js';
import { card, type Section, section, sortable, table, where } from './markup.js';

type MemoryTrend = MemorySection['trends']['series'][number];
type LineReport = ReportData['lineReports'][number];
type ProfiledLine = LineReport['blocks'][number]['lines'][number];

type SiteTrend = NonNullable<NonNullable<ReportData['snapshots']>['leaks']>['sites'][number];

/** Rows of leaks the summary names before pointing at the Leak suspects section. */
const SUMMARY_LEAKS = 5;
const GROWING = new Set(['leak', 'slowing', 'uneven']);

// The summary's row of a site or an mprof process still growing: what, where, how much, how sure, what next.
function siteAnswer(x: SiteTrend): string[] {
  return [esc(x.verdict), where(x), esc(growthLabel(x)), x.confidence.toFixed(2), esc(x.next)];
}

function memoryAnswer(m: MemorySection, t: MemoryTrend): string[] {
  const floor = `floor ${printfFixed(t.floorStartMiB, 1)} → ${printfFixed(t.floorEndMiB, 1)} MiB`;
  return [
    esc(memoryVerdictWord(t.verdict)),
    `${esc(m.label)} (${esc(t.name)})`,
    esc(floor),
    t.confidence.toFixed(2),
    esc(t.next),
  ];
}

// What keeps growing, by name, largest first; or what was judged and found not growing.
function leakAnswer(d: ReportData): string {
  const sites = (d.snapshots?.leaks?.sites ?? []).filter((x) => GROWING.has(x.verdict));
  const procs = d.memory.flatMap((m) =>
    m.trends.series.filter((t) => GROWING.has(t.verdict)).map((t) => [m, t] as const),
  );
  const rows = [...sites.map(siteAnswer), ...procs.map(([m, t]) => memoryAnswer(m, t))];
  const judged = [
    ...(d.snapshots?.leaks ? [`${d.snapshots.leaks.captures} snapshots`] : []),
    ...(d.memory.length ? [`${d.memory.length} mprof run${d.memory.length === 1 ? '' : 's'}`] : []),
  ];
  if (!judged.length) return '';
  if (!rows.length) {
    return `<p class="answer"><b>No leak</b>: nothing kept growing to the end (${esc(judged.join(', '))} judged).</p>`;
  }
  const head = ['verdict', 'where', 'growth', 'confidence', 'next step'].map((h) => `<th>${h}</th>`).join('');
  const body = rows
    .slice(0, SUMMARY_LEAKS)
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('');
  const more =
    rows.length > SUMMARY_LEAKS ? ` <a href="#leaks">${rows.length - SUMMARY_LEAKS} more under Leak suspects</a>` : '';
  // The count the JSON, Markdown and gate give (leaks at confidence 0.5 or more) beside the rows'.
  const sm = d.summary;
  const counted =
    sm.leakSuspects === null || (sm.leakSuspects === rows.length && !sm.weakLeakSuspects)
      ? ''
      : `; leak suspects ${sm.leakSuspects}${sm.weakLeakSuspects ? ` (+${sm.weakLeakSuspects} below confidence 0.5)` : ''}`;
  const title = `Still growing at the end: ${rows.length}${counted} (${judged.join(', ')} judged)`;
  return (
    `<h3 class="answer">${esc(title)}</h3>` +
    `<div class="scroll"><table class="answers" id="summary-leaks"><thead><tr>${head}</tr></thead>` +
    `<tbody>${body}</tbody></table></div>${more}`
  );
}

// The fragmentation verdict with its evidence and next step, when the captures were replayed; or the
// one allocator reports given alone measure (the text, Markdown and JSON say it too).
function fragmentationAnswer(d: ReportData): string {
  const r = d.snapshots?.replay;
  if (!r) {
    const word = d.summary.fragmentation;
    if (!word || !d.allocatorStats.length) return '';
    const next = word === 'unknown' ? ` Next: ${esc(AT_NEW_ARENA.next)}.` : '';
    return (
      `<p class="answer" id="summary-fragmentation"><b>Fragmented: ${esc(word)}</b>, by pymalloc's own reports ` +
      `alone (no snapshot replayed): <a href="#allocator">Allocator reports</a>.${next}</p>`
    );
  }
  const f = fragmentationVerdict(r);
  return (
    `<p class="answer" id="summary-fragmentation"><b>Fragmented: ${esc(f.verdict)}</b>. ${esc(f.evidence)} ` +
    `Next: ${esc(f.next)}.</p>`
  );
}

/**
 * The first screen: the figures these inputs have (a card that could only say "—" is left out), the
 * leaks by name with their next step, the fragmentation verdict with its evidence, and one line for
 * each question the inputs cannot answer, saying what capture would.
 */
export function summarySection(d: ReportData): Section {
  const { summary } = d;
  const several = (d.snapshots?.totals.length ?? 0) > 1;
  const largest = summary.largestCaptureBytes ?? null;
  const cards = [
    summary.peakMiB === null ? null : card(`peak RSS (${peakSource(d)})`, `${printfFixed(summary.peakMiB, 1)} MiB`),
    summary.tracedPeakBytes == null
      ? null
      : card('traced peak', formatSize(summary.tracedPeakBytes), "tracemalloc's peak between captures"),
    largest === null || !several || largest === summary.finalBytes
      ? null
      : card('largest capture', formatSize(largest), 'traced'),
    summary.finalBytes === null
      ? null
      : card(
          several
            ? `${tracedWord(d.snapshots)}, ${d.snapshots ? finalCaptureName(d.snapshots) : 'last capture'}`
            : d.snapshots?.listing
              ? 'listed sites'
              : 'traced memory',
          formatSize(summary.finalBytes),
        ),
    summary.growthBytes === null
      ? null
      : card(
          d.snapshots?.listing ? "listed sites' growth, first to last" : 'growth, first to last',
          formatSize(summary.growthBytes, true),
        ),
  ].filter((c) => c !== null);
  const gaps = (d.gaps ?? []).map((g) => `<li data-topic="${esc(g.topic)}">${esc(g.text)}</li>`).join('');
  return section('summary', 'Summary', [
    cards.length ? `<div class="cards">${cards.join('')}</div>` : null,
    leakAnswer(d),
    fragmentationAnswer(d),
    gaps ? `<ul class="gaps">${gaps}</ul>` : null,
  ]);
}

function trendItem(t: MemoryTrend): string {
  const trend = memoryTrendRate(t);
  const text = [
    `${memoryVerdictWord(t.verdict)}${confidence(t)}: ${memoryShape(t)}`,
    `measured ${memoryMeasured(t, '→')}`,
    ...(trend ? [trend] : []),
  ];
  return `<li><b>${esc(t.name)}</b>: ${esc(text.join('; '))}<br>next: ${esc(t.next)}</li>`;
}

/** One chart per mprof file, each with its trend verdicts and the command it ran. */
export function memorySection(memory: readonly MemorySection[]): Section | null {
  if (!memory.length) return null;
  return section(
    'memory',
    'Memory over time',
    memory.flatMap((m, i) => [
      memoryChart(m, i),
      `<ul class="trends">${m.trends.series.map(trendItem).join('')}</ul>`,
      m.cmdline ? `<p class="cmd">command: <code>${esc(m.cmdline)}</code></p>` : null,
    ]),
  );
}

// Red for memory added, blue for memory given back, as strong as the line's share of the largest
// increment; the first row of a block is the call's baseline, not the line's own doing.
function heat(increment: number, max: number): string {
  const alpha = (Math.min(1, Math.abs(increment) / max) * 0.6).toFixed(2);
  if (increment > 0) return `rgba(228,87,86,${alpha})`;
  if (increment < 0) return `rgba(76,120,168,${alpha})`;
  return 'transparent';
}

function lineRow(x: ProfiledLine, i: number, max: number, precision: number): string {
  const cells = [
    String(x.lineno),
    x.memMiB === null ? '' : esc(printfFixed(x.memMiB, precision)),
    x.incrementMiB === null ? '' : esc(printfFixed(x.incrementMiB, precision)),
    String(x.occurrences ?? ''),
  ];
  const bg = heat(i === 0 ? 0 : (x.incrementMiB ?? 0), max);
  const tds = cells.map((c) => `<td>${c}</td>`).join('');
  return `<tr style="background: ${bg}">${tds}<td class="src">${esc(x.source)}</td></tr>`;
}

const LINE_HEAD = '<thead><tr><th>line</th><th>MiB</th><th>increment</th><th>runs</th><th>source</th></tr></thead>';

/** memory_profiler's line-by-line report, each line shaded by the memory it added or gave back. */
export function lineReportSection(l: LineReport, index: number): Section {
  const increments = l.blocks.flatMap((b) => b.lines.slice(1).map((x) => Math.abs(x.incrementMiB ?? 0)));
  const max = Math.max(0.001, ...increments);
  const blocks = l.blocks.map((b) => {
    const rows = b.lines.map((x, i) => lineRow(x, i, max, b.precision)).join('');
    const t = `<table class="lines">${LINE_HEAD}<tbody>${rows}</tbody></table>`;
    return `<h3>${esc(reportFileName(b.filename))}</h3><div class="scroll">${t}</div>`;
  });
  const intro =
    '<p>Each line shaded by the memory it added (red) or gave back (blue): ' +
    "memory_profiler's increment, in MiB.</p>";
  // What `leaks` says of it: the largest increments, the calls that returned holding memory, and
  // those it cannot judge.
  const found = renderLineReportLeaks(l).slice(1);
  const findings = `<ul class="findings">${found.map((x) => `<li>${esc(x.trim())}</li>`).join('')}</ul>`;
  return section(`line-report-${index}`, `Line report: ${l.file}`, [findings, intro, ...blocks], 'line-report');
}

/** The per-test table of each `arenascope run` folder: figures, limit markers, what broke them. */
export function testsSection(runs: ReportData['runs']): Section | null {
  if (!runs?.length) return null;
  const parts = runs.flatMap((r) => {
    const rows = r.tests.map((t) => {
      const c = testCells(t).map(esc);
      // Not measured sorts below every figure.
      c[2] = sortable(t.peakBytes ?? -1, testCells(t)[2]);
      c[3] = sortable(t.leakedBytes ?? -1, testCells(t)[3]);
      return c;
    });
    const intro = `<p>${esc(runLine(r))}</p>`;
    return rows.length ? [intro, table(`tests-${runs.indexOf(r)}`, TEST_COLUMNS, rows, { filter: true })] : [intro];
  });
  return section('tests', 'Tests', parts);
}

/** pymalloc's own figures (sys._debugmallocstats), report by report, and each one's measure when no replay pairs them. */
export function allocatorSection(d: ReportData): Section | null {
  const stats = d.allocatorStats;
  if (!stats.length) return null;
  const measures = allocatorAloneLines(d).map((a) => `<li><b>${esc(a.file)}</b>: ${esc(a.text)}</li>`);
  const rows = stats.flatMap((a) =>
    a.arenas.map((n, i) => [
      esc(a.file),
      String(i + 1),
      sortable(n),
      sortable(a.allocatedBytes[i]!, formatSize(a.allocatedBytes[i]!)),
    ]),
  );
  const intro =
    "<p>pymalloc's own figures (sys._debugmallocstats), report by report: " +
    'arenas held and bytes in allocated blocks.</p>';
  return section('allocator', 'Allocator reports', [
    measures.length ? `<ul class="findings">${measures.join('')}</ul>` : null,
    intro,
    table('allocator-table', ['file', 'report', 'arenas', 'allocated'], rows),
  ]);
}
