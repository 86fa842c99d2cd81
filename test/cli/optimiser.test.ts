// When a command turns V8's optimising compiler off and on again (dumpsFirst and paceWatch in
// cli/command.ts; issue 14), and when it lets the young generation grow (growYoungGeneration): the
// calls each command line makes on the binary's hooks, run in-process. Whether that pays is measured
// by bench/targets.mjs, never here.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { worthOptimising } from '../../src/analysis/pymalloc/replay.js';
import { paceWatch } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const DUMP = join(FIXTURES, 'dumps', 'py311-inventory-a.pickle');
const OTHER_DUMP = join(FIXTURES, 'dumps', 'py311-inventory-b.pickle');
const DAT = join(FIXTURES, 'mprof', 'plain.dat');
const MEMRAY = join(FIXTURES, 'memray', 'memray-app.csv');

/** The calls a command line makes on `optimise`, in order. */
async function optimiseCalls(...args: string[]): Promise<boolean[]> {
  const calls: boolean[] = [];
  const code = await runCli(args, { out() {}, err() {}, optimise: (on) => calls.push(on) });
  expect(code).toBe(0);
  return calls;
}

describe('the optimiser while captures are read', () => {
  it('is off for stats, diff and info of tracemalloc dumps', async () => {
    expect(await optimiseCalls('stats', DUMP)).toEqual([false]);
    expect(await optimiseCalls('diff', DUMP, OTHER_DUMP)).toEqual([false]);
    expect(await optimiseCalls('info', DUMP, OTHER_DUMP)).toEqual([false]);
  });

  it('comes back on for any other format, before it is read', async () => {
    expect(await optimiseCalls('stats', MEMRAY)).toEqual([false, true]);
    expect(await optimiseCalls('info', DUMP, DAT)).toEqual([false, true]);
  });

  it('is off while replay reads its dumps, and for its model of a few groups (its per-block work is WebAssembly)', async () => {
    // Off to read, on once the set is read (loadSet), off again for the model of these few groups.
    expect(await optimiseCalls('replay', DUMP, OTHER_DUMP)).toEqual([false, true, false]);
    // From 50k groups over the captures, the model's JavaScript is worth compiling.
    const groups = (n: number) => ({ groups: { length: n } }) as unknown as Snapshot;
    expect([
      worthOptimising([groups(30_000), groups(19_999)]),
      worthOptimising([groups(30_000), groups(20_000)]),
    ]).toEqual([false, true]);
  });

  it('is off while the dumps of a set are read, and on for the analyses but a replay of few groups', async () => {
    // An mprof run turns it on before it is read; the leak analysis runs with it.
    expect(await optimiseCalls('leaks', DAT)).toEqual([false, true, true]);
    expect(await optimiseCalls('leaks', join(FIXTURES, 'leaks', 'memo_leak'))).toEqual([false, true]);
    // report: read (off), analyses (on), the replay of few groups (off), the rest of the report (on).
    expect(await optimiseCalls('report', DUMP, OTHER_DUMP, '-o', '-')).toEqual([false, true, false, true]);
    expect(await optimiseCalls('report', DAT, '-o', '-')).toEqual([false, true, true]);
  });
});

describe('the young generation while captures are read', () => {
  /** How many times a command line lets the young generation grow. */
  async function growCalls(...args: string[]): Promise<number> {
    let calls = 0;
    const code = await runCli(args, { out() {}, err() {}, growYoungGeneration: () => calls++ });
    expect(code).toBe(0);
    return calls;
  }

  it('stays small for dumps, mprof files and their replay', async () => {
    expect(await growCalls('stats', DUMP)).toBe(0);
    expect(await growCalls('info', DUMP, DAT)).toBe(0);
    expect(await growCalls('replay', DUMP, OTHER_DUMP)).toBe(0);
  });

  it('may grow for the readers that make an object per value: memray CSV and arenascope JSON', async () => {
    expect(await growCalls('stats', MEMRAY)).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-young-'));
    try {
      const json = join(dir, 'a.json');
      expect(await runCli(['convert', DUMP, '--to', 'json', '-o', json], { out() {}, err() {} })).toBe(0);
      expect(await growCalls('stats', json)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('paceWatch', () => {
  afterEach(() => vi.restoreAllMocks());
  const KiB = 1024;

  /** Feeds 256 KiB chunks, `ms` milliseconds each; gives the chunk (1 on) after which slow() came. */
  function slowAfter(ms: number, chunks: number): number | null {
    let now = 0;
    // The watch reads the process's clock in nanoseconds (performance would load perf_hooks).
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(Math.round(now * 1e6)));
    let at: number | null = null;
    let chunk = 0;
    const pace = paceWatch(() => {
      expect(at).toBeNull(); // once
      at = chunk;
    });
    for (chunk = 1; chunk <= chunks; chunk++) {
      now += ms;
      pace(chunk * 256 * KiB);
    }
    return at;
  }

  it('leaves a dump the scanner reads alone (500-650 KB a millisecond)', () => {
    expect(slowAfter(0.45, 50)).toBeNull();
  });

  it('says so once a dump reads slower than 150 KB a millisecond over 1 MiB, after the first two chunks', () => {
    // 256 KiB in 7.5 ms is 35 KB/ms, the pace of a dump of distinct tracebacks read unoptimised.
    expect(slowAfter(7.5, 50)).toBe(6);
    // Just under and just over the line: 262,144 B in 1.74 ms is 150.7 KB/ms, in 1.76 ms 148.9.
    expect(slowAfter(1.74, 50)).toBeNull();
    expect(slowAfter(1.76, 50)).toBe(6);
  });

  it('leaves out the first two chunks, where the scanner is compiled', () => {
    let now = 0;
    // The watch reads the process's clock in nanoseconds (performance would load perf_hooks).
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(Math.round(now * 1e6)));
    let told = false;
    const pace = paceWatch(() => {
      told = true;
    });
    for (const [ms, read] of [
      [40, 256],
      [40, 512],
      [0.4, 768],
      [0.4, 1024],
      [0.4, 1280],
      [0.4, 1536],
    ] as const) {
      now += ms;
      pace(read * KiB);
    }
    expect(told).toBe(false);
  });
});
