// tracemalloc listings behind a '… :: INFO :: ' log prefix and a program's 'MEMPROF  ' word (real CPython
// 3.11 output, fixtures/text/make_prefixes.py): both were left in every file name (h279). Expected values
// are the Statistic objects CPython printed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';

const DIR = 'fixtures/text/prefixes';
type Listing = { frames: [string, number][]; size: number; count: number }[];
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<string, Listing[]>;

describe.each(Object.keys(expected))('%s', (file) => {
  it('reads every statistic under its own file name', async () => {
    const log = (await loadCapture(`${DIR}/${file}`)) as StatisticsLog;
    const read = log.listings.map((l) =>
      l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
    );
    expect(read).toEqual(expected[file]!.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)])));
  });
});
