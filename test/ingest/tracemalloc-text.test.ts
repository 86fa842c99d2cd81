// tracemalloc statistics as programs log them, from real runs of CPython 3.6, 3.7 and 3.13
// (fixtures/text/make_logging_logs.py): behind the prefixes of logging formats, and with tracebacks
// printed oldest first (3.7+), most recent first (3.6, and 3.7+'s most_recent_first=True). Expected
// values are the Statistic objects CPython computed, written by the same script.
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
type Expected = { python: string; listings: { format: string; listing: string; stats: Stat[] }[] };

const DIR = 'fixtures/text/logging';
const LOGS = ['py36', 'py37', 'py313'].map((name) => ({
  log: `${DIR}/${name}.log`,
  expected: JSON.parse(readFileSync(`${DIR}/${name}.expected.json`, 'utf8')) as Expected,
}));
// What a reader knows of a statistic: frames and counts exact, sizes to the 3 digits tracemalloc printed.
const read = (s: Stat) => [s.frames, s.count, s.countDiff, formatSize(s.size), s.sizeDiff && formatSize(s.sizeDiff)];
const key = (f: Frame): string => `${f.filename}:${f.lineno}`;

describe.each(LOGS)('$log', ({ log, expected }) => {
  // 3.6's Traceback reads like 3.7's the other way round: only the Python version tells them apart.
  const python = expected.python.startsWith('3.6.') ? '3.6' : undefined;

  it('reads every listing as CPython computed it, whatever logging format it was written through', async () => {
    const c = (await loadCapture(log, python ? { python } : {})) as StatisticsLog;
    expect(c.listings.map((l) => l.stats.map(read))).toEqual(expected.listings.map((l) => l.stats.map(read)));
    expect(c.warnings.join('\n')).toContain('statistic lines behind a log prefix (17 listings, the first at line 2');
  });

  it('names the same sites in a listing behind a prefix and in one without', async () => {
    const c = (await loadCapture(log, python ? { python } : {})) as StatisticsLog;
    const plain = expected.listings.findIndex((l) => l.format === '%(message)s' && l.listing === 'top 8 lines');
    const sites = (i: number) => c.listings[i]!.stats.map((s) => key(s.frames[0]!));
    expect(expected.listings.filter((l) => l.listing === 'top 8 lines').length).toBe(9);
    expected.listings.forEach((l, i) => {
      if (l.listing === 'top 8 lines') expect(sites(i)).toEqual(sites(plain));
    });
  });

  it('stats by line names the frame each traceback allocated at', async () => {
    const r = await cli('stats', log, '--json', ...(python ? ['--python', python] : []));
    expect(r.code).toBe(0);
    const last = expected.listings[expected.listings.length - 1]!.stats;
    const got = (JSON.parse(r.out) as { stats: Stat[] }).stats.map((s) => [key(s.frames[0]!), s.count]);
    // Each traceback listed here allocated at a line of its own: the most recent frame, oldest-first's last.
    expect(got.sort()).toEqual(last.map((s) => [key(s.frames[s.frames.length - 1]!), s.count]).sort());
  });
});

describe('frame order told by the header', () => {
  it('reads a 3.7+ listing made with most_recent_first=True from its header, and says so', async () => {
    const c = (await loadCapture(`${DIR}/py313.log`)) as StatisticsLog;
    expect(c.warnings.join('\n')).toMatch(
      /4 tracebacks \(the first at line \d+\) list their frames from the other end/,
    );
  });

  it("reads 3.6's listing, whose header is its first frame as in 3.7+, as 3.7+ unless told --python 3.6, and says so", async () => {
    const e = LOGS[0]!.expected.listings;
    const c = (await loadCapture(`${DIR}/py36.log`)) as StatisticsLog;
    const last = c.listings[c.listings.length - 1]!.stats;
    expect(last.map((s) => s.frames)).toEqual(e[e.length - 1]!.stats.map((s) => [...s.frames].reverse()));
    // It read the wrong end as the allocating line, silently (helper h147).
    expect(c.warnings.join('\n')).toMatch(
      /\d+ tracebacks \(the first at line \d+\) read oldest frame first, as CPython 3\.7\+ prints them \(3\.6 printed the most recent first\): if 3\.6 printed it, give --python 3\.6/,
    );
    const told = (await loadCapture(`${DIR}/py36.log`, { python: '3.6' })) as StatisticsLog;
    expect(told.warnings.join('\n')).not.toContain('give --python 3.6');
  });
});

describe('leaks --python 3.6 of a series 3.6 logged (fixtures/text/leak-tb, make.sh)', () => {
  // The warning said to give --python 3.6, which leaks did not take (exit 2), and leaks blamed the
  // caller, line 15, for the strings made at line 11.
  it('names the line that allocates, as of the same program logged by 3.8', async () => {
    const d = 'fixtures/text/leak-tb';
    const top = (r: { out: string }) =>
      (JSON.parse(r.out) as { sites: { lineno: number; verdict: string }[] }).sites.find((s) => s.verdict === 'leak')!
        .lineno;
    const py38 = await cli('leaks', `${d}/leak-tb-3.8.log`, '--json');
    const untold = await cli('leaks', `${d}/leak-tb-3.6.log`, '--json');
    expect(untold.err).toContain('if 3.6 printed it, give --python 3.6 (stats, diff and leaks take it)');
    const told = await cli('leaks', `${d}/leak-tb-3.6.log`, '--json', '--python', '3.6');
    expect([told.code, top(told), top(py38)]).toEqual([0, 11, 11]);
    expect(told.err).not.toContain('give --python 3.6');
  });
});

