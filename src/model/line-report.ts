import type { SourceInfo } from './source.js';

/** One row of a memory_profiler line-by-line report. Lines that were not executed have nulls. */
export interface ReportLine {
  readonly lineno: number;
  readonly memMiB: number | null;
  /** null also in reports of memory_profiler 0.2-0.9, which had no Increment column. */
  readonly incrementMiB: number | null;
  /** null in reports of memory_profiler 0.57 and older, which had no Occurrences column. */
  readonly occurrences: number | null;
  readonly source: string;
}

/** The report of one decorated function. */
export interface ReportBlock {
  /** '' when the report has no `Filename:` line (releases before 0.15, pasted tables). */
  readonly filename: string;
  /** Decimals printed (1 for `@profile` imported from memory_profiler, 3 for `python -m memory_profiler`). */
  readonly precision: number;
  /**
   * Line of the input where the block's `Filename:` line is; without one, its header line, or its first
   * row when it shares a header with the function before it (releases before 0.15).
   */
  readonly inputLine: number;
  readonly lines: readonly ReportLine[];
  /** The memory_profiler releases that print this layout, e.g. 'memory_profiler 0.59+'. */
  readonly writtenBy?: string;
  /** The unit printed: 'MB' up to memory_profiler 0.27, whose figures were MiB all the same. */
  readonly unit?: 'MiB' | 'MB';
  /** A line before its first row looked like a row but could not be read: its first rows may be missing. */
  readonly firstRowUnread?: boolean;
  /** Its rows end at a line that looked like a row but could not be read, or were cut off there. */
  readonly lastRowUnread?: boolean;
  /**
   * Its line numbers jump: rows are missing (memory_profiler's LogFile with reportIncrementFlag logs
   * only the rows that grew), the last ones maybe too.
   */
  readonly rowsMissing?: boolean;
  /**
   * Its rows may stop before its function's end: the input ends at a row (or another report, or a
   * traceback, follows one) without the blank lines memory_profiler writes after a report.
   */
  readonly rowsCut?: boolean;
}

export interface LineReport {
  readonly kind: 'line-report';
  readonly source: SourceInfo;
  readonly blocks: readonly ReportBlock[];
  readonly warnings: readonly string[];
}

/** How outputs name a function's report: its file, or that the report had no `Filename:` line. */
export function reportFileName(filename: string): string {
  return filename || '(no Filename: line)';
}
