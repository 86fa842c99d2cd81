// Fragmentation by frees of blocks made before tracing began (fixtures/pymalloc/pretraced-thinned,
// CPython 3.13): 150,000 dicts made untraced, thinned to 1 in 30 while traced. CPython's report at the
// last checkpoint holds 36 arenas, its blocks in use under 4 MiB; the model, which never sees those
// frees, keeps them all. Its next step said the spare room was spread thin and that the largest sites
// of the last capture held it: no traced line made those dicts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const dir = 'fixtures/pymalloc/pretraced-thinned';
const stat = (name: string): number =>
  Number(
    new RegExp(`^# ${name} += +([\\d,]+)$`, 'm')
      .exec(readFileSync(`${dir}/stats-2.txt`, 'utf8'))![1]!
      .replace(/,/g, ''),
  );

interface Replay {
  fragmented: { verdict: string; next: string };
  captures: {
    compact: { arenas: number; bytesInAllocatedBlocks: number };
    scattered: { arenas: number };
    real: { arenas: number; bytesInAllocatedBlocks: number };
  }[];
}

describe('a heap made before tracing, thinned while traced', () => {
  it('is fragmented by CPython’s report, and the next step says no traced line made what pins it', async () => {
    const r = JSON.parse((await cli('replay', dir, '--json')).out) as Replay;
    const last = r.captures.at(-1)!;
    expect([last.real.arenas, last.real.bytesInAllocatedBlocks]).toEqual([
      stat('arenas allocated current'),
      stat('bytes in allocated blocks'),
    ]);
    // The model holds what CPython's first report held beyond the first snapshot, never freed.
    expect(last.compact.bytesInAllocatedBlocks).toBeGreaterThan(2 * last.real.bytesInAllocatedBlocks);
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.fragmented.next).toContain('blocks allocated before tracing started were freed');
    expect(r.fragmented.next).toContain('-X tracemalloc');
    expect(r.fragmented.next).not.toMatch(/spread thin|look at/);
    const report = (await cli('report', dir, '--format', 'text')).out;
    expect(report).toContain('blocks allocated before tracing started were freed');
    expect((await cli('gate', dir, '--max-fragmentation', '0.5')).code).toBe(1);
  });
});

// Objects made while tracing was stopped, thinned once it traced again (fixtures/pymalloc/stopped,
// `arenascope run --allocator`, CPython 3.13): no snapshot holds them and the first report was taken
// before they were made. CPython's last report holds over 5 times the arenas of either order; the model
// pins none, and the next step said the largest sites of the last capture held the spare room.
describe('a heap made while tracing was stopped, thinned while traced', () => {
  const run = 'fixtures/pymalloc/stopped';
  const arenas = (k: number): number =>
    Number(/^# arenas allocated current += +(\d+)$/m.exec(readFileSync(`${run}/allocator/000${k}.txt`, 'utf8'))![1]);

  it('says the snapshots do not hold what spread the heap, naming no site', async () => {
    const r = JSON.parse((await cli('replay', run, '--json')).out) as Replay;
    const last = r.captures.at(-1)!;
    expect(last.real.arenas).toBe(arenas(4));
    expect(last.real.arenas).toBeGreaterThan(2 * Math.max(last.compact.arenas, last.scattered.arenas));
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.fragmented.next).toContain('made while tracing was stopped');
    expect(r.fragmented.next).not.toMatch(/largest sites|look at/);
    expect((await cli('gate', run, '--max-fragmentation', '0.5')).code).toBe(1);
  });
});
