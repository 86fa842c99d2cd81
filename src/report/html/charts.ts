// The report's charts as vega-lite specs. Each has a title, units and a one-line explanation, so
// that a reader who never used arenascope can tell what it shows; colours come from palette.ts (one
// per meaning, page-wide), sizes are drawn in the unit their range calls for (axes.ts), and every chart
// is as wide as its container. Every figure and verdict comes from ReportData. The specs are compiled
// in page.ts; the flame graph, a vega spec of its own, is in flame.ts.

import type { Spec as VegaSpec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { type SiteTrend, siteName } from '../../analysis/leaks.js';
import {
  finalCaptureName,
  type MemorySection,
  type ReplaySection,
  type SnapshotSection,
} from '../../analysis/report-data.js';
import { growthLabel } from '../format-size.js';
import { captureTicks, captureX, sizeUnit } from './axes.js';
import { CHILD_COLOURS, MEANINGS, type Meaning } from './palette.js';

// Charts per capture: a line with a point at each capture, captures in order on x, in the colour of
// what was measured.
const CAPTURE_LINE = { type: 'line', point: true, tooltip: true, color: MEANINGS.measured.colour } as const;

/** A chart: a vega-lite spec, compiled in page.ts; or a hand-written vega spec drawn as is (flame.ts). */
export type Chart = LiteChart | VegaChart;

interface VegaChart extends Omit<LiteChart, 'vega' | 'spec'> {
  readonly vega: true;
  readonly spec: VegaSpec;
}

export interface LiteChart {
  readonly id: string;
  readonly title: string;
  readonly explanation: string;
  readonly vega?: false;
  readonly spec: TopLevelSpec;
  /** What its colours stand for: the page's legend states each meaning once. */
  readonly meanings?: readonly Meaning[];
}

/** Small multiples: charts drawn side by side under one caption, in the order of the table they go with. */
export interface ChartGroup {
  readonly id: string;
  readonly title: string;
  readonly explanation: string;
  readonly charts: readonly Chart[];
}

/** One layer of a layered spec. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

const MiB = 2 ** 20;

// As wide as the figure holding it (axes and legends included: 'fit-x' with 'padding'); vega redraws
// it when the window is resized.
const base = (height = 260) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 'container' as const,
  height,
  autosize: { type: 'fit-x', contains: 'padding' } as const,
  config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
});

export function memoryChart(m: MemorySection, index: number): Chart {
  const u = sizeUnit(m.lines.flatMap((l) => l.mib.map((x) => x * MiB)));
  const per = MiB / u.bytes;
  const values = m.lines.flatMap((l) => l.t.map((t, i) => ({ series: l.name, t, size: l.mib[i]! * per })));
  const spans = m.spans.map((s) => ({ ...s, label: `${s.name} (level ${s.level ?? '?'})` }));
  const children = m.lines.length > 1;
  const layers: Layer[] = [];
  if (spans.length) {
    layers.push({
      data: { values: spans },
      mark: { type: 'rect', opacity: 0.2, tooltip: true, color: MEANINGS.calls.colour },
      encoding: {
        x: { field: 'start', type: 'quantitative' },
        x2: { field: 'end' },
        tooltip: [
          { field: 'label', title: 'function' },
          { field: 'start', format: '.2f', title: 'from (s)' },
          { field: 'end', format: '.2f', title: 'to (s)' },
        ],
      },
    });
  }
  layers.push({
    data: { values },
    mark: { type: 'line', point: false, tooltip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since the first sample' },
      y: { field: 'size', type: 'quantitative', title: `memory (${u.unit})` },
      // The main process in the colour of what was measured, each child in its own; only the
      // children need naming, in a legend under the chart (a legend beside it would cost width).
      color: {
        field: 'series',
        type: 'nominal',
        scale: {
          domain: m.lines.map((l) => l.name),
          range: [
            MEANINGS.measured.colour,
            ...m.lines.slice(1).map((_, i) => CHILD_COLOURS[i % CHILD_COLOURS.length]!),
          ],
        },
        legend: children ? { title: 'process', orient: 'bottom', columns: 4, labelLimit: 160 } : null,
      },
      tooltip: [
        { field: 'series', title: 'process' },
        { field: 't', format: '.2f', title: 'time (s)' },
        { field: 'size', format: '.1f', title: u.unit },
      ],
    },
  });
  const parts = [
    `Resident memory sampled by mprof (${u.unit})`,
    ...(spans.length ? ['shaded bands are calls of @profile functions'] : []),
    ...(children ? ['each child process in its own colour'] : []),
    ...(m.childrenNotDrawn
      ? [`the ${m.lines.length - 1} children with the highest peaks are drawn, ${m.childrenNotDrawn} others are not`]
      : []),
  ];
  return {
    id: `memory-${index}`,
    title: `Memory over time: ${m.label}`,
    explanation: `${parts.join('; ')}.`,
    spec: { ...base(), layer: layers },
    meanings: ['measured', ...(spans.length ? (['calls'] as const) : []), ...(children ? (['children'] as const) : [])],
  };
}

export function totalsChart(s: SnapshotSection): Chart {
  const u = sizeUnit(s.totals.map((t) => t.size));
  const ticks = captureTicks(s.labels);
  const values = s.totals.map((t, i) => ({
    tick: ticks[i],
    label: s.labels[i],
    size: t.size / u.bytes,
    blocks: t.count,
  }));
  return {
    id: 'totals',
    title: 'Traced memory per capture',
    explanation:
      `Bytes in blocks tracemalloc traced at each capture (${u.unit}): ` +
      'a line that keeps rising is memory that is never given back.',
    spec: {
      ...base(220),
      data: { values },
      mark: CAPTURE_LINE,
      encoding: {
        x: captureX(ticks),
        y: { field: 'size', type: 'quantitative', title: `traced memory (${u.unit})` },
        tooltip: [
          { field: 'label', title: 'capture' },
          { field: 'size', format: ',.2f', title: u.unit },
          { field: 'blocks' },
        ],
      },
    },
    meanings: ['measured'],
  };
}

// The three series of the arenas chart, drawn in this order (the measured one last, on top), each
// in its meaning's colour and dash, with its own point shape: where two coincide both still show.
const ARENA_SERIES = [
  { key: 'best', name: 'model, best case (compact order)', shape: 'triangle-up' },
  { key: 'worst', name: 'model, worst case (scattered order)', shape: 'triangle-down' },
  { key: 'measured', name: 'real (sys._debugmallocstats)', shape: 'circle' },
] as const;

const times = (n: number): string => (n === 1 ? 'once' : `at ${n} captures`);

/** The arenas chart's caption, true for every input: it states where the real line lies, from the analysis's counts. */
export function arenasCaption(r: ReplaySection): string {
  const out = [
    `Arenas the allocator holds at each capture. The model of pymalloc replays the captures in two orders ` +
      '(which block of a group was freed is unknowable): compact, the best case, and scattered, the worst; ' +
      'the shaded band is the range between them.',
  ];
  if (r.ordersDiffer === 0) out.push('Here both orders give the same arenas at every capture: the band is one line.');
  const v = r.realVsModel;
  if (!v) {
    out.push('No real report was paired with the captures: these are model figures, not measurements.');
  } else {
    const n = v.above + v.within + v.below;
    const where = [
      v.above ? `above the model's range ${times(v.above)}` : '',
      v.within ? `within it ${times(v.within)}` : '',
      v.below ? `below it ${times(v.below)}` : '',
    ].filter(Boolean);
    out.push(`The real arenas (sys._debugmallocstats, ${n} capture${n === 1 ? '' : 's'}) lie ${where.join(', ')}.`);
    if (v.above) out.push('Above means the process holds arenas the traced blocks do not account for, even scattered.');
    if (v.below)
      out.push('Below means the real allocator packed the blocks better than the best case the model found.');
  }
  return out.join(' ');
}

export function arenasChart(r: ReplaySection): Chart {
  const ticks = captureTicks(r.captures.map((c) => c.label));
  const band = r.captures.map((c, i) => ({
    tick: ticks[i],
    lo: Math.min(c.compact.arenas, c.scattered.arenas),
    hi: Math.max(c.compact.arenas, c.scattered.arenas),
  }));
  const values = r.captures.flatMap((c, i) => [
    { tick: ticks[i], label: c.label, series: ARENA_SERIES[0].name, arenas: c.compact.arenas },
    { tick: ticks[i], label: c.label, series: ARENA_SERIES[1].name, arenas: c.scattered.arenas },
    ...(c.real ? [{ tick: ticks[i], label: c.label, series: ARENA_SERIES[2].name, arenas: c.real.arenas }] : []),
  ]);
  const scale = <T>(f: (x: (typeof ARENA_SERIES)[number]) => T) => ({
    domain: ARENA_SERIES.map((x) => x.name),
    range: ARENA_SERIES.map(f),
  });
  const real = r.captures.some((c) => c.real);
  return {
    id: 'arenas',
    title: `pymalloc arenas per capture (model of CPython ${r.python}${real ? ', and the real allocator' : ''})`,
    explanation: arenasCaption(r),
    spec: {
      ...base(240),
      encoding: { x: captureX(ticks) },
      layer: [
        {
          data: { values: band },
          mark: { type: 'area', opacity: 0.5, color: MEANINGS.range.colour },
          encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
        },
        {
          data: { values },
          mark: { type: 'line', point: { filled: false, size: 60 }, strokeWidth: 2, tooltip: true },
          encoding: {
            y: { field: 'arenas', type: 'quantitative', title: 'arenas' },
            color: { field: 'series', type: 'nominal', scale: scale((x) => MEANINGS[x.key].colour), legend: null },
            strokeDash: {
              field: 'series',
              type: 'nominal',
              scale: scale((x) => [...MEANINGS[x.key].dash] as number[]),
              legend: null,
            },
            shape: { field: 'series', type: 'nominal', scale: scale((x) => x.shape), legend: null },
            order: { field: 'series', sort: 'ascending' },
            tooltip: [{ field: 'label', title: 'capture' }, { field: 'series' }, { field: 'arenas' }],
          },
        },
      ],
    },
    meanings: ['best', 'worst', 'range', ...(real ? (['measured'] as const) : [])],
  };
}

// Characters of a site's name on the bar chart's axis; the rest is cut from the left, the whole in the tooltip.
const SITE_CHARS = 40;

export function topSitesChart(s: SnapshotSection): Chart {
  // The program's own lines, as the table shows them by default (all of them if nothing else is left).
  const own = s.topSites.filter((t) => !t.internal);
  const folded = own.length > 0 && own.length < s.topSites.length;
  const shown = (own.length ? own : s.topSites).slice(0, 20);
  const u = sizeUnit(shown.map((t) => t.size));
  const values = shown.map((t) => ({
    site: `${t.frames[0]!.filename}:${t.frames[0]!.lineno}`,
    size: t.size / u.bytes,
    blocks: t.count,
  }));
  return {
    id: 'top-sites',
    title: `Top allocation sites, ${finalCaptureName(s)}`,
    explanation:
      `Lines holding the most traced memory at the ${finalCaptureName(s)} (${u.unit}), ` +
      'as tracemalloc statistics("lineno") ranks them' +
      (folded
        ? "; without the import machinery, tracemalloc and arenascope's capture code (the table can show them)."
        : '.'),
    spec: {
      ...base(Math.max(120, values.length * 18)),
      data: { values },
      mark: { type: 'bar', tooltip: true, color: MEANINGS.measured.colour },
      encoding: {
        y: {
          field: 'site',
          type: 'nominal',
          sort: '-x',
          title: null,
          axis: {
            labelLimit: 260,
            labelExpr: `length(datum.label) > ${SITE_CHARS} ? '…' + slice(datum.label, -${SITE_CHARS - 1}) : datum.label`,
          },
        },
        x: { field: 'size', type: 'quantitative', title: `memory (${u.unit})` },
        tooltip: [{ field: 'site' }, { field: 'size', format: ',.1f', title: u.unit }, { field: 'blocks' }],
      },
    },
    meanings: ['measured'],
  };
}

/**
 * One small chart per site judged a leak, in the order of `sites` (the order of the table drawn
 * with them), each with its own scale and unit: a 1 KiB leak beside a 10 MiB one still shows its rise.
 */
export function leaksCharts(sites: readonly SiteTrend[], labels: readonly string[]): ChartGroup {
  const ticks = captureTicks(labels);
  const charts = sites.slice(0, 12).map((s, k): Chart => {
    const u = sizeUnit(s.bytesPerCapture);
    const site = siteName(s);
    const values = s.bytesPerCapture.map((b, i) => ({ site, tick: ticks[i], label: labels[i], size: b / u.bytes }));
    return {
      id: `leaks-${k}`,
      title: site,
      explanation: `growth ${growthLabel(s)}, confidence ${s.confidence.toFixed(2)}`,
      spec: {
        ...base(110),
        data: { values },
        mark: CAPTURE_LINE,
        encoding: {
          x: { ...captureX(ticks), title: null },
          y: { field: 'size', type: 'quantitative', title: u.unit, axis: { tickCount: 4 } },
          tooltip: [
            { field: 'site' },
            { field: 'label', title: 'capture' },
            { field: 'size', format: ',.1f', title: u.unit },
          ],
        },
      },
      meanings: ['measured'],
    };
  });
  return {
    id: 'leaks',
    title: 'Leak suspects: memory per capture',
    explanation:
      'One small chart per site judged a leak, in the order of the table below: its traced memory at each ' +
      'capture, on its own scale.' +
      (sites.length > charts.length ? ` The first ${charts.length} of ${sites.length}.` : ''),
    charts,
  };
}

export function occupancyChart(r: ReplaySection): Chart {
  const buckets = (name: string, xs: readonly number[]) =>
    xs.map((n, i) => ({ order: name, bucket: `${i * 10}-${i * 10 + 10}%`, arenas: n }));
  const best = 'compact (best case)';
  const worst = 'scattered (worst case)';
  return {
    id: 'occupancy',
    title: `Arena occupancy at ${r.judged === undefined ? 'the last capture' : `the capture before exit (${r.captures[r.judged]?.label})`} (model)`,
    explanation:
      'How full each arena is with live blocks; arenas under 25% are pinned: ' +
      'a few survivors keep them from going back to the system.',
    spec: {
      ...base(200),
      data: { values: [...buckets(best, r.occupancy.compact), ...buckets(worst, r.occupancy.scattered)] },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: {
          field: 'bucket',
          type: 'ordinal',
          sort: null,
          title: 'share of the arena used by live blocks',
          axis: { labelAngle: 0, labelOverlap: 'greedy' },
        },
        xOffset: { field: 'order', sort: [best, worst] },
        y: { field: 'arenas', type: 'quantitative', title: 'arenas' },
        color: {
          field: 'order',
          type: 'nominal',
          scale: { domain: [best, worst], range: [MEANINGS.best.colour, MEANINGS.worst.colour] },
          legend: null,
        },
        tooltip: [{ field: 'order', title: 'replay order' }, { field: 'bucket' }, { field: 'arenas' }],
      },
    },
    meanings: ['best', 'worst'],
  };
}
