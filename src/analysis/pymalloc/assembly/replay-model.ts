// The replay's pool-level model of pymalloc and its per-block loops, in AssemblyScript: compiled to
// WebAssembly by scripts/build-wasm.mjs and driven by ../replay-model.ts. The same allocator as
// PoolAllocator and PoolModel (../pools.ts), which stay the reference: test/analysis/
// pymalloc-wasm.test.ts runs both on the same operations and compares every pool and arena. A replay
// of two captures of 1M blocks spent ~0.5 s in that model in JavaScript, half of it V8 warming up
// (issue 14); this module is compiled before it runs.
//
// Memory holds columns of i32 (f64 for sizes), laid out past the static data by a bump allocator;
// a column that must grow is copied to a larger one (the old one stays, unused: at most as large).
// init() starts afresh from the same base, so a second replay reuses the memory of the first.
// Nothing here reads outside its own columns: indices come from the model itself or from the
// driver, which sizes every column it names.

const NONE: i32 = -1;
const DUMMY_SIZE_IDX: i32 = 0xffff;
const MAX_CLASSES: i32 = 64;

// The host's Math.pow, log, cos and round, imported as `replay-model.hostPow` and so on (a declared
// function is imported from the module named as its file; ../replay-model.ts passes them): the
// draws made here are then the very numbers draw.ts makes in JavaScript (AssemblyScript's own may
// differ in the last bit; sqrt is exact in both).
declare function hostPow(x: f64, y: f64): f64;
declare function hostLog(x: f64): f64;
declare function hostCos(x: f64): f64;
declare function hostRound(x: f64): f64;

// --- memory ------------------------------------------------------------------------------------

let base: usize = 0;
let top: usize = 0;

function reserve(bytes: usize): usize {
  const at = (top + 15) & ~(<usize>15);
  top = at;
  extend(bytes);
  return at;
}

// The last reservation made `bytes` longer.
function extend(bytes: usize): void {
  const end = top + bytes;
  // Past 4 GiB (wasm32's memory): a trap, which the driver says (replay.ts keeps a series below it).
  if (end < top) unreachable();
  const have = (<usize>memory.size()) << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xffff) >>> 16)) < 0) unreachable();
  top = end;
}

// Room for `n` entries of i32 where a scratch column of `had` entries was: the same place, grown,
// when it is the last one reserved (no new pages but the added ones: on the project's VM each page
// first written costs ~10 us, and the scattered order's places grew 141k, 283k, 566k entries anew),
// else a new one. The entries are kept only when `keep` (a move copies them).
function regrowScratch(at: usize, had: i32, n: i32, keep: bool): usize {
  if (had && at + ((<usize>had) << 2) === top) {
    extend((<usize>(n - had)) << 2);
    return at;
  }
  const moved = reserve((<usize>n) << 2);
  if (had && keep) memory.copy(moved, at, (<usize>had) << 2);
  return moved;
}

function column(n: i32, fill: i32): usize {
  const at = reserve((<usize>n) << 2);
  fillColumn(at, 0, n, fill);
  return at;
}

function fillColumn(at: usize, from: i32, to: i32, fill: i32): void {
  if (to <= from) return;
  if (fill === 0 || fill === -1) memory.fill(at + ((<usize>from) << 2), <u8>fill, (<usize>(to - from)) << 2);
  else for (let i = from; i < to; i++) store<i32>(at + ((<usize>i) << 2), fill);
}

// A column of `have` entries copied to one of `n`, the rest filled.
function regrow(old: usize, have: i32, n: i32, fill: i32): usize {
  const at = reserve((<usize>n) << 2);
  memory.copy(at, old, (<usize>have) << 2);
  fillColumn(at, have, n, fill);
  return at;
}

function get(col: usize, i: i32): i32 {
  return load<i32>(col + ((<usize>i) << 2));
}

function set(col: usize, i: i32, v: i32): void {
  store<i32>(col + ((<usize>i) << 2), v);
}

// --- the allocator's state ---------------------------------------------------------------------

let classes: i32 = 0;
let poolsPerArena: i32 = 0;
let arenaPools0: i32 = 0; // pools of a new arena (one fewer when it loses one to alignment)
let keepOneEmptyArena: bool = false;
let threshold: f64 = 512; // SMALL_REQUEST_THRESHOLD
const numBlocks = memory.data(4 * MAX_CLASSES, 4);
const usedHead = memory.data(4 * MAX_CLASSES, 4);
let nfp2lasta: usize = 0;

