// The pickle reader's hot loop, in AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs
// and driven by ../trace-scanner.ts. It consumes runs of trace tuples whose traceback the reader has
// already seen and pre-aggregates them by (traceback, size, domain). It only reads the bytes it is
// given and writes its own tables; anything it does not recognise ends the run and is left to the
// JavaScript reader, which knows every opcode.

// Pickle opcodes of a trace tuple.
const MARK: u8 = 0x28;
const BININT: u8 = 0x4a;
const BININT1: u8 = 0x4b;
const BININT2: u8 = 0x4d;
const NONE: u8 = 0x4e;
const BINGET: u8 = 0x68;
const LONG_BINGET: u8 = 0x6a;
const TUPLE: u8 = 0x74;
const TUPLE3: u8 = 0x87;
const MEMOIZE: u8 = 0x94;

// The longest trace tuple: MARK, three BININTs, LONG_BINGET, TUPLE, MEMOIZE. A run stops this far
// from the end of the input, so that the loop needs no bounds check of its own.
const LONGEST_TRACE: usize = 23;

// Memo index -> traceback id, open addressing with linear probing, filled at most half. The table
// starts small and doubles as tracebacks come (a dump holds a few hundred, rarely tens of thousands):
// a page of memory counts in the process's RSS once written, and a table sized for the worst case
// up front, filled with EMPTY, was 0.75 MiB of a `stats` run's peak (issue 14). Hence also the
// encodings: an empty slot is 0, as fresh memory is. A key is the memo index + 1 (EMPTY 0, REMOVED
// 0xffffffff: indices are below 2^31); a largest total_nframe is stored + 1 (0: none seen).
const TB_FIRST: i32 = 1 << 10;
const TB_MAX: i32 = 1 << 16;
const EMPTY: u32 = 0;
const REMOVED: u32 = 0xffffffff;
// Pre-aggregation: direct-mapped, (tb + 1, size, domain, count) a slot, tb + 1 = 0 when empty. A
// dump repeats few (traceback, size) pairs, so most traces only add one to a count here. 2^14 slots
// (256 KiB, all of it written by a large dump): the bench dumps' ~5,000 groups read as fast as with
// 2^16 (1 MiB of RSS), measured 2026-11-30.
const AGG_BITS: i32 = 14;
const AGG_SLOTS: i32 = 1 << AGG_BITS;
const COUNT_MAX: i32 = i32.MAX_VALUE;
// Records handed to JavaScript: evicted groups (tb, size, domain, count) or (tb, total_nframe) pairs.
const OUT_CAP: i32 = 4096;
export const INPUT_CAP: i32 = 1 << 19;

// The value mask of BININT1/BININT2/BININT, and of BINGET/LONG_BINGET's operand, by opcode (0 for
// another opcode): reading a value takes no branch on which opcode holds it.
const INT_MASK = memory.data(4 * 256, 4);
const GET_MASK = memory.data(4 * 256, 4);
const AGG = memory.data(16 * AGG_SLOTS, 16);
export const OUT = memory.data(16 * OUT_CAP, 16);
export const INPUT = memory.data(INPUT_CAP + 64, 16); // the bytes to scan, with room to read past

// What a call leaves for JavaScript, in memory: i32 records in OUT (each call starts OUT afresh), i32
// traces consumed by the last scan. Memory, not exported globals, which JavaScript reads through an
// accessor call each time: scan() runs ~19,000 times for a dump of 5M traces.
export const COUNTS = memory.data(8, 4);
let outCount: i32 = 0;
// The traceback table: three arrays of tbSlots u32 (key, traceback id, total + 1) from tbKey, in
// memory past the static data, grown by remember().
let tbSlots: i32 = 0;
let tbKey: usize = 0;
let slotsTaken: i32 = 0; // slots ever taken since the table was made (a removed one stays taken)

store<i32>(INT_MASK + 4 * BININT1, 0xff);
store<i32>(INT_MASK + 4 * BININT2, 0xffff);
store<i32>(INT_MASK + 4 * BININT, -1);
store<i32>(GET_MASK + 4 * BINGET, 0xff);
store<i32>(GET_MASK + 4 * LONG_BINGET, -1);
tbMake(TB_FIRST);

// The id and total + 1 of a slot, in the arrays after the keys.
function tbId(slot: i32): usize {
  return tbKey + 4 * (tbSlots + slot);
}

function tbTotal(slot: i32): usize {
  return tbKey + 4 * (2 * tbSlots + slot);
}

// Makes an empty table of `slots` slots in fresh memory past the end (the old table, if any, stays
// where it is, unused: at most as large as the new one). Fresh memory is zero: every slot is empty.
function tbMake(slots: i32): void {
  const bytes = 12 * slots;
  const at = (<usize>memory.size()) << 16;
  memory.grow((bytes + 0xffff) >>> 16);
  tbKey = at;
  tbSlots = slots;
  slotsTaken = 0;
}

