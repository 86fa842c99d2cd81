// SampleBuilder grows its blocks from 16 samples (a child process of a few samples no longer takes
// 1 MiB: 15,000 short-lived children took 4 GB to report): every count across the growth keeps
// every sample, in order.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CHILD_LINES } from '../../src/analysis/report-sections.js';
import { SampleBuilder } from '../../src/model/memory-series.js';
import { cli } from '../helpers.js';

describe('SampleBuilder', () => {
  it.each([0, 1, 15, 16, 17, 48, 49, 65_535, 65_536 + 16, 200_001])('keeps %i samples in order', (n) => {
    const b = new SampleBuilder();
    for (let i = 0; i < n; i++) b.push(i * 0.5, i % 977);
    const s = b.finish();
    expect(s.t.length).toBe(n);
    expect(s.mib.length).toBe(n);
    for (let i = 0; i < n; i++) {
      if (s.t[i] !== i * 0.5 || s.mib[i] !== i % 977) throw new Error(`sample ${i}: ${s.t[i]} ${s.mib[i]}`);
    }
  });

  // The mprof reader's hint from the file's size (about as many samples as the file has lines): a
  // series that fits is its first block; one that does not goes on in blocks, as without a hint.
  it.each([
    [0, 100],
    [1, 100],
    [100, 100],
    [101, 100],
    [70_000, 100],
    [5_000, 4_096],
  ])('keeps %i samples in order with room expected for %i, pushed one by one and in runs', (n, expected) => {
    const one = new SampleBuilder(expected);
    const runs = new SampleBuilder(expected);
    const t = Float64Array.from({ length: n }, (_, i) => i * 0.5);
    const v = Float64Array.from({ length: n }, (_, i) => i % 977);
    for (let i = 0; i < n; i++) one.push(t[i]!, v[i]!);
    for (let k = 0; k < n; k += 333) runs.pushRun(t.subarray(k), v.subarray(k), Math.min(333, n - k), k + 1, -1, 0);
    for (const s of [one.finish(), runs.finish()]) {
      expect(Array.from(s.t)).toEqual(Array.from(t));
      expect(Array.from(s.mib)).toEqual(Array.from(v));
    }
  });
});

describe('an mprof -M run of thousands of short-lived children', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-children-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the report draws the main process and the children with the highest peaks, and says how many are not drawn', async () => {
    const lines = ['CMDLINE python3 pool.py'];
    for (let k = 0; k < 20; k++) lines.push(`MEM ${(10 + k).toFixed(6)} ${(1700000000 + k).toFixed(4)}`);
    for (let c = 0; c < 3000; c++)
      lines.push(`CHLD ${1000 + c} ${(5 + (c % 101)).toFixed(6)} ${(1700000000 + (c % 20)).toFixed(4)}`);
    const dat = join(dir, 'pool.dat');
    writeFileSync(dat, `${lines.join('\n')}\n`);
    const json = join(dir, 'r.json');
    const r = await cli('report', dat, '-o', join(dir, 'r.html'), '--json-out', json);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(json, 'utf8')).memory[0];
    expect(m.lines).toHaveLength(1 + MAX_CHILD_LINES);
    expect(m.childrenNotDrawn).toBe(3000 - MAX_CHILD_LINES);
    // The highest peaks: 105 MiB, held by the children whose number is 100 more than a multiple of 101.
    expect(m.lines.slice(1).every((l: { mib: number[] }) => Math.max(...l.mib) === 105)).toBe(true);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain(`${3000 - MAX_CHILD_LINES} others are not`);
  });
});
