// pymalloc (Objects/obmalloc.c) at the level of its pools: which pool serves each allocation, and
// what becomes of pools and arenas as blocks come and go. The per-size-class list of used pools
// (a pool a block is freed into from full goes to the front), empty pools cached LIFO in their
// arena, arenas kept sorted by free pools so the fullest serves first (usable_arenas and
// nfp2lasta), and the release of an arena when all its pools are empty (from 3.9 except the last
// usable one).
//
// Where in its pool a block sits never changes which pool the next allocation goes to (that is the
// head of the class's used list, whatever its free list holds), so a block is named here by its
// pool alone, and a pool is its count of blocks. PymallocModel (allocator.ts) adds the blocks
// themselves (free lists, never-used space) for a caller that needs block addresses. The replay
// runs PoolModel's allocator as WebAssembly (replay-model.ts, issue 14), tested against this one.

import { blocksPerPool, classSize, type Geometry, numClasses } from './geometry.js';

export const NONE = -1;
export const DUMMY_SIZE_IDX = 0xffff;

/** The pool of a request served by the system allocator (size 0, above the threshold, another domain). */
export const LARGE = -1;

/**
 * Growable Int32 column. Only the new part is filled when it grows (a fill of 0 is free: a new
 * typed array is zeroed).
 */
export class Column {
  a: Int32Array;
  constructor(
    initial: number,
    private readonly fill: number,
  ) {
    this.a = new Int32Array(initial);
    if (fill !== 0) this.a.fill(fill);
  }
  ensure(n: number): void {
    if (n <= this.a.length) return;
    let len = this.a.length * 2;
    while (len < n) len *= 2;
    const b = new Int32Array(len);
    b.set(this.a);
    if (this.fill !== 0) b.fill(this.fill, this.a.length);
    this.a = b;
  }
}

/** A pool as the figures of a state see it. */
export interface PoolView {
  readonly sizeClass: number;
  readonly count: number;
  readonly capacity: number;
}

/** A live arena: the pools carved from it and its free pool counts. */
export interface ArenaView {
  readonly id: number;
  readonly pools: readonly number[];
  readonly nfreepools: number;
  readonly ntotalpools: number;
}

/** Every live arena and its carved pools, as columns (the order of arenas(): by arena id). */
export interface PoolTable {
  readonly arenaId: Int32Array;
  readonly nfreepools: Int32Array;
  readonly ntotalpools: Int32Array;
  /** Arena i's pools are [start[i], start[i + 1]) of the pool columns. */
  readonly start: Int32Array;
  readonly sizeClass: Int32Array;
  readonly count: Int32Array;
  readonly capacity: Int32Array;
}

/** A state's pools as columns, read once from arenas() and pool(). */
export function poolTableOf(m: Pick<PoolState, 'arenas' | 'pool'>): PoolTable {
  const arenas = [...m.arenas()];
  const start = new Int32Array(arenas.length + 1);
  arenas.forEach((a, i) => {
    start[i + 1] = start[i]! + a.pools.length;
  });
  const n = start[arenas.length]!;
  const t: PoolTable = {
    arenaId: Int32Array.from(arenas, (a) => a.id),
    nfreepools: Int32Array.from(arenas, (a) => a.nfreepools),
    ntotalpools: Int32Array.from(arenas, (a) => a.ntotalpools),
    start,
    sizeClass: new Int32Array(n),
    count: new Int32Array(n),
    capacity: new Int32Array(n),
  };
  let k = 0;
  for (const a of arenas) {
    for (const p of a.pools) {
      const v = m.pool(p);
      t.sizeClass[k] = v.sizeClass;
      t.count[k] = v.count;
      t.capacity[k++] = v.capacity;
    }
  }
  return t;
}

/**
 * What the figures of a model's state read (state.ts, fragmentation.ts): PoolAllocator's, and the
 * replay's WebAssembly model's (replay-model.ts).
 */
export interface PoolState {
  readonly g: Geometry;
  readonly classes: number;
  readonly narenasCurrent: number;
  readonly narenasHighwater: number;
  readonly ntimesArenaAllocated: number;
  readonly largeBlocks: number;
  readonly largeBytes: number;
  arenas(): Iterable<ArenaView>;
  pool(p: number): PoolView;
  /** Every live arena's pools at once (a replay's states read them 4 times a capture). */
  poolTable(): PoolTable;
  classSize(c: number): number;
}

/** pymalloc's arenas and pools; PoolModel and PymallocModel say what a block is. */
export abstract class PoolAllocator implements PoolState {
  readonly classes: number;
  protected readonly numBlocks: Int32Array;