// Doubles the table, moving every remembered index (removed slots are dropped).
function tbGrow(): void {
  const oldKey = tbKey;
  const oldSlots = tbSlots;
  tbMake(2 * oldSlots);
  for (let s = 0; s < oldSlots; s++) {
    const key = load<u32>(oldKey + 4 * s);
    if (key === EMPTY || key === REMOVED) continue;
    let slot = tbSlot(<i32>(key - 1));
    while (load<u32>(tbKey + 4 * slot) !== EMPTY) slot = (slot + 1) & (tbSlots - 1);
    store<u32>(tbKey + 4 * slot, key);
    store<u32>(tbId(slot), load<u32>(oldKey + 4 * (oldSlots + s)));
    store<u32>(tbTotal(slot), load<u32>(oldKey + 4 * (2 * oldSlots + s)));
    slotsTaken++;
  }
}

/**
 * Consumes trace tuples from p (an address in INPUT) while they fit and returns where it stopped:
 * before the first trace that does not fit, when fewer than LONGEST_TRACE bytes remain before end,
 * or when OUT is full. Mode 4 reads `MARK int int BINGET (int|NONE) TUPLE MEMOIZE` (3.9+), mode 3
 * `BININT1 int BINGET TUPLE3 MEMOIZE` (up to 3.8).
 */
export function scan(start: usize, end: usize, mode: i32): usize {
  let p = start;
  let traces = 0;
  let records = 0; // in OUT
  while (p + LONGEST_TRACE <= end && records < OUT_CAP) {
    let q = p;
    let domain: i32;
    if (mode === 4) {
      if (load<u8>(q) !== MARK) break;
      q++;
      // Each field's start waits on the length of the one before: the loop is bound by that chain
      // of loads. A branch for the usual one-byte int, predicted, lets the next load start without
      // waiting (measured on 5M traces: 89 -> 79 ms, and no slower with sizes spread to 100 kB).
      if (load<u8>(q) === BININT1) {
        domain = load<u8>(q, 1);
        q += 2;
      } else {
        const len = intLength(q);
        domain = intValue(q);
        if (len === 0 || domain < 0) break;
        q += len;
      }
    } else {
      if (load<u8>(q) !== BININT1) break;
      domain = load<u8>(q, 1);
      q += 2;
    }
    let size: i32;
    if (load<u8>(q) === BININT1) {
      size = load<u8>(q, 1);
      q += 2;
    } else {
      const sizeLen = intLength(q);
      size = intValue(q);
      if (sizeLen === 0 || size < 0) break;
      q += sizeLen;
    }
    // The traceback: a memo reference to one the reader has told of (remember()), else the run ends.
    const get = load<u8>(q);
    const getLen: usize = get === BINGET ? 2 : get === LONG_BINGET ? 5 : 0;
    if (getLen === 0) break;
    const slot = lookup(load<i32>(q, 1) & load<i32>(GET_MASK + 4 * get));
    q += getLen;
    if (slot < 0) break;
    let total = -1;
    if (mode === 4) {
      const op = load<u8>(q);
      if (op === BININT1) {
        total = load<u8>(q, 1);
        q += 2;
      } else if (op === NONE) q++;
      else {
        const len = intLength(q);
        total = intValue(q);
        if (len === 0 || total < 0) break;
        q += len;
      }
      if (load<u8>(q) !== TUPLE) break;
    } else if (load<u8>(q) !== TUPLE3) break;
    if (load<u8>(q, 1) !== MEMOIZE) break;
    // Committed: the trace is consumed.
    const t = tbTotal(slot);
    if (<u32>(total + 1) > load<u32>(t)) store<u32>(t, <u32>(total + 1)); // none (-1) stays 0
    records = count(load<i32>(tbId(slot)), size, domain, records);
    traces++;
    p = q + 2;
  }
  store<i32>(COUNTS, records);
  store<i32>(COUNTS, traces, 4);
  return p;
}

// The value of the BININT1/BININT2/BININT at q (0 for another opcode, whose intLength is 0). A
// negative BININT ends a run: no trace holds one.
function intValue(q: usize): i32 {
  return load<i32>(q, 1) & load<i32>(INT_MASK + 4 * load<u8>(q));
}

// The byte length of the int opcode at q with its operand; 0 for another opcode. Computed, not
// looked up: the position of the next field waits on it, and a table adds a load to that chain.
function intLength(q: usize): usize {
  const op = <u32>load<u8>(q);
  return op === BININT1 ? 2 : op === BININT2 ? 3 : op === BININT ? 5 : 0;
}

function tbSlot(idx: i32): i32 {
  return (<u32>(idx * 0x9e3779b1) >> 16) & (tbSlots - 1);
}

// The table slot of memo index idx, or -1 when it is not there.
function lookup(idx: i32): i32 {
  if (idx < 0) return -1; // indices of 2^31 and more are never remembered
  const want = <u32>idx + 1;
  let slot = tbSlot(idx);
  let key = load<u32>(tbKey + 4 * slot);
  while (key !== want && key !== EMPTY) {
    slot = (slot + 1) & (tbSlots - 1);
    key = load<u32>(tbKey + 4 * slot);
  }
  return key === want ? slot : -1;
}

