// A log of listings cut inside its last one (a log still being written), read with --allow-partial: the
// listings before the cut are whole. Every listing of the log was left out of a series as cut short, and
// leaks and gate said the inputs held no snapshots (h280). fixtures/text/appended/lineno.log: 7 listings
// of one real run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-listings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a log of listings cut inside its last one', () => {
  const text = readFileSync('fixtures/text/appended/lineno.log', 'utf8');
  const path = join(dir, 'cut.log');
  // Halfway through the last statistic line.
  const lastLine = text.trimEnd().lastIndexOf('\n') + 1;
  writeFileSync(path, text.slice(0, lastLine + 40));

  it('leaks --allow-partial judges the whole listings, the cut one left out with a warning', async () => {
    const whole = JSON.parse((await cli('leaks', 'fixtures/text/appended/lineno.log', '--json')).out) as {
      captures: number;
    };
    const r = await cli('leaks', path, '--allow-partial', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { captures: number }).captures).toBe(whole.captures - 1);
    expect(r.err).toMatch(/leaving out \S+cut\.log:\d+: it was read cut short/);
  });

  it('gate --allow-partial leaves the cut log out whole, and says why none is left', async () => {
    const r = await cli('gate', path, '--allow-partial', '--max-leaks', '0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('(those read cut short are left out, as the warnings above say)');
  });
});
