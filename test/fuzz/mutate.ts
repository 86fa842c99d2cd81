// Mutations of valid captures, for the fuzz properties (inputs.test.ts) and the long campaign
// (scripts/fuzz.mjs): each is a small plain object that fast-check generates and shrinks, applied to
// a seed's bytes by `mutate`. Pickle- and JSON-aware mutations are in structured.ts.

import fc from 'fast-check';
import { type FileKind, jsonValue, pickleField, pickleInt, pickleNest, pickleOps, pickleWiden } from './structured.js';

/** Where a truncation cuts: any byte, a line end, inside a line, a number, a UTF-8 character or a pickle opcode. */
export type Boundary = 'any' | 'line' | 'mid-line' | 'mid-number' | 'mid-utf8' | 'pickle-op';

/** Positions are fractions of the current length in millionths, so that they shrink towards the start. */
export type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; token: number }
  | { op: 'insert-bytes'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number; to: number }
  | { op: 'truncate'; boundary: Boundary; pick: number }
  | { op: 'splice'; other: number; at: number; from: number }
  | { op: 'number'; pick: number; value: number }
  | { op: 'long-line'; pick: number; fill: number }
  | { op: 'line-ends'; style: 'crlf' | 'cr' | 'some-crlf' | 'none' }
  | { op: 'bom'; utf16: boolean }
  | { op: 'lines'; how: 'delete' | 'duplicate' | 'swap'; pick: number; other: number }
  | { op: 'pickle-field'; pick: number; value: number; opcode?: number }
  | { op: 'pickle-int'; pick: number; value: number; fixFrame: boolean }
  | { op: 'pickle-widen'; pick: number; value: number; fixFrame: boolean }
  | { op: 'pickle-nest'; pick: number; depth: number; how: 'mark' | 'list' | 'nested' }
  | { op: 'json-value'; pick: number; value: number };

const SCALE = 1_000_000;
const MiB = 1 << 20;

/** Byte sequences worth inserting: NUL, BOMs, line ends, invalid UTF-8, separators, quotes. */
export const TOKENS: readonly Buffer[] = [
  Buffer.from([0]),
  Buffer.alloc(64),
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from('\r'),
  Buffer.from('\r\n'),
  Buffer.from('\n'),
  Buffer.from('\n\n\n'),
  Buffer.from([0xc3, 0x28]), // invalid continuation
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate in UTF-8
  Buffer.from([0xc0, 0x80]), // overlong NUL
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), // 5-byte form
  Buffer.from([0xe2, 0x82]), // cut-off character
  Buffer.from([0xff]),
  Buffer.from('\t'),
  Buffer.from(','),
  Buffer.from('"'),
  Buffer.from(':'),
  Buffer.from('.'),
  Buffer.from('-'),
  Buffer.from(' '),
  Buffer.from('\u2028é€😀'),
  Buffer.from('Filename: x.py\n\nLine #    Mem usage    Increment  Occurrences   Line Contents\n'),
  Buffer.from('MEM 1.0 1.0\n'),
  Buffer.from('CHLD 1 1.0 1.0\n'),
  Buffer.from('FUNC f 1.0 1.0 2.0 2.0 1\n'),
  Buffer.from('x.py:1: size=1 KiB, count=1, average=1 KiB\n'),
  Buffer.from('Total = 1\n'),
  Buffer.from('{"format": "arenascope-snapshot", "version": 1}'),
  Buffer.from([0x80, 0x05, 0x95]),
  Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
];

/** Numbers written over a numeric field of a text capture. */
export const NUMBERS: readonly string[] = [
  '1e308',
  '-1e20',
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  'inf',
  '9223372036854775808', // 2**63
  '18446744073709551616', // 2**64
  '-1',
  '0',
  '-0',
  '1e999',
  '1e-400',
  '4294967296',
  '2147483648',
  '99999999999999999999999999999999999999',
  '0.000000001',
  '1,000,000,000,000,000,000',
  '0x10',
  '',
  '1.7976931348623157e308',
  '00000000000000000000000000000000001',
];

/** A 1 MiB line: filler, digits, a line shaped like each format's, spaces. */
const LONG_LINES: readonly ((n: number) => string)[] = [
  (n) => 'A'.repeat(n),
  (n) => '9'.repeat(n),
  (n) => `MEM ${'1'.repeat(n)} 1.0`,
  (n) => `${'x'.repeat(n)}.py:1: size=1 KiB, count=1, average=1 KiB`,
  (n) => `     1     ${'1'.repeat(n)} MiB      0.0 MiB           1   x = 1`,
  (n) => ' '.repeat(n),
  (n) => `MALLOC,1,1,1,0x1,${'f;a.py;1|'.repeat(n / 9)}`,
];

