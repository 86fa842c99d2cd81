// Plain-text rendering, line for line what tracemalloc's str() and Traceback.format() print.

import type { CaptureInfo, SnapshotInfo } from '../analysis/info.js';
import type { LeakResult, LineReportLeaks, MemoryLeaks, SnapshotLeaks } from '../analysis/leak-results.js';
import type { SiteTrend } from '../analysis/leaks.js';
import type { ReplayReport } from '../analysis/pymalloc/compare.js';
import type { ReportData } from '../analysis/report-data.js';
import type { DiffResult, Statistic, StatisticDiff, StatsResult } from '../analysis/statistics.js';
import type { MallocStatsBlock } from '../model/allocator-stats.js';
import type { Frame } from '../model/frames.js';
import { formatSize, printfFixed } from './format-size.js';
import { noSource, type SourceLookup } from './linecache.js';

/** str(Traceback): its oldest frame. */
export function tracebackLabel(frames: readonly Frame[]): string {
  const f = frames[0]!;
  return `${f.filename}:${f.lineno}`;
}

function sizeCount(size: number, count: number): string {
  return `size=${formatSize(size)}, count=${count}${average(size, count)}`;
}

function sizeCountDiff(size: number, sizeDiff: number, count: number, countDiff: number): string {
  const cd = countDiff >= 0 ? `+${countDiff}` : String(countDiff);
  return `size=${formatSize(size)} (${formatSize(sizeDiff, true)}), count=${count} (${cd})${average(size, count)}`;
}

function average(size: number, count: number): string {
  return count ? `, average=${formatSize(size / count)}` : '';
}

/** str(Statistic) */
export function statisticLine(s: Statistic): string {
  return `${tracebackLabel(s.frames)}: ${sizeCount(s.size, s.count)}`;
}

/** str(StatisticDiff) */
export function statisticDiffLine(s: StatisticDiff): string {
  return `${tracebackLabel(s.frames)}: ${sizeCountDiff(s.size, s.sizeDiff, s.count, s.countDiff)}`;
}

/** Traceback.format(): oldest frame first, each with its stripped source line when there is one. */
export function formatTraceback(frames: readonly Frame[], source: SourceLookup = noSource): string[] {
  const lines: string[] = [];
  for (const f of frames) {
    lines.push(`  File "${f.filename}", line ${f.lineno}`);
    const line = source(f.filename, f.lineno);
    if (line) lines.push(`    ${line}`);
  }
  return lines;
}

export function renderStatsText(r: StatsResult, source?: SourceLookup): string {
  const out: string[] = [];
  for (const s of r.stats) {
    out.push(statisticLine(s));
    if (r.groupBy === 'traceback') out.push(...formatTraceback(s.frames, source));
  }
  out.push(`Total: ${sizeCount(r.total.size, r.total.count)}`);
  return `${out.join('\n')}\n`;
}

