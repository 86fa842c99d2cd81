// What a memory_profiler line-by-line report says about memory that stays: the lines that added
// the most, and the decorated functions that returned holding more than they started with.

import type { LineReport } from '../model/line-report.js';

export interface LineIncrement {
  readonly filename: string;
  readonly lineno: number;
  readonly incrementMiB: number;
  readonly memMiB: number;
  readonly occurrences: number | null;
  readonly source: string;
}

export interface RetainingFunction {
  readonly filename: string;
  /** The first line of the block (the decorator or def line). */
  readonly lineno: number;
  /** Memory when the function was called: the first row's. */
  readonly entryMiB: number;
  /** Memory at its last measured line. */
  readonly exitMiB: number;
  readonly retainedMiB: number;
  /** What to do next: where to look, and the capture that would name the holder. */
  readonly next: string;
}

/**
 * The next step for a function that returned holding more than at its call. A line report
 * measures the process (RSS), not who holds the memory, and RSS also stays up when the allocator
 * keeps freed memory; tracemalloc snapshots taken across calls tell the two apart and name the site.
 */
export function retainingNextStep(filename: string, lineno: number): string {
  // A report without a `Filename:` line has no file name to give.
  const where = filename ? `${filename}:${lineno}` : `the function at line ${lineno}`;
  return (
    `open ${where} and find what its largest increments create that outlives the call; ` +
    'to name the holder (or see that the allocator only kept the memory), take 3 or more tracemalloc ' +
    'snapshots across calls and run arenascope leaks on them'
  );
}

export interface LineReportFindings {
  readonly topIncrements: readonly LineIncrement[];
  readonly retainingFunctions: readonly RetainingFunction[];
}

export function lineReportFindings(
  r: LineReport,
  opts: { top?: number; minRetainedMiB?: number } = {},
): LineReportFindings {
  const lines: LineIncrement[] = [];
  const retaining: RetainingFunction[] = [];
  for (const b of r.blocks) {
    const measured = b.lines.filter((l) => l.memMiB !== null && l.incrementMiB !== null);
    // The first row's increment is the whole baseline at the call, not a line's own doing.
    for (const l of measured.slice(1)) {
      lines.push({
        filename: b.filename,
        lineno: l.lineno,
        incrementMiB: l.incrementMiB!,
        memMiB: l.memMiB!,
        occurrences: l.occurrences,
        source: l.source,
      });
    }
    if (measured.length >= 2) {
      const entry = measured[0]!.memMiB!;
      const exit = measured[measured.length - 1]!.memMiB!;
      if (exit - entry >= (opts.minRetainedMiB ?? 0.5)) {
        retaining.push({
          filename: b.filename,
          lineno: b.lines[0]!.lineno,
          entryMiB: entry,
          exitMiB: exit,
          retainedMiB: exit - entry,
          next: retainingNextStep(b.filename, b.lines[0]!.lineno),
        });
      }
    }
  }
  lines.sort((a, b) => b.incrementMiB - a.incrementMiB);
  return {
    topIncrements: lines.slice(0, opts.top ?? 10),
    retainingFunctions: retaining.sort((a, b) => b.retainedMiB - a.retainedMiB),
  };
}
