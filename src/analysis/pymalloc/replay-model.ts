// The replay's model of pymalloc, run as WebAssembly: the pool-level allocator (the same as
// PoolModel in pools.ts, the reference it is tested against) and the replay's per-block loops, from
// assembly/replay-model.ts (AssemblyScript), which this file loads and drives. In JavaScript, a
// one-shot replay of two captures of 1M blocks spent ~0.5 s in the model, half of it with V8 still
// compiling it (issue 14); WebAssembly is compiled before it runs.

import { compileWasm } from '../../util/wasm.js';
import type { AliasTable } from './draw.js';
import { classSize, type Geometry, numClasses } from './geometry.js';
import type { ArenaView, PoolState, PoolTable, PoolView } from './pools.js';

// scripts/build-wasm.mjs compiles the module into dist/; the path reaches it from dist/analysis/
// pymalloc/ (the package) and from src/analysis/pymalloc/ (vitest runs the sources after a build).
const WASM = new URL('../../../dist/analysis/pymalloc/replay-model.wasm', import.meta.url);

interface ModelExports {
  readonly memory: WebAssembly.Memory;
  init(
    classes: number,
    threshold: number,
    poolSize: number,
    poolOverhead: number,
    alignment: number,
    poolsPerArena: number,
    losePool: number,
    keepOne: number,
    groups: number,
    room: number,
  ): void;
  columnOf(which: number): number;
  counter(which: number): number;
  scratchFor(n: number): number;
  alloc(bytes: number, system: number): number;
  free(pool: number, bytes: number): void;
  freeMany(pool: number, n: number): void;
  headRoom(c: number): number;
  allocMany(c: number, n: number): number;
  allocateAs(id: number, bytes: number, system: number, n: number): void;
  allocate(id: number, n: number): void;
  compactFrees(id: number, n: number): void;
  randomFrees(id: number, n: number, x: number): number;
  placeClass(plans: number, blocks: number, t: number, groups: number, x: number): number;
  drawByWeight(n: number, made: number, bytes: number, drawn: number, most: number, x: number): number;
  clearTouched(): void;
  freeTransients(x: number): number;
  orderStatistics(n: number, m: number, x: number): number;
  orderKeys(m: number): number;
  splitDraws(g: number, draws: number, x: number): number;
  sortKeys(n: number): number;
  ownersIn(arenaSlots: number): number;
}

// The module's columns (columnOf) and counters (counter), by number.
const START = 0;
const COUNT = 1;
const SIZE = 2;
const SYSTEM = 3;
const POOL_ARENA = 5;
const POOL_SZIDX = 6;
const POOL_COUNT = 7;
const ARENA_ALIVE = 8;
const ARENA_NFREE = 9;
const ARENA_NTOTAL = 10;
const ARENA_FIRST = 11;
const POOL_CARVED = 12;
const TRANSIENTS = 13;
const TOUCHED = 14;
const SCRATCH = 15;
const COLUMNS = 16;
const DUMMY_SIZE_IDX = 0xffff;

let compiled: WebAssembly.Module | null = null;

/**
 * pymalloc's pools and arenas, and the live blocks of each group of a replay (their pools, in
 * allocation order): groups 0 to n - 1, then one for blocks charged to no group (the untraced).
 */
export class ReplayModel implements PoolState {
  readonly classes: number;
  private readonly wasm: ModelExports;
  private readonly numBlocks: Int32Array;
  private buffer: ArrayBuffer | null = null;
  private i32v = new Int32Array(0);
  private f64v = new Float64Array(0);
  private readonly cols = new Int32Array(COLUMNS);
  private moved = true;
  private groups = 0; // since reset: ids 0 to groups - 1, and the untraced blocks' at groups

  constructor(readonly g: Geometry) {
    compiled ??= compileWasm(WASM, 'the replay model');
    // The host's Math for the module's draws: the same numbers as draw.ts's (assembly/replay-model.ts).
    const math = { hostPow: Math.pow, hostLog: Math.log, hostCos: Math.cos, hostRound: Math.round };
    this.wasm = new WebAssembly.Instance(compiled, { 'replay-model': math }).exports as unknown as ModelExports;
    this.classes = numClasses(g);
    this.numBlocks = Int32Array.from({ length: this.classes }, (_, c) =>
      Math.floor((g.poolSize - g.poolOverhead) / classSize(g, c)),
    );
  }

  // The module's memory as i32 and f64, and its columns' places in it (columnOf, in i32; addresses come
  // as signed i32, read unsigned: past 2 GiB they are negative): read again
  // after a call that may have grown the memory or moved a column (`moved`), once.
  private get i32(): Int32Array {
    if (this.moved) this.view();
    return this.i32v;
  }

