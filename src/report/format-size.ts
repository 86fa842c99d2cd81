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
 * The change between two sizes known only as printed (a logged listing's: 3 significant digits),
 * signed, no finer than the coarser last digit of the two ('1234 KiB' to '1301 KiB' is +67 KiB, not
 * +67.0 KiB: each is known to half a KiB).
 */
export function formatPrintedChange(change: number, older: number, newer: number): string {
  const coarser = printedStep(older) >= printedStep(newer) ? older : newer;
  const step = printedStep(coarser);
  if (printedStep(change) >= step) return formatSize(change, true);
  const { index, decimals } = printedAs(coarser);
  const rounded = (Math.round(change / step) || 0) * step;
  return `${printfFixed(rounded / 1024 ** index, decimals, true)} ${UNITS[index]}`;
}
