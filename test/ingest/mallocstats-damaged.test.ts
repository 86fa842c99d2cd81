// Allocator reports damaged or dressed on the way to arenascope: a figure line deleted, the input cut,
// a log's or a quote's prefix on every line, tabs or no-break spaces for CPython's spaces. Each input is
// real CPython output (fixtures/mallocstats: make_fixtures.py) with the one change the test names.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { AllocatorStats } from '../../src/model/allocator-stats.js';
import { InputError, TruncatedError } from '../../src/util/errors.js';

const REPORT = 'fixtures/mallocstats/py311-debugmallocstats.txt'; // CPython 3.11.7, one report and its free lists
const LOG = 'fixtures/mallocstats/py311-mallocstats-env.log'; // PYTHONMALLOCSTATS=1, 7 reports among other stderr
const tmp = mkdtempSync(join(tmpdir(), 'arenascope-damaged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const linesOf = (path: string): string[] => readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
let n = 0;
const write = (lines: string[]): string => {
  const path = join(tmp, `input-${++n}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};
const failure = (path: string, allowPartial = false): Promise<Error> =>
  loadCapture(path, { allowPartial }).then(
    () => new Error('read'),
    (e: Error) => e,
  );

describe('a report without one of its figure lines', () => {
  const lines = linesOf(REPORT);
  const highwater = lines.findIndex((l) => l.startsWith('# arenas highwater mark'));

  it("names CPython's line that is missing and where the report ends, as a damaged report, not a cut", async () => {
    const path = write(lines.filter((_, i) => i !== highwater));
    for (const allowPartial of [false, true]) {
      const e = await failure(path, allowPartial);
      expect(e).toBeInstanceOf(InputError);
      expect(e).not.toBeInstanceOf(TruncatedError);
      // It said: "the allocator report that starts at line 1 has no arenasHighwater: the input stops at line
      // 82", and with --allow-partial "no allocator report found: expected 'Small block threshold = 512, …'".
      expect(e.message).toBe(
        `${path}: line ${highwater + 1}: the allocator report that starts at line 1 has no '# arenas highwater mark' ` +
          `line, which CPython prints after '# arenas reclaimed' (line ${highwater}); the report ends at ` +
          `line ${lines.length - 1}: a damaged report`,
      );
    }
  });

  it('cut off where the input ends: a cut, naming the first line missing; with --allow-partial, no "not found"', async () => {
    const first = lines.findIndex((l) => l.startsWith('# arenas allocated total'));
    const path = write(lines.slice(0, first - 1));
    const e = await failure(path);
    expect(e).toBeInstanceOf(TruncatedError);
    expect(e.message).toBe(
      `${path}: line ${first - 1}: the allocator report that starts at line 1 has no '# arenas allocated total' line ` +
        `(and 11 more): the input ends at line ${first - 1} (--allow-partial reads what is there)`,
    );
    const partial = await failure(path, true);
    expect(partial.message).toBe(
      `${path}: line ${first - 1}: the allocator report at line 1, the only one, is cut off before its figures end: ` +
        'nothing to read',
    );
  });
});

describe('a prefix on every line of the report is taken off, with a warning', () => {
  const prefixes: [string, (i: number) => string][] = [
    ["GitHub Actions' timestamp", () => '2024-05-01T10:00:00.1234567Z '],
    ['a timestamp that changes', (i) => `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.123Z `],
    [
      "GitLab's job log (FF_TIMESTAMPS: time, stream number, O or E)",
      (i) => `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.123456Z 0${i % 2}${i % 3 ? 'O' : 'E'} `,
    ],
    ["a Kubernetes node's container log", () => '2024-05-01T10:00:00.123456789Z stderr F '],
    ["docker compose's column", () => 'app_1  | '],
    ['a clock in brackets', () => '[12:00:01] '],
    ['a stream name', () => 'stderr: '],
    ['a quote', () => '> '],
    ['cat -n', (i) => `${String(i + 1).padStart(6)}\t`],
  ];
  const plain = async (path: string) => (await loadCapture(path)) as AllocatorStats;

  it.each(prefixes)('%s', async (_, prefix) => {
    for (const real of [REPORT, LOG]) {
      const lines = linesOf(real);
      // A mailer's quote keeps no blank after '>' on a blank line.
      const path = write(lines.map((l, i) => (l === '' ? prefix(i).trimEnd() || prefix(i) : prefix(i) + l)));
      const s = (await loadCapture(path)) as AllocatorStats;
      const want = await plain(real);
      expect(s.blocks).toEqual(want.blocks);
      const said = s.warnings.filter((w) => w.includes(" before CPython's text (a log or a quote): read without it"));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(
        new RegExp(`^${path}: line ${want.blocks[0]!.inputLine}: the lines of the allocator report carry '`),
      );
      expect(s.warnings.filter((w) => !said.includes(w))).toEqual(want.warnings.map((w) => w.replace(real, path)));
    }
  });

  it('terminal colours on every line (a report printed in colour) are taken off, silently', async () => {
    for (const real of [REPORT, LOG]) {
      const path = write(linesOf(real).map((l) => (l === '' ? l : `\x1b[32m${l}\x1b[0m`)));
      const s = (await loadCapture(path)) as AllocatorStats;
      const want = await plain(real);
      expect(s.blocks).toEqual(want.blocks);
      expect(s.warnings).toEqual(want.warnings.map((w) => w.replace(real, path)));
    }
  });

  it.each([
    ['tabs for runs of spaces', (l: string) => l.replace(/ {2,}/g, '\t')],
    ['no-break spaces', (l: string) => l.replace(/ {2}/g, '\u00a0 ')],
  ])('%s: read as spaces, silently', async (_, edit) => {
    const path = write(linesOf(REPORT).map(edit));
    const s = (await loadCapture(path)) as AllocatorStats;
    expect(s.blocks).toEqual((await plain(REPORT)).blocks);
    expect(s.warnings).toEqual([]);
  });
});

