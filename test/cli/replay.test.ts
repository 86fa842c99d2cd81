// The replay command as a user runs it: the documented JSON, one capture, bad matching.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('replay bounds what an input can make it do (fuzz findings)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-replay-bounds-'));

  it('an allocator report whose table claims billions of blocks is not started from: a warning, exit 0', async () => {
    // CPython's own report, with one size class's blocks in use set beyond what its totals allow.
    const text = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8').replace(
      /^( +9 +\d+ +\d+ +)\d+/m,
      (_m, head: string) => `${head}4294967296`,
    );
    const stats = join(dir, 'stats.txt');
    writeFileSync(stats, text);
    const r = await cli('replay', 'fixtures/parity/shared/py311-a.pickle', '--allocator-stats', stats, '--lenient');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('more than its own totals allow: the model starts empty');
  });

  it('a capture of more blocks than the model holds is an input error naming it', async () => {
    const json = join(dir, 'a.json');
    await cli('convert', 'fixtures/dumps/py311-inventory-a.pickle', '--to', 'json', '-o', json);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { traces: number[][] };
    doc.traces[0]![3] = 1e15;
    writeFileSync(json, JSON.stringify(doc));
    const r = await cli('replay', json);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^arenascope: ${json}: 1\\d{15} blocks: more than the pymalloc model replays`));
  });
});
