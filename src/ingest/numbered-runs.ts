// Snapshots whose names number several runs apart: 'mem.<pid>.<n>.pickle' of two workers dumping into
// one folder, 'app-py311-<n>' beside 'app-py38-<n>', 'run-a/snap-<n>' beside 'run-b/snap-<n>'. Judged as one series, one process's captures
// followed the other's: a leak of one read as shrinking at the other's first, and the gate passed it.

import { basename, dirname, join } from 'node:path';

/** Runs told apart by the numbers of the snapshots' names, each numbered afresh. */
export interface NumberedRuns {
  /** Per run, in the order of its first snapshot: its names as a glob ('snaps/mem.4935.*.pickle') and how many. */
  readonly runs: readonly { readonly glob: string; readonly count: number }[];
  /** Whether the runs' capture times overlap (two processes at once); null when the times are not known. */
  readonly overlap: boolean | null;
}

/**
 * The runs that the names of `paths` number apart: every name the same text around two numbers or
 * more, the last counting the captures of a run and the ones before it naming the run, at least two
 * runs of two captures each, each counted from the same first number. Null otherwise (one count,
 * a count that goes on from run to run: one run in parts). `times`: each snapshot's, when known.
 */
export function numberedRuns(paths: readonly string[], times: readonly (number | null)[]): NumberedRuns | null {
  if (paths.length < 4) return null;
  const parts = paths.map((p) => basename(p).split(/(\d+)/));
  const template = (p: readonly string[]): string => p.filter((_, i) => i % 2 === 0).join('#');
  const shape = template(parts[0]!);
  // Two numbers at least (the run's, then the capture's), or one in each of two folders and more (a
  // run a folder, each counted afresh: snap-1 to snap-6 in run-a/ and in run-b/, a leak of each read
  // as transient where run-b's snap-1 followed run-a's snap-6).
  const numbers = (parts[0]!.length - 1) / 2;
  const folders = new Set(paths.map((p) => dirname(p))).size;
  if (numbers < 1 || (numbers < 2 && folders < 2) || parts.some((p) => template(p) !== shape)) return null;
  const runs = new Map<string, { glob: string; counts: number[]; times: (number | null)[] }>();
  parts.forEach((p, i) => {
    const key = join(dirname(paths[i]!), p.slice(0, -2).join(''));
    let run = runs.get(key);
    if (!run) {
      run = { glob: join(dirname(paths[i]!), `${p.slice(0, -2).join('')}*${p.at(-1)!}`), counts: [], times: [] };
      runs.set(key, run);
    }
    run.counts.push(Number(p.at(-2)!));
    run.times.push(times[i] ?? null);
  });
  const list = [...runs.values()];
  if (list.length < 2 || list.some((r) => r.counts.length < 2)) return null;
  const first = Math.min(...list[0]!.counts);
  if (list.some((r) => Math.min(...r.counts) !== first || new Set(r.counts).size !== r.counts.length)) return null;
  return { runs: list.map((r) => ({ glob: r.glob, count: r.counts.length })), overlap: overlapping(list) };
}

// Whether two runs' spans of capture times overlap; null when a time is missing.
function overlapping(runs: readonly { times: readonly (number | null)[] }[]): boolean | null {
  if (runs.some((r) => r.times.some((t) => t === null))) return null;
  const spans = runs
    .map((r) => [Math.min(...(r.times as number[])), Math.max(...(r.times as number[]))] as const)
    .sort((a, b) => a[0] - b[0]);
  return spans.some((s, i) => i > 0 && s[0] < spans[i - 1]![1]);
}
