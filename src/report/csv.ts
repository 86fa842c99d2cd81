// CSV tables (fast-csv), one row per statistic or site; frames are oldest first, joined by ' > '.
// fast-csv is loaded on first use: no other output pays for it.

import { createRequire } from 'node:module';
import type { SnapshotLeaks } from '../analysis/leak-results.js';
import type { ReportData } from '../analysis/report-data.js';
import type { DiffResult, Statistic, StatsResult } from '../analysis/statistics.js';

type Cell = string | number | null;

// fast-csv's formatter is a stream; rows given synchronously come out synchronously when it is
// read after each write (read before its buffer fills, so no write waits for a reader).
function csv(headers: readonly string[], rows: readonly Cell[][]): string {
  // No rows (nothing matched): the header alone, which fast-csv writes only with a first row.
  if (!rows.length) return `${headers.join(',')}\n`;
  const { format } = createRequire(import.meta.url)('fast-csv') as typeof import('fast-csv');
  const stream = format({ headers: [...headers], includeEndRowDelimiter: true });
  const out: Buffer[] = [];
  const drain = (): void => {
    for (let c = stream.read() as Buffer | null; c !== null; c = stream.read() as Buffer | null) out.push(c);
  };
  for (const row of rows) {
    stream.write(
      row.map((c) =>
        typeof c === 'string'
          ? inert(c).replace(CROSSING, (e) =>
              e === '\uFDD0' ? '\uFDD0g' : e === '\0' ? '\uFDD0n' : `\uFDD0${(e.charCodeAt(0) - 0xdc00).toString(16)}`,
            )
          : c,
      ),
    );
    drain();
  }
  // The end-row delimiter that fast-csv writes on end().
  return `${Buffer.concat(out)
    .toString('utf8')
    .replace(MARKED, (_, m: string) =>
      m === 'g' ? '\uFDD0' : m === 'n' ? '\0' : String.fromCharCode(0xdc00 + Number.parseInt(m, 16)),
    )}\n`;
}

// A cell a spreadsheet would run as a formula (a file named `=HYPERLINK(...).py`, `@SUM(..)`, `-2+3`)
// starts with a `'`, which it shows the text after: numbers are written as numbers, never as such text.
const inert = (c: string): string => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c);

// What the stream would change crosses marked, and is put back: a file name's byte that is not
// UTF-8 (a surrogate escape, see encodeText; it would reach the stream's UTF-8 as U+FFFD) as U+FDD0 and
// two hex digits, a NUL (which fast-csv drops) as U+FDD0 n, and U+FDD0 itself (a noncharacter, yet a
// file name compile() accepts: 'pre\uFDD0c3\uFDD0a9.py' came out as 'preé.py') as U+FDD0 g.
const CROSSING = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]|[\uFDD0\0]/g;
const MARKED = /\uFDD0([0-9a-f]{2}|g|n)/g;

function frameColumns(s: Pick<Statistic, 'frames'>): [string, number, string] {
  const key = s.frames[0]!;
  return [key.filename, key.lineno, s.frames.map((f) => `${f.filename}:${f.lineno}`).join(' > ')];
}

export function renderStatsCsv(r: Pick<StatsResult, 'stats'>): string {
  const rows = r.stats.map((s, i) => {
    const [filename, lineno, traceback] = frameColumns(s);
    return [i + 1, filename, lineno, s.size, s.count, s.count ? s.size / s.count : '', traceback];
  });
  return csv(['rank', 'filename', 'lineno', 'size', 'count', 'average', 'traceback'], rows);
}

// A diff of logged listings adds what is known of a site one of them leaves out: which listing, its
// size there at most, its older figures when the newer listing is the one, and its change's bounds.
const UNLISTED_HEADERS = [
  'not_listed_in',
  'size_at_most',
  'older_size',
  'older_count',
  'size_diff_at_least',
  'size_diff_at_most',
];

export function renderDiffCsv(r: DiffResult): string {
  const rows = r.stats.map((s, i) => {
    const [filename, lineno, traceback] = frameColumns(s);
    const row: Cell[] = [i + 1, filename, lineno, s.size, s.sizeDiff, s.count, s.countDiff, traceback];
    if (!r.printedSizes) return row;
    const u = s.notListed;
    if (!u) return [...row, '', '', '', '', '', ''];
    return [...row, u.in, u.sizeAtMost, s.olderSize, s.olderCount, s.sizeDiffAtLeast, s.sizeDiffAtMost];
  });
  const headers = ['rank', 'filename', 'lineno', 'size', 'size_diff', 'count', 'count_diff', 'traceback'];
  return csv(r.printedSizes ? [...headers, ...UNLISTED_HEADERS] : headers, rows);
}

/** One row per site of a snapshot series (leak verdicts and next steps), bytes per capture joined by ';'. */
export function renderLeaksCsv(r: SnapshotLeaks): string {
  const rows = r.sites.map((s) => [
    s.verdict,
    s.filename,
    s.lineno,
    s.growthBytes,
    s.growthPerSecond ?? '',
    s.growthPerStep,
    s.confidence,
    s.bytesPerCapture.join(';'),
    s.next,
    // The key of a row under -g traceback (its site alone may be the site of several): as in stats'.
    s.frames.map((f) => `${f.filename}:${f.lineno}`).join(' > '),
  ]);
  const headers = ['verdict', 'filename', 'lineno', 'growth_bytes', 'growth_per_second', 'growth_per_capture'];
  return csv([...headers, 'confidence', 'bytes_per_capture', 'next', 'traceback'], rows);
}

/** The report's top sites at the last capture, as `stats --format csv` lists them. */
export function renderTopSitesCsv(d: ReportData): string {
  return renderStatsCsv({ stats: d.snapshots?.topSites ?? [] });
}
