// Logs of real CPython runs that were once read wrong with exit 0 (fixtures/text/faults/make_faults.sh),
// each against the statistics CPython computed beside it (<name>.truth.json).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/faults';
type Truth = { pid?: number; listings: { frames: [string, number][]; size: number; count: number }[][] };
const truth = (name: string): Truth => JSON.parse(readFileSync(`${DIR}/${name}.truth.json`, 'utf8')) as Truth;

/** The listings of a log as a reader knows them: frames and counts exact, sizes to the 3 digits printed. */
async function listings(file: string): Promise<{ log: StatisticsLog; read: unknown[] }> {
  const log = (await loadCapture(`${DIR}/${file}`)) as StatisticsLog;
  const read = log.listings.map((l) =>
    l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
  );
  return { log, read };
}
const expected = (t: Truth): unknown[] => t.listings.map((l) => l.map((s) => [s.frames, s.count, formatSize(s.size)]));

describe('every line logged twice (a handler on the logger and on the root)', () => {
  it.each([
    ['dup_handler_lineno', 'by line, CPython 3.11'],
    ['dup_handler_traceback', 'by traceback with frames, CPython 3.13'],
  ])('%s (%s): each line read once, with a warning; the leak fails the gate', async (name) => {
    const { log, read } = await listings(`${name}.log`);
    expect(read).toEqual(expected(truth(name)));
    expect(log.warnings.join('\n')).toMatch(
      /\d+ statistic line\(s\) written twice in a row \(the first at line 4\), each read once/,
    );
    const gate = await cli('gate', `${DIR}/${name}.log`);
    expect(gate.code).toBe(1);
    expect(gate.out).toContain('dup_handler.py:14');
  });
});

describe('a top 2 printed each step with nothing between while memory shrinks (CPython 3.12)', () => {
  it('is read as its three listings, with a warning (one listing, each site summed: 446 KiB)', async () => {
    const { log, read } = await listings('shrink.log');
    expect(read).toEqual(expected(truth('shrink')));
    expect(log.warnings.join('\n')).toMatch(
      /naming a site again with nothing between read as listings of their own.*: line 1/,
    );
  });
});

describe('the top by file, then by line, each step with nothing between (CPython 3.12)', () => {
  it('is read as its eight listings (merged, the total was counted twice)', async () => {
    const { read } = await listings('file_then_line.log');
    expect(read).toEqual(expected(truth('file_then_line')));
  });

  it('stats counts the last listing by line alone, no file at line 0 among its sites', async () => {
    const r = await cli('stats', `${DIR}/file_then_line.log`, '--json');
    expect(r.code).toBe(0);
    const last = truth('file_then_line').listings.at(-1)!;
    const got = (JSON.parse(r.out) as { stats: { frames: { lineno: number }[]; count: number }[] }).stats;
    expect(got.map((s) => [s.frames[0]!.lineno, s.count])).toEqual(last.map((s) => [s.frames[0]![1], s.count]));
  });
});

describe("two forked workers logging to one file in gunicorn's format, one leaking (CPython 3.12)", () => {
  const [leaky, steady] = [truth('workers_leaky'), truth('workers_steady')];

  it("reads each worker's listings apart, each as that worker's CPython computed it", async () => {
    const { log, read } = await listings('workers.log');
    const of = (pid: number) => read.filter((_, i) => log.listings[i]!.process === String(pid));
    expect(of(leaky.pid!)).toEqual(expected(leaky));
    expect(of(steady.pid!)).toEqual(expected(steady));
  });

  it('gate refuses the mix, naming both PIDs (read as one series, it passed the leak)', async () => {
    const r = await cli('gate', `${DIR}/workers.log`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`listings of 2 processes (PIDs ${leaky.pid}, ${steady.pid}) logged to one file`);
  });

  it("the leaking worker's lines alone fail the gate at its leak", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-workers-'));
    try {
      const lines = readFileSync(`${DIR}/workers.log`, 'utf8').split('\n');
      const own = join(dir, 'leaky.log');
      writeFileSync(own, `${lines.filter((l) => l.includes(`] [${leaky.pid}] `)).join('\n')}\n`);
      const r = await cli('gate', own);
      expect([r.code, r.out]).toEqual([1, expect.stringContaining('workers.py:12')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a listing, then another script's SyntaxError in the same log (CPython 3.12)", () => {
  it("keeps its last statistic (renamed bad_script.py:1 by the error's frame line), with a warning", async () => {
    const { log, read } = await listings('listing_then_syntaxerror.log');
    expect(read).toEqual(expected(truth('listing')));
    // (Told by the caret under its code: an error's report.)
    expect(log.warnings.join('\n')).toMatch(
      /a frame with a caret under its source line \(an error's report.*: line 3$/m,
    );
  });
});

describe('statistic lines cut short in the middle of a real series (CPython 3.12, two lines torn)', () => {
  it('is an error naming the first such line (each split its listing, silently: the leak passed)', async () => {
    const r = await cli('gate', `${DIR}/refused-cut-series.log`);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringMatching(/refused-cut-series\.log: line 8: a statistic cut short .*--lenient/),
    ]);
  });

  it('--lenient reads the four listings without the torn lines, says so, and the leak fails the gate', async () => {
    const log = (await loadCapture(`${DIR}/refused-cut-series.log`, { lenient: true })) as StatisticsLog;
    const want = expected(truth('series')) as unknown[][];
    want[1]!.splice(2, 1); // line 8
    want[2]!.splice(1, 1); // line 12
    const read = log.listings.map((l) =>
      l.stats.map((s) => [s.frames.map((f) => [f.filename, f.lineno]), s.count, formatSize(s.size)]),
    );
    expect(read).toEqual(want);
    expect(log.warnings.join('\n')).toContain('skipped 2 statistic line(s) that cannot be read, the first at line 8');
    const gate = await cli('gate', '--lenient', `${DIR}/refused-cut-series.log`);
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining('series.py:8')]);
  });
});

