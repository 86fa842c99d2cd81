// Plain-text rendering, line for line what tracemalloc's str() and Traceback.format() print.

import type { Frame } from '../model/frames.js';
import type { CaptureInfo, SnapshotInfo } from '../analysis/info.js';
import type { DiffResult, Statistic, StatisticDiff, StatsResult } from '../analysis/statistics.js';
import { formatSize, printfFixed } from './format-size.js';
import { noSource, type SourceLookup } from './linecache.js';

/** str(Traceback): its oldest frame. */
export function tracebackLabel(frames: readonly Frame[]): string {
  const f = frames[0]!;
  return `${f.filename}:${f.lineno}`;
}

function sizeCount(size: number, count: number): string {
  return `size=${formatSize(size)}, count=${count}${average(size, count)}`;
}

function sizeCountDiff(size: number, sizeDiff: number, count: number, countDiff: number): string {
  const cd = countDiff >= 0 ? `+${countDiff}` : String(countDiff);
  return `size=${formatSize(size)} (${formatSize(sizeDiff, true)}), count=${count} (${cd})${average(size, count)}`;
}

function average(size: number, count: number): string {
  return count ? `, average=${formatSize(size / count)}` : '';
}

/** str(Statistic) */
export function statisticLine(s: Statistic): string {
  return `${tracebackLabel(s.frames)}: ${sizeCount(s.size, s.count)}`;
}

/** str(StatisticDiff) */
export function statisticDiffLine(s: StatisticDiff): string {
  return `${tracebackLabel(s.frames)}: ${sizeCountDiff(s.size, s.sizeDiff, s.count, s.countDiff)}`;
}

/** Traceback.format(): oldest frame first, each with its stripped source line when there is one. */
export function formatTraceback(frames: readonly Frame[], source: SourceLookup = noSource): string[] {
  const lines: string[] = [];
  for (const f of frames) {
    lines.push(`  File "${f.filename}", line ${f.lineno}`);
    const line = source(f.filename, f.lineno);
    if (line) lines.push(`    ${line}`);
  }
  return lines;
}

export function renderStatsText(r: StatsResult, source?: SourceLookup): string {
  const out: string[] = [];
  for (const s of r.stats) {
    out.push(statisticLine(s));
    if (r.groupBy === 'traceback') out.push(...formatTraceback(s.frames, source));
  }
  out.push(`Total: ${sizeCount(r.total.size, r.total.count)}`);
  return out.join('\n') + '\n';
}

export function renderDiffText(r: DiffResult, source?: SourceLookup): string {
  const out: string[] = [];
  for (const s of r.stats) {
    out.push(statisticDiffLine(s));
    if (r.groupBy === 'traceback') out.push(...formatTraceback(s.frames, source));
  }
  const t = r.total;
  out.push(`Total: ${sizeCountDiff(t.size, t.sizeDiff, t.count, t.countDiff)}`);
  return out.join('\n') + '\n';
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

const mib = (v: number | null): string => (v === null ? 'none' : `${printfFixed(v, 3)} MiB`);
const isoTime = (t: number): string => new Date(t * 1000).toISOString();

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
  if (i.truncatedTracebacks !== null) rows.push(['cut by the limit', `${i.truncatedTracebacks} tracebacks`]);
  if (i.partial) rows.push(['partial', 'yes: the input was truncated']);
  return rows;
}

function kindRows(i: CaptureInfo): [string, string][] {
  switch (i.model) {
    case 'snapshot':
      return snapshotRows(i);
    case 'snapshot-series':
      return [
        ['snapshots', String(i.snapshots.length)],
        ['traces', i.snapshots.map((s) => s.traces).join(', ')],
        ['total sizes', i.snapshots.map((s) => formatSize(s.totalSize)).join(', ')],
      ];
    case 'memory-series': {
      const rows: [string, string][] = [
        ['command', i.cmdline ?? 'unknown'],
        ['samples', String(i.samples)],
        ['peak', mib(i.peakMiB)],
      ];
      if (i.timeSpan) rows.push(['time span', `${printfFixed(i.timeSpan.seconds, 2)} s from ${isoTime(i.timeSpan.start)}`]);
      for (const c of i.children) rows.push([`child ${c.pid}`, `${c.samples} samples, peak ${mib(c.peakMiB)}`]);
      if (i.functionCalls) rows.push(['@profile calls', `${i.functionCalls} (${i.functions.join(', ')})`]);
      return rows;
    }
    case 'line-report':
      return [
        ['precision', `${i.precision} decimals`],
        ...i.functions.map((f): [string, string] => [
          'function',
          `${f.filename}:${f.firstLine}, ${f.lines} lines, peak ${mib(f.peakMiB)}`,
        ]),
      ];
    case 'allocator-stats':
      return [
        ['reports', String(i.blocks)],
        ['arena size', `${formatSize(i.arenaSize)} (pools of ${formatSize(i.poolSize)})`],
        ['arenas now', `${i.arenasCurrent} (highwater ${i.highwaterArenas})`],
        ['arena bytes', `${formatSize(i.arenaBytes)}, ${formatSize(i.bytesInAllocatedBlocks)} in allocated blocks`],
      ];
    case 'statistics-log':
      return [
        ['listings', String(i.listings)],
        ['statistics', String(i.statistics)],
      ];
  }
}

export function renderInfoText(i: CaptureInfo): string {
  const rows: [string, string][] = [
    ['file', i.file],
    ['kind', `${i.kind}${i.gzip ? ' (gzip)' : ''}`],
    ['bytes read', String(i.bytes)],
    ...kindRows(i),
  ];
  return table(rows);
}
