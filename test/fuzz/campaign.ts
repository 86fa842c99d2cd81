// The parts of the long campaign (scripts/fuzz.mjs) that are plain functions: grouping failures by
// signature, shrinking a failing input, and the table of outcomes per target.

import { type Outcome, PASSING, type Verdict } from './oracle.js';

/**
 * One signature per kind of failure: the first line of its message up to any quoted input, with
 * `strip` (the campaign's directory) and numbers left out, and zlib's reasons as one.
 */
export function signature(target: string, v: Verdict, strip: string): string {
  const detail = v.detail
    .replaceAll(strip, '')
    .replace(/corrupt gzip data: .*/s, 'corrupt gzip data')
    .split(/["'\n]/)[0]!
    .replace(/\d+/g, 'N')
    .slice(0, 100);
  return `${target} ${v.outcome} ${detail}`;
}

/**
 * The smallest input found that still `fails`: halves, quarters… of it removed, from the end first
 * (so shorter prefixes are tried first), within `budget` tries and `ms` milliseconds.
 */
export async function shrink(
  data: Buffer,
  fails: (d: Buffer) => Promise<boolean>,
  budget = 400,
  ms = 60_000,
): Promise<Buffer> {
  const end = Date.now() + ms;
  let best = data;
  let tries = 0;
  const more = (): boolean => tries < budget && Date.now() < end;
  for (let size = best.length >> 1; size >= 1 && more(); size >>= 1) {
    for (let at = best.length - size; at >= 0 && more(); at -= size) {
      const candidate = Buffer.concat([best.subarray(0, at), best.subarray(at + size)]);
      tries++;
      if (await fails(candidate)) best = candidate;
    }
  }
  return best;
}

export interface TargetStats {
  inputs: number;
  outcomes: Partial<Record<Outcome, number>>;
  maxMs: number;
}

/** A Markdown table: inputs and outcomes per target, passing outcomes first, and the slowest input. */
export function table(stats: ReadonlyMap<string, TargetStats>): string {
  const all = [...stats.values()];
  const seen = new Set(all.flatMap((s) => Object.keys(s.outcomes) as Outcome[]));
  const order = [
    ...(['ok', 'input-error', 'gate-failed'] as Outcome[]).filter((o) => seen.has(o)),
    ...[...seen].filter((o) => !PASSING.has(o)).sort(),
  ];
  const sum = (o: Outcome): number => all.reduce((a, s) => a + (s.outcomes[o] ?? 0), 0);
  return [
    `| target | inputs | ${order.join(' | ')} | slowest (ms) |`,
    `|---|---:|${order.map(() => '---:|').join('')}---:|`,
    ...[...stats].map(
      ([name, s]) =>
        `| ${name} | ${s.inputs} | ${order.map((o) => s.outcomes[o] ?? 0).join(' | ')} | ${Math.round(s.maxMs)} |`,
    ),
    `| all | ${all.reduce((a, s) => a + s.inputs, 0)} | ${order.map(sum).join(' | ')} | |`,
  ].join('\n');
}
