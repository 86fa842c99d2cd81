// Text inputs, line by line, streaming: UTF-8 decoded across chunk boundaries (invalid bytes
// become U+FFFD rather than failing: these are logs), '\n' or '\r\n' line ends. And the one rule
// for where a text input ends: every tool that writes a text format read here ends each line, so a
// last line without a line end was cut while being written (textEnd).

import { InputError, TruncatedError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import { GzipCutError, gzipEnd, type InputStream, markCutShort } from './open-input.js';

export interface TextLines {
  /** Lines without their line end, numbered from 1 by the caller's count; a last line cut off is not among them. */
  readonly lines: AsyncIterable<string>;
  /** After iteration: the last line when the input stops in the middle of it (see wholeWithoutEnd), else null. */
  readonly cut: () => string | null;
  /** Bytes decoded so far. */
  readonly bytes: () => number;
  /** After iteration: the last line read had no line end (whole by wholeWithoutEnd, or cut). */
  readonly unended: () => boolean;
  /** The first line holding bytes that are not UTF-8 (each read as U+FFFD), or null. */
  readonly notUtf8: () => number | null;
  /** After iteration: the input stops inside a character's bytes (its last line is then cut). */
  readonly cutInChar: () => boolean;
}

const REPLACEMENT = '\uFFFD';
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, 'utf8');

// How many times `char` occurs in `text`; and `bytes` in `buf`.
function occurrences(text: string, char: string): number {
  let k = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) k++;
  return k;
}
function byteOccurrences(buf: Buffer, bytes: Buffer): number {
  let k = 0;
  for (let i = buf.indexOf(bytes); i >= 0; i = buf.indexOf(bytes, i + 1)) k++;
  return k;
}

// A line longer than this is no line of a capture, and beyond what a string can hold a little further.
const MAX_LINE = 1 << 26;

// What a REPL writes before it waits for input, without a line end: '>>> ', '... ', 'In [3]: ', '   ...: '.
const PROMPT = /^(?:>>>|\.\.\.|In \[\d+\]:| *\.\.\.:) *$/;

// pytest's summary, the last line of its output ('===== 4 passed in 6.46s ====='): no capture's figures.
const PYTEST_SUMMARY = /^={3,} .+ ={3,}$/;

/**
 * A last line with no line end that is whole all the same: blank, ended by the '\r' of a '\r\n' cut in
 * two, a REPL's prompt, or pytest's summary (a paste of `pytest -s` output was refused as cut: h344 F1).
 * Any other was cut off (a format with one more exception says so itself).
 */
export function wholeWithoutEnd(line: string): boolean {
  return line.trim() === '' || line.endsWith('\r') || PROMPT.test(line) || PYTEST_SUMMARY.test(line.trim());
}

const stripCR = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);

// More lines than any capture holds, read at ~1 us each: a gzip of a few MB holding GBs of line ends
// took minutes (h234: 50 MB of them, 71 s). The mprof reader holds fewer (its MAX_LINES).
const MAX_LINES = 1 << 24;
const MAX_BLANK_RUN = 1 << 20;
const NOT_BLANK = /\S/;

function tooMany(input: InputStream, what: string, limit: number, from?: number): InputError {
  return new InputError(
    input.label,
    `line ${from ?? limit + 1}`,
    `more than ${limit.toLocaleString('en-US')} ${what}: no text capture is that long`,
  );
}

// Binary data read as text (`--input-format` forced on /dev/urandom: an endless stream read as log
// noise, never done; h373): control characters no text holds, in 1 of 64 characters or more of the
// first MiB. Not tab, line ends, form feed, escape or Ctrl-Z; nor NUL, of a log's hole where logrotate's
// copytruncate or a crashed writer left one, nor backspace, a console spinner's (h374). Looked for in
// the first 16 MiB only.
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it counts
const CONTROLS = /[\x01-\x07\x0e-\x19\x1c-\x1f]/g;
const BINARY_SAMPLE = 1 << 20;
const BINARY_LOOK = 16 << 20;

function tooLong(input: InputStream, no: number): InputError {
  return new InputError(input.label, `line ${no}`, `a line longer than ${MAX_LINE >> 20} MiB: not a text capture`);
}

