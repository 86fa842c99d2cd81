// Mutations that know a format's structure: a pickle's opcodes (to write extremes into their number
// and length fields, widen strings, nest deeply) and a JSON document's values (to replace one with an
// extreme number, a huge string or 100,000 nested arrays). Used by mutate.ts.

import { FIXED, LINES, SIZED } from '../../src/ingest/pickle/opcodes.js';

/** Which structured mutations apply to a file. */
export type FileKind = 'pickle' | 'json' | 'text';

export interface PickleOp {
  readonly pos: number;
  readonly op: number;
  /** Bytes of the fixed argument or of the length prefix (0 for none). */
  readonly width: number;
  /** Where the opcode ends (its data included). */
  readonly end: number;
}

const STOP = 0x2e;
const FRAME = 0x95;

function readUInt(data: Buffer, pos: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + data[pos + i]!;
  return v;
}

function writeUInt(data: Buffer, pos: number, width: number, value: bigint): void {
  let v = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    data[pos + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The opcodes of a pickle, as far as they can be followed (up to STOP or damage). */
export function pickleOps(data: Buffer, max = 200_000): PickleOp[] {
  const out: PickleOp[] = [];
  let pos = 0;
  while (pos < data.length && out.length < max) {
    const op = data[pos]!;
    let width = 0;
    let end = pos + 1;
    if (FIXED[op]) {
      width = FIXED[op]!;
      end += width;
    } else if (SIZED[op]) {
      width = SIZED[op]!;
      end += width + (pos + 1 + width <= data.length ? readUInt(data, pos + 1, width) : 0);
    } else if (LINES[op]) {
      for (let k = 0; k < LINES[op]! && end <= data.length; k++) {
        const nl = data.indexOf(0x0a, end);
        end = nl < 0 ? data.length + 1 : nl + 1;
      }
    }
    if (end > data.length) break;
    out.push({ pos, op, width, end });
    if (op === STOP) break;
    pos = end;
  }
  return out;
}

const pick = <T>(items: readonly T[], frac: number): T | undefined =>
  items.length ? items[Math.min(items.length - 1, Math.floor(frac * items.length))] : undefined;

// Values written into a field of `width` bytes: extremes of its unsigned and signed range, 2**31
// (a length read as signed), 2**63, zero, one more than it held.
function extremes(width: number, held: number): bigint[] {
  const bits = BigInt(width * 8);
  return [
    (1n << bits) - 1n,
    (1n << (bits - 1n)) - 1n,
    1n << (bits - 1n),
    1n << 31n,
    (1n << 32n) - 1n,
    1n << 63n,
    0n,
    BigInt(held) + 1n,
    BigInt(held) * 2n + 7n,
  ];
}

/** Writes an extreme value into the fixed argument or length prefix of one opcode (of `opcode`), in place. */
export function pickleField(data: Buffer, frac: number, value: number, opcode?: number): Buffer {
  const o = pick(
    pickleOps(data).filter((x) => x.width > 0 && (opcode === undefined || x.op === opcode)),
    frac,
  );
  if (!o) return data;
  const out = Buffer.from(data);
  const values = extremes(o.width, readUInt(data, o.pos + 1, o.width));
  writeUInt(out, o.pos + 1, o.width, values[value % values.length]!);
  return out;
}

// Adds `delta` to the length of the FRAME that holds `pos`, so that a resized opcode still sits
// inside a well-formed frame and the reader gets past the framing to the value itself.
function fixFrame(data: Buffer, ops: readonly PickleOp[], pos: number, delta: number): void {
  for (const o of ops) {
    if (o.op !== FRAME) continue;
    const len = readUInt(data, o.pos + 1, 8);
    if (pos >= o.end && pos < o.end + len) writeUInt(data, o.pos + 1, 8, BigInt(len + delta));
  }
}

function replaceOp(data: Buffer, ops: readonly PickleOp[], o: PickleOp, by: Buffer, fix: boolean): Buffer {
  const out = Buffer.concat([data.subarray(0, o.pos), by, data.subarray(o.end)]);
  if (fix) fixFrame(out, ops, o.pos, by.length - (o.end - o.pos));
  return out;
}

function long1(v: bigint): Buffer {
  // Two's complement, little-endian, as few bytes as keep the sign (pickle's encode_long).
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    const low = Number(BigInt.asUintN(8, x));
    bytes.push(low);
    x >>= 8n;
    if ((x === 0n && !(low & 0x80)) || (x === -1n && low & 0x80)) break;
  }
  return Buffer.from([0x8a, bytes.length, ...bytes]);
}

function binfloat(v: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0x47;
  b.writeDoubleBE(v, 1);
  return b;
}

const INTS = [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 53n + 1n, 10n ** 30n];
const FLOATS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -1e20, -0];

