// Leak detection over a series of snapshots: per site, the bytes at every capture, classified as
// leak (still growing at the end), slowing (still growing, each step smaller: maybe a bounded cache
// still filling), plateau (grew, then stopped: warm-up, a bounded cache), transient (rose and fell
// back), shrinking or stable, with the evidence behind each verdict and the next step to take.

import type { Frame, FrameTable } from '../model/frames.js';
import type { Snapshot } from '../model/snapshot.js';
import { UsageError } from '../util/errors.js';
import { type TraceFilter, traceFilter, withoutCaptureFrames } from './filters.js';
import { compareFrames, KEY_TYPES, type KeyType } from './statistics.js';
import { confidenceOf, theilSen, weightedRisingShare } from './trend.js';

export type Verdict = 'leak' | 'slowing' | 'plateau' | 'transient' | 'shrinking' | 'stable';

export interface SiteTrend {
  /** The site: the statistic's key, as a tracemalloc Traceback (oldest frame first). */
  readonly frames: readonly Frame[];
  readonly filename: string;
  readonly lineno: number;
  readonly verdict: Verdict;
  /** In [0, 1]: how consistently the captures support the verdict (see README, "Leaks"). */
  readonly confidence: number;
  readonly bytesPerCapture: readonly number[];
  readonly blocksPerCapture: readonly number[];
  /** Last capture minus first. */
  readonly growthBytes: number;
  /** When the verdict rests on what the site kept (a leak under ups and downs: see classify), that; else null. */
  readonly kept: KeptMemory | null;
  /** Captures left out before the verdict: a spike at the start never reached again (see classify); 0: none. */
  readonly judgedFrom: number;
  readonly growthPerStep: number;
  /** Theil-Sen slope of bytes over capture time; null when the captures have no times. */
  readonly growthPerSecond: number | null;
  /** Share of capture-to-capture steps in which the site grew. */
  readonly shareOfStepsGrowing: number;
  /** Share of steps in which it did not shrink. */
  readonly shareOfStepsNotShrinking: number;
  /**
   * Growth over the first third of the series: of its time span when the captures have times, else
   * of its steps (as many steps as the last third); see classify.
   */
  readonly firstThirdGrowth: number;
  /** Growth over the last third of the series, as the first. */
  readonly lastThirdGrowth: number;
  readonly peakBytes: number;
  /** The traceback (oldest frame first) of the site's group that grew most, first to last. */
  readonly traceback: readonly Frame[];
  /** What to do next about this verdict: the place to open, the capture or flag that would settle it. */
  readonly next: string;
}

/** What a site kept, when a leak verdict rests on it (see classify). */
export interface KeptMemory {
  /** The lowest the site fell to from `fromCapture` on, less the lowest of the whole series. */
  readonly growthBytes: number;
  /** The lowest the site fell to from `fromCapture` (1-based: the start of the last third) on. */
  readonly floorBytes: number;
  readonly fromCapture: number;
}

/** The growth a site's verdict rests on: what it kept, for a leak by kept memory; else last less first. */
export const verdictGrowth = (s: { readonly growthBytes: number; readonly kept?: KeptMemory | null }): number =>
  s.kept ? s.kept.growthBytes : s.growthBytes;

export interface LeakOptions {
  readonly groupBy?: KeyType;
  /** Growth below this, in bytes, is never a leak or a plateau (default 64 KiB). */
  readonly minGrowth?: number;
  /** Keep tracemalloc's own frames and the import machinery (left out by default). */
  readonly keepInternals?: boolean;
  /** Capture times in seconds (one per snapshot), or null for capture order only. */
  readonly times?: readonly number[] | null;
}

export interface LeakReport {
  readonly captures: number;
  readonly groupBy: KeyType;
  readonly minGrowth: number;
  readonly times: readonly number[] | null;
  /** All sites: leaks first (largest growth first), then slowing, plateaus, transients, shrinking, stable. */
  readonly sites: readonly SiteTrend[];
}

export const DEFAULT_MIN_GROWTH = 64 * 1024;