describe("statistics logged under the program's label ('top_current i=1, stat=…', CPython 3.8)", () => {
  it("reads the file names without the label (they were 'stat=labelled.py'), with a warning", async () => {
    const { log, read } = await listings('labelled.log');
    expect(read).toEqual(expected(truth('labelled')));
    expect(log.warnings.join('\n')).toContain(
      '"stat=" before the file names of 9 statistics, the first at line 1: read as the program\'s label',
    );
  });
});

describe("statistics printed under the program's constant label ('[mem] …', CPython 3.11)", () => {
  it.each([
    ['bracket_label', 'the top 3 of a script, absolute file names'],
    ['bracket_label_lone', "each step's largest alone, from stdin ('<stdin>')"],
  ])('%s (%s): the file names without the label, with a warning', async (name) => {
    const { log, read } = await listings(`${name}.log`);
    expect(read).toEqual(expected(truth(name)));
    expect(log.warnings.join('\n')).toMatch(/"\[mem\] " before the file names of \d+ statistics, the first at line 1/);
  });

  it('the leak is named by its file, as CPython named it, in the gate and in the GitHub annotation', async () => {
    const gate = await cli('gate', '--github', `${DIR}/bracket_label_lone.log`);
    expect(gate.code).toBe(1);
    // '<stdin>' is no file GitHub can attach an annotation to: the error is the job's, naming the line.
    expect(gate.out).toMatch(/^::error title=arenascope max-leaks::leak at <stdin>:11 \(/m);
    expect(gate.out).not.toContain('[mem]');
  });
});

describe("statistics('traceback') printed without frames, one site named twice in each top 5 (CPython 3.12)", () => {
  it('is read as its four listings, each statistic under its oldest frame; the leak fails the gate', async () => {
    // Two listings each were read, of 2 and 3 statistics (a site named again began one): the leak, split
    // between them, read as shrinking, and the gate passed.
    const { log, read } = await listings('tb_noframes.log');
    const oldest = truth('tb_noframes').listings.map((l) => l.map((s) => [[s.frames[0]], s.count, formatSize(s.size)]));
    expect(read).toEqual(oldest);
    // Said: its sites are the tracebacks' oldest frames, not where the memory was allocated (h245).
    expect(log.warnings.join('\n')).toMatch(
      /tb_noframes\.log: line \d+: .*tb_noframes\.py:21" twice in one listing \(and in 3 more\): by traceback, printed without frames, each names its oldest frame/,
    );
    const gate = await cli('gate', `${DIR}/tb_noframes.log`);
    expect(gate.out).toMatch(/FAIL max-leaks: 1 leak \(limit 0\): \S+tb_noframes\.py:21 /);
    expect(gate.code).toBe(1);
  });
});

describe('statistics by traceback printed without frames, two of them the same line (CPython 3.12)', () => {
  // The first listing's two equal lines were read as a log's copy (one left out), and the others' two
  // lines of one site at one size as two rounds (the last listing read as its 3 smaller statistics).
  it('reads each listing whole, no line taken for a copy; the leak fails the gate', async () => {
    const { log, read } = await listings('tb_twins.log');
    const oldest = truth('tb_twins').listings.map((l) => l.map((s) => [[s.frames[0]], s.count, formatSize(s.size)]));
    expect(read).toEqual(oldest);
    expect(log.warnings.join('\n')).not.toMatch(/written twice/);
    const gate = await cli('gate', `${DIR}/tb_twins.log`);
    expect(gate.out).toMatch(/FAIL max-leaks: 1 leak \(limit 0\): \S+tb_twins\.py:24 /);
    expect(gate.code).toBe(1);
  });
});

describe('a warning logged inside titled listings of no usual length (CPython 3.12, stderr unbuffered)', () => {
  // The first step lists 3 sites, the others 10: the parts before and after the warning were read as
  // listings of their own, the leak's line missing from every second one (read as shrinking, or a
  // plateau), and the gate passed.
  it.each(['once', 'every'])('warning_titled_%s: each listing read whole; the leak fails the gate', async (m) => {
    const { log, read } = await listings(`warning_titled_${m}.log`);
    expect(read).toEqual(expected(truth(`warning_titled_${m}`)));
    expect(log.warnings.join('\n')).toMatch(/other lines inside a listing .* read past/);
    const gate = await cli('gate', `${DIR}/warning_titled_${m}.log`);
    expect(gate.out).toMatch(/FAIL max-leaks: 1 leak \(limit 0\): \S+warning_titled\.py:13 /);
    expect(gate.code).toBe(1);
  });

  it('one titled listing alone in a file, split by the warning, is read whole by diff', async () => {
    const r = await cli('diff', `${DIR}/warning_titled_step1.log`, `${DIR}/warning_titled_step2.log`);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/warning_titled\.py:13: size=1858 KiB \(\+619 KiB\), count=1802 \(\+601\)/);
  });
});

