// Importer for tracemalloc statistics printed as text (str(Statistic), str(StatisticDiff), and the
// Traceback.format() lines under them) found in a log: for a user who kept only the log. print() and
// logging end every line: a last line without its '\n' was cut off (lines.ts, textEnd).

import type { Frame } from '../model/frames.js';
import type { LoggedListing, LoggedStatistic, StatisticsLog } from '../model/statistics-log.js';
import { InputError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, textEnd, textLines } from './lines.js';
import type { InputStream } from './open-input.js';

const FORMAT = 'tracemalloc-text';

const SIZE = '(-?\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB|TiB)';
// Only str(StatisticDiff) prints the changes in size and count; the average may be left out.
const SIZE_DIFF = ' \\(([-+]\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB|TiB)\\)';
const COUNT_DIFF = ' \\(([-+]\\d+)\\)';
const AVERAGE = ', average=\\d+(?:\\.\\d+)? (?:B|KiB|MiB|GiB|TiB)';
const STAT = new RegExp(
  `^(.*):(-?\\d+): size=${SIZE}(?:${SIZE_DIFF})?, count=(\\d+)(?:${COUNT_DIFF})?(?:${AVERAGE})?$`,
);
const FRAME = /^ {2}File "(.*)", line (-?\d+)$/s;
const SOURCE = /^ {4}\S/;
const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

function sniffTracemallocText(head: Buffer): boolean {
  return headLines(head, 2000).some((l) => STAT.test(l));
}

/** An integer as printed, when a double holds it exactly; else an error at the line. */
function exact(input: InputStream, no: number, what: string, digits: string): number {
  const n = Number(digits);
  if (Number.isSafeInteger(n)) return n;
  throw new InputError(input.label, `line ${no}`, `${what} ${quoted(digits, 30)} is beyond 2^53: not counted exactly`);
}

/** A size as printed (3 significant digits, bytes below 10 KiB), within 2^53 bytes, where bytes are exact. */
function size(input: InputStream, no: number, value: string, unit: string): number {
  const n = Number(value) * UNIT[unit]!;
  if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return n;
  const printed = `${quoted(`${value} ${unit}`, 30)}`;
  throw new InputError(input.label, `line ${no}`, `the size ${printed} is beyond 2^53 bytes: not counted exactly`);
}

async function readTracemallocText(input: InputStream, opts: ReadOptions): Promise<StatisticsLog> {
  const listings: LoggedListing[] = [];
  const text = textLines(input);
  let current: LoggedStatistic[] | null = null;
  let start = 0;
  let frames: Frame[] = [];
  let no = 0;

  // Frames printed under a statistic (--group-by traceback) replace its one-frame key.
  const attachFrames = (): void => {
    if (current && frames.length) {
      const last = current[current.length - 1]!;
      current[current.length - 1] = { ...last, frames };
    }
    frames = [];
  };

  for await (const line of text.lines) {
    no++;
    const m = STAT.exec(line);
    if (m) {
      attachFrames();
      if (!current) {
        current = [];
        start = no;
      }
      current.push({
        frames: [{ filename: m[1]!, lineno: exact(input, no, 'the line number', m[2]!) }],
        size: size(input, no, m[3]!, m[4]!),
        count: exact(input, no, 'the count', m[7]!),
        sizeDiff: m[5] === undefined ? null : size(input, no, m[5], m[6]!),
        countDiff: m[8] === undefined ? null : exact(input, no, 'the count change', m[8]),
        inputLine: no,
      });
      continue;
    }
    const f = current ? FRAME.exec(line) : null;
    if (f) {
      frames.push({ filename: f[1]!, lineno: exact(input, no, 'the line number', f[2]!) });
      continue;
    }
    if (current && SOURCE.test(line) && frames.length) continue;
    if (current) {
      attachFrames();
      listings.push({ inputLine: start, stats: current });
      current = null;
    }
  }
  const warnings = textEnd(input, text.cut(), `line ${no + 1}`, opts.allowPartial ?? false);
  if (current) {
    attachFrames();
    listings.push({ inputLine: start, stats: current });
  }
  if (listings.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no tracemalloc statistics found: expected lines like 'app.py:12: size=1024 KiB, count=10, average=102 KiB'",
    );
  }
  return {
    kind: 'statistics-log',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    listings,
    warnings: [
      ...warnings,
      `${input.label}: logged tracemalloc statistics: sizes as printed (3 significant digits), counts exact; ` +
        'only the statistics it lists are known (a top N): sites left out count as 0, totals cover the listed ones',
    ],
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: "tracemalloc statistics printed as text ('file.py:12: size=… , count=…')",
  sniff: sniffTracemallocText,
  read: readTracemallocText,
};