// As in CPython's documentation recipe: the import machinery and tracemalloc itself.
export const INTERNAL_FILTERS: readonly TraceFilter[] = [
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib._bootstrap>' },
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib._bootstrap_external>' },
  { kind: 'filename', inclusive: false, pattern: '<unknown>' },
  { kind: 'filename', inclusive: false, pattern: '*/tracemalloc.py' },
];

const ORDER: Record<Verdict, number> = { leak: 0, slowing: 1, plateau: 2, transient: 3, shrinking: 4, stable: 5 };

function siteKey(frames: readonly Frame[]): string {
  return JSON.stringify(frames.map((f) => [f.filename, f.lineno]));
}

/**
 * Classifies one site's bytes per capture. Growth is measured against a clock: the capture times
 * when they are known and rise at every step (growth per second), else the capture numbers (growth
 * per capture; the same as times evenly spaced). Rules, with m = minGrowth, g = last - first, the
 * first third of the series ending at the first capture a third of the span or more after the
 * first, the last third starting at the last capture two thirds of the span or less after it (each
 * covers a third of the span at least, so a last step over a very short interval is never a third
 * alone; with captures evenly spaced both have as many steps), and r1, r2, r3 the growth per unit
 * of the clock over the first, middle and last third:
 * - slowing: g >= m, 6 captures or more, at least 60% of the steps grew, the last third still
 *   added at least a quarter of what a steady rise would add over its span, and the steps clearly
 *   get smaller: at least 85% of the pairs of steps fall (the later step's growth per unit of the
 *   clock smaller; each pair weighted by the product of the steps' lengths, so that a step over a
 *   very short interval is next to no evidence), r3 <= r1 / 2, and r3 <= 3/4 of r2 (still slowing
 *   at the end, so that a leak after a burst of warm-up stays a leak). All three together are rare
 *   for a steady leak with noisy steps: by simulation, about 1 series in 200 of 9 captures whose
 *   steps are uniform between 0 and twice their mean, 1 in 50 of 6 captures; with fewer captures,
 *   step sizes falling by chance are too common. A cache still filling looks like a leak until it
 *   reaches its bound; when its steps visibly shrink, this class says so instead.
 * - leak: g >= m, it kept growing in the last third (at least half of what a steady rise would
 *   add over its span), most steps (>= 60%) did not shrink, and its growth is not ups and downs
 *   that keep nothing (below);
 * - plateau: g >= m, but the last third added less than that;
 * - shrinking: g <= -m;
 * - transient: |g| < m but it rose at least m above its start at some capture;
 * - stable: everything else.
 * First, a spike at the start that the site never reaches again (a start-up backlog worked off, a
 * warm-up burst: the top of the first third, m or more above the lowest of the first third after it,
 * and above every capture from that lowest on, which is the lowest from there on) is left out: the
 * series is judged from that lowest capture on, when 3 captures or more remain. And a leak by the rules above is ups and downs that
 * keep nothing when the site fell back to within m/4 of its lowest in the last third after it had
 * risen m above it (a sawtooth), or when the last third shrank at a step and its lowest is within m/4
 * of the middle third's (an oscillation that ends on a high; a leak that only starts in the last
 * third never shrinks there). Before any of the last four verdicts, what the site kept: with kept(i) the lowest it fell to from capture i
 * on, memory it never gave back. A leak under ups and downs (a buffer flushed now and then, each flush
 * leaving some behind), or after a drop at the start (a warm-up spike in the first capture), keeps
 * more and more while its first and last captures say little. It is a leak when kept(k), held
 * through the whole last third, is at least m above kept(0), the lowest of the series (a sawtooth
 * with no leak falls as low in its last third as before: its last captures' own highs, which kept()
 * ends with, are no evidence); when what it kept still rose over the last third, by at least half of
 * what a steady rise of it would add there (the test of a leak, on kept()), so that a plateau stays
 * one; and when what it kept rose at 3 steps or more (one or two are a step up, not a leak).
 */
export interface Classification {
  readonly verdict: Verdict;
  readonly confidence: number;
  readonly stepsGrowing: number;
  readonly stepsNotShrinking: number;
  readonly firstThirdGrowth: number;
  readonly lastThirdGrowth: number;
  /** When the verdict rests on what the site kept (a leak by kept memory), that; else null. */
  readonly kept: KeptMemory | null;
  /** Captures left out before the series is judged: a spike at the start (see classify); 0 for none. */
  readonly judgedFrom: number;
}