// Pools, by id.
let pools: i32 = 0;
let poolCap: i32 = 0;
let poolArena: usize = 0;
let poolSzidx: usize = 0;
let poolCount: usize = 0;
let poolNext: usize = 0; // usedpools list / arena free-pool list
let poolPrev: usize = 0;
let poolCarved: usize = 0; // the next pool carved from the same arena

// Arenas, by slot (a released arena's slot is reused LIFO).
let arenaSlots: i32 = 0;
let arenaCap: i32 = 0;
let arenaAlive: usize = 0;
let arenaNfree: usize = 0;
let arenaNtotal: usize = 0;
let arenaFreePools: usize = 0;
let arenaNext: usize = 0;
let arenaPrev: usize = 0;
let arenaFirst: usize = 0; // first and last pool carved from the arena
let arenaLast: usize = 0;
let unusedSlots: usize = 0; // a stack
let unusedCount: i32 = 0;
let usable: i32 = NONE;

let narenasCurrent: i32 = 0;
let narenasHighwater: i32 = 0;
let ntimesArenaAllocated: i32 = 0;
let largeBlocks: f64 = 0;
let largeBytes: f64 = 0;

// --- the replay's state: each group's live blocks (their pools), as Replayer in ../replay.ts ------

let groups: i32 = 0;
let live: usize = 0;
let start: usize = 0;
let count: usize = 0;
let size: usize = 0; // f64
let system: usize = 0;
// Scratch: a class's places, transients per pool, the pools touched by transients, plan entries and
// group lists handed in by the driver, keys to sort and their order.
let places: usize = 0;
let placesCap: i32 = 0;
let transients: usize = 0;
let touched: usize = 0;
let touchedCount: i32 = 0;
let scratch: usize = 0;
let scratchCap: i32 = 0; // in i32 entries (keys take two each)
let order: usize = 0;
let orderTmp: usize = 0;
let orderCap: i32 = 0;

/**
 * Starts afresh: the allocator of a geometry, and room for `n` groups whose live lists take `room`
 * entries in all (start, size and system are written by the driver through columnOf()).
 */
export function init(
  nClasses: i32,
  smallRequestThreshold: i32,
  poolSize: i32,
  poolOverhead: i32,
  alignment: i32,
  perArena: i32,
  losePool: bool,
  keepOne: bool,
  n: i32,
  room: i32,
): void {
  if (base === 0) base = (<usize>memory.size()) << 16;
  top = base;
  classes = min(nClasses, MAX_CLASSES);
  poolsPerArena = perArena;
  arenaPools0 = perArena - (losePool ? 1 : 0);
  keepOneEmptyArena = keepOne;
  threshold = smallRequestThreshold;
  for (let c = 0; c < classes; c++) {
    set(numBlocks, c, (poolSize - poolOverhead) / ((c + 1) * alignment));
    set(usedHead, c, NONE);
  }
  nfp2lasta = column(perArena + 2, NONE);
  pools = 0;
  poolCap = 1024;
  poolArena = column(poolCap, NONE);
  poolSzidx = column(poolCap, DUMMY_SIZE_IDX);
  poolCount = column(poolCap, 0);
  poolNext = column(poolCap, NONE);
  poolPrev = column(poolCap, NONE);
  poolCarved = column(poolCap, NONE);
  transients = column(poolCap, 0);
  arenaSlots = 0;
  arenaCap = 64;
  arenaAlive = column(arenaCap, 0);
  arenaNfree = column(arenaCap, 0);
  arenaNtotal = column(arenaCap, 0);
  arenaFreePools = column(arenaCap, NONE);
  arenaNext = column(arenaCap, NONE);
  arenaPrev = column(arenaCap, NONE);
  arenaFirst = column(arenaCap, NONE);
  arenaLast = column(arenaCap, NONE);
  unusedSlots = column(arenaCap, 0);
  unusedCount = 0;
  usable = NONE;
  narenasCurrent = 0;
  narenasHighwater = 0;
  ntimesArenaAllocated = 0;
  largeBlocks = 0;
  largeBytes = 0;
  groups = n;
  start = column(n + 1, 0);
  count = column(n + 1, 0);
  system = column(n + 1, 0);
  size = reserve((<usize>(n + 1)) << 3);
  memory.fill(size, 0, (<usize>(n + 1)) << 3);
  live = reserve((<usize>max(room, 1)) << 2);
  placesCap = 0;
  places = 0;
  touched = column(poolCap, 0);
  touchedCount = 0;
  scratchCap = 0;
  scratch = 0;
  orderCap = 0;
  order = 0;
  orderTmp = 0;
}

