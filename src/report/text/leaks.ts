// `arenascope leaks` as text: the verdicts with their evidence, for snapshots, mprof runs and line
// reports. Sites are named by the layout's paths; each list shows the layout's limit and counts the rest.

import { risingTimes } from '../../analysis/leak-classify.js';
import type { LeakResult, LineReportLeaks, MemoryLeaks, SnapshotLeaks } from '../../analysis/leak-results.js';
import { type SiteTrend, siteName, type Verdict } from '../../analysis/leaks.js';
import type { LineIncrement } from '../../analysis/line-report.js';
import { reportFileName } from '../../model/line-report.js';
import { printfFixed } from '../../util/printf.js';
import { formatSize, growthLabel } from '../format-size.js';
import type { SourceLookup } from '../linecache.js';
import { confidence, memoryMeasured, memoryShape, memoryTrendRate, memoryVerdictWord } from '../memory-trend.js';
import { capped, FULL_LAYOUT, type TextLayout, wrapLines } from './layout.js';
import { formatTraceback } from './statistics.js';

const signedSize = (n: number): string => formatSize(n, true);

// The rate per second is the median of the slopes between captures (Theil-Sen): a site that grew in
// few steps has none ("+0 B/s" beside "leak +305 KiB"), and its mean per capture is said instead.
function rate(s: SiteTrend): string {
  const steady = s.growthPerSecond !== null && (Math.abs(s.growthPerSecond) >= 1 || s.growthBytes === 0);
  const since = s.rateFrom > 0 ? ` from capture ${s.rateFrom + 1}` : '';
  return steady
    ? `${signedSize(s.growthPerSecond!)}/s${since}`
    : `${signedSize(s.growthPerStep)}/capture on average${since}`;
}

function evidence(s: SiteTrend, steps: number): string[] {
  const grew = Math.round(s.shareOfStepsGrowing * steps);
  const shrank = Math.round((1 - s.shareOfStepsNotShrinking) * steps);
  const out = [
    `    bytes per capture: ${s.bytesPerCapture.map((b) => formatSize(b)).join(', ')}`,
    `    grew in ${grew} of ${steps} steps, shrank in ${shrank}; ` +
      `last third (captures ${s.lastThirdFrom + 1}-${s.bytesPerCapture.length}) ${signedSize(s.lastThirdGrowth)}; ` +
      `peak ${formatSize(s.peakBytes)}`,
  ];
  if (s.judgedFrom > 0) {
    const b = s.bytesPerCapture;
    const before = Math.max(...b.slice(0, s.judgedFrom));
    // Nothing before it (the site made after the first captures), a one-time step up into the capture it
    // is judged from, or a spike at the start it fell from.
    out.push(
      before === 0 && b[s.judgedFrom] === 0
        ? `    judged from capture ${s.judgedFrom + 1}: it held nothing before capture ${s.judgedFrom + 2}`
        : b[s.judgedFrom]! > before
          ? `    judged from capture ${s.judgedFrom + 1}: after a one-time step of ${formatSize(b[s.judgedFrom]! - b[s.judgedFrom - 1]!)} into it`
          : `    judged from capture ${s.judgedFrom + 1}: a spike at the start (${formatSize(before)}) is never reached again`,
    );
  }
  if (s.perCapture)
    out.push(
      '    judged per capture: it grew alike at every capture; its growth per second falls only because the ' +
        'intervals between captures grew',
    );
  if (s.blocksRose) {
    const b = s.blocksPerCapture;
    out.push(
      `    blocks: rose at every capture (${b[0]} to ${b[b.length - 1]}), as fast in the last third: objects kept ` +
        'under ups and downs of its bytes',
    );
  }
  if (s.phases)
    out.push(
      `    grew in ${s.phases} phases: it grew again after each of ${s.phases - 1} pauses, and has not been ` +
        'flat since for as long as it paused',
    );
  if (s.pause)
    out.push(
      `    judged with the pause between captures ${s.pause.step} and ${s.pause.step + 1} (${s.pause.seconds.toFixed(2)} s) ` +
        'as a usual interval: it went on growing after it',
    );
  if (s.spread)
    out.push(
      s.spread.moved
        ? `    spread: its memory moved between ${s.spread.sites} sites of this file, none a leak alone; ` +
            'judged as their sum'
        : `    spread: it grew over ${s.spread.sites} sites of this file, each by less than the growth that counts; ` +
            'judged as their sum',
    );
  const k = s.kept;
  if (k)
    out.push(
      `    kept: never below ${formatSize(k.floorBytes)} from capture ${k.fromCapture} of ${steps + 1} on, ` +
        `${signedSize(k.growthBytes)} above its lowest (first to last ${signedSize(s.growthBytes)}): ` +
        'it keeps more under its ups and downs',
    );
  return out;
}

