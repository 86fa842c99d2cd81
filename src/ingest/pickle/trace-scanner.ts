// The reader's hot loop in WebAssembly: it consumes runs of trace tuples whose traceback the reader
// has already seen and pre-aggregates them by (traceback, size, domain). A one-shot process spends
// most of its parse in this loop, and JavaScript would run it unoptimized for the first tens of
// milliseconds while V8 warms up; WebAssembly is compiled before it runs.
//
// The module is assembled here from its instructions (no toolchain, no binary in the repository).
// It only reads the bytes it is given and writes its own tables; anything it does not recognise
// ends the run and is left to the JavaScript reader, which knows every opcode.
//
// Memory layout (byte offsets):
const TB_SLOTS = 1 << 16; // open addressing: memo index -> traceback id, and the largest total_nframe
const AGG_BITS = 16;
const AGG_SLOTS = 1 << AGG_BITS; // direct-mapped pre-aggregation: (tb, size, domain) -> count
const OUT_CAP = 4096; // evicted (tb, size, domain, count) records for JavaScript to add
const INT_LEN = 0; // u8[256]: byte length of BININT1/BININT2/BININT by opcode, else 0
const INT_MASK = 256; // i32[256]: value mask by opcode
const TB_KEY = 1280; // i32[TB_SLOTS]: memo index (-1: empty, -2: removed)
const TB_ID = TB_KEY + 4 * TB_SLOTS; // i32[TB_SLOTS]
const TB_TOTAL = TB_ID + 4 * TB_SLOTS; // i32[TB_SLOTS]: largest total_nframe seen (-1: none)
const AGG = TB_TOTAL + 4 * TB_SLOTS; // 16 bytes a slot: tb + 1 (0: empty), size, domain, count
const OUT = AGG + 16 * AGG_SLOTS; // 16 bytes a record
const RESULT = OUT + 16 * OUT_CAP; // i32 traces consumed, i32 records in OUT
export const INPUT = RESULT + 64; // the bytes to scan
export const INPUT_CAP = 1 << 19;
const PAGES = Math.ceil((INPUT + INPUT_CAP + 64) / 65536);

// --- a minimal WebAssembly assembler -----------------------------------------------------------
const I32 = 0x7f;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  ret: 0x0f,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  load: 0x28,
  load8: 0x2d,
  store: 0x36,
  const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  ne: 0x47,
  ltS: 0x48,
  gtS: 0x4a,
  gtU: 0x4b,
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  or: 0x72,
  xor: 0x73,
  shrU: 0x76,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s)];

// Instruction helpers (memory operands: alignment hint 0, i.e. unaligned, and an offset).
const get = (l: number) => [op.get, ...uleb(l)];
const set = (l: number) => [op.set, ...uleb(l)];
const tee = (l: number) => [op.tee, ...uleb(l)];
const k = (n: number) => [op.const, ...sleb(n | 0)];
const load = (offset = 0) => [op.load, 0, ...uleb(offset)];
const load8 = (offset = 0) => [op.load8, 0, ...uleb(offset)];
const store = (offset = 0) => [op.store, 0, ...uleb(offset)];
const BLOCK = [op.block, 0x40];
const LOOP = [op.loop, 0x40];
const IF = [op.if, 0x40];

// Locals of scan(p, n, mode): params 0-2, then the rest.
const [P, N, MODE, Q, V, LEN, DOMAIN, SIZE, IDX, SLOT, TB, TOTAL, E, TRACES, OUTN, OPB] = Array.from(
  { length: 16 },
  (_, i) => i,
);

// Reads a non-negative BININT1/2/4 at Q into `dst`, advancing Q; leaves the run (br to `exit`
// depth) if the opcode is not one of them or the value is negative.
function readInt(dst: number, exitDepth: number): number[] {
  return [
    ...get(Q),
    ...load8(),
    ...tee(OPB),
    ...load8(INT_LEN),
    ...tee(LEN),
    op.eqz,
    op.brIf,
    ...uleb(exitDepth),
    ...get(Q),
    ...load(1),
    ...get(OPB),
    ...k(4),
    op.mul,
    ...load(INT_MASK),
    op.and,
    ...tee(V),
    ...k(0),
    op.ltS,
    op.brIf,
    ...uleb(exitDepth),
    ...get(V),
    ...set(dst),
    ...get(Q),
    ...get(LEN),
    op.add,
    ...set(Q),
  ];
}

