// The HTML report's sections drawn from tracemalloc captures: totals and arenas per capture, top
// sites, leak suspects, the diff against a baseline, the allocation tree and pymalloc fragmentation.

import { type SiteTrend, verdictGrowth } from '../../analysis/leaks.js';
import { MADE_AFTER } from '../../analysis/pymalloc/compare.js';
import { type DiffRow, finalCaptureName, type SnapshotSection } from '../../analysis/report-data.js';
import { leastChange } from '../../analysis/statistics.js';
import { esc } from '../escape.js';
import { formatPrintedChange, formatSize, growthLabel } from '../format-size.js';
import type { SourceLookup } from '../linecache.js';
import { renderMallocStats } from '../text/mallocstats.js';
import { emptyPools } from '../text/replay.js';
import { notListedPhrase, unlistedChange } from '../text/statistics.js';
import { arenasChart, leaksCharts, occupancyChart, topSitesChart, totalsChart } from './charts.js';
import { flameChart } from './flame.js';
import { type Section, section, sortable, table, traceback, where } from './markup.js';

/** Totals and arenas per capture; a single capture has no line to draw (the summary says what would). */
export function capturesSection(s: SnapshotSection): Section | null {
  if (s.totals.length < 2) return null;
  return section('captures', 'Captures', [totalsChart(s), s.replay && arenasChart(s.replay)]);
}

export function topSitesSection(s: SnapshotSection): Section {
  const rows = s.topSites.map((st) => [
    traceback(st.frames[0]!, st.traceback),
    sortable(st.size, formatSize(st.size)),
    sortable(st.count),
  ]);
  const internal = s.topSites.map((st) => st.internal === true);
  return section('sites', 'Top allocation sites', [
    topSitesChart(s),
    table('sites-table', ['site', 'size', 'blocks'], rows, { filter: true, internal }),
  ]);
}

const LEAK_HEADERS = ['site', 'verdict', 'growth', 'confidence', 'bytes per capture', 'next step'];

