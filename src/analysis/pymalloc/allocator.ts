// A model of pymalloc (Objects/obmalloc.c) that makes the same choices as the real allocator:
// the per-size-class list of used pools (the pool a freed block returns to goes to the front),
// LIFO free lists inside a pool with never-used space handed out two blocks at a time, empty pools
// cached LIFO in their arena, arenas kept sorted by free pools so the fullest serves first
// (usable_arenas and nfp2lasta), and the release of an arena when all its pools are empty (from
// 3.9 except the last usable one). It models addresses only as (pool, block index).
//
// Blocks are handles: slots in segments, one segment per pool sized for its size class (given
// when the pool is initialised for a class, kept while the class fits). A slot holds one Int32, as
// the real block holds its free-list link in its own memory: the next free block while free, its
// owner (a caller's id, e.g. the trace group it stands for) while allocated, which is what lets a
// caller ask who pins an arena. 4 bytes a slot instead of 13 (issue 14: replay's memory).

import { blocksPerPool, classSize, type Geometry, numClasses } from './geometry.js';

const NONE = -1;
const DUMMY_SIZE_IDX = 0xffff;

/** A block obtained from the model, or LARGE for a request served by the system allocator. */
export const LARGE = -1;

// An allocated block's slot holds ALLOCATED - owner (<= -2); a free one, the index of the next
// free block of its pool or NONE (>= -1).
const ALLOCATED = -2;

// Segments start on multiples of 2^CHUNK_BITS slots, so that one pool id per chunk of slots (not
// per slot) finds a block's pool.
const CHUNK_BITS = 5;

/**
 * Growable Int32 column. Only the new part is filled when it grows (a fill of 0 is free: a new
 * typed array is zeroed); refilling whole columns at each doubling was a fifth of a replay.
 */
