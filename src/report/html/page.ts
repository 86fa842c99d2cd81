// The HTML report: one self-contained page (no network: the vega runtime is inlined, charts are
// vega-lite specs compiled here in Node), every string from a capture escaped.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../../analysis/report-data.js';
import { esc } from '../escape.js';
import { formatSize, printfFixed } from '../format-size.js';
import { renderMallocStats } from '../text.js';
import {
  arenasChart,
  type Chart,
  icicleChart,
  leaksChart,
  memoryChart,
  occupancyChart,
  topSitesChart,
  totalsChart,
} from './charts.js';

/** JSON that is safe inside a <script> element: no '</script>', no '<!--', no line separators. */
export function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function vegaRuntime(): string {
  const entry = createRequire(import.meta.url).resolve('vega');
  return readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
}

const kib = (b: number): string => formatSize(b);

function chartBlock(c: Chart): string {
  return `<figure class="chart"><figcaption><h3>${esc(c.title)}</h3><p>${esc(c.explanation)}</p></figcaption><div id="chart-${esc(c.id)}" class="vega"></div></figure>`;
}

function table(
  id: string,
  headers: readonly string[],
  rows: readonly string[][],
  opts: { filter?: boolean } = {},
): string {
  const filter = opts.filter
    ? `<input class="filter" data-table="${id}" placeholder="filter rows…" aria-label="filter ${id}">`
    : '';
  return `${filter}<table id="${id}" class="sortable"><thead><tr>${headers.map((h, i) => `<th data-col="${i}">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function card(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`;
}

export function renderHtml(d: ReportData): string {
  const charts: Chart[] = [];
  const sections: string[] = [];
  const s = d.snapshots;

  const cards = [
    card('peak (mprof)', d.summary.peakMiB === null ? '—' : `${printfFixed(d.summary.peakMiB, 1)} MiB`),
    card('traced, last capture', d.summary.finalBytes === null ? '—' : kib(d.summary.finalBytes)),
    card('growth, first to last', d.summary.growthBytes === null ? '—' : formatSize(d.summary.growthBytes, true)),
    card('leak suspects', String(d.summary.leakSuspects), 'sites and processes still growing at the end'),
    card('fragmented', d.summary.fragmentation ?? '—', s?.replay?.fragmented.reason ?? ''),
    card('pymalloc model', d.summary.python ? `CPython ${d.summary.python}` : '—'),
  ];
  sections.push(`<section id="summary"><h2>Summary</h2><div class="cards">${cards.join('')}</div></section>`);

  if (d.memory.length) {
    const parts = d.memory.map((m, i) => {
      const c = memoryChart(m, i);
      charts.push(c);
      const trends = m.trends.series
        .map(
          (t) =>
            `<li><b>${esc(t.name)}</b>: ${esc(t.verdict)} (confidence ${t.confidence.toFixed(2)}), trend ${esc(printfFixed(t.slopeMiBPerMin, 2))} MiB/min, floor ${esc(printfFixed(t.baselineMiB, 1))} → ${esc(printfFixed(t.finalFloorMiB, 1))} MiB, peak ${esc(printfFixed(t.peakMiB, 1))} MiB</li>`,
        )
        .join('');
      return `${chartBlock(c)}<ul class="trends">${trends}</ul>${m.cmdline ? `<p class="cmd">command: <code>${esc(m.cmdline)}</code></p>` : ''}`;
    });
    sections.push(`<section id="memory"><h2>Memory over time</h2>${parts.join('')}</section>`);
  }

  if (s) {
    const t = totalsChart(s);
    charts.push(t);
    let body = chartBlock(t);
    if (s.replay) {
      const a = arenasChart(s.replay);
      charts.push(a);
      body += chartBlock(a);
    }
    sections.push(`<section id="captures"><h2>Captures</h2>${body}</section>`);

    const top = topSitesChart(s);
    charts.push(top);
    const rows = s.topSites.map((st) => {
      const f = st.frames[0]!;
      const tb = st.traceback.map((x) => `${esc(x.filename)}:${x.lineno}`).join('<br>');
      return [
        `<details><summary>${esc(f.filename)}:${f.lineno}</summary><div class="tb">${tb}</div></details>`,
        `<span data-v="${st.size}">${esc(kib(st.size))}</span>`,
        `<span data-v="${st.count}">${st.count}</span>`,
      ];
    });
    sections.push(
      `<section id="sites"><h2>Top allocation sites</h2>${chartBlock(top)}${table('sites-table', ['site', 'size', 'blocks'], rows, { filter: true })}</section>`,
    );

    if (s.leaks) {
      const leaks = s.leaks.sites.filter((x) => x.verdict === 'leak');
      const plateaus = s.leaks.sites.filter((x) => x.verdict === 'plateau');
      let body2 = `<p>${esc(`${s.leaks.captures} captures, growth of ${formatSize(s.leaks.minGrowth)} or more counted; ${leaks.length} leak${leaks.length === 1 ? '' : 's'}, ${plateaus.length} plateau${plateaus.length === 1 ? '' : 's'}.`)}</p>`;
      if (leaks.length) {
        const c = leaksChart(leaks, s.labels);
        charts.push(c);
        body2 += chartBlock(c);
      }
      const evidence = (x: (typeof leaks)[number]) => [
        `<details><summary>${esc(x.filename)}:${x.lineno}</summary><div class="tb">${x.traceback.map((f) => `${esc(f.filename)}:${f.lineno}`).join('<br>')}</div></details>`,
        esc(x.verdict),
        `<span data-v="${x.growthBytes}">${esc(formatSize(x.growthBytes, true))}</span>`,
        `<span data-v="${x.confidence}">${x.confidence.toFixed(2)}</span>`,
        esc(x.bytesPerCapture.map((b) => formatSize(b)).join(', ')),
      ];
      body2 += `<h3>Leaks</h3>${table('leaks-table', ['site', 'verdict', 'growth', 'confidence', 'bytes per capture'], leaks.map(evidence))}`;
      if (plateaus.length)
        body2 += `<h3>Plateaus (grew, then stopped: not leaks)</h3>${table('plateaus-table', ['site', 'verdict', 'growth', 'confidence', 'bytes per capture'], plateaus.map(evidence))}`;
      sections.push(`<section id="leaks"><h2>Leak suspects</h2>${body2}</section>`);
    }

    if (s.diff) {
      const rows2 = s.diff.stats.map((x) => [
        `${esc(x.frames[0]!.filename)}:${x.frames[0]!.lineno}`,
        `<span data-v="${x.size}">${esc(formatSize(x.size))}</span>`,
        `<span data-v="${x.sizeDiff}">${esc(formatSize(x.sizeDiff, true))}</span>`,
        `<span data-v="${x.countDiff}">${x.countDiff >= 0 ? '+' : ''}${x.countDiff}</span>`,
      ]);
      sections.push(
        `<section id="diff"><h2>What changed: ${esc(s.diff.from)} → ${esc(s.diff.to)}</h2>${table('diff-table', ['site', 'size', 'change', 'blocks change'], rows2, { filter: true })}</section>`,
      );
    }

    const ice = icicleChart(s);
    charts.push(ice);
    sections.push(`<section id="tree"><h2>Allocation tree</h2>${chartBlock(ice)}</section>`);

    if (s.replay) {
      const occ = occupancyChart(s.replay);
      charts.push(occ);
      const pin = s.replay.pinningSites.map((p) => [
        `${esc(p.filename)}:${p.lineno}`,
        `<span data-v="${p.arenas}">${p.arenas}</span>`,
        `<span data-v="${p.blocks}">${p.blocks}</span>`,
      ]);
      sections.push(
        `<section id="fragmentation"><h2>Fragmentation</h2><p>${esc(`Fragmented: ${s.replay.fragmented.verdict} (${s.replay.fragmented.reason}). ${formatSize(s.replay.releasableBytes)} would go back to the system if the blocks in pinned arenas moved; ${formatSize(s.replay.emptyPoolBytes)} in empty pools.`)}</p>${chartBlock(occ)}<h3>Sites whose blocks pin arenas</h3>${table('pinning-table', ['site', 'pinned arenas', 'blocks'], pin)}<h3>Size classes (model, scattered order, as sys._debugmallocstats() prints them)</h3><pre>${esc(renderMallocStats(s.replay.stats))}</pre></section>`,
      );
    }
  }

  d.lineReports.forEach((l, li) => {
    const max = Math.max(0.001, ...l.blocks.flatMap((b) => b.lines.slice(1).map((x) => Math.abs(x.incrementMiB ?? 0))));
    const blocks = l.blocks
      .map((b) => {
        const rows3 = b.lines
          .map((x, i) => {
            // Red for memory added, blue for memory given back; the first row is the call's
            // baseline, not the line's own doing.
            const inc = i === 0 ? 0 : (x.incrementMiB ?? 0);
            const heat = Math.min(1, Math.abs(inc) / max) * 0.6;
            const bg =
              inc > 0
                ? `rgba(228,87,86,${heat.toFixed(2)})`
                : inc < 0
                  ? `rgba(76,120,168,${heat.toFixed(2)})`
                  : 'transparent';
            return `<tr style="background: ${bg}"><td>${x.lineno}</td><td>${x.memMiB === null ? '' : esc(printfFixed(x.memMiB, 1))}</td><td>${x.incrementMiB === null ? '' : esc(printfFixed(x.incrementMiB, 1))}</td><td>${x.occurrences ?? ''}</td><td class="src">${esc(x.source)}</td></tr>`;
          })
          .join('');
        return `<h3>${esc(b.filename)}</h3><table class="lines"><thead><tr><th>line</th><th>MiB</th><th>increment</th><th>runs</th><th>source</th></tr></thead><tbody>${rows3}</tbody></table>`;
      })
      .join('');
    sections.push(
      `<section id="line-report-${li}" class="line-report"><h2>Line report: ${esc(l.file)}</h2><p>Each line shaded by the memory it added (red) or gave back (blue): memory_profiler's increment, in MiB.</p>${blocks}</section>`,
    );
  });

  if (d.allocatorStats.length) {
    const rows4 = d.allocatorStats.flatMap((a) =>
      a.arenas.map((n, i) => [
        esc(a.file),
        String(i + 1),
        `<span data-v="${n}">${n}</span>`,
        `<span data-v="${a.allocatedBytes[i]}">${esc(formatSize(a.allocatedBytes[i]!))}</span>`,
      ]),
    );
    sections.push(
      `<section id="allocator"><h2>Allocator reports</h2><p>pymalloc's own figures (sys._debugmallocstats), report by report: arenas held and bytes in allocated blocks.</p>${table('allocator-table', ['file', 'report', 'arenas', 'allocated'], rows4)}</section>`,
    );
  }

  const specs = charts.map((c) => ({ id: c.id, spec: compile(c.spec as unknown as TopLevelSpec).spec }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1000px;padding:24px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:14px;margin:14px 0 4px}
.inputs{color:#666;font-size:12px}.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px;flex:1}.card .label{color:#666;font-size:12px}.card .value{font-size:20px;font-weight:600}.card .note{color:#888;font-size:11px}
figure{margin:16px 0}figcaption p{margin:0;color:#555;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:6px 0}th,td{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
th{cursor:pointer;background:#fafafa;user-select:none}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
.tb{font-family:ui-monospace,monospace;font-size:11px;color:#444;padding:4px 0 4px 12px}pre{font-size:11px;background:#fafafa;padding:8px;overflow:auto}
.filter{margin:4px 0;padding:4px 6px;width:300px}code{font-size:11px}td.src{font-family:ui-monospace,monospace;font-size:11px;white-space:pre}
</style></head><body>
<h1>${esc(d.title)}</h1><div class="inputs">${d.inputs.map(esc).join(' · ')}</div>
${sections.join('\n')}
<script id="report-data" type="application/json">${scriptJson({ format: d.format, version: d.version, charts: specs.map((x) => x.id) })}</script>
<script>${vegaRuntime()}</script>
<script>
(function () {
  var specs = ${scriptJson(specs)};
  window.__charts = {};
  specs.forEach(function (c) {
    var view = new vega.View(vega.parse(c.spec), { renderer: 'svg', container: '#chart-' + c.id, hover: true });
    window.__charts[c.id] = view.runAsync();
  });
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () {
      var table = th.closest('table'), col = +th.dataset.col, body = table.tBodies[0];
      var desc = !th.classList.contains('desc');
      table.querySelectorAll('th').forEach(function (h) { h.classList.remove('asc', 'desc'); });
      th.classList.add(desc ? 'desc' : 'asc');
      var key = function (tr) { var td = tr.cells[col], v = td.querySelector('[data-v]'); return v ? +v.dataset.v : td.textContent; };
      Array.from(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b), r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return desc ? -r : r;
      }).forEach(function (tr) { body.appendChild(tr); });
    });
  });
  document.querySelectorAll('input.filter').forEach(function (input) {
    input.addEventListener('input', function () {
      var q = input.value.toLowerCase();
      document.getElementById(input.dataset.table).querySelectorAll('tbody tr').forEach(function (tr) {
        tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
      });
    });
  });
})();
</script>
</body></html>
`;
}
