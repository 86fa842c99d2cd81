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
