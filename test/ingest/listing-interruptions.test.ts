// Real CPython 3.11 logs (fixtures/text/faults/make_faults.sh) whose listings other output interrupts,
// each against the statistics CPython computed beside it (<name>.truth.json): they were read wrong with exit 0.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/faults';
type Truth = { listings: { frames: [string, number][]; size: number; count: number }[][] };
const truth = (name: string): Truth => JSON.parse(readFileSync(`${DIR}/${name}.truth.json`, 'utf8')) as Truth;
const expected = (t: Truth): unknown[] => t.listings.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)]));

async function listings(file: string): Promise<{ log: StatisticsLog; read: unknown[] }> {
  const log = (await loadCapture(`${DIR}/${file}`)) as StatisticsLog;
  const read = log.listings.map((l) =>
    l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
  );
  return { log, read };
}

describe("each step's largest statistic printed after text on its line ('round 0 largest: …'), then the top 5", () => {
  it.each([
    ['round_largest_title', 'under a title: each such line was a listing of its own, 10 captures, the leak a plateau'],
    ['round_largest_bare', 'right after it: it was a site of the listing, named with the text'],
  ])('%s (%s): the lines are left out with a warning; the leak fails the gate', async (name) => {
    const { log, read } = await listings(`${name}.log`);
    expect(read).toEqual(expected(truth(name)));
    expect(log.warnings.join('\n')).toContain(
      'statistics printed after other text on their line (5 statistic lines, the first at line 1: "round 0 largest:") left out',
    );
    const gate = await cli('gate', `${DIR}/${name}.log`);
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining('round_largest.py:10 (+')]);
    expect(gate.out).not.toContain('largest:');
  });

  it('a log holding only such lines is refused, saying why', async () => {
    const text = readFileSync(`${DIR}/round_largest_title.log`, 'utf8');
    const only = text.split('\n').filter((l) => l.startsWith('round '));
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-round-'));
    try {
      writeFileSync(join(dir, 'only.log'), `${only.join('\n')}\n`);
      const r = await cli('stats', join(dir, 'only.log'), '--input-format', 'tracemalloc-text');
      expect([r.code, r.err]).toEqual([2, expect.stringContaining('every statistic was printed after other text')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a Python warning (stderr, `python -u … 2>&1`) inside the last listing of a series', () => {
  it('is read past, with a warning: the listing reads whole (its rest was a capture of its own, the leak shrinking)', async () => {
    const { log, read } = await listings('warning_inside.log');
    expect(read).toEqual(expected(truth('warning_inside')));
    expect(log.warnings.join('\n')).toMatch(/a Python warning inside a listing .* read past.*: line 22$/m);
    const gate = await cli('gate', `${DIR}/warning_inside.log`);
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining('warning_inside.py:11 (+')]);
  });

  it('ends the listing when what follows does not go on with it (a statistic larger than the last)', async () => {
    const lines = readFileSync(`${DIR}/warning_inside.log`, 'utf8').split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-warned-'));
    try {
      // The warning after the last step's second statistic, then the step's first again: a new listing.
      const moved = [...lines.slice(0, 21), lines[23]!, lines[21]!, lines[22]!, lines[20]!, ...lines.slice(24)];
      writeFileSync(join(dir, 'moved.log'), moved.join('\n'));
      const log = (await loadCapture(join(dir, 'moved.log'))) as StatisticsLog;
      expect(log.listings.length).toBe(6);
      expect(log.warnings.join('\n')).not.toContain('a Python warning inside a listing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("another thread's lines inside a listing (fixtures/text/threads/make_threads.py)", () => {
  // A monitor thread writes the top 8 six times while a worker thread leaks and writes a line for each
  // request: each worker line inside a listing ended it, its rest read as a capture of its own without
  // the leaking site (10 captures, "No leak found", the gate passed).
  it.each([
    ['threads', 'logged through another logger, behind the same log prefix'],
    ['printed', 'both printed to stdout'],
  ])('%s.log (%s): the parts joined back, the leak found and failing the gate', async (name) => {
    const log = `fixtures/text/threads/${name}.log`;
    const t = JSON.parse(readFileSync(`fixtures/text/threads/${name}.truth.json`, 'utf8')) as {
      line: number;
      sizes: number[];
    };
    const c = (await loadCapture(log)) as StatisticsLog;
    expect(c.listings.map((l) => l.stats.length)).toEqual(t.sizes.map(() => 8));
    expect(c.warnings.join('\n')).toContain('other lines inside a listing');
    // The leaking line in every listing, at the size CPython's own statistics gave it, as printed.
    const leaking = c.listings.map(
      (l) => l.stats.find((s) => s.frames[0]!.filename.endsWith('threads.py') && s.frames[0]!.lineno === t.line)?.size,
    );
    expect(leaking.map((s) => (s === undefined ? null : formatSize(s)))).toEqual(t.sizes.map((b) => formatSize(b)));
    const g = await cli('gate', log, '--max-leaks', '0');
    expect([g.code, g.out]).toEqual([1, expect.stringContaining(`threads.py:${t.line}`)]);
  });
});

describe("a listing pasted with '...' for the rows it leaves out (a GitHub issue's fence)", () => {
  it('is read as its top rows, with a warning: the rows after the mark are no listing of their own', async () => {
    // Read as two listings, `stats` printed the three smallest rows alone (the 7.6 MiB leak not among them).
    const lines = readFileSync('fixtures/text/threads/printed.log', 'utf8').trimEnd().split('\n');
    const last = lines.slice(-8);
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-elided-'));
    try {
      const md = ['After six rounds:', '', '```', ...last.slice(0, 3), '...', ...last.slice(5), '```', ''];
      writeFileSync(join(dir, 'issue.md'), md.join('\n'));
      const r = await cli('stats', join(dir, 'issue.md'));
      expect(r.code).toBe(0);
      expect(r.out.split('\n').slice(0, 3)).toEqual(last.slice(0, 3));
      expect(r.err).toContain("a paste's mark of rows left out ('...') inside a listing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('listings of every length, each under its title (fixtures/text/stages: compare_to filtered, CPython)', () => {
  // Two listings whose lengths made a third's were joined across the title between them: 11 captures
  // of 15, a leak's steps put at every second capture instead of every third.
  it('are as many as their titles, none joined', async () => {
    const text = readFileSync('fixtures/text/stages/stages.log', 'utf8');
    const log = (await loadCapture('fixtures/text/stages/stages.log')) as StatisticsLog;
    expect(log.listings.length).toBe(text.match(/^== round /gm)!.length);
    expect(log.warnings.join('\n')).not.toContain('other lines inside a listing');
  });
});
