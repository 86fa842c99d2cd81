// `arenascope info` as text: one table of facts per capture, and the per-test table of a run folder.
// Lists (an mprof run's @profile functions, a line report's functions) show the layout's limit.

import type { CaptureInfo, MprofInfo, SnapshotInfo } from '../../analysis/info.js';
import { reportFileName } from '../../model/line-report.js';
import type { RunInfo } from '../../model/run.js';
import { printfFixed } from '../../util/printf.js';
import { formatSize } from '../format-size.js';
import { runLine, testCells } from '../run-tests.js';
import { capped, FULL_LAYOUT, type TextLayout } from './layout.js';

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

const mib = (v: number | null): string => (v === null ? 'none' : `${printfFixed(v, 3)} MiB`);
// A time beyond what a Date holds (±8.64e15 ms) is shown as the seconds it is: it has no calendar date.
const isoTime = (t: number): string =>
  Math.abs(t * 1000) <= 8.64e15 ? new Date(t * 1000).toISOString() : `${t} s since 1970 (no calendar date)`;

function snapshotRows(i: SnapshotInfo): [string, string][] {
  const rows: [string, string][] = [];
  if (i.pythonLayout) rows.push(['python', i.pythonLayout]);
  rows.push(
    ['traceback limit', i.tracebackLimit === null ? 'unknown' : String(i.tracebackLimit)],
    ['traces', String(i.traces)],
    ['total size', `${formatSize(i.totalSize)} (${i.totalSize} B)`],
    ['groups', `${i.groups} (domain, traceback, size)`],
    ['tracebacks', String(i.tracebacks)],
    ['frames', String(i.frames)],
    ['filenames', String(i.filenames)],
    ['domains', i.domains.join(', ') || 'none'],
  );
  if (i.time !== null) rows.push(['time', isoTime(i.time)]);
  if (i.tracedPeak != null) {
    rows.push(['traced peak', `${formatSize(i.tracedPeak)} (${i.tracedPeak} B) since the previous capture`]);
  }
  if (i.truncatedTracebacks !== null) rows.push(['cut by the limit', `${i.truncatedTracebacks} tracebacks`]);
  if (i.partial) rows.push(['partial', 'yes: the input was truncated']);
  return rows;
}

function mprofRows(i: MprofInfo, layout: TextLayout): [string, string][] {
  const rows: [string, string][] = [
    ['command', i.cmdline ?? 'unknown'],
    ['samples', String(i.samples)],
    ['peak', i.children.length ? `${mib(i.peakMiB)} (MEM, as mprof peak prints it; children below)` : mib(i.peakMiB)],
  ];
  // With children, `report` and `gate` take the program's and its children's peak together: said here too.
  if (i.children.length && i.peakWithChildrenMiB !== i.peakMiB) {
    rows.push([
      'with children',
      `${mib(i.peakWithChildrenMiB)} (MEM and its CHLD lines at each sample: the peak report and gate take)`,
    ]);
  }
  // An `arenascope run`'s own peak at exit, above its samples, or none when they all came before it.
  if (i.programPeakMiB !== i.peakWithChildrenMiB) {
    rows.push([
      'program peak',
      i.programPeakMiB === null
        ? 'unknown (every sample was taken before the program began: report and gate have no peak of it)'
        : `${mib(i.programPeakMiB)} (its own peak RSS at exit, above its samples: the peak report and gate take)`,
    ]);
  }
  if (i.timeSpan) {
    const from = i.timeSpan.untimed
      ? '(no times in the file: its interval assumed)'
      : `from ${isoTime(i.timeSpan.start)}`;
    rows.push(['time span', `${printfFixed(i.timeSpan.seconds, 2)} s ${from}`]);
  }
  for (const c of i.children) rows.push([c.name, `${c.samples} samples, peak ${mib(c.peakMiB)}`]);
  if (i.functionCalls) {
    const { shown, more } = capped(i.functions, layout.limit);
    rows.push(['@profile calls', `${i.functionCalls} (${[...shown, ...more].join(', ')})`]);
  }
  return rows;
}

