// `arenascope replay` as text: the model's range per capture next to the real allocator's figures,
// then the verdict and the fragmentation figures, each labelled with the evidence it comes from.
// Paths, list lengths and the table's width follow the layout (short paths, --limit, the terminal).

import { type FragmentationEvidence, MADE_AFTER, type ReplayReport } from '../../analysis/pymalloc/compare.js';
import type { ReportsAlone } from '../../analysis/pymalloc/reports-alone.js';
import { printfFixed } from '../../util/printf.js';
import { formatSize } from '../format-size.js';
import { alignTable, capped, FULL_LAYOUT, type TextLayout, wrapLines } from './layout.js';
import { renderMallocStats } from './mallocstats.js';

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const range = (a: number | string, b: number | string): string => (a === b ? String(a) : `${a} .. ${b}`);

/**
 * Empty pools of each order, named: the compact order frees packed blocks, which empties whole pools,
 * so it can hold more of them than the scattered one ("1056 KiB .. 32.0 KiB" read as a range).
 */
export function emptyPools(f: FragmentationEvidence): string {
  const [compact, scattered] = [formatSize(f.emptyPoolBytesBestCase), formatSize(f.emptyPoolBytesWorstCase)];
  return compact === scattered ? compact : `compact ${compact}, scattered ${scattered}`;
}

/** The replay of a series through the pymalloc model, with the real figures when known. */
export function renderReplayText(r: ReplayReport, mallocstats: boolean, layout: TextLayout = FULL_LAYOUT): string {
  const geometry = `${formatSize(r.arenaSize)} arenas, ${formatSize(r.poolSize)} pools`;
  const captures = `${r.captures.length} capture${r.captures.length > 1 ? 's' : ''}`;
  const out = [
    `pymalloc model of CPython ${r.python} (${geometry}), ${captures}.`,
    'Figures are ranges: compact (model, best case) .. scattered (model, worst case):',
    'which blocks a program frees, and what it made and freed between captures, is not in its snapshots.',
    "'real': sys._debugmallocstats() at the capture; 'pinned': arenas whose live blocks use under a quarter.",
    '',
  ];
  // Short headers keep the table within a terminal; the lines above say what the model columns hold.
  const rows: string[][] = [['capture', 'arenas', 'real', 'since first', 'real', 'utilization', 'real', 'pinned']];
  for (const c of r.captures) {
    rows.push([
      layout.path(c.label),
      range(c.compact.arenas, c.scattered.arenas),
      c.real ? String(c.real.arenas) : '-',
      range(c.arenasSinceFirst.compact, c.arenasSinceFirst.scattered),
      c.arenasSinceFirst.real === null ? '-' : String(c.arenasSinceFirst.real),
      range(pct(c.compact.utilization), pct(c.scattered.utilization)),
      c.real ? pct(c.real.utilization) : '-',
      range(c.compact.pinnedArenas, c.scattered.pinnedArenas),
    ]);
  }
  out.push(...alignTable(rows, layout.columns));
  // The capture the verdict is of (see ReplayReport.judged): its evidence, occupancy and tables.
  const last = r.captures[r.judged];
  out.push('', ...r.assumptions.map((a) => `Assumed: ${a}.`));
  if (r.untracedBlocks) {
    out.push(
      `The model starts from the first real report: ${r.untracedBlocks} blocks allocated before tracing started.`,
    );
  }
  out.push(`Fragmented: ${r.fragmented.verdict} (${r.fragmented.reason}). Next: ${r.fragmented.next}.`);
  if (last) {
    const f = r.fragmentation;
    const m = f.measure;
    if (f.excessArenas !== null && m?.basis === 'real') {
      out.push(
        `Real report, ${last.label}: ${m.heldArenas} arenas held, ${m.neededArenas} needed by its blocks in use ` +
          `packed: ${f.excessArenas} arena${f.excessArenas === 1 ? '' : 's'} (${formatSize(f.releasableBytes ?? 0)}) ` +
          'would go back to the system ' +
          `if they were packed (fragmentation ${printfFixed(m.share * 100, 1)}%).`,
      );
    }
    out.push(
      [
        // By order, not best and worst: the compact order's last arena, still filling, can be the
        // only one under a quarter full.
        'Model, pinned arenas (live blocks use under a quarter of them) and what moving their blocks would give back:',
        `compact order ${f.pinnedArenasBestCase} (${formatSize(f.releasableBytesBestCase)}),`,
        `scattered order ${f.pinnedArenasWorstCase} (${formatSize(f.releasableBytesWorstCase)});`,
        `empty pools ${emptyPools(f)}.`,
      ].join(' '),
      `Arena occupancy (0-10% .. 90-100%): compact ${last.compact.occupancy.join(' ')}, ` +
        `scattered ${last.scattered.occupancy.join(' ')}`,
    );
    if (f.pinningSites.length) {
      out.push(`Sites whose blocks pin arenas, ranked by ${f.pinningSitesBasis}:`);
      const { shown, more } = capped(f.pinningSites, layout.limit, '  ');
      for (const p of shown)
        out.push(
          `  ${layout.path(p.filename)}:${p.lineno}  ${p.blocks} block${p.blocks === 1 ? '' : 's'} in ${p.arenas} pinned arena${p.arenas === 1 ? '' : 's'}` +
            (p.madeAfterFrees ? ` (${MADE_AFTER})` : ''),
        );
      out.push(...more);
    } else out.push(`Sites whose blocks pin arenas: ${f.pinningSitesBasis}.`);
    if (mallocstats) {
      // The allocator's own layout is kept as it is (wrapping would break its columns).
      out.splice(0, out.length, ...wrapLines(out, layout.columns));
      out.push(
        '',
        '--- model, compact order ---',
        renderMallocStats(last.compact.stats).trimEnd(),
        '',
        '--- model, scattered order ---',
        renderMallocStats(last.scattered.stats).trimEnd(),
      );
      if (last.real) out.push('', '--- real (sys._debugmallocstats) ---', renderMallocStats(last.real.stats).trimEnd());
    }
  }
  return `${(mallocstats ? out : wrapLines(out, layout.columns)).join('\n')}\n`;
}