/** Fewest captures for 'slowing': over fewer than 5 steps, step sizes fall by chance too often. */
export const SLOWING_MIN_CAPTURES = 6;

/**
 * The clock growth is measured against, from 0 at the first capture: the capture times (seconds)
 * when there is one per capture and each is later than the one before, else the capture numbers.
 */
export function captureClock(n: number, times?: readonly number[] | null): number[] {
  const timed =
    !!times && times.length === n && times.every((t, i) => Number.isFinite(t) && (i === 0 || t > times[i - 1]!));
  return timed ? times.map((t) => t - times[0]!) : Array.from({ length: n }, (_, i) => i);
}

export function classify(
  bytes: readonly number[],
  minGrowth: number,
  times: readonly number[] | null = null,
): Classification {
  const x = captureClock(bytes.length, times);
  const s = startupSpike(bytes, x, minGrowth);
  if (s === 0) return judge(bytes, x, minGrowth);
  const c = judge(
    bytes.slice(s),
    x.slice(s).map((t) => t - x[s]!),
    minGrowth,
  );
  return { ...c, judgedFrom: s, kept: c.kept && { ...c.kept, fromCapture: c.kept.fromCapture + s } };
}

// Whether growth that passes for a leak is ups and downs that keep nothing: the site fell back to
// within m/4 of its lowest in the last third after it had risen m above it (a sawtooth), or the last
// third shrank at a step and its lowest is within m/4 of the middle third's (an oscillation that
// ends on a high). A leak that only starts in the last third never shrinks there.
function upsAndDowns(bytes: readonly number[], kept: readonly number[], j: number, k: number, m: number): boolean {
  const risen = Math.max(...bytes.slice(0, k + 1)) - kept[0]!;
  if (kept[k]! - kept[0]! < m / 4 && risen >= m) return true;
  let shrank = false;
  for (let i = k; i < bytes.length - 1; i++) if (bytes[i + 1]! < bytes[i]!) shrank = true;
  if (!shrank || k <= j) return false;
  return Math.min(...bytes.slice(k)) - Math.min(...bytes.slice(j, k)) < m / 4;
}

// The first third's range of captures, by the clock: steps [0, j) and [k, steps) (see classify).
function thirds(x: readonly number[]): { j: number; k: number } {
  const steps = x.length - 1;
  const span = x[steps]!;
  let j = 1;
  while (j < steps && 3 * x[j]! < span) j++;
  let k = steps - 1;
  while (k > 0 && 3 * x[k]! > 2 * span) k--;
  return { j, k };
}

// A spike at the start that the site never reaches again (a start-up backlog, a warm-up burst):
// the capture of the first third's lowest value, when a spike before it stands m above it, it is the
// lowest from there on (a site that goes on shrinking has no spike, only a fall) and 3 captures or
// more remain; else 0.
function startupSpike(bytes: readonly number[], x: readonly number[], minGrowth: number): number {
  const { j } = thirds(x);
  let low = 0;
  for (let i = 1; i <= j; i++) if (bytes[i]! <= bytes[low]!) low = i;
  if (low === 0 || bytes.length - low < 3) return 0;
  const top = Math.max(...bytes.slice(0, low + 1));
  const after = bytes.slice(low);
  return top - bytes[low]! >= minGrowth && Math.max(...after) < top && Math.min(...after) === bytes[low] ? low : 0;
}

