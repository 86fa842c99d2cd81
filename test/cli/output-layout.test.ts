// Terminal output that fits (issue 16, item 8): paths cut to their shortest unique suffix (whole with
// --full-paths), tables and lines within the terminal's width, long lists capped with a count, and a
// line report's increases only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { alignTable, shortestUniqueSuffixes, wrapLines } from '../../src/report/text/layout.js';
import { cli } from '../helpers.js';

/** The command line with a terminal `columns` wide, as bin/main passes process.stdout.columns. */
async function atWidth(columns: number, ...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s), columns });
  return { code, out, err };
}

const widest = (text: string): number => Math.max(...text.split('\n').map((l) => l.length));

describe('shortest unique suffixes', () => {
  it('keeps as many trailing components as tell a path apart', () => {
    const short = shortestUniqueSuffixes([
      '/srv/app/models/user.py',
      '/srv/app/views/user.py',
      '/usr/lib/python3.11/json/decoder.py',
      'C:\\app\\main.py',
      'user.py',
    ]);
    expect(short('/srv/app/models/user.py')).toBe('models/user.py');
    expect(short('/srv/app/views/user.py')).toBe('views/user.py');
    expect(short('/usr/lib/python3.11/json/decoder.py')).toBe('decoder.py');
    expect(short('C:\\app\\main.py')).toBe('main.py');
    // A path that is the suffix of another cannot be shortened: it stays whole.
    expect(short('user.py')).toBe('user.py');
    expect(short('<frozen importlib._bootstrap>')).toBe('<frozen importlib._bootstrap>');
  });

  it('fits a table by cutting its first column from the left, never the figures', () => {
    const rows = [
      ['capture', 'arenas'],
      ['a/very/long/label/of/a/capture.pickle', '12 .. 40'],
    ];
    const lines = alignTable(rows, 30);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines[1]).toMatch(/^….*capture\.pickle {2}12 \.\. 40$/);
  });

  it('names cut to fit that share an ending lose the ending first (every capture read "….pickle" at 60 columns)', () => {
    const rows = [
      ['capture', 'arenas', 'since first', 'utilization', 'pinned'],
      ...[1, 2, 10].map((k) => [`snap-${k}.pickle`, '1', '0', '2%', '1']),
    ];
    const lines = alignTable(rows, 44);
    expect(lines.map((l) => l.split(/ +/)[0])).toEqual(['capture', 'snap-1', 'snap-2', 'snap-10']);
    // Left as they are when it would make two alike, or when the table fits.
    expect(
      alignTable(
        [
          ['c', 'n'],
          ['a.x', '1'],
          ['a.y', '2'],
        ],
        4,
      ).map((l) => l.split(/ +/)[0]),
    ).toEqual(['c', 'a.x', 'a.y']);
    expect(alignTable(rows, 80)[1]).toMatch(/^snap-1\.pickle /);
  });

  it('wraps long prose at spaces, indenting what follows', () => {
    const lines = wrapLines(['  one two three four five six seven eight nine ten'], 20);
    expect(lines).toEqual(['  one two three four', '    five six seven', '    eight nine ten']);
    expect(wrapLines(['x'.repeat(50)], 20)).toEqual(['x'.repeat(50)]);
  });
});

describe('paths in text output', () => {
  const pairing = [
    'fixtures/pairing/snap-1.pickle',
    'fixtures/pairing/snap-2.pickle',
    'fixtures/pairing/snap-3.pickle',
  ];

  it('replay names captures by their shortest unique suffix; --full-paths whole', async () => {
    const short = await cli('replay', ...pairing);
    expect(short.out).toMatch(/^snap-1\.pickle +\d/m);
    const full = await cli('replay', ...pairing, '--full-paths');
    expect(full.out).toMatch(/^fixtures\/pairing\/snap-1\.pickle +\d/m);
  });

  it('leaks names sites by their shortest unique suffix; --full-paths whole', async () => {
    const short = await cli('leaks', 'fixtures/leaks/memo_leak', '--no-source');
    expect(short.out).toContain('  leak  memo_leak.py:9  ');
    const full = await cli('leaks', 'fixtures/leaks/memo_leak', '--no-source', '--full-paths');
    expect(full.out).toContain('  leak  fixtures/leaks/workloads/memo_leak.py:9  ');
  });

  it('stats and diff print file names as tracemalloc does, whole', async () => {
    const r = await cli('stats', 'fixtures/leaks/memo_leak/snap-9.pickle', '-n', '1');
    expect(r.out).toMatch(/^fixtures\/leaks\/workloads\/memo_leak\.py:9: size=/);
  });
});