export const at = (frac: number, len: number): number => Math.min(len, Math.floor((frac / SCALE) * (len + 1)));
const pickFrom = <T>(items: readonly T[], frac: number): T | undefined =>
  items.length ? items[Math.min(items.length - 1, Math.floor((frac / SCALE) * items.length))] : undefined;

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;

/** Candidate cut positions (strictly inside the data) for a boundary kind. */
function cuts(data: Buffer, boundary: Boundary): number[] {
  const out: number[] = [];
  if (boundary === 'pickle-op') {
    for (const o of pickleOps(data)) for (let p = o.pos + 1; p < o.end && p < data.length; p++) out.push(p);
    return out;
  }
  for (let p = 1; p < data.length; p++) {
    const prev = data[p - 1]!;
    const ok =
      boundary === 'any' ||
      (boundary === 'line' && prev === 0x0a) ||
      (boundary === 'mid-line' && prev !== 0x0a && data[p] !== 0x0a) ||
      (boundary === 'mid-number' && isDigit(prev) && (isDigit(data[p]) || data[p] === 0x2e)) ||
      (boundary === 'mid-utf8' && (data[p]! & 0xc0) === 0x80);
    if (ok) out.push(p);
  }
  return out;
}

function lineStarts(data: Buffer): number[] {
  const out = [0];
  for (let p = data.indexOf(0x0a); p >= 0 && p + 1 < data.length; p = data.indexOf(0x0a, p + 1)) out.push(p + 1);
  return out;
}

function numbers(data: Buffer): [number, number][] {
  const text = data.toString('latin1');
  const out: [number, number][] = [];
  for (const m of text.matchAll(/-?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?/g)) {
    out.push([m.index, m.index + m[0].length]);
    if (out.length > 100_000) break;
  }
  return out;
}

const splice = (d: Buffer, from: number, to: number, ins: Buffer | string = Buffer.alloc(0)): Buffer =>
  Buffer.concat([d.subarray(0, from), typeof ins === 'string' ? Buffer.from(ins) : ins, d.subarray(to)]);

function lineEnds(data: Buffer, style: 'crlf' | 'cr' | 'some-crlf' | 'none'): Buffer {
  const text = data.toString('latin1').replace(/\r\n/g, '\n');
  if (style === 'crlf') return Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');
  if (style === 'cr') return Buffer.from(text.replace(/\n/g, '\r'), 'latin1');
  if (style === 'none') return Buffer.from(text.replace(/\n+$/, ''), 'latin1');
  let i = 0;
  return Buffer.from(
    text.replace(/\n/g, () => (i++ % 3 === 0 ? '\r\n' : '\n')),
    'latin1',
  );
}

function lines(data: Buffer, m: Extract<Mutation, { op: 'lines' }>): Buffer {
  const starts = lineStarts(data);
  const line = (i: number): [number, number] => [starts[i]!, starts[i + 1] ?? data.length];
  const [s, e] = line(starts.indexOf(pickFrom(starts, m.pick)!));
  if (m.how === 'delete') return splice(data, s, e);
  if (m.how === 'duplicate') return splice(data, s, s, data.subarray(s, e));
  const [s2, e2] = line(starts.indexOf(pickFrom(starts, m.other)!));
  if (s2 <= s) return data;
  return Buffer.concat([
    data.subarray(0, s),
    data.subarray(s2, e2),
    data.subarray(e, s2),
    data.subarray(s, e),
    data.subarray(e2),
  ]);
}

/** Applies one mutation; `others` are the seeds a splice takes its tail from. */
export function mutate(data: Buffer, m: Mutation, others: readonly Buffer[]): Buffer {
  const len = data.length;
  switch (m.op) {
    case 'flip':
    case 'set': {
      if (!len) return data;
      const out = Buffer.from(data);
      const p = Math.min(len - 1, at(m.at, len));
      out[p] = m.op === 'flip' ? out[p]! ^ m.mask : m.byte;
      return out;
    }
    case 'insert':
      return splice(data, at(m.at, len), at(m.at, len), TOKENS[m.token % TOKENS.length]);
    case 'insert-bytes':
      return splice(data, at(m.at, len), at(m.at, len), Buffer.from(m.bytes));
    case 'delete':
      return splice(data, at(m.at, len), Math.min(len, at(m.at, len) + m.len));
    case 'duplicate': {
      const s = at(m.at, len);
      const chunk = data.subarray(s, Math.min(len, s + m.len));
      return splice(data, at(m.to, len), at(m.to, len), chunk);
    }
    case 'truncate':
      return data.subarray(0, pickFrom(cuts(data, m.boundary), m.pick) ?? at(m.pick, len));
    case 'splice': {
      const other = others.length ? others[m.other % others.length]! : data;
      return Buffer.concat([data.subarray(0, at(m.at, len)), other.subarray(at(m.from, other.length))]);
    }
    case 'number': {
      const n = pickFrom(numbers(data), m.pick);
      return n ? splice(data, n[0], n[1], NUMBERS[m.value % NUMBERS.length]) : data;
    }
    case 'long-line': {
      const s = pickFrom(lineStarts(data), m.pick) ?? 0;
      return splice(data, s, s, `${LONG_LINES[m.fill % LONG_LINES.length]!(MiB)}\n`);
    }
    case 'line-ends':
      return lineEnds(data, m.style);
    case 'bom':
      return Buffer.concat([Buffer.from(m.utf16 ? [0xff, 0xfe] : [0xef, 0xbb, 0xbf]), data]);
    case 'lines':
      return lines(data, m);
    case 'pickle-field':
      return pickleField(data, m.pick / SCALE, m.value, m.opcode);
    case 'pickle-int':
      return pickleInt(data, m.pick / SCALE, m.value, m.fixFrame);
    case 'pickle-widen':
      return pickleWiden(data, m.pick / SCALE, m.value, m.fixFrame);
    case 'pickle-nest':
      return pickleNest(data, m.pick / SCALE, m.depth, m.how);
    case 'json-value':
      return jsonValue(data, m.pick / SCALE, m.value);
  }
}