/** The traceback of a site's largest growing allocation; none of a listing by file, which names no line. */
function largestTraceback(s: SiteTrend, source?: SourceLookup): string[] {
  if (s.traceback.every((f) => f.lineno === 0)) return [];
  return [
    '    traceback of its largest growing allocation:',
    ...formatTraceback(s.traceback, source).map((l) => `    ${l}`),
  ];
}

function renderSnapshotLeaks(r: SnapshotLeaks, layout: TextLayout, source?: SourceLookup): string[] {
  const steps = r.captures - 1;
  // Grouped by traceback, a site is its line and the line that called it, as in report and gate: two
  // callers' leaks at one helper's line read as two leaks of one name (h292).
  const siteLabel = (s: SiteTrend): string => siteName(s, layout.path);
  const when = !r.timeSource
    ? 'no capture times: rates are per capture'
    : !risingTimes(r.captures, r.times)
      ? 'capture times repeat or go back: rates are per capture'
      : r.timeSource === 'capture'
        ? 'times recorded in the captures'
        : r.timeSource === 'sidecar'
          ? 'times from sidecar .time files'
          : 'times recorded in the captures and in sidecar .time files';
  const out = [
    `Leaks over ${r.captures} captures (${when}), by ${r.groupBy}, ` +
      `counting growth of ${formatSize(r.minGrowth)} or more`,
  ];
  if (r.leftOut) out.push(`(${r.leftOut})`);
  const by = (v: Verdict) => r.sites.filter((s) => s.verdict === v);
  const next = (s: SiteTrend): string => `    next: ${s.next}`;
  const leaks = by('leak');
  const slowing = by('slowing');
  const uneven = by('uneven');
  out.push(
    '',
    leaks.length
      ? `${leaks.length} leak${leaks.length > 1 ? 's' : ''}, largest growth first:`
      : slowing.length || uneven.length
        ? `No leak found, but some sites still grow (${slowing.length ? 'slowing' : 'uneven'}, below).`
        : 'No leak found.',
  );
  const leaksShown = capped(leaks, layout.limit, '  ');
  for (const s of leaksShown.shown) {
    out.push(
      `  leak  ${siteLabel(s)}  ${growthLabel(s)}${s.kept ? '' : ` (${rate(s)})`}, confidence ${s.confidence.toFixed(2)}`,
    );
    out.push(...evidence(s, steps));
    out.push(...largestTraceback(s, source));
    out.push(next(s));
  }
  out.push(...leaksShown.more);
  if (slowing.length) {
    out.push('', 'Growing, slowing (each step smaller: may be a bounded cache still filling):');
    const { shown, more } = capped(slowing, layout.limit, '  ');
    for (const s of shown) {
      out.push(
        `  slowing  ${siteLabel(s)}  ${signedSize(s.growthBytes)} (${rate(s)}), confidence ${s.confidence.toFixed(2)}`,
      );
      out.push(...evidence(s, steps));
      out.push(`    first third ${signedSize(s.firstThirdGrowth)}, last third ${signedSize(s.lastThirdGrowth)}`);
      out.push(...largestTraceback(s, source));
      out.push(next(s));
    }
    out.push(...more);
  }
  // Sites that are no leak, each with its growth, evidence and next step, under a heading of their own.
  const notLeaks = (heading: string, verdict: Verdict): void => {
    const sites = by(verdict);
    if (!sites.length) return;
    out.push('', heading);
    const { shown, more } = capped(sites, layout.limit, '  ');
    for (const s of shown) {
      out.push(`  ${verdict}  ${siteLabel(s)}  ${signedSize(s.growthBytes)}, confidence ${s.confidence.toFixed(2)}`);
      out.push(...evidence(s, steps));
      out.push(next(s));
    }
    out.push(...more);
  };
  notLeaks('Still growing, with ups and downs (uneven: no leak shown beyond chance, no stop either):', 'uneven');
  notLeaks('Grew, then stopped (plateaus: warm-up or a bounded cache; not leaks):', 'plateau');
  const transients = by('transient');
  if (transients.length) {
    out.push('', 'Rose and fell back (transient):');
    const { shown, more } = capped(transients, layout.limit, '  ');
    for (const s of shown) {
      out.push(`  transient  ${siteLabel(s)}  peak ${formatSize(s.peakBytes)}, end ${signedSize(s.growthBytes)}`);
      out.push(next(s));
    }
    out.push(...more);
  }
  out.push(
    '',
    `${by('stable').length} stable and ${by('shrinking').length} shrinking sites not shown (--json lists every site).`,
  );
  return out;
}

