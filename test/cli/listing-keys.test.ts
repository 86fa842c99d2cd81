// What the key a listing was printed by leaves unknown, for diff, leaks and gate (h297 repro-5/6).
// The listings are CPython 3.11's own (fixtures/text/listing-keys/make_listing_keys.py).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    // (Its listings name the file where the generator ran: matched by its end.)
    expect(r.out).toMatch(/next: open \S*\/fixtures\/text\/listing-keys\/make_listing_keys\.py and find/);
    expect(r.out).toContain("a listing by line (statistics('lineno')) names the line");
    expect(r.out).not.toContain('line 0');
    expect(r.out).not.toContain('--group-by lineno');
    const asked = await cli('leaks', '-g', 'filename', `${D}/leak-by-file.log`);
    expect(asked.out).toBe(r.out);
  });

  it('gate fails it on its file, not at line 0', async () => {
    const r = await cli('gate', '--github', `${D}/leak-by-file.log`);
    expect(r.code).toBe(1);
    // A file under the working directory is attached, one elsewhere (a clone's) is not: never at line 0.
    expect(r.out).toMatch(/::error (?:file=\S*make_listing_keys\.py,)?title=arenascope max-leaks::/);
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

// fixtures/text/leak-tb/leak-tb-3.8.log: CPython 3.8's top 3 by traceback at 6 steps of a leak.
describe('a series of listings by traceback (fixtures/text/leak-tb)', () => {
  const LOG = 'fixtures/text/leak-tb/leak-tb-3.8.log';

  it('leaks judges it by traceback; by line (a line sums the tracebacks each lists) is refused', async () => {
    const r = await cli('leaks', LOG);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('by traceback');
    const byLine = await cli('leaks', '-g', 'lineno', LOG);
    expect([byLine.code, byLine.out]).toEqual([2, '']);
    expect(byLine.err).toContain(
      'a series of tracemalloc listings by traceback, judged by line: each listing holds its top N tracebacks',
    );
  });

  it("the report leaves its diff by line out, and says so; the gate compares no line's growth", async () => {
    const r = await cli('report', LOG, '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { snapshots: { diff: unknown; listing: string } };
    expect(doc.snapshots).toMatchObject({ diff: null, listing: 'traceback' });
    expect(r.err).toContain("listings by traceback: the report's diff by line is left out");
    const base = join(mkdtempSync(join(tmpdir(), 'arenascope-keys-')), 'base.json');
    expect((await cli('baseline', LOG, '-o', base)).code).toBe(0);
    const g = await cli('gate', '--baseline', base, '--max-site-growth', '100KiB', LOG);
    expect([g.code, g.out]).toEqual([2, '']);
    expect(g.err).toContain('--max-site-growth compares lines, and listings by traceback hold of a line only');
  });
});

describe('a series of listings by line', () => {
  it('judged by file is refused: a file that shrank read as a leak, its lines leaving the top N (h301)', async () => {
    const r = await cli('leaks', '-g', 'filename', 'fixtures/text/periodic.log');
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toContain(
      'a series of tracemalloc listings by line, judged by file: each listing holds its top N lines',
    );
  });
});

describe('a baseline of listings written before it recorded their key', () => {
  // Those builds wrote a listing by traceback's lines: by line, it may have been by traceback (h307).
  it('of lines, against listings by traceback: compared, not refused for its key', async () => {
    const LOG = 'fixtures/text/leak-tb/leak-tb-3.8.log';
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-keys-'));
    const base = join(dir, 'base.json');
    expect((await cli('baseline', LOG, '-o', base)).code).toBe(0);
    const doc = JSON.parse(readFileSync(base, 'utf8')) as { snapshots: { listing?: string } };
    expect(doc.snapshots.listing).toBe('traceback');
    delete doc.snapshots.listing;
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify(doc));
    const r = await cli('gate', '--baseline', old, '--max-total-growth', '10%', LOG);
    expect(r.err).not.toContain('their sites do not compare');
    expect(r.out).toContain('max-total-growth');
  });

  it('is by file when its every site is at line 0, and refused against listings by line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-keys-'));
    const base = join(dir, 'base.json');
    expect((await cli('baseline', `${D}/leak-by-file.log`, '-o', base)).code).toBe(0);
    const doc = JSON.parse(readFileSync(base, 'utf8')) as { snapshots: { listing?: string } };
    expect(doc.snapshots.listing).toBe('filename');
    delete doc.snapshots.listing;
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify(doc));
    const r = await cli('gate', '--baseline', old, '--max-site-growth', '100KiB', `${D}/leak-by-line-r0.txt`);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toContain('the baseline holds tracemalloc listings by file, the current captures listings by line');
  });
});

describe('stats of a log of several kinds of listing', () => {
  // Its last listing, a compare_to, where the series leaks, report and gate read is of the statistics
  // (the docs' two example listings in one paste: 10.7 MiB and 6.1 MiB, neither command said so; h305).
  it('reads the last, and says which kind it is and which listings the series is of', async () => {
    const r = await cli('stats', 'fixtures/text/logging/py37.log');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /py37\.log: the log holds 21 listings; this reads the last \(line 242\) \(by traceback; leaks, report and gate read those by line, the last at line 146\)/,
    );
  });
});

