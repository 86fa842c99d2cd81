// `arenascope replay` as text: the model's range per capture next to the real allocator's figures.

import type { ReplayReport } from '../../analysis/pymalloc/compare.js';
import { formatSize } from '../format-size.js';
import { renderMallocStats } from './mallocstats.js';

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const range = (a: number | string, b: number | string): string => (a === b ? String(a) : `${a} .. ${b}`);

/** The replay of a series through the pymalloc model, with the real figures when known. */
export function renderReplayText(r: ReplayReport, mallocstats: boolean): string {
  const geometry = `${formatSize(r.arenaSize)} arenas, ${formatSize(r.poolSize)} pools`;
  const captures = `${r.captures.length} capture${r.captures.length > 1 ? 's' : ''}`;
  const out = [
    `pymalloc model of CPython ${r.python} (${geometry}), ${captures}.`,
    'Figures are ranges: compact .. scattered (which blocks a program frees is not in its snapshots).',
    '',
  ];
  const rows: string[][] = [
    [
      'capture',
      'arenas (model)',
      'real',
      'since first (model)',
      'real',
      'utilization (model)',
      'real',
      'pinned arenas',
    ],
  ];
  for (const c of r.captures) {
    rows.push([
      c.label,
      range(c.compact.arenas, c.scattered.arenas),
      c.real ? String(c.real.arenas) : '-',
      range(c.arenasSinceFirst.compact, c.arenasSinceFirst.scattered),
      c.arenasSinceFirst.real === null ? '-' : String(c.arenasSinceFirst.real),
      range(pct(c.compact.utilization), pct(c.scattered.utilization)),
      c.real ? pct(c.real.utilization) : '-',
      range(c.compact.pinnedArenas, c.scattered.pinnedArenas),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  out.push(...rows.map((r) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')));
  const last = r.captures[r.captures.length - 1];
  out.push('', `Fragmented: ${r.fragmented.verdict} (${r.fragmented.reason}).`);
  if (last) {
    const s = last.scattered;
    const pinnedBlocks = s.pinningSites.reduce((n, p) => n + p.blocks, 0);
    const compactOccupancy = last.compact.occupancy.join(' ');
    out.push(
      [
        `Last capture, scattered order: ${s.pinnedArenas} pinned arenas (live blocks use under a quarter of them);`,
        `${formatSize(s.releasableBytes)} would go back to the system if their ${pinnedBlocks} blocks moved;`,
        `${formatSize(s.emptyPoolBytes)} in empty pools; ${s.partlyUsedPools} pools partly used.`,
      ].join(' '),
      `Arena occupancy (0-10% .. 90-100%): compact ${compactOccupancy}, scattered ${s.occupancy.join(' ')}`,
    );
    if (s.pinningSites.length) {
      out.push('Sites whose blocks pin arenas (scattered order):');
      for (const p of s.pinningSites.slice(0, 10))
        out.push(`  ${p.filename}:${p.lineno}  ${p.blocks} blocks in ${p.arenas} pinned arenas`);
    }
    if (mallocstats) {
      out.push(
        '',
        '--- model, compact order ---',
        renderMallocStats(last.compact.stats).trimEnd(),
        '',
        '--- model, scattered order ---',
        renderMallocStats(s.stats).trimEnd(),
      );
      if (last.real) out.push('', '--- real (sys._debugmallocstats) ---', renderMallocStats(last.real.stats).trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}
