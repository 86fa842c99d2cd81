// CSV tables (fast-csv), one row per statistic or site; frames are oldest first, joined by ' > '; a
// diff of logged listings in bytes no finer than they printed. fast-csv is loaded on first use: no
// other output pays for it.

import { createRequire } from 'node:module';
import type { SnapshotLeaks } from '../analysis/leak-results.js';
import type { ReportData } from '../analysis/report-data.js';
import type { DiffEntry, DiffResult, Statistic, StatsResult } from '../analysis/statistics.js';
import { printedBytes, printedChangeBytes } from './format-size.js';

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
// A name starting with `'` itself gets one more, so that one `'` off gives every name back (`'=x.py` and
// `=x.py`, two sites, read as one).
const inert = (c: string): string => (/^[=+\-@\t\r']/.test(c) ? `'${c}` : c);

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
  const headers = ['rank', 'filename', 'lineno', 'size', 'size_diff', 'count', 'count_diff', 'traceback'];
  if (r.printedSizes) return csv([...headers, ...UNLISTED_HEADERS], r.stats.map(listingDiffRow));
  const rows = r.stats.map((s, i) => {
    const [filename, lineno, traceback] = frameColumns(s);
    return [i + 1, filename, lineno, s.size, s.sizeDiff, s.count, s.countDiff, traceback];
  });
  return csv(headers, rows);
}

/**
 * A row of a diff of logged listings, its bytes known as the text prints them: a size as the listing
 * printed it (3 significant digits: '293 KiB' is 300,032 B, not the 300,281 B its average suggests), a
 * change no finer than the coarser of the two figures it is between ('+146 KiB', not +149,811 B).
 */
function listingDiffRow(s: DiffEntry, index: number): Cell[] {
  const [filename, lineno, traceback] = frameColumns(s);
  if (!s.notListed) {
    const change = printedChangeBytes(s.sizeDiff, s.size - s.sizeDiff, s.size);
    const row = [index + 1, filename, lineno, printedBytes(s.size), change, s.count, s.countDiff, traceback];
    return [...row, '', '', '', '', '', ''];
  }
  const u = s.notListed;
  const size = (b: number | null): Cell => (b === null ? null : printedBytes(b));
  // Its change lies between its listed size and the bound, the figures the text prints it between.
  const [older, newer] = [s.olderSize ?? u.sizeAtMost ?? s.size!, s.size ?? u.sizeAtMost ?? s.olderSize!];
  const change = (c: number | null): Cell => (c === null ? null : printedChangeBytes(c, older, newer));
  const row = [index + 1, filename, lineno, size(s.size), null, s.count, null, traceback];
  return [
    ...row,
    u.in,
    size(u.sizeAtMost),
    size(s.olderSize),
    s.olderCount,
    change(s.sizeDiffAtLeast),
    change(s.sizeDiffAtMost),
  ];
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
    // A leak under ups and downs is what it kept (the figure text, Markdown and the gate say), not g.
    s.kept?.growthBytes ?? '',
  ]);
  const headers = ['verdict', 'filename', 'lineno', 'growth_bytes', 'growth_per_second', 'growth_per_capture'];
  return csv([...headers, 'confidence', 'bytes_per_capture', 'next', 'traceback', 'kept_bytes'], rows);
}

/** The report's top sites at the last capture, as `stats --format csv` lists them. */
export function renderTopSitesCsv(d: ReportData): string {
  return renderStatsCsv({ stats: d.snapshots?.topSites ?? [] });
}