  // Pools (by id).
  protected pools = 0;
  protected readonly poolArena = new Column(1024, NONE);
  protected readonly poolSzidx = new Column(1024, DUMMY_SIZE_IDX);
  protected readonly poolCount = new Column(1024, 0);
  protected readonly poolNext = new Column(1024, NONE); // usedpools list / arena free-pool list
  protected readonly poolPrev = new Column(1024, NONE);
  protected readonly usedHead: Int32Array;

  // Arenas (by slot; a released arena's slot is reused LIFO, like unused_arena_objects).
  private readonly arenaAlive = new Column(64, 0);
  private readonly arenaNfree = new Column(64, 0);
  private readonly arenaNtotal = new Column(64, 0);
  private readonly arenaFreePools = new Column(64, NONE); // LIFO via poolNext
  private readonly arenaNext = new Column(64, NONE);
  private readonly arenaPrev = new Column(64, NONE);
  private readonly arenaPools: number[][] = []; // pools carved from each arena
  private arenaSlots = 0;
  private readonly unusedSlots: number[] = [];
  private usable = NONE;
  private readonly nfp2lasta: Int32Array;

  // Counters (as sys._debugmallocstats() reports them).
  narenasCurrent = 0;
  narenasHighwater = 0;
  ntimesArenaAllocated = 0;
  /** Requests served by the system allocator (size 0, > threshold, or another domain). */
  largeBlocks = 0;
  largeBytes = 0;

  /**
   * Set by newPool(): whether the pool it returned was cached empty with the same size class (the
   * real allocator then keeps the pool's free list as it was).
   */
  protected reusedSameClass = false;

  constructor(readonly g: Geometry) {
    this.classes = numClasses(g);
    this.numBlocks = Int32Array.from({ length: this.classes }, (_, c) => blocksPerPool(g, c));
    this.usedHead = new Int32Array(this.classes).fill(NONE);
    this.nfp2lasta = new Int32Array(this.poolsPerArena() + 2).fill(NONE);
  }

  private poolsPerArena(): number {
    return this.g.arenaSize / this.g.poolSize;
  }

  /** Whether the system allocator serves a request of `size` bytes (`system`: another tracemalloc domain). */
  isLarge(size: number, system: boolean): boolean {
    return system || size === 0 || size > this.g.smallRequestThreshold;
  }

  /** The size class of a small request. */
  classOf(size: number): number {
    return (size - 1) >> 4;
  }

  /** Takes a block of size class `c`: returns its pool (newPool() sets reusedSameClass when it makes one). */
  protected takeBlock(c: number): number {
    const pool = this.usedHead[c]!;
    if (pool === NONE) return this.newPool(c);
    this.reusedSameClass = false;
    const count = ++this.poolCount.a[pool]!;
    if (count === this.numBlocks[c]) this.unlinkUsed(pool, c); // full
    return pool;
  }

  /** Gives a block back to its pool. */
  protected giveBack(pool: number): void {
    const c = this.poolSzidx.a[pool]!;
    const before = this.poolCount.a[pool]!;
    if (before <= 0 || c === DUMMY_SIZE_IDX) throw new Error(`free of a block of pool ${pool}, which holds none`);
    this.poolCount.a[pool] = before - 1;
    if (before === this.numBlocks[c]) {
      // A full pool becomes used: at the front of its class's list (insert_to_usedpool), so the
      // next allocation of that class reuses the block just freed.
      this.linkUsedFront(pool, c);
      if (before > 1) return;
    } else if (before > 1) return;
    this.unlinkUsed(pool, c);
    this.insertToFreepool(pool);
  }

  /** Live blocks in an arena. */
  arenaLiveBlocks(a: number): number {
    let n = 0;
    for (const p of this.arenaPools[a] ?? []) n += this.poolCount.a[p]!;
    return n;
  }

  /** The arena slot a pool is in. */
  arenaOfPool(pool: number): number {
    return this.poolArena.a[pool]!;
  }

