// The `replay` query: the model's figures per capture in both orders, next to the real
// allocator's when its reports (sys._debugmallocstats) were captured alongside, and the
// fragmentation verdict with the figures the evidence supports (real, or the model's best/worst case).

import {
  type AllocatorStats,
  buildsApart,
  type MallocStatsBlock,
  printedAtNewArena,
} from '../../model/allocator-stats.js';
import { librariesOf, python3Minor, type Snapshot } from '../../model/snapshot.js';
import { judgedCapture } from '../../model/snapshot-series.js';
import { isListing } from '../../model/source.js';
import { InputError, UsageError } from '../../util/errors.js';
import { fmtBytes } from '../../util/text.js';
import type { PinningSite } from './fragmentation.js';
import { DEFAULT_PYTHON, GEOMETRIES, geometry } from './geometry.js';
import { pairAllocatorReports, pairedCaptures } from './pairing.js';
import {
  type Churn,
  MAX_LIVE_BLOCKS,
  type ModelState,
  type ReplayOrder,
  replay,
  UNKNOWN_CHURN,
  UNTRACED_SITE,
} from './replay.js';
import { seriesGroups } from './series.js';

/** The most blocks a capture may hold to be replayed: 4 bytes of model a block, and a bound on time. */
export const MAX_REPLAY_BLOCKS = 1 << 27;

/** The figures the `replay` output gives for the model (both orders) and for the real allocator. */
export interface AllocatorFigures {
  readonly arenas: number;
  readonly arenasHighwater: number;
  /** Pools partly used / full / empty and cached; null for the real allocator, whose report does
   * not tell them apart. */
  readonly poolsUsed: number | null;
  readonly poolsFull: number | null;
  readonly poolsEmpty: number | null;
  /** Pools with at least one block; null when a real report's size-class table is incomplete. */
  readonly poolsWithBlocks: number | null;
  readonly bytesInAllocatedBlocks: number;
  /** Bytes in allocated blocks over bytes in arenas. */
  readonly utilization: number;
  readonly stats: MallocStatsBlock;
}

export interface ModelFigures extends AllocatorFigures {
  readonly pinnedArenas: number;
  readonly releasableBytes: number;
  readonly emptyPoolBytes: number;
  readonly partlyUsedPools: number;
  readonly occupancy: readonly number[];
  readonly pinningSites: readonly PinningSite[];
  readonly largeBlocks: number;
  readonly largeBytes: number;
}

export interface CaptureComparison {
  readonly label: string;
  readonly compact: ModelFigures;
  readonly scattered: ModelFigures;
  readonly real: AllocatorFigures | null;
  /** Blocks made and freed since the previous capture, as the scattered order modelled them. */
  readonly churn: Churn;
  /** Arenas gained since the first capture: the model's range, and the real one when known. */
  readonly arenasSinceFirst: { readonly compact: number; readonly scattered: number; readonly real: number | null };
}

export interface ReplayReport {
  readonly python: string;
  readonly arenaSize: number;
  readonly poolSize: number;
  readonly captures: readonly CaptureComparison[];
  /** Things to know about the comparison (e.g. reports of another arena size than the model's). */
  readonly warnings: readonly string[];
  /** What the model assumed where the captures do not tell (churn of unknown size). */
  readonly assumptions: readonly string[];
  /**
   * The capture the verdict and the evidence are of: the last, or the one before a run's exit
   * capture (see judgedCapture) unless the exit capture is the more fragmented.
   */
  readonly judged: number;
  /** Blocks the model started with, from the first capture's real report (allocated before tracing). */
  readonly untracedBlocks: number;
  /** Is the last capture fragmented, why, and what to do next (see isFragmented). */
  readonly fragmented: FragmentedVerdict;
  /** The last capture's fragmentation figures, each labelled with the evidence it comes from. */
  readonly fragmentation: FragmentationEvidence;
}

export interface FragmentedVerdict {
  readonly verdict: 'yes' | 'no' | 'possibly' | 'unknown';
  readonly reason: string;
  /** The next step: the site to look at, or what to capture to tell. */
  readonly next: string;
}

/**
 * Fragmentation at the last capture. Stated as fact only with the real report: the arenas it holds
 * beyond those the live blocks need packed (the model's compact order). The model's pinned arenas
 * are ranges: its best case (compact order) and worst case (scattered order).
 */
export interface FragmentationEvidence {
  readonly basis: 'real' | 'model';
  /** Real arenas beyond the packed need; null without a real report. */
  readonly excessArenas: number | null;
  /** excessArenas in bytes: what packing the live blocks would give back to the system; null without. */
  readonly releasableBytes: number | null;
  readonly pinnedArenasBestCase: number;
  readonly pinnedArenasWorstCase: number;
  /**
   * What moving the blocks of the model's pinned arenas would give back, best and worst case (each
   * order's releasableBytes: the pinned arenas, no more than the arenas beyond the packed need).
   */
  readonly releasableBytesBestCase: number;
  readonly releasableBytesWorstCase: number;
  /** Bytes of empty pools of the compact and the scattered order (not best and worst: see emptyPools). */
  readonly emptyPoolBytesBestCase: number;
  readonly emptyPoolBytesWorstCase: number;
  /** The one number of fragmentation (see FragmentationMeasure); null from one capture without a real report. */
  readonly measure: FragmentationMeasure | null;
  /**
   * With the model's best case as the measure, the scattered order's (worstCaseFragmentation): no
   * bound on the real heap; null otherwise.
   */
  readonly worstCase: FragmentationMeasure | null;
  /**
   * Without a real report at the last capture, the latest capture that has one, and its real
   * measure (what the gate says beside the model's); null otherwise.
   */
  readonly earlierReal: {
    readonly label: string;
    readonly measure: FragmentationMeasure;
    /** The model's best case at that capture: how far it reads below the real heap of this program. */
    readonly model: FragmentationMeasure;
  } | null;
  /** The replay order pinningSites come from; null when none are listed. */
  readonly pinningSitesOrder: ReplayOrder | null;
  /** Why that order (or why no sites), in a sentence. */
  readonly pinningSitesBasis: string;
  readonly pinningSites: readonly RankedPinningSite[];
}

/**
 * A pinning site as ranked, and whether it was made after the largest frees (madeAfterFrees): such a
 * site fills the room the frees left, so the next step names those kept through them first; the
 * ranking says so beside it.
 */
export interface RankedPinningSite extends PinningSite {
  readonly madeAfterFrees: boolean;
}

/**
 * Beside a pinning site new since the capture before the largest frees, which the next step names after
 * those kept through them. Made between the same two captures as the frees, it may have been made before
 * them: the captures cannot tell (h304).
 */
export const MADE_AFTER = 'made since the capture before the largest frees: if after them, it fills the room they left';

function modelFigures(s: ModelState): ModelFigures {
  const f = s.fragmentation;
  return {
    arenas: s.arenas,
    arenasHighwater: s.arenasHighwater,
    poolsUsed: s.pools.used,
    poolsFull: s.pools.full,
    poolsEmpty: s.pools.empty,
    poolsWithBlocks: s.pools.used + s.pools.full,
    bytesInAllocatedBlocks: s.bytesInAllocatedBlocks,
    utilization: s.utilization,
    stats: s.stats,
    pinnedArenas: f.pinnedArenas,
    releasableBytes: f.releasableBytes,
    emptyPoolBytes: f.emptyPoolBytes,
    partlyUsedPools: f.partlyUsedPools,
    occupancy: f.occupancy,
    pinningSites: f.pinningSites,
    largeBlocks: s.largeBlocks,
    largeBytes: s.largeBytes,
  };
}

export function realFigures(b: MallocStatsBlock): AllocatorFigures {
  return {
    arenas: b.arenasCurrent,
    arenasHighwater: b.arenasHighwater,
    poolsUsed: null,
    poolsFull: null,
    poolsEmpty: null,
    poolsWithBlocks: b.complete === false ? null : b.classes.reduce((n, c) => n + c.pools, 0),
    bytesInAllocatedBlocks: b.bytesInAllocatedBlocks,
    utilization: b.arenaBytes ? b.bytesInAllocatedBlocks / b.arenaBytes : 0,
    stats: b,
  };
}

const pinned = (f: ModelFigures, share: number): boolean => f.pinnedArenas >= 2 && f.pinnedArenas >= f.arenas * share;

/**
 * Fragmentation as one number, the one definition `replay`, `report` and `gate` use: the share of the
 * arenas held that would go back to the system if the live blocks were packed (packedArenas). It
 * counts only from MIN_SPARE_ARENAS spare arenas (a small heap's one half-empty arena is not
 * fragmentation).
 */
export interface FragmentationMeasure {
  /**
   * real: the real report paired with the last snapshot; 'real report alone': a report with no
   * snapshot; 'model, best case': the model's compact order (no real report: what is fragmented
   * even at best).
   */
  readonly basis: 'real' | 'real report alone' | 'model, best case' | 'model, worst case';
  readonly heldArenas: number;
  /** Arenas the blocks in use need packed, by the report's (or the model's) own size-class table. */
  readonly neededArenas: number;
  /** heldArenas - neededArenas, 0 at least. */
  readonly spareArenas: number;
  /** spareArenas / heldArenas, 0 with no arena. */
  readonly share: number;
  /** A real report printed before a new arena (printedAtNewArena): it cannot show the room freed after it. */
  readonly atNewArena?: boolean;
}