function kindRows(i: CaptureInfo, layout: TextLayout): [string, string][] {
  switch (i.kind) {
    case 'snapshot':
      return snapshotRows(i);
    case 'snapshot-series':
      return [
        ['snapshots', String(i.snapshots.length)],
        ['traces', i.snapshots.map((s) => s.traces).join(', ')],
        ['total sizes', i.snapshots.map((s) => formatSize(s.totalSize)).join(', ')],
      ];
    case 'memory-series':
      return mprofRows(i, layout);
    case 'memory-runs':
      return [
        ['runs', `${i.runs.length} (appended to one file: each CMDLINE starts a run)`],
        ['peak', `${mib(i.peakMiB)} (the largest of all runs, as mprof peak prints it)`],
        ...(i.peakWithChildrenMiB !== null && i.peakWithChildrenMiB !== i.peakMiB
          ? [
              [
                'with children',
                `${mib(i.peakWithChildrenMiB)} (the largest of all runs with their children: the peak report and gate take)`,
              ] as [string, string],
            ]
          : []),
        ...i.runs.flatMap((r) => [
          [`run ${r.run?.index}`, r.cmdline ?? 'unknown command'] as [string, string],
          ...mprofRows(r, layout)
            .slice(1)
            .map(([k, v]): [string, string] => [`  ${k}`, v]),
        ]),
      ];
    case 'line-report': {
      const { shown, more } = capped(i.functions, layout.limit);
      const decimals = [...new Set(i.functions.map((f) => f.precision))].sort((a, b) => a - b);
      return [
        [
          'precision',
          decimals.length > 1 ? `${decimals.join(', ')} decimals (by function)` : `${i.precision} decimals`,
        ],
        // The highest of them all (the functions listed are the first few only).
        ['peak', i.peakMiB === null ? 'none' : `${printfFixed(i.peakMiB, i.peakPrecision)} MiB`],
        // Each peak as its report printed it.
        ...shown.map((f): [string, string] => [
          'function',
          `${reportFileName(f.filename)}:${f.firstLine}, ${f.lines} lines, peak ` +
            `${f.peakMiB === null ? 'none' : `${printfFixed(f.peakMiB, f.precision)} MiB`}`,
        ]),
        ...more.map((m): [string, string] => ['', m]),
      ];
    }
    case 'allocator-stats':
      return [
        ['reports', String(i.blocks)],
        ['arena size', `${formatSize(i.arenaSize)} (pools of ${formatSize(i.poolSize)})`],
        ...(i.standing < i.blocks
          ? [
              ['standing', `report ${i.standing} of ${i.blocks} (the last is at exit, after the shutdown)`] as [
                string,
                string,
              ],
            ]
          : []),
        // The highwater is the most any report says: with several, not the standing report's own.
        [
          'arenas now',
          `${i.arenasCurrent} (highwater ${i.highwaterArenas}${i.blocks > 1 ? `, the most of the ${i.blocks} reports` : ''})`,
        ],
        ['arena bytes', `${formatSize(i.arenaBytes)}, ${formatSize(i.bytesInAllocatedBlocks)} in allocated blocks`],
        ...(i.time != null ? [['time of the last', isoTime(i.time)] as [string, string]] : []),
      ];
    case 'statistics-log':
      return [
        ['listings', String(i.listings)],
        ['statistics', String(i.statistics)],
      ];
  }
}

export function renderInfoText(i: CaptureInfo & { readonly label?: string }, layout = FULL_LAYOUT): string {
  const rows: [string, string][] = [
    ['file', i.file],
    ...(i.label === undefined ? [] : [['label', i.label] as [string, string]]),
    ['format', `${i.format}${i.gzip ? ' (gzip)' : ''}`],
    ['kind', i.kind],
    ['bytes read', String(i.bytes)],
    ...kindRows(i, layout),
  ];
  return table(rows);
}

/** A run folder of `arenascope run`: one line on the run, then its per-test table, a test a line. */
export function renderRunText(r: RunInfo): string {
  const rows = r.tests.map((t): [string, string] => {
    const [id, outcome, peak, leaked, limits, over, top] = testCells(t);
    return [`test ${id!}`, `${outcome}; peak ${peak}, leaked ${leaked}; limits ${limits}; over ${over}; top ${top}`];
  });
  return `${runLine(r)}\n${rows.length ? table(rows) : ''}`;
}