/** Allocator reports given without snapshots: each report's own measure, and the verdict on the one judged. */
export function renderReportsAloneText(r: ReportsAlone, layout: TextLayout = FULL_LAYOUT): string {
  const rows: string[][] = [['report', 'line', 'arenas', 'needed packed', 'spare', 'fragmentation']];
  for (const x of r.reports) {
    const m = x.measure;
    rows.push([
      layout.path(x.file),
      String(x.line),
      String(x.arenas),
      m ? String(m.neededArenas) : '-',
      m ? String(m.spareArenas) : '-',
      m ? `${printfFixed(m.share * 100, 1)}%` : '-',
    ]);
  }
  const out = [
    "Allocator reports alone: no snapshots to replay; CPython's own figures, each report's arenas against",
    'what its size-class table needs packed.',
    '',
    ...alignTable(rows, layout.columns),
    '',
    `Fragmented: ${r.fragmented.verdict} (${r.fragmented.reason}). Next: ${r.fragmented.next}.`,
  ];
  const j = r.judged;
  if (j?.measure) {
    const m = j.measure;
    out.push(
      `Real report alone, ${j.file} (line ${j.line}): ${m.heldArenas} arenas held, ${m.neededArenas} needed by its ` +
        `blocks in use packed: ${m.spareArenas} arena${m.spareArenas === 1 ? '' : 's'} ` +
        `(${formatSize(m.spareArenas * j.arenaSize)}) would go back to the system if they were packed ` +
        `(fragmentation ${printfFixed(m.share * 100, 1)}%).`,
    );
  }
  return `${wrapLines(out, layout.columns).join('\n')}\n`;
}
