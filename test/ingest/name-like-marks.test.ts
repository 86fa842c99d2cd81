// File names that start like a Markdown bullet ('* star.py', run by CPython 3.8 by its relative name)
// or hold a path and a line before a space ('/tmp/…/w:3 z.py', behind a '%(levelname)s ' prefix): real
// listings (fixtures/text/name-like-marks/make.py). Taken for a bullet or a '%(pathname)s:%(lineno)d'
// prefix, the names were cut and a traceback listing refused (h385). Expected: the Statistic objects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';

const DIR = 'fixtures/text/name-like-marks';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<
  string,
  [string, number, number, number][]
>;

describe.each(Object.keys(expected))('%s', (file) => {
  it('reads every site under its whole name', async () => {
    const log = (await loadCapture(`${DIR}/${file}`)) as StatisticsLog;
    const last = log.listings.at(-1)!;
    const read = last.stats.map((s) => {
      const f = s.frames.at(-1)!;
      return [f.filename, f.lineno, formatSize(s.size), s.count];
    });
    expect(read).toEqual(expected[file]!.map(([name, line, size, count]) => [name, line, formatSize(size), count]));
  });
});
