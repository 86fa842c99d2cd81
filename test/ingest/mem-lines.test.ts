// The mprof reader's MEM lines run as WebAssembly (mem-lines.ts, from assembly/mem-lines.ts);
// MemLinesReference, the same loop in TypeScript, is its reference. On real .dat files and on
// mutations of them (digits, points, signs, carriage returns, long numbers, bounds), read from every
// kind of start and cut at any byte, both take the same lines and give the same numbers, bit for bit.
// (mprof-sample-lines.test.ts checks that the importer's byte path reads what its string path reads.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MemLineReader, MemLines, MemLinesReference, type MemRun } from '../../src/ingest/mem-lines.js';

function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return Math.floor((x / 2 ** 32) * n);
  };
}

const bits = (a: Float64Array, n: number) => [...new BigUint64Array(a.slice(0, n).buffer)];

function read(r: MemLineReader, buf: Uint8Array, start: number, end: number, lastT: number) {
  r.chunk(buf);
  const x: MemRun = r.scan(start, end, lastT);
  return { stop: x.stop, n: x.n, back: x.back, repeats: x.repeats, t: bits(x.t, x.n), mib: bits(x.mib, x.n) };
}

function expectSame(buf: Uint8Array, start: number, end: number, lastT: number, wasm: MemLines): number {
  const want = read(new MemLinesReference(), buf, start, end, lastT);
  expect(read(wasm, buf, start, end, lastT)).toEqual(want);
  return want.n;
}

const REAL = ['fixtures/mprof/plain.dat', 'fixtures/mprof/multi.dat', 'fixtures/mprof/funcs.dat'];

// Replacements a mutation makes at a random byte: each is a way a MEM line can be odd.
const EDITS = [
  '-',
  '.',
  '..',
  ' ',
  '  ',
  '\r',
  '\n',
  'e5',
  'E-3',
  '+',
  '0',
  '9',
  '1234567890123456',
  '0.0000000000000001',
  '99999999999',
  '8640000000001',
  '-8640000000000',
  'MEM ',
  'MEM -1 ',
  'CHLD 1 2 3\n',
  '\t',
  'x',
];

describe('the WebAssembly MEM line reader takes what its TypeScript reference takes', () => {
  it.each(REAL)('real mprof output, from every line start (%s)', (path) => {
    const buf = readFileSync(path);
    const wasm = new MemLines();
    let taken = 0;
    for (let i = 0; i < buf.length; i = buf.indexOf(0x0a, i) + 1 || buf.length) {
      taken += expectSame(buf, i, buf.length, Number.NEGATIVE_INFINITY, wasm);
    }
    expect(taken).toBeGreaterThan(20);
  });

  it('mutated files, cut anywhere, after a time before, equal or after theirs', () => {
    const rand = lcg(20261202);
    const wasm = new MemLines();
    const base = readFileSync('fixtures/mprof/plain.dat', 'latin1');
    let taken = 0;
    for (let k = 0; k < 400; k++) {
      let text = base;
      for (let e = 0, edits = 1 + rand(4); e < edits; e++) {
        const at = rand(text.length);
        text = text.slice(0, at) + EDITS[rand(EDITS.length)]! + text.slice(at + rand(3));
      }
      const buf = Buffer.from(text, 'latin1');
      const start = rand(3) === 0 ? rand(buf.length) : buf.indexOf(0x0a) + 1;
      const end = rand(2) === 0 ? buf.length : start + rand(buf.length - start + 1);
      const lastT = [Number.NEGATIVE_INFINITY, 0, 1795308421.941, 1795308421.9413, 2e9][rand(5)]!;
      taken += expectSame(buf, start, end, lastT, wasm);
    }
    expect(taken).toBeGreaterThan(1000);
  });

  it('a chunk larger than any before grows the memory; a smaller one after reuses it', () => {
    const wasm = new MemLines();
    const line = (i: number) => `MEM ${(i % 977) / 8} ${1795300000 + i / 10}\n`;
    for (const lines of [10, 100_000, 50]) {
      const buf = Buffer.from(Array.from({ length: lines }, (_, i) => line(i)).join(''));
      expect(expectSame(buf, 0, buf.length, Number.NEGATIVE_INFINITY, wasm)).toBe(lines);
    }
  });
});