  private get f64(): Float64Array {
    if (this.moved) this.view();
    return this.f64v;
  }

  private col(which: number): number {
    if (this.moved) this.view();
    return this.cols[which]!;
  }

  private view(): void {
    this.moved = false;
    if (this.wasm.memory.buffer !== this.buffer) {
      this.buffer = this.wasm.memory.buffer;
      this.i32v = new Int32Array(this.buffer);
      this.f64v = new Float64Array(this.buffer);
    }
    for (let c = 0; c < this.cols.length; c++) this.cols[c] = this.wasm.columnOf(c) >>> 2;
  }

  /**
   * Starts afresh, empty: groups of `size[id]` bytes (`system[id]` 1: another domain than
   * pymalloc's), whose live lists start at `starts[id]` (the untraced blocks' at
   * starts[size.length]), `room` entries in all.
   */
  reset(size: Float64Array, system: Uint8Array, starts: Int32Array, room: number): void {
    const g = this.g;
    const n = size.length;
    this.groups = n;
    this.moved = true;
    this.wasm.init(
      this.classes,
      g.smallRequestThreshold,
      g.poolSize,
      g.poolOverhead,
      g.alignment,
      g.arenaSize / g.poolSize,
      g.arenasLosePoolToAlignment ? 1 : 0,
      g.keepOneEmptyArena ? 1 : 0,
      n,
      room,
    );
    this.i32.set(starts.subarray(0, n + 1), this.col(START));
    this.f64.set(size, this.wasm.columnOf(SIZE) >>> 3);
    this.i32.set(system, this.col(SYSTEM));
  }

  /** Whether the system allocator serves a request of `size` bytes (`system`: another domain). */
  isLarge(size: number, system: boolean): boolean {
    return system || size === 0 || size > this.g.smallRequestThreshold;
  }

  classOf(size: number): number {
    return (size - 1) >> 4;
  }

  classSize(c: number): number {
    return classSize(this.g, c);
  }

  blocksPerPool(c: number): number {
    return this.numBlocks[c]!;
  }

  /** One allocation (PoolModel.alloc): its pool, or LARGE. */
  alloc(size: number, system = false): number {
    this.moved = true;
    return this.wasm.alloc(size, system ? 1 : 0);
  }

  /** A block of `pool` freed (PoolModel.free); `size` is needed only for LARGE. */
  free(pool: number, size = 0): void {
    this.wasm.free(pool, size);
  }

  freeMany(pool: number, n: number): void {
    this.wasm.freeMany(pool, n);
  }

  headRoom(c: number): number {
    return this.wasm.headRoom(c);
  }

  allocMany(c: number, n: number): number {
    this.moved = true;
    return this.wasm.allocMany(c, n);
  }

  /** Blocks of a group that are live. */
  liveCount(id: number): number {
    return this.i32[this.col(COUNT) + id]!;
  }

  /**
   * The live blocks of every group, indexed by id (liveCount of each): a view of the model's memory,
   * good until the model next changes. For loops over many groups (a call per group took ~12 ms of
   * a replay of 2 x 1M blocks).
   */
  liveCounts(): Int32Array {
    const at = this.col(COUNT);
    return this.i32.subarray(at, at + this.groups + 1);
  }

  /** n blocks allocated to group `id`, appended to its live list. */
  allocate(id: number, n: number): void {
    this.moved = true;
    this.wasm.allocate(id, n);
  }

  /** n blocks of `size` (a class's) allocated to group `id`, appended to its live list. */
  allocateAs(id: number, size: number, system: boolean, n: number): void {
    this.moved = true;
    this.wasm.allocateAs(id, size, system ? 1 : 0, n);
  }

  /** The group's last n blocks freed, a run of one pool at a time (the compact order). */
  compactFrees(id: number, n: number): void {
    this.wasm.compactFrees(id, n);
  }

  /** n of the group's blocks freed at random; takes and returns the generator's state. */
  randomFrees(id: number, n: number, x: number): number {
    return this.wasm.randomFrees(id, n, x);
  }

  /**
   * One size class of the scattered order's allocations: its places (`blocks` in all) laid out
   * from the plan entries [from, to) (pool and blocks of each), `t` transients drawn and counted
   * per pool (touched()), then each group ids[g] draws its ns[g] blocks. Returns the generator's state.
   */
  placeClass(
    planPool: readonly number[],
    planBlocks: readonly number[],
    from: number,
    to: number,
    blocks: number,
    t: number,
    ids: ArrayLike<number>,
    ns: ArrayLike<number>,
    x: number,
  ): number {
    const plans = to - from;
    this.moved = true;
    const at = this.wasm.scratchFor(2 * (plans + ids.length)) >>> 2;
    const i32 = this.i32;
    let k = at;
    for (let p = from; p < to; p++) {
      i32[k++] = planPool[p]!;
      i32[k++] = planBlocks[p]!;
    }
    for (let g = 0; g < ids.length; g++) {
      i32[k++] = ids[g]!;
      i32[k++] = ns[g]!;
    }
    this.moved = true;
    return this.wasm.placeClass(plans, blocks, t, ids.length, x);
  }

