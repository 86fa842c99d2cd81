// A real memory_profiler 0.61 report whose rows are longer than a terminal, as `fold` wraps it at several
// widths (fixtures/line-reports/make_wrapped.py): every row is read with its figures, wherever its source
// went. The figures expected were read from the unfolded report by memory_profiler's column layout.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { LineReport } from '../../src/model/line-report.js';

const DIR = 'fixtures/line-reports/wrapped';
type Row = [number, number | null, number | null, number | null, string];
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as {
  functions: { filename: string; rows: Row[] }[];
};
const figures = (rows: readonly Row[]) => rows.map(([n, mem, inc, occ]) => [n, mem, inc, occ]);
const read = async (name: string) => (await loadCapture(`${DIR}/${name}`)) as LineReport;

const FOLDED = ['fold50.txt', 'fold60.txt', 'fold62.txt', 'fold70.txt', 'fold80.txt', 'fold100.txt', 'fold132.txt'];
const PASTED = ['fold80-stripped.txt', 'fold80-crlf.txt', 'fold-s72.txt'];
// Where every wrapped row reaches 80 columns or shows its width on several lines: each source is whole.
const WHOLE = ['mp0.61-p3.txt', 'fold80.txt', 'fold100.txt', 'fold132.txt', 'fold80-crlf.txt', 'fold70.txt'];

