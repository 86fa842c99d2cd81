// pytest's report of a failed test that printed its listings and logged them too (fixtures/text/pytest,
// CPython 3.11): 'Captured stdout call' and 'Captured log call' hold the same listings. Expected values
// are the statistics CPython computed in the test, each listing once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/pytest';
type Truth = { listings: { frames: [string, number][]; size: number; count: number }[][] };
const truth = JSON.parse(readFileSync(`${DIR}/memwatch_case.truth.json`, 'utf8')) as Truth;

describe('a test that printed and logged its listings, in the report of its failure', () => {
  it('reads each listing once (it was a series of 8 captures: 4, then the same 4), with a warning', async () => {
    const log = (await loadCapture(`${DIR}/failed.log`)) as StatisticsLog;
    const read = log.listings.map((l) =>
      l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
    );
    expect(read).toEqual(truth.listings.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)])));
    expect(log.warnings.join('\n')).toContain(
      "failed.log: pytest's report prints each stream a test wrote apart: 'Captured log call' (line 49) holds the listings of 'Captured stdout call' (line 33) again: each read once",
    );
  });

  it('leaks finds the leak (read twice over, it passed as a plateau)', async () => {
    const r = await cli('leaks', `${DIR}/failed.log`, '--json');
    const sites = (JSON.parse(r.out) as { sites: { lineno: number; verdict: string }[] }).sites;
    expect(sites.filter((s) => s.verdict === 'leak').map((s) => s.lineno)).toEqual([16]);
  });
});

// Tests that print their listings under `pytest -s` (fixtures/text/pytest/progress_case.py): pytest
// writes the node id (-v) or the file's name, and the previous test's outcome mark, on the line each
// test's output begins. Expected values are the statistics CPython computed in each test.
// progress-ids: node ids with spaces and brackets ('test_step[round [0]]'); progress-import: the import
// system's `<frozen …>` line tops each listing, the outcome mark glued before it (h276, h278);
// progress-tee: --capture=tee-sys -rA, each listing printed as its test ran and again in the report (h278).
describe.each(['progress-s', 'progress-sv', 'progress-ids', 'progress-import', 'progress-tee'])(
  'listings printed under pytest -s (%s.log)',
  (name) => {
    const truth = JSON.parse(readFileSync(`${DIR}/${name}.truth.json`, 'utf8')) as Truth;

    it("reads each listing's first statistic behind pytest's words (it was left out, or read as './work/…')", async () => {
      const log = (await loadCapture(`${DIR}/${name}.log`)) as StatisticsLog;
      const read = log.listings.map((l) =>
        l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
      );
      expect(read).toEqual(truth.listings.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)])));
      expect(log.warnings.join('\n')).not.toContain('after other text');
      if (name === 'progress-tee') expect(log.warnings.join('\n')).toContain('holds listings printed before it');
    });

    // Pasted as a Markdown code block (every line behind 4 spaces, as Stack Overflow has it): pytest's
    // words were matched before the indentation came off, the outcome mark read into the file's name
    // ('./tmp/…') and the first listing's statistic left out (h344 F5).
    it('reads the same indented as a code block', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'arenascope-pytest-indented-'));
      try {
        const text = readFileSync(`${DIR}/${name}.log`, 'utf8');
        const f = join(dir, `${name}.md`);
        writeFileSync(f, text.replace(/^(?=.)/gm, '    '));
        const log = (await loadCapture(f)) as StatisticsLog;
        const read = log.listings.map((l) =>
          l.stats.map((s) => [s.frames.map((fr) => [fr.filename, fr.lineno]), s.count]),
        );
        expect(read).toEqual(truth.listings.map((l) => l.map((s) => [s.frames, s.count])));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    // Pasted without its last line end, pytest's summary last (it was refused as cut: h344 F1).
    it('reads the same with no line end after its summary', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'arenascope-pytest-unended-'));
      try {
        const f = join(dir, `${name}.log`);
        writeFileSync(f, readFileSync(`${DIR}/${name}.log`, 'utf8').trimEnd());
        const log = (await loadCapture(f)) as StatisticsLog;
        expect(log.listings.length).toBe(truth.listings.length);
        expect(log.warnings.join('\n')).not.toContain('cut');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.skipIf(name === 'progress-import')('leaks and gate find the leak from its first size', async () => {
      const r = await cli('leaks', `${DIR}/${name}.log`, '--json');
      const sites = (JSON.parse(r.out) as { sites: { lineno: number; verdict: string; bytesPerCapture: number[] }[] })
        .sites;
      const leak = sites.filter((s) => s.verdict === 'leak');
      const source = readFileSync(
        `${DIR}/${name === 'progress-ids' ? 'progress_ids_case' : 'progress_case'}.py`,
        'utf8',
      );
      expect(leak.map((s) => s.lineno)).toEqual([
        source.split('\n').findIndex((l) => l.trim().startsWith('KEEP.append(')) + 1,
      ]);
      expect(formatSize(leak[0]!.bytesPerCapture[0]!)).toBe(formatSize(truth.listings[0]![0]!.size));
      expect((await cli('gate', `${DIR}/${name}.log`, '--max-leaks', '0')).code).toBe(1);
    });
  },
);