// Adds one trace to its group's count; returns the records in OUT. A group lives in its home slot
// or the other slot of the same 32-byte pair, so that two groups whose hashes meet do not evict
// each other at every trace; when both are taken by others, the home slot's group goes to OUT.
function count(tb: i32, size: i32, domain: i32, records: i32): i32 {
  const h = ((((tb * 0x9e3779b1) ^ size) * 0x85ebca6b) ^ domain) * 0xc2b2ae35;
  const e = AGG + 16 * (<u32>h >> (32 - AGG_BITS)); // the well-mixed high bits
  if (bump(e, tb, size, domain)) return records;
  if (load<i32>(e) === 0) {
    place(e, tb, size, domain);
    return records;
  }
  const f = e ^ 16;
  if (bump(f, tb, size, domain)) return records;
  if (load<i32>(f) === 0) {
    place(f, tb, size, domain);
    return records;
  }
  evict(e, records);
  place(e, tb, size, domain);
  return records + 1;
}

// Adds one to the count in slot e when it holds the group (and the count has room).
function bump(e: usize, tb: i32, size: i32, domain: i32): bool {
  const n = load<i32>(e, 12);
  if (load<i32>(e) !== tb + 1 || load<i32>(e, 4) !== size || load<i32>(e, 8) !== domain || n === COUNT_MAX) {
    return false;
  }
  store<i32>(e, n + 1, 12);
  return true;
}

function place(e: usize, tb: i32, size: i32, domain: i32): void {
  store<i32>(e, tb + 1);
  store<i32>(e, size, 4);
  store<i32>(e, domain, 8);
  store<i32>(e, 1, 12);
}

function evict(e: usize, record: i32): void {
  const r = OUT + 16 * record;
  store<i32>(r, load<i32>(e) - 1);
  store<i32>(r, load<i32>(e, 4), 4);
  store<i32>(r, load<i32>(e, 8), 8);
  store<i32>(r, load<i32>(e, 12), 12);
}

/**
 * Moves the pre-aggregated groups of slots s.. into OUT (emptying the slots) until OUT is full;
 * returns the slot to go on from, -1 when all are out.
 */
export function collect(s: i32): i32 {
  outCount = 0;
  for (; s < AGG_SLOTS && outCount < OUT_CAP; s++) {
    const e = AGG + 16 * s;
    if (load<i32>(e) === 0) continue;
    evict(e, outCount++);
    store<i32>(e, 0);
  }
  store<i32>(COUNTS, outCount);
  return s < AGG_SLOTS ? s : -1;
}

/**
 * Remembers that memo index idx (< 2^31) holds traceback tb, unless the table is half full at its
 * largest. Growing the table grows the memory: JavaScript's views of it must then be made again.
 */
export function remember(idx: i32, tb: i32): void {
  if (slotsTaken >= tbSlots / 2) {
    if (tbSlots >= TB_MAX) return;
    tbGrow();
  }
  // The slot of idx, or else the first removed slot on its chain, or else the free slot ending it.
  const want = <u32>idx + 1;
  let slot = tbSlot(idx);
  let reuse = -1;
  for (;;) {
    const key = load<u32>(tbKey + 4 * slot);
    if (key === want) break;
    if (key === EMPTY) {
      if (reuse >= 0) slot = reuse;
      else slotsTaken++;
      break;
    }
    if (key === REMOVED && reuse < 0) reuse = slot;
    slot = (slot + 1) & (tbSlots - 1);
  }
  store<u32>(tbKey + 4 * slot, want);
  store<i32>(tbId(slot), tb);
}

/** Forgets memo index idx (it was overwritten); returns the largest total_nframe its traces held, or -1. */
export function forget(idx: i32): i32 {
  const slot = lookup(idx);
  if (slot < 0) return -1;
  store<u32>(tbKey + 4 * slot, REMOVED);
  const total = load<u32>(tbTotal(slot));
  store<u32>(tbTotal(slot), 0);
  return <i32>total - 1;
}

/**
 * Moves (traceback, largest total_nframe) of the remembered indices in slots s.. into OUT until OUT is
 * full; returns the slot to go on from, -1 when all are out.
 */
export function collectTotals(s: i32): i32 {
  outCount = 0;
  for (; s < tbSlots && outCount < OUT_CAP; s++) {
    const total = load<u32>(tbTotal(s));
    const key = load<u32>(tbKey + 4 * s);
    if (key === EMPTY || key === REMOVED || total === 0) continue;
    const r = OUT + 16 * outCount++;
    store<i32>(r, load<i32>(tbId(s)));
    store<i32>(r, <i32>total - 1, 4);
    store<u32>(tbTotal(s), 0);
  }
  store<i32>(COUNTS, outCount);
  return s < tbSlots ? s : -1;
}