  // allocate_from_new_pool: a pool of the usable arena for class c, with its first block
  // allocated; sets reusedSameClass.
  protected newPool(c: number): number {
    if (this.usable === NONE) {
      this.usable = this.newArena();
      this.nfp2lasta[this.arenaNfree.a[this.usable]!] = this.usable;
    }
    const a = this.usable;
    const nf = this.arenaNfree.a[a]!;
    if (this.nfp2lasta[nf] === a) this.nfp2lasta[nf] = NONE;
    if (nf > 1) this.nfp2lasta[nf - 1] = a; // a stays the head: the order is unchanged
    let pool = this.arenaFreePools.a[a]!;
    if (pool !== NONE) {
      this.arenaFreePools.a[a] = this.poolNext.a[pool]!;
    } else {
      pool = this.carvePool(a);
    }
    this.arenaNfree.a[a] = nf - 1;
    if (nf - 1 === 0) {
      // The arena is full: off the usable list.
      this.usable = this.arenaNext.a[a]!;
      if (this.usable !== NONE) this.arenaPrev.a[this.usable] = NONE;
      this.arenaNext.a[a] = NONE;
    }
    this.usedHead[c] = pool;
    this.poolNext.a[pool] = NONE;
    this.poolPrev.a[pool] = NONE;
    this.poolCount.a[pool] = 1;
    this.reusedSameClass = this.poolSzidx.a[pool] === c;
    this.poolSzidx.a[pool] = c;
    return pool; // a pool holds 7 blocks at least: not full with one
  }

  private carvePool(a: number): number {
    const pool = this.pools++;
    this.growPools(this.pools);
    this.poolArena.a[pool] = a;
    this.poolSzidx.a[pool] = DUMMY_SIZE_IDX;
    this.arenaPools[a]!.push(pool);
    return pool;
  }

  /** Makes room for pool ids below n in every per-pool column. */
  protected growPools(n: number): void {
    this.poolArena.ensure(n);
    this.poolSzidx.ensure(n);
    this.poolCount.ensure(n);
    this.poolNext.ensure(n);
    this.poolPrev.ensure(n);
  }

  private newArena(): number {
    const a = this.unusedSlots.pop() ?? this.arenaSlots++;
    for (const col of [
      this.arenaAlive,
      this.arenaNfree,
      this.arenaNtotal,
      this.arenaFreePools,
      this.arenaNext,
      this.arenaPrev,
    ])
      col.ensure(this.arenaSlots);
    const pools = this.poolsPerArena() - (this.g.arenasLosePoolToAlignment ? 1 : 0);
    this.arenaAlive.a[a] = 1;
    this.arenaNfree.a[a] = pools;
    this.arenaNtotal.a[a] = pools;
    this.arenaFreePools.a[a] = NONE;
    this.arenaNext.a[a] = NONE;
    this.arenaPrev.a[a] = NONE;
    this.arenaPools[a] = [];
    this.narenasCurrent++;
    this.ntimesArenaAllocated++;
    if (this.narenasCurrent > this.narenasHighwater) this.narenasHighwater = this.narenasCurrent;
    return a;
  }

  // insert_to_freepool: the pool is empty; keep usable_arenas sorted by free pools, release the
  // arena when all its pools are free (3.9+: unless it is the last usable arena).
  protected insertToFreepool(pool: number): void {
    const a = this.poolArena.a[pool]!;
    this.poolNext.a[pool] = this.arenaFreePools.a[a]!;
    this.arenaFreePools.a[a] = pool;
    let nf = this.arenaNfree.a[a]!;
    const lastnf = this.nfp2lasta[nf]!;
    if (lastnf === a) {
      const p = this.arenaPrev.a[a]!;
      this.nfp2lasta[nf] = p !== NONE && this.arenaNfree.a[p] === nf ? p : NONE;
    }
    this.arenaNfree.a[a] = ++nf;
    if (nf === this.arenaNtotal.a[a] && (!this.g.keepOneEmptyArena || this.arenaNext.a[a] !== NONE)) {
      this.unlinkArena(a);
      this.releaseArena(a);
      return;
    }
    if (nf === 1) {
      // The arena was full, on no list: it goes to the head.
      this.arenaNext.a[a] = this.usable;
      this.arenaPrev.a[a] = NONE;
      if (this.usable !== NONE) this.arenaPrev.a[this.usable] = a;
      this.usable = a;
      if (this.nfp2lasta[1] === NONE) this.nfp2lasta[1] = a;
      return;
    }
    if (this.nfp2lasta[nf] === NONE) this.nfp2lasta[nf] = a;
    if (a === lastnf) return; // already in order
    // Move a right after lastnf, which keeps the list sorted by free pools.
    this.unlinkArena(a);
    const next = this.arenaNext.a[lastnf]!;
    this.arenaPrev.a[a] = lastnf;
    this.arenaNext.a[a] = next;
    if (next !== NONE) this.arenaPrev.a[next] = a;
    this.arenaNext.a[lastnf] = a;
  }

