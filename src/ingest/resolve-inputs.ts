// Turning command-line inputs (files, directories, globs, '-') into an ordered list of files to
// read. A directory may hold other files (logs, notes, sidecars): they are skipped with a one-line
// warning each, never an error. A run folder of `arenascope run` gives the captures its run names.

import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fnmatchToRegExp } from '../util/fnmatch.js';
import { sniffFile } from './importers.js';
import { type RunFolder, readRunFolder } from './run-folder.js';

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
export function resolveInputs(
  args: readonly string[],
  order?: Order,
): { inputs: string[]; skipped: string[]; runs: RunFolder[] } {
  const inputs: string[] = [];
  const skipped: string[] = [];
  const runs: RunFolder[] = [];
  const expand = (paths: string[]): void => {
    const all = new Set(paths);
    for (const p of ordered(paths, order ?? 'name')) {
      // A capture's sidecars (its time, its traced peak, its label) are expected beside it, not unknown files.
      if (/\.(time|peak)$/.test(p) && all.has(p.slice(0, -5))) continue;
      if (p.endsWith('.label') && all.has(p.slice(0, -6))) continue;
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
    // A run folder of `arenascope run`: its captures in the run's order; its other files (sidecars,
    // events, the allocator run's output) are its own, not unknown files.
    const run = st?.isDirectory() ? readRunFolder(a) : null;
    if (run) {
      runs.push(run);
      skipped.push(...run.warnings);
      inputs.push(...run.files.map((f) => f.path));
    } else if (st?.isDirectory()) {
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
    runs,
  };
}
