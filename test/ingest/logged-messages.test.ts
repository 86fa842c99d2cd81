// Listings logged as one message each (`log.info("%s", "\n".join(map(str, top)))`): only each
// message's first line carries the log prefix. Real CPython logs (fixtures/text/make_listing_rounds.py;
// h247-*.log by a helper's h247_gen.py and h247_win.py, CPython 3.8 and 3.11, names with spaces),
// each against the statistics CPython computed beside it. Left in the first file name, the prefix made
// the leaking line a site of its own in every listing ("transient" and "shrinking" beside a leak of
// 0.33), and the gate passed it (h245).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/logged-message';
type Truth = { listings: [string, number, number, number][][]; leak: [string, number] };
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.log'))
  .map((f) => f.slice(0, -'.log'.length));

describe('listings logged as one message each: the prefix on their first lines alone', () => {
  it.each(names)('%s: read as CPython listed them, the leak found and failing the gate', async (name) => {
    const file = `${DIR}/${name}.log`;
    const truth = JSON.parse(readFileSync(`${DIR}/${name}.expected.json`, 'utf8')) as Truth;
    const log = (await loadCapture(file)) as StatisticsLog;
    const read = log.listings.map((l) =>
      l.stats.map((s) => [s.frames[0]!.filename, s.frames[0]!.lineno, formatSize(s.size), s.count]),
    );
    expect(read).toEqual(truth.listings.map((l) => l.map(([f, n, size, count]) => [f, n, formatSize(size), count])));
    if (!name.startsWith('bare-')) expect(log.warnings.join('\n')).toContain('statistic lines behind a log prefix');
    // A format's text after the message, on a message's last statistic (each one's, logged alone): the
    // statistic was passed over, the listing's last site lost with no word said. With no prefix, the
    // suffix alone ends a message: read every other round, zeros made up between (h253).
    if (name.includes('suffix')) expect(log.warnings.join('\n')).toContain('text after their figures');
    const [leakFile, leakLine] = truth.leak;
    const gate = await cli('gate', file);
    expect([gate.code, gate.out]).toEqual([
      1,
      expect.stringMatching(new RegExp(`FAIL max-leaks: 1 leak \\(limit 0\\): \\S*${escaped(leakFile)}:${leakLine} `)),
    ]);
  });
});

// Each statistic logged alone, then a sentence quoting the first ('%s was the biggest this round'): the
// sentence is no statistic (read as a capture of its own, 7 for 6 rounds, a site of 0 B made up; h253).
describe('a log line quoting a statistic in a sentence', () => {
  it('is no statistic: 6 rounds, as the program logged them (fixtures/text/logged-message/quoted)', async () => {
    const file = 'fixtures/text/logged-message/quoted/pr.log';
    const log = (await loadCapture(file)) as StatisticsLog;
    const rounds = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.endsWith(' was the biggest this round')).length;
    expect(rounds).toBe(6);
    expect(log.listings).toHaveLength(rounds);
    for (const l of log.listings) expect(l.stats.some((s) => s.frames[0]!.lineno === 4 && s.size === 48)).toBe(true);
  });
});

// Rounds of a top 3 alternating between two sets of sites, each new set smaller than the round before
// it, under a title each: joined two by two as one thread's lines read past, the largest total read
// 704 KiB where no round held 586 (fixtures/text/make_listing_rounds.py; h245).
describe('periodic listings told apart only by their titles', () => {
  const ROUNDS = 'fixtures/text/titled-rounds';
  it.each(['top', 'round', 'logged', 'worker-print', 'worker-logged', 'worker-titled'])(
    '%s: each round a listing, as CPython listed it',
    async (name) => {
      const file = `${ROUNDS}/${name}.log`;
      const truth = JSON.parse(readFileSync(`${ROUNDS}/${name}.expected.json`, 'utf8')) as Pick<Truth, 'listings'>;
      const log = (await loadCapture(file)) as StatisticsLog;
      const read = log.listings.map((l) =>
        l.stats.map((s) => [s.frames[0]!.filename, s.frames[0]!.lineno, formatSize(s.size), s.count]),
      );
      expect(read).toEqual(truth.listings.map((l) => l.map(([f, n, size, count]) => [f, n, formatSize(size), count])));
      // The gate's largest total is one round's.
      const largest = Math.max(...truth.listings.map((l) => l.reduce((a, s) => a + s[2], 0)));
      const gate = await cli('gate', file, '--max-peak', '1MiB');
      const total = Number(/largest traced total ([\d.]+) KiB/.exec(gate.out)?.[1]);
      expect(Math.abs(total - largest / 1024)).toBeLessThan(1); // sizes as printed, 3 significant digits
    },
  );
});

// data.py and a.py named relatively (runpy), one message a listing (fixtures/text/logged-message/suffix-names,
// driver.py of a helper's, h249, CPython 3.11): 'INFO data.py' ends with 'a.py', a name the message's other
// lines hold; taken for it, the two lines' bytes were read as a.py's (+4959 KiB).
describe('a first file name ending with another file name of the message', () => {
  it('is its own: each line with the figures CPython printed for it', async () => {
    const file = 'fixtures/text/logged-message/suffix-names/app.log';
    const log = (await loadCapture(file)) as StatisticsLog;
    const text = readFileSync(file, 'utf8');
    // CPython's figures of data.py:1 in each listing, as printed (after the prefix of each message's first line).
    const printed = [...text.matchAll(/ INFO data\.py:1: size=([^,]+),/g)].map((m) => m[1]);
    const read = log.listings.map((l) => l.stats.find((s) => s.frames[0]!.filename === 'data.py'));
    expect(read.map((s) => s && formatSize(s.size))).toEqual(printed);
    expect(
      log.listings.flatMap((l) => l.stats.map((s) => s.frames[0]!.filename)).filter((f) => /INFO|dat$/.test(f)),
    ).toEqual([]);
  });
});
