// A real memory_profiler 0.61 report whose rows are longer than a terminal, as `fold` wraps it at several
// widths (fixtures/line-reports/make_wrapped.py): every row is read with its figures, wherever its source
// went. The figures expected were read from the unfolded report by memory_profiler's column layout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { LineReport } from '../../src/model/line-report.js';
import { InputError } from '../../src/util/errors.js';

const DIR = 'fixtures/line-reports/wrapped';
type Row = [number, number | null, number | null, number | null, string];
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as {
  functions: { filename: string; rows: Row[] }[];
};
const figures = (rows: readonly Row[]) => rows.map(([n, mem, inc, occ]) => [n, mem, inc, occ]);
const read = async (name: string) => (await loadCapture(`${DIR}/${name}`)) as LineReport;

const FOLDED = ['fold62.txt', 'fold70.txt', 'fold80.txt', 'fold100.txt', 'fold132.txt'];
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
    for (const w of r.warnings) expect(w).toMatch(/: (taken as the end of source line \d+'s row|skipped;)/);
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

  it('narrower than its header: refused, nothing read from what is left', async () => {
    await expect(loadCapture(`${DIR}/refused-fold50.txt`)).rejects.toBeInstanceOf(InputError);
  });
});
