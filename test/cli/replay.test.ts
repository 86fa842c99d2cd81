// The replay command as a user runs it: the documented JSON, one capture, bad matching.
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const series = [
  'fixtures/leaks/lru_plateau/snap-1.pickle',
  'fixtures/leaks/lru_plateau/snap-5.pickle',
  'fixtures/leaks/lru_plateau/snap-9.pickle',
];

describe('replay', () => {
  it('--json: the documented figures for each order and capture', async () => {
    const r = await cli('replay', ...series, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      python: string;
      arenaSize: number;
      poolSize: number;
      captures: Record<string, Record<string, unknown> | null>[];
    };
    expect([j.python, j.arenaSize, j.poolSize]).toEqual(['3.11', 1 << 20, 16 << 10]);
    expect(j.captures).toHaveLength(3);
    for (const c of j.captures) {
      expect(c.real).toBeNull();
      for (const order of ['compact', 'scattered']) {
        for (const k of [
          'arenas',
          'arenasHighwater',
          'poolsUsed',
          'poolsFull',
          'poolsEmpty',
          'bytesInAllocatedBlocks',
          'utilization',
          'pinnedArenas',
          'pinningSites',
        ]) {
          expect(c[order]).toHaveProperty(k);
        }
      }
    }
  });

  it('one capture: fragmentation cannot be seen from it, and says so', async () => {
    const r = await cli('replay', series[0]!);
    expect(r.out).toContain('Fragmented: unknown (fragmentation cannot be seen from one capture');
  });

  it('--mallocstats prints the model in the layout of sys._debugmallocstats()', async () => {
    const r = await cli('replay', ...series, '--mallocstats', '--python', '3.8');
    expect(r.out).toContain('Small block threshold = 512, in 32 size classes.');
    expect(r.out).toMatch(/\d+ arenas \* 262144 bytes\/arena {2,}=/);
  });

  it('allocator stats that do not match the captures: a clear error', async () => {
    const r = await cli('replay', ...series, '--allocator-stats', 'fixtures/mallocstats/py311-debugmallocstats.txt');
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'no allocator report paired with the 3 captures: 1 allocator-stats file holding 1 report ' +
        '(fixtures/mallocstats/py311-debugmallocstats.txt)',
    );
  });
});
