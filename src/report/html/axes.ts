// What the charts' axes share: sizes in the unit the data's range calls for (named in the axis title,
// so no axis reads "KiB" up to 13,000), and captures on x by their names, short and upright, the
// full name in the tooltip.

import { shortestUniqueSuffixes } from '../text/layout.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export interface SizeUnit {
  readonly unit: (typeof UNITS)[number];
  /** Bytes in one unit: a size in bytes divided by this is the figure drawn. */
  readonly bytes: number;
}

/** The largest unit in which the largest magnitude among `sizes` (bytes) is still 1 or more. */
export function sizeUnit(sizes: Iterable<number>): SizeUnit {
  let max = 0;
  for (const s of sizes) max = Math.max(max, Math.abs(s));
  let i = 0;
  while (i < UNITS.length - 1 && max >= 1024 ** (i + 1)) i++;
  return { unit: UNITS[i]!, bytes: 1024 ** i };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it replaces
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Characters a capture's name keeps on the axis; the rest is cut from the left ('…'). */
const LABEL_CHARS = 18;

/**
 * Each capture's name as the x axis shows it: the shortest suffix of its path that no other capture
 * shares, cut from the left when long. Names the cut makes equal get their capture number in front,
 * so that no two captures share a tick.
 */
export function captureTicks(labels: readonly string[]): string[] {
  const suffix = shortestUniqueSuffixes(labels);
  const cut = labels.map((l) => {
    // vega-lite writes the ticks into an expression (the axis' sort), which U+2028/U+2029 break
    // (the page failed to render); control characters show nothing on an axis either.
    const s = suffix(l).replace(UNSHOWN, '\uFFFD');
    return s.length > LABEL_CHARS ? `…${s.slice(s.length - LABEL_CHARS + 1)}` : s;
  });
  return new Set(cut).size === cut.length ? cut : cut.map((c, i) => `${i + 1}: ${c}`);
}

/**
 * The x encoding of a chart per capture: the `tick` field, in capture order, labels upright; labels
 * that would touch are left out by vega (greedy), never drawn over each other.
 */
export function captureX(ticks: readonly string[]) {
  return {
    field: 'tick',
    type: 'ordinal',
    sort: [...ticks],
    title: 'capture',
    axis: { labelAngle: 0, labelOverlap: 'greedy', labelSeparation: 6, labelLimit: 140 },
  } as const;
}