function renderMemoryLeaks(r: MemoryLeaks, layout: TextLayout): string[] {
  const out = [`Memory over time: ${r.label}${r.run && r.cmdline ? `: ${r.cmdline}` : ''}`];
  for (const t of r.series) {
    const verdict = t.verdict === 'leak' ? 'LEAK' : memoryVerdictWord(t.verdict);
    out.push(`  ${t.name}: ${verdict}${confidence(t)}: ${memoryShape(t)}`);
    out.push(`    measured: ${memoryMeasured(t)}`);
    const trend = memoryTrendRate(t);
    if (trend) out.push(`    ${trend}`);
    if (t.settledAtSeconds !== null) out.push(`    level from ${printfFixed(t.settledAtSeconds, 1)} s on`);
    if (t.reachesLimitInSeconds === 0) out.push('    the peaks are already at the limit or over it');
    else if (t.reachesLimitInSeconds !== null)
      out.push(`    the peaks reach the limit in ${printfFixed(t.reachesLimitInSeconds / 60, 1)} min at this trend`);
    const perWindow = (a: readonly number[]): string => a.map((v) => printfFixed(v, 1)).join(', ');
    const gone =
      (t.goneSamples ? ` (and ${t.goneSamples} of 0 MiB after the process had gone)` : '') +
      (t.pausedSeconds
        ? `; ${printfFixed(t.pausedSeconds, 1)} s without a sample (the machine or the sampler paused) left out of the windows`
        : '') +
      (t.sessionEndSeconds !== undefined
        ? `; the ${printfFixed(t.sessionEndSeconds, 1)} s after the last test (pytest's session end) left out`
        : '') +
      (t.exitCaptureSeconds !== undefined
        ? `; the ${printfFixed(t.exitCaptureSeconds, 1)} s from the exit capture on (the run's snapshot at exit) left out`
        : '');
    out.push(
      `    ${t.samples} samples over ${printfFixed(t.durationSeconds, 1)} s${gone}; ` +
        `warm-up ${printfFixed(t.warmupSeconds, 1)} s${t.warmupIsCollection ? " (pytest's start-up and collection, up to its first test)" : t.warmupIsStartup ? " (the interpreter's start-up, up to the start capture)" : ''} left out; per window (MiB; of 8 or more, each with its neighbours):`,
      ...(t.floorMiB.length
        ? [`      floor   ${perWindow(t.floorMiB)}`, `      ceiling ${perWindow(t.ceilingMiB)}`]
        : ['      none: too few samples']),
      `    next: ${t.next}`,
    );
  }
  if (r.retainingCalls.length) {
    out.push('  @profile calls that ended (returned or raised) holding more memory than at their start:');
    const { shown, more } = capped(r.retainingCalls, layout.limit, '    ');
    for (const c of shown) {
      const memory = `${printfFixed(c.memStartMiB, 1)} -> ${printfFixed(c.memEndMiB, 1)} MiB`;
      out.push(`    ${c.name}: ${memory} (+${printfFixed(c.retainedMiB, 1)})`);
    }
    out.push(...more);
  }
  return out;
}

// When the figure is the rise of Mem usage, not the report's Increment: where it comes from.
function riseNote(l: LineIncrement): string {
  const inc = l.reportedIncrementMiB;
  const mib = (x: number): string => printfFixed(x, l.precision);
  if (inc !== null && mib(inc) === mib(l.incrementMiB)) return '';
  if (l.measuredBefore)
    return (
      `  (Mem usage ${mib(l.fromMiB)} MiB at it, ${mib(l.memMiB)} MiB at the next row: ` +
      'this layout, with no Increment column, measures a line before it runs)'
    );
  if (l.summedRuns) {
    const held = mib(l.memMiB - l.fromMiB) === mib(l.incrementMiB);
    return (
      `  (its Increment ${mib(inc ?? 0)} MiB sums its ${l.occurrences} runs, more than the process held: ` +
      (held
        ? `counted as its Mem usage ${mib(l.memMiB)} MiB less the least its function shows, ${mib(l.fromMiB)} MiB)`
        : `counted as its Mem usage ${mib(l.memMiB)} MiB less the row's before it, not the least its function ` +
          `shows (${mib(l.fromMiB)} MiB): the rows before keep the rest)`)
    );
  }
  // A loop's header summed below 0 (0.58-0.61): its rise is the loop's, its body's too (h369).
  const loop = inc !== null && inc < 0 && (l.occurrences ?? 1) > 1 && /^\s*(?:async\s+)?(?:for|while)\b/.test(l.source);
  const column =
    inc !== null
      ? loop
        ? `its Increment ${mib(inc)} MiB sums its ${l.occurrences} runs below 0: the rise to its Mem usage, after its body, is the loop's, its body's rows included`
        : `its Increment ${mib(inc)} MiB`
      : l.wholeMemory
        ? l.occurrences !== null && l.occurrences > 1
          ? `its Increment sums its ${l.occurrences} runs, or a profiled call's whole memory: more than a run adds`
          : 'its Increment counts the whole memory: it calls a profiled function, or it is more than the process held'
        : 'no Increment column';
  return `  (Mem usage ${mib(l.fromMiB)} -> ${mib(l.memMiB)} MiB; ${column})`;
}