describe('within 80 columns', () => {
  it.each([
    [
      'replay',
      'fixtures/pairing/snap-1.pickle',
      'fixtures/pairing/snap-2.pickle',
      '--allocator-stats',
      'fixtures/pairing',
    ],
    ['replay', 'fixtures/leaks/lru_plateau', '--full-paths'],
    ['leaks', 'fixtures/leaks/memo_leak', 'fixtures/leaks/mprof/leak.dat', 'fixtures/mprof/report-p1.txt'],
    ['report', 'fixtures/leaks/memo_leak', 'fixtures/leaks/mprof/leak.dat', '--format', 'text'],
  ])('%s %s', async (...args) => {
    const r = await atWidth(80, ...args);
    expect(r.code).toBe(0);
    expect(widest(r.out)).toBeLessThanOrEqual(80);
  });

  it('gate: the summary wraps, --github annotations stay one line each', async () => {
    const r = await atWidth(80, 'gate', 'fixtures/run-folder/run', '--github');
    expect(r.code).toBe(1);
    const summary = r.out.slice(r.out.indexOf('FAIL'));
    expect(widest(summary)).toBeLessThanOrEqual(80);
    expect(r.out).toMatch(/^::error file=[^\n]*app\.py,line=14,[^\n]*confidence/m);
  });

  it('output to a pipe (no width) is not wrapped', async () => {
    const r = await cli('replay', 'fixtures/leaks/lru_plateau');
    expect(widest(r.out)).toBeGreaterThan(80);
  });
});

describe('long lists are capped, with the count of the rest', () => {
  it("an mprof run's @profile calls that kept memory", async () => {
    const all = await cli('leaks', 'fixtures/mprof/funcs.dat');
    expect(all.out).toContain('    __main__.work: ');
    const one = await cli('leaks', 'fixtures/mprof/funcs.dat', '-n', '1');
    expect(one.out).toContain('    __main__.cleanup: ');
    expect(one.out).not.toContain('    __main__.work: ');
    expect(one.out).toContain('    … 1 more (use --limit 2)');
  });

  it('a gate failure names each place once', async () => {
    const r = await cli('gate', 'fixtures/gate/leaky');
    expect(r.code).toBe(1);
    const line = r.out.split('\n').find((l) => l.startsWith('FAIL max-leaks'))!;
    expect(line.match(/service\.py:37/g)).toHaveLength(1);
  });
});

describe("a line report's largest increments", () => {
  it('lists the lines that added memory only (memory_profiler wrote 0.0 and -24.9 MiB lines too)', async () => {
    const r = await cli('leaks', 'fixtures/mprof/report-mixed.log');
    const list = r.out.slice(r.out.indexOf('largest increments:')).split('\n').slice(1);
    const increments = list.filter((l) => /^ {4}\S+:\d+ {2}/.test(l));
    expect(increments).toEqual([
      '    mp_report_mixed.py:18  25.0 MiB  data.append(bytearray(b"\\x06" * (5 * 2 ** 20)))',
    ]);
  });
});

describe('progress on a terminal', () => {
  it('shows the page rendering, then erases it; nothing when stderr is not a terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-progress-'));
    const lines: (string | null)[] = [];
    try {
      const html = join(dir, 'r.html');
      const io = { out: () => undefined, err: () => undefined, progress: (t: string | null) => lines.push(t) };
      expect(await runCli(['report', 'fixtures/leaks/memo_leak', '-o', html], io)).toBe(0);
      expect(lines).toEqual([`rendering ${html}…`, null]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