export function textLines(input: InputStream): TextLines {
  let cut: string | null = null;
  let bytes = 0;
  let unended = false;
  let notUtf8: number | null = null;
  let inChar = false;
  async function* gen(): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8');
    // The pieces of a line that runs over chunks: joined once, so a long line costs its length.
    let parts: string[] = [];
    let partsLength = 0;
    let no = 0;
    let blanks = 0; // blank lines in a row up to this one
    // The last 2 bytes of the chunk before: a U+FFFD written in the input may span two chunks.
    let tail = Buffer.alloc(0);
    let [seen, controls] = [0, 0];
    try {
      for await (const chunk of input.chunks) {
        bytes += chunk.length;
        const text = decoder.decode(chunk, { stream: true });
        if (bytes - chunk.length < BINARY_LOOK) {
          controls += text.match(CONTROLS)?.length ?? 0;
          seen += text.length;
          if (seen >= BINARY_SAMPLE && controls * 64 >= seen) {
            throw new InputError(
              input.label,
              `bytes 0 to ${bytes}`,
              `control characters in ${Math.round((100 * controls) / seen)}% of its first ${seen.toLocaleString('en-US')} ` +
                'characters: binary data, not a text capture',
            );
          }
        }
        // More U+FFFD than the input wrote: bytes that are not UTF-8 (looked for only once one is seen).
        if (notUtf8 === null && text.includes(REPLACEMENT)) {
          const written = byteOccurrences(Buffer.concat([tail, chunk]), REPLACEMENT_BYTES);
          if (occurrences(text, REPLACEMENT) > written) {
            const before = text.slice(0, text.indexOf(REPLACEMENT));
            notUtf8 = no + 1 + occurrences(before, '\n');
          }
        }
        tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 2)));
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          let line = text.slice(start, nl);
          if (parts.length) {
            parts.push(line);
            line = parts.join('');
            [parts, partsLength] = [[], 0];
          }
          no++;
          if (no > MAX_LINES) throw tooMany(input, 'lines', MAX_LINES);
          // (A line of spaces alone is blank too; tested only up to its first other character.)
          blanks = line.length === 0 || line === '\r' || !NOT_BLANK.test(line) ? blanks + 1 : 0;
          if (blanks > MAX_BLANK_RUN) throw tooMany(input, 'blank lines in a row', MAX_BLANK_RUN, no - blanks + 1);
          yield stripCR(line);
          start = nl + 1;
        }
        if (start < text.length) {
          parts.push(start ? text.slice(start) : text);
          partsLength += text.length - start;
          if (partsLength > MAX_LINE) throw tooLong(input, no + 1);
        }
      }
    } catch (e) {
      // The end of a gzip stream cut in its trailer: textEnd reports it.
      if (!(e instanceof GzipCutError)) throw e;
    }
    // Bytes of a character the input stops inside, flushed as U+FFFD: whatever the line, it was cut
    // (a line report's last row, its source cut in an 'ï', was read whole and its gate passed: h263).
    const flushed = decoder.decode();
    inChar = flushed !== '';
    parts.push(flushed);
    const rest = parts.join('');
    // A DOS end-of-file mark (Ctrl-Z, 0x1A) after the last line end, as `copy /a`, old editors and
    // some Windows tools write it: the end of the text, not a line cut while being written.
    if (rest === '' || rest === '\x1a') return;
    unended = true;
    if (!inChar && wholeWithoutEnd(rest)) yield stripCR(rest);
    else cut = rest;
  }
  return {
    lines: gen(),
    cut: () => cut,
    bytes: () => bytes,
    unended: () => unended,
    notUtf8: () => notUtf8,
    cutInChar: () => inChar,
  };
}

/**
 * The warning for a text input holding bytes that are not UTF-8 (`line`: the first line holding some):
 * what is shown of them is U+FFFD, the figures are read as they are.
 */
export function notUtf8Warning(label: string, line: number, what: string): string {
  return (
    `${label}: line ${line}: bytes that are not UTF-8, shown as U+FFFD in ${what} ` +
    "(written in another encoding, such as Windows' cp1252?); the figures are read as they are"
  );
}

/**
 * Where a text input ends, the one rule of every text format: a gzip stream cut short (gzipEnd), then
 * a last line cut off (`cut`, at `where`: 'line N'; `what` says what it was). Without allowPartial a
 * TruncatedError naming the file, the place and --allow-partial; with it, the warnings to give, the cut
 * line left out by the caller.
 */