/** Why a report printed before a new arena under the limit measures nothing, and what would. */
export const AT_NEW_ARENA = {
  reason:
    'the real report was printed by PYTHONMALLOCSTATS before a new arena, when every arena was full: ' +
    'room freed after it does not show',
  next: 'call sys._debugmallocstats() at the capture (or capture with `arenascope run --allocator`) to tell',
} as const;

/**
 * The first size class in which a capture traced far more blocks than a report holds in use (twice
 * and 1000 more), as [block size, traced, in use], or null. A report taken with the capture holds
 * every small block pymalloc served, which tracemalloc traced; raw allocations it traced too, never
 * pymalloc's, are why this tells no more than a doubt.
 */
function classShortOf(s: Snapshot, b: MallocStatsBlock): readonly [number, number, number] | null {
  return classesShortOf(s, b)[0] ?? null;
}

/** Every size class of a report holding far fewer blocks than its capture traced there (classShortOf). */
function classesShortOf(s: Snapshot, b: MallocStatsBlock): (readonly [number, number, number])[] {
  const traced = tracedByClass(s, b);
  return b.classes.flatMap((row) => {
    const n = traced.get(row.size) ?? 0;
    return n > 2 * row.inUse + 1000 ? [[row.size, n, row.inUse] as const] : [];
  });
}

/**
 * Two captures, 1000 traced blocks of pymalloc's sizes or more apart, whose reports hold the same figures (arena counters,
 * blocks in use of every size class): one report given for both, or null.
 */
function sameReport(
  snapshots: readonly Snapshot[],
  reports: readonly (MallocStatsBlock | null)[],
): [number, number, number] | null {
  const key = (b: MallocStatsBlock): string =>
    [
      b.arenasAllocatedTotal,
      b.arenasReclaimed,
      b.arenasCurrent,
      b.bytesInAllocatedBlocks,
      ...b.classes.map((c) => c.inUse),
    ].join(' ');
  // Only blocks pymalloc serves count: 10,000 blocks of 513 bytes freed between two captures leave
  // pymalloc's figures as they were, and two reports of those moments alike.
  const small = (i: number): number => {
    let n = 0;
    for (const c of tracedByClass(snapshots[i]!, reports[i]!).values()) n += c;
    return n;
  };
  const seen = new Map<string, number>();
  for (let i = 0; i < reports.length; i++) {
    const b = reports[i];
    if (!b) continue;
    const k = key(b);
    const j = seen.get(k);
    const apart = j === undefined ? 0 : Math.abs(small(i) - small(j));
    if (j !== undefined && apart >= 1000) return [j, i, apart];
    if (j === undefined) seen.set(k, i);
  }
  return null;
}

/** The counters of a report that only grow in a process, as its report prints them. */
export const COUNTERS = {
  arenasAllocatedTotal: 'arenas allocated in all',
  arenasReclaimed: 'arenas reclaimed',
  arenasHighwater: 'arenas at most at one time',
} as const;

/**
 * The first two paired reports, in the captures' order, of which the later counts fewer arenas ever
 * allocated, reclaimed or held at once than the earlier (counters that only grow in a process), or null.
 */
export function countersBack(
  reports: readonly (MallocStatsBlock | null)[],
): { earlier: number; later: number; counter: keyof typeof COUNTERS } | null {
  let last = -1;
  for (let i = 0; i < reports.length; i++) {
    const b = reports[i];
    if (!b) continue;
    if (last >= 0) {
      const a = reports[last]!;
      for (const counter of Object.keys(COUNTERS) as (keyof typeof COUNTERS)[]) {
        if (b[counter] < a[counter]) return { earlier: last, later: i, counter };
      }
    }
    last = i;
  }
  return null;
}

/**
 * A capture another report of the series fits far better than its own, or null. A report differs
 * from its capture by the blocks pymalloc held before tracing began and by raw allocations (traced,
 * served by the system allocator): alike at every moment of a run, where its moments differ by what
 * the program made and freed between them. So, summed over the size classes, (1) another report
 * whose blocks in use differ from what the capture traced by less than half its own report's (less
 * 1000 blocks) fits it better, as (2) do two captures' reports swapped when what each report holds
 * beyond its capture differs between the two by less than half as much (a large start-up count
 * shows in both). With the size class that tells most.
 */
function betterFit(
  snapshots: readonly Snapshot[],
  reports: readonly (MallocStatsBlock | null)[],
): { capture: number; report: number; size: number; traced: number; paired: number; better: number } | null {
  const known = reports.flatMap((b, j) => (b ? [j] : []));
  if (known.length < 2) return null;
  const layout = reports[known[0]!]!;
  const inUse = reports.map((b) => (b ? new Map(b.classes.map((row) => [row.size, row.inUse])) : null));
  const sizes = [...new Set(known.flatMap((j) => reports[j]!.classes.map((row) => row.size)))];
  const traced = snapshots.map((s, i) => (reports[i] ? tracedByClass(s, layout) : null));
  // Blocks of report j in use beyond what capture i traced, in size class c.
  const beyond = (j: number, i: number, c: number): number => (inUse[j]!.get(c) ?? 0) - (traced[i]!.get(c) ?? 0);
  const sum = (f: (c: number) => number): number => sizes.reduce((n, c) => n + Math.abs(f(c)), 0);
  const most = (f: (c: number) => number): number => sizes.reduce((a, c) => (f(c) > f(a) ? c : a), sizes[0]!);
  const found = (i: number, j: number, tells: (c: number) => number) => {
    const size = most(tells);
    const paired = inUse[i]!.get(size) ?? 0;
    return { capture: i, report: j, size, traced: traced[i]!.get(size) ?? 0, paired, better: inUse[j]!.get(size) ?? 0 };
  };
  for (const i of known) {
    const off = (j: number): number => sum((c) => beyond(j, i, c));
    const best = known.filter((j) => j !== i).reduce((a, j) => (off(j) < off(a) ? j : a));
    if (off(i) > 2 * off(best) + 1000)
      return found(i, best, (c) => Math.abs(beyond(i, i, c)) - Math.abs(beyond(best, i, c)));
  }
  for (const i of known) {
    for (const k of known) {
      if (k <= i) continue;
      const given = sum((c) => beyond(i, i, c) - beyond(k, k, c));
      const swapped = sum((c) => beyond(k, i, c) - beyond(i, k, c));
      if (given > 2 * swapped + 1000) {
        return found(
          i,
          k,
          (c) => Math.abs(beyond(i, i, c) - beyond(k, k, c)) - Math.abs(beyond(k, i, c) - beyond(i, k, c)),
        );
      }
    }
  }
  return null;
}

/** Blocks a capture traced per size class of a report (small requests of domain 0, by class size). */
function tracedByClass(s: Snapshot, b: MallocStatsBlock): Map<number, number> {
  const align = b.smallBlockThreshold / b.numClasses;
  const traced = new Map<number, number>();
  const g = s.groups;
  for (let i = 0; i < g.length; i++) {
    const size = g.size[i]!;
    // (A request of 0 bytes pymalloc hands to the system allocator, as one over its threshold.)
    if (g.domain[i] !== 0 || size === 0 || size > b.smallBlockThreshold) continue;
    const cls = Math.ceil(size / align) * align;
    traced.set(cls, (traced.get(cls) ?? 0) + g.count[i]!);
  }
  return traced;
}

/** A report holding fewer than half the arenas the model needs at best for the blocks its capture traced, 2 short at least. */
const tooFewArenas = (c: CaptureComparison): boolean =>
  c.real !== null && c.real.arenas < c.compact.arenas / 2 && c.compact.arenas - c.real.arenas >= 2;

/**
 * The bytes a capture traced in blocks of pymalloc's size classes (but the top 32 bytes') and those its report holds in
 * blocks, when the report holds under half of them, 1 MiB short at least; else null. A report of the
 * same moment holds every block tracemalloc traced (raw allocations aside, served by the system
 * allocator: a few classes' worth, not half the heap). Another program's report, 4.6 MB in blocks
 * beside a capture of 10.7 MB, read "fragmented: 37 arenas held, 6 needed" and blamed a site (h304).
 */
function tooFewBlocks(s: Snapshot, b: MallocStatsBlock | null): readonly [number, number] | null {
  if (!b) return null;
  // Not requests within 32 bytes of the threshold: with the debug hooks (`-X dev`, PYTHONMALLOC=debug)
  // each block carries up to 32 bytes more, and those go to the system allocator (150,000 requests of
  // 505 B in a same-moment report read as another program's, h307).
  let traced = 0;
  for (const [size, n] of tracedByClass(s, b)) if (size <= b.smallBlockThreshold - 32) traced += size * n;
  const held = b.classes.reduce((t, row) => t + row.size * row.inUse, 0);
  return held < traced / 2 && traced - held >= 2 ** 20 ? [traced, held] : null;
}

