import type { Frame, FrameTable } from './frames.js';
import { GroupBuilder, type Snapshot } from './snapshot.js';
import type { SourceInfo } from './source.js';

/**
 * A tracemalloc Statistic or StatisticDiff as printed in a log. Sizes were rounded by
 * tracemalloc's _format_size, so they are approximate (to 3 significant digits); counts are exact.
 */
export interface LoggedStatistic {
  /** The printed key frame, or the `File "…", line N` frames printed under it, put oldest first. */
  readonly frames: readonly Frame[];
  readonly size: number;
  readonly count: number;
  readonly sizeDiff: number | null;
  readonly countDiff: number | null;
  /** Line of the input. */
  readonly inputLine: number;
}

/** One uninterrupted listing of statistics (e.g. one "top 10" printed by a program). */
export interface LoggedListing {
  readonly inputLine: number;
  readonly stats: readonly LoggedStatistic[];
}

/** tracemalloc statistics recovered from text: what a user who only kept the log has. */
export interface StatisticsLog {
  readonly kind: 'statistics-log';
  readonly source: SourceInfo;
  readonly listings: readonly LoggedListing[];
  readonly warnings: readonly string[];
}

/**
 * One listing as a snapshot, so that every snapshot query reads it: each logged statistic becomes
 * one group of its blocks (domain 0, its frames as the traceback, the average size as printed).
 * It holds only what the log lists (a top N, sizes to 3 significant digits): the totals are those
 * of the listed statistics. Frames are interned into the given table, shared by a series.
 */
export function listingSnapshot(log: StatisticsLog, index: number, frames: FrameTable): Snapshot {
  const groups = new GroupBuilder();
  for (const s of log.listings[index]!.stats) {
    if (s.count <= 0) continue; // a compare_to line of a site that is gone holds no block
    // Logged frames are oldest first; a traceback is interned most recent first.
    const ids = s.frames.map((f) => frames.internFrame(f.filename, f.lineno)).reverse();
    groups.add(0, frames.internTraceback(ids), s.size / s.count, s.count);
  }
  return {
    kind: 'snapshot',
    source: log.source,
    frames,
    groups: groups.finish(),
    tracebackLimit: null,
    layout: null,
    traceCount: groups.traceCount,
    totalSize: groups.totalSize,
    time: null,
    partial: false,
    warnings: [],
  };
}