/** A line report's findings as `leaks` prints them (report's page and Markdown show the same lines). */
export function renderLineReportLeaks(r: LineReportLeaks, layout: TextLayout = FULL_LAYOUT): string[] {
  const name = (filename: string): string => (filename ? layout.path(filename) : reportFileName(filename));
  // Only lines that added memory, as printed: a 0.0 or a negative increment is no increase.
  const grew = r.topIncrements.filter(
    (l) => l.incrementMiB > 0 && Number(printfFixed(l.incrementMiB, l.precision)) !== 0,
  );
  const out = [`Line report: ${r.file}`, grew.length ? '  largest increments:' : '  no line added memory'];
  const top = capped(grew, layout.limit, '    ');
  for (const l of top.shown)
    out.push(
      `    ${name(l.filename)}:${l.lineno}  ${printfFixed(l.incrementMiB, l.precision)} MiB  ${l.source.trim()}${riseNote(l)}` +
        (l.reports > 1 ? `  (over ${l.reports} calls, a report each)` : ''),
    );
  out.push(...top.more);
  const { shown, more } = capped(r.retainingFunctions, layout.limit, '  ');
  for (const f of shown) {
    const retained = `${printfFixed(f.retainedMiB, f.precision)} MiB`;
    const memory = `${printfFixed(f.entryMiB, f.precision)} -> ${printfFixed(f.exitMiB, f.precision)} MiB`;
    // Before 0.58 a report does not count calls: several would look the same.
    const one = f.calls === null ? '; its report does not count calls: read as one call' : '';
    out.push(
      f.calls !== null && f.calls > 1
        ? // The calls' own gains summed: the process's rise from the first to the last is more where memory
          // came between calls (it read "9.0 MiB … 21.5 MiB at the first, 45.6 MiB after the last").
          `  ${name(f.filename)}:${f.lineno} ended holding ${retained} more than at its calls, ${f.calls} of them ` +
            `(a report each; the calls' own gains summed, each call's end taken as at most the next one's start; ` +
            `the process went from ${printfFixed(f.entryMiB, f.precision)} MiB at the first to ` +
            `${printfFixed(f.exitMiB, f.precision)} MiB after the last, what came between calls not counted; ` +
            'the last measured before its return frees its locals)'
        : `  ${name(f.filename)}:${f.lineno} ended holding ${retained} more than at its call ` +
            `(${memory}, its last line: measured before its return frees its locals${one})`,
    );
    out.push(`    next: ${f.next}`);
  }
  out.push(...more);
  const unjudged = capped(r.unjudgedFunctions, layout.limit, '  ');
  for (const f of unjudged.shown)
    out.push(
      `  ${name(f.filename)}:${f.lineno} not judged: ${f.reason} (its peak: ${printfFixed(f.peakMiB, f.precision)} MiB)`,
    );
  out.push(...unjudged.more);
  return out;
}

/** The file paths the text names (for a layout's shortest unique suffixes). */
export function leaksTextPaths(results: readonly LeakResult[]): string[] {
  return results.flatMap((r) =>
    r.kind === 'snapshots'
      ? r.sites.map((s) => s.filename)
      : r.kind === 'line-report'
        ? [...r.topIncrements, ...r.retainingFunctions, ...r.unjudgedFunctions].map((l) => l.filename)
        : [],
  );
}

export function renderLeaksText(
  results: readonly LeakResult[],
  source?: SourceLookup,
  layout: TextLayout = FULL_LAYOUT,
): string {
  const parts = results.map((r) =>
    (r.kind === 'snapshots'
      ? renderSnapshotLeaks(r, layout, source)
      : r.kind === 'memory'
        ? renderMemoryLeaks(r, layout)
        : renderLineReportLeaks(r, layout)
    ).join('\n'),
  );
  return `${wrapLines(parts.join('\n\n').split('\n'), layout.columns).join('\n')}\n`;
}