/**
 * Unpairs the reports when one cannot be its capture's (tooFewArenas, tooFewBlocks): the live blocks the capture
 * traced do not fit in the arenas the report holds, even packed. The reports are then another run's,
 * or another moment's, all of them: the second run of `run --allocator` of a program reading its stdin
 * (given /dev/null: 5 arenas where the traced run held 54) was taken for the real heap, "not
 * fragmented" of one 89% spare, and the gate passed. The captures are judged by the model, as without
 * reports; said. (A few arenas short is what raw allocations do, traced by tracemalloc and served by
 * the system allocator: not so.)
 */
function withoutImpossibleReports(
  captures: CaptureComparison[],
  snapshots: readonly Snapshot[],
  reports: readonly (MallocStatsBlock | null)[],
): string[] {
  const short = captures.map((_, i) => tooFewBlocks(snapshots[i]!, reports[i] ?? null));
  const out = captures.filter((c, i) => tooFewArenas(c) || short[i]);
  if (!out.length) return [];
  const c = out[0]!;
  const i = captures.indexOf(c);
  const more = out.length > 1 ? ` (and ${out.length - 1} more such)` : '';
  const said = tooFewArenas(c)
    ? `${c.label}'s allocator report holds ${c.real!.arenas} arenas, where the blocks its capture traced need ` +
      `${c.compact.arenas} at least${more}`
    : `${c.label}'s allocator report holds ${short[i]![1]} bytes in blocks, where its capture traced ${short[i]![0]} ` +
      `in blocks of pymalloc's sizes${more}`;
  captures.forEach((x, i) => {
    captures[i] = { ...x, real: null, arenasSinceFirst: { ...x.arenasSinceFirst, real: null } };
  });
  return [
    `${said}: the reports are not of these captures (another run's, or a second run of \`run --allocator\` that ` +
      'did not do the same: its stdin is /dev/null); none is used, the captures judged by the model',
  ];
}

/**
 * A size class where report `i` holds more blocks than its capture traced, beyond what the first
 * report held untraced, by 1000 and half its blocks or more (pymalloc serves nothing tracemalloc does
 * not trace once it runs): [class size, traced, in use], or null.
 */
function classOverOf(
  snapshots: readonly Snapshot[],
  reports: readonly (MallocStatsBlock | null)[],
  i: number,
): readonly [number, number, number] | null {
  const b = reports[i];
  if (!b) return null;
  const untraced = (k: number, r: MallocStatsBlock): Map<number, number> => {
    const traced = tracedByClass(snapshots[k]!, r);
    return new Map(r.classes.map((row) => [row.size, row.inUse - (traced.get(row.size) ?? 0)]));
  };
  const first = reports.findIndex((r) => r !== null);
  const base = untraced(first, reports[first]!);
  const here = untraced(i, b);
  const row = b.classes.find((r) => (here.get(r.size) ?? 0) - Math.max(0, base.get(r.size) ?? 0) > 1000 + r.inUse / 2);
  return row ? [row.size, row.inUse - here.get(row.size)!, row.inUse] : null;
}

/**
 * A run's interval reports, matched by time with its snapshots: the run without tracemalloc goes faster,
 * so one far over the blocks its capture traced in a size class (classOverOf) is another moment of the
 * program; so is one far short of them (classesShortOf), when taken a tenth of the runs' spans or more away
 * from its snapshot's place in its own (progressGap). (Short of them alone is also what raw allocations do,
 * traced by tracemalloc and served by the system allocator, in one size class or several: 60,000 locks'
 * 32-byte semaphores, or liblzma's buffers in three classes, in reports of the same moments of an idle
 * program, were dropped.) Such a report pairs with nothing, said: 44 arenas
 * 86% spare, taken after the program freed what it built, judged a capture taken as it built (CPython's
 * report there: 0% spare), and the gate failed; one taken after the program built anew passed a
 * capture of its fragmented phase (69% spare).
 */
function withoutTimedMisfits(
  snapshots: readonly Snapshot[],
  labels: readonly (string | null)[],
  reports: readonly (MallocStatsBlock | null)[],
  files: readonly AllocatorStats[],
  warnings: string[],
): (MallocStatsBlock | null)[] {
  return reports.map((b, i) => {
    const file = b ? files.find((f) => f.blocks.includes(b)) : undefined;
    if (!b || file?.matchedBy !== 'time') return b;
    const short = classesShortOf(snapshots[i]!, b);
    const elsewhere = (file.progressGap ?? 0) >= 0.1;
    const misfit = short.length && elsewhere ? short[0]! : classOverOf(snapshots, reports, i);
    if (!misfit) return b;
    const [size, traced, inUse] = misfit;
    warnings.push(
      `${file.source.path}, matched by time with ${labels[i] ?? 'its capture'}, has ${inUse} blocks of ${size} bytes in use ` +
        `where the capture traced ${traced}: another moment of the program (its run without tracemalloc goes faster), ` +
        'so not used (a checkpoint, arenascope_capture.checkpoint(), pairs a report by label)',
    );
    return null;
  });
}

/**
 * Reports paired by name, label or time that do not fit their captures (besides those that cannot:
 * withoutImpossibleReports): a size class holding more blocks than the capture traced there, beyond what the first report held untraced,
 * by 1000 and half its blocks or more (pymalloc serves nothing tracemalloc does not trace once it
 * runs). Counters out of order are refused before the replay, reports far from their captures said
 * (replayReport); a few arenas short is also what raw allocations do (traced by tracemalloc, served
 * by the system allocator: 20,000 locks' semaphores), so it is not said here. Caught so:
 * reports all taken at a run's start ("not fragmented"), another run's reports named alike, the
 * second run of `run --allocator` of a program that does not repeat itself ("fragmented").
 */
function doubtfulPairs(
  captures: readonly CaptureComparison[],
  snapshots: readonly Snapshot[],
  reports: readonly (MallocStatsBlock | null)[],
): string[] {
  const doubts = captures.flatMap((c, i) => {
    const over = c.real ? classOverOf(snapshots, reports, i) : null;
    return over
      ? [`${c.label}'s has ${over[2]} blocks of ${over[0]} bytes in use where the capture traced ${over[1]}`]
      : [];
  });
  if (!doubts.length) return [];
  // One line a reader can take in (it was 500 characters): the first doubt, and how many more.
  const listed = doubts[0]! + (doubts.length > 1 ? `; and ${doubts.length - 1} more` : '');
  return [
    `allocator reports that do not fit their captures (${listed}): from another run or moment, or the ` +
      'model holds blocks pymalloc did not (realloc; freed since tracing began): their verdict may be wrong',
  ];
}

const siteKey = (p: { readonly filename: string; readonly lineno: number }): string => `${p.filename}\0${p.lineno}`;

/**
 * The pinning sites in the order the next step considers them: those made after the largest frees
 * last (madeAfterFrees). They fill the room the frees left first, so the scattered order puts their
 * blocks in every arena it pins too: strings made after the frees, in 19 arenas, were named where
 * those kept among the freed, in 18, pinned them (held without the new ones, 26 arenas of 28;
 * without the kept ones, 12).
 */
function forNaming(sites: readonly PinningSite[], madeAfter: ReadonlySet<string>): readonly PinningSite[] {
  if (!madeAfter.size) return sites;
  const after = (p: PinningSite): boolean => madeAfter.has(siteKey(p));
  return [...sites.filter((p) => !after(p)), ...sites.filter(after)];
}

/**
 * The first sites, which the scattered order cannot tell apart: it mixes every site's blocks over its
 * arenas, so sites in as many of its pinned arenas as the first are alike (it named the largest, a
 * list made after the frees, packed in 6 arenas, where 15,000 objects kept among those freed pinned 30).
 */
function alikeSites(order: ReplayOrder | null, sites: readonly PinningSite[]): readonly PinningSite[] {
  if (order !== 'scattered' || !sites.length) return [];
  return sites.filter((p) => p.arenas === sites[0]!.arenas);
}

/**
 * Sites (filename\0lineno of a traceback's most recent frame) with blocks at the capture `judged`, none
 * at the capture before the largest frees up to it (the most blocks gone between two captures), and
 * never fewer at a capture than at the one before since: made after those frees and kept whole, they
 * fill the room the frees left. A site made after them that lost blocks itself (60,000 strings, 1 in
 * 25 kept) pins arenas of its own, as the real reports of its program showed (32 arenas; 9 without
 * its kept strings). Empty when no capture holds fewer blocks than the one before.
 */
export function madeAfterFrees(snapshots: readonly Snapshot[], judged: number): Set<string> {
  let before = -1;
  let most = 0;
  for (let k = 1; k <= judged; k++) {
    const gone = snapshots[k - 1]!.traceCount - snapshots[k]!.traceCount;
    if (gone > most) [most, before] = [gone, k - 1];
  }
  if (before < 0) return new Set();
  const countsOf = (s: Snapshot): Map<string, number> => {
    const out = new Map<string, number>();
    const g = s.groups;
    for (let i = 0; i < g.length; i++) {
      const key = siteKey(s.frames.frame(s.frames.tracebackFrame(g.traceback[i]!, 0)));
      out.set(key, (out.get(key) ?? 0) + g.count[i]!);
    }
    return out;
  };
  const counts = snapshots.slice(before, judged + 1).map(countsOf);
  const never = (key: string): boolean => !(counts[0]!.get(key) ?? 0);
  const kept = (key: string): boolean =>
    counts.every((c, i) => i === 0 || (c.get(key) ?? 0) >= (counts[i - 1]!.get(key) ?? 0));
  return new Set([...counts.at(-1)!.keys()].filter((k) => (counts.at(-1)!.get(k) ?? 0) > 0 && never(k) && kept(k)));
}

