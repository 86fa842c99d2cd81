// What a printed tracemalloc listing cannot answer is refused, not made up (h294): it prints no
// domain, and by line or by file no frame that called each statistic's line (nor, by file, a line).
// The listings are CPython's own (fixtures/text/cumulative/make_cumulative.sh): statistics('lineno')
// and statistics('filename') printed by a program.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const D = 'fixtures/text/cumulative';

describe('queries a printed listing cannot answer (fixtures/text/cumulative)', () => {
  it.each([
    [['--domain', '7'], 'prints no domain'],
    [['--exclude-domain', '0'], 'prints no domain'],
    [['--cumulative'], '--cumulative needs the dump or a listing by traceback'],
    [['--include', '*cumulative.py', '--all-frames'], '--all-frames needs the dump or a listing by traceback'],
    [['-g', 'traceback'], 'cannot be grouped by traceback'],
  ])('a listing by line, stats %s: refused', async (flags, said) => {
    const r = await cli('stats', `${D}/lineno.log`, ...flags);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toContain(`${D}/lineno.log: a tracemalloc listing by line`);
    expect(r.err).toContain(said);
  });

  it('a listing by file: a line number (-g lineno, a filter on a line) is refused; by file it is read', async () => {
    const by = await cli('stats', `${D}/filename.log`, '-g', 'lineno');
    expect([by.code, by.err]).toEqual([
      2,
      expect.stringContaining('cannot be grouped by line: it holds no line numbers'),
    ]);
    const filter = await cli('stats', `${D}/filename.log`, '--include', '*cumulative.py:3');
    expect([filter.code, filter.err]).toEqual([2, expect.stringContaining("a filter's line number needs the dump")]);
    expect((await cli('stats', `${D}/filename.log`)).code).toBe(0);
    expect((await cli('stats', `${D}/filename.log`, '-g', 'filename')).code).toBe(0);
  });

  it('converted to arenascope JSON, a listing by line is refused the same way; diff of two listings too', async () => {
    // Its last listing alone (convert writes a series of a log's listings).
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-listing-'));
    const log = readFileSync(`${D}/lineno.log`, 'utf8');
    writeFileSync(join(dir, 'last.log'), log.slice(log.lastIndexOf('step ')));
    const json = join(dir, 'lineno.json');
    expect((await cli('convert', join(dir, 'last.log'), '--to', 'json', '-o', json)).code).toBe(0);
    const r = await cli('stats', json, '--cumulative');
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining('--cumulative needs the dump or a listing by traceback'),
    ]);
    const d = await cli('diff', `${D}/lineno.log`, `${D}/lineno.log`, '--domain', '0');
    expect([d.code, d.err]).toEqual([2, expect.stringContaining('prints no domain')]);
  });
});

// A listing by traceback of tracemalloc.start(1), its frames printed under each statistic: one frame
// each, and it was taken for a listing by line, `-g traceback` and `--cumulative` refused (h297). CPython
// printed it (fixtures/text/make_one_frame_traceback.py): stats reprints its statistic lines.
describe('a listing by traceback of one frame a statistic (fixtures/text/listings/one-frame-traceback.log)', () => {
  const log = 'fixtures/text/listings/one-frame-traceback.log';
  it('is read by traceback, and --cumulative taken', async () => {
    const printed = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes(': size='));
    for (const flags of [['-g', 'traceback'], ['--cumulative']]) {
      const r = await cli('stats', log, ...flags);
      expect(r.code).toBe(0);
      for (const line of printed) expect(r.out).toContain(line);
    }
  });
});

// leaks, report and gate judged a series of listings by line "by traceback" as asked, by lines: a
// traceback's leak under a flat line passed the gate (h297). Refused as stats refuses it.
describe('a series of listings grouped finer than their key (fixtures/text/cumulative)', () => {
  it.each([
    ['leaks', 'lineno.log', 'traceback'],
    ['report', 'lineno.log', 'traceback'],
    ['gate', 'lineno.log', 'traceback'],
    ['gate', 'filename.log', 'lineno'],
  ])('%s of %s, -g %s: refused', async (command, file, key) => {
    const r = await cli(command, `${D}/${file}`, '-g', key, ...(command === 'report' ? ['-f', 'text'] : []));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/a tracemalloc listing by (line|file) cannot be grouped by/);
  });
});