describe('stats -g traceback --python 3.6 of a log 3.6 printed', () => {
  it("lists each traceback's frames as 3.6 did, most recent first (it printed 3.7's order)", async () => {
    const e = LOGS[0]!.expected.listings;
    const expected = e[e.length - 1]!.stats;
    const r = await cli('stats', `${DIR}/py36.log`, '-g', 'traceback', '--python', '3.6', '--no-source');
    expect(r.code).toBe(0);
    // Each statistic's `File "…", line N` lines, in the order printed.
    const printed = r.out
      .split(/^(?! )/m)
      .filter((block) => block.includes('  File "'))
      .map((block) => [...block.matchAll(/^ {2}File "(.*)", line (\d+)$/gm)].map((m) => `${m[1]}:${m[2]}`));
    // The expected frames are put oldest first (make_logging_logs.py); 3.6 printed them the other way.
    expect(printed).toEqual(expected.map((s) => s.frames.map((f) => `${f.filename}:${f.lineno}`).reverse()));
  });

  it('convert --python 3.6 writes its tracebacks oldest first, as stats --python 3.6 reads them (h371 F2)', async () => {
    // fixtures/text/py36-traceback (CPython 3.6.15): every block made at line 6, called from lines 7
    // and 8. convert had no --python: the JSON kept 3.6's order, its callers read as the sites.
    const d = mkdtempSync(join(tmpdir(), 'py36-'));
    const json = join(d, 'tb36.json');
    const log = 'fixtures/text/py36-traceback/tb36.txt';
    expect((await cli('convert', log, '--to', 'json', '--python', '3.6', '-o', json)).code).toBe(0);
    const sites = (out: string) =>
      (JSON.parse(out) as { stats: { frames: { filename: string; lineno: number }[] }[] }).stats.map(
        (x) => `${x.frames[0]!.filename}:${x.frames[0]!.lineno}`,
      );
    expect(sites((await cli('stats', json, '--json')).out)).toEqual(['g36.py:6']);
    expect(sites((await cli('stats', log, '--python', '3.6', '--json')).out)).toEqual(['g36.py:6']);
    rmSync(d, { recursive: true });
  });
});

describe('statistic lines behind a log prefix', () => {
  const expected = JSON.parse(readFileSync('fixtures/text/service.expected.json', 'utf8')) as {
    leaks: Frame[];
  };
  const log = readFileSync('fixtures/text/service.log', 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-prefix-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const leakSites = (out: string): string[] =>
    (JSON.parse(out) as { sites: (Frame & { verdict: string })[] }).sites
      .filter((s) => s.verdict === 'leak')
      .map(key)
      .sort();

  it('leaks over a series logged with timestamps finds the lines CPython showed leaking', async () => {
    // Every line of service.log behind a prefix with its own time: unread, each would be a site of its own.
    let ms = 0;
    const prefixed = log.replace(
      /^(?=.)/gm,
      () => `2026-11-22 10:00:00,${String(ms++ % 1000).padStart(3, '0')} INFO [svc] `,
    );
    writeFileSync(join(dir, 'service.log'), prefixed);
    const r = await cli('leaks', join(dir, 'service.log'), '--json');
    expect(r.code).toBe(0);
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
  });

  it("behind docker compose's column, with another container's lines among its own, as the plain log", async () => {
    let k = 0;
    const compose = log
      .trimEnd()
      .split('\n')
      .flatMap((l) =>
        k++ % 3 === 2 ? [`db-1   | LOG:  checkpoint starting: time`, `app-1  | ${l}`] : [`app-1  | ${l}`],
      )
      .join('\n');
    writeFileSync(join(dir, 'compose.log'), `${compose}\n`);
    const r = await cli('leaks', join(dir, 'compose.log'), '--json');
    expect(r.code).toBe(0);
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
  });

  it('of two docker compose services, each printing its listings: refused, naming both (h192)', async () => {
    // The real log twice, as two services' (web-1 a round's listing, then worker-1 its own): read as one
    // series, web-1's listing took the lines and worker-1's were passed over among it, unsaid, so a leak
    // of worker-1's alone passed the gate.
    const rounds = log.trimEnd().split(/\n(?=.* INFO handled )/);
    const both = rounds.flatMap((r) => [
      ...r.split('\n').map((l) => `web-1     | ${l}`),
      ...r.split('\n').map((l) => `worker-1  | ${l}`),
    ]);
    writeFileSync(join(dir, 'two-services.log'), `${both.join('\n')}\n`);
    for (const cmd of ['leaks', 'gate', 'stats']) {
      const r = await cli(cmd, join(dir, 'two-services.log'));
      expect([r.code, r.err], cmd).toEqual([
        2,
        expect.stringContaining(
          "tracemalloc statistics of 2 docker compose services (web-1's from line 3, worker-1's from here): each " +
            "service's listings are a series of its own, not one; give one service's lines (grep '^worker-1 ')",
        ),
      ]);
    }
    // One service's lines: its listings, as the plain log.
    const one = both.filter((l) => l.startsWith('worker-1 ')).join('\n');
    writeFileSync(join(dir, 'one-service.log'), `${one}\n`);
    const r = await cli('leaks', join(dir, 'one-service.log'), '--json');
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
  });

  it("from a Kubernetes node's container log (CRI: time, stream, F or P), as the plain log", async () => {
    // `kubectl logs` strips it; the files under /var/log/containers keep it. Its "stdout F " was read as
    // the start of every file name (helper h147).
    const cri = log.replace(/^(?=.)/gm, () => '2026-11-22T10:00:00.123456789Z stdout F ');
    writeFileSync(join(dir, 'cri.log'), cri);
    const r = await cli('leaks', join(dir, 'cri.log'), '--json');
    expect(r.code).toBe(0);
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
  });

  it('from a GitLab job log with timestamps (FF_TIMESTAMPS: time, stream number, O or E), as the plain log', async () => {
    // Its "00O " was read as the start of every file name (gate --github named 'file=00O /…').
    let i = 0;
    const gitlab = log.replace(
      /^/gm,
      () => `2026-11-22T10:00:00.${String(i).padStart(6, '0')}Z 0${i % 2}${i++ % 3 ? 'O' : 'E'} `,
    );
    writeFileSync(join(dir, 'gitlab.log'), gitlab.replace(/\n[^\n]*$/, '\n'));
    const r = await cli('leaks', join(dir, 'gitlab.log'), '--json');
    expect(r.code).toBe(0);
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
  });

  it('leaves unprefixed logs as they were read', async () => {
    for (const f of ['fixtures/text/app.log', 'fixtures/text/service.log']) {
      const c = (await loadCapture(f)) as StatisticsLog;
      expect(c.warnings.join('\n')).not.toContain('log prefix');
      expect(c.warnings.join('\n')).not.toContain('from the other end');
    }
  });
});

describe('frame lines as a reader meets them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-frames-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stat = 'app.py:3: size=1024 B, count=2, average=512 B';

  it('a filename holding `", line ` is read to the last one, as the line was printed', async () => {
    const f = join(dir, 'odd.log');
    // (Its statistic names it too: format() lists a statistic's key among its frames.)
    writeFileSync(
      f,
      `a", line 3.py:7: size=1024 B, count=2, average=512 B\n  File "a", line 3.py", line 7\n    x = 1\n`,
    );
    const c = (await loadCapture(f)) as StatisticsLog;
    expect(c.listings[0]!.stats[0]!.frames).toEqual([{ filename: 'a", line 3.py', lineno: 7 }]);
  });

  it('frame lines pasted without their indentation, or with a tab, are frames (the listing was split, its largest lost)', async () => {
    const listing = [
      '/srv/app/cache.py:14: size=937 KiB, count=12900, average=74 B',
      'File "/srv/app/cache.py", line 14',
      'File "/srv/app/store.py", line 7',
      '/srv/app/main.py:9: size=252 KiB, count=2942, average=88 B',
      '\tFile "/srv/app/main.py", line 9',
    ];
    const f = join(dir, 'pasted.log');
    writeFileSync(f, `${listing.join('\n')}\n`);
    const c = (await loadCapture(f)) as StatisticsLog;
    expect(c.listings).toHaveLength(1);
    expect(c.listings[0]!.stats.map((s) => s.frames)).toEqual([
      [
        { filename: '/srv/app/cache.py', lineno: 14 },
        { filename: '/srv/app/store.py', lineno: 7 },
      ],
      [{ filename: '/srv/app/main.py', lineno: 9 }],
    ]);
  });

  it('a real listing whose frame and source lines all lost their indentation reads as the original (it was split at every source line)', async () => {
    for (const name of ['py36', 'py313']) {
      const real = `fixtures/text/logging/${name}.log`;
      // Behind its logging prefix, then with the prefix gone too (copied from a log viewer).
      const lines = readFileSync(real, 'utf8').split('\n');
      const unindented = lines.map((l) => l.replace(/^(.*?\[app\.worker\] )[ \t]+/, '$1'));
      const bare = unindented.map((l) => l.replace(/^.*?\[app\.worker\] /, ''));
      const original = (await loadCapture(real)) as StatisticsLog;
      expect(original.listings.some((l) => l.stats.some((x) => x.frames.length > 2))).toBe(true);
      for (const [kind, text] of [
        ['unindented', unindented],
        ['bare', bare],
      ] as const) {
        const f = join(dir, `${name}-${kind}.log`);
        writeFileSync(f, text.join('\n'));
        const c = (await loadCapture(f)) as StatisticsLog;
        const shape = (x: StatisticsLog) => x.listings.map((l) => l.stats.map((st) => [st.size, st.count, st.frames]));
        expect(shape(c)).toEqual(shape(original));
      }
    }
  });

  it('a line of 100,000 `  File "` is no frame, read at once (a regular expression ran for minutes on it)', async () => {
    const f = join(dir, 'many.log');
    writeFileSync(f, `${stat}\n${'  File "'.repeat(100_000)}\n`);
    const c = (await loadCapture(f)) as StatisticsLog;
    expect(c.listings[0]!.stats[0]!.frames).toEqual([{ filename: 'app.py', lineno: 3 }]); // the printed key alone
  });
});

