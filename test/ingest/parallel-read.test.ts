import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { DumpReader } from '../../src/ingest/parallel-read.js';
import { FrameTable } from '../../src/model/frames.js';
import { type CliResult, cli } from '../helpers.js';

// Reading a set's dumps in worker threads gives the very output of reading them on one thread:
// stdout, stderr (warnings, errors naming file and byte) and exit code, byte for byte.

const LEAKS = 'fixtures/leaks';
const WORKLOADS = readdirSync(LEAKS, { withFileTypes: true })
  // two_processes, two_interpreters: two runs in one folder, refused (numbered-runs.test.ts,
  // two-interpreters.test.ts).
  .filter((d) => d.isDirectory() && d.name !== 'two_processes' && d.name !== 'two_interpreters')
  .filter((d) => readdirSync(join(LEAKS, d.name)).some((f) => f.endsWith('.pickle')))
  .map((d) => d.name);
const VERSIONS = ['py37', 'py38', 'py311', 'py313'];
const dump = (v: string, name: string): string => `fixtures/dumps/${v}-${name}.pickle`;

const saved = process.env.ARENASCOPE_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.ARENASCOPE_THREADS;
  else process.env.ARENASCOPE_THREADS = saved;
});

// One thread, then three (two workers beside this one, on any machine, whatever the sizes).
async function bothWays(...args: string[]): Promise<{ one: CliResult; three: CliResult }> {
  process.env.ARENASCOPE_THREADS = '1';
  const one = await cli(...args);
  process.env.ARENASCOPE_THREADS = '3';
  const three = await cli(...args);
  return { one, three };
}

async function expectSame(...args: string[]): Promise<CliResult> {
  const { one, three } = await bothWays(...args);
  expect(three).toEqual(one);
  return one;
}

const tmp = mkdtempSync(join(tmpdir(), 'arenascope-parallel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A series of real dumps with one of them damaged: cut at `cut` bytes, or with a byte replaced.
function damagedSeries(name: string, damage: (b: Buffer) => Buffer): string[] {
  const files = readdirSync(join(LEAKS, 'memo_leak')).filter((f) => f.endsWith('.pickle'));
  return files.map((f, i) => {
    const to = join(tmp, `${name}-${f}`);
    if (i === 2) writeFileSync(to, damage(readFileSync(join(LEAKS, 'memo_leak', f))));
    else copyFileSync(join(LEAKS, 'memo_leak', f), to);
    return to;
  });
}

describe('parallel read of a set of dumps', () => {
  it('uses the workers when told to (what the comparisons below rely on)', async () => {
    process.env.ARENASCOPE_THREADS = '2';
    const inputs = readdirSync(join(LEAKS, 'memo_leak'))
      .filter((f) => f.endsWith('.pickle'))
      .map((f) => join(LEAKS, 'memo_leak', f));
    const reader = DumpReader.plan(inputs, { warn: () => undefined })!;
    const frames = new FrameTable();
    const read = (p: string, t: FrameTable) => loadCapture(p, { frames: t });
    try {
      for (let i = 0; i < inputs.length; i++) await reader.read(i, frames, read);
    } finally {
      reader.close();
    }
    expect(reader.workerReads).toBeGreaterThan(0);
  });

  it.each(WORKLOADS)('leaks --json of %s', async (w) => {
    const r = await expectSame('leaks', '--json', join(LEAKS, w));
    expect(r.code).toBe(0);
  });

  it.each(WORKLOADS)('replay --json of %s', async (w) => {
    const r = await expectSame('replay', '--json', join(LEAKS, w));
    expect(r.code).toBe(0);
  });

  it.each(VERSIONS)('replay --json, report and diff --json of the %s inventory pair', async (v) => {
    const pair = [dump(v, 'inventory-a'), dump(v, 'inventory-b')];
    expect((await expectSame('replay', '--json', ...pair)).code).toBe(0);
    expect((await expectSame('report', '--format', 'text', ...pair)).code).toBe(0);
    expect((await expectSame('diff', '--json', ...pair)).code).toBe(0);
  });

  it('a mix of dumps of several Pythons, a gzip dump and a statistics-free dump', async () => {
    const mix = [
      dump('py38', 'tree'),
      `${dump('py311', 'inventory-b')}.gz`,
      dump('py313', 'tree'),
      dump('py37', 'empty'),
    ];
    // (--order given: captures of several interpreters are no series otherwise.)
    expect((await expectSame('leaks', '--json', '--order', 'given', ...mix)).code).toBe(0);
  });

  it('a truncated dump among the inputs: the same error, and with --allow-partial the same output', async () => {
    const files = damagedSeries('cut', (b) => b.subarray(0, Math.floor(b.length / 2)));
    const failed = await expectSame('leaks', '--json', ...files);
    expect(failed.code).toBe(2);
    expect(failed.err).toMatch(/-snap-3\.pickle: byte \d+: truncated tracemalloc dump/);
    const partial = await expectSame('leaks', '--json', '--allow-partial', ...files);
    expect(partial.code).toBe(0);
    expect(partial.err).toMatch(/-snap-3\.pickle: truncated tracemalloc dump.*--allow-partial/);
    expect((await expectSame('replay', '--json', '--allow-partial', ...files)).code).toBe(0);
  });

  it('a mutated dump among the inputs: the same error naming the file and byte', async () => {
    // 64 bytes in the middle of the trace list become REDUCE, which no dump holds.
    const files = damagedSeries('mutated', (b) => {
      const c = Buffer.from(b);
      c.fill(0x52, Math.floor(c.length / 2), Math.floor(c.length / 2) + 64);
      return c;
    });
    const r = await expectSame('leaks', '--json', ...files);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/-snap-3\.pickle: byte \d+: /);
    expect(r.err).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('two bad dumps: the first in input order is the one reported', async () => {
    const files = damagedSeries('two', (b) => b.subarray(0, 100));
    writeFileSync(files[4]!, 'not a dump at all');
    const r = await expectSame('leaks', '--json', ...files);
    expect(r.code).toBe(2);
    expect(r.err).toContain('-snap-3.pickle');
    expect(r.err).not.toContain('-snap-5.pickle');
  });

  it('ARENASCOPE_THREADS must be a whole number', async () => {
    process.env.ARENASCOPE_THREADS = 'many';
    const r = await cli('leaks', join(LEAKS, 'memo_leak'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('ARENASCOPE_THREADS=many');
  });
});
