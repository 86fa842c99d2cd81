// The failures fuzzing found that are not fixed yet (known.ts), each shown by a small input in a test
// that is expected to fail: when its bug is fixed the test "unexpectedly passes", and its entry goes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { KNOWN, type KnownBug } from './known.js';
import { judge, openFds, PASSING } from './oracle.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-known-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verdictOf(k: KnownBug) {
  const path = join(dir, `input.${k.ext}`);
  const input = k.input();
  writeFileSync(path, input);
  const fds = openFds();
  const r = await cli(...k.args.map((a) => (a === '@input@' ? path : a)));
  await new Promise((done) => setImmediate(done));
  const leakedFds = fds === null ? 0 : Math.max(0, openFds()! - fds);
  return judge({ ...r, leakedFds }, { input, names: [path], cutMustShow: !!k.cutMustShow, hostile: false });
}

if (KNOWN.length) {
  it.fails.each(KNOWN)('$bug', async (k) => {
    const v = await verdictOf(k);
    expect(PASSING.has(v.outcome), `${v.outcome}: ${v.detail}`).toBe(true);
  });
} else {
  it('no failure found by fuzzing is left unfixed', () => {
    expect(KNOWN).toEqual([]);
  });
}
