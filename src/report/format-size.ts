// tracemalloc._format_size, digit for digit: C printf rounding (exact value, ties to even), which
// JS toFixed does not do (it rounds exact ties up: (12.5).toFixed(0) === '13', printf gives '12').

/** printf("%.<digits>f") for digits 0 or 1, with an optional forced sign ("%+.<digits>f"). */
export function printfFixed(x: number, digits: 0 | 1, sign = false): string {
  const ax = Math.abs(x);
  let body: string;
  // A double is an exact tie at 1 decimal only if 4x is odd, at 0 decimals only if 2x is odd.
  const scaled = digits === 0 ? 2 * ax : 4 * ax;
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    let n = Math.floor(ax * 10 ** digits);
    if (n % 2 === 1) n += 1;
    body = digits === 0 ? String(n) : `${Math.floor(n / 10)}.${n % 10}`;
  } else {
    body = ax.toFixed(digits);
  }
  const neg = x < 0 || Object.is(x, -0);
  return (neg ? '-' : sign ? '+' : '') + body;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatSize(size: number, sign = false): string {
  for (const unit of UNITS) {
    if (Math.abs(size) < 100 && unit !== 'B') return `${printfFixed(size, 1, sign)} ${unit}`;
    if (Math.abs(size) < 10 * 1024 || unit === 'TiB') return `${printfFixed(size, 0, sign)} ${unit}`;
    size /= 1024;
  }
  throw new Error('unreachable');
}