// Which verdict says more is wrong: of two captures, the one whose verdict ranks higher is judged.
const VERDICT_RANK: Readonly<Record<FragmentedVerdict['verdict'], number>> = { unknown: 0, no: 1, possibly: 2, yes: 3 };

/** The share above which a capture is fragmented (the verdict; `gate --max-fragmentation` sets its own). */
export const FRAGMENTED_SHARE = 0.5;
export const MIN_SPARE_ARENAS = 2;

/** Whether a measure is over a limit: a share above it, and MIN_SPARE_ARENAS spare arenas at least. */
export function fragmentedOver(m: FragmentationMeasure, limit: number): boolean {
  return m.spareArenas >= MIN_SPARE_ARENAS && m.share > limit;
}

function measure(
  basis: FragmentationMeasure['basis'],
  held: number,
  needed: number,
  report?: MallocStatsBlock,
): FragmentationMeasure {
  const spareArenas = Math.max(0, held - needed);
  const share = held > 0 ? spareArenas / held : 0;
  return {
    basis,
    heldArenas: held,
    neededArenas: needed,
    spareArenas,
    share,
    ...(report && printedAtNewArena(report) ? { atNewArena: true } : {}),
  };
}

/**
 * The arenas a real report's blocks in use need when packed: per size class, its blocks in use over
 * the blocks a pool of that class holds (both from the report's table), the pools over the pools an
 * arena holds. null when the table is incomplete (elided in a paste).
 *
 * An arena that mmap did not align to a pool loses one (Geometry.arenasLosePoolToAlignment): with 16
 * KiB pools most do, not all. The report says how many pools its arenas lost ('bytes lost to arena
 * alignment'): packed, arenas lose them at the same rate. So the need is never more arenas than the
 * report holds (assuming every arena lost a pool, 6 arenas that lost 4 were said to need 7).
 */
export function packedArenas(b: MallocStatsBlock): number | null {
  if (b.complete === false || !b.poolSize || !b.arenaSize) return null;
  let pools = 0;
  for (const c of b.classes) {
    if (c.pools === 0 || c.inUse === 0) continue;
    const perPool = (c.inUse + c.avail) / c.pools;
    pools += Math.ceil(c.inUse / perPool);
  }
  // n arenas hold n * (perArena - lost / arenas) pools: the least n for `pools`, in integers.
  const perArena = b.arenaSize / b.poolSize;
  const arenas = b.arenasCurrent;
  const lostPools = Math.floor(b.bytesLostToArenaAlignment / b.poolSize);
  const lost = arenas > 0 && Number.isFinite(lostPools) ? Math.min(arenas, Math.max(0, lostPools)) : 0;
  if (lost === 0) return Math.ceil(pools / perArena);
  const poolsPerArenas = perArena * arenas - lost; // pools in `arenas` arenas
  return Math.floor((pools * arenas + poolsPerArenas - 1) / poolsPerArenas);
}

/** Fragmentation from a real report alone (no snapshots): its arenas against its own packed need. */
export function reportFragmentation(b: MallocStatsBlock): FragmentationMeasure | null {
  const needed = packedArenas(b);
  return needed === null ? null : measure('real report alone', b.arenasCurrent, needed, b);
}

/**
 * The last capture's measure: the real report's arenas when one paired (their need by its own table,
 * or the compact order's arenas when the table is incomplete), else the compact order's; null from
 * one capture without a real report (no frees yet).
 */
export function measureFragmentation(captures: readonly CaptureComparison[]): FragmentationMeasure | null {
  const last = captures[captures.length - 1];
  if (!last) return null;
  const { compact, real } = last;
  if (real) return measure('real', real.arenas, packedArenas(real.stats) ?? compact.arenas, real.stats);
  if (captures.length === 1) return null;
  return measure('model, best case', compact.arenas, packedArenas(compact.stats) ?? compact.arenas);
}

/**
 * The scattered order's measure at the last capture, where the measure is the model's best case (no
 * real report paired with it): its arenas against the live blocks' need packed. Which blocks a program
 * freed is not in its snapshots, and neither figure bounds the real heap: a heap keeping 1 object in 50
 * in the order made is 0% at best, 91% scattered, 82.5% in CPython's report; one making a 128 MiB
 * temporary (the traced peak taken as small blocks' churn) 88% scattered and 0% in CPython's.
 */
export function worstCaseFragmentation(captures: readonly CaptureComparison[]): FragmentationMeasure | null {
  const last = captures[captures.length - 1];
  if (!last || last.real || captures.length === 1) return null;
  const needed = packedArenas(last.scattered.stats) ?? packedArenas(last.compact.stats) ?? last.compact.arenas;
  return measure('model, worst case', last.scattered.arenas, needed);
}

const ORDER_CASE: Record<ReplayOrder, string> = { compact: 'model, best case', scattered: 'model, worst case' };

/**
 * The replay order whose pinning the evidence supports at the last capture, or null: with the real
 * report, none when it is not fragmented, else the order whose arena count is nearer the real one;
 * without it, the best case when even it is fragmented, else the worst case.
 */
function evidencedOrder(
  last: CaptureComparison,
  verdict: FragmentedVerdict['verdict'],
  m: FragmentationMeasure | null,
  single = false,
): { order: ReplayOrder | null; basis: string } {
  if (single) return { order: null, basis: 'none: one capture shows no frees' };
  if (last.real) {
    if (verdict === 'no') {
      const need = m ? `${m.heldArenas} arenas held, ${m.neededArenas} needed packed` : `${last.real.arenas} held`;
      return {
        order: null,
        basis:
          `none: the real report is not fragmented (${need}); ` +
          `the model's worst case of ${last.scattered.pinnedArenas} pinned arenas is not the evidence`,
      };
    }
    // Nearer by ratio: 23 real arenas are nearer 44 (1.9x) than 6 (3.8x), which a difference read the other way.
    const d = (f: ModelFigures): number => Math.abs(Math.log(Math.max(1, f.arenas) / Math.max(1, last.real!.arenas)));
    const order: ReplayOrder = d(last.compact) <= d(last.scattered) ? 'compact' : 'scattered';
    const other: ReplayOrder = order === 'compact' ? 'scattered' : 'compact';
    const nearer =
      `the ${order} order (${ORDER_CASE[order]}), whose ${last[order].arenas} arenas are nearer ` +
      `the real ${last.real.arenas}`;
    // Fragmented for real, but no site pins an arena in the nearer order: the other's sites, said so.
    if (verdict === 'yes' && !last[order].pinningSites.length && last[other].pinningSites.length) {
      return {
        order: other,
        basis: `the ${other} order (${ORDER_CASE[other]}): no site's blocks pin an arena in ${nearer}`,
      };
    }
    return { order, basis: nearer };
  }
  if (verdict === 'yes' || (m !== null && fragmentedOver(m, FRAGMENTED_SHARE)))
    return { order: 'compact', basis: 'the compact order (model, best case): they pin arenas even then' };
  if (!last.scattered.pinnedArenas) {
    // The orders are models of different frees: the best case can pin an arena the worst case's draw did not.
    if (!last.compact.pinnedArenas) return { order: null, basis: 'none: no arena is pinned in either order' };
    return {
      order: 'compact',
      basis: `the compact order (model, best case), the only one pinning arenas (${last.compact.pinnedArenas})`,
    };
  }
  return { order: 'scattered', basis: 'the scattered order (model, worst case), if frees were scattered' };
}

const siteOf = (p: PinningSite | undefined): string | null => (p ? `${p.filename}:${p.lineno}` : null);

const isUntraced = (p: PinningSite): boolean =>
  p.filename === UNTRACED_SITE.filename && p.lineno === UNTRACED_SITE.lineno;

/**
 * Where CPython's report holds under half the bytes in blocks that the model does (the capture's
 * traced blocks and those the first report held beyond them, from before tracing): blocks made before
 * tracing were freed, unseen, and those kept among them pin the arenas. Their frees are in no capture,
 * so the model pins nothing and named no site or the wrong one ("no arena is under a quarter used …
 * the largest sites of the last capture hold it" of a heap of 150,000 dicts made before tracing,
 * thinned to 1 in 30: fixtures/pymalloc/pretraced-thinned). Null otherwise.
 */