// Appends the aggregation entry at address `entry` to OUT as (tb, size, domain, count); `out`
// counts OUT's records, `tmp` is scratch.
function moveToOut(entry: number, out: number, tmp: number): number[] {
  return [
    ...get(out),
    ...k(16),
    op.mul,
    ...k(OUT),
    op.add,
    ...tee(tmp),
    ...get(entry),
    ...load(0),
    ...k(1),
    op.sub,
    ...store(0),
    ...get(tmp),
    ...get(entry),
    ...load(4),
    ...store(4),
    ...get(tmp),
    ...get(entry),
    ...load(8),
    ...store(8),
    ...get(tmp),
    ...get(entry),
    ...load(12),
    ...store(12),
    ...get(out),
    ...k(1),
    op.add,
    ...set(out),
  ];
}

// scan(p, n, mode) -> p: mode 4 reads `MARK int int BINGET (int|NONE) TUPLE MEMOIZE` (3.9+),
// mode 3 reads `BININT1 int BINGET TUPLE3 MEMOIZE` (up to 3.8). Stops before the first trace that
// does not fit, when fewer than 23 bytes remain, or when OUT is full.
function scanBody(): number[] {
  // Nesting: block $exit { loop $next { ... } }. Inside the loop body, br depth 1 = $exit, 0 = $next.
  const body: number[] = [
    ...k(0),
    ...set(TRACES),
    ...k(RESULT + 4),
    ...load(),
    ...set(OUTN),
    ...BLOCK,
    ...LOOP,
    // if p + 23 > n: exit
    ...get(P),
    ...k(23),
    op.add,
    ...get(N),
    op.gtS,
    op.brIf,
    1,
    ...get(MODE),
    ...k(4),
    op.eq,
    ...IF,
    // mode 4: MARK, then domain
    ...get(P),
    ...load8(),
    ...k(0x28),
    op.ne,
    op.brIf,
    2,
    ...get(P),
    ...k(1),
    op.add,
    ...set(Q),
    ...readInt(DOMAIN, 2),
    op.else,
    // mode 3: BININT1 domain
    ...get(P),
    ...load8(),
    ...k(0x4b),
    op.ne,
    op.brIf,
    2,
    ...get(P),
    ...load8(1),
    ...set(DOMAIN),
    ...get(P),
    ...k(2),
    op.add,
    ...set(Q),
    op.end,
    ...readInt(SIZE, 1),
    // traceback: BINGET i | LONG_BINGET iiii, looked up in the cache (a miss ends the run)
    ...get(Q),
    ...load8(),
    ...tee(OPB),
    ...k(0x68),
    op.eq,
    ...IF,
    ...get(Q),
    ...load8(1),
    ...set(IDX),
    ...get(Q),
    ...k(2),
    op.add,
    ...set(Q),
    op.else,
    ...get(OPB),
    ...k(0x6a),
    op.ne,
    op.brIf,
    2,
    ...get(Q),
    ...load(1),
    ...set(IDX),
    ...get(Q),
    ...k(5),
    op.add,
    ...set(Q),
    op.end,
    ...get(IDX),
    ...k(0),
    op.ltS,
    op.brIf,
    1, // indices >= 2^31 are never in the table
    ...get(IDX),
    ...k(0x9e3779b1),
    op.mul,
    ...k(16),
    op.shrU,
    ...k(TB_SLOTS - 1),
    op.and,
    ...k(4),
    op.mul,
    ...set(SLOT),
    // probe: block $found { loop $probe { ... } }; a free slot before the key means a miss
    ...BLOCK,
    ...LOOP,
    ...get(SLOT),
    ...load(TB_KEY),
    ...tee(V),
    ...get(IDX),
    op.eq,
    op.brIf,
    1,
    ...get(V),
    ...k(-1),
    op.eq,
    op.brIf,
    3,
    ...get(SLOT),
    ...k(4),
    op.add,
    ...k(4 * TB_SLOTS - 1),
    op.and,
    ...set(SLOT),
    op.br,
    0,
    op.end,
    op.end,
    ...get(SLOT),
    ...load(TB_ID),
    ...set(TB),
    ...k(-1),
    ...set(TOTAL),
    ...get(MODE),
    ...k(4),
    op.eq,
    ...IF,
    // total_nframe or NONE, then TUPLE MEMOIZE
    ...get(Q),
    ...load8(),
    ...k(0x4e),
    op.eq,
    ...IF,
    ...get(Q),
    ...k(1),
    op.add,
    ...set(Q),
    op.else,
    ...readInt(TOTAL, 3),
    op.end,
    ...get(Q),
    ...load8(),
    ...k(0x74),
    op.ne,
    op.brIf,
    2,
    op.else,
    ...get(Q),
    ...load8(),
    ...k(0x87),
    op.ne,
    op.brIf,
    2,
    op.end,
    ...get(Q),
    ...load8(1),
    ...k(0x94),
    op.ne,
    op.brIf,
    1,
    // committed: the trace is consumed
    ...get(TOTAL),
    ...get(SLOT),
    ...load(TB_TOTAL),
    op.gtS,
    ...IF,
    ...get(SLOT),
    ...get(TOTAL),
    ...store(TB_TOTAL),
    op.end,
    // aggregation slot: a hash of (tb, size, domain)
    ...get(TB),
    ...k(0x9e3779b1),
    op.mul,
    ...get(SIZE),
    op.xor,
    ...k(0x85ebca6b),
    op.mul,
    ...get(DOMAIN),
    op.xor,
    ...k(0xc2b2ae35),
    op.mul,
    ...k(32 - AGG_BITS),
    op.shrU, // the well-mixed high bits
    ...k(16),
    op.mul,
    ...k(AGG),
    op.add,
    ...set(E),
    // same key (and room in the count): count + 1
    ...get(E),
    ...load(0),
    ...get(TB),
    ...k(1),
    op.add,
    op.eq,
    ...get(E),
    ...load(4),
    ...get(SIZE),
    op.eq,
    op.and,
    ...get(E),
    ...load(8),
    ...get(DOMAIN),
    op.eq,
    op.and,
    ...get(E),
    ...load(12),
    ...k(0x7fffffff),
    op.ne,
    op.and,
    ...IF,
    ...get(E),
    ...get(E),
    ...load(12),
    ...k(1),
    op.add,
    ...store(12),
    op.else,
    // another key: evict it to OUT (if any), then take the slot
    ...get(E),
    ...load(0),
    ...IF,
    ...moveToOut(E, OUTN, V),
    op.end,
    ...get(E),
    ...get(TB),
    ...k(1),
    op.add,
    ...store(0),
    ...get(E),
    ...get(SIZE),
    ...store(4),
    ...get(E),
    ...get(DOMAIN),
    ...store(8),
    ...get(E),
    ...k(1),
    ...store(12),
    op.end,
    ...get(TRACES),
    ...k(1),
    op.add,
    ...set(TRACES),
    ...get(Q),
    ...k(2),
    op.add,
    ...set(P),
    // room for one more eviction?
    ...get(OUTN),
    ...k(OUT_CAP),
    op.ne,
    op.brIf,
    0,
    op.end, // loop
    op.end, // block
    ...k(RESULT),
    ...get(TRACES),
    ...store(),
    ...k(RESULT + 4),
    ...get(OUTN),
    ...store(),
    ...get(P),
    op.end,
  ];
  return [...uleb(1), ...uleb(13), I32, ...body]; // 13 i32 locals after the 3 params
}

