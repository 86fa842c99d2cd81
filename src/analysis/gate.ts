// The CI gate: checks of the current captures' report data, alone or against a baseline's. Each
// check is pass or fail, with what was measured, the limit, and where (file:line) when it has one.

import type { Frame } from '../model/frames.js';
import { UsageError } from '../util/errors.js';
import { fnmatchToRegExp } from '../util/fnmatch.js';
import type { ReportData } from './report-data.js';

/** A limit on growth: a share of the baseline, or an absolute number of bytes. */
export type GrowthLimit = { readonly percent: number } | { readonly bytes: number };

export interface GateLimits {
  /** Peak memory (mprof peak, or the traced total of the largest capture), in bytes. */
  readonly maxPeak?: number;
  readonly maxPeakGrowth?: GrowthLimit;
  /** Traced bytes at the last capture, against the baseline's last capture. */
  readonly maxTotalGrowth?: GrowthLimit;
  /** Leaks allowed (sites of a snapshot series and mprof processes judged leaking). */
  readonly maxLeaks?: number;
  /** Leaks judged with less confidence than this do not count. */
  readonly minLeakConfidence?: number;
  /** Growth of any one site (line) against the baseline, in bytes. */
  readonly maxSiteGrowth?: number;
  /** Arena utilization (bytes in live blocks / bytes in arenas) below this fails. */
  readonly maxFragmentation?: number;
  /** fnmatch patterns of file names whose sites the site-level checks leave out. */
  readonly ignore?: readonly string[];
}

export interface CheckResult {
  readonly check: string;
  readonly passed: boolean;
  readonly measured: number | null;
  readonly limit: number;
  readonly unit: 'bytes' | 'percent' | 'count' | 'ratio';
  readonly message: string;
  /** Every place the check found (each leak, each line over its limit), worst first: what CI annotates. */
  readonly sites: readonly GateSite[];
}

export interface GateSite {
  /** Where to point: the line, or the repository line that leads to it (see sourceLocation). */
  readonly file: string;
  readonly line: number;
  /** What was found there. */
  readonly detail: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: readonly CheckResult[];
}

export const DEFAULT_MIN_LEAK_CONFIDENCE = 0.5;

/**
 * Lines a baseline keeps: enough for any real program; beyond it the gate takes the smallest kept size as the floor.
 */
export const BASELINE_SITES = 20_000;

/** The checks that compare against a baseline: asked for without one, they are a usage error. */
export function requireBaseline(limits: GateLimits, hasBaseline: boolean): void {
  if (hasBaseline) return;
  const relative = {
    '--max-peak-growth': limits.maxPeakGrowth,
    '--max-total-growth': limits.maxTotalGrowth,
    '--max-site-growth': limits.maxSiteGrowth,
  };
  const needs = Object.entries(relative)
    .filter(([, v]) => v !== undefined)
    .map(([flag]) => flag);
  if (needs.length) {
    const verb = needs.length > 1 ? 'compare' : 'compares';
    throw new UsageError(
      `${needs.join(', ')} ${verb} against a baseline: give --baseline (or "baseline" in the config file)`,
    );
  }
}

/** A baseline is compared with captures of the same formats (allocator reports aside). */
function requireLikeWithLike(current: ReportData, baseline: ReportData, name: string): void {
  const formats = (d: ReportData): string => d.formats.filter((k) => k !== 'allocator-stats').join(', ');
  if (formats(current) !== formats(baseline)) {
    const held = formats(baseline) || 'nothing';
    const captured = formats(current) || 'nothing';
    throw new UsageError(
      `${name}: the baseline holds ${held} but the current captures ${captured}: compare like with like`,
    );
  }
}
const MiB = 2 ** 20;

/** Peak memory of a report: the mprof peak when there is one, else the largest traced total. */
export function peakBytes(d: ReportData): number | null {
  if (d.summary.peakMiB !== null) return d.summary.peakMiB * MiB;
  const totals = d.snapshots?.totals.map((t) => t.size) ?? [];
  return totals.length ? Math.max(...totals) : null;
}

function lastTotal(d: ReportData): number | null {
  const t = d.snapshots?.totals;
  return t?.length ? t[t.length - 1]!.size : null;
}