  private unlinkArena(a: number): void {
    const prev = this.arenaPrev.a[a]!;
    const next = this.arenaNext.a[a]!;
    if (prev !== NONE) this.arenaNext.a[prev] = next;
    else this.usable = next;
    if (next !== NONE) this.arenaPrev.a[next] = prev;
    this.arenaNext.a[a] = NONE;
    this.arenaPrev.a[a] = NONE;
  }

  private releaseArena(a: number): void {
    for (let i = 0; i < this.nfp2lasta.length; i++) if (this.nfp2lasta[i] === a) this.nfp2lasta[i] = NONE;
    for (const pool of this.arenaPools[a]!) {
      this.poolArena.a[pool] = NONE;
      this.poolSzidx.a[pool] = DUMMY_SIZE_IDX;
    }
    this.arenaPools[a] = [];
    this.arenaAlive.a[a] = 0;
    this.unusedSlots.push(a);
    this.narenasCurrent--;
  }

  protected linkUsedFront(pool: number, c: number): void {
    const first = this.usedHead[c]!;
    this.poolNext.a[pool] = first;
    this.poolPrev.a[pool] = NONE;
    if (first !== NONE) this.poolPrev.a[first] = pool;
    this.usedHead[c] = pool;
  }

  protected unlinkUsed(pool: number, c: number): void {
    const prev = this.poolPrev.a[pool]!;
    const next = this.poolNext.a[pool]!;
    if (prev !== NONE) this.poolNext.a[prev] = next;
    else this.usedHead[c] = next;
    if (next !== NONE) this.poolPrev.a[next] = prev;
    this.poolNext.a[pool] = NONE;
    this.poolPrev.a[pool] = NONE;
  }

  // --- state queries ---------------------------------------------------------------------------

  /** Live arenas: their pools (carved ones) and free pool counts. */
  *arenas(): Generator<ArenaView> {
    for (let a = 0; a < this.arenaSlots; a++) {
      if (this.arenaAlive.a[a])
        yield {
          id: a,
          pools: this.arenaPools[a]!,
          nfreepools: this.arenaNfree.a[a]!,
          ntotalpools: this.arenaNtotal.a[a]!,
        };
    }
  }

  /** Arena slots ever used (an arena's id is below this). */
  get arenaSlotCount(): number {
    return this.arenaSlots;
  }

  pool(p: number): PoolView {
    const c = this.poolSzidx.a[p]!;
    return { sizeClass: c, count: this.poolCount.a[p]!, capacity: c === DUMMY_SIZE_IDX ? 0 : this.numBlocks[c]! };
  }

  poolTable(): PoolTable {
    return poolTableOf(this);
  }

  /** Checks the structure's invariants; throws on the first broken one (for tests). */
  check(): void {
    const onUsed = new Set<number>();
    for (let c = 0; c < this.classes; c++) {
      for (let p = this.usedHead[c]!, prev = NONE; p !== NONE; prev = p, p = this.poolNext.a[p]!) {
        if (onUsed.has(p)) throw new Error(`pool ${p} twice on the used lists`);
        onUsed.add(p);
        if (this.poolPrev.a[p] !== prev) throw new Error(`pool ${p}: broken prev link`);
        if (this.poolSzidx.a[p] !== c)
          throw new Error(`pool ${p} of class ${this.poolSzidx.a[p]} on the list of class ${c}`);
        const count = this.poolCount.a[p]!;
        if (count <= 0 || count >= this.numBlocks[c]!) throw new Error(`pool ${p} on a used list with ${count} blocks`);
      }
    }
    let usableCount = 0;
    let lastNf = 0;
    for (let a = this.usable, prev = NONE; a !== NONE; prev = a, a = this.arenaNext.a[a]!) {
      usableCount++;
      const nf = this.arenaNfree.a[a]!;
      if (nf < lastNf) throw new Error('usable_arenas is not sorted by free pools');
      if (nf === 0) throw new Error(`full arena ${a} on usable_arenas`);
      if (this.arenaPrev.a[a] !== prev) throw new Error(`arena ${a}: broken prev link`);
      lastNf = nf;
    }
    let live = 0;
    for (const a of this.arenas()) {
      live++;
      let empty = 0;
      for (const p of a.pools) {
        const count = this.poolCount.a[p]!;
        const c = this.poolSzidx.a[p]!;
        if (count > 0 && count < this.numBlocks[c]! && !onUsed.has(p))
          throw new Error(`pool ${p} with ${count} blocks is on no used list`);
        if (count === 0) empty++;
      }
      const never = a.ntotalpools - a.pools.length;
      if (a.nfreepools !== empty + never)
        throw new Error(`arena ${a.id}: nfreepools ${a.nfreepools}, but ${empty} empty and ${never} never-used pools`);
      if (a.nfreepools === a.ntotalpools && (!this.g.keepOneEmptyArena || this.arenaNext.a[a.id] !== NONE)) {
        throw new Error(`arena ${a.id} is wholly free but was not released`);
      }
    }
    if (live !== this.narenasCurrent)
      throw new Error(`${live} live arenas, narenas_currently_allocated ${this.narenasCurrent}`);
    if (usableCount > live) throw new Error('more usable arenas than arenas');
  }

