// Leak detection over a series of snapshots: per site, the bytes at every capture, classified as
// leak (still growing at the end), slowing (still growing, each step smaller: maybe a bounded cache
// still filling), uneven (still growing, with ups and downs that show no leak beyond chance), plateau
// (grew, then stopped: warm-up, a bounded cache), transient (rose and fell
// back), shrinking or stable, with the evidence behind each verdict and the next step to take.

import type { Frame, FrameTable } from '../model/frames.js';
import { listingGrouping, type Snapshot, seriesListingKey } from '../model/snapshot.js';
import { UsageError } from '../util/errors.js';
import { INTERNAL_FILTERS, type TraceFilter, traceFilter, withoutCaptureFrames } from './filters.js';
import { verdictGrowth } from './growth.js';
import { classify, type KeptMemory, risingTimes, type Verdict } from './leak-classify.js';
import { compareFrames, KEY_TYPES, type KeyType } from './statistics.js';
import { theilSen } from './trend.js';

export {
  type Classification,
  captureClock,
  classify,
  type KeptMemory,
  SLOWING_MIN_CAPTURES,
  type Verdict,
} from './leak-classify.js';

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
  /**
   * Judged per capture though the captures have times: a leak growing alike at every capture whose
   * growth per second slows only because the intervals between captures grew (see classify).
   */
  readonly perCapture: boolean;
  /** Judged with one pause between captures taken as a usual interval (see classify): its step and length. */
  readonly pause: { readonly step: number; readonly seconds: number } | null;
  /**
   * A leak by its blocks (see classify): they rose at every capture, as fast at the end, while its bytes
   * were too noisy to tell a leak by.
   */
  readonly blocksRose: boolean;
  /** A leak by its phases of growth (see classify): it grew again after each pause between them; else 0. */
  readonly phases: number;
  /**
   * Set for a leak of a file's sites summed (named `file:0`): it grew over `sites` sites of the file
   * (lines, or tracebacks ending in it), each by less than minGrowth, at every other step or more; or
   * (`moved`) every site of the file, its memory moving between them, none a leak alone. Null for a
   * site of its own.
   */
  readonly spread: { readonly sites: number; readonly moved: boolean } | null;
  /** Growth per capture from `rateFrom` on. */
  readonly growthPerStep: number;
  /** Theil-Sen slope of bytes over capture time from `rateFrom` on; null when the captures have no times. */
  readonly growthPerSecond: number | null;
  /**
   * The capture the rates are measured from: where it was judged from (after a spike at the start, or a
   * one-time step), or the last of a level start before it grew (a leak that began late: its rate over
   * the whole series was a fiftieth of its own).
   */
  readonly rateFrom: number;
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
  /** The capture the last third starts at (0-based; see Classification). */
  readonly lastThirdFrom: number;
  readonly peakBytes: number;
  /** The traceback (oldest frame first) of the site's group that grew most, first to last. */
  readonly traceback: readonly Frame[];
  /** What to do next about this verdict: the place to open, the capture or flag that would settle it. */
  readonly next: string;
}

export { verdictGrowth };

/**
 * A site as the one-line outputs name it (report, gate, charts): its file and line, and under
 * --group-by traceback the line that called it, as two tracebacks ending at one line are two sites.
 */
export function siteName(
  s: Pick<SiteTrend, 'filename' | 'lineno' | 'frames'>,
  path: (file: string) => string = (f) => f,
): string {
  const caller = s.frames.length > 1 ? s.frames[s.frames.length - 2] : undefined;
  return `${path(s.filename)}:${s.lineno}${caller ? ` from ${path(caller.filename)}:${caller.lineno}` : ''}`;
}

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
  /** All sites: leaks first (largest growth first), then slowing, uneven, plateaus, transients, shrinking, stable. */
  readonly sites: readonly SiteTrend[];
}

export const DEFAULT_MIN_GROWTH = 64 * 1024;

// Keys from the finest to the coarsest: a coarser key gathers the sites of finer ones.
const FINENESS: Readonly<Record<KeyType, number>> = { traceback: 0, lineno: 1, filename: 2 };

const ORDER: Record<Verdict, number> = {
  leak: 0,
  slowing: 1,
  uneven: 2,
  plateau: 3,
  transient: 4,
  shrinking: 5,
  stable: 6,
};

