// The HTML report: one self-contained page (no network: the vega runtime, the stylesheet and the
// page script are inlined; charts are vega-lite specs compiled in Node, chart-compiler.ts). Each section is built
// in sections.ts or capture-sections.ts; every string from a capture is escaped there.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportData } from '../../analysis/report-data.js';
import { esc, shownBidi } from '../escape.js';
import type { SourceLookup } from '../linecache.js';
import {
  capturesSection,
  diffSection,
  fragmentationSection,
  leaksSection,
  topSitesSection,
  treeSection,
} from './capture-sections.js';
import { type CompileCharts, compileHere, type VegaSpec } from './chart-compiler.js';
import type { Section } from './markup.js';
import { legendHtml } from './palette.js';
import { allocatorSection, lineReportSection, memorySection, summarySection, testsSection } from './sections.js';

/** JSON that is safe inside a <script> element: no '</script>', no '<!--', no line separators. */
export function scriptJson(x: unknown): string {
  // Bidirectional controls (a file name's) are shown by their code points in the charts' labels and
  // tooltips too, as in the tables: drawn raw, a name holding U+202E read backwards.
  // A name's bytes that were not UTF-8 (surrogate escapes, which JSON.stringify writes as '\udcff': it
  // writes no other lone surrogate, and a pair as its character) are shown as in the tables, '\xff':
  // the charts spelled the name otherwise, and a browser given lone surrogates may fail on the page.
  return shownBidi(JSON.stringify(x))
    .replace(/(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])/g, '$1\\\\x$2')
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// The vega runtime, as bytes: written to the page as read (half a MiB, which as text would make the
// whole page a two-byte string to scan and encode again). The build copies it among the assets
// (resolving the package took ~6 ms of a report); under vitest it is found through the package.
function vegaRuntime(): Buffer {
  try {
    return readFileSync(new URL('./assets/vega.min.js', import.meta.url));
  } catch {
    const entry = createRequire(import.meta.url).resolve('vega');
    return readFileSync(join(dirname(entry), 'vega.min.js'));
  }
}

// The assets sit beside this module: in src/ under vitest, copied to dist/ by scripts/copy-assets.mjs.
const stylesheet = (): string => readFileSync(new URL('./assets/report.css', import.meta.url), 'utf8');
const pageScript = (): string => readFileSync(new URL('./assets/report.js', import.meta.url), 'utf8');

/**
 * The page's sections in order, those without data left out: the answers first (the summary, then
 * the leaks by site), the evidence after, long tables last. Each is built when asked for.
 */
function sections(d: ReportData, source?: SourceLookup): (() => Section | null)[] {
  const s = d.snapshots;
  const captures: (() => Section | null)[] = s
    ? [
        () => capturesSection(s),
        () => topSitesSection(s),
        () => diffSection(s),
        () => treeSection(s, source),
        () => fragmentationSection(s),
      ]
    : [];
  return [
    () => summarySection(d),
    () => (s ? leaksSection(s) : null),
    () => memorySection(d.memory),
    () => testsSection(d.runs),
    ...captures,
    ...d.lineReports.map((r, i) => () => lineReportSection(r, i)),
    () => allocatorSection(d),
  ];
}

// The most warnings the page lists (a folder of thousands of other files is one warning each).
const MAX_WARNINGS = 50;

/**
 * The warnings given while the inputs were read (those the command printed), after the summary: a page
 * made from captures cut short, passed over or taken in an order given says so where it is read.
 */
function warningsHtml(warnings: readonly string[]): string {
  if (!warnings.length) return '';
  const items = warnings.slice(0, MAX_WARNINGS).map((w) => `<li>${esc(w)}</li>`);
  if (warnings.length > MAX_WARNINGS) items.push(`<li>… and ${warnings.length - MAX_WARNINGS} more (on stderr)</li>`);
  return `<div class="input-warnings"><h3>Read with ${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}</h3><ul class="gaps">${items.join('')}</ul></div>`;
}

/**
 * The page; `source` finds the source lines shown in the flame graph's tooltips (none by default),
 * `compile` compiles its vega-lite specs (on this thread by default), `warnings` are those given while
 * its inputs were read.
 */
export async function renderHtml(
  d: ReportData,
  source?: SourceLookup,
  compile: CompileCharts = compileHere,
  warnings: readonly string[] = [],
): Promise<string> {
  const parts = await renderHtmlParts(d, source, compile, warnings);
  return parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
}

/** The page in its parts, in order: its text, and the vega runtime's bytes as read (see renderHtml). */
export async function renderHtmlParts(
  d: ReportData,
  source?: SourceLookup,
  compile: CompileCharts = compileHere,
  warnings: readonly string[] = [],
): Promise<(string | Buffer)[]> {
  // Each section's vega-lite specs compile (on the chart thread, when there is one) as soon as it is
  // built, while this thread builds the next ones and writes the page, the charts already in vega
  // among it (the flame graph's, the largest).
  const parts: Section[] = [];
  const compiling: Promise<VegaSpec[]>[] = [];
  for (const build of sections(d, source)) {
    const part = build();
    if (!part) continue;
    parts.push(part);
    const specs = part.charts.flatMap((c) => (c.vega ? [] : [c.spec]));
    if (specs.length) compiling.push(compile(specs));
  }
  const charts = parts.flatMap((p) => p.charts);
  const vegaJson = charts.map((c) => (c.vega ? scriptJson(c.spec) : null));
  const data = { format: d.format, version: d.version, charts: charts.map((c) => c.id) };
  const head = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>
${stylesheet()}</style></head><body>
<h1>${esc(d.title)}</h1><div class="inputs">${d.inputs.map(esc).join(' · ')}</div>
${parts[0]!.html}
${warningsHtml(warnings)}${legendHtml(new Set(charts.flatMap((c) => c.meanings ?? [])))}
${parts
  .slice(1)
  .map((p) => p.html)
  .join('\n')}
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script id="chart-specs" type="application/json">`;
  const runtime = vegaRuntime();
  const tail = `</script>
<script>
${pageScript()}</script>
</body></html>
`;
  const compiled = (await Promise.all(compiling)).flat();
  let next = 0;
  const specs = charts.map(
    (c, i) => `{"id":${scriptJson(c.id)},"spec":${vegaJson[i] ?? scriptJson(compiled[next++]!)}}`,
  );
  return [`${head}[${specs.join(',')}]</script>\n<script>`, runtime, tail];
}