// collect(s) -> s: moves the pre-aggregated groups of slots s.. into OUT (emptying the slots)
// until OUT is full; returns the slot to go on from, AGG_SLOTS when all are out.
function collectBody(): number[] {
  const [S, E2, V2, OUTN2] = [0, 1, 2, 3];
  const body: number[] = [
    ...k(RESULT + 4),
    ...load(),
    ...set(OUTN2),
    ...BLOCK,
    ...LOOP,
    ...get(S),
    ...k(AGG_SLOTS),
    op.ltS,
    op.eqz,
    op.brIf,
    1,
    ...get(S),
    ...k(16),
    op.mul,
    ...k(AGG),
    op.add,
    ...tee(E2),
    ...load(0),
    ...IF,
    ...moveToOut(E2, OUTN2, V2),
    ...get(E2),
    ...k(0),
    ...store(0),
    op.end,
    ...get(S),
    ...k(1),
    op.add,
    ...set(S),
    ...get(OUTN2),
    ...k(OUT_CAP),
    op.ne,
    op.brIf,
    0,
    op.end,
    op.end,
    ...k(RESULT + 4),
    ...get(OUTN2),
    ...store(),
    ...get(S),
    op.end,
  ];
  return [...uleb(1), ...uleb(3), I32, ...body];
}

function assemble(): Uint8Array<ArrayBuffer> {
  const scan = scanBody();
  const collect = collectBody();
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    // types: 0 = (i32 i32 i32) -> i32, 1 = (i32) -> i32
    ...section(
      1,
      vec([
        [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])],
        [0x60, ...vec([[I32]]), ...vec([[I32]])],
      ]),
    ),
    ...section(3, vec([uleb(0), uleb(1)])), // scan, collect
    ...section(5, vec([[0x00, ...uleb(PAGES)]])), // memory
    ...section(
      7,
      vec([
        [...str('memory'), 0x02, 0],
        [...str('scan'), 0x00, 0],
        [...str('collect'), 0x00, 1],
      ]),
    ),
    ...section(
      10,
      vec([
        [...uleb(scan.length), ...scan],
        [...uleb(collect.length), ...collect],
      ]),
    ),
  ];
  return new Uint8Array(bytes);
}

let compiled: WebAssembly.Module | null = null;

