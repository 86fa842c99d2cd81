import type { SourceInfo } from './source.js';

/** One row of a memory_profiler line-by-line report. Lines that were not executed have nulls. */
export interface ReportLine {
  readonly lineno: number;
  readonly memMiB: number | null;
  readonly incrementMiB: number | null;
  /** null in reports of memory_profiler 0.57 and older, which had no Occurrences column. */
  readonly occurrences: number | null;
  readonly source: string;
}

/** The report of one decorated function. */
export interface ReportBlock {
  readonly filename: string;
  /** Decimals printed (1 for `@profile` imported from memory_profiler, 3 for `python -m memory_profiler`). */
  readonly precision: number;
  /** Line of the input where the block's `Filename:` line is. */
  readonly inputLine: number;
  readonly lines: readonly ReportLine[];
}

export interface LineReport {
  readonly kind: 'line-report';
  readonly source: SourceInfo;
  readonly blocks: readonly ReportBlock[];
  readonly warnings: readonly string[];
}