export function renderDiffText(r: DiffResult, source?: SourceLookup): string {
  const out: string[] = [];
  for (const s of r.stats) {
    out.push(statisticDiffLine(s));
    if (r.groupBy === 'traceback') out.push(...formatTraceback(s.frames, source));
  }
  const t = r.total;
  out.push(`Total: ${sizeCountDiff(t.size, t.sizeDiff, t.count, t.countDiff)}`);
  return `${out.join('\n')}\n`;
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

const mib = (v: number | null): string => (v === null ? 'none' : `${printfFixed(v, 3)} MiB`);
const isoTime = (t: number): string => new Date(t * 1000).toISOString();

function snapshotRows(i: SnapshotInfo): [string, string][] {
  const rows: [string, string][] = [];
  if (i.pythonLayout) rows.push(['python', i.pythonLayout]);
  rows.push(
    ['traceback limit', i.tracebackLimit === null ? 'unknown' : String(i.tracebackLimit)],
    ['traces', String(i.traces)],
    ['total size', `${formatSize(i.totalSize)} (${i.totalSize} B)`],
    ['groups', `${i.groups} (domain, traceback, size)`],
    ['tracebacks', String(i.tracebacks)],
    ['frames', String(i.frames)],
    ['filenames', String(i.filenames)],
    ['domains', i.domains.join(', ') || 'none'],
  );
  if (i.time !== null) rows.push(['time', isoTime(i.time)]);
  if (i.truncatedTracebacks !== null) rows.push(['cut by the limit', `${i.truncatedTracebacks} tracebacks`]);
  if (i.partial) rows.push(['partial', 'yes: the input was truncated']);
  return rows;
}

function kindRows(i: CaptureInfo): [string, string][] {
  switch (i.model) {
    case 'snapshot':
      return snapshotRows(i);
    case 'snapshot-series':
      return [
        ['snapshots', String(i.snapshots.length)],
        ['traces', i.snapshots.map((s) => s.traces).join(', ')],
        ['total sizes', i.snapshots.map((s) => formatSize(s.totalSize)).join(', ')],
      ];
    case 'memory-series': {
      const rows: [string, string][] = [
        ['command', i.cmdline ?? 'unknown'],
        ['samples', String(i.samples)],
        ['peak', mib(i.peakMiB)],
      ];
      if (i.timeSpan)
        rows.push(['time span', `${printfFixed(i.timeSpan.seconds, 2)} s from ${isoTime(i.timeSpan.start)}`]);
      for (const c of i.children) rows.push([`child ${c.pid}`, `${c.samples} samples, peak ${mib(c.peakMiB)}`]);
      if (i.functionCalls) rows.push(['@profile calls', `${i.functionCalls} (${i.functions.join(', ')})`]);
      return rows;
    }
    case 'line-report':
      return [
        ['precision', `${i.precision} decimals`],
        ...i.functions.map((f): [string, string] => [
          'function',
          `${f.filename}:${f.firstLine}, ${f.lines} lines, peak ${mib(f.peakMiB)}`,
        ]),
      ];
    case 'allocator-stats':
      return [
        ['reports', String(i.blocks)],
        ['arena size', `${formatSize(i.arenaSize)} (pools of ${formatSize(i.poolSize)})`],
        ['arenas now', `${i.arenasCurrent} (highwater ${i.highwaterArenas})`],
        ['arena bytes', `${formatSize(i.arenaBytes)}, ${formatSize(i.bytesInAllocatedBlocks)} in allocated blocks`],
      ];
    case 'statistics-log':
      return [
        ['listings', String(i.listings)],
        ['statistics', String(i.statistics)],
      ];
  }
}

export function renderInfoText(i: CaptureInfo): string {
  const rows: [string, string][] = [
    ['file', i.file],
    ['kind', `${i.kind}${i.gzip ? ' (gzip)' : ''}`],
    ['bytes read', String(i.bytes)],
    ...kindRows(i),
  ];
  return table(rows);
}

const signedSize = (n: number): string => formatSize(n, true);

function siteLabel(s: SiteTrend): string {
  return `${s.filename}:${s.lineno}`;
}

function rate(s: SiteTrend): string {
  return s.growthPerSecond !== null ? `${signedSize(s.growthPerSecond)}/s` : `${signedSize(s.growthPerStep)}/capture`;
}

function evidence(s: SiteTrend, steps: number): string[] {
  return [
    `    bytes per capture: ${s.bytesPerCapture.map((b) => formatSize(b)).join(', ')}`,
    `    grew in ${Math.round(s.shareOfStepsGrowing * steps)} of ${steps} steps, shrank in ${Math.round((1 - s.shareOfStepsNotShrinking) * steps)}; last third ${signedSize(s.lastThirdGrowth)}; peak ${formatSize(s.peakBytes)}`,
  ];
}

function renderSnapshotLeaks(r: SnapshotLeaks, source?: SourceLookup): string[] {
  const steps = r.captures - 1;
  const when =
    r.timeSource === 'capture'
      ? 'times recorded in the captures'
      : r.timeSource === 'sidecar'
        ? 'times from sidecar .time files'
        : 'no capture times: rates are per capture';
  const out = [
    `Leaks over ${r.captures} captures (${when}), by ${r.groupBy}, counting growth of ${formatSize(r.minGrowth)} or more`,
  ];
  const by = (v: string) => r.sites.filter((s) => s.verdict === v);
  const leaks = by('leak');
  out.push(
    '',
    leaks.length ? `${leaks.length} leak${leaks.length > 1 ? 's' : ''}, largest growth first:` : 'No leak found.',
  );
  for (const s of leaks) {
    out.push(
      `  leak  ${siteLabel(s)}  ${signedSize(s.growthBytes)} (${rate(s)}), confidence ${s.confidence.toFixed(2)}`,
    );
    out.push(...evidence(s, steps));
    out.push('    traceback of its largest growing allocation:');
    out.push(...formatTraceback(s.traceback, source).map((l) => `    ${l}`));
  }
  const plateaus = by('plateau');
  if (plateaus.length) {
    out.push('', 'Grew, then stopped (plateaus: warm-up or a bounded cache; not leaks):');
    for (const s of plateaus) {
      out.push(`  plateau  ${siteLabel(s)}  ${signedSize(s.growthBytes)}, confidence ${s.confidence.toFixed(2)}`);
      out.push(...evidence(s, steps));
    }
  }
  const transients = by('transient');
  if (transients.length) {
    out.push('', 'Rose and fell back (transient):');
    for (const s of transients)
      out.push(`  transient  ${siteLabel(s)}  peak ${formatSize(s.peakBytes)}, end ${signedSize(s.growthBytes)}`);
  }
  out.push(
    '',
    `${by('stable').length} stable and ${by('shrinking').length} shrinking sites not shown (--json lists every site).`,
  );
  return out;
}

function renderMemoryLeaks(r: MemoryLeaks): string[] {
  const out = [`Memory over time: ${r.file}`];
  for (const t of r.series) {
    const verdict = t.verdict === 'leak' ? 'LEAK' : t.verdict;
    out.push(
      `  ${t.name}: ${verdict} (confidence ${t.confidence.toFixed(2)}), floor ${printfFixed(t.baselineMiB, 1)} -> ${printfFixed(t.finalFloorMiB, 1)} MiB, ` +
        `trend ${t.slopeMiBPerMin >= 0 ? '+' : ''}${printfFixed(t.slopeMiBPerMin, 2)} MiB/min, peak ${printfFixed(t.peakMiB, 1)} MiB`,
    );
    out.push(
      `    ${t.samples} samples over ${printfFixed(t.durationSeconds, 1)} s; warm-up ${printfFixed(t.warmupSeconds, 1)} s left out; floor per window: ${t.floorMiB.map((v) => printfFixed(v, 1)).join(', ')} MiB`,
    );
    if (t.reachesLimitInSeconds !== null)
      out.push(`    reaches the limit in ${printfFixed(t.reachesLimitInSeconds / 60, 1)} min at this rate`);
  }
  if (r.retainingCalls.length) {
    out.push('  @profile calls that returned holding more memory than at their start:');
    for (const c of r.retainingCalls)
      out.push(
        `    ${c.name}: ${printfFixed(c.memStartMiB, 1)} -> ${printfFixed(c.memEndMiB, 1)} MiB (+${printfFixed(c.retainedMiB, 1)})`,
      );
  }
  return out;
}

function renderLineReportLeaks(r: LineReportLeaks): string[] {
  const out = [`Line report: ${r.file}`, '  largest increments:'];
  for (const l of r.topIncrements)
    out.push(`    ${l.filename}:${l.lineno}  ${printfFixed(l.incrementMiB, 1)} MiB  ${l.source.trim()}`);
  for (const f of r.retainingFunctions) {
    out.push(
      `  ${f.filename}:${f.lineno} returned holding ${printfFixed(f.retainedMiB, 1)} MiB more than at its call (${printfFixed(f.entryMiB, 1)} -> ${printfFixed(f.exitMiB, 1)} MiB)`,
    );
  }
  return out;
}

export function renderLeaksText(results: readonly LeakResult[], source?: SourceLookup): string {
  const parts = results.map((r) =>
    (r.kind === 'snapshots'
      ? renderSnapshotLeaks(r, source)
      : r.kind === 'memory'
        ? renderMemoryLeaks(r)
        : renderLineReportLeaks(r)
    ).join('\n'),
  );
  return `${parts.join('\n\n')}\n`;
}

// printone(): the label padded to 35 columns, '=', the value right-aligned in 21 with commas.
function printone(label: string, value: number): string {
  return `${label.padEnd(35)}=${value.toLocaleString('en-US').padStart(21)}`;
}

/** The pymalloc report of sys._debugmallocstats(), in its exact layout (Objects/obmalloc.c). */
export function renderMallocStats(b: MallocStatsBlock): string {
  const out = [
    `Small block threshold = ${b.smallBlockThreshold}, in ${b.numClasses} size classes.`,
    '',
    'class   size   num pools   blocks in use  avail blocks',
    '-----   ----   ---------   -------------  ------------',
    ...b.classes.map(
      (c) =>
        `${String(c.cls).padStart(5)} ${String(c.size).padStart(6)} ${String(c.pools).padStart(11)} ${String(c.inUse).padStart(15)} ${String(c.avail).padStart(13)}`,
    ),
    '',
    printone('# arenas allocated total', b.arenasAllocatedTotal),
    printone('# arenas reclaimed', b.arenasReclaimed),
    printone('# arenas highwater mark', b.arenasHighwater),
    printone('# arenas allocated current', b.arenasCurrent),
    printone(`${b.arenaCount} arenas * ${b.arenaSize} bytes/arena`, b.arenaBytes),
    '',
    printone('# bytes in allocated blocks', b.bytesInAllocatedBlocks),
    printone('# bytes in available blocks', b.bytesInAvailableBlocks),
    printone(`${b.unusedPools} unused pools * ${b.poolSize} bytes`, b.unusedPoolBytes),
    printone('# bytes lost to pool headers', b.bytesLostToPoolHeaders),
    printone('# bytes lost to quantization', b.bytesLostToQuantization),
    printone('# bytes lost to arena alignment', b.bytesLostToArenaAlignment),
    printone('Total', b.total),
  ];
  return `${out.join('\n')}\n`;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const range = (a: number | string, b: number | string): string => (a === b ? String(a) : `${a} .. ${b}`);

/** The replay of a series through the pymalloc model, with the real figures when known. */
export function renderReplayText(r: ReplayReport, mallocstats: boolean): string {
  const out = [
    `pymalloc model of CPython ${r.python} (${formatSize(r.arenaSize)} arenas, ${formatSize(r.poolSize)} pools), ${r.captures.length} capture${r.captures.length > 1 ? 's' : ''}.`,
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
    out.push(
      `Last capture, scattered order: ${s.pinnedArenas} pinned arenas (live blocks use under a quarter of them); ${formatSize(s.releasableBytes)} would go back to the system if their ${s.pinningSites.reduce((n, p) => n + p.blocks, 0)} blocks moved; ${formatSize(s.emptyPoolBytes)} in empty pools; ${s.partlyUsedPools} pools partly used.`,
      `Arena occupancy (0-10% .. 90-100%): compact ${last.compact.occupancy.join(' ')}, scattered ${s.occupancy.join(' ')}`,
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

/** The report's data as plain text, for a terminal. */
export function renderReportText(d: ReportData): string {
  const sm = d.summary;
  const out = [
    d.title,
    `peak (mprof): ${sm.peakMiB === null ? '-' : `${printfFixed(sm.peakMiB, 1)} MiB`}; traced at the last capture: ${sm.finalBytes === null ? '-' : formatSize(sm.finalBytes)}; growth: ${sm.growthBytes === null ? '-' : formatSize(sm.growthBytes, true)}; leak suspects: ${sm.leakSuspects}; fragmented: ${sm.fragmentation ?? '-'}`,
  ];
  for (const s of d.snapshots?.leaks?.sites.filter((x) => x.verdict === 'leak') ?? []) {
    out.push(
      `leak  ${s.filename}:${s.lineno}  ${formatSize(s.growthBytes, true)}, confidence ${s.confidence.toFixed(2)}`,
    );
  }
  for (const m of d.memory)
    for (const t of m.trends.series)
      out.push(`${m.file} ${t.name}: ${t.verdict}, ${printfFixed(t.slopeMiBPerMin, 2)} MiB/min`);
  if (d.snapshots) {
    out.push('top sites, last capture:');
    for (const s of d.snapshots.topSites.slice(0, 10)) out.push(`  ${statisticLine(s)}`);
  }
  return `${out.join('\n')}\n`;
}