  /**
   * Draws by weight from `table` (drawAlias), each draw `sizes[k]` bytes counted in class `classOf[k]`
   * of `perClass` (-1: none), until `from.made` bytes reach `bytes` or `from.drawn` draws reach `most`.
   * Takes and returns the generator's state.
   */
  drawByWeight(
    table: AliasTable,
    sizes: readonly number[],
    classOf: readonly number[],
    perClass: Int32Array,
    from: { readonly made: number; readonly drawn: number },
    until: { readonly bytes: number; readonly most: number },
    x: number,
  ): number {
    const n = table.n;
    this.moved = true;
    const at = this.wasm.scratchFor(6 * n + perClass.length) >>> 2;
    const [i32, f64] = [this.i32, this.f64];
    f64.set(table.keep, at >>> 1);
    f64.set(sizes, (at >>> 1) + n);
    i32.set(table.alias, at + 4 * n);
    i32.set(classOf, at + 5 * n);
    i32.set(perClass, at + 6 * n);
    x = this.wasm.drawByWeight(n, from.made, until.bytes, from.drawn, until.most, x);
    perClass.set(i32.subarray(at + 6 * n, at + 6 * n + perClass.length));
    return x;
  }

  /** The pools transients were drawn to since the last call, each with their count; then forgets them. */
  touched(): { pools: Int32Array; transients: Int32Array } {
    const n = this.wasm.counter(7);
    const i32 = this.i32;
    const at = this.col(TOUCHED);
    const pools = i32.slice(at, at + n);
    const transients = new Int32Array(n);
    const tr = this.col(TRANSIENTS);
    for (let i = 0; i < n; i++) {
      transients[i] = i32[tr + pools[i]!]!;
      i32[tr + pools[i]!] = 0;
    }
    this.wasm.clearTouched();
    return { pools, transients };
  }

  /**
   * The transients placeClass drew freed, in random order: each pool's first and last free (the
   * smallest and largest of its transients' places, draw.ts's minMax), all in the order of those
   * keys. Forgets the pools touched. Takes and returns the generator's state.
   */
  freeTransients(x: number): number {
    this.moved = true;
    return this.wasm.freeTransients(x);
  }

  /**
   * draw.ts's orderStatistics, draw for draw: the values of `ranks` (1-based, increasing) among n
   * uniform draws in sorted order. Takes the generator's state and gives it back with the values.
   */
  orderStatistics(n: number, ranks: ArrayLike<number>, x: number): { keys: Float64Array; x: number } {
    const m = ranks.length;
    this.moved = true;
    const at = this.wasm.scratchFor(3 * m + 2) >>> 2;
    const i32 = this.i32;
    for (let j = 0; j < m; j++) i32[at + j] = ranks[j]!;
    const y = this.wasm.orderStatistics(n, m, x);
    const from = this.wasm.orderKeys(m) >>> 3;
    return { keys: this.f64.slice(from, from + m), x: y };
  }

  /**
   * `draws` split among entries by weight as successive binomial draws do (draw.ts's binomial, each
   * entry its share of the draws left: its weight over the weight left), draw for draw. Takes the
   * generator's state and gives it back with each entry's count.
   */
  splitDraws(weights: ArrayLike<number>, draws: number, x: number): { counts: Float64Array; x: number } {
    const g = weights.length;
    this.moved = true;
    const at = this.wasm.scratchFor(4 * g) >>> 3;
    const f64 = this.f64;
    for (let k = 0; k < g; k++) f64[at + k] = weights[k]!;
    const y = this.wasm.splitDraws(g, draws, x);
    return { counts: this.f64.slice(at + g, at + 2 * g), x: y };
  }

  /** The indices of `keys` in increasing order of key, ties in index order (draw.ts's byKey). */
  sortKeys(keys: readonly number[]): Int32Array {
    this.moved = true;
    const at = this.wasm.scratchFor(2 * keys.length) >>> 3;
    this.f64.set(keys, at);
    this.moved = true;
    const order = this.wasm.sortKeys(keys.length) >>> 2;
    return this.i32.slice(order, order + keys.length);
  }