function untracedFreed(last: CaptureComparison): string | null {
  const [real, model] = [last.real?.bytesInAllocatedBlocks, last.compact.bytesInAllocatedBlocks];
  if (real === undefined || model <= 2 * real) return null;
  return (
    `CPython's report holds ${fmtBytes(real)} in blocks where the snapshot's and those of the first report ` +
    `from before tracing hold ${fmtBytes(model)}: blocks allocated before tracing started were freed, which no ` +
    'capture shows, and those kept among them pin the arenas; no line of a capture names them: trace from the ' +
    "program's start (`python -X tracemalloc`, or PYTHONTRACEMALLOC=1) to name them"
  );
}

/**
 * The verdict on the last capture, by measureFragmentation and fragmentedOver at FRAGMENTED_SHARE.
 * With the real allocator's report: fragmented when it holds more than twice the arenas the same
 * live blocks need packed at best (the compact order), and 2 more at least. Without it, which blocks
 * were freed is unknown, and so is the heap made before tracing: possibly fragmented if either order
 * leaves more than half of its arenas spare (2 at least), else unknown (never no: frees the model cannot
 * see leave arenas pinned unseen). `next` names the site to look at, or what would tell.
 */
export function isFragmented(
  captures: readonly CaptureComparison[],
  madeAfter: ReadonlySet<string> = new Set(),
): FragmentedVerdict {
  const last = captures[captures.length - 1];
  if (!last) return { verdict: 'unknown', reason: 'no capture', next: 'give the snapshots to replay' };
  const m = measureFragmentation(captures);
  // Reports were given, none at the last capture: asked for where it is missing (it asked for
  // --allocator-stats, given with 4 reports of 5), and the latest one said.
  const reported = last.real ? undefined : [...captures].reverse().find((c) => c.real !== null);
  const earlier = reported && measureFragmentation([reported]);
  const tell = reported
    ? `give an allocator report at the last capture (sys._debugmallocstats() there) to tell${
        earlier
          ? `; CPython's at ${reported.label} said ${earlier.spareArenas} of ${earlier.heldArenas} arenas spare`
          : ''
      }`
    : 'give --allocator-stats (sys._debugmallocstats() at each capture) to tell';
  if (last.real && m) {
    const yes = fragmentedOver(m, FRAGMENTED_SHARE);
    const reason = `the real allocator holds ${m.heldArenas} arenas; packed, its blocks in use need ${m.neededArenas}`;
    if (!yes && m.atNewArena)
      return { verdict: 'unknown', reason: `${reason}; but ${AT_NEW_ARENA.reason}`, next: AT_NEW_ARENA.next };
    if (!yes)
      return {
        verdict: 'no',
        reason,
        next:
          'none for fragmentation (not more than twice the arenas the live blocks need); ' +
          'for growth, see `arenascope leaks`',
      };
    const { order } = evidencedOrder(last, 'yes', m);
    const freed = untracedFreed(last);
    if (freed) return { verdict: 'yes', reason, next: freed };
    // Not the blocks from before tracing (the first report's beyond the snapshot's, UNTRACED_SITE): no
    // line to look at (it said "look at <allocated before tracing started>:0", the model's last arena of
    // them, part full).
    const ranked = order ? last[order].pinningSites.filter((p) => !isUntraced(p)) : [];
    const sites = forNaming(ranked, madeAfter);
    const alike = alikeSites(order, sites);
    if (alike.length > 1) {
      const names = alike.slice(0, 3).map(siteOf).join(', ');
      const [n, pinned] = [alike[0]!.arenas, last.scattered.pinnedArenas];
      const where =
        n < pinned ? `${n} of the ${pinned} arenas` : n === 1 ? 'the one arena' : `every one of the ${n} arenas`;
      return {
        verdict: 'yes',
        reason,
        next:
          `${alike.length} sites have blocks in ${where} the model pins ` +
          `(scattered order), which cannot tell which of them pins them (${names}${alike.length > 3 ? ', …' : ''}): ` +
          'objects kept among many freed pin arenas, while those made after the frees fill the room freed first',
      };
    }
    const site = siteOf(sites[0]);
    // No site: the model pins no arena (under a quarter used) in the order the evidence points at, so
    // the spare arenas are spread thin; said so (it asked for the traced peak, which 3.8 cannot reset).
    const traced = captures.every((c) => c.churn.tracedPeak !== null && !c.churn.assumed);
    const pinnedOnly = order ? last[order].pinnedArenas : 0;
    // A site made after the frees ranked above it: said (it fills the room the frees left).
    const above = sites[0] !== ranked[0] && ranked[0] ? siteOf(ranked[0]) : null;
    // CPython's report holds more than twice the arenas of either order: what spread the heap is not in
    // the snapshots, and their largest sites are no lead (objects made while tracing was stopped and
    // thinned pinned 37 arenas where either order held 6: it said the largest sites held the room).
    const most = Math.max(last.compact.arenas, last.scattered.arenas);
    const unseen =
      last.real.arenas > 2 * most
        ? `CPython's report holds ${last.real.arenas} arenas where either order of the model holds ${most} or ` +
          'fewer: what spread the heap is not in the snapshots (objects made while tracing was stopped, or ' +
          'made and freed between captures); more captures, each with its traced peak (`arenascope run` ' +
          'records it), and tracing without a stop, would show it'
        : null;
    const next = site
      ? above
        ? `look at ${site}, kept through the frees, whose blocks are in ${sites[0]!.arenas} pinned arenas (${order} ` +
          `order); ${above}, in more, was made after them: it fills the room they left`
        : `look at ${site}, whose blocks are in the most pinned arenas (${order} order)`
      : unseen
        ? unseen
        : pinnedOnly
          ? `the ${pinnedOnly} arena(s) the model pins (${order} order) hold no traced site's blocks (blocks from ` +
            "before tracing started, or the interpreter's own); the largest sites of the last capture " +
            '(`arenascope stats`) hold the rest of the spare room'
          : 'no arena of the model is under a quarter used: the spare room is spread thin over many arenas ' +
            '(objects kept among many freed); the largest sites of the last capture (`arenascope stats`) hold it' +
            (traced ? '' : '; the traced peak at each capture would show churn the snapshots do not see');
    return { verdict: 'yes', reason, next };
  }
  if (captures.length === 1) {
    return {
      verdict: 'unknown',
      reason: 'fragmentation cannot be seen from one capture: it comes from frees',
      next: 'take a second capture after the program frees memory',
    };
  }
  // The model's best case fragmented, without a real report: its arenas are the traced blocks' alone.
  // The heap made before tracing began is in no capture and has arenas of its own, which the whole
  // heap's share counts: "yes, even in the best case" at 4 of 5 arenas spare where CPython's report
  // held 10, 5 of them needed (fixtures/pymalloc/untraced-heap). Possibly, with the site to look at.
  if (m && fragmentedOver(m, FRAGMENTED_SHARE)) {
    const first = last.compact.pinningSites.find((p) => !isUntraced(p));
    const look = first ? `look at ${siteOf(first)}, whose blocks are in the most pinned arenas` : null;
    return {
      verdict: 'possibly',
      reason:
        `in the model's best case the traced blocks hold ${m.heldArenas} arenas where they need ` +
        `${m.neededArenas} packed (${last.compact.pinnedArenas} pinned); the heap made before tracing began, in ` +
        "no capture, has arenas of its own, which lower the whole heap's share by an amount no capture tells",
      next: look ? `${look}; ${tell}` : tell,
    };
  }
  // If frees were scattered, the arenas the live blocks leave spare: over half is possibly fragmented,
  // as the gate judges at 0.5. Diluted evenly, no arena is under a quarter used, yet the arenas can be
  // twice what the blocks need (a third of 200,000 objects kept: the real allocator held 2.7 times, and
  // this said "no"); and a quarter of the arenas pinned, fewer than half spare, is not (it read
  // "possibly" where the gate passed, and CPython's report said 25%: fixtures/pymalloc/thinned-batch).
  const worst = worstCaseFragmentation(captures);
  if (worst && fragmentedOver(worst, FRAGMENTED_SHARE)) {
    return {
      verdict: 'possibly',
      reason: pinned(last.scattered, 0.25)
        ? `${last.scattered.pinnedArenas} of ${last.scattered.arenas} arenas are pinned if frees were scattered ` +
          `(the live blocks need ${worst.neededArenas} packed), ${last.compact.pinnedArenas} of ` +
          `${last.compact.arenas} if they were compact`
        : `if frees were scattered, the arenas held would be ${worst.heldArenas} where the live blocks need ` +
          `${worst.neededArenas} packed; ${last.compact.arenas} if they were compact`,
      next: tell,
    };
  }
  // In either order no more than half the arenas are spare, or under 2: said with the scattered order's
  // pinned ones (1 of 2 read "fewer than half").
  const few = !worst
    ? ''
    : worst.spareArenas < MIN_SPARE_ARENAS
      ? `under ${MIN_SPARE_ARENAS} arenas are spare in either order (which counts as none)`
      : `${2 * worst.spareArenas < worst.heldArenas ? 'fewer than' : 'no more than'} half the arenas are spare in either order`;
  const fill =
    worst && last.scattered.pinnedArenas
      ? `${few}: ${worst.spareArenas} of ${worst.heldArenas} if frees were scattered, ${last.scattered.pinnedArenas} of them pinned`
      : 'live blocks fill their arenas in either order';
  // The model packs the first capture's blocks as if made into an empty heap: what the program freed
  // before it is in no capture. Where those blocks are half the last capture's or more (captures of a
  // program in its steady state, a cache filled and evicted before the first), "no" would be the
  // model's silence taken for an answer (4 dumps of a heap 88.6% spare in CPython's report read "no").
  // A run's start capture, taken as the program starts, has no such past.
  const first = captures[0]!;
  const [before, after] = [first.compact.bytesInAllocatedBlocks, last.compact.bytesInAllocatedBlocks];
  if (first.label !== 'start' && before > 0 && 2 * before >= after) {
    return {
      verdict: 'unknown',
      reason:
        `the first capture already holds ${Math.round((100 * before) / Math.max(after, 1))}% of the last one's ` +
        "small blocks' bytes: what the program freed before it, which leaves arenas spare, is in no capture",
      next: `${tell}, or a first capture taken when the program starts`,
    };
  }
  // No traced peak: what the program made and freed between two captures is in neither, and a
  // temporary of many small objects among a few kept leaves arenas pinned (a list of 300,000 tuples,
  // every 100th kept: "no" beside CPython's report of 40 arenas 6% used).
  if (captures.some((c) => c.churn.assumed)) {
    return {
      verdict: 'unknown',
      reason:
        `${fill}, but no capture records its traced peak: what the program ` +
        'made and freed between captures, temporaries among the objects kept that leave arenas pinned, is in none of them',
      next: `${tell}, or the traced peak at each capture (\`arenascope run\` records it; a <dump>.peak sidecar of tracemalloc.get_traced_memory()[1])`,
    };
  }
  // Frees the model cannot see leave arenas pinned unseen: of blocks made before tracing began (at
  // start-up, by site or an import), or while it was stopped, and of blocks resized in place (realloc,
  // not modelled). Its silence is no "no": such heaps read "no" (and passed the gate) beside CPython's
  // reports of 54-88% spare (helper h220, CPython 3.9-3.13).
  return {
    verdict: 'unknown',
    reason:
      `${fill}, but frees the model cannot see leave arenas pinned unseen: of blocks made before tracing began ` +
      'or while it was stopped, and of blocks resized in place (realloc)',
    next: tell,
  };
}

