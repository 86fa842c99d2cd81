// diff of two logged listings (fixtures/text/diff/make_diff.sh, CPython 3.11; fixtures/text/top-n): each
// change printed no finer than the two figures it is between, and within that last digit of what
// compare_to computed, in the text, the CSV and the report's page.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const printed = (log: string, dir = DIR): Map<string, string> =>
  new Map([...readFileSync(`${dir}/${log}`, 'utf8').matchAll(/^(.*:\d+): size=([^,]+),/gm)].map((m) => [m[1]!, m[2]!]));

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

/** The figures a listing printed, each in bytes with its last digit's step, by 'file:line'. */
const figures = (dir: string, log: string): Map<string, { bytes: number; step: number }> =>
  new Map([...printed(log, dir)].map(([site, f]) => [site, figure(f)]));
/** CPython's change of each site, by 'file:line': compare_to's (fixtures/text/diff), or from every statistic (top-n). */
function changes(dir: string, stem: string): Map<string, number> {
  if (stem === '') return new Map(truth.map((d) => [`${d.frames[0]![0]}:${d.frames[0]![1]}`, d.size_diff]));
  type Stat = { frames: [string, number][]; size: number };
  const t = JSON.parse(readFileSync(`${dir}/${stem}.truth.json`, 'utf8')) as { listings: Stat[][] };
  const sizes = t.listings.map((l) => new Map(l.map((st) => [`${st.frames[0]![0]}:${st.frames[0]![1]}`, st.size])));
  return new Map(
    [...sizes[1]!.keys(), ...sizes[0]!.keys()].map((k) => [k, (sizes[1]!.get(k) ?? 0) - (sizes[0]!.get(k) ?? 0)]),
  );
}

describe('diff --format csv of two logged listings', () => {
  it.each([
    [DIR, 'before.log', 'after.log', ''],
    ['fixtures/text/top-n', 'top_n_lineno_5.older.log', 'top_n_lineno_5.newer.log', 'top_n_lineno_5'],
  ])(
    '%s: sizes in bytes as printed, each change no finer than its figures (it carried +149,811 B of +146 KiB)',
    async (dir, a, b, stem) => {
      const r = await cli('diff', `${dir}/${a}`, `${dir}/${b}`, '--format', 'csv');
      expect(r.code).toBe(0);
      const [header, ...rows] = r.out
        .trimEnd()
        .split('\n')
        .map((l) => l.split(','));
      const col = (row: string[], name: string): string => row[header!.indexOf(name)]!;
      const [older, newer] = [figures(dir, a), figures(dir, b)];
      const exact = changes(dir, stem);
      const smallest = (m: Map<string, { bytes: number }>): number => Math.min(...[...m.values()].map((f) => f.bytes));
      for (const row of rows) {
        const site = `${col(row, 'filename')}:${col(row, 'lineno')}`;
        const [was, now] = [older.get(site), newer.get(site)];
        if (was && now) {
          // The size CPython printed, in bytes; the change a multiple of the coarser figure's step, within a step of compare_to.
          expect(Number(col(row, 'size')), site).toBe(Math.round(now.bytes));
          const step = Math.max(was.step, now.step);
          const change = Number(col(row, 'size_diff'));
          expect(Math.abs(change - Math.round(change / step) * step), site).toBeLessThanOrEqual(0.5);
          expect(Math.abs(change - exact.get(site)!), site).toBeLessThanOrEqual(step);
        } else if (was) {
          expect([col(row, 'size'), col(row, 'not_listed_in')], site).toEqual(['', 'newer']);
          expect(Number(col(row, 'older_size')), site).toBe(Math.round(was.bytes));
          expect(Number(col(row, 'size_at_most')), site).toBe(Math.round(smallest(newer)));
        } else {
          expect([col(row, 'size'), col(row, 'not_listed_in')], site).toEqual([
            String(Math.round(now!.bytes)),
            'older',
          ]);
          expect(Number(col(row, 'size_at_most')), site).toBe(Math.round(smallest(older)));
        }
      }
    },
  );
});

describe("the report's diff of two logged listings", () => {
  it('prints each change no finer than its figures (it printed +90.6 KiB of 181 KiB against 90.4 KiB)', async () => {
    const page = join(mkdtempSync(join(tmpdir(), 'arenascope-printed-')), 'report.html');
    expect((await cli('report', `${DIR}/before.log`, `${DIR}/after.log`, '-o', page)).code).toBe(0);
    const html = readFileSync(page, 'utf8');
    const table = html.slice(html.indexOf('id="diff-table"'));
    const [before, after] = [printed('before.log'), printed('after.log')];
    let checked = 0;
    for (const d of truth) {
      const site = `${d.frames[0]![0]}:${d.frames[0]![1]}`;
      if (!before.has(site) || !after.has(site)) continue;
      const cells = [...table.slice(table.indexOf(`${site}<`)).matchAll(/data-v="[^"]*">([^<]*)</g)];
      const got = figure(cells[1]![1]!.replace(/^\+/, ''));
      expect(got.step, site).toBeGreaterThanOrEqual(
        Math.max(figure(before.get(site)!).step, figure(after.get(site)!).step),
      );
      expect(Math.abs(got.bytes - d.size_diff), site).toBeLessThanOrEqual(got.step);
      checked++;
    }
    expect(checked).toBe(4);
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