// Where the driver finds a column (in bytes from memory's start): which one by its number.
export function columnOf(which: i32): usize {
  switch (which) {
    case 0:
      return start;
    case 1:
      return count;
    case 2:
      return size;
    case 3:
      return system;
    case 4:
      return live;
    case 5:
      return poolArena;
    case 6:
      return poolSzidx;
    case 7:
      return poolCount;
    case 8:
      return arenaAlive;
    case 9:
      return arenaNfree;
    case 10:
      return arenaNtotal;
    case 11:
      return arenaFirst;
    case 12:
      return poolCarved;
    case 13:
      return transients;
    case 14:
      return touched;
    case 15:
      return scratch;
    case 16:
      return order;
    case 17:
      return usedHead;
    case 18:
      return numBlocks;
    default:
      return 0;
  }
}

// Counters, by number (as sys._debugmallocstats() reports them).
export function counter(which: i32): f64 {
  switch (which) {
    case 0:
      return narenasCurrent;
    case 1:
      return narenasHighwater;
    case 2:
      return ntimesArenaAllocated;
    case 3:
      return largeBlocks;
    case 4:
      return largeBytes;
    case 5:
      return pools;
    case 6:
      return arenaSlots;
    case 7:
      return touchedCount;
    default:
      return 0;
  }
}

/** Room for n i32 entries (or n / 2 keys) of scratch; returns its address. */
export function scratchFor(n: i32): usize {
  if (n > scratchCap) {
    const had = scratchCap;
    scratchCap = max(n, scratchCap * 2);
    scratch = regrowScratch(scratch, had, scratchCap, true);
  }
  return scratch;
}

// --- pymalloc at the level of pools (as PoolAllocator in ../pools.ts) -----------------------------

function growPools(n: i32): void {
  if (n <= poolCap) return;
  let cap = poolCap * 2;
  while (cap < n) cap *= 2;
  poolArena = regrow(poolArena, poolCap, cap, NONE);
  poolSzidx = regrow(poolSzidx, poolCap, cap, DUMMY_SIZE_IDX);
  poolCount = regrow(poolCount, poolCap, cap, 0);
  poolNext = regrow(poolNext, poolCap, cap, NONE);
  poolPrev = regrow(poolPrev, poolCap, cap, NONE);
  poolCarved = regrow(poolCarved, poolCap, cap, NONE);
  transients = regrow(transients, poolCap, cap, 0);
  touched = regrow(touched, poolCap, cap, 0);
  poolCap = cap;
}

function growArenas(n: i32): void {
  if (n <= arenaCap) return;
  let cap = arenaCap * 2;
  while (cap < n) cap *= 2;
  arenaAlive = regrow(arenaAlive, arenaCap, cap, 0);
  arenaNfree = regrow(arenaNfree, arenaCap, cap, 0);
  arenaNtotal = regrow(arenaNtotal, arenaCap, cap, 0);
  arenaFreePools = regrow(arenaFreePools, arenaCap, cap, NONE);
  arenaNext = regrow(arenaNext, arenaCap, cap, NONE);
  arenaPrev = regrow(arenaPrev, arenaCap, cap, NONE);
  arenaFirst = regrow(arenaFirst, arenaCap, cap, NONE);
  arenaLast = regrow(arenaLast, arenaCap, cap, NONE);
  unusedSlots = regrow(unusedSlots, arenaCap, cap, 0);
  arenaCap = cap;
}

function newArena(): i32 {
  let a: i32;
  if (unusedCount > 0) a = get(unusedSlots, --unusedCount);
  else {
    a = arenaSlots++;
    growArenas(arenaSlots);
  }
  set(arenaAlive, a, 1);
  set(arenaNfree, a, arenaPools0);
  set(arenaNtotal, a, arenaPools0);
  set(arenaFreePools, a, NONE);
  set(arenaNext, a, NONE);
  set(arenaPrev, a, NONE);
  set(arenaFirst, a, NONE);
  set(arenaLast, a, NONE);
  narenasCurrent++;
  ntimesArenaAllocated++;
  if (narenasCurrent > narenasHighwater) narenasHighwater = narenasCurrent;
  return a;
}

function carvePool(a: i32): i32 {
  const pool = pools++;
  growPools(pools);
  set(poolArena, pool, a);
  set(poolSzidx, pool, DUMMY_SIZE_IDX);
  set(poolCarved, pool, NONE);
  const last = get(arenaLast, a);
  if (last === NONE) set(arenaFirst, a, pool);
  else set(poolCarved, last, pool);
  set(arenaLast, a, pool);
  return pool;
}

