// JSON rendering: the analysis results as they are (they are plain data by design), and the few
// shapes that leave out what only another output shows.

import type { ReplayReport } from '../analysis/pymalloc/compare.js';

export function renderJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** `replay --json`: every figure but the _debugmallocstats-shaped tables, which are for --mallocstats. */
export function renderReplayJson(r: ReplayReport): string {
  const strip = <T extends { stats: unknown }>(x: T): Omit<T, 'stats'> => {
    const { stats: _, ...rest } = x;
    return rest;
  };
  const captures = r.captures.map((c) => ({
    ...c,
    compact: strip(c.compact),
    scattered: strip(c.scattered),
    real: c.real && strip(c.real),
  }));
  return renderJson({ ...r, captures });
}