describe('rows a terminal wrapped onto any number of lines', () => {
  it.each(['mp0.61-p3.txt', ...FOLDED, ...PASTED])('%s: every row of every function, its figures exact', async (n) => {
    const r = await read(n);
    expect(r.blocks.map((b) => b.filename)).toEqual(expected.functions.map((f) => f.filename));
    r.blocks.forEach((b, i) => {
      const got = b.lines.map((l) => [l.lineno, l.memMiB, l.incrementMiB, l.occurrences]);
      expect(got).toEqual(figures(expected.functions[i]!.rows));
    });
    // Each line that is not a row is accounted for: rejoined, or skipped with a warning naming it.
    for (const w of r.warnings)
      expect(w).toMatch(
        /: (taken as the end of (source line \d+'s row|the header line \d+|the Filename: line \d+)|skipped;)/,
      );
    expect(r.warnings.join()).not.toMatch(/no 'Line #' header/);
  });

  it.each(WHOLE)('%s: each source line whole again, tabs kept', async (name) => {
    const r = await read(name);
    r.blocks.forEach((b, i) =>
      expect(b.lines.map((l) => l.source)).toEqual(expected.functions[i]!.rows.map((x) => x[4])),
    );
  });

  it.each([...FOLDED, ...PASTED])(
    '%s: a source not rejoined is the start of its line, with a warning',
    async (name) => {
      const r = await read(name);
      const squeeze = (s: string) => s.replace(/ /g, '');
      r.blocks.forEach((b, i) =>
        b.lines.forEach((l, k) => {
          const want = expected.functions[i]!.rows[k]![4];
          // Stripping trailing spaces takes the space where a line was broken.
          expect(squeeze(want).startsWith(squeeze(l.source))).toBe(true);
          if (squeeze(l.source) !== squeeze(want))
            expect(r.warnings.join('\n')).toMatch(
              /not a row \(.*\): skipped; the rows after it read as the same function/,
            );
        }),
      );
    },
  );

  it('the long row wrapped onto 3 lines at 80 columns: one warning naming its lines, the rows after it read', async () => {
    const r = await read('fold80.txt');
    expect(r.warnings[0]).toBe(
      `${DIR}/fold80.txt: line 8: not a row, nor the 1 line(s) after it: taken as the end of source line 6's row, ` +
        'wrapped when copied',
    );
    expect(r.blocks[0]!.lines.map((l) => l.lineno)).toEqual([4, 5, 6, 7, 8]);
  });

  // It was refused as a header cut before its 'Line Contents' column (a copy of the first columns).
  it.each([
    ['fold60.txt', 'its last letter'],
    ['fold50.txt', 'its last word'],
  ])('%s, narrower than the header (%s): the header read whole again, said', async (name) => {
    const r = await read(name);
    const text = readFileSync(`${DIR}/${name}`, 'utf8').split('\n');
    const pieces = text.flatMap((l, i) => (l.startsWith('Line #') ? [i + 1] : []));
    expect(pieces.length).toBe(expected.functions.length);
    for (const no of pieces)
      expect(r.warnings).toContain(
        `${DIR}/${name}: line ${no + 1}: taken as the end of the header line ${no}, wrapped when copied`,
      );
  });

  // A real report (memory_profiler 0.61) naming its file by a 55-character path, folded at 52 columns as
  // `fold -w 52` does: the Filename: lines wrap as the header does (their ends were passed over as other
  // output, and the report named `…/mp_report_p1`).
  it('its Filename: lines wrapped as its header was: joined too, the report read as unfolded', async () => {
    const whole = 'fixtures/mprof/report-p1.txt';
    const fold = (l: string): string[] => (l.length <= 52 ? [l] : [l.slice(0, 52), ...fold(l.slice(52))]);
    const folded = join(mkdtempSync(join(tmpdir(), 'arenascope-fold52-')), 'fold52.txt');
    writeFileSync(folded, readFileSync(whole, 'utf8').split('\n').flatMap(fold).join('\n'));
    const [a, b] = [(await loadCapture(whole)) as LineReport, (await loadCapture(folded)) as LineReport];
    const figures = (r: LineReport) =>
      r.blocks.map((k) => [k.filename, k.lines.map((l) => [l.lineno, l.memMiB, l.incrementMiB, l.occurrences])]);
    expect(figures(b)).toEqual(figures(a));
    expect(b.blocks[0]!.filename).toMatch(/\/fixtures\/workloads\/mp_report_p1\.py$/);
    expect(b.warnings).toContain(
      `${folded}: line 2: taken as the end of the Filename: line 1, wrapped when copied (as its header was)`,
    );
  });
});

// A real report naming a 77-character path (fixtures/line-reports/make_long_name.py): its Filename:
// line wrapped with the header, or broken after `Filename: ` by `fold -s`, was read with a cut name or
// none, exit 0 (h310).
describe('a Filename: line wrapped onto several lines', () => {
  const L = 'fixtures/line-reports/long-name';
  const { filename } = JSON.parse(readFileSync(`${L}/truth.json`, 'utf8')) as { filename: string };
  const rows = (r: LineReport) =>
    r.blocks.map((b) => [b.filename, b.lines.map((l) => [l.lineno, l.memMiB, l.incrementMiB, l.occurrences])]);

  it.each(['fold46-stripped.txt', 'fold-s50.txt', 'fold-s65.txt'])(
    '%s: the whole name, the rows as unfolded',
    async (n) => {
      const [whole, folded] = [
        (await loadCapture(`${L}/report.txt`)) as LineReport,
        (await loadCapture(`${L}/${n}`)) as LineReport,
      ];
      expect(whole.blocks[0]!.filename).toBe(filename);
      expect(rows(folded)).toEqual(rows(whole));
      expect(folded.warnings.join('\n')).toMatch(
        /taken as the (end|name) of the Filename: line 1, wrapped when copied/,
      );
    },
  );

  it("where the name's end cannot be told (other output among its lines): an error, not a name cut short", async () => {
    const lines = readFileSync(`${L}/fold46-stripped.txt`, 'utf8').split('\n');
    lines.splice(2, 0, 'WARNING: something else');
    const bad = join(mkdtempSync(join(tmpdir(), 'arenascope-long-name-')), 'other.txt');
    writeFileSync(bad, lines.join('\n'));
    await expect(loadCapture(bad)).rejects.toThrow(
      `${bad}: line 1: its Filename: line was wrapped as its header (line 6) was, and where the name ends cannot be told`,
    );
  });
});

describe('the same report pasted otherwise', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'arenascope-pasted-report-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const lines = readFileSync(`${DIR}/mp0.61-p3.txt`, 'utf8').split('\n');
  const write = (name: string, text: string[]): string => {
    const p = join(scratch, name);
    writeFileSync(p, text.join('\n'));
    return p;
  };

  // A web page's paragraphs: each row's table ended at the blank line after its first row, the rest
  // "shaped like rows with no header", unread.
  it('double-spaced: every row of every function, with a warning', async () => {
    const r = (await loadCapture(
      write(
        'double.txt',
        lines.flatMap((l) => [l, '']),
      ),
    )) as LineReport;
    r.blocks.forEach((b, i) => {
      const got = b.lines.map((l) => [l.lineno, l.memMiB, l.incrementMiB, l.occurrences]);
      expect(got).toEqual(figures(expected.functions[i]!.rows));
    });
    expect(r.blocks.length).toBe(expected.functions.length);
    expect(r.warnings.join('\n')).toMatch(/blank line\(s\) between rows of a report \(the first here\) read past/);
  });

  // Its first header scrolled away: the rows above the next header were left out with a warning, and
  // a gate passed a peak of 59 MiB for one of 197.
  it('cut at its start, above a header: an error naming the first row; --lenient reads the rest', async () => {
    const header = lines.findIndex((l) => l.startsWith('Line #'));
    const p = write('cut.txt', lines.slice(header + 2));
    await expect(loadCapture(p)).rejects.toThrow(
      /cut\.txt: line 1: \d+ line\(s\) shaped like report rows with no 'Line #' header above them \(the first here\): a report cut at its start/,
    );
    const r = (await loadCapture(p, { lenient: true })) as LineReport;
    expect(r.blocks.map((b) => b.filename)).toEqual(expected.functions.slice(1).map((f) => f.filename));
  });

  // Every header left out: --lenient, as the error advised, then found no report at all; found in a
  // folder or named without --input-format, it was "not a format" (h230).
  it('every header left out: says to put the header back, by either way it is read', async () => {
    const p = write(
      'headerless.txt',
      lines.filter((l) => !l.startsWith('Line #') && !/^=+$/.test(l)),
    );
    const first = lines
      .filter((l) => !l.startsWith('Line #') && !/^=+$/.test(l))
      .findIndex((l) => /^ +\d+ +[\d.]+ MiB/.test(l));
    for (const opts of [{ format: 'line-report' }, { format: 'line-report', lenient: true }, {}] as const) {
      await expect(loadCapture(p, opts)).rejects.toThrow(
        new RegExp(
          `headerless\\.txt: line ${first + 1}: .*with no 'Line #' header above them.*put memory_profiler's back above them`,
        ),
      );
    }
  });
});

describe('rows pasted with neither header nor source (memory_profiler issue #215, h241)', () => {
  it('says they are report rows with no header, not "not a format"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-rows-only-'));
    const p = join(dir, 'rows-only.txt');
    writeFileSync(
      p,
      '   541    700.8 MiB      0.0 MiB\n   542    951.5 MiB     -0.4 MiB\n   543    951.5 MiB    250.4 MiB',
    );
    try {
      await expect(loadCapture(p)).rejects.toThrow(/rows-only\.txt: line 1: .*with no 'Line #' header above them/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a Filename: line a terminal wrapped (fixtures/line-reports/wrapped-name/make.py)', () => {
  // Passed over as other output, the rest of the path was lost: the function was named `…/a_very_long_
  // directory_n:1` and `open` was told a folder that does not exist.
  const NAME = 'fixtures/line-reports/wrapped-name';
  const { filename } = JSON.parse(readFileSync(`${NAME}/expected.json`, 'utf8')) as { filename: string };
  it.each(['mp0.61-p3.txt', 'fold62.txt', 'fold80.txt', 'fold80-stripped.txt'])(
    '%s: the whole path, with a warning naming each line joined',
    async (n) => {
      const r = (await loadCapture(`${NAME}/${n}`)) as LineReport;
      expect(r.blocks.map((b) => b.filename)).toEqual([filename]);
      const lines = readFileSync(`${NAME}/${n}`, 'utf8').split('\n');
      const pieces = lines.findIndex((l) => l.trim() === '') - 1;
      expect(r.warnings.filter((w) => w.includes('Filename:'))).toEqual(
        Array.from(
          { length: pieces },
          (_, i) => `${NAME}/${n}: line ${i + 2}: taken as the end of the Filename: line 1, wrapped when copied`,
        ),
      );
    },
  );
});
