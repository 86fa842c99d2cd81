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

// Translates the inside of a bracket expression. '-' at either end is literal, as are ']' first.
function translateSet(body: string): string {
  let negate = false;
  let chars = [...body];
  if (chars[0] === '!') {
    negate = true;
    chars = chars.slice(1);
  }
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (i + 2 < chars.length && chars[i + 1] === '-') {
      const hi = chars[i + 2]!;
      // A reversed range (z-a) matches nothing, as fnmatch drops it.
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