describe('a listing converted to JSON keeps what it shows (h302 repro-1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-listing-json-'));
  const convert = async (from: string, name: string): Promise<string> => {
    const out = join(dir, name);
    const r = await cli('convert', from, '--to', 'json', '-o', out);
    expect(r.code, r.err).toBe(0);
    return out;
  };

  it('diff of the JSON bounds a line one listing leaves out, as diff of the listings does', async () => {
    const [r0, r1] = [await convert(`${D}/flip-r0.txt`, 'r0.json'), await convert(`${D}/flip-r1.txt`, 'r1.json')];
    const ofText = await cli('diff', '--json', `${D}/flip-r0.txt`, `${D}/flip-r1.txt`);
    const ofJson = await cli('diff', '--json', r0, r1);
    expect(ofJson.code, ofJson.err).toBe(0);
    type Stat = { frames: { lineno: number }[]; sizeDiffAtLeast?: number; sizeDiffAtMost?: number | null };
    const bounds = (out: string) =>
      (JSON.parse(out) as { stats: Stat[] }).stats.map((s) => [
        s.frames[0]!.lineno,
        s.sizeDiffAtLeast,
        s.sizeDiffAtMost,
      ]);
    expect(bounds(ofJson.out)).toEqual(bounds(ofText.out));
    // flip_y.py:2 was not in the older top 3, whose smallest entry was 39.1 KiB: a bound, not "was ?".
    expect((await cli('diff', r0, r1)).out).toContain("not in the older listing's top 3, was ≤39.1 KiB");
  });

  it("compare_to's sites with no block left stay known to be 0", async () => {
    const T = 'fixtures/text/top-n/top_n_compare_5';
    const [older, newer] = [
      await convert(`${T}.older.log`, 'older.json'),
      await convert(`${T}.newer.log`, 'newer.json'),
    ];
    expect(readFileSync(newer, 'utf8')).toMatch(
      /"listing":\{"sites":5,"grouping":"lineno","smallestSize":null,"gone":\[\d+\]\}/,
    );
    const [ofText, ofJson] = [await cli('diff', `${T}.older.log`, `${T}.newer.log`), await cli('diff', older, newer)];
    expect(ofJson.code, ofJson.err).toBe(0);
    expect(ofJson.out).toBe(ofText.out);
  });

  it('a gone site that names no traceback, or a listing of a dump, is an error naming where', async () => {
    const json = readFileSync(await convert(`${D}/flip-r0.txt`, 'r0b.json'), 'utf8');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, json.replace('"gone":[]', '"gone":[99]'));
    let r = await cli('stats', bad);
    expect([r.code, r.err.trim()]).toEqual([
      2,
      `arenascope: ${bad}: /listing/gone/0: refers to traceback 99, which the snapshot does not define`,
    ]);
    writeFileSync(bad, json.replace('"sourceFormat":"tracemalloc-text"', '"sourceFormat":"tracemalloc-snapshot"'));
    r = await cli('stats', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: /listing: a listing is only of a snapshot converted from one`);
  });
});

describe('listings of two keys in two files (h371)', () => {
  // diff of a listing by line against one by file read each site against the other's missing ones
  // ("+110 KiB, was <=160 B" of a file that held 57 KiB), exit 0.
  it('diff refuses them, naming both keys', async () => {
    const r = await cli('diff', `${D}/leak-by-line-r0.txt`, `${D}/leak-by-file.log`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${D}/leak-by-line-r0.txt is a listing by line and ${D}/leak-by-file.log one by file: their sites are not of one kind`,
    );
  });
  // Read as one series, a file's top lines were summed against its whole: growth where nothing grew.
  it('leaks reads the kind most listings are of, leaving the other file out, said', async () => {
    const both = await cli('leaks', `${D}/leak-by-line-r0.txt`, `${D}/leak-by-file.log`, '--json');
    expect(both.err).toContain(
      `leaving out ${D}/leak-by-line-r0.txt: its listings are by line, most of the others' by file (statistics('filename'): line numbers 0)`,
    );
    const alone = await cli('leaks', `${D}/leak-by-file.log`, '--json');
    expect(both.out).toBe(alone.out);
  });
  // The documentation's recipe in files (fixtures/text/compare-recipe, CPython 3.12): the baseline's
  // statistics, then compare_to's changes, each a moment of its own, its sizes whole: one series (the
  // baseline was left out as another kind, the growth read +1465 KiB for +1758; h374).
  it("keeps statistics and compare_to's changes of one key as one series", async () => {
    const files = [0, 1, 2, 3].map((i) => `fixtures/text/compare-recipe/top-${i}.txt`);
    const r = await cli('leaks', ...files, '--json');
    expect(r.err).not.toContain('leaving out');
    const last = readFileSync(files[3]!, 'utf8').split('\n')[0]!;
    const printed = /:11: size=(\d+) KiB/.exec(last)![1];
    const site = (
      JSON.parse(r.out) as { sites: { lineno: number; growthBytes: number; bytesPerCapture: number[] }[] }
    ).sites.find((x) => x.lineno === 11)!;
    expect(site.bytesPerCapture[0]).toBe(0);
    expect(Math.round(site.growthBytes / 1024)).toBe(Number(printed));
  });
});