function judge(bytes: readonly number[], x: readonly number[], minGrowth: number): Classification {
  const n = bytes.length;
  const steps = n - 1;
  const span = x[steps]!;
  const first = bytes[0]!;
  const last = bytes[steps]!;
  const g = last - first;
  // The first third is steps [0, j), the last third steps [k, steps); by capture number, j and k
  // are ceil(steps / 3) and floor(2 * steps / 3).
  const { j, k } = thirds(x);
  const firstThird = bytes[j]! - first;
  const lastThird = last - bytes[k]!;
  const rates: number[] = [];
  const lengths: number[] = [];
  let grew = 0;
  let notShrunk = 0;
  for (let i = 0; i < steps; i++) {
    const d = bytes[i + 1]! - bytes[i]!;
    lengths.push(x[i + 1]! - x[i]!);
    rates.push(d / lengths[i]!);
    if (d > 0) grew++;
    if (d >= 0) notShrunk++;
  }
  // More consistent steps, more confidence: 2 growing steps give 0.5, 8 give 0.8.
  const support = (c: number): number => c / (c + 2);
  const result = (verdict: Verdict, c: number, kept: KeptMemory | null = null): Classification => ({
    verdict,
    confidence: confidenceOf(c),
    stepsGrowing: grew,
    stepsNotShrinking: notShrunk,
    firstThirdGrowth: firstThird,
    lastThirdGrowth: lastThird,
    kept,
    judgedFrom: 0,
  });
  // What the site kept: kept[i], the lowest it fell to from capture i on.
  const kept = [...bytes];
  for (let i = steps - 1; i >= 0; i--) kept[i] = Math.min(kept[i]!, kept[i + 1]!);
  if (g >= minGrowth) {
    // What a steady rise would add over the last third.
    const expected = (g * (span - x[k]!)) / span;
    if (n >= SLOWING_MIN_CAPTURES && grew / steps >= 0.6 && lastThird > 0 && lastThird >= expected / 4) {
      const r1 = firstThird / x[j]!;
      const r3 = lastThird / (span - x[k]!);
      const middle = k > j;
      const r2 = middle ? (bytes[k]! - bytes[j]!) / (x[k]! - x[j]!) : 0;
      // The share of pairs of steps in which the later step grew faster (ties half).
      const rising = weightedRisingShare(rates, lengths);
      // Confidence: how clearly the steps shrink (0.7 when 85% of the pairs fall, 1 when all do),
      // scaled by the number of steps as for the other verdicts.
      if (rising <= 0.15 && r3 <= r1 / 2 && (!middle || r3 <= 0.75 * r2))
        return result('slowing', (1 - 2 * rising) * support(steps));
    }
    if (lastThird >= expected / 2 && notShrunk / steps >= 0.6 && !upsAndDowns(bytes, kept, j, k, minGrowth))
      return result('leak', (notShrunk / steps) * support(grew));
  }
  const keptRise = kept[k]! - kept[0]!;
  const keptLate = kept[steps]! - kept[k]!;
  const keptExpected = ((kept[steps]! - kept[0]!) * (span - x[k]!)) / span;
  let raised = 0; // steps that raised what it kept: one or two are a step up, not a leak
  for (let i = 0; i < steps; i++) if (kept[i + 1]! > kept[i]!) raised++;
  if (keptRise >= minGrowth && keptLate >= keptExpected / 2 && raised >= 3) {
    // Confidence: how many steps raised what it kept, as for the other verdicts.
    return result('leak', support(raised), { growthBytes: keptRise, floorBytes: kept[k]!, fromCapture: k + 1 });
  }
  if (g >= minGrowth) {
    const expected = (g * (span - x[k]!)) / span;
    // Confidence in a plateau: how little the last third added, over how many steps.
    return result('plateau', (1 - Math.max(0, lastThird) / Math.max(expected, 1)) * support(steps - k));
  }
  if (g <= -minGrowth) return result('shrinking', ((steps - notShrunk) / steps) * support(steps - notShrunk));
  const rise = Math.max(...bytes) - first;
  if (rise >= minGrowth) return result('transient', 1 - Math.abs(g) / rise);
  return result('stable', 1 - Math.abs(g) / minGrowth);
}

export interface NextStepContext {
  readonly groupBy: KeyType;
  readonly captures: number;
  /** Whether the captures have times (rates per second) or only an order (rates per capture). */
  readonly timesKnown: boolean;
  /** The smallest traceback limit of the captures, when they record one. */
  readonly tracebackLimit: number | null;
}

const RATES_HINT =
  'a sidecar <capture>.time file (seconds since the epoch) or captures saved as arenascope JSON give rates per second';

/**
 * The next step for a site's verdict, short and concrete: where to look (`where`: the most recent
 * frame of the traceback that grew most, as file:line), or which capture or flag would settle it.
 */
