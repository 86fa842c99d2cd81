// memory_profiler's LogFile ("Reporting via logger") logs a report line by line: each line carries
// the logger's prefix (`INFO:memory_profile_log:` with logging's default format, a time and level with
// others) and ends with its own blank line; with reportIncrementFlag only the rows that grew are
// logged. Real output of Debian's memory_profiler 0.61: fixtures/line-reports/logfile/make.sh.
// The default format was "not a format"; rows left out made functions of the lines after each gap
// ("keeper.py:16 ended holding 40.0 MiB", line 16 being no function).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/line-reports/logfile';

/** The rows with figures of a logged report, read from its text: line, Mem usage, Increment, Occurrences. */
function rows(file: string): number[][] {
  return readFileSync(`${DIR}/${file}`, 'utf8')
    .split('\n')
    .map((l) => / {2,}(\d+) +([\d.]+) MiB +(-?[\d.]+) MiB +(\d+) {3}/.exec(l))
    .filter((m) => m !== null)
    .map((m) => m.slice(1, 5).map(Number));
}

interface Read {
  topIncrements: { lineno: number; incrementMiB: number }[];
  retainingFunctions: { lineno: number; retainedMiB: number }[];
  unjudgedFunctions: { lineno: number; reason: string }[];
}

async function leaks(file: string): Promise<{ code: number; read: Read; err: string }> {
  const r = await cli('leaks', '--json', `${DIR}/${file}`);
  return { code: r.code, read: JSON.parse(r.out) as Read, err: r.err };
}

describe("line reports logged through memory_profiler's LogFile", () => {
  it("every row, whatever the logger's format: the rows as printed, and what the call ended holding", async () => {
    for (const file of ['all-message.txt', 'all-default.txt', 'all-asctime.txt']) {
      const printed = rows(file);
      expect(printed.length).toBeGreaterThan(5);
      const r = await cli('info', '--json', `${DIR}/${file}`);
      expect([file, r.code, JSON.parse(r.out).format]).toEqual([file, 0, 'line-report']);
      const { read } = await leaks(file);
      const largest = [...printed].sort((a, b) => b[2]! - a[2]!)[0]!;
      expect(read.topIncrements[0]).toMatchObject({ lineno: largest[0], incrementMiB: largest[2] });
      // keeper.py's work() keeps 4 x 3 MiB: the report's last row less its first.
      const [first, last] = [printed[0]!, printed[printed.length - 1]!];
      expect(read.unjudgedFunctions).toEqual([]);
      expect(read.retainingFunctions.map((f) => [f.lineno, f.retainedMiB.toFixed(1)])).toEqual([
        [first[0], (last[1]! - first[1]!).toFixed(1)],
      ]);
    }
  });

  it('only the rows that grew, the missing ones last (no jump): the end not judged, said so', async () => {
    // trailing.py: its last logged row says 101.5 MiB where every row's report ends at 51.5 (30 kept).
    const all = await leaks('trailing-all.txt');
    expect(all.read.retainingFunctions.map((f) => f.retainedMiB.toFixed(1))).toEqual(['30.0']);
    const increment = await leaks('trailing-increment.txt');
    expect(increment.read.retainingFunctions).toEqual([]);
    expect(increment.read.unjudgedFunctions.map((f) => f.reason)).toEqual([
      expect.stringContaining('rows are missing'),
    ]);
    expect(increment.err).toContain('no rule under its header and only rows that grew');
  });

  it('the tracemalloc backend: memory back at 0 inside a function is no first row of another', async () => {
    // tracemalloc-increment.txt: work() called twice, its rows 11, 14, 16 logged (14: 2.0 MiB of 2.0).
    const { read, err } = await leaks('tracemalloc-increment.txt');
    expect(err).not.toContain('read as two functions');
    expect(read.retainingFunctions).toEqual([]);
    expect(read.unjudgedFunctions).toHaveLength(2);
  });

  it("reports logged from several threads (each thread's name in its prefix): every one read", async () => {
    const named = await leaks('threads-named.txt');
    const message = await leaks('threads-message.txt');
    const ended = (r: Read) => r.retainingFunctions.map((f) => f.lineno).sort();
    expect(ended(named.read)).toEqual([16, 22]);
    expect(ended(named.read)).toEqual(ended(message.read));
  });

  it('only the rows that grew (reportIncrementFlag): one function, its increments, its end not judged', async () => {
    for (const file of ['increment-message.txt', 'increment-default.txt']) {
      const printed = rows(file);
      const { code, read, err } = await leaks(file);
      expect([file, code]).toEqual([file, 0]);
      expect(read.retainingFunctions).toEqual([]);
      expect(read.unjudgedFunctions.map((f) => f.lineno)).toEqual([printed[0]![0]]);
      expect(read.unjudgedFunctions[0]!.reason).toContain('rows are missing');
      expect(read.topIncrements.map((t) => t.lineno).sort()).toEqual(
        printed
          .slice(1)
          .map((r) => r[0])
          .sort(),
      );
      expect(err).toContain('rows are missing');
    }
  });

  it("two functions' tables pasted as one (a header left out): the jump to a first row starts the second", async () => {
    // fixtures/line-reports/real/mp0.61-p3.txt (0.61): big()'s Filename: line and header cut out, so its
    // rows follow grow()'s; its first row (Increment = Mem usage) says a function starts there.
    const real = 'fixtures/line-reports/real/mp0.61-p3.txt';
    const text = readFileSync(real, 'utf8');
    const cut = text.replace(
      /( {4}23 [^\n]*\n)\n\nFilename: prog_many\.py\n\nLine #[^\n]*\n=+\n/,
      (_, row: string) => row,
    );
    expect(cut).not.toBe(text);
    const dir = mkdtempSync(join(tmpdir(), 'pasted-'));
    writeFileSync(join(dir, 'pasted.txt'), cut);
    const judged = async (file: string) => {
      const r = JSON.parse((await cli('leaks', '--json', file)).out) as Read;
      return [r.retainingFunctions.map((f) => f.lineno), r.unjudgedFunctions.map((f) => f.lineno)];
    };
    expect(await judged(join(dir, 'pasted.txt'))).toEqual(await judged(real));
    expect((await cli('info', join(dir, 'pasted.txt'))).err).toContain(
      'jump from 23 to 26 with no header between: read as two functions',
    );
  });
});
