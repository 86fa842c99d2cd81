// A statistic printed after other text on its line (`print("round", r, "largest:", top[0])`): the text
// is no part of its file name, and the statistic, one of a listing printed again, is no listing.

import { quoted } from '../util/excerpt.js';
import { isLogPrefix } from './log-prefix.js';

// Text, then a space and an absolute file name ('/', 'C:\', '\\server', '<frozen …>'): the text holds no
// path separator, so it is no folder of a relative name ('my dir/a: b.py', '2024 data/load.py').
const BEFORE_PATH = /^([^\\/]*?\S)\s+(?=(?:\/|[A-Za-z]:[\\/]|\\\\|<)\S)/;

/**
 * The text printed before a statistic's absolute file name on its line ('round 0 largest:'), or null;
 * never a log prefix its listing did not take off (a statistic alone between frames that lost their
 * indentation).
 */
export function textBeforeName(name: string): string | null {
  const text = BEFORE_PATH.exec(name)?.[1] ?? null;
  return text === null || isLogPrefix(text) ? null : text;
}

/**
 * Which statistics of a listing (by their names, log prefix, rank and label taken off) were printed
 * after other text: each that carries text the others of its listing do not (a listing printed
 * `print("top:", s)` line by line keeps its text on every line, and stays as it was read).
 */
export function printedAfterText(names: readonly string[]): boolean[] {
  const texts = names.map(textBeforeName);
  const shared = names.length > 1 && texts.every((t) => t !== null && t === texts[0]);
  return texts.map((t) => t !== null && !shared);
}

/** The warning for statistics left out as printed after other text: how many, the first's line and text. */
export function afterTextWarning(label: string, left: { line: number; text: string; count: number } | null): string[] {
  if (!left) return [];
  const which = left.count > 1 ? `${left.count} statistic lines, the first at line ${left.line}` : `line ${left.line}`;
  return [
    `${label}: statistics printed after other text on their line (${which}: ${quoted(left.text, 40)}) left out: ` +
      'one statistic printed again apart from its listing is no snapshot, and the text no part of its file name',
  ];
}

/**
 * Whether `line` starts with `prefix` but for one byte changed, added or taken away (a damaged log
 * prefix or label, not a program's own words).
 */
export function nearStart(line: string, prefix: string): boolean {
  if (line.startsWith(prefix)) return false;
  return [-1, 0, 1].some((d) => {
    const start = line.slice(0, prefix.length + d);
    return start.length === prefix.length + d && withinOneEdit(start, prefix);
  });
}

/** Whether two strings are one substitution, insertion or deletion apart (or equal). */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
