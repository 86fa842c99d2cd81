// The pieces every section of the HTML report is built from: the section itself (which collects the
// charts it draws), figures and small multiples, sortable tables (scrolling in their own box when wider
// than the page), cards and tracebacks. Capture strings go through esc.

import type { Frame } from '../../model/frames.js';
import { esc } from '../escape.js';
import type { Chart, ChartGroup } from './charts.js';

/** A section's markup and the charts drawn in it, in page order. */
export interface Section {
  readonly html: string;
  readonly charts: readonly Chart[];
}

/** A piece of a section: markup, a chart (drawn in a figure), small multiples, or nothing. */
export type Part = string | Chart | ChartGroup | null;

function figure(c: Chart): string {
  const caption = `<figcaption><h3>${esc(c.title)}</h3><p>${esc(c.explanation)}</p></figcaption>`;
  return `<figure class="chart">${caption}<div id="chart-${esc(c.id)}" class="vega"></div></figure>`;
}

// Small multiples: one caption, then a grid of small figures (as many per row as the width holds),
// each named by its title, cut with an ellipsis when long (the whole in its tooltip).
function multiples(g: ChartGroup): string {
  const caption = `<figcaption><h3>${esc(g.title)}</h3><p>${esc(g.explanation)}</p></figcaption>`;
  const small = g.charts.map(
    (c) =>
      `<figure class="small"><figcaption><h4 title="${esc(c.title)}">${esc(c.title)}</h4>` +
      `<p>${esc(c.explanation)}</p></figcaption><div id="chart-${esc(c.id)}" class="vega"></div></figure>`,
  );
  const grid = `<div class="multiples">${small.join('')}</div>`;
  return `<figure class="chart" id="${esc(g.id)}-charts">${caption}${grid}</figure>`;
}

/** `<section id><h2>heading</h2>…</section>`: each chart among the parts becomes a figure and is collected. */
export function section(id: string, heading: string, parts: readonly Part[], className?: string): Section {
  const charts: Chart[] = [];
  const body = parts
    .map((p) => {
      if (p === null || typeof p === 'string') return p ?? '';
      if ('charts' in p) {
        charts.push(...p.charts);
        return multiples(p);
      }
      charts.push(p);
      return figure(p);
    })
    .join('');
  const cls = className ? ` class="${className}"` : '';
  return { html: `<section id="${id}"${cls}><h2>${esc(heading)}</h2>${body}</section>`, charts };
}

/** Rows a table shows before its "show all" control. */
export const TABLE_CAP = 20;

/**
 * A table whose columns sort on a click of their header; cells are markup. It shows its first
 * `cap` rows (of those the filter and the machinery toggle leave) with a "show all" button; rows
 * marked in `internal` (import machinery, tracemalloc, arenascope's capture code) are folded away
 * until their checkbox is ticked. report.js applies all three after every sort, filter or click.
 */
export function table(
  id: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { filter?: boolean; internal?: readonly boolean[]; cap?: number } = {},
): string {
  const cap = opts.cap ?? TABLE_CAP;
  const folded = opts.internal?.filter(Boolean).length ?? 0;
  const filter = opts.filter
    ? `<input class="filter" data-table="${id}" placeholder="filter rows…" aria-label="filter ${id}">`
    : '';
  const toggle = folded
    ? `<label class="fold"><input type="checkbox" class="show-internal" data-table="${id}"> show ${folded} ` +
      `row${folded === 1 ? '' : 's'} of import machinery, tracemalloc and arenascope's capture code</label>`
    : '';
  const tools = filter || toggle ? `<div class="tools">${filter}${toggle}</div>` : '';
  const head = headers.map((h, i) => `<th data-col="${i}">${esc(h)}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = opts.internal?.[i] ? ' class="internal"' : '';
      return `<tr${cls}>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
  const more =
    rows.length > cap
      ? `<div class="more"><span class="count" data-table="${id}"></span> <button type="button" class="show-all" ` +
        `data-table="${id}" aria-controls="${id}" aria-expanded="false">show all</button></div>`
      : `<div class="more"><span class="count" data-table="${id}"></span></div>`;
  const thead = `<thead><tr>${head}</tr></thead>`;
  const t = `<table id="${id}" class="sortable" data-cap="${cap}">${thead}<tbody>${body}</tbody></table>`;
  return `${tools}<div class="scroll">${t}</div>${more}`;
}

/** A table cell shown as text that sorts by a number. */
export function sortable(value: number, shown: string = String(value)): string {
  return `<span data-v="${value}">${esc(shown)}</span>`;
}

export function card(label: string, value: string, note = ''): string {
  const parts = [`<div class="label">${esc(label)}</div>`, `<div class="value">${esc(value)}</div>`];
  return `<div class="card">${parts.join('')}<div class="note">${esc(note)}</div></div>`;
}

/** `file:line` of a frame. */
export function where(f: Frame): string {
  return `${esc(f.filename)}:${f.lineno}`;
}

/** A site that opens onto its traceback. */
export function traceback(site: Frame, frames: readonly Frame[]): string {
  return `<details><summary>${where(site)}</summary><div class="tb">${frames.map(where).join('<br>')}</div></details>`;
}
