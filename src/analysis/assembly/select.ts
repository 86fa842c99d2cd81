// The k-th smallest of an array of doubles, in AssemblyScript: compiled to WebAssembly by
// scripts/build-wasm.mjs and driven by ../select.ts (whose TypeScript reference it is tested
// against). Quickselect with a median-of-three pivot, in place; after 64 rounds (inputs made to
// defeat the pivot) the rest of the range is heap-sorted, so it never takes quadratic time.

/** Grows the memory to hold `bytes` from 0 (the values JavaScript copies in at `base()`). */
export function reserve(bytes: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (bytes > have && memory.grow(<i32>((bytes - have + 0xffff) >>> 16)) < 0) unreachable();
}

/** Where JavaScript puts the values: after the module's static data. */
export function base(): usize {
  return (__heap_base + 15) & ~15;
}

function at(a: usize, i: i32): f64 {
  return load<f64>(a + ((<usize>i) << 3));
}

function set(a: usize, i: i32, v: f64): void {
  store<f64>(a + ((<usize>i) << 3), v);
}

/** The k-th smallest (0-based) of the n doubles at `a` (none NaN), which it reorders. */
export function kth(a: usize, n: i32, k: i32): f64 {
  let lo: i32 = 0;
  let hi: i32 = n - 1;
  let rounds = 0;
  while (hi > lo) {
    if (++rounds > 64) {
      heapSort(a + ((<usize>lo) << 3), hi - lo + 1);
      return at(a, k);
    }
    const x = at(a, lo);
    const y = at(a, (lo + hi) >> 1);
    const z = at(a, hi);
    const pivot = max<f64>(min<f64>(x, y), min<f64>(max<f64>(x, y), z)); // the median of three
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (at(a, i) < pivot) i++;
      while (at(a, j) > pivot) j--;
      if (i <= j) {
        const t = at(a, i);
        set(a, i, at(a, j));
        set(a, j, t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return at(a, k);
  }
  return at(a, k);
}

/**
 * Replaces the n times at `a` by the steps between them that go forward (t[i] - t[i-1] > 0), in
 * place, in order; returns how many there are.
 */
export function rises(a: usize, n: i32): i32 {
  let m: i32 = 0;
  for (let i: i32 = 1; i < n; i++) {
    const d = at(a, i) - at(a, i - 1);
    // Written at m <= i - 1, below the times still to read.
    if (at(a, i) > at(a, i - 1)) set(a, m++, d);
  }
  return m;
}

function heapSort(a: usize, n: i32): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(a, i, n);
  for (let end = n - 1; end > 0; end--) {
    const t = at(a, 0);
    set(a, 0, at(a, end));
    set(a, end, t);
    siftDown(a, 0, end);
  }
}

function siftDown(a: usize, i: i32, n: i32): void {
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && at(a, c + 1) > at(a, c)) c++;
    if (at(a, c) <= at(a, i)) return;
    const t = at(a, i);
    set(a, i, at(a, c));
    set(a, c, t);
    i = c;
  }
}
