import { verdictGrowth } from '../analysis/growth.js';
import { printfFixed } from '../util/printf.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatSize(size: number, sign = false): string {
  for (const unit of UNITS) {
    if (Math.abs(size) < 100 && unit !== 'B') return `${printfFixed(size, 1, sign)} ${unit}`;
    if (Math.abs(size) < 10 * 1024 || unit === 'TiB') return `${printfFixed(size, 0, sign)} ${unit}`;
    size /= 1024;
  }
  throw new Error('unreachable');
}

/**
 * The growth a site's verdict rests on, signed: what it kept (so marked) for a leak by kept memory,
 * or from the capture it was judged from (so marked) after a spike at the start.
 */
export function growthLabel(s: Parameters<typeof verdictGrowth>[0]): string {
  const g = formatSize(verdictGrowth(s), true);
  return s.kept ? `${g} kept` : s.judgedFrom ? `${g} from capture ${s.judgedFrom + 1}` : g;
}

/** The unit and decimals formatSize (tracemalloc's _format_size) prints a size in. */
function printedAs(size: number): { index: number; decimals: 0 | 1 } {
  for (const [index, name] of UNITS.entries()) {
    const n = Math.abs(size) / 1024 ** index;
    if (n < 100 && name !== 'B') return { index, decimals: 1 };
    if (n < 10 * 1024 || name === 'TiB') return { index, decimals: 0 };
  }
  throw new Error('unreachable');
}

/** The step of a size's last digit as formatSize prints it, in bytes ('97.7 KiB': 102.4 B). */
function printedStep(size: number): number {
  const { index, decimals } = printedAs(size);
  return 1024 ** index / 10 ** decimals;
}

/**
 * A size as formatSize prints it, in whole bytes: 300,281 B prints '293 KiB', 300,032 B; '58.6 KiB'
 * is 60,006 B. What a table of a logged listing's sizes holds: no digit finer than the listing printed.
 */
export function printedBytes(size: number): number {
  const { index, decimals } = printedAs(size);
  return Math.round(Number(printfFixed(size / 1024 ** index, decimals)) * 1024 ** index) || 0;
}

/** A change between two printed sizes (formatPrintedChange): its unit, its decimals and its value in them. */
function printedChange(change: number, older: number, newer: number): { index: number; decimals: 0 | 1; n: number } {
  const coarser = printedStep(older) >= printedStep(newer) ? older : newer;
  const step = printedStep(coarser);
  if (printedStep(change) >= step) {
    const own = printedAs(change);
    return { ...own, n: change / 1024 ** own.index };
  }
  const { index, decimals } = printedAs(coarser);
  return { index, decimals, n: ((Math.round(change / step) || 0) * step) / 1024 ** index };
}

/**
 * The change between two sizes known only as printed (a logged listing's: 3 significant digits),
 * signed, no finer than the coarser last digit of the two ('1234 KiB' to '1301 KiB' is +67 KiB, not
 * +67.0 KiB: each is known to half a KiB).
 */
export function formatPrintedChange(change: number, older: number, newer: number): string {
  const { index, decimals, n } = printedChange(change, older, newer);
  return `${printfFixed(n, decimals, true)} ${UNITS[index]}`;
}

/** The change formatPrintedChange prints, in whole bytes (+67 KiB: 68,608 B). */
export function printedChangeBytes(change: number, older: number, newer: number): number {
  const { index, decimals, n } = printedChange(change, older, newer);
  return Math.round(Number(printfFixed(n, decimals)) * 1024 ** index) || 0;
}