/** The last capture's figures, each from the evidence that supports it (see FragmentationEvidence). */
export function fragmentationEvidence(
  captures: readonly CaptureComparison[],
  verdict: FragmentedVerdict['verdict'],
  madeAfter: ReadonlySet<string> = new Set(),
): FragmentationEvidence {
  const last = captures[captures.length - 1]!;
  const m = measureFragmentation(captures);
  const excess = last.real && m ? m.spareArenas : null;
  const evidenced = evidencedOrder(last, verdict, m, captures.length === 1);
  const order = evidenced.order;
  const sites = order ? last[order].pinningSites : [];
  // An order the evidence points at may pin no arena of its own (its arenas are full): said, not a
  // ranking with nothing under it.
  const alike = alikeSites(order, sites).length;
  const basis =
    order && !sites.length
      ? `none: no site's blocks pin an arena in ${evidenced.basis}`
      : alike > 1
        ? `${evidenced.basis}; its first ${alike} are in ${sites[0]!.arenas === 1 ? 'its one pinned arena' : `all its ${sites[0]!.arenas} pinned arenas`} alike, ` +
          'listed by their blocks (the model cannot tell which pins them)'
        : evidenced.basis;
  const reported = last.real ? undefined : [...captures].reverse().find((c) => c.real !== null);
  const earlier = reported ? measureFragmentation([reported]) : null;
  return {
    basis: last.real ? 'real' : 'model',
    measure: m,
    worstCase: worstCaseFragmentation(captures),
    earlierReal:
      reported && earlier
        ? {
            label: reported.label,
            measure: earlier,
            model: measure(
              'model, best case',
              reported.compact.arenas,
              packedArenas(reported.compact.stats) ?? reported.compact.arenas,
            ),
          }
        : null,
    excessArenas: excess,
    releasableBytes: excess === null ? null : excess * last.real!.stats.arenaSize,
    pinnedArenasBestCase: last.compact.pinnedArenas,
    pinnedArenasWorstCase: last.scattered.pinnedArenas,
    releasableBytesBestCase: last.compact.releasableBytes,
    releasableBytesWorstCase: last.scattered.releasableBytes,
    emptyPoolBytesBestCase: last.compact.emptyPoolBytes,
    emptyPoolBytesWorstCase: last.scattered.emptyPoolBytes,
    pinningSitesOrder: order,
    pinningSitesBasis: basis,
    pinningSites: sites.map((p) => ({ ...p, madeAfterFrees: madeAfter.has(siteKey(p)) })),
  };
}

/** What the replay assumed: intervals whose churn is not known from a recorded traced peak. */
const KiB = 1024;

/**
 * The pymalloc to model when none is named: what the dumps tell of the CPython that wrote them
 * (FORMATS.md: 3-item traces up to 3.8, 4-item from 3.9; pickle protocol 4 up to 3.7, 5 from 3.8),
 * and for 3.9 or later the arenas of allocator reports given with them (256 KiB: 3.9; 1 MiB: 3.10+).
 * The note says what was chosen and why, as an assumption of the replay.
 */
export function modelPython(
  snapshots: readonly Snapshot[],
  reportArenaSize: number | null,
  recorded: readonly string[] = [],
): { python: string; note: string } {
  const dumps = snapshots.filter((s) => s.layout === '3-tuple' || s.layout === '4-tuple');
  const layouts = new Set(dumps.map((s) => s.layout));
  const protocols = new Set(dumps.map((s) => s.pickleProtocol));
  const named = (python: string, why: string) => ({
    python,
    note: `the pymalloc of CPython ${python}, ${why}; --python names another`,
  });
  // A run folder says which CPython ran (a 3.9 run modelled as 3.11 had its arenas counted in 1 MiB
  // where 3.9's are 256 KiB): taken when every run says the same, its dumps agree and it is modelled.
  const minors = [...new Set(recorded.map((v) => v.split('.').slice(0, 2).join('.')))];
  const ran = minors.length === 1 ? minors[0]! : null;
  const minor = ran === null ? Number.NaN : Number(ran.split('.')[1]);
  const agrees = !layouts.has(minor >= 9 ? '3-tuple' : '4-tuple');
  if (ran !== null && agrees && GEOMETRIES[ran]) {
    return named(ran, `as the run folder records (CPython ${[...new Set(recorded)].join(', ')})`);
  }
  if (!dumps.length) return named(DEFAULT_PYTHON, 'as no dump among the captures says which CPython wrote it');
  if (layouts.size > 1) {
    return named(DEFAULT_PYTHON, 'as the dumps come from CPython versions before and after 3.9 (3- and 4-item traces)');
  }
  if (layouts.has('3-tuple')) {
    if (protocols.size === 1 && protocols.has(5))
      return named('3.8', 'as its dumps say (3-item traces, pickle protocol 5)');
    if (protocols.has(5)) {
      return named(
        '3.8',
        'the latest the dumps can be of (3-item traces; pickle protocols 4 and 5: CPython 3.6 to 3.8)',
      );
    }
    return named(
      '3.8',
      'for dumps of CPython 3.6 or 3.7 (3-item traces, pickle protocol 4): their last releases (3.6.15, 3.7.16) ' +
        "have 3.8's geometry (16-byte alignment, 256 KiB arenas of 4 KiB pools); releases before the fix of " +
        'bpo-27987 aligned blocks to 8 bytes, which has no model here',
    );
  }
  // The one CPython whose library the tracebacks name: a 3.9 run's dumps modelled as 3.11 had their
  // arenas counted in 1 MiB where 3.9's are 256 KiB ("24 arenas pinned" of a run holding 103; h317).
  const library = dumpsLibrary(dumps);
  // Dumps whose tracebacks name 3.10+ cannot be paired with reports of 256 KiB arenas (3.9's or older):
  // model the dumps' CPython, so the reports are refused as another build's (h338: 3.9's reports read
  // as the real figures of a 3.11 run, 71 arenas "held" where it held 20).
  // And the other way: dumps naming lib/python3.9/ beside reports of 1 MiB arenas (3.10+'s) are another
  // build's too (3.10's report read as a 3.9 run's: 18 arenas "held" where it held 70 of 256 KiB).
  if (
    reportArenaSize !== null &&
    library !== null &&
    (python3Minor(library) ?? 0) >= 9 &&
    GEOMETRIES[library] &&
    GEOMETRIES[library].arenaSize !== reportArenaSize
  ) {
    return named(library, `as its dumps' tracebacks name its library (lib/python${library}/)`);
  }
  if (reportArenaSize === 256 * KiB) {
    return named('3.9', 'for dumps of 3.9 or later (4-item traces) with allocator reports of 256 KiB arenas');
  }
  const fits = (v: string): boolean => reportArenaSize === null || GEOMETRIES[v]!.arenaSize === reportArenaSize;
  if (library !== null && (python3Minor(library) ?? 0) >= 9 && GEOMETRIES[library] && fits(library)) {
    return named(library, `as its dumps' tracebacks name its library (lib/python${library}/)`);
  }
  return named(
    DEFAULT_PYTHON,
    'for dumps of 3.9 or later (4-item traces): 3.10 and later have its arenas and pools, 3.9 256 KiB arenas and 4 KiB pools',
  );
}

