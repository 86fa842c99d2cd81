// CSV tables are opened in spreadsheets: a capture's name must never run there as a formula.
import { describe, expect, it } from 'vitest';
import { renderDiffCsv, renderStatsCsv } from '../../src/report/csv.js';
import { cli } from '../helpers.js';

describe('CSV', () => {
  it("a name a spreadsheet would run as a formula starts with a ' (=, +, -, @, tab, CR); numbers stay numbers", () => {
    const names = ['=HYPERLINK("http://x","c").py', '+1.py', '-2+3.py', '@SUM(A1).py', '\tx.py', 'app.py'];
    const stats = names.map((filename, i) => ({ frames: [{ filename, lineno: i + 1 }], size: 64, count: 2 }));
    const rows = renderStatsCsv({ stats }).trimEnd().split('\n');
    expect(rows.slice(1)).toEqual([
      `1,"'=HYPERLINK(""http://x"",""c"").py",1,64,2,32,"'=HYPERLINK(""http://x"",""c"").py:1"`,
      "2,'+1.py,2,64,2,32,'+1.py:2",
      "3,'-2+3.py,3,64,2,32,'-2+3.py:3",
      "4,'@SUM(A1).py,4,64,2,32,'@SUM(A1).py:4",
      "5,'\tx.py,5,64,2,32,'\tx.py:5",
      '6,app.py,6,64,2,32,app.py:6',
    ]);
    const diff = renderDiffCsv({
      stats: [{ frames: [{ filename: 'a.py', lineno: 1 }], size: 10, count: 1, sizeDiff: -5, countDiff: -1 }],
    } as unknown as Parameters<typeof renderDiffCsv>[0]);
    expect(diff.split('\n')[1]).toBe('1,a.py,1,10,-5,1,-1,a.py:1');
  });
});

describe("CSV of a name starting with '", () => {
  it("gets one more ', so that one off gives each name back ('=x.py and =x.py are two sites)", () => {
    const names = ["'=x.py", '=x.py', "'quoted'.py"];
    const stats = names.map((filename) => ({ frames: [{ filename, lineno: 3 }], size: 64, count: 2 }));
    const cells = renderStatsCsv({ stats })
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((r) => r.split(',')[1]);
    expect(cells).toEqual(["''=x.py", "'=x.py", "''quoted'.py"]);
  });
});

describe('CSV of nothing', () => {
  it('is the header alone (a reader takes its columns; it was an empty line)', () => {
    expect(renderStatsCsv({ stats: [] })).toBe('rank,filename,lineno,size,count,average,traceback\n');
  });
});

describe('CSV of leaks', () => {
  it('keys each row by its traceback as stats does: under -g traceback, sites alike are told apart', async () => {
    const dir = 'fixtures/leaks/memo_leak';
    const rows = (await cli('leaks', dir, '-g', 'traceback', '-f', 'csv')).out.trimEnd().split('\n');
    // (kept_bytes after it: what a leak under ups and downs kept; the next step before it holds commas.)
    const at = rows[0]!.split(',').indexOf('traceback');
    expect(rows[0]!.split(',').slice(at)).toEqual(['traceback', 'kept_bytes']);
    const stats = (await cli('stats', `${dir}/snap-9.pickle`, '-g', 'traceback', '-f', 'csv')).out;
    const tracebacks = new Set(
      stats
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((r) => r.split(',').at(-1)),
    );
    // Every leak's traceback is one of the last capture's (no comma in these names).
    for (const r of rows.slice(1)) expect(tracebacks).toContain(r.split(',').at(-2));
  });
});

// A run folder (fixtures/run-folder/etl-stdin): its memory.dat, judged a leak by text, JSON, report and
// gate, is in no CSV row, and the CSV was written with nothing said (h254).
describe('leaks -f csv of a run folder', () => {
  it('says on stderr that the memory series is not in it, and that it leaks', async () => {
    const dir = 'fixtures/run-folder/etl-stdin';
    const json = JSON.parse((await cli('leaks', dir, '--json')).out) as {
      kind: string;
      series?: { name: string; verdict: string }[];
    }[];
    const memory = json.find((r) => r.kind === 'memory')!;
    expect(memory.series!.find((t) => t.name === 'main')!.verdict).toBe('leak');
    const r = await cli('leaks', dir, '-f', 'csv');
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `--format csv lists the snapshot series' sites alone: ${dir}/memory.dat not in it (judged a leak: ${dir}/memory.dat main)`,
    );
  });
});

describe('report -f csv of a capture of more lines than the report keeps (fixtures/gate/many-lines, CPython dump of 1,201 lines)', () => {
  // 200 rows of 1,201, unsaid (convert and stats list every line).
  it('says on stderr that it lists the largest 200 and what lists every one', async () => {
    const f = 'fixtures/gate/many-lines/current.pickle';
    const r = await cli('report', f, '-f', 'csv');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toHaveLength(201);
    expect(r.err).toContain("the CSV lists the report's 200 largest lines; `arenascope stats -f csv CAPTURE`");
    expect((await cli('stats', f, '-f', 'csv')).out.trimEnd().split('\n').length).toBeGreaterThan(1000);
  });
});
