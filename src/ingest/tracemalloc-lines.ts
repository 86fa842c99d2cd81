// The lines of a tracemalloc listing as printed: str(Statistic) and str(StatisticDiff) (STAT), the
// Traceback.format() lines under them (frameLine), and a line as the program printed it (plain).

import { withoutCiPrefix } from './log-prefix.js';

const SIZE = '(-?\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB|TiB)';
// Only str(StatisticDiff) prints the changes in size and count; the average may be left out.
const SIZE_DIFF = ' \\(([-+]\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB|TiB)\\)';
const COUNT_DIFF = ' \\(([-+]\\d+)\\)';
const AVERAGE = ', average=(\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB|TiB)';
export const STAT = new RegExp(
  `^(.*):(-?\\d+): size=${SIZE}(?:${SIZE_DIFF})?, count=(\\d+)(?:${COUNT_DIFF})?(?:${AVERAGE})?$`,
);

/**
 * A statistic with text after its average: a logging format's suffix ('%(message)s (%(filename)s:%(lineno)d)',
 * a JSON template's '"}'): on every statistic logged on its own, on the last line of a listing logged as one
 * message. The groups of STAT, then the suffix: a field a format puts there (' (app.py:9)', ' [main]',
 * ' - 1234', ' | x', ' thread=5', '"}'), not words ('… average=1 KiB was the largest': a sentence
 * quoting a statistic is no statistic), and no second statistic.
 */
export const SUFFIXED_STAT = new RegExp(
  `^(.*):(-?\\d+): size=${SIZE}(?:${SIZE_DIFF})?, count=(\\d+)(?:${COUNT_DIFF})?${AVERAGE}((?:\\s+(?:[-|([{<#@:;,]|\\w+=)|["'}\\])])(?!.*: size=).{0,200})$`,
);

// Frame and source lines may carry the log prefix of their statistic line.
// A frame line: `<prefix>  File "<filename>", line <N>`, the filename up to the last `", line `.
// Found by hand: the regular expression it was took time quadratic in the line (a line of 100,000
// `  File "` ran for minutes).
// Pasted, a listing may lose its indentation: `File "…"` at the start of the line is a frame too (its
// statistics were split into listings, the largest dropped).
export function frameLine(line: string): { prefix: string; filename: string; lineno: string; bare: boolean } | null {
  // Its quotes typographic too ('File “app.py”, line 9'): a word processor's, a chat's or a mail's copy
  // (passed over as another thread's lines, each statistic was keyed by its oldest frame, the leak by its caller).
  const at = line.search(/File ["\u201c\u201d]/);
  const end = Math.max(
    line.lastIndexOf('", line '),
    line.lastIndexOf('\u201d, line '),
    line.lastIndexOf('\u201c, line '),
  );
  if (at < 0 || end < at + 6) return null;
  const lineno = line.slice(end + 8);
  if (!/^-?\d+$/.test(lineno)) return null;
  // The indentation, whatever it became, then what is before it: a log prefix, or nothing.
  // (Not /[ \t]+$/: tried from every space of a long run, it took time quadratic in it; fuzz seed 37.)
  let p = at;
  while (p > 0 && (line[p - 1] === ' ' || line[p - 1] === '\t')) p--;
  const prefix = line.slice(0, p);
  // Less than its two spaces before `File` (beside a log prefix's one): pasted without indentation.
  return { prefix, filename: line.slice(at + 6, end), lineno, bare: at - prefix.length < 2 };
}

// A Markdown quote ('> ' before each line of a reply, '> > ' in a reply to one) and the no-break spaces of a copy from a web page.
// Not the '>' of a pseudo-file's name a terminal wrapped before it ('<frozen abc' then '>:123: size=…' or
// '>", line 241').
const MARKDOWN_QUOTE = /^(?: {0,3}>(?!:\d|", line) ?)+/;
const NBSP = /\u00a0/g;
// A listing kept as comments in a script or notes ('    # ' before each line): the mark read as a file
// name's first characters ('# /app/p.py', '# <frozen importlib._bootstrap>': not the import system's). Not
// the documentation recipe's rank ('#1: app.py:12: 0.5 KiB'). A mark with no space after it, before an
// absolute name ('#/usr/lib/python3.6/linecache.py:137: …', '#<frozen …>', a blog's paste; h267).
const COMMENT = /^[ \t]*#+(?: |$|(?=\/|<|[A-Za-z]:[\\/]))/;

// A code fence typed against a listing's first or last line ('```app.py:9: size=…', '… average=664 B```',
// a chat's code block; a fence line's language, '```python', goes too), and on a statistic's line a
// Markdown list's bullet before an absolute file name ('- /srv/app.py:9: size=…'; before a relative one
// it may be the name's own: CPython 3.8 names a script '* star.py' as it was run). Left there, the fenced
// line was no statistic, its site dropped, and the bullet stayed in every file name (h381).
const FENCE_START = /^[ \t]*(?:```|~~~)(?=[^`~\s])/;
const FENCE_END = /(?<=[^`~\s])(?:```|~~~)\s*$/;
const BULLET = /^[ \t]*[-*+] (?=\/|[A-Za-z]:[\\/]|\\\\|<)/;

// HTML's and XML's entities, as a page's source or a JUnit file's <system-out> escape a listing
// ('&lt;frozen importlib._bootstrap&gt;:716' read as another file: a diff of a listing and its escaped
// copy said 5 of 10 sites gone and new; helper h257). One pass: '&amp;lt;' is '&lt;', as a browser shows it.
// Only on a line plainly escaped, '&lt;' then '&gt;' or a '&quot;' in it: CPython escapes no file name,
// and one named 'a&lt;b.py' was read as 'a<b.py', another file beside it (h261).
const ENTITY = /&(lt|gt|amp|quot|apos|#39|#x27|#34);/g;
const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  '#39': "'",
  '#x27': "'",
  '#34': '"',
};

/**
 * A line as the program printed it: without a CI log's prefix, a quote's marks, a comment's mark, a web
 * page's no-break spaces and entities.
 */
export function plain(raw: string): string {
  const lt = raw.indexOf('&lt;');
  const escaped = (lt >= 0 && raw.indexOf('&gt;', lt) > lt) || raw.includes('&quot;');
  const text = escaped ? raw.replace(ENTITY, (_, name: string) => ENTITIES[name]!) : raw;
  const line = withoutCiPrefix(text.includes('\u00a0') ? text.replace(NBSP, ' ') : text)
    .replace(MARKDOWN_QUOTE, '')
    .replace(COMMENT, '');
  const unfenced =
    line.includes('```') || line.includes('~~~') ? line.replace(FENCE_START, '').replace(FENCE_END, '') : line;
  return unfenced.includes(': size=') ? unfenced.replace(BULLET, '') : unfenced;
}