/** Replaces an integer or float opcode with LONG1 or BINFLOAT holding an extreme (2**63, NaN, ±Infinity…). */
export function pickleInt(data: Buffer, frac: number, value: number, fix: boolean): Buffer {
  const ops = pickleOps(data);
  const o = pick(
    ops.filter((x) => x.op === 0x4b || x.op === 0x4d || x.op === 0x4a || x.op === 0x8a || x.op === 0x47),
    frac,
  );
  if (!o) return data;
  const i = value % (INTS.length + FLOATS.length);
  const by = i < INTS.length ? long1(INTS[i]!) : binfloat(FLOATS[i - INTS.length]!);
  return replaceOp(data, ops, o, by, fix);
}

const LENGTHS = [2n ** 31n, 2n ** 32n - 1n, 2n ** 31n - 1n, 2n ** 30n, 0n];

/** Turns a SHORT_BINUNICODE into BINUNICODE (or BINUNICODE8) that declares 2**31 bytes or the like. */
export function pickleWiden(data: Buffer, frac: number, value: number, fix: boolean): Buffer {
  const ops = pickleOps(data);
  const o = pick(
    ops.filter((x) => x.op === 0x8c || x.op === 0x58),
    frac,
  );
  if (!o) return data;
  const body = data.subarray(o.pos + 1 + o.width, o.end);
  const eight = value % 2 === 1;
  const head = Buffer.alloc(eight ? 9 : 5);
  head[0] = eight ? 0x8d : 0x58;
  const length = eight && value % 4 === 3 ? 2n ** 63n : LENGTHS[value % LENGTHS.length]!;
  writeUInt(head, 1, eight ? 8 : 4, length);
  return replaceOp(data, ops, o, Buffer.concat([head, body]), fix);
}

/** Inserts `depth` MARKs, empty lists, or lists nested `depth` deep, at an opcode boundary. */
export function pickleNest(data: Buffer, frac: number, depth: number, how: 'mark' | 'list' | 'nested'): Buffer {
  const o = pick(pickleOps(data), frac);
  const p = o?.pos ?? 0;
  const by =
    how === 'mark'
      ? Buffer.alloc(depth, 0x28)
      : how === 'list'
        ? Buffer.alloc(depth, 0x5d)
        : Buffer.concat([Buffer.alloc(depth, 0x5d), Buffer.alloc(depth - 1, 0x61)]);
  return Buffer.concat([data.subarray(0, p), by, data.subarray(p)]);
}

const DEEP = 100_000;
/** Raw JSON text written in place of a value; 'DELETE' removes the member. */
export const JSON_VALUES: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '1e999',
  '-1e20',
  '9223372036854775808',
  '18446744073709551616',
  '-1',
  '0',
  '-0',
  '0.5',
  '1e-400',
  '4294967296',
  'null',
  'true',
  '""',
  '"\\u0000"',
  '"\\ud800"',
  `"${'x'.repeat(1 << 20)}"`,
  '{}',
  '[]',
  `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
  `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
  `[${'0,'.repeat(DEEP)}0]`,
  '[1e308, -1e20, 9223372036854775808]',
  '"10%"',
  '"-5MiB"',
  '"1e999 GiB"',
  '"5%%"',
  '[null]',
  '[[]]',
  '"../../../../etc/passwd"',
  'DELETE',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to values of a JSON document, breadth first, at most `max`. */
function paths(doc: Json, max: number): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: [Json, (string | number)[]][] = [[doc, []]];
  while (queue.length && out.length < max) {
    const [v, path] = queue.shift()!;
    out.push(path);
    if (Array.isArray(v)) v.slice(0, 8).forEach((x, i) => queue.push([x, [...path, i]]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) queue.push([x, [...path, k]]);
  }
  return out;
}

const RAW = '@@fuzz-raw@@';

/** Replaces one value of a JSON document (picked among the first few hundred) with raw text. */
export function jsonValue(data: Buffer, frac: number, value: number): Buffer {
  let doc: Json;
  try {
    doc = JSON.parse(data.toString('utf8').replace(/^\uFEFF/, '')) as Json;
  } catch {
    return data;
  }
  const path = pick(paths(doc, 400), frac);
  const raw = JSON_VALUES[value % JSON_VALUES.length]!;
  if (!path?.length) return Buffer.from(raw === 'DELETE' ? '' : raw);
  let parent = doc as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const key = path[path.length - 1]!;
  if (raw === 'DELETE') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = RAW;
  try {
    return Buffer.from(JSON.stringify(doc, null, 1).replace(`"${RAW}"`, () => raw));
  } catch {
    return data; // nested too deep for JSON.stringify by an earlier mutation: left as it is
  }
}
