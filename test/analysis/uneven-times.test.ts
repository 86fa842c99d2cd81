// A request loop's dumps with .time sidecars, 50 ms apart but 1 s before the last (helper h390's
// program, fixtures/leaks/uneven-times/service.py, CPython 3.12): growth by the request, not by the
// clock. Judged by the clock, a leak from the middle on and buffers extended at every request read
// "grew, then stopped" and the gate passed them; the same dumps without their times read leaks.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/leaks/uneven-times';
const tmp = mkdtempSync(join(tmpdir(), 'arenascope-uneven-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Site = { filename: string; lineno: number; verdict: string };
const leaking = async (dir: string): Promise<string[]> => {
  const r = await cli('leaks', dir, '--json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { sites: Site[] }).sites
    .filter((s) => s.verdict === 'leak')
    .map((s) => `${s.filename.split('/').at(-1)}:${s.lineno}`);
};

describe('dumps at uneven times of a loop growing by the request (h390)', () => {
  it.each([
    ['late-12', 'service.py:30'],
    ['slowgrow-12', 'service.py:40'],
    ['bounded-12', null],
    ['plateau-12', null],
    // A dict of 3000 random keys filling ever slower: no leak (read one, h394).
    ['random-12', null],
  ])('%s: the same verdict with its times as without (%s)', async (series, line) => {
    const timed = await leaking(`${DIR}/${series}`);
    const untimed = join(tmp, series);
    cpSync(`${DIR}/${series}`, untimed, { recursive: true, filter: (p) => !p.endsWith('.time') });
    expect(readdirSync(untimed).some((f) => f.endsWith('.time'))).toBe(false);
    expect(timed).toEqual(await leaking(untimed));
    expect(timed).toEqual(line === null ? [] : [line]);
    const gate = await cli('gate', `${DIR}/${series}`, '--max-leaks', '0');
    expect(gate.code).toBe(line === null ? 0 : 1);
  });
});
