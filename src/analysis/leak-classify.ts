// The leak classifier: one site's bytes at every capture -> leak, slowing, plateau, transient,
// shrinking or stable, with a confidence and the evidence (see classify). Pure arithmetic on numbers:
// leaks.ts folds the captures into sites and calls it for each.

import { confidenceOf, theilSen, weightedRisingShare } from './trend.js';

export type Verdict = 'leak' | 'slowing' | 'uneven' | 'plateau' | 'transient' | 'shrinking' | 'stable';

/** What a site kept, when a leak verdict rests on it (see classify). */
export interface KeptMemory {
  /** The lowest the site fell to from `fromCapture` on, less the lowest of the whole series. */
  readonly growthBytes: number;
  /** The lowest the site fell to from `fromCapture` (1-based: the start of the last third) on. */
  readonly floorBytes: number;
  readonly fromCapture: number;
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
 *   reaches its bound; when its steps visibly shrink, this class says so instead. A site that held
 *   nothing at its first captures is judged so (or a plateau) from the last capture before it held
 *   bytes, when its steps after the rise from nothing fall too.
 * - leak: g >= m, it kept growing in the last third (at least half of what a steady rise would
 *   add over its span), most steps (>= 60%) did not shrink, and its growth is not ups and downs
 *   that keep nothing (below); growth in the last step alone (less than m/4 before it) has the
 *   confidence of one growing step;
 * - plateau: g >= m, but the last third added less than that (and less than m, or than a quarter of
 *   a steady rise, or one of its steps did not grow, or most steps did not: else it did not stop,
 *   and is a leak, less sure; and not when it grew again after each of 2 pauses or more, and has been
 *   flat since for less time than it paused: a leak in phases, see growthPhases);
 * - shrinking: g <= -m;
 * - transient: |g| < m but it rose at least m above its start at some capture;
 * - stable: everything else.
 * First, a spike at the start that the site never reaches again (a start-up backlog worked off, a
 * warm-up burst: the top of the first third, m or more above the lowest of the first third after it,
 * and above every capture from that lowest on, which is the lowest from there on) is left out: the
 * series is judged from that lowest capture on, when 4 captures or more remain. And a leak by the rules above is ups and downs that
 * keep nothing when the site fell back to within m/4 of its lowest in the last third after it had
 * risen m above it (a sawtooth), or when the last third fell to its lowest (from the middle third on,
 * by m/4 or more and by a quarter of what it then rises or more) and that is within m/4 of the
 * middle third's (an oscillation that ends on a high; a leak that only starts in the last third
 * falls there by little or nothing), or when it fell back to within m/4 of its lowest from the middle
 * third on and has not risen m/4 above its height before that fall since (a tooth again: a sawtooth
 * ending on a high, which is transient, by the share of its rise it gave back). Before any of the last four verdicts, what the site kept: with kept(i) the lowest it fell to from capture i
 * on, memory it never gave back. A leak under ups and downs (a buffer flushed now and then, each flush
 * leaving some behind), or after a drop at the start (a warm-up spike in the first capture), keeps
 * more and more while its first and last captures say little. It is a leak when kept(k), held
 * through the whole last third, is at least m above kept(0), the lowest of the series (a sawtooth
 * with no leak falls as low in its last third as before: its last captures' own highs, which kept()
 * ends with, are no evidence); when what it kept still rose over the last third, by at least half of
 * what a steady rise of it would add there (the test of a leak, on kept()), so that a plateau stays
 * one; and when what it kept rose at 3 steps or more (one or two are a step up, not a leak; a rise
 * under m / (2 * steps) is a crumb).
 * Last, a series that is slowing or a plateau (or a leak, less sure) by the capture times but a leak by the capture numbers, with every
 * step growing (but a last one of nothing: a run's exit snapshot) and the largest at most 1.1 times the smallest, is a leak judged per capture: the
 * same growth at every capture is a leak per unit of work, and its growth per second falls only
 * because the intervals between captures grew (snapshots of a growing heap take longer; captures
 * taken every so many requests of a program that gets slower). A bounded cache sampled at growing
 * intervals matches its own slowing step for step only by chance.
 */
export interface Classification {
  readonly verdict: Verdict;
  readonly confidence: number;
  readonly stepsGrowing: number;
  readonly stepsNotShrinking: number;
  readonly firstThirdGrowth: number;
  readonly lastThirdGrowth: number;
  /** The capture the last third starts at (0-based): by the clock, a long first step can make it the first. */
  readonly lastThirdFrom: number;
  /** When the verdict rests on what the site kept (a leak by kept memory), that; else null. */
  readonly kept: KeptMemory | null;
  /** Captures left out before the series is judged: a spike at the start (see classify); 0 for none. */
  readonly judgedFrom: number;
  /** Judged per capture though the captures have times: steady per capture, slowing per second (see classify). */
  readonly perCapture: boolean;
  /** Judged with one pause between captures taken as a usual interval: its step (1-based: captures i and i+1) and length. */
  readonly pause: { readonly step: number; readonly seconds: number } | null;
  /** A leak by its blocks: they rose at every capture, at a steady rate, under bytes too noisy to tell (see keptObjects). */
  readonly blocksRose: boolean;
  /** A leak by its phases of growth: it grew again after each of its pauses (see growthPhases); else 0. */
  readonly phases: number;
}

/** Fewest captures for 'slowing': over fewer than 5 steps, step sizes fall by chance too often. */
export const SLOWING_MIN_CAPTURES = 6;
/** Most of the (weighted) pairs of steps in which the later grew faster, for 'slowing'. */
const SLOWING_RISING_SHARE = 0.15;

/**
 * The clock growth is measured against, from 0 at the first capture: the capture times (seconds)
 * when there is one per capture and each is later than the one before, else the capture numbers.
 */
export function captureClock(n: number, times?: readonly number[] | null): number[] {
  return risingTimes(n, times) ? times.map((t) => t - times[0]!) : Array.from({ length: n }, (_, i) => i);
}

/** Whether there is a time per capture, each later than the one before: a clock to rate growth by. */
export function risingTimes(n: number, times?: readonly number[] | null): times is readonly number[] {
  return !!times && times.length === n && times.every((t, i) => Number.isFinite(t) && (i === 0 || t > times[i - 1]!));
}

export function classify(
  bytes: readonly number[],
  minGrowth: number,
  times: readonly number[] | null = null,
  blocks: readonly number[] | null = null,
): Classification {
  // A growth that counts is more than none: with --min-growth 0 a flat step read as a fall (0 >= 0/4)
  // and a site that never changed as a leak kept under its ups and downs (helper h350).
  minGrowth = Math.max(minGrowth, 1);
  const c = byBytes(bytes, minGrowth, times, blocks);
  if (!blocks || !(c.verdict === 'plateau' || c.verdict === 'uneven' || c.verdict === 'leak')) return c;
  const steps = bytes.length - 1;
  const sure = confidenceOf(steps / (steps + 2));
  return sure > (c.verdict === 'leak' ? c.confidence : 0) &&
    keptObjects(bytes, blocks, captureClock(bytes.length, times), minGrowth)
    ? { ...c, verdict: 'leak', confidence: sure, blocksRose: true }
    : c;
}

/**
 * Whether a site's blocks show a leak its bytes are too noisy to: they rose at every step (5 or more),
 * as fast in the last third as over the series (half of it at least: a cache at the same line filling
 * early raises the series' rate, 420 blocks a step against a leak's 300; h260), and its bytes grew by
 * the growth that counts, along a line (Theil-Sen) that rises by it and by 6 times their median distance
 * from it (a leak of 100 bytes a capture beside a buffer of 0-4 MB is no leak that counts), and over the
 * second half, and over the last third, by a quarter of the bytes per block of the whole growth for each
 * block added (Theil-Sen of bytes on blocks): the blocks added carry the growth (a cache that filled just
 * past the middle beside 35 bytes kept a step passed on the second half alone: h261). A steady leak of 12 KiB a capture beside a buffer
 * of 0-48 KiB read a plateau or a leak under 0.5 in 37 of 200 seeds, its blocks rising by 2 at every
 * capture (fixtures/leaks/noisy_leak, helper h255). A cache that filled holds as many blocks from then
 * on; one full beside 32 bytes kept at each capture at the same line, its bytes flat for 6 captures,
 * read a leak of 0.85 by those (h259): its late blocks carry 65 bytes each, not 35 KB.
 */
function keptObjects(bytes: readonly number[], blocks: readonly number[], x: readonly number[], m: number): boolean {
  const steps = bytes.length - 1;
  if (steps < 5 || blocks.length !== bytes.length || bytes[steps]! - bytes[0]! < m) return false;
  for (let i = 0; i < steps; i++) if (!(blocks[i + 1]! > blocks[i]!)) return false;
  const { k } = thirds(x);
  const span = x[steps]!;
  const added = blocks[steps]! - blocks[0]!;
  if (blocks[steps]! - blocks[k]! < (0.5 * added * (span - x[k]!)) / span) return false;
  const line = theilSen(x, bytes);
  const grew = line.slope * span;
  const off = bytes.map((b, i) => Math.abs(b - (line.intercept + line.slope * x[i]!))).sort((a, b) => a - b);
  if (grew < m || grew < 6 * off[off.length >> 1]!) return false;
  let half = 0;
  while (2 * x[half]! < span) half++;
  const perBlock = (0.25 * (bytes[steps]! - bytes[0]!)) / added;
  return (
    theilSen(blocks.slice(half), bytes.slice(half)).slope >= perBlock &&
    theilSen(blocks.slice(k), bytes.slice(k)).slope >= perBlock
  );
}

// The verdict of a site's bytes (classify).
function byBytes(
  bytes: readonly number[],
  minGrowth: number,
  times: readonly number[] | null,
  blocks: readonly number[] | null,
): Classification {
  const x = captureClock(bytes.length, times);
  const c = judgeFrom(bytes, x, minGrowth, blocks);
  if (c.verdict === 'leak' && times) return leakPerCapture(c, bytes, times, minGrowth, blocks);
  if ((c.verdict !== 'slowing' && c.verdict !== 'plateau') || !times) return c;
  // One pause between two captures (an idle server, a stopped process) stretches the clock: growth
  // that went on after it read as stopped ("grew, then stopped" for a leak that grew at both steps
  // after a pause of 1.5 s between captures 20 ms apart; the gate passed). Judged with the pause as a
  // usual interval, it is a leak or it is not.
  const pause = onePause(x);
  // Only a pause the site went on growing after, at every step (but a last one of nothing, an exit
  // snapshot): a wait with nothing added after it is what shows a cache stopped filling (a ring that
  // filled across a pause of 3 s, then flat, read as a leak).
  if (pause && grewOn(bytes, pause.step)) {
    const q = judgeFrom(bytes, pause.clock, minGrowth, blocks);
    if (q.verdict === 'leak') return { ...q, pause: { step: pause.step + 1, seconds: pause.seconds } };
  }
  // Slowing or a plateau by the clock, but per capture a leak whose steps are all alike: the
  // intervals between captures grew (a capture of a growing heap takes longer, captures taken after
  // a fixed amount of work), not the growth.
  const p = judgeFrom(bytes, captureClock(bytes.length), minGrowth, blocks);
  const from = p.judgedFrom;
  return p.verdict === 'leak' &&
    p.kept === null &&
    (alike(bytes.slice(from), times.slice(from)) || followsCaptures(bytes.slice(from), times.slice(from)))
    ? { ...p, perCapture: true }
    : c;
}

/**
 * Whether a site grows by the capture, not by the clock: from its first step up, it grew at most steps
 * (3 or more), and its steps up vary half as much as their rates per second or less (their coefficients
 * of variation, or their spreads), the intervals between captures varying where the growth did not. A request loop's leak
 * captured every N requests, one last interval of 1 s after ones of 50 ms (or intervals growing from 20
 * to 310 ms, in jumps), read "grew, then stopped" by the clock and the gate passed it; steps with a few
 * percent of jitter are not all alike (h390). A leak by the clock (a thread's cache growing per second) varies
 * less by its rates: it stays one.
 */
function followsCaptures(bytes: readonly number[], times: readonly number[]): boolean {
  const steps = bytes.slice(1).map((b, i) => b - bytes[i]!);
  // Not intervals that stretch step by step (each 5% longer or more): a cache filling ever slower, sampled
  // ever more rarely, grows alike per capture too (a dict of random keys at intervals 1.3 times the one
  // before); the clock judges those (alike: steps within 1.1 times).
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  if (gaps.every((g, i) => i === 0 || g >= 1.05 * gaps[i - 1]!)) return false;
  // Steps up: a quarter of the median step up or more (a ring full across a pause, then a few hundred
  // bytes, is no growth going on). Its last step one: growth that stopped is the clock's to judge (a
  // bounded cache of 500 entries, then 0.8 s served full).
  const positive = steps.filter((d) => d > 0).sort((a, b) => a - b);
  if (!positive.length) return false;
  const least = positive[positive.length >> 1]! / 4;
  const start = steps.findIndex((d) => d >= least);
  if (!(steps[steps.length - 1]! >= least)) return false;
  const up = steps.flatMap((d, i) => (i >= start && d >= least ? [i] : []));
  if (up.length < 3 || up.length < 0.6 * (steps.length - start)) return false;
  const cv = (xs: readonly number[]): number => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return mean > 0 ? sd / mean : Infinity;
  };
  // And their spreads, the largest over the smallest (one slow interval among fast ones is one rate).
  const spread = (xs: readonly number[]): number => Math.log(Math.max(...xs) / Math.min(...xs));
  const grown = up.map((i) => steps[i]!);
  // Not steps falling (a bounded dict filling ever slower: 362 to 138 KiB a capture read a leak; h394).
  const third = Math.max(1, Math.floor(grown.length / 3));
  if (median(grown.slice(-third)) < 0.75 * median(grown.slice(0, third))) return false;
  const rates = up.map((i) => steps[i]! / (times[i + 1]! - times[i]!));
  return cv(grown) <= 0.5 && (cv(rates) >= 2 * cv(grown) || spread(rates) >= 2 * spread(grown) + Math.LN2);
}

