// A series logged each minute through logging formats whose prefix was left (whole or in part) in the
// file names: real CPython 3.11 logs (fixtures/text/faults/log_formats.py), each against the statistics
// CPython computed beside it. Left in, the prefix made each minute a new site, or each run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/faults';
type Truth = { listings: { frames: [string, number][]; size: number; count: number }[][] };
const truth = (name: string): Truth => JSON.parse(readFileSync(`${DIR}/${name}.truth.json`, 'utf8')) as Truth;
const expected = (t: Truth): unknown[] => t.listings.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)]));

describe('logging formats whose prefix stayed in the file names', () => {
  it.each([
    [
      'cookbook',
      "the logging cookbook's '%(asctime)s %(name)-12s %(levelname)-8s', datefmt '%m-%d %H:%M'",
      '05-01 07:54 ',
    ],
    ['msecs', "'%(asctime)s.%(msecs)03d %(levelname)s [%(threadName)s] %(name)s - '", '2024-05-01 07:54:21,'],
    ['zone', "'%(asctime)s [%(process)d] [%(levelname)s] ', datefmt '%Y-%m-%d %H:%M:%S %z'", '2024-05-01 07:54:21 '],
  ])('%s (%s): the prefix is taken off whole; the leak fails the gate', async (name, _, start) => {
    const file = `${DIR}/log_formats_${name}.log`;
    const log = (await loadCapture(file)) as StatisticsLog;
    const read = log.listings.map((l) =>
      l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
    );
    expect(read).toEqual(expected(truth(`log_formats_${name}`)));
    expect(log.warnings.join('\n')).toContain(
      `statistic lines behind a log prefix (5 listings, the first at line 2: "${start}`,
    );
    const gate = await cli('gate', file);
    expect([gate.code, gate.out]).toEqual([
      1,
      expect.stringMatching(/FAIL max-leaks: 1 leak \(limit 0\): \/\S+\/log_formats\.py:23 /),
    ]);
  });

  it("a baseline from another run of the '%z' format matches every site (the PID after the zone named them apart)", async () => {
    const r = await cli(
      'gate',
      `${DIR}/log_formats_zone_b.log`,
      '--baseline',
      `${DIR}/log_formats_zone.log`,
      '--max-site-growth',
      '1MiB',
    );
    expect(r.out).toMatch(/PASS max-site-growth/);
    expect(r.out).not.toContain('not in the baseline');
    expect(r.out).not.toContain('+0000');
  });
});
