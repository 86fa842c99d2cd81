// Shell patterns as Python's fnmatch.fnmatchcase reads them (POSIX: os.path.normcase is the
// identity): '*' matches anything, '/' included; '?' one character; '[seq]' / '[!seq]' a set with
// ranges; a '[' with no closing ']' is literal. There is no way to quote.

import { UsageError } from './errors.js';
import { quoted } from './excerpt.js';

// Characters with a meaning in a regular expression: escaped (the 'u' flag refuses other escapes).
const SYNTAX = /[\^$\\.*+?()[\]{}|/]/;
// Printable ASCII stands for itself; any other character is written as its code point.
const PLAIN = /^[\x20-\x7e]$/;

function escapeChar(c: string): string {
  return `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

// Translates the inside of a bracket expression as fnmatch.translate does (3.10+): the text split at
// the hyphens that make ranges into chunks, a reversed range (z-a) dropped by joining its neighbours
// (so that in '[b-?!*]' the '!' then leads and negates: it matches anything but '*'), then read as a
// set of Python's re, where a '-' first or last is itself.
function translateSet(body: string): string {
  const cs = [...body];
  let items: string[];
  if (!cs.includes('-')) items = cs;
  else {
    const chunks: string[][] = [];
    let i = 0;
    let k = cs[0] === '!' ? 2 : 1;
    for (;;) {
      const at = cs.indexOf('-', k);
      if (at < 0) break;
      chunks.push(cs.slice(i, at));
      i = at + 1;
      k = at + 3;
    }
    const tail = cs.slice(i);
    if (tail.length) chunks.push(tail);
    else chunks[chunks.length - 1]!.push('-');
    for (let c = chunks.length - 1; c > 0; c--) {
      const before = chunks[c - 1]!;
      if (before[before.length - 1]! > chunks[c]![0]!) {
        chunks[c - 1] = [...before.slice(0, -1), ...chunks[c]!.slice(1)];
        chunks.splice(c, 1);
      }
    }
    // A '-' inside a chunk is itself; between chunks it makes a range ('\0-' marks it).
    items = chunks.flatMap((c, n) => (n ? ['\0-', ...c] : c));
  }
  if (items.length === 0) return '(?!)';
  const negate = items[0] === '!';
  if (negate) items = items.slice(1);
  if (items.length === 0) return '[^]';
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const c = items[i] === '\0-' ? '-' : items[i]!;
    // A range: an item, '-', an item (a '-' first or last is itself).
    if (i + 2 < items.length && items[i + 1] === '\0-') {
      const hi = items[i + 2] === '\0-' ? '-' : items[i + 2]!;
      // CPython refuses a reversed range left here (re.error); it matches nothing here.
      if (c.codePointAt(0)! <= hi.codePointAt(0)!) parts.push(`${escapeChar(c)}-${escapeChar(hi)}`);
      i += 2;
    } else parts.push(escapeChar(c));
  }
  if (parts.length === 0) return negate ? '[^]' : '(?!)';
  return `[${negate ? '^' : ''}${parts.join('')}]`;
}

export function fnmatchToRegExp(pattern: string): RegExp {
  const cs = [...pattern];
  let re = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '*') {
      if (!re.endsWith('[^]*')) re += '[^]*';
    } else if (c === '?') re += '[^]';
    else if (c === '[') {
      let j = i + 1;
      if (cs[j] === '!') j++;
      if (cs[j] === ']') j++;
      while (j < cs.length && cs[j] !== ']') j++;
      if (j >= cs.length) re += '\\[';
      else {
        re += translateSet(cs.slice(i + 1, j).join(''));
        i = j;
      }
    } else re += SYNTAX.test(c) ? `\\${c}` : PLAIN.test(c) ? c : escapeChar(c);
  }
  try {
    const compiled = new RegExp(`^${re}$`, 'u');
    compiled.test(''); // V8 compiles on first use: a pattern too large fails here, not later
    return compiled;
  } catch {
    // Beyond what the regular expression engine compiles (tens of thousands of characters).
    throw new UsageError(`the pattern ${quoted(pattern)} is too long to match with (${cs.length} characters)`);
  }
}

/** tracemalloc's _normalize_filename on POSIX: a compiled-file name matches as its source. */
export function normalizeFilename(filename: string): string {
  return filename.endsWith('.pyc') ? filename.slice(0, -1) : filename;
}
