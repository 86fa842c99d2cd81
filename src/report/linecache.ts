// Source lines for formatted tracebacks, found the way Python's linecache finds them, so that
// `stats --group-by traceback` prints what Traceback.format() prints on the same machine.

import { readFileSync } from 'node:fs';

export type SourceLookup = (filename: string, lineno: number) => string;

// Characters str.strip() removes (str.isspace), which differ from String.prototype.trim.
const PY_SPACE = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

export function pyStrip(s: string): string {
  return s.replace(STRIP, '');
}

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

function decodeSource(bytes: Buffer): string | null {
  // PEP 263: a coding cookie on line 1 or 2; UTF-8 otherwise.
  const head = bytes
    .subarray(0, 512)
    .toString('latin1')
    .split(/\r\n|\r|\n/, 2);
  const cookie = (head[0]!.match(COOKIE) ?? (head[1] ?? '').match(COOKIE))?.[1]?.toLowerCase();
  try {
    if (cookie && /^(latin-1|iso-8859-1|iso8859-1|latin1|l1)/.test(cookie)) return bytes.toString('latin1');
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null; // linecache gives no lines for a file it cannot decode
  }
}

/** A cached lookup of stripped source lines; '' where Python's linecache would find nothing. */
export function fileSourceLookup(): SourceLookup {
  const cache = new Map<string, string[]>();
  const lines = (filename: string): string[] => {
    let ls = cache.get(filename);
    if (!ls) {
      ls = [];
      if (filename && !(filename.startsWith('<') && filename.endsWith('>'))) {
        try {
          const text = decodeSource(readFileSync(filename));
          if (text !== null) ls = text.split(/\r\n|\r|\n/);
        } catch {
          // unreadable: no source, as in linecache
        }
      }
      cache.set(filename, ls);
    }
    return ls;
  };
  return (filename, lineno) => {
    const ls = lines(filename);
    return lineno >= 1 && lineno <= ls.length ? pyStrip(ls[lineno - 1]!) : '';
  };
}

export const noSource: SourceLookup = () => '';
