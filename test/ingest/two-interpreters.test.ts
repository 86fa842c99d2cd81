// A leaking program's captures under CPython 3.11 and one of its run under 3.12 in one folder
// (fixtures/leaks/make_two_interpreters.py): two interpreters' captures, whose tracebacks name
// lib/python3.11/ and lib/python3.12/. Judged as one series, the 3.12 capture's smaller strings cut the
// last step's growth, the leak's confidence fell under the gate's, and the gate passed (h274).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/leaks/two_interpreters';

describe('captures of two interpreters in one folder', () => {
  it.each(['leaks', 'gate', 'report', 'replay'])('%s refuses them, naming both libraries', async (cmd) => {
    const r = await cli(cmd, DIR, ...(cmd === 'report' ? ['-o', '-'] : []));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /snap-4\.pickle names the library of python3\.11 and .*snap-5\.pickle that of python3\.12 .*captures of two interpreters/,
    );
  });

  it("judges one interpreter's captures, and takes them all as one series with --order given", async () => {
    const first = readdirSync(DIR)
      .filter((f) => /^snap-[1-4]\.pickle$/.test(f))
      .map((f) => `${DIR}/${f}`);
    const one = await cli('leaks', ...first, '--json');
    expect(one.code).toBe(0);
    type Leaks = { sites: { lineno: number; verdict: string }[] };
    expect((JSON.parse(one.out) as Leaks).sites.filter((s) => s.verdict === 'leak').map((s) => s.lineno)).toEqual([7]);
    expect((await cli('leaks', DIR, '--order', 'given')).code).toBe(0);
  });

  it('leaves captures alike when none names a library of its own (one interpreter)', async () => {
    expect((await cli('leaks', 'fixtures/leaks/memo_leak')).code).toBe(0);
  });
});
