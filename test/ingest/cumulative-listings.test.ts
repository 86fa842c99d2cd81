// Listings of statistics(key, cumulative=True) printed by CPython 3.12 (fixtures/text/cumulative): they
// print as any other, and their sizes add up to more than the memory traced (a block counts at every
// frame). No pattern in the figures tells them apart (equal sites and sums come as often in listings
// that are not cumulative), so no total is printed from a listing without saying so.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/cumulative';

describe.each(['lineno', 'filename'])("statistics('%s', cumulative=True) printed", (key) => {
  const traced = JSON.parse(readFileSync(`${DIR}/cumulative_${key}.traced.json`, 'utf8')) as { size: number };

  it('stats totals the listed sizes (more than the memory traced) and warns that a cumulative one counts a block again', async () => {
    const r = await cli('stats', `${DIR}/${key}.log`, '--json');
    expect(r.code).toBe(0);
    const total = (JSON.parse(r.out) as { total: { size: number } }).total.size;
    expect(total).toBeGreaterThan(2 * traced.size);
    expect(r.err).toContain('totals cover the listed ones (a block at each of its frames if cumulative=True)');
  });

  it('converted to JSON, says so still', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-cumulative-'));
    try {
      const json = join(dir, `${key}.json`);
      expect((await cli('convert', `${DIR}/${key}.log`, '--to', 'json', '-o', json)).code).toBe(0);
      const r = await cli('leaks', json);
      expect(r.err).toContain('totals cover the listed ones (a block at each of its frames if cumulative=True)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
