// A memory_profiler report cut at the end of a row looks whole: memory_profiler's blank lines after
// it are all that is missing, and an editor strips those too. Read so, `gate --max-peak` passed on
// the first rows' 29 MiB where the function peaked at 182 MiB (h202). When the profiled file is here
// and its lines are the rows', the function's end in it says whether rows are missing.

import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { LineReport } from '../../src/model/line-report.js';
import { cli } from '../helpers.js';

const D = 'fixtures/line-reports/cut-at-row';

describe('a line report cut at the end of a row, its profiled file here (fixtures/line-reports/cut-at-row)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-at-row-'));
  copyFileSync(`${D}/batch.py`, join(dir, 'batch.py'));
  const report = readFileSync(`${D}/report.txt`, 'utf8').replace(
    /^Filename: .*$/m,
    `Filename: ${join(dir, 'batch.py')}`,
  );
  const lines = report.split('\n');
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cut = write('cut.txt', `${lines.slice(0, lines.findIndex((l) => l.includes('a = [1]')) + 1).join('\n')}\n`);

  it('is refused naming where the function goes on; --allow-partial reads its rows, and the gate leaves it out', async () => {
    const r = await cli('gate', '--max-peak', '100MiB', cut);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${cut}: line 7: the report of `);
    expect(r.err).toContain('stops at line 8, and its function goes on to line 12 in that file');
    const partial = await cli('gate', '--allow-partial', '--max-peak', '100MiB', cut);
    expect(partial.code).toBe(2);
    expect(partial.err).toContain('read without them (--allow-partial)');
    expect(partial.err).toContain(`leaving out ${cut}: it was read cut short`);
    const info = await cli('info', '--allow-partial', cut);
    expect(info.code).toBe(0);
  });

  // Cut inside a row's source, without its line end (`head -c`): its text is the start of the file's line,
  // taken as a whole row, and the report read whole with a warning; the gate passed at 29 MiB (h258). Cut
  // after the first row alone (the decorator's, which never ends a function), likewise.
  it("cut inside the last row's source, or after its decorator's row: refused the same way", async () => {
    const at = report.indexOf('a = [1]') + 'a = [1]'.length;
    const inside = write('inside.txt', report.slice(0, at));
    const r = await cli('gate', '--max-peak', '100MiB', inside);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining('stops at line 8, and its function goes on to line 12'),
    ]);
    const first = write('first.txt', report.slice(0, report.indexOf('@profile') + '@profile\n'.length));
    const f = await cli('gate', '--max-peak', '100MiB', first);
    expect([f.code, f.err]).toEqual([
      2,
      expect.stringContaining('stops at line 6, and its function goes on to line 12'),
    ]);
  });

  it('whole, with or without the blank lines after it, is read: the gate fails on its peak', async () => {
    const whole = write('whole.txt', report);
    const trimmed = write('trimmed.txt', `${report.trimEnd()}\n`);
    for (const f of [whole, trimmed]) {
      const r = await cli('gate', '--max-peak', '100MiB', f);
      expect([r.code, r.out]).toEqual([1, expect.stringContaining('181.7 MiB')]);
    }
  });
});

// pytest -s prints a test's id (-v) or its progress dot, then the test's output on the same line: the
// first report's `Filename:` came after it, and was not read (the report filed under no file, one
// function's four calls read as two functions of two calls each).
describe('reports printed under pytest -s (fixtures/line-reports/pytest-s, memory_profiler 0.61)', () => {
  it.each(['verbose.log', 'dots.log'])('%s: every report of the one function under its file', async (name) => {
    const report = (await loadCapture(`fixtures/line-reports/pytest-s/${name}`)) as LineReport;
    expect(report.blocks.map((b) => b.filename.split('/').pop())).toEqual(Array(4).fill('test_mem.py'));
    const leaks = await cli('leaks', `fixtures/line-reports/pytest-s/${name}`);
    expect(leaks.out).toMatch(/test_mem\.py:10 .*over 4 calls/);
    expect(leaks.out).not.toContain('no Filename: line');
  });
});

// A report cut at a row whose profiled file is not here (another machine's path): it reads as whole, and
// its function "ended holding 80 MiB" where it returned holding 30, its `del` cut off (h291). Its end is
// not judged; whole, or trimmed of its blank lines after a `return` row, it is.
describe('a line report cut at a row, its profiled file elsewhere (fixtures/line-reports/cut-at-row/kept.txt)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-kept-'));
  const report = readFileSync(`${D}/kept.txt`, 'utf8').replace(/^Filename: .*$/m, 'Filename: /home/ci/app/kept.py');
  const lines = report.split('\n');
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('cut after the row that made 50 MiB: its end is not judged', async () => {
    const cut = write(
      'cut.txt',
      `${lines.slice(0, lines.findIndex((l) => l.includes('b = bytearray')) + 1).join('\n')}\n`,
    );
    const r = await cli('leaks', cut);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('ended holding');
    expect(r.out).toMatch(/kept\.py:8 not judged: its report may stop before its function ends/);
    expect(r.err).toContain('if it was cut, the rows after this one are missing, so its end is not judged');
  });

  it('whole, or trimmed after its return row: it ended holding the 30 MiB it kept', async () => {
    for (const f of [write('whole.txt', report), write('trimmed.txt', `${report.trimEnd()}\n`)]) {
      const r = await cli('leaks', f);
      expect(r.out).toContain('kept.py:8 ended holding 30.0078 MiB more than at its call');
    }
  });
});

// More of what tells a cut from a whole report (h295): other output right after a row, no blank line
// between, is a cut as the input's end is; a return after a signature on two lines still ends the
// function; a query's column-0 lines inside the function are not its end.
describe('other ends of a report (fixtures/line-reports/cut-at-row: kept, sig, sql)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-ends-'));
  const read = (name: string, file: string) =>
    readFileSync(`${D}/${name}.txt`, 'utf8').replace(/^Filename: .*$/m, `Filename: ${file}`);
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const upTo = (text: string, row: string) => {
    const lines = text.split('\n');
    return `${lines.slice(0, lines.findIndex((l) => l.includes(row)) + 1).join('\n')}\n`;
  };

  it("a program's output right after a row: its end is not judged; after the report's blank lines, it is", async () => {
    const kept = read('kept', '/home/ci/app/kept.py');
    const cut = await cli('leaks', write('done.txt', `${upTo(kept, 'b = bytearray')}done\n`));
    expect(cut.out).toMatch(/kept\.py:8 not judged: its report may stop before its function ends/);
    expect(cut.err).toContain('other output follows a row of the report of');
    const whole = await cli('leaks', write('whole-done.txt', `${kept}done\n`));
    expect(whole.out).toContain('kept.py:8 ended holding 30.0078 MiB more than at its call');
  });

  it('trimmed after a return whose signature took two lines: judged', async () => {
    const sig = read('sig', '/home/ci/app/sig.py');
    const r = await cli('leaks', write('sig.txt', `${sig.trimEnd()}\n`));
    expect(r.out).toContain('sig.py:6 ended holding 16.004 MiB more than at its call');
  });

  it("cut before its `del`, the query's column-0 lines no end: refused where it goes on", async () => {
    copyFileSync(`${D}/sql.py`, join(dir, 'sql.py'));
    const sql = read('sql', join(dir, 'sql.py'));
    const cut = await cli('leaks', write('sql-cut.txt', upTo(sql, 'b = bytearray')));
    expect([cut.code, cut.err]).toEqual([
      2,
      expect.stringContaining('stops at line 14, and its function goes on to line 16'),
    ]);
    const whole = await cli('leaks', write('sql.txt', sql));
    expect(whole.out).toContain('sql.py:6 ended holding 30.004 MiB more than at its call');
  });
});

// Cut right after the first report's last row, the profiled file here ending that function there: the
// report read whole, as it is, but the next report (its 174.6 MiB peak) lost, with nothing said, and
// `gate --max-peak 100MiB` passed at 29.5 MiB (h315).
describe('a file cut after its first report, the profiled file here (fixtures/line-reports/cut-at-row/two.txt)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-two-'));
  copyFileSync(`${D}/two.py`, join(dir, 'two.py'));
  const report = readFileSync(`${D}/two.txt`, 'utf8').replaceAll(
    /^Filename: .*$/gm,
    `Filename: ${join(dir, 'two.py')}`,
  );
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('says the reports after it may be missing; whole, the gate fails on the second report', async () => {
    const cut = write('cut.txt', report.slice(0, report.indexOf('return a\n') + 'return a\n'.length));
    const r = await cli('gate', '--max-peak', '100MiB', cut);
    expect(r.err).toContain(`${cut}: line 8: the file ends at a row of the report of `);
    expect(r.err).toContain(
      'without the blank lines memory_profiler writes after one: if it was cut, the reports after this one are missing',
    );
    const info = await cli('info', cut);
    expect(info.out).toContain('peak        29.5 MiB');
    const whole = await cli('gate', '--max-peak', '100MiB', write('whole.txt', report));
    expect([whole.code, whole.out, whole.err]).toEqual([1, expect.stringContaining('174.6 MiB'), '']);
  });
});
