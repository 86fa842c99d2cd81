// What the text and Markdown reports say of allocator reports no replay pairs with a snapshot (given
// alone, or beside listings): each one's measure, as the gate judges it (they said only "fragmented:
// yes", where the page shows the figures).

import { AT_NEW_ARENA } from '../analysis/pymalloc/compare.js';
import type { ReportData } from '../analysis/report-data.js';
import { printfFixed } from '../util/printf.js';

/** One line per allocator report measured apart: its file, share and arenas (or why not); none after a replay. */
export function allocatorAloneLines(d: ReportData): { file: string; text: string }[] {
  if (d.snapshots?.replay) return [];
  return d.allocatorStats.flatMap((a) => {
    const m = a.fragmentation;
    // As the gate says of it: no complete report (its rows elided with '...', or some missing).
    if (!m)
      return [
        {
          file: a.file,
          text: 'fragmentation not measured: its size-class table is incomplete, so the arenas its blocks in use need packed cannot be counted',
        },
      ];
    const text =
      `fragmentation ${printfFixed(m.share * 100, 1)}%: ${m.spareArenas} of ${m.heldArenas} arenas spare, ` +
      `${m.neededArenas} needed by the blocks in use packed (${m.basis}${a.label ? `, at ${a.label}` : ''})` +
      // Such a report can show fragmentation but never its absence (the summary says "unknown").
      (m.atNewArena ? `; ${AT_NEW_ARENA.reason}` : '');
    return [{ file: a.file, text }];
  });
}