// A leak by the clock whose steps are all alike (alike): its confidence, cut as far as its last third
// fell short of a steady rise by the clock, is a leak's per capture when that is more (a last batch
// that took 6 times as long as the others, keeping the same 1 MB, put 7 equal steps at 0.47, and the
// gate passed): the same growth at every capture is a leak per unit of work, whatever the intervals.
function leakPerCapture(
  c: Classification,
  bytes: readonly number[],
  times: readonly number[],
  minGrowth: number,
  blocks: readonly number[] | null,
): Classification {
  const p = judgeFrom(bytes, captureClock(bytes.length), minGrowth, blocks);
  const from = p.judgedFrom;
  return p.verdict === 'leak' &&
    p.kept === null &&
    p.confidence > c.confidence &&
    alike(bytes.slice(from), times.slice(from))
    ? { ...p, perCapture: true }
    : c;
}

// A pause: one interval between captures 5 times the median one or more (and every other under 5
// times: several long ones are a clock, not a pause), in a series of 4 steps or more. Intervals that
// grow steadily (captures of a growing heap, a cache sampled ever more rarely) are no pause.
function onePause(x: readonly number[]): { clock: number[]; step: number; seconds: number } | null {
  const gaps = x.slice(1).map((t, i) => t - x[i]!);
  if (gaps.length < 4) return null;
  const median = [...gaps].sort((a, b) => a - b)[gaps.length >> 1]!;
  const long = gaps.flatMap((g, i) => (g >= 5 * median ? [i] : []));
  if (long.length !== 1 || !(median > 0)) return null;
  const step = long[0]!;
  const clock = [0];
  for (let i = 0; i < gaps.length; i++) clock.push(clock[i]! + (i === step ? median : gaps[i]!));
  return { clock, step, seconds: gaps[step]! };
}

