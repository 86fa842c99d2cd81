// Python's %-formatting of floats, digit for digit: C printf rounding (exact value, ties to even),
// which JS toFixed does not do (it rounds exact ties up: (12.5).toFixed(0) === '13', printf '12').

/** printf("%.<digits>f"), or "%+.<digits>f" with sign: the exact value rounded half to even. */
export function printfFixed(x: number, digits: number, sign = false): string {
  const ax = Math.abs(x);
  let body: string;
  // A double is an exact tie at d decimals only if x * 2^(d+1) is an odd integer (a tie is
  // k + 1/2 units of 10^-d, and a double is a dyadic rational), and only then can toFixed,
  // which rounds ties up, differ from printf.
  const scaled = ax * 2 ** (digits + 1);
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    let n = Math.floor(ax * 10 ** digits);
    if (n % 2 === 1) n += 1;
    const s = String(n).padStart(digits + 1, '0');
    body = digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  } else {
    body = ax.toFixed(digits);
  }
  const neg = x < 0 || Object.is(x, -0);
  return (neg ? '-' : sign ? '+' : '') + body;
}
