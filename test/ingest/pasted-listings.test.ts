// tracemalloc statistics as people paste them (fixtures/text/make_pasted.py): a real program's
// listings, printed by CPython 3.11, and the copies a terminal 80 or 100 columns wide, a web page, a
// Markdown code block, list or quote (an e-mail's, ending in a bare '> '), a chat's code block, an editor
// and another logger make of them. Each copy reads as the listings CPython computed (the Statistic objects, written by the same
// script), or the leak a copy hid is missed: wrapped at 80 columns, a series of five listings read as
// two sites and no leak.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

type Frame = { filename: string; lineno: number };
type Stat = {
  frames: readonly Frame[];
  size: number;
  count: number;
  sizeDiff: number | null;
  countDiff: number | null;
};

const DIR = 'fixtures/text/pasted';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<
  'series' | 'traceback' | 'compare',
  Stat[][]
> & { leaks: Frame[] };
const COPIES = ['wrap80', 'wrap100', 'double', 'indent', 'quote', 'quote-end', 'tabs', 'nbsp', 'bullets', 'chat'];
// What a reader knows of a statistic: frames and counts exact, sizes to the 3 digits tracemalloc printed.
const read = (s: Stat) => [s.frames, s.count, s.countDiff, formatSize(s.size), s.sizeDiff && formatSize(s.sizeDiff)];
const key = (f: Frame): string => `${f.filename}:${f.lineno}`;

describe.each(['series', 'traceback', 'compare'] as const)('%s.log', (name) => {
  it.each(['', ...COPIES])('copied as %s: every listing as CPython computed it', async (copy) => {
    const log = (await loadCapture(`${DIR}/${name}${copy ? `.${copy}` : ''}.log`)) as StatisticsLog;
    expect(log.listings.map((l) => l.stats.map(read))).toEqual(expected[name].map((l) => l.map(read)));
    const said = log.warnings.join('\n');
    if (copy.startsWith('wrap')) expect(said).toMatch(/lines wrapped when copied joined back to the line before them/);
    if (copy === 'double') expect(said).toMatch(/blank lines inside a listing \(a double-spaced copy\) read past/);
  });
});

