// The pieces every section of the HTML report is built from: the section itself (which collects the
// charts it draws), figures, sortable tables, cards and tracebacks. Capture strings go through esc.

import type { Frame } from '../../model/frames.js';
import { esc } from '../escape.js';
import type { Chart } from './charts.js';

/** A section's markup and the charts drawn in it, in page order. */
export interface Section {
  readonly html: string;
  readonly charts: readonly Chart[];
}

/** A piece of a section: markup, a chart (drawn in a figure), or nothing. */
export type Part = string | Chart | null;

function figure(c: Chart): string {
  const caption = `<figcaption><h3>${esc(c.title)}</h3><p>${esc(c.explanation)}</p></figcaption>`;
  return `<figure class="chart">${caption}<div id="chart-${esc(c.id)}" class="vega"></div></figure>`;
}

/** `<section id><h2>heading</h2>…</section>`: each chart among the parts becomes a figure and is collected. */
export function section(id: string, heading: string, parts: readonly Part[], className?: string): Section {
  const charts: Chart[] = [];
  const body = parts
    .map((p) => {
      if (p === null || typeof p === 'string') return p ?? '';
      charts.push(p);
      return figure(p);
    })
    .join('');
  const cls = className ? ` class="${className}"` : '';
  return { html: `<section id="${id}"${cls}><h2>${esc(heading)}</h2>${body}</section>`, charts };
}

/** A table whose columns sort on a click of their header; cells are markup. */
export function table(
  id: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { filter?: boolean } = {},
): string {
  const filter = opts.filter
    ? `<input class="filter" data-table="${id}" placeholder="filter rows…" aria-label="filter ${id}">`
    : '';
  const head = headers.map((h, i) => `<th data-col="${i}">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `${filter}<table id="${id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
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
