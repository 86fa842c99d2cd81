// Turning command-line inputs (files, directories, globs, '-') into an ordered list of captures
// to read. A directory may hold other files (logs, notes, sidecars): they are skipped with a
// one-line warning each, never an error.

import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { gunzipSync, constants as zlib } from 'node:zlib';
import { fnmatchToRegExp } from '../analysis/fnmatch.js';
import type { AllocatorStats } from '../model/allocator-stats.js';
import type { Capture } from '../model/capture.js';
import type { CaptureSet, TimeSource } from '../model/capture-set.js';
import { FrameTable } from '../model/frames.js';
import type { LineReport } from '../model/line-report.js';
import type { MemorySeries } from '../model/memory-series.js';
import type { Snapshot } from '../model/snapshot.js';
import type { StatisticsLog } from '../model/statistics-log.js';
import { detectFormat, type FormatId } from './sniff.js';

export type Order = 'name' | 'mtime' | 'given';
export const ORDERS: readonly Order[] = ['name', 'mtime', 'given'];

/** Natural order: 'snap-2' before 'snap-10'. */
export function naturalCompare(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

/** The format of a file from its first bytes (gunzipped if need be), or null. */
export function sniffFile(path: string): FormatId | null {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    let head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    if (head[0] === 0x1f && head[1] === 0x8b) {
      try {
        head = gunzipSync(head, { finishFlush: zlib.Z_SYNC_FLUSH });
      } catch {
        return null;
      }
    }
    return detectFormat(head);
  } finally {
    closeSync(fd);
  }
}

const GLOB = /[*?[]/;

// Expands a pattern whose segments may hold fnmatch wildcards ('*' stays within a segment here,
// as in a shell).
function glob(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  let bases = [parts[0] === '' ? sep : '.'];
  let i = parts[0] === '' ? 1 : 0;
  const prefix: string[] = [];
  for (; i < parts.length && !GLOB.test(parts[i]!); i++) prefix.push(parts[i]!);
  bases = [prefix.length ? join(bases[0]!, ...prefix) : bases[0]!];
  for (; i < parts.length; i++) {
    const re = fnmatchToRegExp(parts[i]!);
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const b of bases) {
      let names: string[];
      try {
        names = readdirSync(b);
      } catch {
        continue;
      }
      for (const n of names) {
        if (n.startsWith('.') && !parts[i]!.startsWith('.')) continue;
        if (!re.test(n)) continue;
        const p = b === '.' ? n : join(b, n);
        if (last || statSync(p).isDirectory()) next.push(p);
      }
    }
    bases = next;
  }
  return bases.filter((p) => statSync(p).isFile());
}

function ordered(paths: string[], order: Order): string[] {
  if (order === 'given') return paths;
  if (order === 'mtime')
    return [...paths].sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || naturalCompare(a, b));
  return [...paths].sort(naturalCompare);
}

/**
 * Files to read, in order: in the order of the arguments, each directory's files and each glob's
 * matches in natural name order; with an explicit `order` of name or mtime, everything sorted so.
 * Files of no known format inside a directory or glob are reported in `skipped`; an explicit file
 * is always kept (reading it gives the precise error).
 */
export function resolveInputs(args: readonly string[], order?: Order): { inputs: string[]; skipped: string[] } {
  const inputs: string[] = [];
  const skipped: string[] = [];
  const expand = (paths: string[]): void => {
    const all = new Set(paths);
    for (const p of ordered(paths, order ?? 'name')) {
      // A capture's sidecar (its time) is expected beside it, not an unknown file.
      if (p.endsWith('.time') && all.has(p.slice(0, -5))) continue;
      if (sniffFile(p)) inputs.push(p);
      else skipped.push(`skipping ${p}: not a capture arenascope reads`);
    }
  };
  for (const a of args) {
    let st: ReturnType<typeof statSync> | null;
    try {
      st = statSync(a);
    } catch {
      st = null; // not a path: maybe a pattern
    }
    if (st?.isDirectory()) {
      expand(
        readdirSync(a)
          .filter((n) => !n.startsWith('.'))
          .map((n) => join(a, n))
          .filter((p) => statSync(p).isFile()),
      );
    } else if (!st && a !== '-' && GLOB.test(a)) {
      const matches = glob(a);
      if (!matches.length) skipped.push(`no file matches ${a}`);
      expand(matches);
    } else inputs.push(a); // a file, '-', or a missing path (reading it says so)
  }
  return {
    inputs:
      order && order !== 'given'
        ? ordered(
            inputs.filter((p) => p !== '-'),
            order,
          )
        : inputs,
    skipped,
  };
}

/**
 * The capture time in a sidecar file `<capture>.time`: seconds since the epoch, or an ISO 8601
 * date; null when there is none or it cannot be read as a time.
 */
export function sidecarTime(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(`${path}.time`, 'utf8').trim();
  } catch {
    return null;
  }
  const n = Number(text);
  if (text !== '' && Number.isFinite(n)) return n;
  const d = Date.parse(text);
  return Number.isNaN(d) ? null : d / 1000;
}

/**
 * Reads every input (files, directories, globs) and groups the captures by kind. Snapshots keep
 * the input order, unless every one of them records its capture time and no order was asked for:
 * then they are ordered by time. They share one frame table.
 */
export async function loadCaptureSet(
  args: readonly string[],
  opts: { order?: Order; load: (path: string, frames: FrameTable) => Promise<Capture> },
): Promise<CaptureSet> {
  const { inputs, skipped } = resolveInputs(args, opts.order);
  const frames = new FrameTable();
  let snaps: { s: Snapshot; label: string }[] = [];
  const memorySeries: MemorySeries[] = [];
  const lineReports: LineReport[] = [];
  const allocatorStats: AllocatorStats[] = [];
  const statisticsLogs: StatisticsLog[] = [];
  for (const path of inputs) {
    const c = await opts.load(path, frames);
    if (c.kind === 'snapshot') snaps.push({ s: c, label: path });
    else if (c.kind === 'snapshot-series') c.snapshots.forEach((s, i) => snaps.push({ s, label: c.labels[i]! }));
    else if (c.kind === 'memory-series') memorySeries.push(c);
    else if (c.kind === 'line-report') lineReports.push(c);
    else if (c.kind === 'allocator-stats') allocatorStats.push(c);
    else statisticsLogs.push(c);
  }
  // Times: recorded in the captures, else sidecar files, else none (never file modification times).
  let timeSource: TimeSource = null;
  if (snaps.length && snaps.every((x) => x.s.time !== null)) timeSource = 'capture';
  else {
    const side = snaps.map((x) => sidecarTime(x.label));
    if (snaps.length && side.every((t) => t !== null)) {
      snaps = snaps.map((x, i) => ({ ...x, s: { ...x.s, time: side[i]! } }));
      timeSource = 'sidecar';
    }
  }
  if (!opts.order && snaps.length > 1 && timeSource) snaps = [...snaps].sort((a, b) => a.s.time! - b.s.time!);
  return {
    timeSource,
    series: {
      kind: 'snapshot-series',
      snapshots: snaps.map((x) => x.s),
      labels: snaps.map((x) => x.label),
      warnings: [],
    },
    memorySeries,
    lineReports,
    allocatorStats,
    statisticsLogs,
    skipped,
  };
}
