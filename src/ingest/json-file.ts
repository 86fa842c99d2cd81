// A JSON document small enough to read whole (a baseline report.json, the gate's config), parsed
// and checked against its published schema. Every problem is one InputError naming the file and the
// byte or the JSON path, in arenascope's words: never the JSON engine's snippet of the input.

import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { InputError } from '../util/errors.js';
import { jsonExcerpt, schemaProblem, type ValidatorName } from './json-schema.js';
import { readSmallFile } from './small-file.js';

// A config or baseline read whole: beyond this, none (a baseline of 100k sites is ~60 MB; V8's
// strings stop at 512 MiB).
const MAX_JSON_FILE = 384 << 20;

/**
 * Safety limit on nesting. JSON.parse holds a million levels, but ajv validates a recursive
 * definition (the report's allocation tree) by recursion and overflows the stack at ~3,500 tree
 * levels (7,000 JSON levels); a tree node takes 2 levels, and tracebacks are not 1,000 frames deep.
 */
export const MAX_DEPTH = 2000;

/** The offset of the first bracket deeper than `limit`, or -1: one pass, strings skipped. */
function tooDeepAt(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: to its closing quote, past escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Where the string starting at `i` (its quote) ends, past its closing quote; -1 when it is not one. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = text[++i];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return -1;
        i += 4;
      } else if (e === undefined || !'"\\/bfnrt'.includes(e)) return -1;
    }
  }
  return -1;
}

/** Where the number starting at `i` ends; `i` itself when none starts there. */
function numberEnd(text: string, i: number): number {
  const digits = (j: number): number => {
    while (isDigit(text.charCodeAt(j))) j++;
    return j;
  };
  let j = i + (text[i] === '-' ? 1 : 0);
  if (text[j] === '0') j++;
  else if (isDigit(text.charCodeAt(j))) j = digits(j);
  else return i;
  if (text[j] === '.' && isDigit(text.charCodeAt(j + 1))) j = digits(j + 1);
  if (text[j] === 'e' || text[j] === 'E') {
    const k = j + (text[j + 1] === '+' || text[j + 1] === '-' ? 2 : 1);
    if (isDigit(text.charCodeAt(k))) j = digits(k);
  }
  return j;
}

/** Where the scalar (string, number, literal) starting at `i` ends; -1 when none does. */
function scalarEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i);
  const n = numberEnd(text, i);
  if (n > i) return n;
  for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return i + word.length;
  return -1;
}

/**
 * Where JSON.parse failed and what was expected there: V8 names no place for some errors and quotes
 * the input around it, so the text is walked again (only on failure; by hand, with no recursion and
 * no regular expression, so that no nesting and no string is too long for it).
 */
export function syntaxError(text: string): { at: number; expected: string } | null {
  const closers: string[] = [];
  let want: 'value' | 'key' | 'colon' | 'next' = 'value';
  let opened = false; // just after '[' or '{': the closer may come at once
  let i = 0;
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    const c = text[i];
    if (want === 'next' && !closers.length) return c === undefined ? null : { at: i, expected: 'the end of the JSON' };
    if (c === undefined) return { at: i, expected: 'more' };
    if (want === 'colon') {
      if (c !== ':') return { at: i, expected: "':' after the key" };
      i++;
      want = 'value';
    } else if (want === 'next') {
      const closer = closers[closers.length - 1]!;
      if (c === closer) closers.pop();
      else if (c !== ',') return { at: i, expected: `',' or '${closer}'` };
      else want = closer === '}' ? 'key' : 'value';
      i++;
    } else if (opened && c === closers[closers.length - 1]) {
      closers.pop();
      i++;
      want = 'next';
    } else if (c === '{' || c === '[') {
      if (want === 'key') return { at: i, expected: 'a key in double quotes' };
      closers.push(c === '{' ? '}' : ']');
      i++;
      want = c === '{' ? 'key' : 'value';
      opened = true;
      continue;
    } else {
      const end = c === '"' || want === 'value' ? scalarEnd(text, i) : -1;
      if (end < 0) {
        const what = c === '"' ? 'a complete string' : want === 'key' ? 'a key in double quotes' : 'a value';
        return { at: i, expected: what };
      }
      i = end;
      want = want === 'key' ? 'colon' : 'next';
    }
    opened = false;
  }
}

/**
 * The first key given twice in one object of valid JSON, and where: JSON.parse keeps the last, so a
 * config's `"maxLeaks": 0, "maxLeaks": 5` would let a leak pass with nothing said.
 */
function duplicateKeyAt(text: string): { at: number; key: string } | null {
  const keys: (Set<string> | null)[] = []; // per open container: an object's keys so far, null for an array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        const seen = keys[keys.length - 1]!;
        if (seen.has(key)) return { at: i, key };
        seen.add(key);
        expectKey = false;
      }
      i = end - 1;
    } else if (c === '{') {
      keys.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      keys.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      keys.pop();
      expectKey = false;
    } else if (c === ',') expectKey = keys[keys.length - 1] instanceof Set;
  }
  return null;
}