export function textEnd(
  input: InputStream,
  cut: string | null,
  where: string,
  allowPartial: boolean,
  what = 'the file ends in the middle of a line',
): string[] {
  const warnings: string[] = [];
  const gz = gzipEnd(input, allowPartial);
  if (gz) warnings.push(gz);
  if (cut === null) return warnings;
  const msg = `${what} (${quoted(cut.trim())}): was it still being written?`;
  if (!allowPartial)
    throw new TruncatedError(input.label, where, `${msg} (--allow-partial reads what comes before it)`);
  markCutShort(input);
  warnings.push(`${input.label}: ${where}: ${msg} It is left out (--allow-partial)`);
  return warnings;
}

/** The first lines of a sniffing head (the last, possibly cut, line dropped unless it is all). */
export function headLines(head: Buffer, max = 200): string[] {
  const text = head.subarray(0, 1 << 16).toString('utf8');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && head.length > 1 << 16) lines.pop();
  return lines.slice(0, max);
}

/**
 * Consumes complete lines of one common shape from `start`, straight from the bytes: `scan` returns
 * where it stopped (at a line start), `taken` how many lines that scan took. It stops at the first
 * line it does not take, which then goes to the general path. (Two numbers, not an object: a scan
 * is one long loop V8 optimizes while it runs, and an object made after the loop, which the
 * unoptimized code never reached, deoptimized it at every chunk.)
 */
export interface FastLines {
  /** Each chunk before its lines are offered (a reader that copies its input takes it here). */
  chunk?(buf: Uint8Array): void;
  scan(buf: Uint8Array, start: number, end: number): number;
  taken(): number;
}

/**
 * Calls `line(buf, start, end)` for each line of the input (without its '\n' or '\r\n'), on the
 * bytes themselves: no string per line. `fast`, when given, is offered every line first. A line cut
 * by a chunk boundary is joined in a small buffer. Returns the number of lines and bytes, and the
 * last line when the input stops in the middle of it (not passed to `line`; see wholeWithoutEnd).
 */
export async function forEachByteLine(
  input: InputStream,
  line: (buf: Buffer, start: number, end: number) => void,
  fast?: FastLines,
): Promise<{ lines: number; bytes: number; cut: string | null }> {
  // The pieces of a line that runs over chunks (copies: callers reuse their chunk buffers).
  let rest: Buffer[] = [];
  let restLength = 0;
  let bytes = 0;
  let lines = 0;
  const emit = (buf: Buffer, s: number, e: number): void => {
    lines++;
    line(buf, s, e > s && buf[e - 1] === 0x0d ? e - 1 : e);
  };
  try {
    for await (const chunk of input.chunks) {
      bytes += chunk.length;
      fast?.chunk?.(chunk);
      let i = 0;
      if (restLength) {
        const nl = chunk.indexOf(0x0a);
        if (nl < 0) {
          rest.push(Buffer.from(chunk));
          restLength += chunk.length;
          if (restLength > MAX_LINE) throw tooLong(input, lines + 1);
          continue;
        }
        const joined = Buffer.concat([...rest, chunk.subarray(0, nl)]);
        emit(joined, 0, joined.length);
        [rest, restLength] = [[], 0];
        i = nl + 1;
      }
      for (;;) {
        if (fast) {
          i = fast.scan(chunk, i, chunk.length);
          lines += fast.taken();
        }
        const nl = chunk.indexOf(0x0a, i);
        if (nl < 0) break;
        emit(chunk, i, nl);
        i = nl + 1;
      }
      if (i < chunk.length) {
        rest.push(Buffer.from(chunk.subarray(i)));
        restLength = chunk.length - i;
      }
    }
  } catch (e) {
    // The end of a gzip stream cut in its trailer: textEnd reports it.
    if (!(e instanceof GzipCutError)) throw e;
  }
  const last = Buffer.concat(rest);
  // (A DOS end-of-file mark after the last line end: the end of the text, as textLines reads it.)
  if (last.length === 0 || (last.length === 1 && last[0] === 0x1a)) return { lines, bytes, cut: null };
  const text = last.toString('utf8');
  // Half a '\r\n' after a line is no line end either: the mprof reader says so as of a line with none (h263).
  if (!wholeWithoutEnd(text) || (text.endsWith('\r') && text.trim() !== ''))
    return { lines, bytes, cut: stripCR(text) };
  emit(last, 0, last.length);
  return { lines, bytes, cut: null };
}