describe('a periodic logger: the top lines every round, nothing between rounds (fixtures/text/make_periodic_log.py)', () => {
  it("reads a round per listing, as CPython computed each (the rounds were read as one and each site's summed)", async () => {
    const expected = JSON.parse(readFileSync('fixtures/text/periodic.expected.json', 'utf8')) as {
      rounds: { filename: string; lineno: number; count: number }[][];
    };
    const c = (await loadCapture('fixtures/text/periodic.log')) as StatisticsLog;
    expect(c.listings.map((l) => l.stats.map((s) => ({ ...s.frames[s.frames.length - 1]!, count: s.count })))).toEqual(
      expected.rounds,
    );
    const r = await cli('leaks', 'fixtures/text/periodic.log', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).captures).toBe(expected.rounds.length);
  });

  it("a stable app's rounds, each the same lines at the same sizes, are a listing each (they were summed)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-rounds-'));
    try {
      const round = [
        'app.py:3: size=1056 KiB (+0 B), count=20001 (+0), average=54 B',
        'app.py:9: size=12.0 KiB (+0 B), count=3 (+0), average=4096 B',
      ];
      const f = join(dir, 'stable.log');
      writeFileSync(f, `${[...round, ...round, ...round].join('\n')}\n`);
      const c = (await loadCapture(f)) as StatisticsLog;
      expect(c.listings.map((l) => l.stats.map((s) => s.count))).toEqual([
        [20001, 3],
        [20001, 3],
        [20001, 3],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one listing by traceback whose statistics print the same oldest frame stays one (it was split in three)', async () => {
    const expected = JSON.parse(readFileSync('fixtures/text/periodic.expected.json', 'utf8')) as {
      traceback: { size: number; count: number };
    };
    const c = (await loadCapture('fixtures/text/listings/traceback-oldest.log')) as StatisticsLog;
    expect(c.listings).toHaveLength(1);
    expect(c.listings[0]!.stats.reduce((n, s) => n + s.count, 0)).toBe(expected.traceback.count);
  });
});

describe('diff of a whole dump and a logged listing', () => {
  it('is refused: the sites the listing leaves out would read as freed (they read as freed, exit 0)', async () => {
    for (const args of [
      ['fixtures/dumps/py311-inventory-a.pickle', 'fixtures/text/app.log'],
      ['fixtures/text/app.log', 'fixtures/dumps/py311-inventory-a.pickle'],
    ]) {
      const r = await cli('diff', ...args);
      expect([r.code, r.err]).toEqual([
        2,
        expect.stringContaining('app.log is a logged listing (its top N sites only)'),
      ]);
    }
    expect((await cli('diff', 'fixtures/text/app.log', 'fixtures/text/service.log')).code).toBe(0);
  });

  it('converted to JSON, a listing stays one: refused against a dump, and by replay (both read it as whole, exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-listing-json-'));
    const listing = join(dir, 'listing.json');
    const dump = 'fixtures/dumps/py311-inventory-a.pickle';
    expect(
      (await cli('convert', 'fixtures/text/listings/traceback-oldest.log', '--to', 'json', '-o', listing)).code,
    ).toBe(0);
    const diff = await cli('diff', dump, listing);
    expect([diff.code, diff.err]).toEqual([2, expect.stringContaining('listing.json is a logged listing')]);
    const replay = await cli('replay', listing);
    expect([replay.code, replay.err]).toEqual([2, expect.stringContaining('cannot be replayed')]);
    // A dump converted to JSON is a whole snapshot still, and so is JSON that does not say its origin.
    const whole = join(dir, 'dump.json');
    expect((await cli('convert', dump, '--to', 'json', '-o', whole)).code).toBe(0);
    expect((await cli('diff', dump, whole)).code).toBe(0);
    // Among dumps it is left out, as the log is (the listing's unlisted leak read as freed: gate passed).
    const mixed = await cli('leaks', '--json', dump, 'fixtures/dumps/py311-inventory-b.pickle', listing);
    expect(mixed.err).toContain('leaving out');
    expect(mixed.err).toContain('listing.json: logged tracemalloc statistics converted to JSON (a top N)');
    // Alone, it is read as the log is, said so; and it is compared as a log, not as a whole snapshot.
    expect((await cli('leaks', listing)).err).toContain('converted from logged tracemalloc statistics');
    const report = JSON.parse((await cli('report', '--format', 'json', listing)).out) as { formats: string[] };
    expect(report.formats).toEqual(['tracemalloc-text']);
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, readFileSync(whole, 'utf8').replace(/"sourceFormat":"[^"]*",?/, ''));
    expect((await cli('diff', dump, bare)).code).toBe(0);
  });
});

