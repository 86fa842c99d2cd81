// Short quotes of an input for messages: a message fits one line, so what it shows of a file is
// cut to a few dozen characters and its control characters (a line end among them) are escaped.

/** How much of an input a message quotes. */
export const EXCERPT_CHARS = 60;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function shown(c: string, quote: boolean): string {
  const code = c.charCodeAt(0);
  if (quote && (c === '"' || c === '\\')) return `\\${c}`;
  if (code >= 0x20 && code !== 0x7f) return c;
  return ESCAPES[c] ?? `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * `s` on one line and at most `max` characters long (escapes counted), '…' marking a cut; `quote`
 * escapes '"' and '\\' too, for a string shown in double quotes.
 */
export function excerpt(s: string, max = EXCERPT_CHARS, quote = false): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = shown(s[i]!, quote);
    if (out.length + c.length > max || (out.length + c.length === max && i + 1 < s.length)) {
      // Never half of a surrogate pair.
      return `${/[\uD800-\uDBFF]$/.test(out) ? out.slice(0, -1) : out}…`;
    }
    out += c;
  }
  return out;
}

/** `s` as an excerpt in double quotes, as messages quote a line of input. */
export function quoted(s: string, max = EXCERPT_CHARS): string {
  return `"${excerpt(s, max, true)}"`;
}

/** Input paths for a message about them all: the first few, and how many more. */
export function listed(paths: readonly string[], max = 3): string {
  const more = paths.length > max ? `, and ${paths.length - max} more` : '';
  return paths.slice(0, max).join(', ') + more;
}
