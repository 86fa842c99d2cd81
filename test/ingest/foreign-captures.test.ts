// A dump of another program in a series (dropped into the folder, or listed with the others) was read
// as one more capture of this one, unsaid: the series' sites fell to nothing at it and came back, a
// leak read as transient and the gate passed (h252). Real dumps: fixtures/gate/leaky (5 captures of a
// leak) and fixtures/leaks/memo_leak (another program).
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'arenascope-foreign-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a capture of another program in a series', () => {
  it('is said, by name, in every command that reads the series', async () => {
    const dir = join(scratch, 'mixed');
    cpSync('fixtures/gate/leaky', dir, { recursive: true });
    copyFileSync('fixtures/leaks/memo_leak/snap-1.pickle', join(dir, 'snap-3.pickle'));
    for (const command of ['leaks', 'gate', 'report']) {
      const args = command === 'report' ? [dir, '--format', 'text'] : [dir];
      const r = await cli(command, ...args);
      expect(r.err, command).toMatch(/snap-3\.pickle holds none of the files of the captures beside it/);
    }
  });

  // fixtures/leaks/job_phases: one worker's dumps after each job (helper h255's run of worker.py), the
  // 4th job's result held in another module: by bytes, it was another program's.
  it("not of one program's series, a job's result held in another of its modules included", async () => {
    // fixtures/leaks/python_c: a `python -c` program's, its first capture holding '<string>' alone (h299).
    for (const dir of [
      'fixtures/gate/leaky',
      'fixtures/leaks/memo_leak',
      'fixtures/leaks/job_phases',
      'fixtures/leaks/python_c',
    ]) {
      const r = await cli('leaks', dir);
      expect(r.err, dir).not.toContain('holds none of the files');
    }
  });
});