// Copies found in public pages (h267): a blog's paste with '#' before each line but its first statistic
// (no space after it: '#<frozen importlib._bootstrap>:219', '#/usr/lib/python3.6/linecache.py:137'), and a
// log whose format puts the logger's name and its level as one word before the message ('app.INFO: ',
// reeyarn/openesef) or the name alone before absolute file names ('app: /srv/app.py:12: …'). Read with
// the marks and names in their file names, every site was another, exit 0.
describe('copies with marks or a logger name before the file names (h267)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-marked-'));
  const copy = async (name: 'series' | 'traceback' | 'compare', change: (lines: string[]) => string[]) => {
    const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.log`);
    writeFileSync(file, change(readFileSync(`${DIR}/${name}.log`, 'utf8').split('\n')).join('\n'));
    return (await loadCapture(file)) as StatisticsLog;
  };
  const first = (lines: string[]) => lines.findIndex((l) => l.includes(': size='));
  it.each(['traceback', 'compare'] as const)(
    "%s.log with '#' before every line but the first statistic",
    async (name) => {
      const log = await copy(name, (lines) => lines.map((l, i) => (i === first(lines) || !l ? l : `#${l}`)));
      expect(log.listings.map((l) => l.stats.map(read))).toEqual(expected[name].map((l) => l.map(read)));
    },
  );
  // A byte of the level name behind a time stamp changed on the leaking line: it was left out as printed
  // after other text, and the leak missed (h272); '#' before the file name behind the prefix is a mark.
  it("series.log with 'INF0' on the leaking line of its last listing: an error naming it", async () => {
    const lines = readFileSync(`${DIR}/series.log`, 'utf8').split('\n');
    const leak = expected.leaks[0]!;
    const at = lines.map((l) => l.includes(`${key(leak)}: size=`)).lastIndexOf(true);
    lines[at] = lines[at]!.replace(' INFO ', ' INF0 ');
    const file = join(dir, 'inf0.log');
    writeFileSync(file, lines.join('\n'));
    const r = await cli('stats', file);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining(`: line ${at + 1}: a statistic whose text before its file name`),
    ]);
  });
  it("series.log with '#' before the file names behind the log prefix: every listing as CPython computed it", async () => {
    const log = await copy('series', (lines) => lines.map((l) => l.replace(/ memory: (?=\/)/, ' memory: #')));
    expect(log.listings.map((l) => l.stats.map(read))).toEqual(expected.series.map((l) => l.map(read)));
  });
  const prefix = /^\d{4}-\d\d-\d\d [\d:,]+ INFO memory: /;
  it.each(['memory.INFO: ', 'memory: '])("series.log logged behind '%s'", async (logged) => {
    const log = await copy('series', (lines) => lines.map((l) => l.replace(prefix, logged)));
    expect(log.listings.map((l) => l.stats.map(read))).toEqual(expected.series.map((l) => l.map(read)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});

// Logged behind a logger's name on CPython 3.8 (fixtures/text/make_labelled.py): __main__'s file named
// relative ('memwatch: program.py:17'), the others absolute. 7 sites of 8 were left out as printed after
// other text, the eighth named 'memwatch: program.py'; by traceback, with the name before each frame
// too, every listing read empty (Total: 0 B), exit 0 (h271).
describe('listings logged behind a logger name, CPython 3.8 (h271)', () => {
  const LABELLED = 'fixtures/text/labelled';
  const truth = JSON.parse(readFileSync(`${LABELLED}/expected.json`, 'utf8')) as Record<string, Stat[][]>;
  const site = (s: Pick<Stat, 'frames' | 'size' | 'count'>) => [s.frames, s.count, formatSize(s.size)];
  it.each(Object.keys(truth))('%s: every listing as CPython computed it', async (name) => {
    const log = (await loadCapture(`${LABELLED}/${name}`)) as StatisticsLog;
    expect(log.listings.map((l) => l.stats.map(site))).toEqual(truth[name]!.map((l) => l.map(site)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-labelled-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const changed = async (name: string, change: (line: string) => string, ...flags: string[]) => {
    const lines = readFileSync(`${LABELLED}/${name}`, 'utf8').split('\n');
    // The leaking line's statistic in the last listing.
    const at = lines.map((l) => l.includes('program.py:17: size=')).lastIndexOf(true);
    lines[at] = change(lines[at]!);
    const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, lines.join('\n'));
    return { at: at + 1, r: await cli('stats', file, '--json', ...flags) };
  };
  it('name.lineno.log with a byte of the name changed on the leaking line: that line its own label, read so', async () => {
    const { r } = await changed('name.lineno.log', (l) => l.replace('memwatch: ', 'memwatcb: '));
    const names = (JSON.parse(r.out) as { stats: { frames: Frame[] }[] }).stats.map((s) => s.frames[0]!.filename);
    expect(names).toContain('program.py');
  });
  it.each([
    ['name-level.lineno.log', (l: string) => l.replace('memwatch.INFO: ', 'memwatch.INF0: ')],
    ['name.lineno.log', (l: string) => l.replace('memwatch: ', 'memwatch; ')],
  ])('%s with a byte of its prefix damaged on the leaking line: an error naming it', async (name, change) => {
    const { at, r } = await changed(name, change);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining(`: line ${at}: a statistic whose text before its file name`),
    ]);
    expect((await changed(name, change, '--lenient')).r.code).toBe(0);
  });
  // Two loggers taking turns ('memwatch: ' and 'memwatcq: '): refused as damaged, or left out (h272).
  it.each(Object.keys(truth))(
    '%s logged by two loggers in turn: every listing as CPython computed it',
    async (name) => {
      let stat = 0;
      const lines = readFileSync(`${LABELLED}/${name}`, 'utf8')
        .split('\n')
        .map((l) => {
          if (/: size=/.test(l)) stat++;
          return stat % 2 === 0 ? l.replace(/^memwatch(?=[.:])/, 'memwatcq') : l;
        });
      const file = join(dir, `two-${name}`);
      writeFileSync(file, lines.join('\n'));
      const log = (await loadCapture(file)) as StatisticsLog;
      expect(log.listings.map((l) => l.stats.map(site))).toEqual(truth[name]!.map((l) => l.map(site)));
    },
  );
  it('name.traceback.log with a byte of the name damaged on a frame line: an error naming it', async () => {
    const lines = readFileSync(`${LABELLED}/name.traceback.log`, 'utf8').split('\n');
    const at = lines.map((l) => l.includes('File "program.py", line 17')).lastIndexOf(true);
    lines[at] = lines[at]!.replace('memwatch:', 'memwatcb:');
    const file = join(dir, 'frame.log');
    writeFileSync(file, lines.join('\n'));
    const r = await cli('stats', file);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining(`: line ${at + 1}: a frame line whose text before it`),
    ]);
  });
  it('name.lineno.log with a space more after the name: the same site', async () => {
    const { r } = await changed('name.lineno.log', (l) => l.replace('memwatch: ', 'memwatch:  '));
    const names = (JSON.parse(r.out) as { stats: { frames: Frame[] }[] }).stats.map((s) => s.frames[0]!.filename);
    expect(names).toContain('program.py');
    expect(names.filter((n) => n.trim() !== n)).toEqual([]);
  });
});

// The same program run from a folder whose names hold spaces (make_pasted.py --spaced): a wrap inside
// such a file name was no piece of a path, so each statistic read as a listing of its own, its file
// name cut ('dulo.py'), and a leak was missed with no word (the traceback listing: 160 B of 1471 KiB).
describe.each(['series', 'traceback', 'compare'] as const)('%s.log, run from a folder with spaces', (name) => {
  const spaced = JSON.parse(readFileSync(`${DIR}-spaced/expected.json`, 'utf8')) as typeof expected;
  it.each(['', 'wrap80', 'wrap100'])('copied as %s: every listing as CPython computed it', async (copy) => {
    const log = (await loadCapture(`${DIR}-spaced/${name}${copy ? `.${copy}` : ''}.log`)) as StatisticsLog;
    expect(log.listings.map((l) => l.stats.map(read))).toEqual(spaced[name].map((l) => l.map(read)));
    if (copy) expect(log.warnings.join('\n')).toMatch(/lines wrapped when copied joined back to the line before them/);
  });
});

describe('a series wrapped by an 80-column terminal', () => {
  it('leaks, report and gate find the leaking line, as in the log itself', async () => {
    for (const copy of ['', '.wrap80', '.double', '-spaced/series.wrap80']) {
      const [dir, file] = copy.startsWith('-')
        ? [`${DIR}-spaced`, `${DIR}${copy}.log`]
        : [DIR, `${DIR}/series${copy}.log`];
      const truth = (JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as typeof expected).leaks.map(key);
      const leaks = await cli('leaks', file, '--json');
      const sites = (JSON.parse(leaks.out) as { sites: (Frame & { verdict: string })[] }).sites;
      expect(sites.filter((s) => s.verdict === 'leak').map(key), file).toEqual(truth);
      const gate = await cli('gate', file);
      expect([gate.code, gate.out], file).toEqual([1, expect.stringContaining(':13')]);
    }
  });
});

describe('a path with spaces printed as wide as the terminal before each listing (fixtures/text/printed-path)', () => {
  // make_printed_path.py: a data file's path of 80 characters, then print(stat) of the top 4, four
  // times; folded at 80. The path was glued to the statistic after it (a piece of a file name with
  // spaces), the leaking line read as '…000003.csv/tmp/…/program.py:11' grown by 1172 KiB, not 879.
  it('stays a line of its own: every listing as CPython computed it, the leak as large as it grew', async () => {
    const DIR = 'fixtures/text/printed-path';
    const truth = JSON.parse(readFileSync(`${DIR}/truth.json`, 'utf8')) as (Frame & {
      size: number;
      count: number;
    })[][];
    const log = (await loadCapture(`${DIR}/out.wrap80.log`)) as StatisticsLog;
    expect(log.listings.map((l) => l.stats.map((s) => [key(s.frames.at(-1)!), s.count, formatSize(s.size)]))).toEqual(
      truth.map((l) => l.map((s) => [key(s), s.count, formatSize(s.size)])),
    );
  });
});

describe('lines that only look like a wrapped piece', () => {
  it('a rule as wide as the terminal before a statistic stays a line of its own', async () => {
    const rule = '='.repeat(80);
    const lines = readFileSync(`${DIR}/traceback.log`, 'utf8').split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-pasted-'));
    try {
      const file = join(dir, 'ruled.log');
      writeFileSync(file, [rule, ...lines].join('\n'));
      const log = (await loadCapture(file)) as StatisticsLog;
      expect(log.listings.map((l) => l.stats.map(read))).toEqual(expected.traceback.map((l) => l.map(read)));
      // A URL as wide, a log line of its own, and a listing title: none is a piece of the file name.
      const url = `https://example.org/${'a'.repeat(70)}`;
      writeFileSync(file, [url, ...lines].join('\n'));
      const again = (await loadCapture(file)) as StatisticsLog;
      expect(again.listings[0]!.stats[0]!.frames.at(-1)!.filename).toBe(
        expected.traceback[0]![0]!.frames.at(-1)!.filename,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// What programs print is no paste (fixtures/text/printed/make_printed.sh, real runs): read as printed,
// never joined or read past as a copy would be (each of these was, when the rules above were first made).
describe('listings as programs print them', () => {
  const DIR_PRINTED = 'fixtures/text/printed';
  it.each([
    ['top1_blank.log', 4], // print(top 1); print() for each of 4 phases: no double-spaced copy of one listing
    ['top1_logged.log', 4], // a title logged by the listing's own logger before each top 1
    ['traceback_titles.log', 3], // a printed title after a source line of 92 columns: no wrapped end of it
    ['path_then_listing.log', 3], // a path printed before each listing: no piece of the file name after it
    ['path80_then_listing.log', 4], // the same, 80 columns: as wide as a terminal, no wrap all the same
    ['logged_path.log', 4], // a path logged before each listing
    ['two_loggers.log', 2], // another logger's lines between two listings, the second's sites smaller and new
    ['logged_word.log', 6], // `epoch=1/6` logged before each: no piece of a path, the name after it relative (h326)
    ['logged_word_wide.log', 6], // the same, a wider log format: no line wider than the logged one (h329)
    ['logged_url.log', 6], // a URL logged before each (h329)
    ['logged_top1.log', 6], // a `key=value` path logged before each top 1 (h329)
    ['logged_checkpoint.log', 6], // a checkpoint's path logged before each printed top 1 (h330)
    ['printed_paths.log', 6], // two paths as wide as each other printed before each top 3 (h330)
  ])('%s: %i listings', async (name, listings) => {
    const log = (await loadCapture(`${DIR_PRINTED}/${name}`)) as StatisticsLog;
    expect(log.listings.length).toBe(listings);
    expect(log.warnings.join('\n')).not.toMatch(/joined back|read past/);
    if (name.includes('path') || name.includes('logged_'))
      for (const l of log.listings)
        expect(l.stats[0]!.frames[0]!.filename).toMatch(/^(\/.*\/)?\w+_listing\.py$|(logged|printed)_\w+\.py$/);
  });
});

describe('a line of 1 MiB among a listing (fuzz finding, seed 37)', () => {
  // 1 MiB of spaces, held as a piece of a wrapped line: with the frame line after it, its indentation
  // was taken off in time quadratic in its length (a minute and more).
  it('is read in the time of any other line', async () => {
    const lines = readFileSync(`${DIR}/series.log`, 'utf8').split('\n');
    lines.splice(2, 0, ' '.repeat(1 << 20), '2026-11-30 18:49:34,929 INFO [app.worker]   File "x.py", line 76');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-long-line-'));
    try {
      writeFileSync(join(dir, 'long.log'), lines.join('\n'));
      // A process of its own: a hang in this one would hold the test file past any time limit.
      const r = await cli('info', join(dir, 'long.log'));
      expect([r.code, r.out]).toEqual([0, expect.stringMatching(/^listings +[2-9]/m)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 15_000);
});

// The tracemalloc documentation's recipes print statistics otherwise (fixtures/text/recipes, CPython
// 3.11): not read, said what each is, by the line that shows it (they were "not a format").
describe('listings of the documentation recipes', () => {
  it.each([
    ['refused-display-top.txt', 2, /display_top\(\) listing \(sizes to 0\.1 KiB, no counts\)/],
    ['refused-largest-traceback.txt', 1, /largest-traceback listing \(one statistic\)/],
    // The same lines logged ('%(asctime)s %(levelname)s %(name)s: %(message)s'): they were "not a format".
    ['refused-display-top-logged.txt', 2, /display_top\(\) listing \(sizes to 0\.1 KiB, no counts\)/],
    ['refused-largest-traceback-logged.txt', 1, /largest-traceback listing \(one statistic\)/],
    // What a notebook shows of statistics('lineno')[:3]: "not a format", with no hint.
    ['refused-repr.txt', 1, /the repr of tracemalloc's Statistic objects/],
  ])('%s: refused, named by its line, with what is read instead', async (file, line, what) => {
    const r = await cli('stats', `fixtures/text/recipes/${file}`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`recipes/${file}: line ${line}: `);
    expect(r.err).toMatch(what);
    expect(r.err).toMatch(/print\(stat\).*snapshot\.dump/);
  });

  // A top 2 by line printed, then the largest traceback as the recipe prints it: its frames name both
  // lines, and were read as the last statistic's traceback: the helper's line merged into its caller's
  // (one site of 1222 KiB where CPython lists two).
  it.each(['listing-then-largest-traceback.txt', 'listing-then-largest-traceback-logged.txt'])(
    '%s: the listing as CPython computed it, the recipe’s frames left out',
    async (file) => {
      const truth = JSON.parse(
        readFileSync('fixtures/text/recipes/listing-then-largest-traceback.json', 'utf8'),
      ) as (Frame & { size: number; count: number })[];
      const log = (await loadCapture(`fixtures/text/recipes/${file}`)) as StatisticsLog;
      expect(log.listings).toHaveLength(1);
      expect(log.listings[0]!.stats.map((s) => [s.frames.map(key), s.count, formatSize(s.size)])).toEqual(
        truth.map((t) => [[key(t)], t.count, formatSize(t.size)]),
      );
      expect(log.warnings.join('\n')).toMatch(/frames after other text inside a listing .* left out: line 4/);
      const r = await cli('stats', `fixtures/text/recipes/${file}`);
      expect([r.code, r.out.split('\n').length]).toEqual([0, 4]);
    },
  );

  it('frames whose quotes a word processor or chat made typographic (File “app.py”) are the statistics’ (h245)', async () => {
    // Passed over as another thread's lines, each statistic was keyed by its oldest frame: the leak by its caller.
    const text = readFileSync(`${DIR}/traceback.log`, 'utf8').replace(
      /File "(.*)", line /g,
      'File \u201c$1\u201d, line ',
    );
    expect(text).toContain('\u201d, line ');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-curly-'));
    try {
      const path = join(dir, 'curly.log');
      writeFileSync(path, text);
      const [whole, curly] = [
        (await loadCapture(`${DIR}/traceback.log`)) as StatisticsLog,
        (await loadCapture(path)) as StatisticsLog,
      ];
      expect(curly.listings.map((l) => l.stats.map(read))).toEqual(whole.listings.map((l) => l.stats.map(read)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a paste's '...' among a statistic's frames is no other text: the frames after it are the statistic's", async () => {
    const lines = readFileSync(`${DIR}/traceback.log`, 'utf8').split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-elided-frames-'));
    try {
      const path = join(dir, 'elided.log');
      writeFileSync(path, [...lines.slice(0, 3), '  ...', ...lines.slice(3)].join('\n'));
      const [whole, elided] = [
        (await loadCapture(`${DIR}/traceback.log`)) as StatisticsLog,
        (await loadCapture(path)) as StatisticsLog,
      ];
      // (A paste's '...' ends its listing's rows: its top rows are read, here the statistic above it.)
      expect(read(elided.listings[0]!.stats[0]!)).toEqual(read(whole.listings[0]!.stats[0]!));
      expect(elided.listings[0]!.stats[0]!.frames).toHaveLength(2);
      expect(elided.warnings.join('\n')).not.toContain('frames after other text');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a session fed to IPython from a pipe (fixtures/text/repl/make_repl.sh): output after its prompts', () => {
  // The first listing's largest statistic follows 'In [5]:    ...: ' on its line: it was left out as
  // printed after other text, and the leak read as growing from 0 B.
  it('reads the statistic after the prompts as its listing’s first: the leak as IPython printed it', async () => {
    const text = readFileSync('fixtures/text/repl/ipython.txt', 'utf8');
    const printed = [...text.matchAll(/<ipython-input-4-\w+>:2: size=(\S+ \S+), count=(\d+)/g)].map((m) => m[1]);
    expect(printed).toHaveLength(4);
    const log = (await loadCapture('fixtures/text/repl/ipython.txt')) as StatisticsLog;
    const sizes = log.listings.map((l) => l.stats.find((s) => s.frames[0]!.filename.startsWith('<ipython-input-4-')));
    expect(sizes.map((s) => (s ? formatSize(s.size) : null))).toEqual(printed);
    expect(log.warnings.join('\n')).not.toContain('printed after other text');
    const gate = await cli('gate', 'fixtures/text/repl/ipython.txt');
    expect([gate.code, gate.out]).toEqual([1, expect.stringMatching(/<ipython-input-4-\w+>:2 \(\+445\.\d KiB/)]);
  });
});

describe('a traceback listing word-wrapped at 80 columns (fixtures/text/words80: the real `fold -s -w 80`)', () => {
  // An e-mail client's wrap leaves a frame line's `File` alone, its file name on the next lines: the
  // bare `File` ended the listing, its frames were dropped, and the leak was put at its caller's line.
  it('reads as the listing CPython printed, the leak at its own line', async () => {
    const D = 'fixtures/text/words80';
    const [printed, wrapped] = await Promise.all([
      cli('stats', '-g', 'traceback', `${D}/deep.log`),
      cli('stats', '-g', 'traceback', `${D}/deep.f80.log`),
    ]);
    expect(readFileSync(`${D}/deep.f80.log`, 'utf8')).toMatch(/^ {2}File $/m);
    expect(wrapped.out).toBe(printed.out);
    const leaks = await cli('leaks', `${D}/deep.f80.log`);
    expect(leaks.out).toMatch(/^ {2}leak {2}cache\.py:3 /m);
    expect(leaks.out).not.toMatch(/^ {2}leak {2}svc\.py/m);
  });
});

describe('logs wrapped at 72 and 80 columns (fixtures/text/folded: the real `fold -s` and `fold`)', () => {
  // A log prefix was left alone on its line when the file name after it did not fit, the name broken
  // where wider than the line, `<frozen abc>` at its space: each piece read as a statistic or listing of
  // its own ("No leak found" over 19 captures of a log of 4).
  const D = 'fixtures/text/folded';
  it.each(['named', 'dashed', 'basic'].flatMap((f) => [`${f}.f72`, `${f}.f80`, `${f}.h72`, `${f}.h80`]))(
    '%s.log reads as the log itself: the same listings, the leak at its line',
    async (name) => {
      const log = name.replace(/\.[fh]\d+$/, '');
      // (By file, not by traceback: a listing by line cannot be grouped finer than its key, and is refused.)
      for (const by of ['lineno', 'filename']) {
        const [printed, wrapped] = await Promise.all([
          cli('stats', '-g', by, `${D}/${log}.log`),
          cli('stats', '-g', by, `${D}/${name}.log`),
        ]);
        expect(printed.code).toBe(0);
        expect(wrapped.out).toBe(printed.out);
      }
      const [original, folded] = await Promise.all([
        loadCapture(`${D}/${log}.log`) as Promise<StatisticsLog>,
        loadCapture(`${D}/${name}.log`) as Promise<StatisticsLog>,
      ]);
      const figures = (log: StatisticsLog) => log.listings.map((l) => l.stats.map(({ inputLine, ...s }) => s));
      expect(figures(folded)).toEqual(figures(original));
      const leaks = await cli('leaks', `${D}/${name}.log`);
      expect(leaks.out).toMatch(/^Leaks over 4 captures/m);
      expect(leaks.out).toMatch(/^ {2}leak {2}journal\.py:5 /m);
    },
    30_000,
  );

  // Hard-wrapped (a terminal's wrap, `fold -w`): a statistic logged a record broken inside its file name,
  // over two lines or more, the rest unprefixed. Read as a statistic of its own, the piece before it
  // ending the listing: a listing a statistic, the log prefix glued to names, the leak passed (h324).
  const hardFold = (text: string, width: number): string =>
    text
      .split('\n')
      .flatMap(function fold(l: string): string[] {
        return l.length <= width ? [l] : [l.slice(0, width), ...fold(l.slice(width))];
      })
      .join('\n');
  const folds = mkdtempSync(join(tmpdir(), 'arenascope-hard-fold-'));
  afterAll(() => rmSync(folds, { recursive: true, force: true }));
  it.each([
    ['named.log', 60],
    ['named.log', 66],
    ['named.log', 100],
    ['basic.log', 60],
    ['dashed.log', 66],
    ['dashed.log', 100],
    ['../found/gigaam-readme-log.md', 80],
    // A title before each top 3, a statistic broken before its average: the title was glued to the file
    // name (a terminal fills a line before it wraps: the title is shorter than the line after it; h329).
    ['titled.log', 70],
    ['titled.log', 71],
  ])('%s wrapped at %i columns reads as the log itself', async (name, width) => {
    const folded = join(folds, `${name.replace(/\W/g, '_')}.${width}`);
    writeFileSync(folded, hardFold(readFileSync(`${D}/${name}`, 'utf8'), width));
    for (const by of ['lineno', 'filename']) {
      const [printed, wrapped] = await Promise.all([
        cli('stats', '-g', by, `${D}/${name}`),
        cli('stats', '-g', by, folded),
      ]);
      expect(printed.code).toBe(0);
      expect(wrapped.out).toBe(printed.out);
      expect(wrapped.err).toMatch(/lines wrapped when copied joined back/);
    }
  });

  // Copied from an 80-column terminal, then indented as a reply's code block (4 spaces, a tab): each
  // wrap's rest carries the block's indentation (refused: "a statistic cut short").
  it.each([
    ['series', '    '],
    ['compare', '    '],
    ['traceback', '\t'],
    ['../diff/after', '    '], // (no piece of it alone looks like a statistic: "not a format arenascope reads", h330)
  ])(
    'fixtures/text/pasted/%s.log wrapped at 80 columns, then indented (%j), reads as the log',
    async (name, indent) => {
      const source = `fixtures/text/pasted/${name}.log`;
      const pasted = join(folds, `${name.replace(/\W/g, '_')}.indented`);
      const wrapped = hardFold(readFileSync(source, 'utf8'), 80);
      writeFileSync(
        pasted,
        wrapped
          .split('\n')
          .map((l) => `${indent}${l}`)
          .join('\n'),
      );
      const [printed, read] = await Promise.all([cli('stats', source), cli('stats', pasted)]);
      expect(printed.code).toBe(0);
      expect(read.out).toBe(printed.out);
    },
  );

  it("a listing logged as one message after a line end ('\\n' + its lines): the prefix alone is not its first line's", async () => {
    expect(readFileSync(`${D}/joined.log`, 'utf8')).toMatch(/ INFO memwatch: \n\/.*journal\.py:5: size=/);
    const log = (await loadCapture(`${D}/joined.log`)) as StatisticsLog;
    expect(log.listings.map((l) => l.stats.length)).toEqual([5, 5, 5, 5]);
    expect(
      log.listings.flatMap((l) => l.stats.map((s) => s.frames[0]!.filename)).filter((f) => f.includes('INFO')),
    ).toEqual([]);
    const leaks = await cli('leaks', `${D}/joined.log`);
    expect(leaks.out).toMatch(/^ {2}leak {2}journal\.py:5 .*confidence/m);
  });

  it("reads the frames logged behind ' - ' separators (%(levelname)s - %(message)s): the leak at its own line", async () => {
    const text = readFileSync(`${D}/dashed.log`, 'utf8');
    expect(text).toMatch(/ - INFO - {3}File "/);
    const log = (await loadCapture(`${D}/dashed.log`)) as StatisticsLog;
    expect(log.listings.every((l) => l.tracebacks)).toBe(true);
    const leaks = await cli('leaks', `${D}/dashed.log`);
    expect(leaks.out).toMatch(/^ {2}leak {2}journal\.py:5 /m);
    expect(leaks.out).not.toMatch(/^ {2}leak {2}app\.py/m);
  });
});