// allocate_from_new_pool: a pool of the usable arena for class c, with its first block allocated.
function newPool(c: i32): i32 {
  if (usable === NONE) {
    usable = newArena();
    set(nfp2lasta, get(arenaNfree, usable), usable);
  }
  const a = usable;
  const nf = get(arenaNfree, a);
  if (get(nfp2lasta, nf) === a) set(nfp2lasta, nf, NONE);
  if (nf > 1) set(nfp2lasta, nf - 1, a);
  let pool = get(arenaFreePools, a);
  if (pool !== NONE) set(arenaFreePools, a, get(poolNext, pool));
  else pool = carvePool(a);
  set(arenaNfree, a, nf - 1);
  if (nf - 1 === 0) {
    usable = get(arenaNext, a);
    if (usable !== NONE) set(arenaPrev, usable, NONE);
    set(arenaNext, a, NONE);
  }
  set(usedHead, c, pool);
  set(poolNext, pool, NONE);
  set(poolPrev, pool, NONE);
  set(poolCount, pool, 1);
  set(poolSzidx, pool, c);
  return pool;
}

function unlinkArena(a: i32): void {
  const prev = get(arenaPrev, a);
  const next = get(arenaNext, a);
  if (prev !== NONE) set(arenaNext, prev, next);
  else usable = next;
  if (next !== NONE) set(arenaPrev, next, prev);
  set(arenaNext, a, NONE);
  set(arenaPrev, a, NONE);
}

function releaseArena(a: i32): void {
  for (let i = 0; i < poolsPerArena + 2; i++) if (get(nfp2lasta, i) === a) set(nfp2lasta, i, NONE);
  for (let p = get(arenaFirst, a); p !== NONE; p = get(poolCarved, p)) {
    set(poolArena, p, NONE);
    set(poolSzidx, p, DUMMY_SIZE_IDX);
  }
  set(arenaFirst, a, NONE);
  set(arenaLast, a, NONE);
  set(arenaAlive, a, 0);
  set(unusedSlots, unusedCount++, a);
  narenasCurrent--;
}

// insert_to_freepool: the pool is empty; usable_arenas stays sorted by free pools, and an arena
// all of whose pools are free is released (3.9+: unless it is the last usable one).
function insertToFreepool(pool: i32): void {
  const a = get(poolArena, pool);
  set(poolNext, pool, get(arenaFreePools, a));
  set(arenaFreePools, a, pool);
  let nf = get(arenaNfree, a);
  const lastnf = get(nfp2lasta, nf);
  if (lastnf === a) {
    const p = get(arenaPrev, a);
    set(nfp2lasta, nf, p !== NONE && get(arenaNfree, p) === nf ? p : NONE);
  }
  set(arenaNfree, a, ++nf);
  if (nf === get(arenaNtotal, a) && (!keepOneEmptyArena || get(arenaNext, a) !== NONE)) {
    unlinkArena(a);
    releaseArena(a);
    return;
  }
  if (nf === 1) {
    set(arenaNext, a, usable);
    set(arenaPrev, a, NONE);
    if (usable !== NONE) set(arenaPrev, usable, a);
    usable = a;
    if (get(nfp2lasta, 1) === NONE) set(nfp2lasta, 1, a);
    return;
  }
  if (get(nfp2lasta, nf) === NONE) set(nfp2lasta, nf, a);
  if (a === lastnf) return;
  unlinkArena(a);
  const next = get(arenaNext, lastnf);
  set(arenaPrev, a, lastnf);
  set(arenaNext, a, next);
  if (next !== NONE) set(arenaPrev, next, a);
  set(arenaNext, lastnf, a);
}

function linkUsedFront(pool: i32, c: i32): void {
  const first = get(usedHead, c);
  set(poolNext, pool, first);
  set(poolPrev, pool, NONE);
  if (first !== NONE) set(poolPrev, first, pool);
  set(usedHead, c, pool);
}

function unlinkUsed(pool: i32, c: i32): void {
  const prev = get(poolPrev, pool);
  const next = get(poolNext, pool);
  if (prev !== NONE) set(poolNext, prev, next);
  else set(usedHead, c, next);
  if (next !== NONE) set(poolPrev, next, prev);
  set(poolNext, pool, NONE);
  set(poolPrev, pool, NONE);
}

function isLarge(bytes: f64, sys: bool): bool {
  return sys || bytes === 0 || bytes > threshold;
}

