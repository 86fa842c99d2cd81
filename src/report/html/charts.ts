// The report's charts as vega-lite specs. Each has a title, units and a one-line explanation, so
// that a reader who never used arenascope can tell what it shows. Layout (positions of the icicle)
// is computed here; every figure comes from ReportData. Only vega-lite's types are used here:
// the specs are compiled in page.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { SiteTrend } from '../../analysis/leaks.js';
import type { MemorySection, ReplaySection, SnapshotSection, TreeNode } from '../../analysis/report-data.js';

// Charts per capture: a line with a point at each capture, captures in order on x.
const CAPTURE_LINE = { type: 'line', point: true, tooltip: true } as const;
const CAPTURE_AXIS = { field: 'capture', type: 'ordinal', title: 'capture' } as const;

export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly explanation: string;
  readonly spec: TopLevelSpec;
}

/** One layer of a layered spec. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/** A box of the icicle: its share of the width [x0, x1] and its row. */
interface IcicleRect {
  readonly name: string;
  readonly x0: number;
  readonly x1: number;
  readonly depth: number;
  readonly kib: number;
}

const MiB = 2 ** 20;
const WIDTH = 720;

const base = (height = 260) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: WIDTH,
  height,
  config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
});

export function memoryChart(m: MemorySection, index: number): Chart {
  const values = m.lines.flatMap((l) => l.t.map((t, i) => ({ series: l.name, t, mib: l.mib[i] })));
  const spans = m.spans.map((s) => ({ ...s, label: `${s.name} (level ${s.level ?? '?'})` }));
  const layers: Layer[] = [];
  if (spans.length) {
    layers.push({
      data: { values: spans },
      mark: { type: 'rect', opacity: 0.15, tooltip: true },
      encoding: {
        x: { field: 'start', type: 'quantitative' },
        x2: { field: 'end' },
        color: { value: '#e45756' },
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
      y: { field: 'mib', type: 'quantitative', title: 'memory (MiB)' },
      color: { field: 'series', type: 'nominal', title: 'process' },
      tooltip: [
        { field: 'series' },
        { field: 't', format: '.2f', title: 'time (s)' },
        { field: 'mib', format: '.1f', title: 'MiB' },
      ],
    },
  });
  return {
    id: `memory-${index}`,
    title: `Memory over time: ${m.label}`,
    explanation:
      'Resident memory sampled by mprof (MiB); red bands are calls of @profile functions, ' +
      'other colours child processes.',
    spec: { ...base(), layer: layers },
  };
}

export function totalsChart(s: SnapshotSection): Chart {
  const values = s.totals.map((t, i) => ({ capture: i + 1, label: s.labels[i], mib: t.size / MiB, blocks: t.count }));
  return {
    id: 'totals',
    title: 'Traced memory per capture',
    explanation:
      'Bytes in blocks tracemalloc traced at each capture (MiB): ' +
      'a line that keeps rising is memory that is never given back.',
    spec: {
      ...base(220),
      data: { values },
      mark: CAPTURE_LINE,
      encoding: {
        x: CAPTURE_AXIS,
        y: { field: 'mib', type: 'quantitative', title: 'traced memory (MiB)' },
        tooltip: [{ field: 'label' }, { field: 'mib', format: '.2f', title: 'MiB' }, { field: 'blocks' }],
      },
    },
  };
}

export function arenasChart(r: ReplaySection): Chart {
  const values = r.captures.flatMap((c, i) => [
    { capture: i + 1, label: c.label, model: 'compact order (best case)', arenas: c.compact.arenas },
    { capture: i + 1, label: c.label, model: 'scattered order', arenas: c.scattered.arenas },
    ...(c.real ? [{ capture: i + 1, label: c.label, model: 'real (_debugmallocstats)', arenas: c.real.arenas }] : []),
  ]);
  return {
    id: 'arenas',
    title: `pymalloc arenas per capture (model of CPython ${r.python})`,
    explanation:
      'Arenas the allocator holds, replayed through a model of pymalloc: the truth lies between the two orders; ' +
      'the gap is memory that freed objects leave pinned.',
    spec: {
      ...base(220),
      data: { values },
      mark: CAPTURE_LINE,
      encoding: {
        x: CAPTURE_AXIS,
        y: { field: 'arenas', type: 'quantitative', title: 'arenas' },
        color: { field: 'model', type: 'nominal', title: '' },
        tooltip: [{ field: 'label' }, { field: 'model' }, { field: 'arenas' }],
      },
    },
  };
}

export function topSitesChart(s: SnapshotSection): Chart {
  // The program's own lines, as the table shows them by default (all of them if nothing else is left).
  const own = s.topSites.filter((t) => !t.internal);
  const folded = own.length > 0 && own.length < s.topSites.length;
  const values = (own.length ? own : s.topSites)
    .slice(0, 20)
    .map((t) => ({ site: `${t.frames[0]!.filename}:${t.frames[0]!.lineno}`, kib: t.size / 1024, blocks: t.count }));
  return {
    id: 'top-sites',
    title: 'Top allocation sites, last capture',
    explanation:
      'Lines holding the most traced memory at the last capture (KiB), as tracemalloc statistics("lineno") ranks them' +
      (folded
        ? "; without the import machinery, tracemalloc and arenascope's capture code (the table can show them)."
        : '.'),
    spec: {
      ...base(Math.max(120, values.length * 18)),
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'site', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 420 } },
        x: { field: 'kib', type: 'quantitative', title: 'memory (KiB)' },
        tooltip: [{ field: 'site' }, { field: 'kib', format: ',.1f', title: 'KiB' }, { field: 'blocks' }],
      },
    },
  };
}

