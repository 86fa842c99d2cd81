import type { Frame } from './frames.js';
import type { SourceInfo } from './source.js';

/**
 * A tracemalloc Statistic or StatisticDiff as printed in a log. Sizes were rounded by
 * tracemalloc's _format_size, so they are approximate (to 3 significant digits); counts are exact.
 */
export interface LoggedStatistic {
  /** The printed key frame, then any `File "…", line N` frames printed under it, oldest first. */
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