/** n blocks of one pool freed in a row (PoolModel.freeMany). */
export function freeMany(pool: i32, n: i32): void {
  const c = get(poolSzidx, pool);
  const before = get(poolCount, pool);
  if (n < 1 || n > before || c === DUMMY_SIZE_IDX) unreachable();
  set(poolCount, pool, before - n);
  if (before === get(numBlocks, c)) linkUsedFront(pool, c);
  if (before === n) {
    unlinkUsed(pool, c);
    insertToFreepool(pool);
  }
}

/** A block of `pool` freed (PoolModel.free); -1 is the system allocator's, of `bytes`. */
export function free(pool: i32, bytes: f64): void {
  if (pool === NONE) {
    largeBlocks--;
    largeBytes -= bytes;
    return;
  }
  const c = get(poolSzidx, pool);
  const before = get(poolCount, pool);
  if (before <= 0 || c === DUMMY_SIZE_IDX) unreachable();
  set(poolCount, pool, before - 1);
  if (before === get(numBlocks, c)) {
    linkUsedFront(pool, c);
    if (before > 1) return;
  } else if (before > 1) return;
  unlinkUsed(pool, c);
  insertToFreepool(pool);
}

/** One allocation of `bytes`: its pool, or -1 when the system allocator serves it (PoolModel.alloc). */
export function alloc(bytes: f64, sys: bool): i32 {
  if (isLarge(bytes, sys)) {
    largeBlocks++;
    largeBytes += bytes;
    return NONE;
  }
  const c = (<i32>bytes - 1) >> 4;
  const pool = get(usedHead, c);
  if (pool === NONE) return newPool(c);
  const n = get(poolCount, pool) + 1;
  set(poolCount, pool, n);
  if (n === get(numBlocks, c)) unlinkUsed(pool, c);
  return pool;
}

// PoolModel.allocRun: n allocations, their pools written to the live column from entry `at`.
function allocRun(bytes: f64, sys: bool, n: i32, at: i32): void {
  if (isLarge(bytes, sys)) {
    largeBlocks += n;
    largeBytes += n * bytes;
    fillColumn(live, at, at + n, NONE);
    return;
  }
  const c = (<i32>bytes - 1) >> 4;
  const capacity = get(numBlocks, c);
  const end = at + n;
  while (at < end) {
    const pool = get(usedHead, c);
    if (pool === NONE) {
      set(live, at++, newPool(c));
      continue;
    }
    const have = get(poolCount, pool);
    const k = min(capacity - have, end - at);
    fillColumn(live, at, at + k, pool);
    at += k;
    set(poolCount, pool, have + k);
    if (have + k === capacity) unlinkUsed(pool, c);
  }
}

/** The blocks the pool that serves class c next can still take (0 when none is in use). */
export function headRoom(c: i32): i32 {
  const pool = get(usedHead, c);
  return pool === NONE ? 0 : get(numBlocks, c) - get(poolCount, pool);
}

/** n allocations of class c in a row, all in one pool (PoolModel.allocMany); returns the pool. */
export function allocMany(c: i32, n: i32): i32 {
  let pool = get(usedHead, c);
  let total = n;
  if (pool === NONE) pool = newPool(c);
  else total += get(poolCount, pool);
  if (n < 1 || total > get(numBlocks, c)) unreachable();
  set(poolCount, pool, total);
  if (total === get(numBlocks, c)) unlinkUsed(pool, c);
  return pool;
}

// --- the replay's per-block loops (Replayer in ../replay.ts) --------------------------------------

function xorshift(x: i32): i32 {
  x ^= x << 13;
  x ^= x >>> 17;
  return x ^ (x << 5);
}

// A draw in [0, n) from a state of xorshift(), exactly as draw.ts's below().
function below(x: i32, n: i32): i32 {
  return <i32>Math.floor((<f64>(<u32>x) / 4294967296.0) * <f64>n);
}

function sizeOf(id: i32): f64 {
  return load<f64>(size + ((<usize>id) << 3));
}

/** n blocks allocated to group `id`, of `bytes` each, appended to its live list. */
export function allocateAs(id: i32, bytes: f64, sys: bool, n: i32): void {
  allocRun(bytes, sys, n, get(start, id) + get(count, id));
  set(count, id, get(count, id) + n);
}

/** n blocks allocated to group `id` (of its size), appended to its live list. */
export function allocate(id: i32, n: i32): void {
  allocateAs(id, sizeOf(id), get(system, id) !== 0, n);
}

