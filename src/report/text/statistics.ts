// What tracemalloc itself prints: str(Statistic), str(StatisticDiff) and Traceback.format(), line
// for line, and the `stats` and `diff` listings built from them (of logged listings, a change no finer
// than their printed figures, and what is known of a site one of them leaves out). Frames come in the
// order of the Traceback of the CPython reproduced: oldest first from 3.7, most recent first in 3.6.

import type {
  DiffEntry,
  DiffResult,
  NotListed,
  Statistic,
  StatisticDiff,
  StatsResult,
  UnlistedDiff,
} from '../../analysis/statistics.js';
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

/**
 * A site one of two logged listings leaves out: its size there no more than the listing says (at most
 * its smallest entry, or unknown), its change within what that allows, never a change from 0.
 */
export function unlistedDiffLine(d: UnlistedDiff): string {
  const bound = d.notListed.sizeAtMost;
  const where = notListedPhrase(d.notListed);
  const change = unlistedChange(d);
  if (d.size === null) {
    const older = formatSize(d.olderSize!);
    const size = change === null ? `size=? (was ${older})` : `size≤${formatSize(bound!)} (${change})`;
    const was = change === null ? '' : `, was ${older}`;
    return `${tracebackLabel(d.frames)}: ${size}, count=? (was ${d.olderCount}): ${where}${was}`;
  }
  const size = `size=${formatSize(d.size)} (${change ?? 'was ?'})`;
  const was = change === null ? '' : `, was ≤${formatSize(bound!)}`;
  return `${tracebackLabel(d.frames)}: ${size}, count=${d.count} (was ?)${average(d.size, d.count!)}: ${where}${was}`;
}

/** Which listing leaves a site out: "not in the newer listing's top 5". */
export function notListedPhrase(n: NotListed): string {
  return `not in the ${n.in} listing${n.sites === null ? ' (a top N)' : `'s top ${n.sites}`}`;
}

/**
 * The change of a site a listing leaves out, between its bounds ('-9057 B to +10.6 KiB'), each no finer
 * than the figures it is between; null when the listing bounds no size (the change is not known).
 */
export function unlistedChange(d: UnlistedDiff): string | null {
  const bound = d.notListed.sizeAtMost;
  if (bound === null || d.sizeDiffAtLeast === null || d.sizeDiffAtMost === null) return null;
  const [older, newer] = d.size === null ? [d.olderSize!, bound] : [bound, d.size];
  const [lo, hi] = [d.sizeDiffAtLeast, d.sizeDiffAtMost].map((c) => formatPrintedChange(c, older, newer));
  // Bounds no further apart than the figures' last digit print alike: known as printed, like a change.
  return lo === hi ? lo! : `${lo} to ${hi}`;
}

/** A line of a diff: str(StatisticDiff), or what is known of a site a logged listing leaves out. */
export function diffEntryLine(d: DiffEntry, printed = false): string {
  return d.notListed ? unlistedDiffLine(d) : statisticDiffLine(d, printed);
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
    out.push(diffEntryLine(s, r.printedSizes));
    if (r.groupBy === 'traceback') out.push(...formatTraceback(s.frames, source));
  }
  const t = r.total;
  // Of two logged listings, each top N's own sum: sites that entered or left it are in one sum only.
  const total = r.printedSizes ? 'Total of the sites each listing shows' : 'Total';
  out.push(`${total}: ${sizeCountDiff(t.size, t.sizeDiff, t.count, t.countDiff, r.printedSizes)}`);
  return `${out.join('\n')}\n`;
}