describe("a listing HTML-escaped (a page's source, a JUnit file's <system-out>)", () => {
  // '&lt;frozen importlib._bootstrap&gt;' was another file: a diff of a listing and its escaped copy
  // said half its sites gone and new (helper h257).
  it('reads as the listing printed: the same statistics, and no change in a diff of the two', async () => {
    const text = readFileSync('fixtures/text/app.log', 'utf8');
    expect(text).toContain('<frozen');
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const path = join(tmpdir(), `arenascope-escaped-${process.pid}.log`);
    writeFileSync(path, escaped);
    try {
      const [a, b] = [await cli('stats', 'fixtures/text/app.log', '--json'), await cli('stats', path, '--json')];
      expect(b.code, b.err).toBe(0);
      expect(b.out).toBe(a.out.replaceAll('fixtures/text/app.log', path));
      expect((await cli('diff', 'fixtures/text/app.log', path)).out).not.toMatch(/\(\+[1-9]|\(-[1-9]/);
    } finally {
      rmSync(path, { force: true });
    }
  });

  // CPython escapes no file name: one named 'a&lt;b.py' beside 'a<b.py' was read as it (h261).
  it('a file name holding an entity, on a line not escaped, keeps it', async () => {
    const path = join(tmpdir(), `arenascope-entity-name-${process.pid}.log`);
    writeFileSync(
      path,
      'R&D/a<b.py:3: size=1009 KiB, count=3001, average=344 B\nR&D/a&lt;b.py:3: size=337 KiB, count=1001, average=344 B\n',
    );
    try {
      const r = await cli('stats', path);
      expect(r.out).toContain('R&D/a&lt;b.py:3: size=337 KiB');
      expect(r.out).toContain('R&D/a<b.py:3: size=1009 KiB');
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('code compiled with the file name "" (fixtures/text/empty-name, CPython 3.11)', () => {
  // Its statistic ':1: size=…' after a whole one was joined to it as a line a terminal wrapped: one site
  // named by the other's figures, the largest gone, the total a third of CPython's (h263).
  it('is a site of its own, named as CPython prints it', async () => {
    const path = 'fixtures/text/empty-name/listing.log';
    const r = await cli('stats', path);
    expect(r.err).not.toContain('wrapped');
    expect(r.out.trimEnd().split('\n').slice(0, -1)).toEqual(readFileSync(path, 'utf8').trimEnd().split('\n'));
    const truth = JSON.parse(readFileSync('fixtures/text/empty-name/empty_name.truth.json', 'utf8')) as {
      listings: { frames: [string, number][]; count: number }[][];
    };
    const log = (await loadCapture(path)) as StatisticsLog;
    expect(log.listings[0]!.stats.map((st) => [st.frames.map((f) => [f.filename, f.lineno]), st.count])).toEqual(
      truth.listings[0]!.map((st) => [st.frames, st.count]),
    );
  });
});

describe('whole listings that looked damaged or cut (helper h266)', () => {
  // fold -w 80 of CPython 3.12's listing broke a line inside its count ('…, count=1' | '0, average=…'):
  // the first part matched a statistic without an average, and the listing split there, its 6 largest
  // sites lost, exit 0.
  it('a line a terminal wrapped inside its count is joined back', async () => {
    const dir = 'fixtures/text/wrapped-count';
    const r = await cli('stats', `${dir}/listing.f80.log`);
    expect(r.out.trimEnd().split('\n').slice(0, -1)).toEqual(
      readFileSync(`${dir}/listing.txt`, 'utf8').trimEnd().split('\n'),
    );
  });

  it.each([
    // Its last frame, of code compiled under the file's name past its last line, has no source line.
    ['fixtures/text/no-false-cuts/tb-top7.log', 7],
    // The program's own summary behind a time ('16:59:59 size=141.4 KiB, …') before its top 2 (of 3 asked).
    ['fixtures/text/no-false-cuts/time-before.log', 2],
  ])('%s is read whole', async (path, n) => {
    const r = await cli('stats', path, '-g', path.includes('tb-') ? 'traceback' : 'lineno', '--json');
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { stats: unknown[] }).stats).toHaveLength(n);
  });
});

describe('a statistic line damaged in a real log (fixtures/text/app.log)', () => {
  // A digit of a size changed to a letter ended the listing there: the sites after it were read as the
  // log's last listing, a total of a tenth of the real one, exit 0.
  it('is an error naming its line, or skipped with --lenient and a warning, the listing read whole', async () => {
    const lines = readFileSync('fixtures/text/app.log', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes(': size=62.5 KiB'));
    lines[at] = lines[at]!.replace('size=62.5 KiB', 'size=6x.5 KiB');
    const path = join(tmpdir(), `arenascope-damaged-stat-${process.pid}.log`);
    writeFileSync(path, lines.join('\n'));
    try {
      const r = await cli('stats', path);
      expect([r.code, r.err]).toEqual([
        2,
        `arenascope: ${path}: line ${at + 1}: a statistic that cannot be read (":729: size=6x.5 KiB, count=372, average=172 B"): ` +
          "expected '<file>:<line>: size=<size>, count=<n>[, average=<size>]'; --lenient skips it\n",
      ]);
      const lenient = (await loadCapture(path, { lenient: true })) as StatisticsLog;
      expect(lenient.warnings.join('\n')).toContain(
        `skipped 1 statistic line(s) that cannot be read, the first at line ${at + 1} (--lenient)`,
      );
      const whole = (await loadCapture('fixtures/text/app.log')) as StatisticsLog;
      expect(lenient.listings.length).toBe(whole.listings.length);
    } finally {
      rmSync(path, { force: true });
    }
  });

  // A byte of 'size' changed, or a NUL before the file name: the line was passed over as another line of
  // the log, or read as a site of its own ('\0app.py'), and a leak passed the gate (helper h258).
  it.each([
    ["'siz#e='", (l: string) => l.replace('size=', 'siz#e='), 'a statistic that cannot be read'],
    ["a NUL in 'size'", (l: string) => l.replace('size=', 'siz\0e='), 'a statistic that cannot be read'],
    ['a NUL before the file name', (l: string) => `\0${l}`, 'a statistic whose file name holds a NUL byte'],
    // Any other byte of its figures: the line was passed over, the listing split or its site left out.
    ["'KjB'", (l: string) => l.replace('KiB,', 'KjB,'), 'a statistic with a byte damaged'],
    ["'coun#='", (l: string) => l.replace('count=', 'coun#='), 'a statistic with a byte damaged'],
    ["'cont='", (l: string) => l.replace('count=', 'cont='), 'a statistic with a byte damaged'],
    ["'avera#e='", (l: string) => l.replace('average=', 'avera#e='), 'a statistic with a byte damaged'],
    ["';' after the line number", (l: string) => l.replace(': size=', '; size='), 'a statistic with a byte damaged'],
    ['a space taken away', (l: string) => l.replace(', count=', ',count='), 'a statistic with a byte damaged'],
    // The ':' before the line number changed or taken away: the line split its listing in two (known since h261).
    [
      "';' before the line number",
      (l: string) => l.replace(/>:(\d+): size=/, '>;$1: size='),
      'a statistic with a byte damaged',
    ],
    [
      "no ':' before the line number",
      (l: string) => l.replace(/>:(\d+): size=/, '>$1: size='),
      'a statistic with a byte damaged',
    ],
  ])('%s: an error naming its line', async (_, damage, message) => {
    const lines = readFileSync('fixtures/text/app.log', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes(': size=62.5 KiB'));
    lines[at] = damage(lines[at]!);
    const path = join(tmpdir(), `arenascope-damaged-byte-${process.pid}.log`);
    writeFileSync(path, lines.join('\n'));
    try {
      const r = await cli('stats', path);
      expect([r.code, r.err]).toEqual([2, expect.stringContaining(`${path}: line ${at + 1}: ${message}`)]);
      const lenient = (await loadCapture(path, { lenient: true })) as StatisticsLog;
      expect(lenient.warnings.join('\n')).toContain(`the first at line ${at + 1} (--lenient)`);
    } finally {
      rmSync(path, { force: true });
    }
  });

  // A listing's first or last statistic damaged, or the unit of a compare_to line's size ('KjB (+…'):
  // passed over as a line cut short or as text after the listing, exit 0 (helper h264).
  it.each([
    ['the first statistic of a listing', 4, (l: string) => l.replace('count=', 'cont=')],
    ['the last statistic of a listing', 13, (l: string) => l.replace(/, average=(\d+) B$/, ', average=$1B')],
    ["a compare_to size's unit", 46, (l: string) => l.replace('KiB (', 'KjB (')],
    ['a NUL for the comma after a unit', 46, (l: string) => l.replace('B), count', 'B)\0 count')],
  ])('%s: an error naming its line', async (_, lineNo, damage) => {
    const lines = readFileSync('fixtures/text/app.log', 'utf8').split('\n');
    const changed = damage(lines[lineNo - 1]!);
    expect(changed).not.toBe(lines[lineNo - 1]);
    lines[lineNo - 1] = changed;
    const path = join(tmpdir(), `arenascope-damaged-end-${process.pid}.log`);
    writeFileSync(path, lines.join('\n'));
    try {
      const r = await cli('stats', path);
      expect([r.code, r.err]).toEqual([
        2,
        expect.stringContaining(`${path}: line ${lineNo}: a statistic with a byte damaged`),
      ]);
    } finally {
      rmSync(path, { force: true });
    }
  });

  // Lines that end as a statistic does but are none: a log record's time and level before another word
  // ('13:52:05 INFO peak='), a program's own 'total=' (they were refused as damaged statistics: h259).
  it.each([
    '2026-12-06 13:52:05 INFO peak=204 KiB, count=200',
    '2026-12-06 13:52:05: peak=204 KiB, count=200',
    'cache:5: total=3 KiB, count=2',
  ])('%s after it: read as before, passed over', async (other) => {
    const path = join(tmpdir(), `arenascope-not-damaged-${process.pid}.log`);
    writeFileSync(path, `${readFileSync('fixtures/text/app.log', 'utf8')}${other}\n`);
    try {
      const r = await cli('stats', path, '--json');
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe(
        (await cli('stats', 'fixtures/text/app.log', '--json')).out.replaceAll('fixtures/text/app.log', path),
      );
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('lines like a statistic that are none are passed over, never refused', () => {
  // Made with CPython 3.12's tracemalloc and the logging formats people use: a suffix after the message,
  // padding, pytest's summary cut at the terminal's width, spaces a terminal left after each line.
  it.each([
    ['a logging suffix', (l: string) => `${l} [t1.py:8]`],
    ['padding and a bar', (l: string) => `${l.padEnd(100)}|`],
    ['a cut summary', (l: string) => `FAILED test_mem.py::test - assert ${l.slice(0, l.indexOf('KiB') + 2)}...`],
    ['a sentence ending in one', (l: string) => `largest now: ${l.slice(l.indexOf(' ') + 1)}.`],
    ['one quoted with a mark after it', (l: string) => `worst: ${l}!`],
    // A program's own summary: its space or digits where a statistic's ':' is (refused: h264).
    ['a summary of a step', () => 'snapshot 0: size=121.6 KiB, count=404'],
    ['a summary of step 10', () => 'step 10: size=15.0 KiB, count=10, average=1536 B'],
  ])('%s', async (_, change) => {
    const lines = readFileSync('fixtures/text/app.log', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes(': size=62.5 KiB'));
    lines.splice(at + 1, 0, change(lines[at]!));
    const path = join(tmpdir(), `arenascope-stat-like-${process.pid}.log`);
    writeFileSync(path, lines.join('\n'));
    try {
      expect((await cli('info', path)).code).toBe(0);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('spaces after each line (copied from a terminal) are no part of it', async () => {
    const path = join(tmpdir(), `arenascope-stat-trailing-${process.pid}.log`);
    const text = readFileSync('fixtures/text/app.log', 'utf8');
    writeFileSync(path, text.replace(/\n/g, '  \n'));
    try {
      const [padded, plain] = await Promise.all([cli('stats', path), cli('stats', 'fixtures/text/app.log')]);
      expect(padded.code).toBe(0);
      expect(padded.out).toBe(plain.out);
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('logs whose listings are not one capture each, or carry a rank (fixtures/text/make_mixed_listings.py)', () => {
  const MIXED = 'fixtures/text/mixed';
  const expected = JSON.parse(readFileSync(`${MIXED}/expected.json`, 'utf8')) as {
    rounds: { filename: string; lineno: number; size: number; count: number }[][];
  };
  const top = (n: number) => expected.rounds.map((r) => r.slice(0, n).map((s) => [s.filename, s.lineno, s.count]));
  const leakLines = async (log: string) => {
    const r = JSON.parse((await cli('leaks', log, '--json')).out) as { sites: { lineno: number; verdict: string }[] };
    return r.sites.filter((s) => s.verdict === 'leak').map((s) => s.lineno);
  };
  const listed = (c: StatisticsLog) =>
    c.listings.map((l) => l.stats.map((s) => [s.frames[0]!.filename, s.frames[0]!.lineno, s.count]));

  it.each([
    [
      'by-file-and-line',
      1,
      "(6 by file (statistics('filename'): line numbers 0); the first at line 2): printed beside 6 by line",
    ],
    ['stats-and-diff', 0, '(6 compare_to by line; the first at line 8): printed beside 6 by line'],
  ])(
    '%s: the listings by line, one a round, as CPython computed them; the others said left out',
    async (name, kept, said) => {
      const log = `${MIXED}/${name}.log`;
      // Read whole; the series leaves the others out, and says so.
      const c = (await loadCapture(log)) as StatisticsLog;
      expect(listed(c).filter((_, i) => i % 2 === kept)).toEqual(top(5));
      expect((await cli('leaks', log)).err).toContain(said);
      // The leaking line is a leak, and the gate fails on it (read with the other listings, its rounds
      // alternated with listings that lacked it: a plateau, and the gate passed).
      expect(await leakLines(log)).toContain(34);
      expect((await cli('gate', log)).code).toBe(1);
    },
  );

  // A program that went on printing by file after 4 rounds by line (CPython 3.11's own listings): the
  // listings by file were said to be "printed beside" those by line (h308 F4).
  it('a log that switched key: the later kind is said to follow, not printed beside', async () => {
    const log = 'fixtures/text/switched-key/switched.log';
    const r = await cli('leaks', log);
    expect(r.err).toContain(
      `leaving out listings of ${log} (4 by file (statistics('filename'): line numbers 0), from line 40): ` +
        'the log prints 4 by line before them, and a series is of one kind',
    );
    expect(r.err).not.toContain('printed beside');
    expect(await leakLines(log)).toEqual([16]);
  });

  it.each(['ranked', 'ranked-logging'])('%s: a rank before a statistic is no part of its file name', async (name) => {
    const log = `${MIXED}/${name}.log`;
    const c = (await loadCapture(log)) as StatisticsLog;
    expect(listed(c)).toEqual(top(4));
    // Each rank another site, a constant line climbing down the ranks read as a leak.
    expect(await leakLines(log)).toEqual([34]);
  });

  it("sizes from the printed size and average: both print again as CPython printed them, nearer CPython's", async () => {
    const c = (await loadCapture(`${MIXED}/by-file-and-line.log`)) as StatisticsLog;
    const lines = readFileSync(`${MIXED}/by-file-and-line.log`, 'utf8').split('\n');
    let printedError = 0;
    let error = 0;
    c.listings.forEach((l, k) => {
      if (k % 2 === 0) return; // by file
      const r = (k - 1) / 2;
      for (const [i, s] of l.stats.entries()) {
        const m = /size=(\S+ \S+), count=\d+, average=(\S+ \S+)$/.exec(lines[s.inputLine - 1]!)!;
        expect([formatSize(s.size), formatSize(s.size / s.count)]).toEqual([m[1], m[2]]);
        const exact = expected.rounds[r]![i]!.size;
        const [value, unit] = m[1]!.split(' ');
        printedError += Math.abs(Number(value) * { B: 1, KiB: 1024, MiB: 1024 ** 2 }[unit as 'B']! - exact);
        error += Math.abs(s.size - exact);
      }
    });
    expect(error).toBeLessThan(printedError);
  });
});

describe('kinds of listing at different moments, and ranks (fixtures/text/kinds, CPython 3.11)', () => {
  // What CPython computed each round (statistics('lineno'), sizes by site): the site that grew the most.
  type Rounds = Record<string, number>[];
  const truth = JSON.parse(readFileSync('fixtures/text/kinds/truth.json', 'utf8')) as Record<string, Rounds>;
  truth.t6 = JSON.parse(readFileSync('fixtures/text/kinds/t6.log.truth.json', 'utf8')) as Rounds;
  truth.t3 = JSON.parse(readFileSync('fixtures/text/kinds/t3.truth.json', 'utf8')) as Rounds;
  const grewMost = (rounds: Rounds): number => {
    const [first, last] = [rounds[0]!, rounds[rounds.length - 1]!];
    const grown = Object.keys(last).map((site) => [site, last[site]! - (first[site] ?? 0)] as const);
    const site = grown.sort((a, b) => b[1] - a[1])[0]![0];
    return Number(site.slice(site.lastIndexOf(':') + 1));
  };
  const leakLines = async (log: string) => {
    const r = JSON.parse((await cli('leaks', log, '--json')).out) as {
      sites: { filename: string; lineno: number; verdict: string }[];
    };
    expect(r.sites.every((s) => s.filename.startsWith('/'))).toBe(true); // no rank left before a name
    return r.sites.filter((s) => s.verdict === 'leak').map((s) => s.lineno);
  };

  it.each([
    // Top lines, then top tracebacks of depth 1 (one File line each): two kinds each round.
    ['t6.log', 't6'],
    // Top lines, then top tracebacks (4 frames) right after them, no title between: two kinds each round.
    ['t3.log', 't3'],
    // Top tracebacks every round: one frame each at first, two once a function's leak joins them.
    ['t1_depth.log', 't1'],
    // The baseline's top lines once, then compare_to(baseline) every round (the documentation's way).
    ['t2_base_diffs.log', 't2'],
    // Ranks before each statistic: '1. ', '#1 ', '[1] ', 'Top #1: ', '#1: '.
    ...['dot', 'hash_nocolon', 'bracket', 'top_hash', 'hash'].map((k) => [`t5_ranks_${k}.log`, 't5']),
  ])('%s: the leak CPython saw grow, alone', async (log, key) => {
    expect(await leakLines(`fixtures/text/kinds/${log}`)).toEqual([grewMost(truth[key!]!)]);
  });
});

describe('pytracemalloc on Python 2: its figures divided as whole numbers, each cut down, not rounded', () => {
  // Its _format_size divides by 1024 in whole numbers (Python 2's `/`), then prints '%.1f' below 100
  // and '%.0f' above; the average is size / count, cut down too. Sizes of 10,917 and 10,731 B print alike.
  const py2Size = (size: number): string => {
    let n = size;
    for (const unit of ['B', 'KiB', 'MiB']) {
      if (Math.abs(n) < 100 && unit !== 'B') return `${n.toFixed(1)} ${unit}`;
      if (Math.abs(n) < 10 * 1024) return `${n} ${unit}`;
      n = Math.floor(n / 1024);
    }
    return `${n} GiB`;
  };
  const line = (site: string, size: number, count: number) =>
    `${site}: size=${py2Size(size)} (+${py2Size(size)}), count=${count} (+${count}), average=${py2Size(Math.floor(size / count))}`;
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-py2-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads each size within what both its figures allow, in the order printed', async () => {
    const listing = join(dir, 'py2.txt');
    const stats = [
      ['/srv/obj_report.py:45', 10_917, 11],
      ['/srv/check_memory.py:61', 10_731, 127],
      ['/srv/obj_report.py:12', 1736, 6],
    ] as const;
    writeFileSync(listing, `[Top 10 differences]\n${stats.map(([s, n, c]) => line(s, n, c)).join('\n')}\n`);
    expect(line(...stats[0])).toContain('size=10.0 KiB (+10.0 KiB), count=11 (+11), average=992 B');
    const out = (await cli('stats', listing)).out.split('\n');
    expect(out.slice(0, 3).map((l) => l.slice(0, l.indexOf(':', 6)))).toEqual(
      stats.map(([s]) => s.slice(0, s.lastIndexOf(':'))),
    );
    // Their sizes within a few bytes: what the Python 3 figures then say.
    expect(out[0]).toBe('/srv/obj_report.py:45: size=10.7 KiB, count=11, average=992 B');
    expect(out[1]).toBe('/srv/check_memory.py:61: size=10.5 KiB, count=127, average=84 B');
    const log = (await loadCapture(listing)) as StatisticsLog;
    expect(log.warnings.join('\n')).toContain(
      '2 statistics (the first at line 2) agree with their averages only cut down',
    );
    expect(log.warnings.join('\n')).not.toContain('disagree');
  });
});

describe('listings found in public files (fixtures/text/found)', () => {
  const FOUND = 'fixtures/text/found';
  const tmp = mkdtempSync(join(tmpdir(), 'arenascope-found-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  type Sites = { snapshots: { topSites: { frames: Frame[]; internal: boolean }[] } };
  const topSites = async (file: string) => {
    const out = join(tmp, `${file}.json`);
    const r = await cli('report', join(FOUND, file), '--json-out', out, '-o', join(tmp, `${file}.html`));
    expect(r.code).toBe(0);
    return (JSON.parse(readFileSync(out, 'utf8')) as Sites).snapshots.topSites;
  };
  const lines = (out: string) => out.split('\n').filter((l) => /: size=/.test(l) && !l.startsWith('Total:'));
  // The file's own statistic lines, their comment marks taken off: as CPython printed them.
  const printed = (file: string, from: number, to: number) =>
    readFileSync(join(FOUND, file), 'utf8')
      .split('\n')
      .slice(from - 1, to)
      .map((l) => l.replace(/^\s*# /, ''));

  it('a line of its listing quoted again alone below it: no capture of its own (h238: a growth of -8217 KiB)', async () => {
    const file = 'pymemtrace-trace-malloc.rst';
    const text = readFileSync(join(FOUND, file), 'utf8').split('\n');
    const stats = text.map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => /: size=/.test(l));
    const [quote, at] = stats.at(-1)!;
    expect(stats.filter(([l]) => l === quote)).toHaveLength(2);
    const out = join(tmp, 'quoted.json');
    const r = await cli('report', join(FOUND, file), '--json-out', out, '-o', join(tmp, 'quoted.html'));
    expect(r.code).toBe(0);
    expect(r.err).toContain(`no capture of its own: line ${at}`);
    const d = JSON.parse(readFileSync(out, 'utf8')) as {
      snapshots: { labels: string[] };
      summary: { growthBytes: number | null };
    };
    expect([d.snapshots.labels.length, d.summary.growthBytes]).toEqual([1, null]);
  });

  it("kept as comments ('# ' before each line): the mark is no part of the file names", async () => {
    const notes = await cli('stats', join(FOUND, 'notes-filename.md'), '-g', 'filename');
    expect(notes.code).toBe(0);
    expect(lines(notes.out)).toEqual(printed('notes-filename.md', 4, 5));
    const script = await cli('stats', join(FOUND, 'kaitai-experiment.py'));
    expect(script.code).toBe(0);
    expect(lines(script.out)).toEqual(printed('kaitai-experiment.py', 25, 34));
    // The import system's lines are the machinery's, as anywhere else ('# <frozen …>' was the program's).
    const frozen = (await topSites('kaitai-experiment.py')).filter((x) =>
      x.frames[0]!.filename.startsWith('<frozen importlib'),
    );
    expect(frozen.length).toBe(2);
    expect(frozen.every((x) => x.internal)).toBe(true);
  });

  it("tracemalloc's own lines named by Windows paths are the machinery's: not the program's, not counted by a gate", async () => {
    // The two listings of kaitai-experiment.py apart: the second has tracemalloc.py:67 at +46.7 KiB.
    const [old, cur] = [join(tmp, 'k-old.txt'), join(tmp, 'k-new.txt')];
    writeFileSync(old, `${printed('kaitai-experiment.py', 5, 15).join('\n')}\n`);
    writeFileSync(cur, `${printed('kaitai-experiment.py', 24, 34).join('\n')}\n`);
    const gate = await cli('gate', cur, '--baseline', old, '--max-site-growth', '40KiB', '--ignore', '*exp_class.py');
    expect(gate.out).toContain(
      "1 line of tracemalloc, the import system or arenascope's capture code grew past the limit, not counted",
    );
    expect(gate.code).toBe(0);
    // A logged listing of CPython 3.12 on Windows: its tracemalloc.py lines are internal in the report's data.
    const sites = await topSites('windows-readme.md');
    const own = sites.filter((s) => s.frames[0]!.filename.endsWith('\\tracemalloc.py'));
    expect(own.map((s) => s.frames[0]!.lineno).sort()).toEqual([115, 193, 67].sort());
    expect(own.every((s) => s.internal)).toBe(true);
    expect(sites.find((s) => s.frames[0]!.filename.endsWith('\\app.py'))?.internal).toBe(false);
  });

  // `cat listing.txt mprofile_*.dat > both.txt`: the run (a real one, fixtures/leaks/mprof/leak.dat)
  // was dropped unsaid (h332 F2).
  it('a listing with an mprof run appended says it holds the run, from its CMDLINE line', async () => {
    const listing = readFileSync(join(FOUND, 'windows-readme.md'), 'utf8');
    const f = join(tmp, 'with-run.txt');
    writeFileSync(f, `${listing.trimEnd()}\n${readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8')}`);
    const cmdline = listing.trimEnd().split('\n').length + 1;
    const r = await cli('info', f);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/format +tracemalloc-text/);
    expect(r.err).toContain(
      `${f}: read as tracemalloc-text; from line ${cmdline} it also holds an mprof run (its MEM lines), not read`,
    );
    expect((await cli('info', join(FOUND, 'windows-readme.md'))).err).not.toContain('mprof run');
    // A program's own lines shaped alike, their "times" not rising, are no run (h343 F5).
    const own = join(tmp, 'own-mem-lines.txt');
    writeFileSync(own, `${listing.trimEnd()}\nMEM 1.0 2.0\nMEM 1.5 2.0\nMEM 1.2 2.0\n`);
    expect((await cli('info', own)).err).not.toContain('mprof run');
  });

  it('a file holding a line report and a listing is read as the first, and says it holds the other (h233)', async () => {
    const f = join(FOUND, 'two-formats-readme.md');
    const r = await cli('info', f);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/format +line-report/);
    expect(r.err).toContain(
      `${f}: read as line-report; it also holds tracemalloc-text (--input-format tracemalloc-text reads that)`,
    );
    const listing = await cli('stats', f, '--input-format', 'tracemalloc-text');
    expect(listing.code).toBe(0);
    expect(lines(listing.out).length).toBeGreaterThan(0);
  });
});