/**
 * Where a CI system should point for a site: the most recent frame of its traceback in a file named
 * relative to the working directory (the repository's code, not the standard library or site
 * packages, which tracebacks name by absolute path), else the allocating line itself.
 */
export function sourceLocation(site: Frame, traceback: readonly Frame[]): Frame {
  const own = (f: string): boolean => !f.startsWith('/') && !f.startsWith('<') && !/^[A-Za-z]:[\\/]/.test(f);
  return own(site.filename) ? site : ([...traceback].reverse().find((t) => own(t.filename)) ?? site);
}

function gateSite(site: Frame, traceback: readonly Frame[], detail: string): GateSite {
  const at = sourceLocation(site, traceback);
  return { file: at.filename, line: at.lineno, detail };
}

const fmtBytes = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;

function growthCheck(
  name: string,
  what: string,
  current: number | null,
  base: number | null,
  limit: GrowthLimit,
): CheckResult {
  if (current === null || base === null) {
    return {
      check: name,
      passed: false,
      measured: null,
      limit: 'percent' in limit ? limit.percent : limit.bytes,
      unit: 'percent' in limit ? 'percent' : 'bytes',
      message: `no ${what} to compare (in the current captures or the baseline)`,
      sites: [],
    };
  }
  const delta = current - base;
  const change = `${what} ${fmtBytes(base)} -> ${fmtBytes(current)}`;
  if ('percent' in limit) {
    const pct = base === 0 ? (delta > 0 ? Infinity : 0) : (delta / base) * 100;
    return {
      check: name,
      passed: pct <= limit.percent,
      measured: pct,
      limit: limit.percent,
      unit: 'percent',
      message: `${change} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%, limit ${limit.percent}%)`,
      sites: [],
    };
  }
  return {
    check: name,
    passed: delta <= limit.bytes,
    measured: delta,
    limit: limit.bytes,
    unit: 'bytes',
    message: `${change} (${delta >= 0 ? '+' : ''}${fmtBytes(delta)}, limit ${fmtBytes(limit.bytes)})`,
    sites: [],
  };
}