/** The compact order's frees: the group's last n blocks, a run of one pool at a time. */
export function compactFrees(id: i32, n: i32): void {
  const s = get(start, id);
  const end = s + get(count, id);
  const bytes = sizeOf(id);
  for (let j = end - 1; j >= end - n; ) {
    const pool = get(live, j);
    let k = j - 1;
    while (k >= end - n && get(live, k) === pool) k--;
    if (pool === NONE) for (let r = j - k; r > 0; r--) free(NONE, bytes);
    else freeMany(pool, j - k);
    j = k;
  }
  set(count, id, get(count, id) - n);
}

/** The scattered order's frees: n of the group's blocks drawn at random; returns the generator's state. */
export function randomFrees(id: i32, n: i32, x: i32): i32 {
  const s = get(start, id);
  const bytes = sizeOf(id);
  let len = get(count, id);
  for (let k = 0; k < n; k++) {
    x = xorshift(x);
    const j = s + below(x, len);
    free(get(live, j), bytes);
    set(live, j, get(live, s + --len));
  }
  set(count, id, len);
  return x;
}

// n of the len places at the head of `places` drawn without replacement (draw.ts's drawPlaces):
// to the live column from entry `at` when at >= 0, else swapped to the end of the places.
function drawPlaces(len: i32, n: i32, x: i32, at: i32): i32 {
  for (let i = 0; i < n; i++) {
    x = xorshift(x);
    const r = below(x, len);
    const place = get(places, r);
    set(places, r, get(places, --len));
    if (at >= 0) set(live, at + i, place);
    else set(places, len, place);
  }
  return x;
}

/**
 * One size class of the scattered order's allocations (Replayer.scatteredAllocs): its places laid
 * out from `plans` (pool, blocks) pairs in scratch, `t` transients drawn among them and counted per
 * pool (pools touched first are listed in `touched`), then each of `nGroups` (id, n) pairs in scratch
 * after the plans draws its blocks to its live list. Returns the generator's state.
 */
export function placeClass(plans: i32, blocks: i32, t: i32, nGroups: i32, x: i32): i32 {
  if (blocks > placesCap) {
    const had = placesCap;
    placesCap = max(blocks, placesCap * 2);
    places = regrowScratch(places, had, placesCap, false);
  }
  let len = 0;
  for (let e = 0; e < plans; e++) {
    const pool = get(scratch, 2 * e);
    const k = get(scratch, 2 * e + 1);
    fillColumn(places, len, len + k, pool);
    len += k;
  }
  x = drawPlaces(len, t, x, -1);
  len -= t;
  for (let i = len; i < len + t; i++) {
    const pool = get(places, i);
    const was = get(transients, pool);
    set(transients, pool, was + 1);
    if (was === 0) set(touched, touchedCount++, pool);
  }
  const groupsAt = 2 * plans;
  for (let e = 0; e < nGroups; e++) {
    const id = get(scratch, groupsAt + 2 * e);
    const n = get(scratch, groupsAt + 2 * e + 1);
    x = drawPlaces(len, n, x, get(start, id) + get(count, id));
    len -= n;
    set(count, id, get(count, id) + n);
  }
  return x;
}

/**
 * The scattered order's transients drawn one at a time by weight (Replayer.transientsByClass, with
 * draw.ts's drawAlias): from an alias table of n entries in scratch (keep f64[n], then each entry's
 * bytes f64[n], alias i32[n] and size class i32[n], -1 for none), until `made` bytes reach `bytes` or
 * `drawn` reaches `most`, each counted in its class (an i32 per class after them, added to). Returns
 * the generator's state.
 */
export function drawByWeight(n: i32, made: f64, bytes: f64, drawn: i32, most: i32, x: i32): i32 {
  const keep = scratch;
  const sizes = keep + ((<usize>n) << 3);
  const alias = sizes + ((<usize>n) << 3);
  const cls = alias + ((<usize>n) << 2);
  const perClass = cls + ((<usize>n) << 2);
  while (made < bytes && drawn < most) {
    const x1 = xorshift(x);
    x = xorshift(x1);
    const i = below(x1, n);
    const k = <f64>(<u32>x) / 4294967296.0 < load<f64>(keep + ((<usize>i) << 3)) ? i : get(alias, i);
    const c = get(cls, k);
    if (c >= 0) set(perClass, c, get(perClass, c) + 1);
    drawn++;
    made += load<f64>(sizes + ((<usize>k) << 3));
  }
  return x;
}

/** Empties the list of pools touched by transients (their counts must have been zeroed). */
export function clearTouched(): void {
  touchedCount = 0;
}

