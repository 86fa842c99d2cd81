// Small specs of the page's kinds of chart (charts.ts), which the chart thread compiles while the
// main thread reads and replays the captures: vega-lite's code is then compiled and its caches
// warm when the page's own specs come (issue 14: compiling the page's 5 specs took ~55 ms cold,
// ~20 ms warm, and that wait was the last step of `report`). Only a matter of speed: a chart kind
// missing here compiles as well, only colder.

import type { TopLevelSpec } from 'vega-lite';

const base = {
  width: 'container',
  height: 200,
  autosize: { type: 'fit-x', contains: 'padding' },
  config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
} as const;

const ordinalX = {
  field: 'tick',
  type: 'ordinal',
  sort: ['a', 'b'],
  title: 'capture',
  axis: { labelAngle: 0, labelOverlap: 'greedy', labelSeparation: 6, labelLimit: 140 },
} as const;

const series = (field: string) =>
  ({ field, type: 'nominal', scale: { domain: ['x', 'y'], range: ['#009e73', '#d55e00'] }, legend: null }) as const;

export const WARM_UP_SPECS: readonly TopLevelSpec[] = [
  // Memory over time: call spans as rects under a line per process.
  {
    ...base,
    layer: [
      {
        data: { values: [{ start: 0, end: 1, label: 'f' }] },
        mark: { type: 'rect', opacity: 0.2, tooltip: true, color: '#cccccc' },
        encoding: {
          x: { field: 'start', type: 'quantitative' },
          x2: { field: 'end' },
          tooltip: [
            { field: 'label', title: 'function' },
            { field: 'start', format: '.2f' },
          ],
        },
      },
      {
        data: {
          values: [
            { series: 'x', t: 0, size: 1 },
            { series: 'y', t: 1, size: 2 },
          ],
        },
        mark: { type: 'line', point: false, tooltip: true },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 's' },
          y: { field: 'size', type: 'quantitative', title: 'MiB' },
          color: { ...series('series'), legend: { title: 'process', orient: 'bottom', columns: 4 } },
          tooltip: [{ field: 'series' }, { field: 'size', format: '.1f' }],
        },
      },
    ],
  },
  // Totals per capture.
  {
    ...base,
    data: {
      values: [
        { tick: 'a', size: 1, label: 'a' },
        { tick: 'b', size: 2, label: 'b' },
      ],
    },
    mark: { type: 'line', point: true, tooltip: true, color: '#0072b2' },
    encoding: {
      x: ordinalX,
      y: { field: 'size', type: 'quantitative', title: 'MiB' },
      tooltip: [{ field: 'label' }, { field: 'size', format: ',.2f' }],
    },
  },
  // Arenas: the model's range as an area under a line per order.
  {
    ...base,
    encoding: { x: ordinalX },
    layer: [
      {
        data: { values: [{ tick: 'a', lo: 1, hi: 2 }] },
        mark: { type: 'area', opacity: 0.5, color: '#cccccc' },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
      {
        data: {
          values: [
            { tick: 'a', arenas: 1, series: 'x' },
            { tick: 'b', arenas: 2, series: 'y' },
          ],
        },
        mark: { type: 'line', point: { filled: false, size: 60 }, strokeWidth: 2, tooltip: true },
        encoding: {
          y: { field: 'arenas', type: 'quantitative' },
          color: series('series'),
          strokeDash: { ...series('series'), scale: { domain: ['x', 'y'], range: [[6, 3], []] } },
          shape: { ...series('series'), scale: { domain: ['x', 'y'], range: ['circle', 'square'] } },
        },
      },
    ],
  },
  // Top sites: horizontal bars, long labels cut from the left.
  {
    ...base,
    data: { values: [{ site: 'a.py:1', size: 1, blocks: 1 }] },
    mark: { type: 'bar', tooltip: true, color: '#0072b2' },
    encoding: {
      y: {
        field: 'site',
        type: 'nominal',
        sort: '-x',
        title: null,
        axis: { labelLimit: 260, labelExpr: "length(datum.label) > 40 ? '…' + slice(datum.label, -39) : datum.label" },
      },
      x: { field: 'size', type: 'quantitative' },
      tooltip: [{ field: 'site' }, { field: 'size', format: ',.1f' }],
    },
  },
  // Occupancy: grouped bars.
  {
    ...base,
    data: { values: [{ order: 'x', bucket: '0-10%', arenas: 1 }] },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'bucket', type: 'ordinal', sort: null, axis: { labelAngle: 0, labelOverlap: 'greedy' } },
      xOffset: { field: 'order', sort: ['x', 'y'] },
      y: { field: 'arenas', type: 'quantitative' },
      color: series('order'),
    },
  },
];
