// Source lines for formatted tracebacks, found and decoded the way CPython's linecache does it, so
// that `stats --group-by traceback` prints what Traceback.format() prints: linecache.updatecache
// takes the name as given, then (relative names only) each sys.path directory; tokenize.open decodes
// with a UTF-8 BOM or a PEP 263 coding cookie (tokenize.detect_encoding), strictly.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { namesNoFile } from '../model/frames.js';
import { codeOf } from '../util/python-code.js';
import { decodeUtf8, encodeText } from '../util/text.js';

export type SourceLookup = (filename: string, lineno: number) => string;

// Characters str.strip() removes (str.isspace), which differ from String.prototype.trim.
const PY_SPACE = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

export function pyStrip(s: string): string {
  return s.replace(STRIP, '');
}

// tokenize's cookie_re and blank_re (re.ASCII; Python's '.' stops only at '\n').
const COOKIE = /^[ \t\f]*#[^\n]*?coding[:=][ \t]*([-\w.]+)/;
const BLANK = /^[ \t\f]*(?:[#\r\n]|$)/;

// The codecs decoded here, by Python codec name: a WHATWG label whose table equals CPython's, and
// the bytes CPython leaves undefined (strict decoding fails on them). Checked byte for byte against
// CPython by fixtures/parity/make_parity.py. CPython knows more codecs (CJK ones among them, where
// the WHATWG tables differ): a file in one of those gets no source line here.
// biome-ignore format: a table
const SINGLE_BYTE: Record<string, readonly [string, string]> = {
  cp1250: ['windows-1250', '81 83 88 90 98'], cp1251: ['windows-1251', '98'],
  cp1253: ['windows-1253', '81 88 8a 8c 8d 8e 8f 90 98 9a 9c 9d 9e 9f aa d2 ff'],
  cp1254: ['windows-1254', '81 8d 8e 8f 90 9d 9e'],
  cp1255: ['windows-1255', '81 8a 8c 8d 8e 8f 90 9a 9c 9d 9e 9f ca d9 da db dc dd de df fb fc ff'],
  cp1256: ['windows-1256', ''], cp1257: ['windows-1257', '81 83 88 8a 8c 90 98 9a 9c 9f a1 a5'],
  cp1258: ['windows-1258', '81 8a 8d 8e 8f 90 9a 9d 9e'],
  cp874: ['windows-874', '81 82 83 84 86 87 88 89 8a 8b 8c 8d 8e 8f 90 98 99 9a 9b 9c 9d 9e 9f db dc dd de fc fd fe ff'],
  iso8859_2: ['iso-8859-2', ''], iso8859_3: ['iso-8859-3', 'a5 ae be c3 d0 e3 f0'], iso8859_4: ['iso-8859-4', ''],
  iso8859_5: ['iso-8859-5', ''],
  iso8859_6: ['iso-8859-6', 'a1-a3 a5-ab ae-ba bc-be c0 db-df f3-ff'], iso8859_7: ['iso-8859-7', 'ae d2 ff'],
  iso8859_8: ['iso-8859-8', 'a1 bf-de fb fc ff'], iso8859_10: ['iso-8859-10', ''], iso8859_13: ['iso-8859-13', ''],
  iso8859_14: ['iso-8859-14', ''], iso8859_15: ['iso-8859-15', ''], koi8_r: ['koi8-r', ''], koi8_u: ['koi8-u', ''],
  mac_roman: ['macintosh', ''], cp866: ['ibm866', ''],
};
// cp1252 by hand: Node's 'windows-1252' decoder gives ISO-8859-1 (0x80 -> U+0080, not '€').
const CP1252_80_9F =
  '\u20ac\0\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\0\u017d\0' +
  '\0\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\0\u017e\u0178';

// encodings.aliases for the codecs above: 'codec: alias alias …'.
const ALIASES = `utf_8: utf8 u8 utf utf8_ucs2 utf8_ucs4 cp65001
latin_1: latin1 latin l1 iso8859_1 iso_8859_1 iso8859 8859 cp819 ibm819 csisolatin1 iso_ir_100 iso_8859_1_1987
ascii: 646 us us_ascii cp367 ibm367 csascii iso646_us iso_ir_6 ansi_x3.4_1968 ansi_x3_4_1968 ansi_x3.4_1986 iso_646.irv_1991
cp1250: 1250 windows_1250
cp1251: 1251 windows_1251
cp1252: 1252 windows_1252
cp1253: 1253 windows_1253
cp1254: 1254 windows_1254
cp1255: 1255 windows_1255
cp1256: 1256 windows_1256
cp1257: 1257 windows_1257
cp1258: 1258 windows_1258
iso8859_2: csisolatin2 iso_8859_2 iso_8859_2_1987 iso_ir_101 l2 latin2
iso8859_3: csisolatin3 iso_8859_3 iso_8859_3_1988 iso_ir_109 l3 latin3
iso8859_4: csisolatin4 iso_8859_4 iso_8859_4_1988 iso_ir_110 l4 latin4
iso8859_5: csisolatincyrillic cyrillic iso_8859_5 iso_8859_5_1988 iso_ir_144
iso8859_6: arabic asmo_708 csisolatinarabic ecma_114 iso_8859_6 iso_8859_6_1987 iso_ir_127
iso8859_7: csisolatingreek ecma_118 elot_928 greek greek8 iso_8859_7 iso_8859_7_1987 iso_ir_126
iso8859_8: csisolatinhebrew hebrew iso_8859_8 iso_8859_8_1988 iso_ir_138
iso8859_10: csisolatin6 iso_8859_10 iso_8859_10_1992 iso_ir_157 l6 latin6
iso8859_13: iso_8859_13 l7 latin7
iso8859_14: iso_8859_14 iso_8859_14_1998 iso_celtic iso_ir_199 l8 latin8
iso8859_15: iso_8859_15 l9 latin9
koi8_r: cskoi8r
mac_roman: macintosh macroman
cp866: 866 csibm866 ibm866`;

const CODEC_OF = new Map<string, string>();
for (const line of ALIASES.split('\n')) {
  const [codec, names] = line.split(': ') as [string, string];
  for (const name of [codec, ...names.split(' ')]) CODEC_OF.set(name, codec);
}
for (const codec of Object.keys(SINGLE_BYTE)) CODEC_OF.set(codec, codec);

/** codecs.lookup(name): encodings.normalize_encoding, then the aliases, then the module name. */
export function pythonCodec(name: string): string | null {
  const norm = name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return CODEC_OF.get(norm) ?? CODEC_OF.get(norm.replace(/\./g, '_')) ?? null;
}

/** tokenize._get_normal_name */
function normalName(orig: string): string {
  const enc = orig.slice(0, 12).toLowerCase().replace(/_/g, '-');
  if (enc === 'utf-8' || enc.startsWith('utf-8-')) return 'utf-8';
  if (/^(latin-1|iso-8859-1|iso-latin-1)(-|$)/.test(enc)) return 'iso-8859-1';
  return orig;
}

/**
 * tokenize.detect_encoding: the Python codec a source file is read with, or null where tokenize
 * raises SyntaxError (a first line that is not UTF-8, an unknown codec, a BOM with another cookie).
 */
export function detectEncoding(bytes: Uint8Array): string | null {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // readline(): up to and including the next '\n'.
  const lineEnd = (start: number): number => {
    const nl = bytes.indexOf(0x0a, start);
    return nl < 0 ? bytes.length : nl + 1;
  };
  const cookie = (line: Uint8Array): string | null | undefined => {
    let text: string;
    try {
      text = decodeUtf8(line);
    } catch {
      return undefined; // "invalid or missing encoding declaration"
    }
    const m = COOKIE.exec(text);
    if (!m) return null;
    const enc = normalName(m[1]!);
    const codec = pythonCodec(enc);
    if (!codec) return undefined; // "unknown encoding" (or one not decoded here)
    if (bom) return enc === 'utf-8' ? 'utf_8_sig' : undefined; // "encoding problem: utf-8"
    return codec;
  };
  const byDefault = bom ? 'utf_8_sig' : 'utf_8';
  const start = bom ? 3 : 0;
  const end = lineEnd(start);
  const first = bytes.subarray(start, end);
  if (first.length === 0) return byDefault;
  const c1 = cookie(first);
  if (c1 !== null) return c1 ?? null;
  if (!BLANK.test(Buffer.from(first).toString('latin1'))) return byDefault;
  const second = bytes.subarray(end, lineEnd(end));
  if (second.length === 0) return byDefault;
  const c2 = cookie(second);
  return c2 === null ? byDefault : (c2 ?? null);
}

const tables = new Map<string, string>();

// 256 characters, one for each byte; '\0' stands for a byte the codec leaves undefined (NUL itself
// is defined in every codec here and is checked apart).
function tableOf(codec: string): string {
  let t = tables.get(codec);
  if (t === undefined) {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    if (codec === 'cp1252') {
      const latin1 = Buffer.from(all).toString('latin1');
      t = latin1.slice(0, 0x80) + CP1252_80_9F + latin1.slice(0xa0);
    } else if (codec === 'ascii') {
      t = Buffer.from(all).toString('latin1').slice(0, 0x80) + '\0'.repeat(0x80);
    } else {
      const [label, undef] = SINGLE_BYTE[codec]!;
      const chars = [...new TextDecoder(label).decode(all)];
      for (const r of undef.split(' ').filter(Boolean)) {
        const [a, b = a] = r.split('-').map((h) => Number.parseInt(h, 16)) as [number, number?];
        for (let i = a; i <= b; i++) chars[i] = '\0';
      }
      t = chars.join('');
    }
    tables.set(codec, t);
  }
  return t;
}

/** The text of a source file as tokenize.open() reads it, or null where it raises. */
export function decodeSource(bytes: Uint8Array): string | null {
  const codec = detectEncoding(bytes);
  if (codec === null) return null;
  if (codec === 'utf_8' || codec === 'utf_8_sig') {
    try {
      return decodeUtf8(codec === 'utf_8_sig' && bytes[0] === 0xef ? bytes.subarray(3) : bytes);
    } catch {
      return null; // UnicodeDecodeError
    }
  }
  if (codec === 'latin_1') return Buffer.from(bytes).toString('latin1');
  const table = tableOf(codec);
  let out = '';
  for (const b of bytes) {
    const c = table[b]!;
    if (c === '\0' && b !== 0) return null;
    out += c;
  }
  return out;
}

// posixpath.join for a relative name, and os.stat's "exists" (anything: a directory found first
// ends the search too, and then gives no lines, as in linecache).
// A name that was not UTF-8 (surrogate escapes, as CPython holds it) is looked up by its own bytes.
const joinPath = (dir: string, name: string | Buffer): string | Buffer => {
  const d = dir === '' || dir.endsWith('/') ? dir : `${dir}/`;
  return typeof name === 'string' ? d + name : Buffer.concat([Buffer.from(d), name]);
};
const exists = (path: string | Buffer): boolean => {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
};

/** linecache.updatecache's search: the name as given, else each directory of `searchPath` (sys.path). */
export function locateSource(filename: string, searchPath: readonly string[] = []): string | Buffer | null {
  const name = encodeText(filename); // os.fsencode
  if (exists(name)) return name;
  if (isAbsolute(filename)) return null;
  for (const dir of searchPath) {
    const full = joinPath(dir, name);
    if (exists(full)) return full;
  }
  return null;
}

// No Python source is this large; a name in a dump may be any path (a frame "in" /dev/urandom read
// for ever, gigabytes of memory in seconds).
const MAX_SOURCE_BYTES = 64 << 20;

/**
 * A source file's bytes: a regular file of 1 to MAX_SOURCE_BYTES bytes as its size says, else null:
 * no device, FIFO or directory, and none of the kernel's files, which say 0 bytes and hold the
 * process's own (/proc/self/environ: a dump named it and its secrets were printed as source).
 */
function sourceBytes(path: string | Buffer): Buffer | null {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size === 0 || st.size > MAX_SOURCE_BYTES) return null;
    const bytes = Buffer.alloc(st.size);
    let n = 0;
    for (let got = 1; got > 0 && n < st.size; n += got) got = readSync(fd, bytes, n, st.size - n, n);
    return bytes.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * A cached lookup of stripped source lines; '' where Python's linecache would find nothing.
 * `searchPath` stands for the sys.path of the Python that would print the traceback.
 */
export function fileSourceLookup(searchPath: readonly string[] = []): SourceLookup {
  return sourceFiles(searchPath).lookup;
}

/** The lines (numbers from 1) of a file that hold the given stripped text (its first `width` characters). */
export type CopiesLookup = (filename: string, text: string, width: number) => readonly number[];

/** fileSourceLookup's lookup, and where each line's text is found in its file, from one cache of files. */
export function sourceFiles(searchPath: readonly string[] = []): { lookup: SourceLookup; copies: CopiesLookup } {
  const cache = new Map<string, string[]>();
  const where = new Map<string, Map<string, number[]>>();
  const lines = (filename: string): string[] => {
    let ls = cache.get(filename);
    if (!ls) {
      ls = [];
      const path = filename && !namesNoFile(filename) && locateSource(filename, searchPath);
      if (path) {
        try {
          const bytes = sourceBytes(path);
          const text = bytes && decodeSource(bytes);
          if (text) ls = text.split(/\r\n|\r|\n/);
        } catch {
          // unreadable (or a directory): no source, as in linecache
        }
      }
      cache.set(filename, ls);
    }
    return ls;
  };
  const lookup: SourceLookup = (filename, lineno) => {
    const ls = lines(filename);
    return lineno >= 1 && lineno <= ls.length ? pyStrip(ls[lineno - 1]!) : '';
  };
  const copies: CopiesLookup = (filename, text, width) => {
    const key = `${width}\0${filename}`;
    let byText = where.get(key);
    if (!byText) {
      byText = new Map();
      for (const [i, l] of lines(filename).entries()) {
        const t = codeOf(pyStrip(l).slice(0, width));
        const at = byText.get(t);
        if (at) at.push(i + 1);
        else byText.set(t, [i + 1]);
      }
      where.set(key, byText);
    }
    return byText.get(codeOf(text)) ?? [];
  };
  return { lookup, copies };
}

export const noSource: SourceLookup = () => '';
