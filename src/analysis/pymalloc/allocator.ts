// A model of pymalloc (Objects/obmalloc.c) down to its blocks: the pool-level choices of
// PoolAllocator (pools.ts), and inside a pool what the real allocator does with its blocks: a LIFO
// free list, never-used space handed out two blocks at a time, the free list of an empty pool
// kept when the pool is reused for the same size class. It models addresses as (pool, block index).
//
// Blocks are handles: slots in segments, one segment per pool sized for its size class (given
// when the pool is initialised for a class, kept while the class fits). A slot holds one Int32, as
// the real block holds its free-list link in its own memory: the next free block while free, its
// owner (a caller's id, e.g. the trace group it stands for) while allocated, which is what lets a
// caller ask who holds a pool. The replay, which needs pools only, uses PoolModel.

import { Column, LARGE, NONE, PoolAllocator } from './pools.js';

export { LARGE } from './pools.js';

// An allocated block's slot holds ALLOCATED - owner (<= -2); a free one, the index of the next
// free block of its pool or NONE (>= -1).
const ALLOCATED = -2;

// Segments start on multiples of 2^CHUNK_BITS slots, so that one pool id per chunk of slots (not
// per slot) finds a block's pool.
const CHUNK_BITS = 5;

export class PymallocModel extends PoolAllocator {
  private readonly poolVirgin = new Column(1024, 0); // next never-used block index
  private readonly poolChain = new Column(1024, NONE); // head of the LIFO free list (block index)
  private readonly poolBase = new Column(1024, 0);
  private readonly poolSegment = new Column(1024, 0);
  // Block slots (free-list link or owner), and the pool of each chunk of slots.
  private readonly slot = new Column(1 << 12, 0);
  private readonly chunkPool = new Column(1 << 7, 0);
  private slots = 0;

  /**
   * Allocates `size` bytes for `owner`; returns a block handle, or LARGE when the system allocator
   * serves it: size 0, above the threshold, or `system` (another tracemalloc domain). `owner` is
   * an integer from 0 to 2^31 - 3.
   */
  alloc(size: number, owner: number, system = false): number {
    if (this.isLarge(size, system)) {
      this.largeBlocks++;
      this.largeBytes += size;
      return LARGE;
    }
    const c = (size - 1) >> 4;
    const wasUsed = this.usedHead[c] !== NONE;
    const pool = this.takeBlock(c);
    this.growBlockColumns();
    const base = this.poolBase.a[pool]!;
    let handle: number;
    if (wasUsed || this.reusedSameClass) {
      // The head of the free list; a used pool whose list ends extends into never-used space (an
      // empty pool taken from the arena's cache keeps its list as it is).
      const index = this.poolChain.a[pool]!;
      handle = base + index;
      let next = this.slot.a[handle]!;
      if (wasUsed && next === NONE) {
        const v = this.poolVirgin.a[pool]!;
        if (v < this.numBlocks[c]!) {
          next = v;
          this.slot.a[base + v] = NONE;
          this.poolVirgin.a[pool] = v + 1;
        }
      }
      this.poolChain.a[pool] = next;
    } else {
      // (Re)initialised: block 0 is returned, block 1 queued, the rest stays never used.
      if (this.poolSegment.a[pool]! < this.numBlocks[c]!) this.newSegment(pool, this.numBlocks[c]!);
      handle = this.poolBase.a[pool]!;
      this.slot.a[handle + 1] = NONE;
      this.poolChain.a[pool] = 1;
      this.poolVirgin.a[pool] = 2;
    }
    this.slot.a[handle] = ALLOCATED - owner;
    return handle;
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
    this.slot.a[block] = this.poolChain.a[pool]!; // LIFO push
    this.poolChain.a[pool] = index;
    this.giveBack(pool);
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
    return this.arenaOfPool(this.poolOf(block));
  }

  /** Owners of the live blocks of a pool. */
  *poolOwners(p: number): Generator<number> {
    const base = this.poolBase.a[p]!;
    const n = this.pool(p).capacity ? this.poolVirgin.a[p]! : 0;
    for (let i = 0; i < n; i++) {
      const v = this.slot.a[base + i]!;
      if (v <= ALLOCATED) yield ALLOCATED - v;
    }
  }

  /** The pool-level invariants, and each pool's count against its blocks. */
  override check(): void {
    super.check();
    for (const a of this.arenas()) {
      for (const p of a.pools) {
        let allocated = 0;
        for (const _ of this.poolOwners(p)) allocated++;
        const count = this.pool(p).count;
        if (allocated !== count) throw new Error(`pool ${p}: count ${count} but ${allocated} blocks allocated`);
      }
    }
  }

  private growBlockColumns(): void {
    const n = this.poolCount.a.length;
    this.poolVirgin.ensure(n);
    this.poolChain.ensure(n);
    this.poolBase.ensure(n);
    this.poolSegment.ensure(n);
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
}
