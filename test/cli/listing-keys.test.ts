// What the key a listing was printed by leaves unknown, for diff, leaks and gate (h297 repro-5/6).
// The listings are CPython 3.11's own (fixtures/text/listing-keys/make_listing_keys.py).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const D = 'fixtures/text/listing-keys';

describe('diff of two listings by line, by file', () => {
  it('is refused: the file that grew read as shrinking by 88 KiB, its lines left the top 3', async () => {
    // CPython's compare_to by file: the generator's file grew, flip_y.py grew.
    const truth = JSON.parse(readFileSync(`${D}/flip.truth.json`, 'utf8')) as Record<string, number>;
    expect(truth['make_listing_keys.py']).toBeGreaterThan(0);
    const r = await cli('diff', '-g', 'filename', `${D}/flip-r0.txt`, `${D}/flip-r1.txt`);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toContain(
      `${D}/flip-r0.txt: a listing by line, diffed by file: each listing holds its top N lines, so a file's change ` +
        'would be the difference of two partial sums',
    );
    expect(r.err).toContain('diff by line, or give the dumps');
  });

  it('by their own key, the lines both list have their change and the others their bounds', async () => {
    const r = await cli('diff', '--json', `${D}/flip-r0.txt`, `${D}/flip-r1.txt`);
    expect(r.code, r.err).toBe(0);
    const stats = (JSON.parse(r.out) as { stats: { frames: { lineno: number }[]; sizeDiff: number | null }[] }).stats;
    expect(stats.map((s) => s.frames[0]!.lineno).sort((a, b) => a - b)).toEqual([2, 6, 36, 37, 38]);
  });
});

describe('a series of listings by file', () => {
  it('leaks judges it by file, and names the file, not line 0', async () => {
    const r = await cli('leaks', `${D}/leak-by-file.log`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('by filename');
    expect(r.out).not.toContain('by lineno');
    expect(r.out).toMatch(/leak {2}make_listing_keys\.py:0 {2}\+/);
    // No line to open, no traceback of line 0, and no --group-by lineno (refused of a listing by file).
    expect(r.out).toContain(`next: open ${process.cwd()}/${D}/make_listing_keys.py and find`);
    expect(r.out).toContain("a listing by line (statistics('lineno')) names the line");
    expect(r.out).not.toContain('line 0');
    expect(r.out).not.toContain('--group-by lineno');
    const asked = await cli('leaks', '-g', 'filename', `${D}/leak-by-file.log`);
    expect(asked.out).toBe(r.out);
  });

  it('gate fails it on its file, not at line 0', async () => {
    const r = await cli('gate', '--github', `${D}/leak-by-file.log`);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      '::error file=fixtures/text/listing-keys/make_listing_keys.py,title=arenascope max-leaks::',
    );
    expect(r.out).not.toMatch(/line=0|\(at [^)]*:0\)/);
  });

  it('gate against a baseline of listings by line is refused: a whole file read as a line grown from nothing', async () => {
    const base = join(mkdtempSync(join(tmpdir(), 'arenascope-keys-')), 'base.json');
    expect((await cli('baseline', `${D}/leak-by-line-r0.txt`, '-o', base)).code).toBe(0);
    const r = await cli('gate', '--baseline', base, '--max-site-growth', '100KiB', `${D}/leak-by-file.log`);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toContain(
      `${base}: the baseline holds tracemalloc listings by line, the current captures listings by file: their sites do not compare`,
    );
  });
});