export function leaksChart(sites: readonly SiteTrend[], labels: readonly string[]): Chart {
  const values = sites.slice(0, 12).flatMap((s) =>
    s.bytesPerCapture.map((b, i) => ({
      site: `${s.filename}:${s.lineno}`,
      capture: i + 1,
      label: labels[i],
      kib: b / 1024,
    })),
  );
  return {
    id: 'leaks',
    title: 'Leak suspects: memory per capture',
    explanation: 'One small chart per site judged a leak (KiB at each capture): each kept growing to the last capture.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      facet: { field: 'site', type: 'nominal', title: null, header: { labelLimit: 300, labelFontSize: 11 } },
      columns: 3,
      spec: {
        width: 220,
        height: 120,
        mark: CAPTURE_LINE,
        encoding: {
          x: CAPTURE_AXIS,
          y: { field: 'kib', type: 'quantitative', title: 'KiB' },
          tooltip: [{ field: 'site' }, { field: 'label' }, { field: 'kib', format: ',.1f', title: 'KiB' }],
        },
      },
      resolve: { scale: { y: 'independent' } },
      config: { view: { stroke: '#ddd' } },
    },
  };
}

// Icicle layout: each node spans its share of its parent's width; one row per frame depth.
function icicleRects(root: TreeNode): IcicleRect[] {
  const out: IcicleRect[] = [];
  const walk = (n: TreeNode, x0: number, x1: number, depth: number): void => {
    if (depth > 0) out.push({ name: n.name, x0, x1, depth, kib: n.bytes / 1024 });
    let x = x0;
    for (const c of n.children) {
      const w = n.bytes ? ((x1 - x0) * c.bytes) / n.bytes : 0;
      walk(c, x, x + w, depth + 1);
      x += w;
    }
  };
  walk(root, 0, 1, 0);
  return out;
}

export function icicleChart(s: SnapshotSection): Chart {
  const values = icicleRects(s.tree);
  const depth = Math.max(1, ...values.map((v) => v.depth));
  return {
    id: 'icicle',
    title: 'Where the memory of the last capture was allocated from',
    explanation:
      'Allocation tracebacks, outermost frame on top: the width of a box is the memory allocated below that frame.',
    spec: {
      ...base(Math.min(600, depth * 22)),
      data: { values },
      encoding: {
        y: { field: 'depth', type: 'ordinal', axis: null },
        tooltip: [
          { field: 'name', title: 'frame' },
          { field: 'kib', format: ',.1f', title: 'KiB' },
        ],
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', tooltip: true },
          encoding: {
            x: { field: 'x0', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
            x2: { field: 'x1' },
            color: { field: 'kib', type: 'quantitative', scale: { scheme: 'oranges' }, legend: { title: 'KiB' } },
          },
        },
        {
          // Names on the boxes wide enough to hold some of them.
          transform: [{ filter: 'datum.x1 - datum.x0 > 0.06' }],
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, limit: 300 },
          encoding: { x: { field: 'x0', type: 'quantitative' }, text: { field: 'name' }, color: { value: '#222' } },
        },
      ],
    },
  };
}

export function occupancyChart(r: ReplaySection): Chart {
  const buckets = (name: string, xs: readonly number[]) =>
    xs.map((n, i) => ({ order: name, bucket: `${i * 10}-${i * 10 + 10}%`, arenas: n }));
  return {
    id: 'occupancy',
    title: 'Arena occupancy at the last capture (model)',
    explanation:
      'How full each arena is with live blocks; arenas under 25% are pinned: ' +
      'a few survivors keep them from going back to the system.',
    spec: {
      ...base(200),
      data: { values: [...buckets('compact', r.occupancy.compact), ...buckets('scattered', r.occupancy.scattered)] },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'bucket', type: 'ordinal', sort: null, title: 'share of the arena used by live blocks' },
        xOffset: { field: 'order' },
        y: { field: 'arenas', type: 'quantitative', title: 'arenas' },
        color: { field: 'order', type: 'nominal', title: 'replay order' },
        tooltip: [{ field: 'order' }, { field: 'bucket' }, { field: 'arenas' }],
      },
    },
  };
}