// A uniform draw in (0, 1) from a state of xorshift(), as draw.ts's uniform().
function uniformOf(x: i32): f64 {
  return (<f64>(<u32>x) + 0.5) / 4294967296.0;
}

// --- draws for sampling the scattered order pool by pool: draw.ts's, step for step -------------------

// The generator's state while an exported draw runs (taken in, handed back).
let rng: i32 = 0;

function uniform(): f64 {
  rng = xorshift(rng);
  return uniformOf(rng);
}

function normal(): f64 {
  // Box-Muller, one of the pair: the first draw under the root, the second in the cosine.
  const root = Math.sqrt(-2.0 * hostLog(uniform()));
  return root * hostCos(2.0 * Math.PI * uniform());
}

// A Gamma(k, 1) draw for a whole k >= 1 (draw.ts's gamma).
function gamma(k: f64): f64 {
  if (k < 8) {
    let p = 1.0;
    for (let i = 0.0; i < k; i++) p *= uniform();
    return -hostLog(p);
  }
  const d = k - 1.0 / 3.0;
  const c = 1.0 / Math.sqrt(9.0 * d);
  let draw = -1.0; // none yet
  while (draw < 0) {
    let z: f64;
    let v: f64;
    do {
      z = normal();
      v = 1.0 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = uniform();
    if (u < 1.0 - 0.0331 * hostPow(z, 4.0) || hostLog(u) < 0.5 * z * z + d * (1.0 - v + hostLog(v))) draw = d * v;
  }
  return draw;
}

/**
 * draw.ts's orderStatistics: the values of the m ranks (1-based, increasing; i32 in scratch) among n
 * uniform draws in sorted order, written as f64 to scratch after them (from the first 8-byte boundary:
 * orderKeys() says where). Returns the generator's state.
 */
export function orderStatistics(n: f64, m: i32, x: i32): i32 {
  rng = x;
  const out = orderKeys(m);
  let s = 0.0;
  let prev = 0.0;
  for (let j = 0; j < m; j++) {
    const r = <f64>get(scratch, j);
    s += gamma(r - prev);
    prev = r;
    store<f64>(out + ((<usize>j) << 3), s);
  }
  const total = s + gamma(n + 1.0 - prev);
  for (let j = 0; j < m; j++) {
    const at = out + ((<usize>j) << 3);
    store<f64>(at, load<f64>(at) / total);
  }
  return rng;
}

/** Where orderStatistics() writes the keys of m ranks (scratchFor(3 * m + 2) holds both). */
export function orderKeys(m: i32): usize {
  return (scratch + ((<usize>m) << 2) + 7) & ~(<usize>7);
}

// draw.ts's binomial: a Binomial(n, p) draw.
function binomial(n: f64, p: f64): f64 {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1.0 - p);
  const mean = n * p;
  if (mean >= 30) return Math.min(n, Math.max(0, hostRound(mean + Math.sqrt(mean * (1.0 - p)) * normal())));
  const odds = p / (1.0 - p);
  let prob = hostPow(1.0 - p, n);
  let u = uniform();
  let k = 0.0;
  while (u > prob && k < n) {
    u -= prob;
    prob *= (odds * (n - k)) / (k + 1.0);
    k++;
  }
  return k;
}

/**
 * The first `draws` of the scattered order's transients at once (Replayer.transientsByClass): over
 * the g entries of weights (f64, in scratch), each draws binomially its share of the draws left
 * (its weight over the weight left), written as f64 after them (from scratch + 8g); stops when none
 * is left. Returns the generator's state.
 */
export function splitDraws(g: i32, draws: f64, x: i32): i32 {
  rng = x;
  const out = scratch + ((<usize>g) << 3);
  let total = 0.0;
  for (let k = 0; k < g; k++) total += load<f64>(scratch + ((<usize>k) << 3));
  let left = draws;
  let rest = total;
  for (let k = 0; k < g; k++) {
    const w = load<f64>(scratch + ((<usize>k) << 3));
    const drawn = left > 0 ? binomial(left, w / rest) : 0.0;
    store<f64>(out + ((<usize>k) << 3), drawn);
    left -= drawn;
    rest -= w;
  }
  return rng;
}

/**
 * The scattered order's transients freed (Replayer.scatteredAllocs), in random order: of each pool
 * they touched (placeClass), only its first free and its last change lists, so each pool draws the
 * smallest and the largest of its transients' places in that order (draw.ts's minMax: the largest,
 * then the smallest below it) and frees them at those two keys, a full pool's first block apart
 * (it goes to the front of its class's list), then all in the order of the keys (sortKeys). The
 * pools' counts of transients are zeroed and the list emptied. Returns the generator's state.
 */