/**
 * Whether a site, not shrinking across the pause at step `at`, grew at every step after it (two or
 * more, with the step across it when that grew; a last step of nothing after three or more aside, an
 * exit snapshot), by half its usual step before it or more at the median (a ring that filled across a pause then added 235 bytes, 125 bytes
 * read as a leak; a leak of random steps, one of them small, was missed).
 */
function grewOn(bytes: readonly number[], at: number): boolean {
  const steps = bytes.slice(1).map((b, i) => b - bytes[i]!);
  const grown = steps.slice(0, at).filter((d) => d > 0);
  // The step across the pause counts when it grew (between two checkpoints, it adds nothing).
  const after = steps.slice(steps[at]! > 0 ? at : at + 1);
  if (after.length >= 3 && after[after.length - 1] === 0) after.pop();
  // Across a pause before the last capture, as much as it grew before (a list grown by chunks, 18 to 56 KiB
  // a capture 70 ms apart, then 63 KiB over 1 s to the last, read "grew, then stopped"; h390).
  // Not growth slowing before it: a bounded dict filling ever slower (steps 340 to 93 KiB) read a leak (h394).
  if (steps[at]! > 0 && at === steps.length - 1 && grown.length >= 3) {
    const third = Math.max(1, Math.floor(grown.length / 3));
    const steady = median(grown.slice(-third)) >= 0.75 * median(grown.slice(0, third));
    return steady && steps[at]! >= median(grown) / 2;
  }
  if (steps[at]! < 0 || at + 1 >= steps.length || !grown.length || after.length < 2) return false;
  return after.every((d) => d > 0) && median(after) >= median(grown) / 2;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// Every step grew, the largest by at most 1.1 times the smallest: a cache filling at intervals that
// grow 1.2-1.3 times each can keep its steps within 1.5 times for 5-7 captures (a hump: they rise, then
// fall), a steady amount of work between captures keeps them within a few percent. A last step of
// nothing taken no later than the longest interval before it is left out: a run's exit snapshot,
// right after its last checkpoint (a steady leak of `arenascope run` read "slowing", and the gate
// passed); after a longer wait, it is what shows the growth stopped (a cache that filled). The first
// step may be smaller, which is no slowing: a new int kept at every call allocates none for CPython's
// cached ints up to 256, and a leak of 69.5 KiB, then 75.7-77.5 KiB at every step read "slowing" by
// intervals that grew from 13 to 60 ms; the gate passed it (fixtures/leaks/small_ints, helper h239).
function alike(bytes: readonly number[], times: readonly number[]): boolean {
  const steps = bytes.slice(1).map((b, i) => b - bytes[i]!);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const last = steps.length - 1;
  if (last >= 3 && steps[last] === 0 && gaps[last]! <= Math.max(...gaps.slice(0, last))) steps.pop();
  const rest = steps.length >= 3 ? steps.slice(1) : steps;
  const least = Math.min(...rest);
  return steps[0]! > 0 && steps[0]! <= 1.1 * least && least > 0 && Math.max(...rest) <= 1.1 * least;
}

// The series judged after leaving out a spike at the start (see classify).
function judgeFrom(
  bytes: readonly number[],
  x: readonly number[],
  minGrowth: number,
  blocks: readonly number[] | null,
): Classification {
  const s = startupSpike(bytes, x, minGrowth);
  if (s === 0) return judge(bytes, x, minGrowth, blocks);
  const c = judge(
    bytes.slice(s),
    x.slice(s).map((t) => t - x[s]!),
    minGrowth,
    blocks?.slice(s) ?? null,
  );
  return {
    ...c,
    judgedFrom: s,
    lastThirdFrom: c.lastThirdFrom + s,
    kept: c.kept && { ...c.kept, fromCapture: c.kept.fromCapture + s },
  };
}

// Whether growth that passes for a leak is ups and downs that keep nothing: the site fell back to
// within m/4 of its lowest in the last third after it had risen m above it (a sawtooth), or the last
// third fell to its lowest and that is within m/4 of the middle third's (an oscillation that ends
// on a high). A fall, from the middle third on, is one of m/4 or more and of a quarter of what the
// last third then rises or more: an oscillation gives back what it rose; a leak that only starts in
// the last third falls there by little or nothing (one 16-byte buffer freed before the last capture
// read a late leak of 196 KiB as a plateau of confidence 0, and the gate passed).
function upsAndDowns(bytes: readonly number[], kept: readonly number[], j: number, k: number, m: number): boolean {
  const risen = Math.max(...bytes.slice(0, k + 1)) - kept[0]!;
  if (kept[k]! - kept[0]! < m / 4 && risen >= m) return true;
  if (toothAgain(bytes, kept, j, m) !== null) return true;
  if (k <= j) return false;
  const late = bytes.slice(k);
  const low = Math.min(...late);
  const at = late.indexOf(low);
  // A fall to the last third's lowest, from the middle third on: of m/4 or more, and of a quarter
  // of what the last third then rises or more (a temporary freed before a late leak is no
  // oscillation: 20 KiB before 300 KiB, 30 KiB before 1.2 MiB read plateaus).
  const fall = Math.max(...bytes.slice(j, k + at + 1)) - low;
  return fall >= m / 4 && fall >= (Math.max(...late) - low) / 4 && low - Math.min(...bytes.slice(j, k)) < m / 4;
}

// A tooth again: the site fell back to within m/4 of its lowest at a capture from the middle third on,
// after rising m above it, and has not risen m/4 above its height before that fall since: the rise
// after it repeats one it gave back. (An outbox flushed to empty every 4th step, captured at uneven
// intervals, had its last third start after the flush: what it kept rose there, and read a leak.)
// Returns the share of its rise it gave back at that fall, or null.
function toothAgain(bytes: readonly number[], kept: readonly number[], j: number, m: number): number | null {
  const low = kept[0]!;
  for (let r = bytes.length - 1; r >= Math.max(j, 1); r--) {
    if (bytes[r]! - low >= m / 4) continue;
    const before = Math.max(...bytes.slice(0, r));
    if (before - low < m) continue;
    return Math.max(...bytes.slice(r)) < before + m / 4 ? (before - bytes[r]!) / (before - low) : null;
  }
  return null;
}

/**
 * A site's values from where chance can order them: a first capture taken before the site held
 * anything (under m/4, the least of all) is below every later value whatever their order, so told
 * from chance from the second capture on. A request's body of random size, nothing kept, first
 * captured before any request, read a leak "kept" in 4 runs of 6 (helper h222), a buffer of random size
 * first captured before it was made in 13 series of 50 (fixtures/leaks/random_buffer), and by its bytes
 * 6 series of 30 at 4 captures, 2 of 30 at 7 (h306).
 */
function fromItsStart(bytes: readonly number[], m: number): readonly number[] {
  return bytes[0]! < m / 4 && bytes.slice(1).every((b) => b > bytes[0]!) ? bytes.slice(1) : bytes;
}

/**
 * Whether the raises of what a site kept tell a floor rising from chance: values in no order (a queue
 * refilled to a random length at every capture) have a lowest that rises towards the end too, the
 * last third's lowest being the lowest of fewer values. In n values in random order, the lowest from
 * each capture on takes H(n) = 1 + 1/2 + … + 1/n values on average (3.1 for 12, so 2.1 raises), with a
 * variance of H(n) - (1 + 1/4 + … + 1/n²). Told from chance: `raised` (its raises of `crumb` or more)
 * 3 or more, and either as often as that mean and twice its deviation, or with the values themselves
 * rising (risingBeyondChance).
 * Raises as many as the mean alone were chance: a buffer of random size, 0-4 MB, replaced at each of
 * 20 captures read a leak "kept" of 0.71, and the gate failed for 16 seeds of 100 (helper h222).
 */
function raisedBeyondChance(
  bytes: readonly number[],
  kept: readonly number[],
  raised: number,
  crumb: number,
  m: number,
): boolean {
  const values = fromItsStart(bytes, m);
  const from = bytes.length - values.length;
  let late = 0;
  for (let i = from; i + 1 < kept.length; i++) if (kept[i + 1]! - kept[i]! >= crumb) late++;
  let h = 0;
  let h2 = 0;
  for (let i = 1; i <= values.length; i++) {
    h += 1 / i;
    h2 += 1 / (i * i);
  }
  return raised >= 3 && (late >= h + 2 * Math.sqrt(h - h2) || risingBeyondChance(values));
}

/**
 * Whether the values rise in the order of the captures beyond what values in random order do: by
 * Mann-Kendall's test, one-sided at 5% (of every two captures, the later the larger more often than
 * chance gives: S, the sum of the signs, against its deviation sqrt(n(n-1)(2n+5)/18), less 1 for
 * continuity). Values that only rose pass from 4 captures on. Or, of a sawtooth, its troughs and its
 * peaks together (each tested as a series of their own, the sums and variances added): a leak under
 * a gc sawtooth of 6 captures rises 3 troughs and 3 peaks, its values alone no proof.
 */
function risingBeyondChance(bytes: readonly number[]): boolean {
  const one = kendall(bytes);
  const troughs = kendall(
    bytes.filter((b, i) => (i === 0 || b <= bytes[i - 1]!) && (i === bytes.length - 1 || b <= bytes[i + 1]!)),
  );
  const peaks = kendall(
    bytes.filter((b, i) => (i === 0 || b >= bytes[i - 1]!) && (i === bytes.length - 1 || b >= bytes[i + 1]!)),
  );
  const beyond = (s: number, v: number): boolean => s > 0 && (s - 1) / Math.sqrt(v) >= RISING_Z;
  return beyond(one.s, one.v) || beyond(troughs.s + peaks.s, troughs.v + peaks.v);
}

// Mann-Kendall's S of a series and its variance when the values are in random order.
function kendall(v: readonly number[]): { s: number; v: number } {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(v[j]! - v[i]!);
  return { s, v: (n * (n - 1) * (2 * n + 5)) / 18 };
}
// One-sided 5% of the normal distribution.
const RISING_Z = 1.645;

/**
 * Whether the site stopped growing for its last captures, longer than it ever paused before: 3 steps
 * or more adding under m/4 in all, over a quarter of the clock's span or half its steps or more (`over`
 * 'time': the clock's span only), more steps than any run of steps each under m/4 before its last
 * growth (or, 5 or more, twice any run there within a band of m/4). A cache filled in two slow steps, then flat
 * for 7 fast captures, had its last third by the clock start before its last growth, and read a leak
 * (0.5; the gate failed). A leak that grows every few captures pauses as long before.
 */
function stoppedLast(
  bytes: readonly number[],
  x: readonly number[],
  m: number,
  over: 'steps' | 'time' = 'steps',
): boolean {
  const steps = bytes.length - 1;
  let from = steps;
  while (from > 0 && bytes[steps]! - bytes[from - 1]! < m / 4 && bytes[from]! - bytes[from - 1]! < m / 4) from--;
  const tail = steps - from;
  // Captures before anything happened (each within crumbs of the first: nothing made yet, or a file's
  // other lines' constant bytes) are neither a pause nor part of its span: a bounded lru_cache made after
  // 4 captures, its table resized once after it filled, then flat for its last 4 captures (24.8% of the
  // span from capture 1, 40% from its last capture of nothing) read a leak, and the gate failed (h331 F1).
  const crumbs = m / (2 * steps);
  let z = 0;
  while (z < from && Math.abs(bytes[z + 1]! - bytes[0]!) < crumbs) z++;
  const short = 4 * (x[steps]! - x[from]!) < x[steps]! - x[z]!;
  if (tail < 3 || (short && (over === 'time' || 2 * tail < steps - z))) return false;
  // Half the steps but a short time: stopped only if it grew slower than before, a quarter of its rate
  // or less (a leak at a steady rate per second, its last 5 captures 2 ms apart, each adding crumbs:
  // "grew, then stopped", and the gate passed).
  const rate = (a: number, b: number): number => (bytes[b]! - bytes[a]!) / (x[b]! - x[a]!);
  if (short && from > z && 4 * rate(from, steps) >= rate(z, from)) return false;
  // Longer than any run of steps each under m/4 before it; or, 5 steps or more, over twice as long as
  // any run before it within a band of m/4 (a dict's table growing a few KiB at every step before a
  // bounded cache filled made one long run of small steps, and the cache, flat for its last 13
  // captures, read a leak and failed the gate, h252; by the band alone, a leak of 8 KiB a step under a
  // working set of 0-24 KiB, its last 3 steps netting under m/4 by chance, read a plateau, h253).
  let run = 0;
  let longest = 0;
  for (let i = z; i < from; i++) {
    run = bytes[i + 1]! - bytes[i]! < m / 4 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return tail > longest || (tail >= 5 && tail > 2 * longestPause(bytes.slice(z, from + 1), m / 4));
}

/**
 * The most steps in a row over which a series stays within a band narrower than `band` (steps adding
 * under it in all, not each). Sliding the window's start on, the extremes kept in two monotonic queues.
 */
function longestPause(v: readonly number[], band: number): number {
  const low: number[] = [];
  const high: number[] = [];
  let [lo, hi, start, longest] = [0, 0, 0, 0];
  for (let i = 0; i < v.length; i++) {
    while (low.length > lo && v[low[low.length - 1]!]! >= v[i]!) low.pop();
    low.push(i);
    while (high.length > hi && v[high[high.length - 1]!]! <= v[i]!) high.pop();
    high.push(i);
    while (v[high[hi]!]! - v[low[lo]!]! >= band) {
      start++;
      if (low[lo]! < start) lo++;
      if (high[hi]! < start) hi++;
    }
    longest = Math.max(longest, i - start);
  }
  return longest;
}

/**
 * The steps after the last step up when the series' growth since a pause is that one step: a pause of
 * 3 steps or more adding under m/4 in all (or 2, after 3 steps or more none of them in such a run),
 * over twice as long as any run of such steps before it (a
 * leak in bursts pauses about as long between them); then one step of m/4 or more; then 2 steps or
 * more adding under m/4 in all. Else 0. Never when its blocks rose at every step from the pause on: a
 * cache resized once is full and holds as many objects all along (a steady leak of 12 KiB a capture
 * under a working set of 2-4 times that read a plateau in 2-7% of seeds, its blocks 4, 6, ..., 26).
 */
function oneStepAfterPause(bytes: readonly number[], m: number, blocks: readonly number[] | null): number {
  const steps = bytes.length - 1;
  let at = steps - 1;
  while (at >= 0 && bytes[at + 1]! - bytes[at]! < m / 4) at--;
  const tail = steps - 1 - at;
  if (at < 0 || tail < 1 || bytes[steps]! - bytes[at + 1]! >= m / 4 || bytes[at + 1]! - bytes[at]! < m / 4) return 0;
  let from = at;
  while (from > 0 && bytes[at]! - bytes[from - 1]! < m / 4 && bytes[from]! - bytes[from - 1]! < m / 4) from--;
  const pause = at - from;
  // One step after it is enough when the step made no block, nor the step after it (after a pause of 3
  // steps or more), where the filling made objects (10 blocks or more): a full table resized in place,
  // not objects made (an lru_cache flat at 197 KiB for 8 captures, then its table resized before the
  // last 2, read a leak of 0.86; h283). Not one object growing (a global bytearray appended to in work
  // phases is one block all along: it read a plateau, and the gate passed; h289).
  const made = blocks ? blocks.findIndex((b) => b > 0) : -1;
  const inPlace =
    blocks !== null &&
    pause >= 3 &&
    made >= 0 &&
    blocks[from]! - blocks[made]! >= 10 &&
    blocks.slice(at).every((b) => b === blocks[at]);
  if (tail < 2 && !inPlace) return 0;
  // A pause of 2 steps is one only after 3 steps or more that all grew (no run before it, below): a
  // functools.lru_cache that reached its maxsize, flat for 2 captures, then its table doubled once as
  // evictions used up its free slots, read a leak of 0.80, and the gate failed it.
  if (pause < 2 || (pause === 2 && from < 3)) return 0;
  if (blocks?.slice(from).every((b, i) => i === 0 || b > blocks[from + i - 1]!)) return 0;
  // Runs before it as the pause is measured: steps adding under m/4 in all (a cache filling in small
  // steps pauses at none of them).
  let start = 0;
  for (let i = 0; i < from; i++) {
    if (bytes[i + 1]! - bytes[start]! >= m / 4 || bytes[i + 1]! - bytes[i]! >= m / 4) start = i + 1;
    if (2 * (i + 1 - start) >= pause) return 0;
  }
  return tail;
}

/**
 * The phases of growth of a series that grows in phases, or 0. Pauses: runs of 2 steps or more, each
 * step under m/4 up or down, m/4 apart or less from end to end (a cache expiring a sixth at every
 * idle step falls more: no pause; its refill after one read a leak in 5 phases, h293). The level of a
 * pause, its lowest; of the series' end, its last capture. 3 phases or more: each pause's level and the
 * end's m/4 or more above the pause's before it, m or more above the first pause's (a temporary freed at
 * each pause leaves what was kept), and the steps since the last growth (a pause not yet over) shorter
 * than the longest pause (idle gaps of 3 and 5 captures, the second slower, read a plateau when pauses
 * had to be alike, h293).
 */
function growthPhases(bytes: readonly number[], x: readonly number[], m: number): number {
  const steps = bytes.length - 1;
  const small = (i: number): boolean => Math.abs(bytes[i + 1]! - bytes[i]!) < m / 4;
  const pauses: { from: number; to: number; level: number }[] = [];
  let tail = steps;
  for (let a = 0; a < steps; ) {
    if (!small(a)) {
      a++;
      continue;
    }
    let b = a;
    while (b < steps && small(b)) b++;
    if (b === steps) tail = a;
    else if (a > 0 && b - a >= 2 && Math.abs(bytes[b]! - bytes[a]!) < m / 4)
      pauses.push({ from: a, to: b, level: Math.min(...bytes.slice(a, b + 1)) });
    a = b;
  }
  if (pauses.length < 2) return 0;
  if (x[steps]! - x[tail]! >= Math.max(...pauses.map((p) => x[p.to]! - x[p.from]!))) return 0;
  const levels = [...pauses.map((p) => p.level), bytes[steps]!];
  for (let p = 1; p < levels.length; p++) if (levels[p]! - levels[p - 1]! < m / 4) return 0;
  return levels[levels.length - 1]! - levels[0]! >= m ? levels.length : 0;
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
// the capture of the first third's lowest value, when a spike before it, rising from the start with
// no fall of m on the way, stands m above it and m/4 above every capture after it, it is the lowest from there on (a site that goes on
// shrinking has no spike, only a fall) and 4 captures or more remain (3 values in no order rise one time
// in six: a working set of random size read a leak of 0.50 from capture 2 of 4); else 0.
function startupSpike(bytes: readonly number[], x: readonly number[], minGrowth: number): number {
  const { j } = thirds(x);
  let low = 0;
  for (let i = 1; i <= j; i++) if (bytes[i]! <= bytes[low]!) low = i;
  if (low === 0 || bytes.length - low < 4) return 0;
  const before = bytes.slice(0, low + 1);
  const top = Math.max(...before);
  // A spike rises from the start: a fall of m before the top is ups and downs already (bursts).
  const topAt = before.indexOf(top);
  for (let i = 1; i <= topAt; i++) if (Math.max(...before.slice(0, i)) - before[i]! >= minGrowth) return 0;
  const after = bytes.slice(low);
  // Never reached again: everything after stays m/4 below it (a sawtooth peaking at 688 KiB after
  // 691 KiB is the same peak again, not a start-up spike).
  return top - bytes[low]! >= minGrowth && Math.max(...after) < top - minGrowth / 4 && Math.min(...after) === bytes[low]
    ? low
    : 0;
}

/**
 * A site's series judged as a whole; or, when that finds no leak and the site rose from nothing, from
 * its first bytes on. Its rise from nothing is the site being made, often with a backlog's burst far
 * above its later steps: a leak of 109 KiB a capture after a 3.4 MiB backlog, 7 steps all growing, read
 * "plateau" at 8 captures and the gate passed it; begun before capture 1, it read "leak 0.78" (h331 F2).
 * Judged so when that rise was a burst, a step over twice any later one, 6 captures or more come from
 * it, and they grew by the growth that counts.
 */
function judge(
  bytes: readonly number[],
  x: readonly number[],
  minGrowth: number,
  blocks: readonly number[] | null,
): Classification {
  const whole = judgeSeries(bytes, x, minGrowth, blocks);
  if (whole.verdict === 'leak') return whole;
  const steps = bytes.length - 1;
  // Made where it left its first level, next to nothing: none, or a few records it held before the burst
  // (395 bytes of 3 early requests before a 3.7 MB backlog and a steady leak read "plateau" and the gate
  // passed it; by file, the file's other lines' constant bytes did so; h334 F3).
  const crumbs = minGrowth / (2 * steps);
  if (bytes[0]! >= crumbs) return whole;
  let made = 0;
  while (made < steps && Math.abs(bytes[made]! - bytes[0]!) < crumbs) made++;
  if (made === 0 || bytes.length - made < SLOWING_MIN_CAPTURES || bytes[steps]! - bytes[made]! < minGrowth)
    return whole;
  // A burst: over twice any step after it (a first step like the later ones is judged with them).
  let largest = 0;
  for (let i = made; i < steps; i++) largest = Math.max(largest, bytes[i + 1]! - bytes[i]!);
  if (bytes[made]! - bytes[made - 1]! <= 2 * largest) return whole;
  const after = judgedFrom(bytes, x, minGrowth, blocks, made);
  return after.verdict === 'leak' ? after : whole;
}

/** The series judged from capture `from` on, its captures numbered as in the whole. */
function judgedFrom(
  bytes: readonly number[],
  x: readonly number[],
  minGrowth: number,
  blocks: readonly number[] | null,
  from: number,
): Classification {
  const after = judge(
    bytes.slice(from),
    x.slice(from).map((t) => t - x[from]!),
    minGrowth,
    blocks?.slice(from) ?? null,
  );
  // The steps before it are counted as they went ("shrank in 1" of a series that never fell).
  const crumbs = minGrowth / (2 * (bytes.length - 1));
  let [grew, notShrunk] = [after.stepsGrowing, after.stepsNotShrinking];
  for (let i = 0; i < from; i++) {
    if (bytes[i + 1]! > bytes[i]!) grew++;
    if (bytes[i + 1]! - bytes[i]! > -crumbs) notShrunk++;
  }
  return {
    ...after,
    stepsGrowing: grew,
    stepsNotShrinking: notShrunk,
    judgedFrom: after.judgedFrom + from,
    lastThirdFrom: after.lastThirdFrom + from,
    kept: after.kept && { ...after.kept, fromCapture: after.kept.fromCapture + from },
  };
}

function judgeSeries(
  bytes: readonly number[],
  x: readonly number[],
  minGrowth: number,
  blocks: readonly number[] | null,
): Classification {
  const n = bytes.length;
  const steps = n - 1;
  const span = x[steps]!;
  // A site that held nothing at its first captures did not exist yet: its steps of nothing tell nothing
  // of how its growth changes. Slowing is judged from the last capture before it first held bytes
  // (a list's entries replaced at random by another line, that line's growth halving as it took the
  // slots, read "leak" for a capture taken before the line ran, where the rise from nothing was its
  // one step and not two; without that capture, "slowing").
  // A step that fell by crumbs (under half a step of the growth that counts spread over the series)
  // did not shrink: a 48-byte temporary caught at a capture and gone at the next, at each of a leak's
  // 3 bursts of 117 KiB, put it at 0.44 ("shrank in 3"), under the gate's 0.5.
  const crumbs = minGrowth / (2 * steps);
  let lead = 0;
  while (lead < steps - 1 && bytes[lead]! === 0 && bytes[lead + 1]! === 0) lead++;
  if (lead > 0 && n - lead >= SLOWING_MIN_CAPTURES) {
    const after = judgedFrom(bytes, x, minGrowth, blocks, lead);
    // Its rise from nothing is its first step, often a burst (a backlog drained at its first run): the
    // steps after it must fall too (a steady leak after a burst of 300 requests read "slowing", h326).
    const rates: number[] = [];
    const lengths: number[] = [];
    for (let i = lead + 1; i < steps; i++) {
      lengths.push(x[i + 1]! - x[i]!);
      rates.push((bytes[i + 1]! - bytes[i]!) / lengths[lengths.length - 1]!);
    }
    // (So is a plateau: a cache made after the first captures, its steps halving, read "leak 0.71" by the
    // steps of nothing before it, which made its last third look like a steady rise's; h329.)
    if (
      (after.verdict === 'slowing' || after.verdict === 'plateau') &&
      weightedRisingShare(rates, lengths) <= SLOWING_RISING_SHARE
    )
      return after;
  }
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
  // Steps of a quarter of the growth that counts or more, the last of them, and what the others added.
  let big = 0;
  let bigAt = -1;
  for (let i = 0; i < steps; i++) {
    const d = bytes[i + 1]! - bytes[i]!;
    lengths.push(x[i + 1]! - x[i]!);
    rates.push(d / lengths[i]!);
    if (d > 0) grew++;
    if (d > -crumbs) notShrunk++;
    if (d >= minGrowth / 4) {
      big++;
      bigAt = i;
    }
  }
  // One step up before the last capture, less than the growth that counts before it and crumbs after
  // it: a table built once (289 B made before it, or 18 KB in crumbs, made it a leak).
  const stepUp =
    big === 1 && bigAt < steps - 1 && bytes[bigAt]! - first < minGrowth && last - bytes[bigAt + 1]! < minGrowth / 4;
  // One step up with growth after it that counts: what came after it is judged, as the series (a leak
  // of 10 KiB a capture, the same line's 1 MiB buffer once before it, read as a plateau).
  if (big === 1 && !stepUp && bigAt < steps - 2 && last - bytes[bigAt + 1]! >= minGrowth) {
    const after = judgedFrom(bytes, x, minGrowth, blocks, bigAt + 1);
    if (after.verdict === 'leak') return after;
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
    lastThirdFrom: k,
    kept,
    judgedFrom: 0,
    perCapture: false,
    pause: null,
    blocksRose: false,
    phases: 0,
  });
  // Filled, then a pause over twice as long as any before it, one step up, and flat since: a bounded cache whose
  // table was resized once more (an OrderedDict evicting at 1500 entries, flat at 204 KiB for 11
  // captures, then 287 KiB for the last 5, read a leak of 0.91, and the gate failed it).
  const resized = oneStepAfterPause(bytes, minGrowth, blocks);
  if (g >= minGrowth && resized > 0) return result('plateau', support(resized));
  // What the site kept: kept[i], the lowest it fell to from capture i on.
  const kept = [...bytes];
  for (let i = steps - 1; i >= 0; i--) kept[i] = Math.min(kept[i]!, kept[i + 1]!);
  // A leak by its bytes (first to last, the last third), and by what it kept (below): a leak's sawtooth
  // of gc collections, its lows rising, read 0.49 by its bytes where its last third began at a low, 0.60
  // by what it kept, and the gate passed it as by chance of its capture times (h292).
  let byBytes: Classification | null = null;
  // A series that also fell (by a quarter of the growth that counts) rises beyond chance to be a leak
  // by its bytes (a buffer of random size replaced at each capture: fixtures/leaks/random_buffer).
  let fell = false;
  for (let i = 0; i < steps; i++) if (bytes[i]! - bytes[i + 1]! >= minGrowth / 4) fell = true;
  // Or grew at each of its 4 steps or more since its last fall, by the growth that counts: a cache purged once
  // and never again, growing at every capture since (a random buffer rises so 1 time in 120 or less).
  let lastFall = -1;
  for (let i = 0; i < steps; i++) if (bytes[i]! - bytes[i + 1]! >= minGrowth / 4) lastFall = i;
  let grewSince = lastFall >= 0 && steps - lastFall - 1 >= 4 && last - bytes[lastFall + 1]! >= minGrowth;
  for (let i = lastFall + 1; grewSince && i < steps; i++) if (bytes[i + 1]! - bytes[i]! < crumbs) grewSince = false;
  const risesBeyondChance = !fell || grewSince || risingBeyondChance(fromItsStart(bytes, minGrowth));
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
      if (rising <= SLOWING_RISING_SHARE && r3 <= r1 / 2 && (!middle || r3 <= 0.75 * r2))
        return result('slowing', (1 - 2 * rising) * support(steps));
    }
    // Growth in the last step alone (before it the site had grown less than m/4) is the evidence
    // of one growing step, whatever crumbs the others added: a burst in the last capture read as a
    // leak of confidence 0.6 for 3 steps of a few bytes before it. (Not the largest step wherever
    // it is: a temporary caught at one capture is the largest step of a steady leak.)
    const oneStep = bytes[steps - 1]! - first < minGrowth / 4;
    // One step up before the last, flat after it (crumbs aside), stopped: a table built once in the
    // last third read as a leak (as the kept memory's rule, which asks for three raises). (Judged by
    // what it kept too, below: the surer of the two stands.)
    if (
      !stepUp &&
      lastThird >= expected / 2 &&
      notShrunk / steps >= 0.6 &&
      !upsAndDowns(bytes, kept, j, k, minGrowth) &&
      !stoppedLast(bytes, x, minGrowth) &&
      risesBeyondChance
    )
      byBytes = result('leak', (notShrunk / steps) * support(oneStep ? 1 : grew));
  }
  const keptRise = kept[k]! - kept[0]!;
  const keptLate = kept[steps]! - kept[k]!;
  const keptExpected = ((kept[steps]! - kept[0]!) * (span - x[k]!)) / span;
  // Steps that raised what it kept: one or two are a step up, not a leak. Not by crumbs (under half a
  // step of the growth that counts spread over the series): a sawtooth ending on a high, its lows flat
  // but for 56 bytes of a list's growth, read a leak of 0.67 by three raises (its warm-up, those
  // bytes, that high) and the gate failed. (The raise into the last capture counts: a leak under a gc
  // sawtooth of 6 captures ending on a high raises its lows at two steps before it.)
  let raised = 0;
  for (let i = 0; i < steps; i++) if (kept[i + 1]! - kept[i]! >= minGrowth / (2 * steps)) raised++;
  const tooth = toothAgain(bytes, kept, j, minGrowth);
  if (
    keptRise >= minGrowth &&
    keptLate >= keptExpected / 2 &&
    raisedBeyondChance(bytes, kept, raised, minGrowth / (2 * steps), minGrowth) &&
    tooth === null &&
    // Not when it stopped for a quarter of the clock's span or more, longer than it ever paused before (a
    // bounded lru_cache, flat for its last 13 captures, read "kept" a leak; the gate failed, h252). A
    // leak's last captures taken fast, each adding crumbs, stop for no time (fixtures/leaks/ups_and_downs).
    !stoppedLast(bytes, x, minGrowth, 'time')
  ) {
    // Confidence: how many steps raised what it kept, as for the other verdicts.
    const byKept = result('leak', support(raised), { growthBytes: keptRise, floorBytes: kept[k]!, fromCapture: k + 1 });
    return byBytes && byBytes.confidence >= byKept.confidence ? byBytes : byKept;
  }
  if (byBytes) return byBytes;
  // A sawtooth ending on a high: it rose and fell back, and rises again no higher (toothAgain).
  if (g >= minGrowth && tooth !== null) return result('transient', tooth);
  if (g >= minGrowth) {
    const expected = (g * (span - x[k]!)) / span;
    // Every step of its last third grew, adding the growth that counts and a quarter of a steady rise
    // or more, with most steps growing: it did not stop ("grew, then stopped" of a set that grew at
    // all 13 steps, 168 KiB in the last third; the gate passed it). A leak, by as much less sure as
    // the last third fell short of half a steady rise.
    // By more than crumbs (under half a step of the growth that counts spread over the series): a
    // pytest run's 3 captures, 0, 102 and 103 KiB of a file's sites at uneven times (its last third by
    // the clock all of it), read a leak of 0.50 by a last step of 784 bytes, and the gate failed.
    let lateGrew = true;
    for (let i = k; i < steps; i++) if (!(bytes[i + 1]! - bytes[i]! >= minGrowth / (2 * steps))) lateGrew = false;
    if (
      lateGrew &&
      lastThird >= minGrowth &&
      lastThird >= expected / 4 &&
      grew / steps >= 0.6 &&
      !upsAndDowns(bytes, kept, j, k, minGrowth) &&
      risesBeyondChance
    )
      return result('leak', (grew / steps) * support(grew) * Math.min(1, lastThird / Math.max(expected / 2, 1)));
    // One step up: as sure as the steps after it stayed flat.
    if (stepUp) return result('plateau', support(steps - 1 - bigAt));
    // Grew again after each of two pauses or more, and has not been flat since for as long as it
    // paused: growth in work phases (a batch job's global buffer growing for 4 captures, then idle for
    // 4, read "grew, then stopped" when its last third held one phase's start; the gate passed, h289).
    const phases = growthPhases(bytes, x, minGrowth);
    if (phases >= 3) return { ...result('leak', support(phases - 1)), phases };
    // Still growing over its last third (half a steady rise or more, and no stop for its last captures),
    // but with ups and downs that do not show a leak beyond chance: neither a leak nor a plateau. (A leak
    // of one caller under another's sawtooth at the same line, and an outbox keeping 10% of each flush,
    // read "grew, then stopped" at confidence 0, their last thirds 2.6 times a steady rise; the gate passed.)
    // As sure as the last third did not stop.
    if (lastThird >= expected / 2 && !stoppedLast(bytes, x, minGrowth))
      return result('uneven', Math.min(1, lastThird / Math.max(expected, 1)) * support(steps - k));
    // Confidence in a plateau: how little the last third added, over how many steps.
    return result('plateau', (1 - Math.max(0, lastThird) / Math.max(expected, 1)) * support(steps - k));
  }
  const rise = Math.max(...bytes) - first;
  // Rose m above its start at some capture and fell back below it: memory held, then given back, as
  // transient as one that came back to its start (rows cleared before the last capture, a sawtooth
  // ending at a trough, read "shrinking": fixtures/leaks/given_back). Shrinking never rose so far.
  if (rise >= minGrowth) return result('transient', 1 - Math.max(0, g) / rise);
  if (g <= -minGrowth) return result('shrinking', ((steps - notShrunk) / steps) * support(steps - notShrunk));
  return result('stable', 1 - Math.abs(g) / minGrowth);
}
