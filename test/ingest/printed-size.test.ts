// Sizes read from the size and average tracemalloc printed (fixtures/text/figures/make_figures.sh): the
// lines CPython printed always agree; a line whose two figures disagree is read as its size, and said.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import { estimate } from '../../src/ingest/printed-size.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/figures';
type Truth = { listings: { frames: [string, number][]; size: number; count: number }[][] };

describe('sizes and averages as CPython 3.11 printed them, across every unit and rounding step', () => {
  it('agree on every line: each size read within its printed figure, no warning about them', async () => {
    const log = (await loadCapture(`${DIR}/statistics.log`)) as StatisticsLog;
    const truth = JSON.parse(readFileSync(`${DIR}/statistics.truth.json`, 'utf8')) as [number, number][];
    const lines = readFileSync(`${DIR}/statistics.log`, 'utf8').split('\n');
    const stats = log.listings.flatMap((l) => l.stats);
    expect(stats.map((s) => s.count)).toEqual(truth.map(([, count]) => count));
    // Within half the printed figure's last digit of what CPython computed (bytes exact).
    const off = stats.filter((s, i) => {
      const [, value, unit] = /size=(\S+) (\S+),/.exec(lines[s.inputLine - 1]!)!;
      const step =
        { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[unit!]! / (value!.includes('.') ? 10 : 1);
      return Math.abs(s.size - truth[i]![0]) > (unit === 'B' ? 0 : step / 2);
    });
    expect(off).toEqual([]);
    // And each prints again as CPython printed it: '100.0 KiB' is under 100 KiB, which prints '100 KiB'
    // (read as 102,400 B, 17 of 84 sites of a helper's listing printed otherwise: h245).
    const reprinted = stats.filter((s) => {
      const [, value, unit] = /size=(\S+) (\S+),/.exec(lines[s.inputLine - 1]!)!;
      return formatSize(s.size) !== `${value} ${unit}`;
    });
    expect(reprinted.map((s) => lines[s.inputLine - 1])).toEqual([]);
    expect(log.warnings.join('\n')).not.toMatch(/average|pytracemalloc/);
  });
});

describe('sites whose sizes print alike (fixtures/text/figures/ties.py, CPython 3.11)', () => {
  // Sizes a few bytes apart or equal, printed '98.0 KiB' or '10.0 KiB': each read alone in the middle
  // of what its figures allow, one CPython printed below another was read larger, or equal with more
  // blocks, and `stats` put it first (h263). Its order printed says which is larger.
  it('are read in the order CPython printed them, each within its printed figure', async () => {
    const printed = readFileSync(`${DIR}/ties.log`, 'utf8').trimEnd().split('\n');
    const r = await cli('stats', `${DIR}/ties.log`);
    expect(r.out.trimEnd().split('\n').slice(0, -1)).toEqual(printed);
    const truth = (JSON.parse(readFileSync(`${DIR}/ties.truth.json`, 'utf8')) as Truth).listings[0]!;
    const log = (await loadCapture(`${DIR}/ties.log`)) as StatisticsLog;
    const sizes = log.listings[0]!.stats.map((s) => s.size);
    for (const [i, s] of sizes.entries()) expect(Math.abs(s - truth[i]!.size)).toBeLessThanOrEqual(0.05 * 1024);
    // Larger than the one below it where that one has more blocks, as CPython sorts them.
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThanOrEqual(sizes[i - 1]!);
  });
});

describe('a listing with two hand-edited sizes (the first made 24 MiB: its count and average left)', () => {
  const truth = (JSON.parse(readFileSync(`${DIR}/listing.truth.json`, 'utf8')) as Truth).listings[0]!;

  it('reads each edited size as printed, the others as CPython computed them, and warns once', async () => {
    const log = (await loadCapture(`${DIR}/edited.log`)) as StatisticsLog;
    expect(log.listings).toHaveLength(1);
    const want = truth.map((s) => [s.frames, s.count, formatSize(s.size)]);
    want[0]![2] = '24.0 MiB'; // line 2, 'size=24 MiB' (its average made it 14.5 MiB)
    want[3]![2] = '50.0 KiB'; // line 5, 'size=50 KiB'
    expect(
      log.listings[0]!.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
    ).toEqual(want);
    expect(log.listings[0]!.stats[0]!.size).toBe(24 * 1024 ** 2);
    const said = log.warnings.filter((w) => w.includes('disagree'));
    expect(said).toEqual([
      expect.stringMatching(
        /^fixtures\/text\/figures\/edited\.log: line 2: 2 statistics whose size and average disagree, the first \("size=24 MiB, count=6001, average=2532 B"\): read as the size printed/,
      ),
    ]);
  });

  it('stats prints the size printed, with the warning, and exits 0', async () => {
    const r = await cli('stats', `${DIR}/edited.log`);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/listing\.py:7: size=24\.0 MiB, count=6001, average=4194 B$/);
    expect(r.err).toContain('edited.log: line 2: 2 statistics whose size and average disagree');
  });
});

describe('estimate: a size from its printed size and average', () => {
  const MiB = 1024 ** 2;
  it("reads 'size=24 MiB, count=2, average=73 B' as 24 MiB, the two figures disagreeing", () => {
    expect(estimate(24 * MiB, { size: '24', unit: 'MiB', average: '73', averageUnit: 'B' }, 2)).toMatchObject({
      size: 24 * MiB,
      reading: 'disagree',
    });
  });

  it("reads pytracemalloc's 'size=24 MiB, count=357474, average=73 B' within what both allow cut down", () => {
    const { size, reading } = estimate(24 * MiB, { size: '24', unit: 'MiB', average: '73', averageUnit: 'B' }, 357474);
    expect(reading).toBe('cut');
    expect(size).toBeGreaterThanOrEqual(357474 * 73);
    expect(size).toBeLessThan(25 * MiB);
  });
});