class Column {
  a: Int32Array;
  /** `initial`: a length, or an array to take over as it is (for a column written before it is read). */
  constructor(
    initial: number | Int32Array,
    private readonly fill: number,
  ) {
    if (typeof initial !== 'number') {
      this.a = initial;
      return;
    }
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

/**
 * A model's block slots and the pool of each chunk of them: the arrays most of its memory is in.
 * A later model can take them over (replay runs its two orders one after the other), so that the
 * peak memory is one model's whenever the collector frees the first one's arrays. Their values are
 * left as they are: a block's slot, and a chunk's pool, is written before it is read.
 */
export interface BlockSlots {
  readonly slot: Int32Array;
  readonly chunkPool: Int32Array;
}

export class PymallocModel {
  readonly classes: number;
  private readonly numBlocks: number[];

  // Pools (by id).
  private pools = 0;
  private readonly poolArena = new Column(1024, NONE);
  private readonly poolSzidx = new Column(1024, DUMMY_SIZE_IDX);
  private readonly poolCount = new Column(1024, 0);
  private readonly poolVirgin = new Column(1024, 0); // next never-used block index
  private readonly poolChain = new Column(1024, NONE); // head of the LIFO free list (block index)
  private readonly poolNext = new Column(1024, NONE); // usedpools list / arena free-pool list
  private readonly poolPrev = new Column(1024, NONE);
  private readonly usedHead: Int32Array;

  // Block slots (free-list link or owner), the pool of each chunk of slots; each pool's segment.
  private readonly slot: Column;
  private readonly chunkPool: Column;
  private slots = 0;
  private readonly poolBase = new Column(1024, 0);
  private readonly poolSegment = new Column(1024, 0);

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
   * `expectedBlocks`: how many small blocks the caller expects to hold at once, to size the block
   * slots up front (they still grow past it). `reuse`: another model's block slots, taken over
   * when they are that large (that model must not be used again).
   */
  constructor(
    readonly g: Geometry,
    expectedBlocks = 0,
    reuse?: BlockSlots,
  ) {
    this.classes = numClasses(g);
    this.numBlocks = Array.from({ length: this.classes }, (_, c) => blocksPerPool(g, c));
    this.usedHead = new Int32Array(this.classes).fill(NONE);
    this.nfp2lasta = new Int32Array(this.poolsPerArena() + 2).fill(NONE);
    // Pools are rarely full: a quarter more slots than blocks.
    let slots = 1 << 16;
    while (slots < expectedBlocks * 1.25 && slots < 1 << 30) slots *= 2;
    const taken = reuse && reuse.slot.length >= slots && reuse.chunkPool.length >= slots >> CHUNK_BITS;
    this.slot = new Column(taken ? reuse.slot : slots, 0);
    this.chunkPool = new Column(taken ? reuse.chunkPool : slots >> CHUNK_BITS, 0);
  }

  /** The block slots, for a model made after this one is done with (the constructor's `reuse`). */
  blockSlots(): BlockSlots {
    return { slot: this.slot.a, chunkPool: this.chunkPool.a };
  }

  private poolsPerArena(): number {
    return this.g.arenaSize / this.g.poolSize;
  }

  /**
   * Allocates `size` bytes for `owner`; returns a block handle, or LARGE when the system allocator
   * serves it: size 0, above the threshold, or `system` (another tracemalloc domain). `owner` is
   * an integer from 0 to 2^31 - 3.
   */
  alloc(size: number, owner: number, system = false): number {
    if (system || size === 0 || size > this.g.smallRequestThreshold) {
      this.largeBlocks++;
      this.largeBytes += size;
      return LARGE;
    }
    const c = (size - 1) >> 4;
    const pool = this.usedHead[c]!;
    const b = pool !== NONE ? this.popBlock(pool, c) : this.allocateFromNewPool(c);
    this.slot.a[b] = ALLOCATED - owner;
    return b;
  }

  /**
   * alloc() `n` times, the blocks written to out[at], out[at + 1], ...: the same blocks in the same
   * order, with the state of the pool in use kept in locals until it fills (the replay's compact
   * order allocates runs of one group; a call per block was most of its time).
   */
  allocRun(size: number, owner: number, system: boolean, n: number, out: Int32Array, at: number): void {
    if (system || size === 0 || size > this.g.smallRequestThreshold) {
      this.largeBlocks += n;
      this.largeBytes += n * size;
      out.fill(LARGE, at, at + n);
      return;
    }
    const c = (size - 1) >> 4;
    const tag = ALLOCATED - owner;
    const capacity = this.numBlocks[c]!;
    const end = at + n;
    while (at < end) {
      const pool = this.usedHead[c]!;
      if (pool === NONE) {
        const b = this.allocateFromNewPool(c);
        this.slot.a[b] = tag;
        out[at++] = b;
        continue;
      }
      // popBlock()'s steps until the pool fills or the run ends (no slot is added meanwhile).
      const slot = this.slot.a;
      const base = this.poolBase.a[pool]!;
      let index = this.poolChain.a[pool]!;
      let count = this.poolCount.a[pool]!;
      let virgin = this.poolVirgin.a[pool]!;
      while (at < end && index !== NONE) {
        count++;
        const handle = base + index;
        index = slot[handle]!;
        if (index === NONE && virgin < capacity) {
          index = virgin++;
          slot[base + index] = NONE;
        }
        slot[handle] = tag;
        out[at++] = handle;
      }
      this.poolCount.a[pool] = count;
      this.poolVirgin.a[pool] = virgin;
      this.poolChain.a[pool] = index;
      if (index === NONE) this.unlinkUsed(pool, c); // full
    }
  }

  /** Frees a block from alloc(); `size` is needed only for LARGE. */
  free(block: number, size = 0): void {
    if (block === LARGE) {
      this.largeBlocks--;
      this.largeBytes -= size;
      return;
    }
    const pool = this.chunkPool.a[block >> CHUNK_BITS]!;
    const index = block - this.poolBase.a[pool]!;
    if (this.slot.a[block]! > ALLOCATED) throw new Error(`double free of block ${index} of pool ${pool}`);
    const chain = this.poolChain.a[pool]!;
    const wasFull = chain === NONE;
    this.slot.a[block] = chain; // LIFO push
    this.poolChain.a[pool] = index;
    const count = --this.poolCount.a[pool]!;
    if (wasFull) {
      // A full pool becomes used: at the front of its class's list (insert_to_usedpool), so the
      // next allocation of that class reuses the block just freed.
      this.linkUsedFront(pool, this.poolSzidx.a[pool]!);
      if (count > 0) return;
    }
    if (count !== 0) return;
    this.unlinkUsed(pool, this.poolSzidx.a[pool]!);
    this.insertToFreepool(pool);
  }

  owner(block: number): number {
    return ALLOCATED - this.slot.a[block]!;
  }

  /** The pool a block is in, and its index there (its address is pool + 48 + index * size). */
  poolOf(block: number): number {
    return this.chunkPool.a[block >> CHUNK_BITS]!;
  }

  indexOf(block: number): number {
    return block - this.poolBase.a[this.poolOf(block)]!;
  }

  /** The arena slot a block is in. */
  arenaOf(block: number): number {
    return this.poolArena.a[this.poolOf(block)]!;
  }

  /** Live blocks in an arena. */
  arenaLiveBlocks(a: number): number {
    let n = 0;
    for (const p of this.arenaPools[a] ?? []) n += this.poolCount.a[p]!;
    return n;
  }

  // Pops the head of a used pool's free list; extends into never-used space, or unlinks the
  // pool when it becomes full.
  private popBlock(pool: number, c: number): number {
    this.poolCount.a[pool]!++;
    const index = this.poolChain.a[pool]!;
    const base = this.poolBase.a[pool]!;
    const handle = base + index;
    let next = this.slot.a[handle]!;
    if (next === NONE) {
      const v = this.poolVirgin.a[pool]!;
      if (v < this.numBlocks[c]!) {
        next = v;
        this.slot.a[base + v] = NONE;
        this.poolVirgin.a[pool] = v + 1;
      } else {
        this.unlinkUsed(pool, c); // full
      }
    }
    this.poolChain.a[pool] = next;
    return handle;
  }

  private allocateFromNewPool(c: number): number {
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
    if (this.poolSzidx.a[pool] === c) {
      // An empty pool cached with the same size class keeps its free list.
      const handle = this.poolBase.a[pool]! + this.poolChain.a[pool]!;
      this.poolChain.a[pool] = this.slot.a[handle]!;
      return handle;
    }
    // (Re)initialise: block 0 is returned, block 1 queued, the rest stays never used.
    this.poolSzidx.a[pool] = c;
    if (this.poolSegment.a[pool]! < this.numBlocks[c]!) this.newSegment(pool, this.numBlocks[c]!);
    const base = this.poolBase.a[pool]!;
    this.slot.a[base + 1] = NONE;
    this.poolChain.a[pool] = 1;
    this.poolVirgin.a[pool] = 2;
    return base;
  }

  private carvePool(a: number): number {
    const pool = this.pools++;
    this.poolArena.ensure(this.pools);
    this.poolSzidx.ensure(this.pools);
    this.poolCount.ensure(this.pools);
    this.poolVirgin.ensure(this.pools);
    this.poolChain.ensure(this.pools);
    this.poolNext.ensure(this.pools);
    this.poolPrev.ensure(this.pools);
    this.poolBase.ensure(this.pools);
    this.poolSegment.ensure(this.pools);
    this.poolSegment.a[pool] = 0;
    this.poolArena.a[pool] = a;
    this.poolSzidx.a[pool] = DUMMY_SIZE_IDX;
    this.arenaPools[a]!.push(pool);
    return pool;
  }

  // Slots for a pool's blocks; a pool re-initialised for a class with more blocks gets new ones.
  // Never-used slots are not initialised: a block's slot is written before it is read.
  private newSegment(pool: number, n: number): void {
    const base = this.slots;
    const chunks = (n + (1 << CHUNK_BITS) - 1) >> CHUNK_BITS;
    this.slots += chunks << CHUNK_BITS;
    this.slot.ensure(this.slots);
    this.chunkPool.ensure(this.slots >> CHUNK_BITS);
    this.chunkPool.a.fill(pool, base >> CHUNK_BITS, (base >> CHUNK_BITS) + chunks);
    this.poolBase.a[pool] = base;
    this.poolSegment.a[pool] = n;
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
  private insertToFreepool(pool: number): void {
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

  private linkUsedFront(pool: number, c: number): void {
    const first = this.usedHead[c]!;
    this.poolNext.a[pool] = first;
    this.poolPrev.a[pool] = NONE;
    if (first !== NONE) this.poolPrev.a[first] = pool;
    this.usedHead[c] = pool;
  }

  private unlinkUsed(pool: number, c: number): void {
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
  *arenas(): Generator<{ id: number; pools: readonly number[]; nfreepools: number; ntotalpools: number }> {
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

  pool(p: number): { sizeClass: number; count: number; capacity: number } {
    const c = this.poolSzidx.a[p]!;
    return { sizeClass: c, count: this.poolCount.a[p]!, capacity: c === DUMMY_SIZE_IDX ? 0 : this.numBlocks[c]! };
  }

  /** Owners of the live blocks of a pool. */
  *poolOwners(p: number): Generator<number> {
    const base = this.poolBase.a[p]!;
    const n = this.poolSzidx.a[p] === DUMMY_SIZE_IDX ? 0 : this.poolVirgin.a[p]!;
    for (let i = 0; i < n; i++) {
      const v = this.slot.a[base + i]!;
      if (v <= ALLOCATED) yield ALLOCATED - v;
    }
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
        if (count <= 0 || count >= this.numBlocks[c]! + (this.poolChain.a[p] === NONE ? 1 : 0))
          throw new Error(`pool ${p} on a used list with ${count} blocks`);
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
        let allocated = 0;
        for (const _ of this.poolOwners(p)) allocated++;
        if (allocated !== count) throw new Error(`pool ${p}: count ${count} but ${allocated} blocks allocated`);
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