function siteKey(frames: readonly Frame[]): string {
  return JSON.stringify(frames.map((f) => [f.filename, f.lineno]));
}

export interface NextStepContext {
  readonly groupBy: KeyType;
  readonly captures: number;
  /** Whether the captures have times (rates per second) or only an order (rates per capture). */
  readonly timesKnown: boolean;
  /** The smallest traceback limit of the captures, when they record one. */
  readonly tracebackLimit: number | null;
  /**
   * The finest key every capture can be grouped by: 'traceback' of dumps, a logged listing's own key
   * (`--group-by lineno` of a listing by file is refused: it names no line).
   */
  readonly finest?: KeyType;
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
      if (ctx.groupBy === 'filename')
        parts.push(
          ctx.finest === 'filename'
            ? "a listing by line (statistics('lineno')) names the line"
            : '--group-by lineno names the line',
        );
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
    case 'uneven':
      parts.push(
        `capture longer: if ${where} goes on rising under its ups and downs it leaks` +
          (ctx.groupBy === 'traceback' || (ctx.finest ?? 'traceback') !== 'traceback'
            ? ''
            : '; --group-by traceback tells its callers apart (one may leak under the others)'),
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
  // A series of listings is judged by its own key unless told otherwise: by line, a listing by file's
  // every site read "leak.py:0" and the output said "by lineno"; a listing by traceback's line summed
  // the tracebacks each listing showed, and a line that shrank read as a leak (h301).
  const fold = new SiteFold({ ...opts, groupBy: opts.groupBy ?? seriesListingKey(snapshots) ?? 'lineno' });
  for (const s of snapshots) fold.add(s);
  return fold.report(opts);
}

/** A site's trend from its figures at every capture (SiteFold.report's, for spreadLeaks). */
type TrendOf = (
  frames: readonly Frame[],
  keyFrame: Frame,
  traceback: readonly Frame[],
  bytes: number[],
  blocks: number[],
  spread: SiteTrend['spread'],
) => SiteTrend;

/**
 * Leaks spread over the sites of a file: per file, the memory of its sites too small to be judged
 * alone (each rose and fell by less than the minimum growth) that grew at every other step or more,
 * summed capture by capture and judged as one series, a leak when steady. A leak of objects whose parts are made on many lines (a class whose __init__ sets a dozen
 * attributes, kept in a global list) grows by less than the minimum on each line while the file grows
 * as much as one leaking line would (helper h138: +354 KiB over 13 lines, "No leak found" and the gate
 * passed). Sites with a verdict of their own stay out of the sum: a plateau of 6 MiB and a few bytes
 * elsewhere summed to 0, 6145, 6145 KiB, "grew at every step", a leak; a tree built and dropped in a
 * sawtooth, every line of it a plateau, summed to a floor rising 1021, 1024, 1028, 1034 KiB. Only a
 * leak by its trend is kept.
 */
function spreadLeaks(sites: readonly SiteTrend[], minGrowth: number, trend: TrendOf): SiteTrend[] {
  const byFile = new Map<string, SiteTrend[]>();
  const everyByFile = new Map<string, SiteTrend[]>();
  const add = (m: Map<string, SiteTrend[]>, s: SiteTrend): void => {
    const list = m.get(s.filename);
    if (list) list.push(s);
    else m.set(s.filename, [s]);
  };
  const leaking = new Set<string>();
  for (const s of sites) {
    add(everyByFile, s);
    if (s.verdict === 'leak') leaking.add(s.filename);
    // Only sites too small to be judged alone (one that rose or fell by minGrowth has its verdict), and
    // growing at every other step or more (3 of 7 steps: helper h140's half-rate leak), twice at least
    // when there are 3 steps or more: a site that grew once (a module imported late: 1 of 3 steps read a
    // leak of 250 sites, h265) is no part of a steady growth.
    const steps = s.bytesPerCapture.length - 1;
    const grew = Math.round(s.shareOfStepsGrowing * steps);
    if (s.peakBytes - Math.min(...s.bytesPerCapture) >= minGrowth || grew < 2 || 2 * grew < steps - 1) continue;
    add(byFile, s);
  }
  const out: SiteTrend[] = [];
  for (const [filename, list] of byFile) {
    const t = list.length >= 2 ? sumLeak(filename, list, minGrowth, trend, false) : null;
    if (t) out.push(t);
  }
  // Memory moving between the lines of a file, none of them a leak alone: chunks gathered on one line
  // and compacted now and then into one object kept on another (the first a sawtooth, the second a
  // plateau) while the file grows at every step. Every site of the file summed, with the same rules
  // (helper h222: 60 KB kept a step, "No leak found", and the gate passed).
  for (const [filename, list] of everyByFile) {
    if (leaking.has(filename) || out.some((t) => t.filename === filename)) continue;
    const judged = list.filter((s) => s.peakBytes - Math.min(...s.bytesPerCapture) >= minGrowth);
    const t = judged.length >= 2 ? sumLeak(filename, list, minGrowth, trend, true) : null;
    if (t) out.push(t);
  }
  return out;
}

// The sum of a file's sites, capture by capture, judged as one series: a leak only by its trend, and
// steady (see spreadLeaks), else null.
function sumLeak(
  filename: string,
  list: readonly SiteTrend[],
  minGrowth: number,
  trend: TrendOf,
  moved: boolean,
): SiteTrend | null {
  const n = list[0]!.bytesPerCapture.length;
  const bytes = new Array<number>(n).fill(0);
  const blocks = new Array<number>(n).fill(0);
  for (const s of list) {
    for (let i = 0; i < n; i++) {
      bytes[i]! += s.bytesPerCapture[i]!;
      blocks[i]! += s.blocksPerCapture[i]!;
    }
  }
  if (bytes[n - 1]! - Math.min(...bytes) < minGrowth) return null; // cannot be a leak: no classify
  const largest = list.reduce((a, b) => (b.growthBytes > a.growthBytes ? b : a));
  const file: Frame = { filename, lineno: 0 };
  const t = trend([file], file, largest.traceback, bytes, blocks, { sites: list.length, moved });
  // By its trend only: what sites that each rise and fall keep under their ups and downs adds up, crumb
  // by crumb, to a floor that rises in steps. And steady: falling (by more than crumbs) at one step in
  // five at most, where a sum of many sites' noise falls often (h140: records alive in flight at each
  // capture, a random number of them, kept nowhere: 91, 386, 519, 43, 173, 80, 337, 517 KiB read a
  // leak at 0.51, and the gate failed).
  const crumb = minGrowth / (2 * (n - 1));
  let falls = 0;
  for (let i = 1; i < n; i++) if (bytes[i]! < bytes[i - 1]! - crumb) falls++;
  return t.verdict === 'leak' && !t.kept && falls <= (n - 1) / 5 ? t : null;
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
  /** Its frames are in CPython 3.6's Traceback order, most recent first (by traceback, --python 3.6). */
  readonly recentFirst: boolean;
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
  private finest: KeyType = 'traceback';
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
    const own = listingGrouping(s);
    if (own && FINENESS[own] > FINENESS[this.finest]) this.finest = own;
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
    // Times that repeat or go back are no clock: the series is rated per capture (see captureClock).
    const times = risingTimes(n, opts.times) ? opts.times : null;
    const growth = this.largestGrowingTracebacks();
    const ctx: NextStepContext = {
      groupBy,
      captures: n,
      timesKnown: times !== null,
      tracebackLimit: this.limits.length ? Math.min(...this.limits) : null,
      finest: this.finest,
    };
    const out: SiteTrend[] = [];
    const trend: TrendOf = (frames, keyFrame, traceback, bytes, blocks, spread) => {
      const c = classify(bytes, minGrowth, times, blocks);
      const steps = n - 1;
      // (Two steps after the level at least: one step alone is no rate.) Flat within minGrowth, or
      // within half its average step's growth: a leak starting halfway, 0, 0, 0, 0, 2, 26, 48, 70 KiB,
      // was flat within 64 KiB until its last capture, and its rate read 8.9 KB/s for 22 (h285); but a
      // 12 KB temporary before a leak of 60 KB a step ends the second level at once (it read 23 KiB/s for
      // 565, h287). The later of the two where the site moved under a quarter as fast before it as after.
      const small = Math.max(1, (bytes[n - 1]! - bytes[0]!) / (2 * steps));
      const level = Math.max(
        0,
        ...[minGrowth, Math.min(minGrowth, small)]
          .map((band) => levelUntil(bytes, band))
          .filter((l) => l <= n - 3 && flatUntil(bytes, l)),
      );
      const from = Math.max(c.judgedFrom, level);
      const top = traceback[traceback.length - 1] ?? keyFrame; // the most recent frame
      // A listing by file names no line: its file, not "leak.py:0".
      const where = top.lineno === 0 && ctx.finest === 'filename' ? top.filename : `${top.filename}:${top.lineno}`;
      let next = nextStep(c.verdict, where, c.confidence, ctx);
      if (spread && groupBy === 'lineno') next += '; `--group-by filename` judges every file as a whole';
      return {
        frames,
        filename: keyFrame.filename,
        lineno: keyFrame.lineno,
        verdict: c.verdict,
        confidence: c.confidence,
        bytesPerCapture: bytes,
        blocksPerCapture: blocks,
        growthBytes: bytes[n - 1]! - bytes[0]!,
        kept: c.kept,
        judgedFrom: c.judgedFrom,
        perCapture: c.perCapture,
        pause: c.pause,
        blocksRose: c.blocksRose,
        phases: c.phases,
        // Judged from a capture on (after a spike at the start, or a one-time step), or grown from a
        // level start: the rate from there.
        growthPerStep: (bytes[n - 1]! - bytes[from]!) / (steps - from),
        growthPerSecond: times ? theilSen(times.slice(from), bytes.slice(from)).slope : null,
        rateFrom: from,
        shareOfStepsGrowing: c.stepsGrowing / steps,
        shareOfStepsNotShrinking: c.stepsNotShrinking / steps,
        firstThirdGrowth: c.firstThirdGrowth,
        lastThirdGrowth: c.lastThirdGrowth,
        lastThirdFrom: c.lastThirdFrom,
        peakBytes: Math.max(...bytes),
        traceback: withoutCaptureFrames(traceback),
        spread,
        next,
      };
    };
    for (const e of this.listed()) {
      const bytes = Array.from({ length: n }, (_, i) => e.bytes[i] ?? 0);
      const blocks = Array.from({ length: n }, (_, i) => e.blocks[i] ?? 0);
      // Its traceback oldest first, as the largest growing ones are keyed (3.6's named the oldest frame).
      const oldest = e.recentFirst ? [...e.frames].reverse() : e.frames;
      const keyFrame = groupBy === 'traceback' ? oldest[oldest.length - 1]! : e.frames[0]!;
      out.push(trend(e.frames, keyFrame, growth.get(siteKey(oldest)) ?? oldest, bytes, blocks, null));
    }
    if (groupBy !== 'filename') out.push(...spreadLeaks(out, minGrowth, trend));
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
        const inOrder = recentFirst && this.groupBy === 'traceback';
        this.sites.push({ frames: key, recentFirst: inOrder, key: k, first: -1, bytes: [], blocks: [] });
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

/**
 * Whether a site's bytes up to capture `level` were a level, not the start of its growth: they moved
 * under a quarter as fast a step as after it (a site growing 11.3 KiB a step, under the growth that
 * counts until its sixth capture, was rated 'from capture 6', over a part of its series).
 */
function flatUntil(bytes: readonly number[], level: number): boolean {
  const n = bytes.length;
  const before = Math.abs(bytes[level]! - bytes[0]!) / Math.max(level, 1);
  const after = Math.abs(bytes[n - 1]! - bytes[level]!) / (n - 1 - level);
  return 4 * before <= after;
}

/**
 * The last capture of the level a site's bytes start at (all within `minGrowth` of each other from the
 * first capture on): a site that grows only after it is measured from there.
 */
function levelUntil(bytes: readonly number[], minGrowth: number): number {
  let [low, high] = [bytes[0]!, bytes[0]!];
  for (let i = 1; i < bytes.length; i++) {
    [low, high] = [Math.min(low, bytes[i]!), Math.max(high, bytes[i]!)];
    if (high - low >= minGrowth) return i - 1;
  }
  return bytes.length - 1;
}
