// The `replay` query: the model's figures per capture in both orders, next to the real
// allocator's when its reports (sys._debugmallocstats) were captured alongside.

import type { AllocatorStats, MallocStatsBlock } from '../../model/allocator-stats.js';
import type { Snapshot } from '../../model/snapshot.js';
import { UsageError } from '../../util/errors.js';
import type { PinningSite } from './fragmentation.js';
import { geometry } from './geometry.js';
import { type ModelState, replay } from './replay.js';

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
  /** Is the last capture fragmented, and why (see isFragmented). */
  readonly fragmented: { readonly verdict: 'yes' | 'no' | 'possibly' | 'unknown'; readonly reason: string };
}

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
 * The verdict on the last capture. With the real allocator's report: fragmented when it holds
 * at least twice the arenas the same live blocks need when packed best (the compact order), and
 * 2 more at least. Without it, which blocks were freed is unknown: fragmented only if even the
 * compact order leaves half of the arenas pinned (2 at least), possibly if the scattered order
 * leaves a quarter pinned.
 */
export function isFragmented(captures: readonly CaptureComparison[]): ReplayReport['fragmented'] {
  const last = captures[captures.length - 1];
  if (!last) return { verdict: 'unknown', reason: 'no capture' };
  if (last.real) {
    const excess = last.real.arenas - last.compact.arenas;
    const yes = excess >= 2 && excess >= last.real.arenas / 2;
    return {
      verdict: yes ? 'yes' : 'no',
      reason:
        `the real allocator holds ${last.real.arenas} arenas; ` +
        `packed at best, the live blocks need ${last.compact.arenas}`,
    };
  }
  if (captures.length === 1)
    return { verdict: 'unknown', reason: 'fragmentation cannot be seen from one capture: it comes from frees' };
  if (pinned(last.compact, 0.5))
    return {
      verdict: 'yes',
      reason: `even packed at best, ${last.compact.pinnedArenas} of ${last.compact.arenas} arenas are pinned`,
    };
  if (pinned(last.scattered, 0.25)) {
    return {
      verdict: 'possibly',
      reason: [
        `${last.scattered.pinnedArenas} of ${last.scattered.arenas} arenas are pinned if frees were scattered,`,
        `${last.compact.pinnedArenas} of ${last.compact.arenas} if they were compact;`,
        'give --allocator-stats to tell',
      ].join(' '),
    };
  }
  return { verdict: 'no', reason: 'live blocks fill their arenas in either order' };
}

/** Whether a snapshot holds what replay needs: every live block's size (a log's top N does not). */
export function replayable(s: Snapshot): boolean {
  return s.source.format !== 'tracemalloc-text';
}

/**
 * The real allocator's report for each capture, matched by order: one report per capture, or one
 * file per capture (its last report). null when neither fits.
 */
export function matchAllocatorReports(files: readonly AllocatorStats[], captures: number): MallocStatsBlock[] | null {
  const blocks = files.flatMap((f) => f.blocks);
  if (blocks.length === captures) return blocks;
  if (files.length === captures) return files.map((f) => f.blocks[f.blocks.length - 1]!);
  return null;
}

/**
 * The `replay` query. Allocator reports given must match the captures (matchAllocatorReports);
 * a mismatch is the user's to fix.
 */
export function replayReport(
  snapshots: readonly Snapshot[],
  labels: readonly string[],
  allocatorStats: readonly AllocatorStats[],
  opts: { python: string; seed?: number },
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
  let real: MallocStatsBlock[] | null = null;
  const warnings: string[] = [];
  if (allocatorStats.length) {
    real = matchAllocatorReports(allocatorStats, snapshots.length);
    if (!real) {
      const reports = allocatorStats.reduce((n, f) => n + f.blocks.length, 0);
      throw new UsageError(
        `${snapshots.length} captures but ${allocatorStats.length} allocator-stats files holding ${reports} reports: ` +
          'give one report, or one file, per capture',
      );
    }
    const g = geometry(opts.python);
    if (real[0] && real[0].arenaSize !== g.arenaSize) {
      warnings.push(
        `the allocator reports have ${real[0].arenaSize}-byte arenas, ` +
          `the model of ${opts.python} ${g.arenaSize}: pass --python`,
      );
    }
  }
  const r = replay(snapshots, labels, opts);
  const captures = r.captures.map((c, i): CaptureComparison => {
    const compact = modelFigures(c.compact);
    const scattered = modelFigures(c.scattered);
    const rb = real?.[i] ?? null;
    return {
      label: c.label,
      compact,
      scattered,
      real: rb ? realFigures(rb) : null,
      arenasSinceFirst: {
        compact: compact.arenas - r.captures[0]!.compact.arenas,
        scattered: scattered.arenas - r.captures[0]!.scattered.arenas,
        real: rb && real?.[0] ? rb.arenasCurrent - real[0].arenasCurrent : null,
      },
    };
  });
  return {
    python: r.python,
    arenaSize: r.arenaSize,
    poolSize: r.poolSize,
    captures,
    warnings,
    fragmented: isFragmented(captures),
  };
}
