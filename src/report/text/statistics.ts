// What tracemalloc itself prints: str(Statistic), str(StatisticDiff) and Traceback.format(), line
// for line, and the `stats` and `diff` listings built from them (of logged listings, a change no finer
// than their printed figures). Frames come in the order of the Traceback of the CPython reproduced:
// oldest first from 3.7, most recent first in 3.6.

import type { DiffResult, Statistic, StatisticDiff, StatsResult } from '../../analysis/statistics.js';
import type { Frame } from '../../model/frames.js';
import { formatPrintedChange, formatSize } from '../format-size.js';
import { noSource, type SourceLookup } from '../linecache.js';

/** str(Traceback): its first frame (the oldest from CPython 3.7 on, the most recent in 3.6). */
export function tracebackLabel(frames: readonly Frame[]): string {
  const f = frames[0]!;
  return `${f.filename}:${f.lineno}`;
}

function sizeCount(size: number, count: number): string {
  return `size=${formatSize(size)}, count=${count}${average(size, count)}`;
}

/** A size's change as str(StatisticDiff) prints it; of printed sizes, no finer than they are known. */
function sizeCountDiff(size: number, sizeDiff: number, count: number, countDiff: number, printed = false): string {
  const cd = countDiff >= 0 ? `+${countDiff}` : String(countDiff);
  const change = printed ? formatPrintedChange(sizeDiff, size - sizeDiff, size) : formatSize(sizeDiff, true);
  return `size=${formatSize(size)} (${change}), count=${count} (${cd})${average(size, count)}`;
}

function average(size: number, count: number): string {
  return count ? `, average=${formatSize(size / count)}` : '';
}

/** str(Statistic) */
export function statisticLine(s: Statistic): string {
  return `${tracebackLabel(s.frames)}: ${sizeCount(s.size, s.count)}`;
}

/** str(StatisticDiff); `printed`: its sizes are a logged listing's, known as printed. */
export function statisticDiffLine(s: StatisticDiff, printed = false): string {
  return `${tracebackLabel(s.frames)}: ${sizeCountDiff(s.size, s.sizeDiff, s.count, s.countDiff, printed)}`;
}

/** Traceback.format(): the frames in order, each with its stripped source line when linecache finds one. */
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
  return `${out.join('\n')}\n`;
}

export function renderDiffText(r: DiffResult, source?: SourceLookup): string {
  const out: string[] = [];
  for (const s of r.stats) {
    out.push(statisticDiffLine(s, r.printedSizes));
    if (r.groupBy === 'traceback') out.push(...formatTraceback(s.frames, source));
  }
  const t = r.total;
  out.push(`Total: ${sizeCountDiff(t.size, t.sizeDiff, t.count, t.countDiff, r.printedSizes)}`);
  return `${out.join('\n')}\n`;
}
