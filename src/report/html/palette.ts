// One colour per meaning across every chart of the report, stated once in the legend above the charts:
// a reader who learns that blue is "measured" in one chart can trust it in the next. Okabe-Ito colours,
// told apart by colour-blind readers too; the model's two cases also differ by dash, so that neither
// hides the other where they coincide.

import { esc } from '../escape.js';

/** What a series or a mark in a chart stands for. */
export type Meaning = 'measured' | 'best' | 'worst' | 'range' | 'calls' | 'children';

interface MeaningStyle {
  readonly colour: string;
  /** The stroke dash of its lines (empty: solid). */
  readonly dash: readonly number[];
  /** How the legend draws it: a line, or a filled band. */
  readonly swatch: 'line' | 'band';
  readonly label: string;
}

export const MEANINGS: Readonly<Record<Meaning, MeaningStyle>> = {
  measured: {
    colour: '#0072b2',
    dash: [],
    swatch: 'line',
    label: 'measured: traced by tracemalloc, sampled by mprof, or reported by sys._debugmallocstats()',
  },
  best: { colour: '#009e73', dash: [6, 3], swatch: 'line', label: 'pymalloc model, best case (compact order)' },
  worst: { colour: '#d55e00', dash: [2, 2], swatch: 'line', label: 'pymalloc model, worst case (scattered order)' },
  range: { colour: '#cccccc', dash: [], swatch: 'band', label: "the model's range, between its best and worst case" },
  calls: { colour: '#cc79a7', dash: [], swatch: 'band', label: 'calls of @profile functions (mprof)' },
  children: {
    colour: '#882255',
    dash: [],
    swatch: 'line',
    label: "child processes of an mprof run: one colour each, named in that chart's own legend",
  },
};

/** Colours of an mprof run's child processes, in pid order; none is a colour of another meaning. */
export const CHILD_COLOURS: readonly string[] = ['#882255', '#44aa99', '#999933', '#332288', '#999999', '#661100'];

function swatch(m: MeaningStyle): string {
  if (m.swatch === 'band') return `<rect x="0" y="2" width="28" height="10" fill="${m.colour}" opacity="0.6"/>`;
  const dash = m.dash.length ? ` stroke-dasharray="${m.dash.join(' ')}"` : '';
  return `<line x1="0" y1="7" x2="28" y2="7" stroke="${m.colour}" stroke-width="2.5"${dash}/>`;
}

/** The page's one legend: the meanings its charts use, in a fixed order. */
export function legendHtml(used: ReadonlySet<Meaning>): string {
  const items = (Object.keys(MEANINGS) as Meaning[])
    .filter((k) => used.has(k))
    .map((k) => {
      const svg = `<svg width="28" height="14" aria-hidden="true">${swatch(MEANINGS[k])}</svg>`;
      return `<li data-meaning="${k}">${svg} ${esc(MEANINGS[k].label)}</li>`;
    });
  if (!items.length) return '';
  const list = `<ul>${items.join('')}</ul>`;
  return `<aside class="chart-legend" id="chart-legend"><b>Colours in every chart</b>${list}</aside>`;
}