function leakRow(x: SiteTrend): string[] {
  return [
    traceback(x, x.traceback),
    esc(x.verdict),
    sortable(verdictGrowth(x), growthLabel(x)),
    sortable(x.confidence, x.confidence.toFixed(2)),
    esc(x.bytesPerCapture.map((b) => formatSize(b)).join(', ')),
    esc(x.next),
  ];
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Sites judged leaks, with their growth per capture and the next step for each; the sites still
 * growing but slowing (maybe a cache still filling); and the plateaus that are not leaks.
 */
export function leaksSection(s: SnapshotSection): Section | null {
  if (!s.leaks) return null;
  const leaks = s.leaks.sites.filter((x) => x.verdict === 'leak');
  const slowing = s.leaks.sites.filter((x) => x.verdict === 'slowing');
  const uneven = s.leaks.sites.filter((x) => x.verdict === 'uneven');
  const plateaus = s.leaks.sites.filter((x) => x.verdict === 'plateau');
  const counted = `${s.leaks.captures} captures, growth of ${formatSize(s.leaks.minGrowth)} or more counted`;
  const found =
    `${plural(leaks.length, 'leak')}, ${slowing.length} slowing, ` +
    `${uneven.length ? `${uneven.length} uneven, ` : ''}${plural(plateaus.length, 'plateau')}`;
  return section('leaks', 'Leak suspects', [
    `<p>${esc(`${counted}; ${found}.`)}</p>`,
    s.leaks.leftOut ? `<p>${esc(`The ${s.leaks.leftOut.replace(/^the /, '')}.`)}</p>` : null,
    leaks.length ? leaksCharts(leaks, s.labels) : null,
    '<h3>Leaks</h3>',
    table('leaks-table', LEAK_HEADERS, leaks.map(leakRow)),
    ...(slowing.length
      ? [
          '<h3>Growing, slowing (each step smaller: may be a bounded cache still filling)</h3>',
          table('slowing-table', LEAK_HEADERS, slowing.map(leakRow)),
        ]
      : []),
    ...(uneven.length
      ? [
          '<h3>Still growing, with ups and downs (uneven: no leak shown beyond chance, no stop either)</h3>',
          table('uneven-table', LEAK_HEADERS, uneven.map(leakRow)),
        ]
      : []),
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
  const printed = s.diff.printedSizes === true;
  const rows = s.diff.stats.map((x) => diffRow(x, printed));
  const internal = s.diff.stats.map((x) => x.internal === true);
  return section('diff', `What changed: ${s.diff.from} → ${s.diff.to}`, [
    table('diff-table', ['site', 'size', 'change', 'blocks change'], rows, { filter: true, internal }),
  ]);
}

/** A row of the diff; `printed`: of logged listings, a change no finer than the figures it is between. */
function diffRow(x: DiffRow, printed: boolean): string[] {
  if (!x.notListed) {
    const change = printed
      ? formatPrintedChange(x.sizeDiff, x.size - x.sizeDiff, x.size)
      : formatSize(x.sizeDiff, true);
    return [
      where(x.frames[0]!),
      sortable(x.size, formatSize(x.size)),
      sortable(x.sizeDiff, change),
      sortable(x.countDiff, `${x.countDiff >= 0 ? '+' : ''}${x.countDiff}`),
    ];
  }
  // A site one of two logged listings leaves out: what they say of it, never a size of 0 or a change from 0.
  const bound = x.notListed.sizeAtMost;
  const size =
    x.size !== null
      ? sortable(x.size, formatSize(x.size))
      : sortable(bound ?? 0, `${bound === null ? '?' : `≤${formatSize(bound)}`} (was ${formatSize(x.olderSize!)})`);
  return [
    `${where(x.frames[0]!)} <span class="unlisted">(${esc(notListedPhrase(x.notListed))})</span>`,
    size,
    // Ordered by the change it is known to have at least (0 when it may have none).
    sortable(leastChange(x), unlistedChange(x) ?? '?'),
    sortable(0, x.count === null ? `? (was ${x.olderCount})` : `? (now ${x.count})`),
  ];
}

/** The allocation tree as a flame graph, with each frame's source line where `source` finds it. */
export function treeSection(s: SnapshotSection, source?: SourceLookup): Section {
  return section('tree', 'Allocation tree', [flameChart(s.tree, source, finalCaptureName(s))]);
}

/**
 * The fragmentation verdict in words, its evidence (the real report's excess arenas when there is
 * one, the model's pinned arenas best and worst case) and its next step: the section and the summary say the same.
 */
export function fragmentationVerdict(r: NonNullable<SnapshotSection['replay']>): {
  verdict: string;
  evidence: string;
  next: string;
} {
  const f = r.fragmentation;
  const real =
    f.excessArenas === null
      ? ''
      : `Real report: ${f.excessArenas} arenas (${formatSize(f.releasableBytes ?? 0)}) held beyond what the live ` +
        'blocks need packed. ';
  return {
    verdict: `${r.fragmented.verdict} (${r.fragmented.reason})`,
    evidence:
      `${real}Model of CPython ${r.python}, pinned arenas and what moving their blocks would give back: ` +
      `compact order ${f.pinnedArenasBestCase} ` +
      `(${formatSize(f.releasableBytesBestCase)}), scattered order ${f.pinnedArenasWorstCase} ` +
      `(${formatSize(f.releasableBytesWorstCase)}); ` +
      `empty pools ${emptyPools(f)}.`,
    next: r.fragmented.next,
  };
}

/**
 * The pymalloc replay: the verdict and its next step, the figures labelled with their evidence
 * (real report, or the model's best/worst case), arena occupancy, the sites that pin arenas.
 */
export function fragmentationSection(s: SnapshotSection): Section | null {
  const r = s.replay;
  if (!r) return null;
  const f = r.fragmentation;
  const { verdict: v, evidence, next } = fragmentationVerdict(r);
  const verdict = `Fragmented: ${v}. Next: ${next}. ${evidence}`;
  const pinning = f.pinningSites.map((p) => [
    where(p) + (p.madeAfterFrees ? ` <span class="note">(${esc(MADE_AFTER)})</span>` : ''),
    sortable(p.arenas),
    sortable(p.blocks),
  ]);
  const sites = pinning.length
    ? `<p>Ranked by ${esc(f.pinningSitesBasis)}.</p>${table('pinning-table', ['site', 'pinned arenas', 'blocks'], pinning)}`
    : `<p>${esc(f.pinningSitesBasis)}.</p>`;
  return section('fragmentation', 'Fragmentation', [
    `<p>${esc(verdict)}</p>`,
    ...(r.allocatorNotes ?? []).map((n) => `<p class="note">Note: ${esc(n)}</p>`),
    ...r.assumptions.map((a) => `<p>Assumed: ${esc(a)}.</p>`),
    occupancyChart(r),
    `<h3>Sites whose blocks pin arenas</h3>${sites}`,
    '<h3>Size classes (model, scattered order, as sys._debugmallocstats() prints them)</h3>',
    `<pre>${esc(renderMallocStats(r.stats))}</pre>`,
  ]);
}
