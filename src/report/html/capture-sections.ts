// The HTML report's sections drawn from tracemalloc captures: totals and arenas per capture, top
// sites, leak suspects, the diff against a baseline, the allocation tree and pymalloc fragmentation.

import type { SiteTrend } from '../../analysis/leaks.js';
import type { SnapshotSection } from '../../analysis/report-data.js';
import { esc } from '../escape.js';
import { formatSize } from '../format-size.js';
import { renderMallocStats } from '../text/mallocstats.js';
import { arenasChart, icicleChart, leaksChart, occupancyChart, topSitesChart, totalsChart } from './charts.js';
import { type Section, section, sortable, table, traceback, where } from './markup.js';

export function capturesSection(s: SnapshotSection): Section {
  return section('captures', 'Captures', [totalsChart(s), s.replay && arenasChart(s.replay)]);
}

export function topSitesSection(s: SnapshotSection): Section {
  const rows = s.topSites.map((st) => [
    traceback(st.frames[0]!, st.traceback),
    sortable(st.size, formatSize(st.size)),
    sortable(st.count),
  ]);
  return section('sites', 'Top allocation sites', [
    topSitesChart(s),
    table('sites-table', ['site', 'size', 'blocks'], rows, { filter: true }),
  ]);
}

const LEAK_HEADERS = ['site', 'verdict', 'growth', 'confidence', 'bytes per capture'];

function leakRow(x: SiteTrend): string[] {
  return [
    traceback(x, x.traceback),
    esc(x.verdict),
    sortable(x.growthBytes, formatSize(x.growthBytes, true)),
    sortable(x.confidence, x.confidence.toFixed(2)),
    esc(x.bytesPerCapture.map((b) => formatSize(b)).join(', ')),
  ];
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Sites judged leaks, with their growth per capture, and the plateaus that are not leaks. */
export function leaksSection(s: SnapshotSection): Section | null {
  if (!s.leaks) return null;
  const leaks = s.leaks.sites.filter((x) => x.verdict === 'leak');
  const plateaus = s.leaks.sites.filter((x) => x.verdict === 'plateau');
  const counted = `${s.leaks.captures} captures, growth of ${formatSize(s.leaks.minGrowth)} or more counted`;
  return section('leaks', 'Leak suspects', [
    `<p>${esc(`${counted}; ${plural(leaks.length, 'leak')}, ${plural(plateaus.length, 'plateau')}.`)}</p>`,
    leaks.length ? leaksChart(leaks, s.labels) : null,
    '<h3>Leaks</h3>',
    table('leaks-table', LEAK_HEADERS, leaks.map(leakRow)),
    ...(plateaus.length
      ? [
          '<h3>Plateaus (grew, then stopped: not leaks)</h3>',
          table('plateaus-table', LEAK_HEADERS, plateaus.map(leakRow)),
        ]
      : []),
  ]);
}

/** What changed between the baseline capture and the last one. */
export function diffSection(s: SnapshotSection): Section | null {
  if (!s.diff) return null;
  const rows = s.diff.stats.map((x) => [
    where(x.frames[0]!),
    sortable(x.size, formatSize(x.size)),
    sortable(x.sizeDiff, formatSize(x.sizeDiff, true)),
    sortable(x.countDiff, `${x.countDiff >= 0 ? '+' : ''}${x.countDiff}`),
  ]);
  return section('diff', `What changed: ${s.diff.from} → ${s.diff.to}`, [
    table('diff-table', ['site', 'size', 'change', 'blocks change'], rows, { filter: true }),
  ]);
}

export function treeSection(s: SnapshotSection): Section {
  return section('tree', 'Allocation tree', [icicleChart(s)]);
}

/** The pymalloc replay: arena occupancy, the sites that pin arenas, the model's size classes. */
export function fragmentationSection(s: SnapshotSection): Section | null {
  const r = s.replay;
  if (!r) return null;
  const verdict =
    `Fragmented: ${r.fragmented.verdict} (${r.fragmented.reason}). ${formatSize(r.releasableBytes)} would go back ` +
    `to the system if the blocks in pinned arenas moved; ${formatSize(r.emptyPoolBytes)} in empty pools.`;
  const pinning = r.pinningSites.map((p) => [where(p), sortable(p.arenas), sortable(p.blocks)]);
  return section('fragmentation', 'Fragmentation', [
    `<p>${esc(verdict)}</p>`,
    occupancyChart(r),
    `<h3>Sites whose blocks pin arenas</h3>${table('pinning-table', ['site', 'pinned arenas', 'blocks'], pinning)}`,
    '<h3>Size classes (model, scattered order, as sys._debugmallocstats() prints them)</h3>',
    `<pre>${esc(renderMallocStats(r.stats))}</pre>`,
  ]);
}
