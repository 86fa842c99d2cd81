// A tracemalloc statistic's size from the figures printed for it (tracemalloc-text.ts): the size and
// the average, each rounded by _format_size to 3 significant digits (or, by pytracemalloc on Python 2,
// cut down to whole numbers), and whether the two agree.

import { InputError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import type { InputStream } from './open-input.js';

export const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/**
 * A size as printed (3 significant digits, bytes below 10 KiB), within 2^53 bytes, where bytes are
 * exact: a whole number of bytes ('62.5 KiB' is 64,000 B, not the 63,999.99999999999 of its product).
 */
export function printedSize(input: InputStream, no: number, value: string, unit: string): number {
  const n = Math.round(Number(value) * UNIT[unit]!);
  if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return n;
  const printed = `${quoted(`${value} ${unit}`, 30)}`;
  throw new InputError(input.label, `line ${no}`, `the size ${printed} is beyond 2^53 bytes: not counted exactly`);
}

/**
 * The bytes a figure as printed stands for, [lo, hi]: half its last digit's step either side ('97.7 KiB':
 * 0.05 KiB), within the sizes _format_size prints in that unit with those decimals (under 100 of a unit
 * with one, from 100 to 10,240 with none, bytes under 10 KiB): '100.0 KiB' is 99.95-100 KiB, as 100 KiB
 * prints '100 KiB' (read as 100 KiB, it printed again otherwise). A size in bytes is exact (a whole number
 * printed whole); an average in bytes was rounded.
 */
function printedRange(value: string, unit: string, exactBytes = false): [number, number] {
  const u = UNIT[unit]!;
  const v = Number(value) * u;
  if (exactBytes && unit === 'B' && !value.includes('.')) return [v, v];
  const decimals = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0;
  const half = (0.5 * u) / 10 ** decimals;
  let [lo, hi] = [v - half, v + half];
  if (unit === 'B') hi = Math.min(hi, 10 * 1024 - 0.5);
  else if (decimals === 1) [lo, hi] = [Math.max(lo, 10 * u), Math.min(hi, 100 * u - 1)];
  else if (decimals === 0) [lo, hi] = [Math.max(lo, 100 * u), unit === 'TiB' ? hi : Math.min(hi, 10240 * u - 1)];
  return lo <= hi ? [lo, hi] : [v - half, v + half];
}

/** The figures of a statistic as printed: its size, count and average (when one is printed). */
export interface PrintedFigures {
  readonly size: string;
  readonly unit: string;
  readonly average?: string;
  readonly averageUnit?: string;
}

/**
 * How a size was read: within what its size and average both allow ('rounded', or with no average
 * printed), within what they allow cut down to whole numbers as pytracemalloc printed them on Python 2
 * ('cut'), or as the size printed because the two do not meet ('disagree': a hand-edited or
 * mis-pasted line, whose average is no evidence).
 */
export type SizeReading = 'rounded' | 'cut' | 'disagree';

/**
 * A statistic's size from its printed size (`printed`, in bytes) and average, each rounded as
 * tracemalloc prints it: the middle of the sizes both allow ('size=103 KiB, count=1451, average=72 B':
 * 102.5-103.5 KiB and 71.5-72.5 B a block, so 104,960-105,197 B, where 103 KiB alone made the average
 * 73 B). The printed size when no average is printed, or when the two do not meet.
 */
export function estimate(printed: number, p: PrintedFigures, count: number): Estimate {
  const { size: value, unit, average: avg, averageUnit: avgUnit } = p;
  const none = (reading: SizeReading): Estimate => ({ size: printed, reading, range: [printed, printed] });
  if (avg === undefined || avgUnit === undefined || count <= 0) return none('rounded');
  const a = Number(avg) * UNIT[avgUnit]!;
  const [sizeLo, sizeHi] = printedRange(value, unit, true);
  const [avgLo, avgHi] = printedRange(avg, avgUnit);
  const lo = Math.max(sizeLo, avgLo * count);
  const hi = Math.min(sizeHi, avgHi * count);
  if (lo <= hi) return { size: Math.round((lo + hi) / 2), reading: 'rounded', range: [lo, hi] };
  // pytracemalloc on Python 2 divided whole numbers: 'size=10.0 KiB, count=11, average=992 B' is
  // 10,912-10,922 B, each figure cut down to a whole one of its unit (read as 10,240 B, its average
  // 931 B, and the listing's order turned round).
  const whole = (v: string): boolean => /^\d+(?:\.0+)?$/.test(v);
  if (!whole(value) || !whole(avg)) return none('disagree');
  const cutLo = Math.max(printed, a * count);
  const cutHi = Math.min(printed + UNIT[unit]!, (a + UNIT[avgUnit]!) * count);
  if (!(cutLo < cutHi)) return none('disagree');
  const size = Math.floor((cutLo + cutHi - 1) / 2);
  return { size, reading: 'cut', range: [size, size] };
}

/** A size read from its printed figures, and the sizes they allow ([size, size] where only it is known). */
export interface Estimate {
  readonly size: number;
  readonly reading: SizeReading;
  readonly range: readonly [number, number];
}

/** The statistics of an input whose size was not read 'rounded': said once each kind, by their first line. */
export class SizeReadings {
  private readonly seen: Record<Exclude<SizeReading, 'rounded'>, { line: number; figures: string }[]> = {
    cut: [],
    disagree: [],
  };

  note(reading: SizeReading, line: number, p: PrintedFigures, count: number): void {
    if (reading === 'rounded') return;
    this.seen[reading].push({
      line,
      figures: `size=${p.size} ${p.unit}, count=${count}, average=${p.average} ${p.averageUnit}`,
    });
  }

  warnings(label: string): string[] {
    const out: string[] = [];
    const { cut, disagree } = this.seen;
    if (disagree.length) {
      const what =
        disagree.length > 1
          ? `${disagree.length} statistics whose size and average disagree, the first`
          : 'a statistic whose size and average disagree';
      out.push(
        `${label}: line ${disagree[0]!.line}: ${what} (${quoted(disagree[0]!.figures, 70)}): read as the size printed ` +
          '(a hand-edited or mis-pasted line? its average is no evidence of its size)',
      );
    }
    if (cut.length) {
      out.push(
        `${label}: ${cut.length > 1 ? `${cut.length} statistics (the first at line ${cut[0]!.line})` : `the statistic at line ${cut[0]!.line}`} ` +
          'agree with their averages only cut down to whole numbers, as pytracemalloc printed them on Python 2: read so',
      );
    }
    return out;
  }
}

/**
 * The sizes of a listing of statistics() (largest first, then by count) within what its order allows as
 * well: each no larger than any above it, and smaller than one above it with fewer blocks (else CPython
 * would have printed the other first); no smaller than any below. Two sites printed '10.0 KiB' were each
 * read in the middle of what their figures allow, the one CPython printed second read larger (10,266 B
 * beside 10,241), and `stats` named it first (h263). Null when the order cannot be a largest-first one
 * (a listing sorted otherwise): the sizes stay as read.
 */
export function withinOrder(
  stats: readonly { readonly range: readonly [number, number]; readonly count: number }[],
): number[] | null {
  // Whether the statistic above i must be larger than it (it has fewer blocks).
  const strict = (i: number): number => (stats[i - 1]!.count < stats[i]!.count ? 1 : 0);
  const hi: number[] = [];
  for (const [i, { range }] of stats.entries()) {
    hi.push(i ? Math.min(range[1], hi[i - 1]! - strict(i)) : range[1]);
    if (hi[i]! < range[0]) return null;
  }
  const lo = new Array<number>(stats.length);
  for (let i = stats.length - 1; i >= 0; i--)
    lo[i] = i + 1 < stats.length ? Math.max(stats[i]!.range[0], lo[i + 1]! + strict(i + 1)) : stats[i]!.range[0];
  return stats.map((_, i) => Math.round((lo[i]! + hi[i]!) / 2));
}