export function freeTransients(x: i32): i32 {
  const n = touchedCount;
  // Keys (f64), then the pool and the blocks of each entry: two entries a pool at most.
  const at = scratchFor(8 * n);
  const poolAt = at + ((<usize>(2 * n)) << 3);
  const blocksAt = poolAt + ((<usize>(2 * n)) << 2);
  let e = 0;
  for (let i = 0; i < n; i++) {
    const pool = get(touched, i);
    const t = get(transients, pool);
    set(transients, pool, 0);
    x = xorshift(x);
    const max = hostPow(uniformOf(x), 1.0 / <f64>t);
    let min = max;
    if (t > 1) {
      x = xorshift(x);
      min = max * (1.0 - hostPow(uniformOf(x), 1.0 / <f64>(t - 1)));
    }
    if (get(poolCount, pool) === get(numBlocks, get(poolSzidx, pool))) {
      store<f64>(at + ((<usize>e) << 3), min);
      set(poolAt, e, pool);
      set(blocksAt, e++, 1);
      if (t > 1) {
        store<f64>(at + ((<usize>e) << 3), max);
        set(poolAt, e, pool);
        set(blocksAt, e++, t - 1);
      }
    } else {
      store<f64>(at + ((<usize>e) << 3), max);
      set(poolAt, e, pool);
      set(blocksAt, e++, t);
    }
  }
  touchedCount = 0;
  const sorted = sortKeys(e);
  for (let k = 0; k < e; k++) {
    const j = get(sorted, k);
    freeMany(get(poolAt, j), get(blocksAt, j));
  }
  return x;
}

function keyOf(i: i32): f64 {
  return load<f64>(scratch + ((<usize>i) << 3));
}

function before(i: i32, j: i32): bool {
  const a = keyOf(i);
  const b = keyOf(j);
  return a < b || (a === b && i < j);
}

/**
 * The indices of the n f64 keys in scratch in increasing order of key, ties in index order (draw.ts's
 * byKey): a merge sort; returns the address of the order (n i32).
 */
export function sortKeys(n: i32): usize {
  if (n > orderCap) {
    orderCap = max(n, orderCap * 2);
    order = reserve((<usize>orderCap) << 2);
    orderTmp = reserve((<usize>orderCap) << 2);
  }
  for (let i = 0; i < n; i++) set(order, i, i);
  let from = order;
  let to = orderTmp;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = min(lo + width, n);
      const hi = min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = get(from, i);
        const b = get(from, j);
        if (before(b, a)) {
          set(to, k++, b);
          j++;
        } else {
          set(to, k++, a);
          i++;
        }
      }
      while (i < mid) set(to, k++, get(from, i++));
      while (j < hi) set(to, k++, get(from, j++));
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from !== order) memory.copy(order, from, (<usize>n) << 2);
  return order;
}

/**
 * Per arena of a set, the live blocks of each group in it (Replayer.ownersIn): the arena slots' places
 * in the set (-1 outside) are the first `arenas` i32 of scratch. Writes (group, place, blocks)
 * triples to scratch after them and returns their number.
 */
export function ownersIn(arenas: i32): i32 {
  // Per pool, its arena's place (-1: not in the set): in the transients column, which is zero
  // between uses and is zeroed again below.
  for (let p = 0; p < pools; p++) {
    const a = get(poolArena, p);
    set(transients, p, a >= 0 ? get(scratch, a) + 1 : 0);
  }
  const tallyAt = reserve((<usize>(2 * arenas + 1)) << 2);
  fillColumn(tallyAt, 0, 2 * arenas + 1, 0);
  const seen = tallyAt + ((<usize>arenas) << 2);
  let out = arenas;
  for (let id = 0; id <= groups; id++) {
    let nt = 0;
    const s = get(start, id);
    const end = s + get(count, id);
    for (let j = s; j < end; j++) {
      const pool = get(live, j);
      if (pool < 0) continue;
      const k = get(transients, pool) - 1;
      if (k < 0) continue;
      const n = get(tallyAt, k);
      set(tallyAt, k, n + 1);
      if (n === 0) set(seen, nt++, k);
    }
    for (let t = 0; t < nt; t++) {
      const k = get(seen, t);
      scratchFor(out + 3);
      set(scratch, out++, id);
      set(scratch, out++, k);
      set(scratch, out++, get(tallyAt, k));
      set(tallyAt, k, 0);
    }
  }
  fillColumn(transients, 0, pools, 0);
  return (out - arenas) / 3;
}
