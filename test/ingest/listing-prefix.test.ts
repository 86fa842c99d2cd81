// A relative file name with a space behind a log prefix ('INFO my script.py:17: size=…', CPython 3.8:
// fixtures/text/spaced-name/make_spaced_name.sh): its first word is the file name's, not the prefix's.
// Expected values are the statistics CPython computed beside each log.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/spaced-name';
type Truth = { listings: { frames: [string, number][]; size: number; count: number }[][] };
const truth = (mode: string): Truth => JSON.parse(readFileSync(`${DIR}/my script_${mode}.truth.json`, 'utf8')) as Truth;

describe("a relative file name with a space ('my script.py') behind a log prefix", () => {
  it.each([
    ['plain', "'%(levelname)s %(message)s' under a title"],
    ['named', "'%(levelname)s %(name)s %(message)s' under a title"],
    ['root', 'the same, the title logged through the root logger'],
    ['traceback', "'%(levelname)s %(message)s' by traceback, no title: the frames name the file"],
  ])('%s (%s): read whole, as CPython named it, with a warning', async (mode) => {
    const log = (await loadCapture(`${DIR}/${mode}.log`)) as StatisticsLog;
    const read = log.listings.map((l) =>
      l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
    );
    expect(read).toEqual(truth(mode).listings.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)])));
    expect(log.warnings.join('\n')).toMatch(
      /"my " before the file names of .* read as part of them, not of the log prefix/,
    );
  });

  it('leaks names the leaking line by its whole file name (it was script.py:17)', async () => {
    const r = await cli('leaks', `${DIR}/plain.log`, '--json');
    const sites = (JSON.parse(r.out) as { sites: { filename: string; lineno: number; verdict: string }[] }).sites;
    expect(sites.filter((s) => s.verdict === 'leak').map((s) => `${s.filename}:${s.lineno}`)).toEqual([
      'my script.py:17',
    ]);
  });
});
