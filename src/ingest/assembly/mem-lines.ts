// The mprof importer's hot loop, in AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs
// and driven by ../mem-lines.ts. It reads runs of `MEM <MiB> <time>\n` lines, nearly all of a .dat,
// into two columns of numbers. It takes exactly the lines the TypeScript reader's fast path took
// (MemLinesReference in ../mem-lines.ts, which it is tested against) and stops at any other line,
// which the importer then reads: a CHLD, FUNC or CMDLINE line, a line ending in '\r', a negative or
// too large MiB, more than 15 digits, an exponent, a line not ended within the input.

// The input chunk, then the two output columns: JavaScript lays them out in this memory after the
// module's static data (the chunk at IN, the columns at the offsets it passes) and grows it to fit.
export const IN: usize = (__heap_base + 15) & ~15;

// The last scan: lines taken, the index of the first time below the one before it (-1: none), and
// how many times equal the one before them.
const COUNTS = memory.data(12, 4);
export const TAKEN: usize = COUNTS;

// Exact powers of ten: v / 10^k, two exact doubles divided and rounded once, is what Number() gives.
const POW10 = memory.data<f64>([1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]);

// time.time() seconds as far back as a JavaScript Date goes, and before the year 5138 (the importer's
// bounds: milliseconds beyond).
const MIN_TIME: f64 = -8.64e12;
const LATEST_SECONDS: f64 = 1e11;
// A process's memory in MiB, 2^53 bytes (the importer's MAX_MIB).
const MAX_MIB: f64 = 8589934592;

const NL: u8 = 0x0a;
const SPACE: u8 = 0x20;
const DOT_D: u32 = 0x2e - 0x30; // a point, as a digit's value less '0' (wrapped)
const MINUS: u8 = 0x2d;

/** Grows the memory to hold `bytes` from 0 (the input and the columns JavaScript lays out). */
export function reserve(bytes: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (bytes > have && memory.grow(<i32>((bytes - have + 0xffff) >>> 16)) < 0) unreachable();
}

/**
 * Reads MEM lines from IN + start while they come, up to IN + end: the MiB of the k-th into
 * mib[k], its time into t[k], at most `room` lines. `lastT` is the time of the sample before them
 * (-Infinity: none), for the counts of times going back or repeating. Returns where it stopped
 * (relative to IN: the start of the line it did not take).
 */
export function scan(start: usize, end: usize, tOut: usize, mibOut: usize, room: i32, lastT: f64): usize {
  let i = IN + start;
  const stop = IN + end;
  let n: i32 = 0;
  let back: i32 = -1;
  let repeats: i32 = 0;
  let before = lastT;
  while (n < room && i + 4 < stop) {
    if (load<u32>(i) !== 0x204d454d) break; // 'MEM '
    let p = i + 4;
    if (load<u8>(p) === MINUS) break; // -1, none measured: the importer's
    // Each number's digits and one point, summed as an integer (exact, as the double sum of the
    // reference is for the 15 digits taken: the same value), in locals: globals, or a double
    // multiply-add per digit, made the loop 1.5x slower.
    let m: i64 = 0;
    let mDigits: i32 = 0;
    let mPlaces: i32 = -1;
    for (; p < stop; p++) {
      const d = <u32>load<u8>(p) - 0x30;
      if (d <= 9) {
        m = m * 10 + <i64>d;
        mDigits++;
        if (mPlaces >= 0) mPlaces++;
      } else if (d === DOT_D && mPlaces < 0) mPlaces = 0;
      else break;
    }
    if (p >= stop || load<u8>(p) !== SPACE || mDigits === 0 || mDigits > 15) break;
    p++;
    const negative = p < stop && load<u8>(p) === MINUS;
    if (negative) p++;
    let s: i64 = 0;
    let sDigits: i32 = 0;
    let sPlaces: i32 = -1;
    for (; p < stop; p++) {
      const d = <u32>load<u8>(p) - 0x30;
      if (d <= 9) {
        s = s * 10 + <i64>d;
        sDigits++;
        if (sPlaces >= 0) sPlaces++;
      } else if (d === DOT_D && sPlaces < 0) sPlaces = 0;
      else break;
    }
    if (p >= stop || load<u8>(p) !== NL || sDigits === 0 || sDigits > 15) break;
    // At most 15 digits, so at most 15 places: v / 10^k of two exact doubles, rounded once.
    const mib = mPlaces > 0 ? <f64>m / load<f64>(POW10 + ((<usize>mPlaces) << 3)) : <f64>m;
    let time = sPlaces > 0 ? <f64>s / load<f64>(POW10 + ((<usize>sPlaces) << 3)) : <f64>s;
    if (negative) time = -time;
    if (!(time >= MIN_TIME && time < LATEST_SECONDS) || mib > MAX_MIB) break;
    store<f64>(tOut + ((<usize>n) << 3), time);
    store<f64>(mibOut + ((<usize>n) << 3), mib);
    if (time < before && back < 0) back = n;
    if (time === before) repeats++;
    before = time;
    n++;
    i = p + 1;
  }
  store<i32>(COUNTS, n);
  store<i32>(COUNTS, back, 4);
  store<i32>(COUNTS, repeats, 8);
  return i - IN;
}
