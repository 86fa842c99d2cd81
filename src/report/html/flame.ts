// The allocation tree as a flame graph: a hand-written vega spec (vega-lite has no click-to-zoom on a
// hierarchy). Boxes are laid out here from ReportData's tree, once with the machinery frames and once
// without; zoom, search and the machinery toggle are vega signals, so the page needs no script of its own.

import type { Spec } from 'vega';
import type { TreeNode } from '../../analysis/report-data.js';
import { formatSize } from '../format-size.js';
import { noSource, type SourceLookup } from '../linecache.js';
import type { Chart } from './charts.js';

/** A box of the flame graph: its place in [0, 1] with the machinery shown (x0, x1) and folded (fx0, fx1). */
export interface FlameRect {
  readonly depth: number;
  readonly x0: number;
  readonly x1: number;
  /** null: all of the box is machinery, folded away by default. */
  readonly fx0: number | null;
  readonly fx1: number | null;
  /** What the box says: the file's base name and the line. */
  readonly label: string;
  /** What search looks in: the full file name, the line and its source. */
  readonly text: string;
  readonly tip: string;
  readonly kind: 'root' | 'frame' | 'machinery' | 'other';
  /** A tone per file, in [0, 1]: the boxes of one file share a colour. */
  readonly tone: number;
}

/** Pixel height of a row (one frame depth), and the narrowest box whose label is drawn. */
const ROW = 18;
const MIN_LABEL = 28;
// A source line longer than this is cut in the tooltip; only Python files are read (the report may be
// shared, and a dump can name any file).
const MAX_SOURCE = 160;
const PYTHON_FILE = /\.pyw?$/;