/** The one CPython whose library the dumps' tracebacks name ('3.11'), or null. */
function dumpsLibrary(snapshots: readonly Snapshot[]): string | null {
  const libraries = [...new Set(snapshots.flatMap((s) => librariesOf(s)))];
  return libraries.length === 1 ? libraries[0]! : null;
}

/**
 * The CPython minors whose `sys._debugmallocstats()` prints a report's free lists as it does (each
 * CPython's own: fixtures/mallocstats/py3X-debugmallocstats.txt): PyCFunctionObjects and PyMethodObjects up to 3.8, PyFrameObjects up to 3.10, tuples of 1 to 20
 * items from 3.11 (19 before), PyDictKeysObjects from 3.13; what is missing tells only of whole lists
 * (ending with their tuples). Null without free lists. 3.11 and 3.12 print the same lists.
 */
export function freeListPythons(report: MallocStatsBlock): readonly [number, number] | null {
  const names = new Set(report.freeLists.map((f) => f.name));
  const tuples = [...names].filter((n) => /^\d+-sized PyTupleObjects$/.test(n)).length;
  if (!tuples) return null;
  const whole = tuples >= 19;
  // 3.6 prints the free lists 3.7 and 3.8 do (PyCFunctionObjects, PyFrameObjects, 1..19-sized tuples):
  // the range starts at 3.6 (its own reports were refused beside its dumps: h354).
  let [lo, hi] = [6, 99];
  const has = (name: string, upTo: number | null, from: number | null): void => {
    if (names.has(name)) [lo, hi] = [Math.max(lo, from ?? lo), Math.min(hi, upTo ?? hi)];
    else if (whole && upTo !== null) lo = Math.max(lo, upTo + 1);
    else if (whole && from !== null) hi = Math.min(hi, from - 1);
  };
  has('PyCFunctionObjects', 8, null);
  has('PyFrameObjects', 10, null);
  has('20-sized PyTupleObjects', null, 11);
  has('PyDictKeysObjects', null, 13);
  // 3.6 to 3.8 print the same lists, of other sizes in a 64-bit release build (24-byte floats): frames
  // of 384 bytes in 3.6, 368 from 3.7; bound methods of 40 bytes to 3.7, 48 in 3.8 (3.8's reports
  // beside 3.6's dumps were used as theirs: h355). Other sizes (a debug build's) tell nothing.
  const size = (name: string): number | undefined => report.freeLists.find((f) => f.name === name)?.size;
  if (size('PyFloatObjects') === 24) {
    const frame = size('PyFrameObjects');
    const method = size('PyMethodObjects');
    if (frame === 384) hi = Math.min(hi, 6);
    if (frame === 368) lo = Math.max(lo, 7);
    if (method === 40) hi = Math.min(hi, 7);
    if (method === 48) lo = Math.max(lo, 8);
  }
  // No CPython prints such lists: a report cut short ('20-sized' lost with its last line, read with
  // --allow-partial) whose 19 tuple lines looked whole; it tells nothing then.
  return lo <= hi ? [lo, hi] : null;
}

// When the CPython named to model cannot have written the dumps (their trace layout), what to say.
function notTheDumps(snapshots: readonly Snapshot[], python: string): string | null {
  const layouts = new Set(snapshots.map((s) => s.layout).filter((l) => l === '3-tuple' || l === '4-tuple'));
  const minor = Number(python.split('.')[1]);
  if (layouts.size !== 1) return null;
  if (layouts.has('4-tuple') && minor <= 8) {
    return `the dumps are of CPython 3.9 or later (4-item traces), and the model is ${python}'s`;
  }
  if (layouts.has('3-tuple') && minor >= 9) {
    return `the dumps are of CPython 3.8 or earlier (3-item traces), and the model is ${python}'s`;
  }
  return null;
}

function churnAssumptions(captures: readonly CaptureComparison[], snapshots: readonly Snapshot[]): string[] {
  const unknown = captures.filter((c) => c.churn.assumed).length;
  if (!unknown) return [];
  const notRisen = captures.filter((c) => c.churn.assumed && c.churn.tracedPeak !== null).length;
  // reset_peak() is 3.9's: before it, the peak is the run's so far, which tells only while it rises.
  const old = snapshots.some((s) => s.layout === '3-tuple');
  return [
    `churn between captures is unknown before ${unknown} of ${captures.length} captures (${
      notRisen === unknown
        ? 'their traced peaks did not rise'
        : notRisen
          ? `no traced peak; at ${notRisen} a peak that did not rise`
          : 'no traced peak'
    }): ` +
      `the worst case assumes ${UNKNOWN_CHURN === 1 ? 'as many' : `${UNKNOWN_CHURN}x as many`} transient bytes ` +
      'as each interval allocated, made among its allocations and freed before the capture; ' +
      (old
        ? 'the traced peak at each capture (tracemalloc.get_traced_memory()) tells churn while it rises (CPython ' +
          '3.8 and earlier cannot reset it; 3.9+ can, with reset_peak())'
        : 'capture the traced peak (tracemalloc.get_traced_memory(), then reset_peak()) to know'),
  ];
}

/**
 * Why a series is more than the model holds, or null: a capture of more than MAX_REPLAY_BLOCKS blocks,
 * or groups whose largest counts add up past MAX_LIVE_BLOCKS (what replay refuses; report and gate
 * leave the replay out for it, their other checks answered).
 */
export function beyondModel(snapshots: readonly Snapshot[]): string | null {
  const huge = snapshots.find((s) => s.traceCount > MAX_REPLAY_BLOCKS);
  if (huge) return `${huge.source.path}: ${huge.traceCount} blocks, more than the pymalloc model replays (2^27)`;
  if (snapshots.reduce((t, s) => t + s.traceCount, 0) <= MAX_LIVE_BLOCKS) return null;
  const room = seriesGroups(snapshots).peaks.reduce((t, n) => t + n, 0);
  return room > MAX_LIVE_BLOCKS
    ? `the captures' blocks, each group at its largest, add up to ${room}: more than the pymalloc model holds (2^29)`
    : null;
}

/** Whether a snapshot holds what replay needs: every live block's size (a log's top N does not). */
export function replayable(s: Snapshot): boolean {
  return !isListing(s.source);
}

/**
 * The `replay` query. Allocator reports are paired with the captures by pairAllocatorReports' rule;
 * what it leaves out is a warning, and none paired is an error when `requireReports` (they were asked for).
 */
