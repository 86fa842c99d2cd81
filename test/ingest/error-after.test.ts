// A traceback listing, then a script's SyntaxError in the same log (real CPython 3.12 output,
// fixtures/text/error-after/make.py): the error's frame, with a caret under its code, was read as the
// last statistic's allocating line (h389). Expected: the Statistic objects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/index.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';

const DIR = 'fixtures/text/error-after';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as [string, number, number, number][];

describe('an error report after a traceback listing', () => {
  it("is no statistic's frame: each read by its own most recent frame, and said", async () => {
    const log = (await loadCapture(`${DIR}/listing.log`)) as StatisticsLog;
    const read = log.listings.at(-1)!.stats.map((s) => {
      const f = s.frames.at(-1)!;
      return [f.filename, f.lineno, formatSize(s.size), s.count];
    });
    expect(read).toEqual(expected.map(([file, line, size, count]) => [file, line, formatSize(size), count]));
    expect(log.warnings.join('\n')).toContain("a frame with a caret under its source line (an error's report");
  });
});