export function nextStep(verdict: Verdict, where: string, confidence: number, ctx: NextStepContext): string {
  const parts: string[] = [];
  switch (verdict) {
    case 'leak':
      parts.push(
        `open ${where} and find what keeps its objects alive (a global, an unbounded cache, a list never emptied)`,
      );
      if (ctx.groupBy === 'filename') parts.push('--group-by lineno names the line');
      if (ctx.tracebackLimit === 1)
        parts.push('the captures keep 1 frame: tracemalloc.start(25) (or PYTHONTRACEMALLOC=25) shows who calls it');
      if (confidence < 0.6) parts.push(`more captures would confirm it (${ctx.captures} so far)`);
      break;
    case 'slowing':
      parts.push(
        `capture longer (more snapshots at the same interval): if ${where} levels off it is a bounded cache ` +
          '(check its maxsize), if it keeps growing it is a leak',
      );
      break;
    case 'plateau':
      parts.push(
        `nothing to do unless the level it settled at is too high; if so, shrink what keeps the objects from ${where} ` +
          "(a cache's maxsize)",
      );
      break;
    case 'transient':
      parts.push(`not a leak (it rose and fell back): if its peak matters, look at ${where}`);
      break;
    case 'shrinking':
      parts.push('nothing to do: it shrank');
      break;
    case 'stable':
      parts.push('nothing to do');
      break;
  }
  if (!ctx.timesKnown && (verdict === 'leak' || verdict === 'slowing')) parts.push(RATES_HINT);
  return parts.join('; ');
}

/** Leak detection over snapshots in capture order (at least 3). */
export function detectLeaks(snapshots: readonly Snapshot[], opts: LeakOptions = {}): LeakReport {
  const fold = new SiteFold(opts);
  for (const s of snapshots) fold.add(s);
  return fold.report(opts);
}

// The key of a traceback's statistic, as statistics() builds it: the most recent frame ('lineno'),
// its file with line 0 ('filename'), or the whole traceback in tracemalloc.Traceback's order.
function siteFrames(frames: FrameTable, groupBy: KeyType, tb: number, recentFirst: boolean): Frame[] {
  if (groupBy === 'traceback') {
    const ids = frames.tracebackFrames(tb);
    return (recentFirst ? ids : ids.reverse()).map((f) => frames.frame(f));
  }
  const top = frames.frame(frames.tracebackFrame(tb, 0));
  return [groupBy === 'lineno' ? top : { filename: top.filename, lineno: 0 }];
}

// One site of the fold: its key as a statistic, its figures at every capture it was present in.
interface Site {
  readonly frames: readonly Frame[];
  readonly key: string;
  /** The first capture it was present in (-1: none yet): the order statistics() first listed it. */
  first: number;
  readonly bytes: number[];
  readonly blocks: number[];
}

// A traceback as tracemalloc.Traceback holds it (oldest frame first), whatever table it came from.
interface Trace {
  readonly frames: Frame[];
  readonly key: string;
}

// What the tracebacks of one frame table stand for, found once per traceback (a series shares one table).
interface TableIds {
  readonly kept: ((tb: number, domain: number) => boolean) | null;
  readonly trace: number[];
  readonly site: number[];
  readonly siteRecentFirst: number[];
}

/**
 * Leak detection folded one capture at a time: per site, its bytes and blocks at each capture, and
 * per traceback, its bytes in the first and in the latest capture; no snapshot is kept. The figures
 * and the order are those of statistics() over each filtered snapshot, computed per traceback instead
 * of per group (every group of a traceback belongs to the same site).
 */
export class SiteFold {
  private readonly groupBy: KeyType;
  private readonly filters: readonly TraceFilter[];
  private readonly sites: Site[] = [];
  private readonly siteIds = new Map<string, number>();
  private readonly traces: Trace[] = [];
  private readonly traceIds = new Map<string, number>();
  private readonly tables = new Map<FrameTable, TableIds>();
  private firstBytes = new Map<number, number>();
  private lastTraces: number[] = [];
  private lastBytes: number[] = [];
  private readonly limits: number[] = [];
  private n = 0;