export function replayReport(
  snapshots: readonly Snapshot[],
  labels: readonly string[],
  allocatorStats: readonly AllocatorStats[],
  opts: {
    python?: string | undefined;
    /** The Pythons the run folders of the captures record (`arenascope run`'s manifest): the one to model. */
    recordedPythons?: readonly string[];
    seed?: number;
    requireReports?: boolean;
  },
): ReplayReport {
  if (!snapshots.length) {
    throw new UsageError(
      'replay reads snapshots (tracemalloc dumps, memray CSV, arenascope JSON); none among the inputs',
    );
  }
  const logged = snapshots.find((s) => !replayable(s));
  if (logged) {
    throw new UsageError(
      `${logged.source.path}: logged tracemalloc statistics hold only a top N with average sizes: ` +
        'they cannot be replayed through the allocator; give the dumps',
    );
  }
  // Every block is a slot of the model: a capture beyond what it holds is refused, not run for ever.
  const huge = snapshots.find((s) => s.traceCount > MAX_REPLAY_BLOCKS);
  if (huge) {
    throw new InputError(
      huge.source.path,
      '',
      `${huge.traceCount} blocks: more than the pymalloc model replays (${MAX_REPLAY_BLOCKS}, 2^27)`,
    );
  }
  let real: readonly (MallocStatsBlock | null)[] | null = null;
  const warnings: string[] = [];
  // How the real reports were paired, said with the assumptions when every one paired.
  let paired: string | null = null;
  const fileOf = (b: MallocStatsBlock): string =>
    `${allocatorStats.find((f) => f.blocks.includes(b))?.source.path ?? 'a report'} (line ${b.inputLine})`;
  if (allocatorStats.length) {
    const pairing = pairAllocatorReports(pairedCaptures(snapshots, labels), allocatorStats);
    if (!pairing.rule && opts.requireReports) throw new UsageError(pairing.notes.join('; '));
    // Reports out of the captures' order (a folder's names against the captures', two swapped): the
    // counters of arenas ever allocated and reclaimed only grow in a process, so a report paired with
    // a later capture that counts fewer is another moment's, or another process's. Then none is used.
    // How far a report's blocks are from what its capture traced tells no more than a doubt (blocks
    // made before tracing began, raw allocations: both come and go), said in a warning.
    const report = (i: number): MallocStatsBlock | null => pairing.reports[i] ?? null;
    const builds = buildsApart(pairing.reports);
    const disorder = builds ? null : countersBack(pairing.reports);
    if (builds) {
      // One build's report was the model's start and its geometry, another's its later states.
      const { earlier, later, changes } = builds;
      const message =
        `${pairing.notes[0] ?? 'allocator reports paired'}; but ${fileOf(report(later)!)}, paired with ${labels[later] ?? 'a later capture'}, ` +
        `is another CPython build's report than ${fileOf(report(earlier)!)}, paired with ${labels[earlier] ?? 'an earlier capture'} ` +
        `(${changes.join('; ')}): not one process's reports, and none is used; give the reports of the run that wrote the dumps`;
      if (opts.requireReports) throw new UsageError(message);
      warnings.push(message);
    } else if (disorder) {
      const { earlier, later, counter } = disorder;
      const [a, b] = [report(earlier)!, report(later)!];
      const message =
        `${pairing.notes[0] ?? 'allocator reports paired'}; but ${fileOf(b)}, paired with ${labels[later] ?? 'a later capture'}, ` +
        `counts ${b[counter]} ${COUNTERS[counter]} where ${fileOf(a)}, paired with ${labels[earlier] ?? 'an earlier capture'}, ` +
        `counts ${a[counter]}: a process's counts only grow, so they are not one process's reports in the captures' ` +
        'order, and none is used; name them as the captures (snap-3.pickle, stats-3.txt), label them (.label ' +
        "sidecars), or give them in the captures' order (or, if the captures' own order is wrong, give it: " +
        '--order mtime, --order given)';
      if (opts.requireReports) throw new UsageError(message);
      warnings.push(message);
    } else {
      if (!pairing.complete) warnings.push(...pairing.notes);
      else paired = pairing.notes[0] ?? null;
      real =
        pairing.rule === 'run'
          ? withoutTimedMisfits(snapshots, labels, pairing.reports, allocatorStats, warnings)
          : pairing.reports;
      // A run's own reports are paired by the labels it recorded: right as taken.
      const twice = sameReport(snapshots, pairing.reports);
      if (twice) {
        const [a, b, apart] = twice;
        warnings.push(
          `${fileOf(report(a)!)} and ${fileOf(report(b)!)} hold the same figures, class by class, where ` +
            `${labels[a] ?? 'a capture'} and ${labels[b] ?? 'another'} traced ${apart} ` +
            "blocks of pymalloc's sizes apart: one report given for two captures? If so, the real figures of one of them are another moment's",
        );
      }
      const misfit = pairing.rule === 'run' ? null : betterFit(snapshots, pairing.reports);
      if (misfit) {
        const { capture, size, traced, paired: inUse, better } = misfit;
        warnings.push(
          `${fileOf(report(capture)!)} has ${inUse} blocks of ${size} bytes in use where ` +
            `${labels[capture] ?? 'its capture'} traced ${traced}, and ${fileOf(report(misfit.report)!)} (${better} in use) fits that capture ` +
            'far better: a report of another moment (numbered from 0? two swapped?), or blocks made before tracing ' +
            'began, or raw allocations (PyMem_RawMalloc: traced, served by the system allocator), that came or went ' +
            "between them: if the reports are not the captures' own, the verdict is wrong",
        );
      } else if (pairing.rule !== 'run') {
        // Far short with no report that fits better: a forward shift (each capture with the report of
        // the moment after it) is as far from each capture as its own would be, and still wrong.
        const k = pairing.reports.findIndex((b, i) => b !== null && classShortOf(snapshots[i]!, b) !== null);
        if (k >= 0) {
          const [size, traced, inUse] = classShortOf(snapshots[k]!, report(k)!)!;
          warnings.push(
            `${fileOf(report(k)!)} has ${inUse} blocks of ${size} bytes in use where ${labels[k] ?? 'its capture'} ` +
              'traced ' +
              `${traced}: raw allocations (PyMem_RawMalloc, such as locks' semaphores: traced, but the system ` +
              "allocator's), or a report of another moment (numbered from 0?): if it is not the capture's own, the " +
              'verdict is wrong',
          );
        }
      }
    }
  }
  const firstReal = real?.find((b) => b !== null) ?? null;
  const model =
    opts.python === undefined ? modelPython(snapshots, firstReal?.arenaSize ?? null, opts.recordedPythons ?? []) : null;
  const python = opts.python ?? model!.python;
  const against = opts.python === undefined ? null : notTheDumps(snapshots, opts.python);
  if (against) warnings.push(against);
  // Reports of another geometry than the model's are another build's: their arenas counted beside the
  // model's (35 of 256 KiB "above" 16 of 1 MiB, and the pinning order chosen by that) are no comparison.
  if (firstReal && firstReal.arenaSize !== geometry(python).arenaSize) {
    const fits = firstReal.arenaSize === 262144 ? '3.9 (256 KiB arenas, as 3.6-3.9)' : '3.10 (1 MiB arenas, as 3.10+)';
    const message =
      `the allocator reports have ${firstReal.arenaSize}-byte arenas, the model of CPython ${python} ` +
      `${geometry(python).arenaSize}: another build's reports, not used; --python ${fits} models theirs`;
    if (opts.requireReports) throw new UsageError(message);
    warnings.push(message);
    real = null;
    paired = null;
  }
  // Reports of another CPython of the same geometry (3.13's beside a 3.11 run's dumps): their arenas are
  // another process's, read as the captures' own (h338 F2). Their free lists tell.
  const library = firstReal && real ? dumpsLibrary(snapshots) : null;
  const printed = firstReal && library !== null ? freeListPythons(firstReal) : null;
  const minor = library === null ? null : python3Minor(library);
  if (printed && minor !== null && (minor < printed[0] || minor > printed[1])) {
    const [lo, hi] = printed;
    const of =
      lo === hi ? `3.${lo}` : hi === 99 ? `3.${lo} or later` : lo === 6 ? `3.${hi} or earlier` : `3.${lo}-3.${hi}`;
    const message =
      `${fileOf(firstReal!)}: the allocator reports' free lists are CPython ${of}'s, and the dumps' tracebacks name ` +
      `lib/python${library}/: another build's reports, not used`;
    if (opts.requireReports) throw new UsageError(message);
    warnings.push(message);
    real = null;
    paired = null;
  }
  const r = replay(snapshots, labels, { ...opts, python, start: real?.[0] ?? null });
  if (r.startSkipped) warnings.push(r.startSkipped);
  const captures: CaptureComparison[] = r.captures.map((c, i): CaptureComparison => {
    const compact = modelFigures(c.compact);
    const scattered = modelFigures(c.scattered);
    const rb = real?.[i] ?? null;
    return {
      label: c.label,
      compact,
      scattered,
      real: rb ? realFigures(rb) : null,
      churn: c.churn,
      arenasSinceFirst: {
        compact: compact.arenas - r.captures[0]!.compact.arenas,
        scattered: scattered.arenas - r.captures[0]!.scattered.arenas,
        real: rb && real?.[0] ? rb.arenasCurrent - real[0].arenasCurrent : null,
      },
    };
  });
  if (real)
    warnings.push(...withoutImpossibleReports(captures, snapshots, real), ...doubtfulPairs(captures, snapshots, real));
  // Judged at the capture before a run's exit capture, as leaks and growth are: at exit what main()'s
  // locals held was freed (21 real arenas 76% spare read "not fragmented" from the 7 held at exit).
  // Unless the exit capture is the more fragmented: what a program makes after its last capture and
  // keeps in a global is there only (17 real arenas 26% used at exit read "not fragmented").
  // Of the two, the one whose arenas are the more spare (the share `gate --max-fragmentation` limits,
  // as for allocator reports alone: a limit of 0.75 passed the run and failed its reports), else the
  // higher verdict.
  const final = judgedCapture(labels);
  let judged = captures.length - 1;
  if (final < judged) {
    const at = (i: number) => captures.slice(0, i + 1);
    const [mf, me] = [measureFragmentation(at(final)), measureFragmentation(at(judged))];
    const rank = (i: number): number => VERDICT_RANK[isFragmented(at(i)).verdict];
    const exitWorse = mf && me ? me.share > mf.share : rank(judged) > rank(final);
    if (!exitWorse) judged = final;
  }
  const upTo = captures.slice(0, judged + 1);
  const madeAfter = madeAfterFrees(snapshots, judged);
  const fragmented = isFragmented(upTo, madeAfter);
  const atFinal =
    judged < captures.length - 1
      ? [
          `fragmentation is judged at ${labels[judged]}, the capture before the run's exit capture ` +
            "(at exit, what the program's functions held is freed)",
        ]
      : final < judged
        ? ["fragmentation is judged at the run's exit capture, more fragmented than the capture before it"]
        : [];
  return {
    python: r.python,
    arenaSize: r.arenaSize,
    poolSize: r.poolSize,
    captures,
    warnings,
    assumptions: [
      ...(model ? [model.note] : []),
      ...(paired ? [paired] : []),
      ...churnAssumptions(captures, snapshots),
      ...atFinal,
    ],
    untracedBlocks: r.untracedBlocks,
    fragmented,
    fragmentation: fragmentationEvidence(upTo, fragmented.verdict, madeAfter),
    judged,
  };
}
