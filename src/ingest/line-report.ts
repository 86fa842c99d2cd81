// Importer for memory_profiler's line-by-line report (what `@profile` and `python -m
// memory_profiler` print), found anywhere in a log: each block is `Filename: …`, a blank line,
// the header, a rule of '=', then one row per source line, and two blank lines.

import type { LineReport, ReportBlock, ReportLine } from '../model/line-report.js';
import { InputError, TruncatedError } from '../util/errors.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, textLines } from './lines.js';
import type { InputStream } from './open-input.js';

const FORMAT = 'line-report';

// memory_profiler 0.59+ prints Occurrences; 0.58 spelled it Occurences; 0.57 had no such column.
const HEADER = /^Line #\s+Mem usage\s+Increment(\s+Occu?rr?ences)?\s+Line Contents$/;
const FILENAME = /^Filename: (.*)$/;
// Rows: '{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}' (0.57: '{0:>6} {1:>12} {2:>12}   {3:<}');
// a wide value may overflow its column, so measured rows are matched by shape, not by position.
const ROW = /^ *(\d+) +(-?\d+\.(\d+)) MiB +(-?\d+\.\d+) MiB +(\d+) {3}(.*)$/;
const ROW_BLANK = /^ *(\d+) {41}(.*)$/;
const OLD_ROW = /^ *(\d+) +(-?\d+\.(\d+)) MiB +(-?\d+\.\d+) MiB {3}(.*)$/;
const OLD_ROW_BLANK = /^ *(\d+) {35}(.*)$/;

function sniffLineReport(head: Buffer): boolean {
  return headLines(head, 2000).some((l) => HEADER.test(l));
}

type State = 'search' | 'blank' | 'header' | 'rule' | 'rows';

async function readLineReport(input: InputStream, opts: ReadOptions): Promise<LineReport> {
  const blocks: ReportBlock[] = [];
  const warnings: string[] = [];
  const text = textLines(input.chunks);
  let state: State = 'search';
  let filename = '';
  let start = 0;
  let occurrences = true;
  let precision = -1;
  let rows: ReportLine[] = [];
  let no = 0;
  let lastLine = '';
  let closedByLine = 0; // the line that ended the last block, when it was not a blank line

  const close = (): void => {
    blocks.push({ filename, precision: Math.max(precision, 0), inputLine: start, lines: rows });
    state = 'search';
  };

  for await (const line of text.lines) {
    no++;
    lastLine = line;
    if (state === 'rows') {
      const row = parseRow(line, occurrences);
      if (row) {
        rows.push(row.line);
        if (precision < 0 && row.precision >= 0) precision = row.precision;
        continue;
      }
      close();
      if (line !== '') closedByLine = no;
    }
    if (state === 'blank') {
      state = line === '' ? 'header' : 'search';
      if (state === 'search') continue;
    } else if (state === 'header') {
      const m = HEADER.exec(line);
      if (m) {
        occurrences = m[1] !== undefined;
        state = 'rule';
      } else state = 'search';
    } else if (state === 'rule') {
      state = /^=+$/.test(line) ? 'rows' : 'search';
      rows = [];
      precision = -1;
    } else {
      const m = FILENAME.exec(line);
      if (m) {
        filename = m[1]!;
        start = no;
        state = 'blank';
      }
    }
  }
  if (closedByLine === no && text.endedMidLine()) {
    // The block ended on a cut-off last line: most likely a row cut in two.
    const msg = `the report of ${filename} is cut off in the middle of a row`;
    if (!opts.allowPartial) throw new TruncatedError(input.label, `line ${no}`, msg);
    warnings.push(`${input.label}: line ${no}: ${msg}; that row is dropped (--allow-partial)`);
  } else if (closedByLine) {
    warnings.push(`${input.label}: line ${closedByLine}: a report ends at a line that is not a row`);
  }
  if (state === 'rows') {
    if (text.endedMidLine() && rows.length) {
      const msg = `the report of ${filename} is cut off in the middle of a row`;
      if (!opts.allowPartial) throw new TruncatedError(input.label, `line ${no}`, msg);
      warnings.push(`${input.label}: line ${no}: ${msg}; that row is dropped (--allow-partial)`);
      rows.pop();
    }
    close();
  } else if (state !== 'search') {
    throw new TruncatedError(
      input.label,
      `line ${no}`,
      `the report that starts at line ${start} stops before its rows ("${lastLine.slice(0, 60)}")`,
    );
  }
  if (blocks.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no line-by-line report found: expected a 'Filename: …' line, a blank line, " +
        "and the 'Line #  Mem usage  Increment  Occurrences  Line Contents' header",
    );
  }
  return {
    kind: 'line-report',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    blocks,
    warnings,
  };
}

function parseRow(line: string, occurrences: boolean): { line: ReportLine; precision: number } | null {
  const m = (occurrences ? ROW : OLD_ROW).exec(line);
  if (m) {
    return {
      line: {
        lineno: Number(m[1]),
        memMiB: Number(m[2]),
        incrementMiB: Number(m[4]),
        occurrences: occurrences ? Number(m[5]) : null,
        source: occurrences ? m[6]! : m[5]!,
      },
      precision: m[3]!.length,
    };
  }
  const b = (occurrences ? ROW_BLANK : OLD_ROW_BLANK).exec(line);
  if (b)
    return {
      line: { lineno: Number(b[1]), memMiB: null, incrementMiB: null, occurrences: null, source: b[2]! },
      precision: -1,
    };
  return null;
}

export const importer: Importer = {
  format: FORMAT,
  describe: "memory_profiler line-by-line report (a 'Line #  Mem usage  Increment' header)",
  sniff: sniffLineReport,
  read: readLineReport,
};