/** Result of one scan: where it stopped and how many traces it consumed. */
export interface ScanResult {
  readonly end: number;
  readonly traces: number;
}

/** Receives aggregated groups. */
export type GroupSink = (domain: number, tb: number, size: number, count: number) => void;

export class TraceScanner {
  private readonly scanFn: (p: number, n: number, mode: number) => number;
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly collectFn: (slot: number) => number;
  private readonly usedSlots: number[] = []; // traceback table slots ever taken

  constructor() {
    compiled ??= new WebAssembly.Module(assemble());
    const instance = new WebAssembly.Instance(compiled);
    const memory = instance.exports.memory as WebAssembly.Memory;
    this.scanFn = instance.exports.scan as (p: number, n: number, mode: number) => number;
    this.collectFn = instance.exports.collect as (slot: number) => number;
    this.u8 = new Uint8Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    const lens: [number, number, number][] = [
      [0x4b, 2, 0xff],
      [0x4d, 3, 0xffff],
      [0x4a, 5, -1],
    ];
    for (const [opcode, len, mask] of lens) {
      this.u8[INT_LEN + opcode] = len;
      this.i32[INT_MASK / 4 + opcode] = mask;
    }
    this.i32.fill(-1, TB_KEY / 4, TB_KEY / 4 + TB_SLOTS);
    this.i32.fill(-1, TB_TOTAL / 4, TB_TOTAL / 4 + TB_SLOTS);
  }

  /** Copies bytes to scan into the module; at most INPUT_CAP. */
  load(d: Uint8Array): void {
    this.u8.set(d, INPUT);
  }

  /** Scans loaded bytes from p (relative to the loaded buffer) to n; mode 4 (3.9+) or 3 (<= 3.8). */
  scan(p: number, n: number, mode: 3 | 4, sink: GroupSink): ScanResult {
    const end = this.scanFn(INPUT + p, INPUT + n, mode) - INPUT;
    const traces = this.i32[RESULT / 4]!;
    this.drain(sink);
    return { end, traces };
  }

  /** Remembers that memo index idx holds traceback tb (a full table, or an index beyond 2^31,
   * just leaves such traces to the general path). */
  remember(idx: number, tb: number): void {
    if (idx >= 2 ** 31 || this.usedSlots.length >= TB_SLOTS / 2) return;
    const slot = this.find(idx, true);
    if (this.i32[TB_KEY / 4 + slot] === -1) this.usedSlots.push(slot);
    this.i32[TB_KEY / 4 + slot] = idx;
    this.i32[TB_ID / 4 + slot] = tb;
  }

  /** Forgets memo index idx (it was overwritten), handing over its total_nframe. */
  forget(idx: number, noteTotal: (tb: number, total: number) => void): void {
    if (idx >= 2 ** 31) return;
    const slot = this.find(idx, false);
    if (this.i32[TB_KEY / 4 + slot] === idx) {
      this.release(slot, noteTotal);
      this.i32[TB_KEY / 4 + slot] = -2;
    }
  }

  /** Hands every pre-aggregated group and every noted total_nframe to the caller. */
  flush(sink: GroupSink, noteTotal: (tb: number, total: number) => void): void {
    for (let slot = 0; slot < AGG_SLOTS; ) {
      slot = this.collectFn(slot);
      this.drain(sink);
    }
    for (const slot of this.usedSlots) if (this.i32[TB_KEY / 4 + slot]! >= 0) this.release(slot, noteTotal);
  }

  // The slot of idx, or where it would go: the first removed slot on its chain when inserting,
  // else the free slot that ends the chain. Same hash as the module's.
  private find(idx: number, inserting: boolean): number {
    let slot = (Math.imul(idx, 0x9e3779b1) >>> 16) & (TB_SLOTS - 1);
    let removed = -1;
    for (;;) {
      const key = this.i32[TB_KEY / 4 + slot]!;
      if (key === idx) return slot;
      if (key === -1) return inserting && removed >= 0 ? removed : slot;
      if (key === -2 && removed < 0) removed = slot;
      slot = (slot + 1) & (TB_SLOTS - 1);
    }
  }

  private release(slot: number, noteTotal: (tb: number, total: number) => void): void {
    const total = this.i32[TB_TOTAL / 4 + slot]!;
    if (total >= 0) noteTotal(this.i32[TB_ID / 4 + slot]!, total);
    this.i32[TB_TOTAL / 4 + slot] = -1;
  }

  private drain(sink: GroupSink): void {
    const records = this.i32[RESULT / 4 + 1]!;
    for (let r = 0; r < records; r++) {
      const e = OUT / 4 + 4 * r;
      sink(this.i32[e + 2]!, this.i32[e]!, this.i32[e + 1]!, this.i32[e + 3]!);
    }
    this.i32[RESULT / 4 + 1] = 0;
  }
}