  constructor(opts: Pick<LeakOptions, 'groupBy' | 'keepInternals'> = {}) {
    this.groupBy = opts.groupBy ?? 'lineno';
    this.filters = opts.keepInternals ? [] : INTERNAL_FILTERS;
  }

  get captures(): number {
    return this.n;
  }

  /** Folds in the next capture. */
  add(s: Snapshot): void {
    const i = this.n++;
    if (!KEY_TYPES.includes(this.groupBy)) return; // report() says so
    if (s.tracebackLimit !== null) this.limits.push(s.tracebackLimit);
    const ids = this.tableIds(s.frames);
    const recentFirst = s.tracebackOrder === 'most-recent-first';
    // Per traceback, in the order the groups first name it: bytes and blocks.
    const g = s.groups;
    const at = new Map<number, number>();
    const tbs: number[] = [];
    const bytes: number[] = [];
    const blocks: number[] = [];
    for (let j = 0; j < g.length; j++) {
      const tb = g.traceback[j]!;
      if (ids.kept && !ids.kept(tb, g.domain[j]!)) continue;
      let k = at.get(tb);
      if (k === undefined) {
        k = tbs.length;
        at.set(tb, k);
        tbs.push(tb);
        bytes.push(0);
        blocks.push(0);
      }
      bytes[k]! += g.size[j]! * g.count[j]!;
      blocks[k]! += g.count[j]!;
    }
    const siteBytes = new Map<number, number>();
    const siteBlocks = new Map<number, number>();
    const traces: number[] = [];
    for (let k = 0; k < tbs.length; k++) {
      const site = this.siteOf(s.frames, ids, tbs[k]!, recentFirst);
      siteBytes.set(site, (siteBytes.get(site) ?? 0) + bytes[k]!);
      siteBlocks.set(site, (siteBlocks.get(site) ?? 0) + blocks[k]!);
      traces.push(this.traceOf(s.frames, ids, tbs[k]!));
    }
    for (const [site, b] of siteBytes) {
      const count = siteBlocks.get(site)!;
      if (!(count > 0)) continue; // statistics() lists a key only when it counts a block
      const e = this.sites[site]!;
      if (e.first < 0) e.first = i;
      e.bytes[i] = b;
      e.blocks[i] = count;
    }
    if (i === 0) this.firstBytes = new Map(traces.map((t, k) => [t, bytes[k]!]));
    this.lastTraces = traces;
    this.lastBytes = bytes;
  }

  /** The trends of every site over the captures folded in (at least 3). */
  report(opts: Pick<LeakOptions, 'minGrowth' | 'times'> = {}): LeakReport {
    const n = this.n;
    if (n < 3) {
      throw new UsageError(
        `leak detection needs at least 3 snapshots of the same program, in capture order; got ${n}: ` +
          'with fewer, growth cannot be told from a plateau or a transient',
      );
    }
    const groupBy = this.groupBy;
    if (!KEY_TYPES.includes(groupBy)) throw new UsageError(`unknown key type '${groupBy}'`);
    const minGrowth = opts.minGrowth ?? DEFAULT_MIN_GROWTH;
    const times = opts.times ?? null;
    const growth = this.largestGrowingTracebacks();
    const ctx: NextStepContext = {
      groupBy,
      captures: n,
      timesKnown: times !== null,
      tracebackLimit: this.limits.length ? Math.min(...this.limits) : null,
    };
    const out: SiteTrend[] = [];
    for (const e of this.listed()) {
      const bytes = Array.from({ length: n }, (_, i) => e.bytes[i] ?? 0);
      const blocks = Array.from({ length: n }, (_, i) => e.blocks[i] ?? 0);
      const c = classify(bytes, minGrowth, times);
      const steps = n - 1;
      const keyFrame = groupBy === 'traceback' ? e.frames[e.frames.length - 1]! : e.frames[0]!;
      const traceback = growth.get(e.key) ?? e.frames;
      const top = traceback[traceback.length - 1] ?? keyFrame; // the most recent frame
      out.push({
        frames: e.frames,
        filename: keyFrame.filename,
        lineno: keyFrame.lineno,
        verdict: c.verdict,
        confidence: c.confidence,
        bytesPerCapture: bytes,
        blocksPerCapture: blocks,
        growthBytes: bytes[n - 1]! - bytes[0]!,
        kept: c.kept,
        judgedFrom: c.judgedFrom,
        growthPerStep: (bytes[n - 1]! - bytes[0]!) / steps,
        growthPerSecond: times ? theilSen(times, bytes).slope : null,
        shareOfStepsGrowing: c.stepsGrowing / steps,
        shareOfStepsNotShrinking: c.stepsNotShrinking / steps,
        firstThirdGrowth: c.firstThirdGrowth,
        lastThirdGrowth: c.lastThirdGrowth,
        peakBytes: Math.max(...bytes),
        traceback: withoutCaptureFrames(traceback),
        next: nextStep(c.verdict, `${top.filename}:${top.lineno}`, c.confidence, ctx),
      });
    }
    out.sort(
      (a, b) => ORDER[a.verdict] - ORDER[b.verdict] || verdictGrowth(b) - verdictGrowth(a) || b.peakBytes - a.peakBytes,
    );
    return { captures: n, groupBy, minGrowth, times, sites: out };
  }

