// Seeded draws for the replay's scattered order, which makes millions of them: a xorshift32
// generator stepped on a local number (a closure or an object field holding its state boxes it at
// each step), and Walker's alias tables, which draw an index by weight in constant time.

/** The next state of a xorshift32 generator (a non-zero int32). */
export function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  return x ^ (x << 5);
}

/** A draw in [0, n) from a state of xorshift(). */
export function below(x: number, n: number): number {
  return Math.floor(((x >>> 0) / 2 ** 32) * n);
}

export interface AliasTable {
  readonly n: number;
  /** Probability of keeping the column drawn (else its alias is the draw). */
  readonly keep: Float64Array;
  readonly alias: Int32Array;
}

/**
 * Vose's construction: each of the n columns holds 1/n of the total weight, its own share (`keep`)
 * topped up from one heavier index (`alias`). Indices of weight 0 are never drawn (unless all are).
 */
export function aliasTable(weights: ArrayLike<number>): AliasTable {
  const n = weights.length;
  const keep = new Float64Array(n);
  const alias = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  // Light and heavy columns (scaled weight below or at least 1), as two stacks in one array.
  const stack = new Int32Array(n);
  let light = 0;
  let heavy = n;
  for (let i = 0; i < n; i++) {
    keep[i] = total > 0 ? (weights[i]! * n) / total : 0;
    if (keep[i]! < 1) stack[light++] = i;
    else stack[--heavy] = i;
  }
  while (light > 0 && heavy < n) {
    const l = stack[--light]!;
    const h = stack[heavy]!;
    alias[l] = h;
    keep[h] = keep[h]! + keep[l]! - 1;
    if (keep[h]! < 1) {
      heavy++;
      stack[light++] = h;
    }
  }
  // What is left is full up to rounding.
  while (heavy < n) keep[stack[heavy++]!] = 1;
  for (let i = 0; i < light; i++) keep[stack[i]!] = 1;
  return { n, keep, alias };
}

/** An index drawn by weight, from two generator states. */
export function drawAlias(t: AliasTable, x1: number, x2: number): number {
  const i = below(x1, t.n);
  return (x2 >>> 0) / 2 ** 32 < t.keep[i]! ? i : t.alias[i]!;
}