const baseName = (f: string): string => f.slice(Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')) + 1);

/** A stable tone per file name (FNV-1a), so that one file keeps its colour wherever it appears. */
function tone(file: string): number {
  let h = 2166136261;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

function sourceOf(n: TreeNode, source: SourceLookup): string {
  if (n.filename === undefined || n.lineno === undefined || !PYTHON_FILE.test(n.filename)) return '';
  const line = source(n.filename, n.lineno);
  return line.length > MAX_SOURCE ? `${line.slice(0, MAX_SOURCE - 1)}…` : line;
}

function tipOf(n: TreeNode, total: number, src: string, machinery: boolean): string {
  const share = total ? `${((100 * n.bytes) / total).toFixed(1)}% of the total` : '';
  const blocks = n.count === undefined ? '' : `${n.count} block${n.count === 1 ? '' : 's'}`;
  return [
    n.name,
    [formatSize(n.bytes), blocks, share].filter(Boolean).join(', '),
    src && `source: ${src}`,
    machinery ? "import machinery, tracemalloc or arenascope's capture code" : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The boxes, root first: each spans its share of its parent's bytes, children in the tree's order
 * (largest first); with the machinery folded, each spans its share of the parent's other bytes.
 */
export function flameRects(root: TreeNode, source: SourceLookup = noSource): FlameRect[] {
  const out: FlameRect[] = [];
  const own = (n: TreeNode): number => n.bytes - (n.internalBytes ?? 0);
  const walk = (n: TreeNode, depth: number, x0: number, x1: number, f: [number, number] | null): void => {
    const src = sourceOf(n, source);
    const machinery = f === null;
    const kind = depth === 0 ? 'root' : n.filename === undefined ? 'other' : machinery ? 'machinery' : 'frame';
    const label =
      depth === 0
        ? `all: ${formatSize(n.bytes)} (click a box to zoom in, this bar or Esc to zoom out)`
        : n.filename === undefined
          ? n.name
          : `${baseName(n.filename)}:${n.lineno}`;
    out.push({
      depth,
      x0,
      x1,
      fx0: f ? f[0] : null,
      fx1: f ? f[1] : null,
      label,
      text: `${n.name} ${src}`.toLowerCase(),
      tip: tipOf(n, root.bytes, src, machinery),
      kind,
      tone: tone(n.filename ?? ''),
    });
    let x = x0;
    let fx = f ? f[0] : 0;
    for (const c of n.children) {
      const w = n.bytes ? ((x1 - x0) * c.bytes) / n.bytes : 0;
      const fw = f && own(n) ? ((f[1] - f[0]) * own(c)) / own(n) : 0;
      walk(c, depth + 1, x, x + w, f && own(c) > 0 ? [fx, fx + fw] : null);
      x += w;
      fx += fw;
    }
  };
  walk(root, 0, 0, 1, [0, 1]);
  return out;
}

/** The vega spec of the boxes: zoom on click, search that highlights, machinery folded unless asked. */
export function flameSpec(rects: readonly FlameRect[], capture = 'last capture'): Spec {
  const depth = Math.max(0, ...rects.map((r) => r.depth));
  const machinery = rects.some((r) => r.kind === 'machinery');
  // Whether a box is zoomed into (and not hidden since by folding the machinery).
  const zoomed = '(zoom && (showInternal || isValid(zoom.fx0)))';
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    description: `Allocation tree of the ${capture} as a flame graph`,
    // The graph is as wide as its container and redrawn when the window changes size.
    autosize: { type: 'none' },
    padding: 0,
    height: (depth + 1) * ROW,
    signals: [
      {
        name: 'width',
        init: 'containerSize()[0] > 0 ? containerSize()[0] : 800',
        on: [{ events: 'window:resize', update: 'containerSize()[0] > 0 ? containerSize()[0] : width' }],
      },
      {
        name: 'search',
        value: '',
        bind: { input: 'text', placeholder: 'file, line or source text', name: 'highlight frames ', debounce: 150 },
      },
      machinery
        ? {
            name: 'showInternal',
            value: false,
            bind: { input: 'checkbox', name: "show import machinery and arenascope's capture code " },
          }
        : { name: 'showInternal', value: false },
      {
        name: 'zoom',
        value: null,
        on: [
          { events: '@frame:click', update: "datum.kind === 'root' ? null : datum" },
          { events: 'window:keydown', update: "event.key === 'Escape' ? null : zoom" },
        ],
      },
      { name: 'zx0', update: `${zoomed} ? (showInternal ? zoom.x0 : zoom.fx0) : 0` },
      { name: 'zx1', update: `${zoomed} ? (showInternal ? zoom.x1 : zoom.fx1) : 1` },
      { name: 'query', update: 'lower(trim(search))' },
    ],
    data: [
      {
        name: 'rects',
        values: rects as unknown as object[],
        transform: [
          { type: 'formula', as: 'a0', expr: 'showInternal ? datum.x0 : datum.fx0' },
          { type: 'formula', as: 'a1', expr: 'showInternal ? datum.x1 : datum.fx1' },
          { type: 'filter', expr: 'isValid(datum.a0) && datum.a1 > zx0 && datum.a0 < zx1' },
          // Pixels, the zoomed box filling the width; boxes around it are cut at the edges.
          { type: 'formula', as: 'px0', expr: 'max(0, (datum.a0 - zx0) / (zx1 - zx0) * width)' },
          { type: 'formula', as: 'px1', expr: 'min(width, (datum.a1 - zx0) / (zx1 - zx0) * width)' },
          { type: 'filter', expr: 'datum.px1 - datum.px0 >= 0.5' },
          {
            type: 'formula',
            as: 'hit',
            expr: "query !== '' && datum.kind !== 'root' && indexof(datum.text, query) >= 0",
          },
        ],
      },
    ],
    scales: [{ name: 'warm', type: 'linear', domain: [0, 1], range: ['#fdd0a2', '#f16913'] }],
    marks: [
      {
        type: 'rect',
        name: 'frame',
        from: { data: 'rects' },
        encode: {
          enter: { stroke: { value: 'white' }, strokeWidth: { value: 1 }, cursor: { value: 'pointer' } },
          update: {
            x: { field: 'px0' },
            x2: { field: 'px1' },
            y: { signal: `datum.depth * ${ROW}` },
            height: { value: ROW },
            fill: [
              { test: 'datum.hit', value: '#8e44ad' },
              { test: "datum.kind === 'root'", value: '#bdbdbd' },
              { test: "datum.kind === 'machinery'", value: '#d9d9d9' },
              { test: "datum.kind === 'other'", value: '#eeeeee' },
              { scale: 'warm', field: 'tone' },
            ],
            fillOpacity: { signal: "query !== '' && !datum.hit ? 0.3 : 1" },
            tooltip: { field: 'tip' },
          },
        },
      },
      {
        type: 'text',
        name: 'label',
        from: { data: 'rects' },
        interactive: false,
        encode: {
          enter: { fontSize: { value: 11 }, baseline: { value: 'middle' }, align: { value: 'left' } },
          update: {
            x: { signal: 'datum.px0 + 4' },
            y: { signal: `datum.depth * ${ROW} + ${ROW / 2}` },
            // Cut to the box (vega ends the text with an ellipsis); none at all on a box too narrow.
            limit: { signal: 'max(1, datum.px1 - datum.px0 - 8)' },
            opacity: { signal: `datum.px1 - datum.px0 < ${MIN_LABEL} ? 0 : 1` },
            text: { field: 'label' },
            fill: { signal: "datum.hit ? 'white' : '#222'" },
          },
        },
      },
    ],
  };
}

export function flameChart(tree: TreeNode, source: SourceLookup = noSource, capture = 'last capture'): Chart {
  const rects = flameRects(tree, source);
  const folded = rects.some((r) => r.kind === 'machinery');
  return {
    id: 'flame',
    title: `Where the memory of the ${capture} was allocated from`,
    explanation:
      'Allocation tracebacks as a flame graph, outermost frame on top: a box is as wide as the memory allocated ' +
      'below that frame. Click a box to zoom into it; type in the box below to highlight frames' +
      (folded ? "; the import machinery and arenascope's capture code are folded away unless ticked." : '.'),
    vega: true,
    spec: flameSpec(rects, capture),
  };
}
