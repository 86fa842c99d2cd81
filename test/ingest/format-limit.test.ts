// A top 3 by traceback printed with Traceback.format(limit=N) (real CPython 3.12 output,
// fixtures/text/format-limit/make.py): limit=2 leaves out each statistic's own line, its oldest frame;
// its frames were dropped as another traceback's and the caller's line read as the allocating one
// (h381). limit=-2 prints the oldest frames alone: two statistics then show one traceback, said.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';

const DIR = 'fixtures/text/format-limit';
type Stat = { frame: [string, number]; size: number; count: number };
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Stat[][];

describe('tracebacks printed with format(limit=N)', () => {
  it.each(['limit-1', 'limit-2'])(
    '%s: each statistic read by its most recent frames, its allocating line as CPython computed it',
    async (name) => {
      const log = (await loadCapture(`${DIR}/${name}.log`)) as StatisticsLog;
      const read = log.listings.map((l) =>
        l.stats.map((s) => [[s.frames.at(-1)!.filename, s.frames.at(-1)!.lineno], s.count, formatSize(s.size)]),
      );
      expect(read).toEqual(expected.map((l) => l.map((s) => [s.frame, s.count, formatSize(s.size)])));
      expect(log.warnings.join('\n')).toMatch(
        /line 2: frames under statistics that name none of their keys: printed with format\(limit=N\)/,
      );
      // Two tracebacks' most recent frames may be alike: no cut said (h389).
      expect(log.warnings.join('\n')).not.toMatch(/one traceback under two statistics/);
    },
  );

  it('limit=-2: one traceback under two statistics is said to be cut, not where memory was allocated', async () => {
    const log = (await loadCapture(`${DIR}/limit-minus-2.log`)) as StatisticsLog;
    expect(log.warnings.join('\n')).toMatch(
      /one traceback under two statistics of a listing \(statistics\(\) lists each once\): its frames were cut/,
    );
  });
});
