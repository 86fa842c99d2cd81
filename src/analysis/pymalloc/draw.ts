// Seeded draws for the replay's scattered order, which makes millions of them: a xorshift32
// generator stepped on a local number (a closure or an object field holding its state boxes it at
// each step), Walker's alias tables, which draw an index by weight in constant time, binomial
// draws, and what the order's sampling pool by pool draws (replay.ts): order statistics, the
// smallest and largest of a pool's transients. The replay makes them in its WebAssembly model
// (assembly/replay-model.ts), draw for draw the same (with the host's Math): these are its reference
// (test/analysis/pymalloc-wasm.test.ts), as are its per-block draws (places without replacement,
// random frees), made with the same generator and the same below().

/** The next state of a xorshift32 generator (a non-zero int32). */
export function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  return x ^ (x << 5);
}

/**
 * The generator's first state for a seed: the seed's bits mixed (MurmurHash3's finaliser), never 0.
 * xorshift is linear in its state: seeds 1, 2, 3 ... taken as they are span a handful of bits and
 * their streams are related (the replays of seeds 1 to 300 spread less than the order they sample).
 */
export function seedState(seed: number): number {
  let h = seed | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h || 1;
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

/** An index drawn by weight, from two generator states (the replay draws so in WebAssembly: ReplayModel.drawByWeight). */
export function drawAlias(t: AliasTable, x1: number, x2: number): number {
  const i = below(x1, t.n);
  return (x2 >>> 0) / 2 ** 32 < t.keep[i]! ? i : t.alias[i]!;
}

// Draws for sampling the scattered order at the level of pools (replay.ts): a few per pool, from
// a generator whose state is held in rng[0].

/** A uniform draw in (0, 1). */
export function uniform(rng: Int32Array): number {
  const x = xorshift(rng[0]!);
  rng[0] = x;
  return ((x >>> 0) + 0.5) / 2 ** 32;
}

function normal(rng: Int32Array): number {
  // Box-Muller, one of the pair.
  return Math.sqrt(-2 * Math.log(uniform(rng))) * Math.cos(2 * Math.PI * uniform(rng));
}

/**
 * A Binomial(n, p) draw: the number of successes of n trials of probability p. By inversion of its
 * distribution below a mean of 30 (exact; the draw walks up from 0), else from the normal
 * distribution of the same mean and variance, rounded and kept in [0, n].
 */
export function binomial(rng: Int32Array, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  const mean = n * p;
  if (mean >= 30) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(rng))));
  const odds = p / (1 - p);
  let prob = (1 - p) ** n; // P(0): at least e^-60 here
  let u = uniform(rng);
  let k = 0;
  while (u > prob && k < n) {
    u -= prob;
    prob *= (odds * (n - k)) / (k + 1);
    k++;
  }
  return k;
}

/** A Gamma(k, 1) draw for a whole k >= 1: the sum of k exponential draws; Marsaglia and Tsang's method from 8 on. */
export function gamma(rng: Int32Array, k: number): number {
  if (k < 8) {
    let p = 1;
    for (let i = 0; i < k; i++) p *= uniform(rng);
    return -Math.log(p);
  }
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number;
    let v: number;
    do {
      z = normal(rng);
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = uniform(rng);
    if (u < 1 - 0.0331 * z ** 4 || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The values of ranks r[0] < r[1] < ... (1-based) among n uniform draws in sorted order, without
 * drawing the n: the k-th smallest of n uniforms is S_k / S_(n+1), S the sums of exponential draws.
 */
export function orderStatistics(rng: Int32Array, n: number, ranks: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ranks.length);
  let s = 0;
  let prev = 0;
  for (let j = 0; j < ranks.length; j++) {
    s += gamma(rng, ranks[j]! - prev);
    prev = ranks[j]!;
    out[j] = s;
  }
  const total = s + gamma(rng, n + 1 - prev);
  for (let j = 0; j < out.length; j++) out[j] = out[j]! / total;
  return out;
}

/** The smallest and the largest of t >= 1 uniform draws, drawn jointly: [min, max]. */
export function minMax(rng: Int32Array, t: number): [number, number] {
  const max = uniform(rng) ** (1 / t);
  // The other t - 1 are uniform below the largest.
  return [t > 1 ? max * (1 - uniform(rng) ** (1 / (t - 1))) : max, max];
}
