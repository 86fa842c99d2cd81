// diff of two logged listings (fixtures/text/diff/make_diff.sh, CPython 3.11): each change printed no
// finer than the two figures it is between, and within that last digit of what compare_to computed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPrintedChange } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/diff';
const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
type Diff = { frames: [string, number][]; size_diff: number };
const truth = JSON.parse(readFileSync(`${DIR}/compare.truth.json`, 'utf8')) as Diff[];

/** A figure as printed ('90.4 KiB'): its value in bytes and its last digit's step. */
const figure = (text: string): { bytes: number; step: number } => {
  const [value, unit] = text.split(' ');
  const decimals = value!.includes('.') ? value!.length - value!.indexOf('.') - 1 : 0;
  return { bytes: Number(value) * UNIT[unit!]!, step: UNIT[unit!]! / 10 ** decimals };
};
/** The size each site of a listing was printed with, by its 'file:line'. */
const printed = (log: string): Map<string, string> =>
  new Map([...readFileSync(`${DIR}/${log}`, 'utf8').matchAll(/^(.*:\d+): size=([^,]+),/gm)].map((m) => [m[1]!, m[2]!]));

describe('diff of two logged listings', () => {
  it('prints each change no finer than its figures, within a last digit of compare_to (it printed +90.6 KiB of 90.5)', async () => {
    const r = await cli('diff', `${DIR}/before.log`, `${DIR}/after.log`);
    expect(r.code).toBe(0);
    const [before, after] = [printed('before.log'), printed('after.log')];
    // The sites both listings show (one that only one shows: test/report/unlisted-sites.test.ts).
    const lines = r.out.split('\n').filter((l) => /^\/.*: size=/.test(l) && !l.includes(': not in the '));
    expect(lines.length).toBe(4);
    for (const line of lines) {
      const [, site, change] = /^(.*:\d+): size=[^(]+\(([^)]+)\)/.exec(line)!;
      const steps = [before.get(site!), after.get(site!)].map((f) => (f === undefined ? 1 : figure(f).step));
      const got = figure(change!.replace(/^\+/, ''));
      expect(got.step, line).toBeGreaterThanOrEqual(Math.max(...steps));
      const exact = truth.find((d) => `${d.frames[0]![0]}:${d.frames[0]![1]}` === site)!.size_diff;
      expect(Math.abs(got.bytes - exact), line).toBeLessThanOrEqual(got.step);
    }
    expect(r.out).toContain('two_steps.py:11: size=181 KiB (+91 KiB), count=3005 (+1503)');
  });

  it('says in its JSON that the sizes are as printed', async () => {
    const r = await cli('diff', `${DIR}/before.log`, `${DIR}/after.log`, '--json');
    expect(JSON.parse(r.out)).toMatchObject({ printedSizes: true });
  });
});

describe('formatPrintedChange', () => {
  it.each([
    [68608, 1234 * 1024, 1301 * 1024, '+67 KiB'],
    [0, 100 * 1024, 100 * 1024, '+0 KiB'],
    [204.8, 12.3 * 1024, 12.5 * 1024, '+0.2 KiB'],
    [-300, 5000, 12.3 * 1024, '-0.3 KiB'],
    [2240, 2048, 4288, '+2240 B'],
    [1075, 0, 1075, '+1075 B'],
    [150 * 1024, 0, 150 * 1024, '+150 KiB'],
    [0.2 * 1024 ** 2, 12.3 * 1024 ** 2, 12.5 * 1024 ** 2, '+0.2 MiB'],
  ])('%d B between %d B and %d B: %s', (change, older, newer, text) => {
    expect(formatPrintedChange(change, older, newer)).toBe(text);
  });
});
