// Source lines are looked up by a frame's file name, which a dump may set to any path: a device or a
// FIFO was read whole, for ever, and /proc/self/environ printed the environment's secrets
// (fixtures/bad/source-devices/make.py).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-devices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('frames whose files are devices or FIFOs', () => {
  it('get no source line, at once (stats by traceback read /dev/urandom until killed)', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.py')]);
    const r = await cli('stats', 'fixtures/bad/source-devices/devices.pickle', '-g', 'traceback', '--source-path', dir);
    // The environment this process started with (/proc/self/environ holds it: PATH at least).
    expect(r.out).not.toMatch(/PATH=/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('File "/dev/urandom", line 1');
    // Each frame line is followed by the next statistic or the total: no source line under it.
    const lines = r.out.split('\n');
    for (const name of ['/dev/urandom', '/dev/zero', 'pipe.py', '/proc/self/environ']) {
      const at = lines.findIndex((l) => l.includes(`File "${name}"`));
      expect(lines[at + 1]).not.toMatch(/^ {4}\S/);
    }
  }, 60_000);
});