function byteOf(text: string, at: number): number {
  return Buffer.byteLength(text.slice(0, at));
}

/** Parses `text`, the content of `file`, refusing what is nested deeper than MAX_DEPTH. */
export function parseJson(file: string, text: string, hint = ''): unknown {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  const deep = tooDeepAt(body, MAX_DEPTH);
  if (deep >= 0) {
    throw new InputError(file, `byte ${byteOf(text, deep + bom)}`, `nested deeper than ${MAX_DEPTH} levels${hint}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const found = syntaxError(body);
    // Not expected: the walk and JSON.parse agree on what JSON is. V8's words then, without its quote.
    if (!found)
      throw new InputError(file, '', `not valid JSON (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 60)})`);
    const where = `byte ${byteOf(text, found.at + bom)}`;
    if (found.at >= body.length) throw new InputError(file, where, 'not valid JSON: it ends before it is complete');
    const rest = body.slice(found.at, found.at + 12);
    throw new InputError(
      file,
      where,
      `not valid JSON: expected ${found.expected}, found ${JSON.stringify(rest)}${rest.length < 12 ? '' : '...'}`,
    );
  }
  const twice = duplicateKeyAt(body);
  if (twice) {
    throw new InputError(
      file,
      `byte ${byteOf(text, twice.at + bom)}`,
      `the key ${jsonExcerpt(twice.key)} is given twice in one object: say it once`,
    );
  }
  return value;
}

/** Reads `file`, a JSON object, and checks it against the named schema; `check` runs first (versions). */
const GZIP = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;

// A gzipped file (a baseline committed as .json.gz), as captures are read: its text, no larger than a plain one.
function gunzipped(file: string, bytes: Buffer, what: string): Buffer {
  if (!GZIP(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_JSON_FILE });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Cut short, it says where it stops (the end of what there is); damaged, where the damage is.
    const cut = code === 'Z_BUF_ERROR';
    const damaged = !cut && code !== 'ERR_BUFFER_TOO_LARGE';
    throw new InputError(
      file,
      cut ? `byte ${bytes.length} of the compressed file` : damaged ? damageAt(bytes, (e as Error).message) : '',
      cut
        ? 'cut short: the gzip stream ends before its end'
        : code === 'ERR_BUFFER_TOO_LARGE'
          ? `larger than ${what} is once gunzipped (${MAX_JSON_FILE >> 20} MiB at most)`
          : `not a whole gzip file (${(e as Error).message.replace(/\.$/, '')}): cut short or damaged`,
    );
  }
}

/**
 * Where a damaged gzip stream stops decoding: the last byte of the shortest start of it that fails as
 * damaged, not as cut short (a few decodings of a file no larger than a baseline); the trailer when its
 * checksum or length is what is wrong.
 */
function damageAt(bytes: Buffer, message: string): string {
  if (/incorrect (data|length) check/.test(message)) return `the gzip trailer at byte ${Math.max(0, bytes.length - 8)}`;
  const damagedAt = (n: number): boolean => {
    try {
      gunzipSync(bytes.subarray(0, n), { maxOutputLength: MAX_JSON_FILE });
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR';
    }
  };
  let [lo, hi] = [0, bytes.length]; // damaged at hi, not at lo
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (damagedAt(mid)) hi = mid;
    else lo = mid;
  }
  return `byte ${hi - 1} of the compressed file`;
}

/** The first bytes of a file's text, through gzip when it is gzipped (as much as they give). */
export function textHead(head: Buffer): string {
  if (!GZIP(head)) return head.toString('utf8');
  try {
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 }).toString('utf8');
  } catch {
    return '';
  }
}

export function readJsonFile(
  file: string,
  schema: ValidatorName,
  opts: { hint?: string; check?: (value: unknown) => void } = {},
): unknown {
  const what = `a ${schema === 'config' ? 'config' : 'baseline'} file`;
  const bytes = readSmallFile(file, MAX_JSON_FILE, what);
  if (bytes === null) throw new InputError(file, '', 'no such file');
  const text = gunzipped(file, bytes, what).toString('utf8');
  const value = parseJson(file, text, opts.hint);
  // Both documents are objects; said here, the message can name where the value starts.
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const at = byteOf(text, Math.max(0, text.search(/\S/)));
    throw new InputError(file, `byte ${at}`, `expected a JSON object at the top, found ${jsonExcerpt(value)}`);
  }
  opts.check?.(value);
  const problem = schemaProblem(schema, value);
  if (problem) throw new InputError(file, problem.path, problem.detail);
  return value;
}