  /** Size class sizes, for reports. */
  classSize(c: number): number {
    return classSize(this.g, c);
  }

  blocksPerPool(c: number): number {
    return this.numBlocks[c]!;
  }
}

/** The model at the level of pools: a block is named by its pool (the reference of replay-model.ts). */
export class PoolModel extends PoolAllocator {
  /** Allocates `size` bytes; returns the pool of the block, or LARGE when the system allocator serves it. */
  alloc(size: number, system = false): number {
    if (this.isLarge(size, system)) {
      this.largeBlocks++;
      this.largeBytes += size;
      return LARGE;
    }
    return this.takeBlock((size - 1) >> 4);
  }

  /**
   * alloc() `n` times, the pools written to out[at], out[at + 1], ...: a pool's room is handed out
   * at once (the replay's compact order allocates runs of one group).
   */
  allocRun(size: number, system: boolean, n: number, out: Int32Array, at: number): void {
    if (this.isLarge(size, system)) {
      this.largeBlocks += n;
      this.largeBytes += n * size;
      out.fill(LARGE, at, at + n);
      return;
    }
    const c = (size - 1) >> 4;
    const capacity = this.numBlocks[c]!;
    const end = at + n;
    while (at < end) {
      const pool = this.usedHead[c]!;
      if (pool === NONE) {
        out[at++] = this.newPool(c);
        continue;
      }
      const count = this.poolCount.a[pool]!;
      const k = Math.min(capacity - count, end - at);
      out.fill(pool, at, at + k);
      at += k;
      this.poolCount.a[pool] = count + k;
      if (count + k === capacity) this.unlinkUsed(pool, c);
    }
  }

  /** The blocks the pool that serves class c next can still take (0 when no pool is in use). */
  headRoom(c: number): number {
    const pool = this.usedHead[c]!;
    return pool === NONE ? 0 : this.numBlocks[c]! - this.poolCount.a[pool]!;
  }

  /**
   * n >= 1 allocations of class c in a row, all served by one pool: the one in use, when n is at
   * most its headRoom(), or a new one, when no pool is in use and n is at most a pool's blocks. The
   * same as n calls of alloc(); returns the pool.
   */
  allocMany(c: number, n: number): number {
    let pool = this.usedHead[c]!;
    let count = n;
    if (pool === NONE) pool = this.newPool(c);
    else count += this.poolCount.a[pool]!;
    if (n < 1 || count > this.numBlocks[c]!) throw new Error(`${n} blocks of class ${c} do not fit pool ${pool}`);
    this.poolCount.a[pool] = count;
    if (count === this.numBlocks[c]) this.unlinkUsed(pool, c);
    return pool;
  }

  /** n >= 1 frees of blocks of one pool in a row: the same as n calls of free(pool). */
  freeMany(pool: number, n: number): void {
    const c = this.poolSzidx.a[pool]!;
    const before = this.poolCount.a[pool]!;
    if (n < 1 || n > before || c === DUMMY_SIZE_IDX)
      throw new Error(`free of ${n} blocks of pool ${pool}, which holds ${before}`);
    this.poolCount.a[pool] = before - n;
    if (before === this.numBlocks[c]) this.linkUsedFront(pool, c);
    if (before === n) {
      this.unlinkUsed(pool, c);
      this.insertToFreepool(pool);
    }
  }

  /** Pools carved so far (a pool's id is below this). */
  get poolIdCount(): number {
    return this.pools;
  }

  /** The size class a pool serves. */
  sizeClassOf(pool: number): number {
    return this.poolSzidx.a[pool]!;
  }

  /** Blocks allocated in a pool. */
  countOf(pool: number): number {
    return this.poolCount.a[pool]!;
  }

  /** Frees a block of `pool` (from alloc()); `size` is needed only for LARGE. */
  free(pool: number, size = 0): void {
    if (pool === LARGE) {
      this.largeBlocks--;
      this.largeBytes -= size;
      return;
    }
    this.giveBack(pool);
  }
}
