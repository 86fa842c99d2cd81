// The words every output uses for an mprof process's trend, so that text, Markdown and HTML say the
// same thing: measured figures as measured, fitted rates as "trend", and a released run by that name.

import type { MemoryTrend, MemoryVerdict } from '../analysis/mprof.js';
import type { ReportData } from '../analysis/report-data.js';
import { printfFixed } from '../util/printf.js';
import { formatSize } from './format-size.js';

/** The verdict as printed: 'transient' of an RSS curve is memory given back, so it says so. */
export function memoryVerdictWord(v: MemoryVerdict): string {
  return v === 'transient' ? 'released' : v === 'unjudged' ? 'not judged' : v;
}

const SHAPES: Record<MemoryVerdict, string> = {
  leak: 'growth: the peaks keep rising',
  // Not RSS verdicts today (snapshot sites only), but part of the union it extends.
  slowing: 'still rising, each step smaller',
  uneven: 'still rising, with ups and downs',
  retention: 'the troughs rise to meet flat peaks: memory kept by the allocator, not growing',
  plateau: 'rose, then stopped',
  transient: 'rose, then fell back',
  shrinking: 'memory given back over the run',
  stable: 'level: no growth that counts',
  unjudged: 'too few samples to tell a trend from the warm-up',
};

/** What the curve did, in words. */
export function memoryShape(t: MemoryTrend): string {
  const since = t.risingFromSeconds == null ? null : `${printfFixed(t.risingFromSeconds, 1)} s`;
  if (t.verdict === 'leak' && t.troughsOnly) return 'growth: the troughs keep rising, under peaks that hide it';
  // A peak in the last window says nothing of what came before it (a run that held 240 MiB, gave
  // 200 back, and took 400 at the end read "level until 9.4 s").
  if (t.verdict === 'leak' && t.peakAtEnd && since)
    return `growth: its peak came in its last moments (from ${since}), above all before, and was not given back`;
  if (t.verdict === 'leak' && since) return `growth: level until ${since}, rising since, still at the end`;
  if (t.verdict === 'plateau' && since) return `level until ${since}, then rose and stopped (late in the run)`;
  return SHAPES[t.verdict];
}

/** The measured figures: floor and ceiling of the first and last windows judged, and the peak. */
export function memoryMeasured(t: MemoryTrend, arrow = '->'): string {
  const span = (a: number, b: number): string => `${printfFixed(a, 1)} ${arrow} ${printfFixed(b, 1)} MiB`;
  return (
    `floor ${span(t.floorStartMiB, t.floorEndMiB)}, ceiling ${span(t.ceilingStartMiB, t.ceilingEndMiB)}, ` +
    `peak ${printfFixed(t.peakMiB, 1)} MiB`
  );
}

const rate = (x: number): string => `${x >= 0 ? '+' : ''}${printfFixed(x, 2)} MiB/min`;

/**
 * The fitted rates, or null where a straight line over the run says nothing true: a run that rose
 * and fell back, or one that rose and stopped (the rate over the span is not the rate at the end).
 */
export function memoryTrendRate(t: MemoryTrend): string | null {
  if (t.trendMiBPerMin === null || t.ceilingTrendMiBPerMin === null) return null;
  return `trend ${rate(t.trendMiBPerMin)} (floor), ${rate(t.ceilingTrendMiBPerMin)} (ceiling)`;
}

/** Where the summary's peak (RSS) comes from: mprof runs, memory_profiler line reports, or both. */
/**
 * The summary's peak, as the page's first cards give it: the RSS peak (mprof, memory_profiler), else
 * tracemalloc's traced peak between captures (`.peak` sidecars, a run's manifest), else none. Text and
 * Markdown said "peak (mprof): -" of dumps whose traced peak the page and the gate gave (h269).
 */
export function summaryPeak(d: Pick<ReportData, 'formats' | 'memory' | 'summary'>): {
  readonly label: string;
  readonly value: string | null;
} {
  const { peakMiB, tracedPeakBytes } = d.summary;
  if (peakMiB !== null) return { label: `peak (${peakSource(d)})`, value: `${printfFixed(peakMiB, 1)} MiB` };
  if (tracedPeakBytes != null) return { label: 'traced peak', value: formatSize(tracedPeakBytes) };
  return {
    label: d.formats.some((f) => f === 'mprof' || f === 'line-report') ? `peak (${peakSource(d)})` : 'peak',
    value: null,
  };
}

export function peakSource(d: Pick<ReportData, 'formats' | 'memory' | 'summary'>): string {
  // A run with child processes (mprof run -M): its peak is the program's and its children's at one
  // sample, not the MEM peak `mprof peak` (and `info`) print.
  const children = d.memory.some((m) => m.lines.length > 1) ? ', with child processes' : '';
  // An `arenascope run`'s getrusage at exit, above its samples: no figure `mprof peak` prints.
  const own = d.memory.some((m) => m.sampledPeakMiB !== undefined && m.peakMiB === d.summary.peakMiB);
  const from = [
    d.formats.includes('mprof') ? (own ? "the program's own, at exit" : `mprof${children}`) : '',
    d.formats.includes('line-report') ? 'memory_profiler' : '',
  ];
  return from.filter(Boolean).join(', ') || 'mprof';
}

/** ' (confidence 0.43)' after a verdict, in every output (the summary counts a weak leak apart); none when unjudged. */
export function confidence(t: Pick<MemoryTrend, 'verdict' | 'confidence'>): string {
  return t.verdict === 'unjudged' ? '' : ` (confidence ${t.confidence.toFixed(2)})`;
}