  /** Per arena of the set, the live blocks of each group in it. */
  ownersIn(arenas: ReadonlySet<number>): Map<number, Map<number, number>> {
    const list = [...arenas];
    const slots = this.arenaSlotCount;
    this.moved = true;
    let at = this.wasm.scratchFor(slots) >>> 2;
    const i32 = this.i32;
    i32.fill(-1, at, at + slots);
    list.forEach((a, k) => {
      i32[at + a] = k;
    });
    this.moved = true;
    const n = this.wasm.ownersIn(slots);
    at = this.col(SCRATCH) + slots;
    const out = new Map<number, Map<number, number>>(list.map((a) => [a, new Map()]));
    const v = this.i32;
    for (let r = 0; r < 3 * n; r += 3) out.get(list[v[at + r + 1]!]!)!.set(v[at + r]!, v[at + r + 2]!);
    return out;
  }

  // --- the state (PoolState) ---------------------------------------------------------------------

  get narenasCurrent(): number {
    return this.wasm.counter(0);
  }

  get narenasHighwater(): number {
    return this.wasm.counter(1);
  }

  get ntimesArenaAllocated(): number {
    return this.wasm.counter(2);
  }

  get largeBlocks(): number {
    return this.wasm.counter(3);
  }

  get largeBytes(): number {
    return this.wasm.counter(4);
  }

  /** Pools carved so far (a pool's id is below this). */
  get poolIdCount(): number {
    return this.wasm.counter(5);
  }

  /** Arena slots ever used (an arena's id is below this). */
  get arenaSlotCount(): number {
    return this.wasm.counter(6);
  }

  sizeClassOf(pool: number): number {
    return this.i32[this.col(POOL_SZIDX) + pool]!;
  }

  countOf(pool: number): number {
    return this.i32[this.col(POOL_COUNT) + pool]!;
  }

  arenaOfPool(pool: number): number {
    return this.i32[this.col(POOL_ARENA) + pool]!;
  }

  pool(p: number): PoolView {
    const c = this.sizeClassOf(p);
    return { sizeClass: c, count: this.countOf(p), capacity: c === DUMMY_SIZE_IDX ? 0 : this.numBlocks[c]! };
  }

  /** The live arenas' pools as columns, read from the module's in one pass. */
  poolTable(): PoolTable {
    const i32 = this.i32;
    const [alive, nfree, ntotal, first, carved, szidx, count] = [
      ARENA_ALIVE,
      ARENA_NFREE,
      ARENA_NTOTAL,
      ARENA_FIRST,
      POOL_CARVED,
      POOL_SZIDX,
      POOL_COUNT,
    ].map((c) => this.col(c)) as [number, number, number, number, number, number, number];
    const slots = this.arenaSlotCount;
    let arenas = 0;
    let pools = 0;
    for (let a = 0; a < slots; a++) {
      if (!i32[alive + a]) continue;
      arenas++;
      for (let p = i32[first + a]!; p !== -1; p = i32[carved + p]!) pools++;
    }
    const t: PoolTable = {
      arenaId: new Int32Array(arenas),
      nfreepools: new Int32Array(arenas),
      ntotalpools: new Int32Array(arenas),
      start: new Int32Array(arenas + 1),
      sizeClass: new Int32Array(pools),
      count: new Int32Array(pools),
      capacity: new Int32Array(pools),
    };
    let i = 0;
    let k = 0;
    for (let a = 0; a < slots; a++) {
      if (!i32[alive + a]) continue;
      t.arenaId[i] = a;
      t.nfreepools[i] = i32[nfree + a]!;
      t.ntotalpools[i] = i32[ntotal + a]!;
      for (let p = i32[first + a]!; p !== -1; p = i32[carved + p]!) {
        const c = i32[szidx + p]!;
        t.sizeClass[k] = c;
        t.count[k] = i32[count + p]!;
        t.capacity[k++] = c === DUMMY_SIZE_IDX ? 0 : this.numBlocks[c]!;
      }
      t.start[++i] = k;
    }
    return t;
  }

  *arenas(): Generator<ArenaView> {
    const i32 = this.i32;
    const [alive, nfree, ntotal, first, carved] = [
      ARENA_ALIVE,
      ARENA_NFREE,
      ARENA_NTOTAL,
      ARENA_FIRST,
      POOL_CARVED,
    ].map((c) => this.col(c)) as [number, number, number, number, number];
    for (let a = 0, n = this.arenaSlotCount; a < n; a++) {
      if (!i32[alive + a]) continue;
      const pools: number[] = [];
      for (let p = i32[first + a]!; p !== -1; p = i32[carved + p]!) pools.push(p);
      yield { id: a, pools, nfreepools: i32[nfree + a]!, ntotalpools: i32[ntotal + a]! };
    }
  }
}