const frac = fc.integer({ min: 0, max: SCALE });
const small = fc.integer({ min: 1, max: 64 });

const generic: fc.Arbitrary<Mutation>[] = [
  fc.record({ op: fc.constant('flip' as const), at: frac, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('set' as const), at: frac, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: frac, token: fc.nat(TOKENS.length - 1) }),
  fc.record({
    op: fc.constant('insert-bytes' as const),
    at: frac,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: frac, len: small }),
  fc.record({ op: fc.constant('duplicate' as const), at: frac, len: fc.integer({ min: 1, max: 512 }), to: frac }),
  fc.record({ op: fc.constant('splice' as const), other: fc.nat(1000), at: frac, from: frac }),
];
const truncations = (boundaries: readonly Boundary[]): fc.Arbitrary<Mutation> =>
  fc.record({ op: fc.constant('truncate' as const), boundary: fc.constantFrom(...boundaries), pick: frac });

const text: fc.Arbitrary<Mutation>[] = [
  fc.record({ op: fc.constant('number' as const), pick: frac, value: fc.nat(NUMBERS.length - 1) }),
  fc.record({ op: fc.constant('long-line' as const), pick: frac, fill: fc.nat(LONG_LINES.length - 1) }),
  fc.record({ op: fc.constant('line-ends' as const), style: fc.constantFrom('crlf', 'cr', 'some-crlf', 'none') }),
  fc.record({ op: fc.constant('bom' as const), utf16: fc.boolean() }),
  fc.record({
    op: fc.constant('lines' as const),
    how: fc.constantFrom('delete', 'duplicate', 'swap'),
    pick: frac,
    other: frac,
  }),
];

const pickle: fc.Arbitrary<Mutation>[] = [
  fc.record({ op: fc.constant('pickle-field' as const), pick: frac, value: fc.nat(16) }),
  fc.record({ op: fc.constant('pickle-int' as const), pick: frac, value: fc.nat(16), fixFrame: fc.boolean() }),
  fc.record({ op: fc.constant('pickle-widen' as const), pick: frac, value: fc.nat(16), fixFrame: fc.boolean() }),
  fc.record({
    op: fc.constant('pickle-nest' as const),
    pick: frac,
    depth: fc.constantFrom(1000, 100_000, (1 << 20) + 1),
    how: fc.constantFrom('mark', 'list', 'nested'),
  }),
];

const json: fc.Arbitrary<Mutation>[] = [
  fc.record({ op: fc.constant('json-value' as const), pick: frac, value: fc.nat(64) }),
];

/** The mutations that apply to a kind of file; truncations at every boundary that kind has. */
export function mutationArb(kind: FileKind): fc.Arbitrary<Mutation> {
  const boundaries: Boundary[] =
    kind === 'pickle' ? ['any', 'pickle-op'] : ['any', 'line', 'mid-line', 'mid-number', 'mid-utf8'];
  const own = kind === 'pickle' ? pickle : kind === 'json' ? [...json, ...text] : text;
  return fc.oneof(
    ...generic.map((arbitrary) => ({ arbitrary, weight: 2 })),
    { arbitrary: truncations(boundaries), weight: 6 },
    ...own.map((arbitrary) => ({ arbitrary, weight: 3 })),
  );
}

/** Mutations of gzip's own bytes: its member cut, flipped, followed by garbage or a second member. */
export function gzipArb(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { arbitrary: truncations(['any']), weight: 4 },
    ...generic.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
}
