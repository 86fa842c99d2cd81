// What a log of allocator reports says as a whole: reports of another process or CPython build appended
// to it (refused), and which report stands for the program when the log ends at exit or at a new arena.

import { buildChanges, endsAtNewArena, endsWithExitReport, type MallocStatsBlock } from '../model/allocator-stats.js';
import { InputError } from '../util/errors.js';

/**
 * Refuses reports of more than one process or build in one input; returns the warnings on the one
 * that stands for the program.
 */
export function seriesWarnings(label: string, blocks: readonly MallocStatsBlock[]): string[] {
  const warnings: string[] = [];
  // A process's first PYTHONMALLOCSTATS report is printed before its first arena: one with no arena
  // ever allocated after the first report starts another process (runs appended to one log, a child
  // that inherited the variable and the stderr). Their reports mixed, the last was another process's
  // (a parent with no fragmentation failed the gate on its child's exit report): refused.
  // The count of arenas ever allocated never falls in a process: one that does is another's (a forked
  // child starts from its parent's count; a program's own reports and its child's, 25, 2, 25, 2).
  // A process cannot change its arena or pool size, nor its size classes: reports that do are another
  // CPython build's (a 3.11 log with 1 MiB arenas, then a 3.8 one with 256 KiB arenas).
  const again = blocks.findIndex(
    (b, i) =>
      i > 0 &&
      (b.arenasAllocatedTotal === 0 ||
        b.arenasAllocatedTotal < blocks[i - 1]!.arenasAllocatedTotal ||
        buildChanges(b, blocks[i - 1]!).length > 0),
  );
  if (again > 0) {
    const [b, prev] = [blocks[again]!, blocks[again - 1]!];
    const changed = buildChanges(b, prev);
    if (changed.length) {
      throw new InputError(
        label,
        `line ${b.inputLine}`,
        `another CPython build's reports start here (${changed.join('; ')} as at line ${prev.inputLine}): a process ` +
          'cannot change them; logs appended? give each its own file',
      );
    }
    const why = b.arenasAllocatedTotal
      ? `arenas ever allocated fell from ${prev.arenasAllocatedTotal} to ${b.arenasAllocatedTotal}`
      : 'no arena allocated yet, as a log begins';
    throw new InputError(
      label,
      `line ${b.inputLine}`,
      `another process's (or subinterpreter's) reports start here (${why}): logs appended, or a child writing ` +
        'to the same stderr; give each its own file',
    );
  }
  const [before, exit] = [blocks[blocks.length - 2], blocks[blocks.length - 1]];
  if (before && exit && endsWithExitReport(blocks)) {
    // The report before it: the program's own call (its free lists), or one printed before a new
    // arena, when every arena was full: room freed after it does not show there.
    const which = before.freeLists.length
      ? "the program's own sys._debugmallocstats()"
      : 'printed before a new arena, when all were full: room freed later does not show';
    warnings.push(
      `${label}: a PYTHONMALLOCSTATS log: its last report (line ${exit.inputLine}) is printed at exit, after ` +
        `the shutdown; the one at line ${before.inputLine} stands for the program (${which})`,
    );
  }
  if (endsAtNewArena(blocks)) {
    const last = blocks[blocks.length - 1]!;
    warnings.push(
      `${label}: a PYTHONMALLOCSTATS log without the report CPython prints at exit (the process died first: ` +
        `3.12.1 crashes there, or it was killed): its last report (line ${last.inputLine}) stands for the program, ` +
        'printed before a new arena, when all were full: room freed later does not show',
    );
  }
  return warnings;
}