  // The sites in the order a capture-by-capture walk of statistics() meets them: by the capture
  // each first appears in, then as statistics() sorts that capture (size, count, key, largest
  // first). Ties in the final sort keep this order.
  private listed(): Site[] {
    return this.sites
      .filter((e) => e.first >= 0)
      .sort((a, b) => {
        if (a.first !== b.first) return a.first - b.first;
        const i = a.first;
        return b.bytes[i]! - a.bytes[i]! || b.blocks[i]! - a.blocks[i]! || compareFrames(b.frames, a.frames);
      });
  }

  private tableIds(frames: FrameTable): TableIds {
    let ids = this.tables.get(frames);
    if (!ids) {
      ids = { kept: traceFilter(this.filters, frames), trace: [], site: [], siteRecentFirst: [] };
      this.tables.set(frames, ids);
    }
    return ids;
  }

  // The traceback `tb` of a table, as one of the fold's (keyed by its frames, oldest first).
  private traceOf(frames: FrameTable, ids: TableIds, tb: number): number {
    let t = ids.trace[tb];
    if (t === undefined) {
      const f = frames
        .tracebackFrames(tb)
        .reverse()
        .map((id) => frames.frame(id));
      const key = siteKey(f);
      const known = this.traceIds.get(key);
      t = known ?? this.traces.length;
      if (known === undefined) {
        this.traces.push({ frames: f, key });
        this.traceIds.set(key, t);
      }
      ids.trace[tb] = t;
    }
    return t;
  }

  // The site of traceback `tb` of a table: its statistic key as statistics() builds it.
  private siteOf(frames: FrameTable, ids: TableIds, tb: number, recentFirst: boolean): number {
    const memo = recentFirst && this.groupBy === 'traceback' ? ids.siteRecentFirst : ids.site;
    let site = memo[tb];
    if (site === undefined) {
      const key = siteFrames(frames, this.groupBy, tb, recentFirst);
      const k = siteKey(key);
      const known = this.siteIds.get(k);
      site = known ?? this.sites.length;
      if (known === undefined) {
        this.sites.push({ frames: key, key: k, first: -1, bytes: [], blocks: [] });
        this.siteIds.set(k, site);
      }
      memo[tb] = site;
    }
    return site;
  }

  // Per site key: the full traceback (oldest first) of the group whose bytes grew most from the
  // first capture to the last (the first such in the last capture's order on a tie).
  private largestGrowingTracebacks(): Map<string, readonly Frame[]> {
    const best = new Map<string, { frames: Frame[]; growth: number }>();
    this.lastTraces.forEach((t, k) => {
      const growth = this.lastBytes[k]! - (this.firstBytes.get(t) ?? 0);
      const { frames, key } = this.traces[t]!;
      const top = frames[frames.length - 1]!; // the most recent frame
      const site =
        this.groupBy === 'traceback'
          ? key
          : siteKey([this.groupBy === 'lineno' ? top : { filename: top.filename, lineno: 0 }]);
      const cur = best.get(site);
      if (!cur || growth > cur.growth) best.set(site, { frames, growth });
    });
    return new Map([...best].map(([k, v]) => [k, v.frames]));
  }
}