/** Runs the checks; `baselineName` (its file or captures) names the baseline in messages. */
export function evaluateGate(
  current: ReportData,
  baseline: ReportData | null,
  limits: GateLimits,
  baselineName = 'the baseline',
): GateResult {
  requireBaseline(limits, baseline !== null);
  if (baseline) requireLikeWithLike(current, baseline, baselineName);
  const checks: CheckResult[] = [];
  const ignored = (limits.ignore ?? []).map((p) => fnmatchToRegExp(p));
  const kept = (file: string): boolean => !ignored.some((re) => re.test(file));

  if (limits.maxPeak !== undefined) {
    const p = peakBytes(current);
    checks.push({
      check: 'max-peak',
      passed: p !== null && p <= limits.maxPeak,
      measured: p,
      limit: limits.maxPeak,
      unit: 'bytes',
      message:
        p === null ? 'no peak in the current captures' : `peak ${fmtBytes(p)} (limit ${fmtBytes(limits.maxPeak)})`,
      sites: [],
    });
  }
  if (limits.maxPeakGrowth !== undefined) {
    checks.push(
      growthCheck('max-peak-growth', 'peak', peakBytes(current), baseline && peakBytes(baseline), limits.maxPeakGrowth),
    );
  }
  if (limits.maxTotalGrowth !== undefined) {
    checks.push(
      growthCheck(
        'max-total-growth',
        'traced memory at the last capture',
        lastTotal(current),
        baseline && lastTotal(baseline),
        limits.maxTotalGrowth,
      ),
    );
  }
  // Leaks: by default none is allowed when there is a series to judge.
  const series = (current.snapshots?.labels.length ?? 0) >= 3 || current.memory.length > 0;
  const maxLeaks = limits.maxLeaks ?? (series ? 0 : undefined);
  if (maxLeaks !== undefined) {
    const conf = limits.minLeakConfidence ?? DEFAULT_MIN_LEAK_CONFIDENCE;
    const sites = (current.snapshots?.leaks?.sites ?? []).filter(
      (s) => s.verdict === 'leak' && s.confidence >= conf && kept(s.filename),
    );
    const procs = current.memory.flatMap((m) =>
      m.trends.series.filter((t) => t.verdict === 'leak' && t.confidence >= conf).map((t) => ({ m, t })),
    );
    const n = sites.length + procs.length;
    const what = [
      ...sites.map(
        (s) => `${s.filename}:${s.lineno} (+${fmtBytes(s.growthBytes)}, confidence ${s.confidence.toFixed(2)})`,
      ),
      ...procs.map(
        ({ m, t }) =>
          `${m.label} ${t.name} (${t.slopeMiBPerMin.toFixed(2)} MiB/min, confidence ${t.confidence.toFixed(2)})`,
      ),
    ];
    checks.push({
      check: 'max-leaks',
      passed: n <= maxLeaks,
      measured: n,
      limit: maxLeaks,
      unit: 'count',
      message: n
        ? `${n} leak${n > 1 ? 's' : ''} (limit ${maxLeaks}): ${what.join('; ')}`
        : `no leak (limit ${maxLeaks})`,
      sites: sites.map((s, i) =>
        gateSite(s, s.traceback, `leak at ${what[i]}; ${n} leak${n > 1 ? 's' : ''}, limit ${maxLeaks}`),
      ),
    });
  }
  if (limits.maxSiteGrowth !== undefined) {
    const limit = limits.maxSiteGrowth;
    const baseSites = baseline?.snapshots?.topSites ?? [];
    const before = new Map(baseSites.map((s) => [`${s.frames[0]!.filename}\0${s.frames[0]!.lineno}`, s.size]));
    // A baseline holds only its largest lines; a line missing from a cut list had at most the
    // smallest size kept, so growth is counted from there (never a false failure).
    const cut = baseline !== null && baseSites.reduce((n, s) => n + s.size, 0) < (lastTotal(baseline) ?? 0);
    const floor = cut ? Math.min(...baseSites.map((s) => s.size)) : 0;
    const growths = (current.snapshots?.topSites ?? [])
      .filter((s) => kept(s.frames[0]!.filename))
      .map((s) => ({
        s,
        f: s.frames[0]!,
        growth: s.size - (before.get(`${s.frames[0]!.filename}\0${s.frames[0]!.lineno}`) ?? floor),
      }))
      .sort((a, b) => b.growth - a.growth);
    const worst = growths[0];
    const over = baseline === null ? [] : growths.filter((g) => g.growth > limit);
    const overNote = over.length > 1 ? `; ${over.length} lines over the limit` : '';
    checks.push({
      check: 'max-site-growth',
      passed: baseline !== null && over.length === 0,
      measured: worst?.growth ?? null,
      limit: limit,
      unit: 'bytes',
      message:
        baseline === null
          ? 'needs a baseline'
          : worst
            ? `largest site growth ${worst.f.filename}:${worst.f.lineno} +${fmtBytes(worst.growth)} ` +
              `(limit ${fmtBytes(limit)})${overNote}`
            : 'no site left to check in the current captures',
      sites: over.map((g) =>
        gateSite(
          g.f,
          g.s.traceback,
          `${g.f.filename}:${g.f.lineno} grew +${fmtBytes(g.growth)} (limit ${fmtBytes(limit)})`,
        ),
      ),
    });
  }
  if (limits.maxFragmentation !== undefined) {
    const r = current.snapshots?.replay;
    const last = r?.captures[r.captures.length - 1];
    // The real utilization when the allocator's reports were given, else the model's best case.
    const util = last ? (last.real?.utilization ?? last.compact.utilization) : null;
    const basis = last?.real ? 'real' : 'model, best case';
    const floorPercent = (limits.maxFragmentation * 100).toFixed(1);
    checks.push({
      check: 'max-fragmentation',
      passed: util !== null && util >= limits.maxFragmentation,
      measured: util,
      limit: limits.maxFragmentation,
      unit: 'ratio',
      message:
        util === null
          ? 'no snapshots to replay through the pymalloc model'
          : `arena utilization ${(util * 100).toFixed(1)}% (${basis}; floor ${floorPercent}%)`,
      sites: [],
    });
  }
  return { passed: checks.every((c) => c.passed), checks };
}
