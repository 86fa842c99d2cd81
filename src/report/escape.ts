// Escaping of capture strings (file names can hold anything) for the markup outputs.

import { escapedBytes, forTerminal } from '../util/text.js';

// Bidirectional controls reorder what follows them on screen (a name holding U+202E showed
// `\u202egnp.py` as `yp.png`): shown by their code point, never applied.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export const shownBidi = (s: string): string =>
  s.replace(BIDI, (c) => `{U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`);

/** Text for HTML or XML content and attribute values. */
export function esc(s: unknown): string {
  // A name's bytes that are not UTF-8 shown by their values ('caf\xe8.py'), as everywhere else: written
  // as they were, the page was no UTF-8 and two names showed as one ('caf\ufffd.py').
  return escapedBytes(shownBidi(String(s))).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A line in a Markdown fence: control characters, bidirectional marks and bytes that are not UTF-8 shown by their codes. */
export const mdFenced = (s: unknown): string => forTerminal(escapedBytes(shownBidi(String(s))));

// One line of text a Markdown viewer shows as it reads: line ends made spaces; control characters and
// bytes that are not UTF-8 (a step summary must be UTF-8) shown as their codes, as in a CI log.
const oneLine = (s: unknown): string => mdFenced(String(s).replace(/[\r\n]+/g, ' '));

/**
 * Markdown text that shows as it reads, on one line, in a table cell or anywhere: what Markdown or
 * HTML would act on (tags, entities, emphasis, links, code, cell bars) is backslash-escaped; what a
 * forge would link though escaped (an @mention, which notifies someone; a bare URL) is a code span.
 */
export const mdText = (s: unknown): string =>
  oneLine(s)
    .split(LINKED)
    .map((part, i) => (i % 2 ? mdCode(part) : part.replace(MARKDOWN_ACTIVE, '\\$&')))
    .join('');
// '#': a heading's trailing run of them closes it ('### Line report: mem ##' showed 'mem').
// '_' inside a word (memory_profiler) emphasises nothing, '>' only at the start of a line.
// GitHub's extended autolinks (an e-mail address, a scheme's URL, `www.`) and mentions (`@user`,
// `@org/team`, after anything but a word's letter: after a backtick or another '@' too), which act on
// the text after escapes are read. None holds a cell bar or a backtick here. One group: split keeps it.
const LINKED = new RegExp(
  [
    '([A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)+',
    '(?<![A-Za-z0-9_])@[A-Za-z0-9][A-Za-z0-9-]*(?:\\/[A-Za-z0-9_.-]*[A-Za-z0-9_-])?',
    '(?<![A-Za-z0-9])(?:(?:https?|ftp):\\/\\/|www\\.)[^\\s|`]+)',
  ].join('|'),
  'gi',
);
const MARKDOWN_ACTIVE = /[\\`*[\]<&|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;

/**
 * `s` as inline code, exactly: fenced by more backticks than any run of them in it (padded when it
 * starts or ends with one); in a table its bars are escaped, which GitHub's tables read first.
 */
export function mdCode(s: unknown, inTable = false): string {
  const text = oneLine(s);
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  // CommonMark strips one space from each end of a span that has one on both.
  const pad = /^`|`$|^ .*[^ ].* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${inTable ? text.replace(/\|/g, '\\|') : text}${pad}${fence}`;
}