describe('a PYTHONMALLOCSTATS log with no exit report (fixtures/mallocstats/exit/make-312.sh: CPython 3.12.1 crashes at exit)', () => {
  const E = 'fixtures/mallocstats/exit';

  it('says its last report was printed before a new arena, when all were full: room freed later does not show', async () => {
    const log = (await loadCapture(`${E}/py312-crash-at-exit.log`)) as AllocatorStats;
    const truth = (await loadCapture(`${E}/py312-crash-at-exit-truth.txt`)) as AllocatorStats;
    const last = log.blocks.at(-1)!;
    // What the program ended with (its own sys._debugmallocstats()) has room the log's last report does not show.
    expect(last.unusedPools).toBe(0);
    expect(truth.blocks[0]!.unusedPools).toBeGreaterThan(last.unusedPools);
    // It was read with no warning, and the gate passed it at 0% where the program ends with 5 of 7 arenas spare.
    expect(log.warnings).toEqual([
      `${E}/py312-crash-at-exit.log: a PYTHONMALLOCSTATS log without the report CPython prints at exit (the process ` +
        `died first: 3.12.1 crashes there, or it was killed): its last report (line ${last.inputLine}) stands for the ` +
        'program, printed before a new arena, when all were full: room freed later does not show',
    ]);
  });
});

describe('reports of two CPython builds in one file (py311- then py38-debugmallocstats.txt, and the reverse)', () => {
  it.each([
    [
      REPORT,
      'fixtures/mallocstats/py38-debugmallocstats.txt',
      'arenas of 262,144 bytes, not 1,048,576; pools of 4,096 bytes, not 16,384',
    ],
    [
      'fixtures/mallocstats/py38-debugmallocstats.txt',
      REPORT,
      'arenas of 1,048,576 bytes, not 262,144; pools of 16,384 bytes, not 4,096',
    ],
  ])('%s then %s: refused as another build, not read as one process', async (first, second, changed) => {
    const lines = [...linesOf(first), ...linesOf(second)];
    const path = write(lines);
    const e = await failure(path);
    expect(e).toBeInstanceOf(InputError);
    // 3.11's report then 3.8's (arenas ever allocated rising) was read silently as one process.
    expect(e.message).toBe(
      `${path}: line ${linesOf(first).length + 1}: another CPython build's reports start here (${changed} as at ` +
        'line 1): a process cannot change them; logs appended? give each its own file',
    );
  });
});

// A report that lost its first line ('Small block threshold = …'), after a whole one: its table and
// figures were passed over unsaid, and the earlier report judged (a 3.12 heap 88% fragmented read as
// not at all: helper h229); alone, it was said to be free lists only, tracemalloc's doing.
describe("a report without its first line ('Small block threshold = …')", () => {
  const lines = linesOf(LOG);
  const second = lines.findIndex((l, i) => i > 0 && l.startsWith('Small block threshold'));
  const table = lines.findIndex((l, i) => i > second && l.startsWith('class   size'));
  const figures = lines.findIndex((l, i) => i > second && l.startsWith('# arenas allocated total'));

  it('after a whole report: refused at the line its table starts, or its figures', async () => {
    const cases: [string[], number][] = [
      [lines.filter((_, i) => i !== second), table],
      [[...lines.slice(0, second), ...lines.slice(figures)], second + 1],
    ];
    for (const [cut, at] of cases) {
      const e = await failure(write(cut));
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toMatch(
        new RegExp(
          `: line ${at}: an allocator report starts here at its (size-class table|figures \\('# arenas allocated total'\\)) without CPython's first line`,
        ),
      );
    }
  });

  it('alone: refused as a report missing its first line, not as free lists only', async () => {
    const one = linesOf(REPORT).slice(1);
    const e = await failure(write(one));
    expect(e.message).toMatch(/: line 2: an allocator report starts here at its size-class table without/);
    expect(e.message).not.toMatch(/free lists only/);
  });
});

describe("a figure filling printone's 21-character field (no space after '=')", () => {
  it('is read: a Total of 4,503,599,627,370,496 bytes is a figure that does not add up, not a missing line', async () => {
    const lines = linesOf(REPORT);
    const total = lines.findIndex((l) => l.startsWith('Total'));
    const big = '4,503,599,627,370,496'; // 2^52: 21 characters, as printone prints them (FORMATS.md 3.5)
    lines[total] = `${lines[total]!.slice(0, 36)}${big}`;
    expect(lines[total]).toMatch(/^Total {30}=4,503/);
    const s = (await loadCapture(write(lines))) as AllocatorStats;
    expect(s.blocks[0]!.total).toBe(2 ** 52);
    expect(s.blocks[0]!.warnings?.map((w) => [w.rule, w.line])).toEqual([['total', total + 1]]);
  });
});
