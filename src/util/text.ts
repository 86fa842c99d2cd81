// Text helpers that keep ICU out of a command's start-up. Node's ICU is initialised on first use:
// the first TextDecoder costs ~0.8 MiB of RSS, the first Intl.Collator ~3 MiB and 7-12 ms, the first
// toLocaleString ~7 MiB and 18-36 ms (measured on this project's VM, 2026-11-30), where a `stats` of
// a million blocks is ~0.15 s in ~55 MiB (issue 14). Most inputs are ASCII and need none of it.

import { TextDecoder } from 'node:util';

let strict: TextDecoder | undefined;

/**
 * The text of UTF-8 bytes, or a TypeError when they are not valid UTF-8. A leading byte order mark is
 * kept (as U+FEFF), as Python's UTF-8 codec keeps it. The decoder is made on first use.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  strict ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return strict.decode(bytes);
}

/** An integer with commas between thousands ('1,234,567'), as toLocaleString('en-US') writes it. */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 || Object.is(n, -0) ? `-${out}` : out;
}

// A low surrogate of a surrogate escape not paired with a high one before it.
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/**
 * Text to write as bytes: UTF-8, but a file name's bytes that were not UTF-8, which CPython holds as
 * surrogate escapes (U+DC80-U+DCFF for bytes 0x80-0xFF, os.fsdecode), go out as those bytes, as
 * Python writes them with errors='surrogateescape'; UTF-8 would make every one U+FFFD.
 */
export function encodeText(text: string): string | Buffer {
  if (!ESCAPED_BYTE.test(text)) return text;
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    const before = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (before >= 0xd800 && before <= 0xdbff) continue; // the second half of a pair
    parts.push(Buffer.from(text.slice(from, i), 'utf8'), Buffer.of(c - 0xdc00));
    from = i + 1;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** A capture's bytes that are not UTF-8 (surrogate escapes, see encodeText) shown as their values: '\\xff'. */
export const escapedBytes = (s: string): string =>
  s.replace(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`);

// What a terminal acts on instead of showing: control characters (ESC begins the sequences that set
// its title, colours, clear the screen), except the line ends and tabs of the output itself, the
// marks that reorder the text after them (U+202A-U+202E, U+2066-U+2069), and a name's bytes 0x80-0x9f
// that were not UTF-8 (surrogate escapes: written as those bytes, C1 controls to an 8-bit terminal).
const ACTIVE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it replaces
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|(?<![\uD800-\uDBFF])[\uDC80-\uDC9F]/g;

/**
 * Text for a terminal: what a capture's names would make it do is shown escaped instead ('\x1b',
 * '\u0085', '\u202e'), as `ls` shows such names on a terminal. Output to a file or a pipe stays as it
 * is. Past the C0 controls (which JSON escapes itself), the escapes are JSON's: JSON printed to a
 * terminal stays JSON (its '\x85' was none).
 */
export function forTerminal(text: string): string {
  return text.replace(ACTIVE, (c) => {
    const code = c.charCodeAt(0);
    if (code >= 0xdc80 && code <= 0xdcff) return escapedBytes(c);
    return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Bytes with one decimal in KiB, MiB or GiB, as the gate and leaks messages give them ('2.1 MiB'). */
export function fmtBytes(b: number): string {
  const a = Math.abs(b);
  const [scale, unit] = a >= 2 ** 30 ? [2 ** 30, 'GiB'] : a >= 2 ** 20 ? [2 ** 20, 'MiB'] : [1024, 'KiB'];
  return `${(b / scale).toFixed(1)} ${unit}`;
}

/** A word or path as a shell reads it back (single quotes when it holds anything special). */
export const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