describe('a listing kept inside JSON (fixtures/text/wrapped, CPython 3.12)', () => {
  // A notebook's cell output and a JSON logger's records: "no tracemalloc statistics found" (or "the
  // file ends in the middle of a line") said nothing of what the file is, nor how to read it.
  it.each([
    ['refused-notebook.ipynb', /byte 0: a Jupyter notebook \(\.ipynb\): .*`jupyter nbconvert --to markdown`/],
    [
      'refused-json.log',
      /byte 0: JSON log records \(one object a line\): .*`jq -r '\.msg \/\/ \.message' FILE > listing\.txt`/,
    ],
  ])('%s is refused saying what it is and how to take the listing out', async (name, said) => {
    const r = await cli('stats', `fixtures/text/wrapped/${name}`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(said);
  });
});

describe('a stable program printing its largest site each round (fixtures/text/stable-top1, h245)', () => {
  it('reads each of its 6 identical lines as a capture, not one line a handler wrote 6 times', async () => {
    const log = (await loadCapture('fixtures/text/stable-top1/top1.log')) as StatisticsLog;
    expect(log.listings).toHaveLength(6);
    expect(log.warnings.join('\n')).not.toContain('written twice');
    const gate = await cli('gate', 'fixtures/text/stable-top1/top1.log');
    expect([gate.code, gate.out]).toEqual([0, expect.stringMatching(/^PASS max-leaks: no leak \(limit 0\)/m)]);
  });
});

// Two statistics run together on one line, the second with text after it (a torn log): read as one
// statistic with a suffix, the first became part of its file name.
describe('two statistics on one line, text after them', () => {
  it('is no statistic of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-two-on-a-line-'));
    try {
      const file = join(dir, 'torn.log');
      const line = 'x.py:1: size=1 B, count=1, average=1 B ';
      writeFileSync(file, `a.py:1: size=1 KiB, count=1, average=1 KiB\n${line.repeat(3)}(\n`);
      // Its end is a statistic cut short (' ('): an error, or with --lenient skipped.
      await expect(loadCapture(file)).rejects.toThrow(/line 2: a statistic cut short/);
      const log = (await loadCapture(file, { lenient: true })) as StatisticsLog;
      expect(log.listings.flatMap((l) => l.stats.map((s) => s.frames[0]!.filename))).toEqual(['a.py']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a line end lost between two statistics (fixtures/text/log-and-tops/out/app.log, CPython 3.12)', () => {
  // Read as one site whose name held the first statistic, the leaking line's last figures lost: the
  // leak read transient and the gate passed (h363 F2).
  const lines = readFileSync('fixtures/text/log-and-tops/out/app.log', 'utf8').split('\n');
  const at = lines.map((l) => l.includes('app.py:11: size=')).lastIndexOf(true);
  const glued = [...lines.slice(0, at), lines[at]! + lines[at + 1]!, ...lines.slice(at + 2)].join('\n');
  it.each(['stats', 'leaks', 'gate'])('%s: an error naming the line; --lenient skips it, said', async (command) => {
    const d = mkdtempSync(join(tmpdir(), 'glued-'));
    const file = join(d, 'app.log');
    writeFileSync(file, glued);
    const r = await cli(command, file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: line ${at + 1}: two statistics on one line (`);
    expect(r.err).toContain('a line end lost between them?; --lenient skips it');
    const lenient = await cli(command, file, '--lenient');
    expect(lenient.err).toContain(`skipped 1 statistic line(s) that cannot be read, the first at line ${at + 1}`);
    rmSync(d, { recursive: true });
  });
});
