// Lines a terminal or a word wrap broke, joined back: a statistic or frame line wider than a terminal
// copied with its breaks (unwrapper), and a frame line `fold -s` or an e-mail client broke after its
// `File` (wordWrappedFrames).

import { composeService, isLogPrefix, prefixCuts } from './log-prefix.js';
import { frameLine, plain, STAT } from './tracemalloc-lines.js';

// A terminal wraps a line wider than itself onto the lines after it, each full one as wide as the
// terminal; copied, the breaks stay (a listing at 80 columns lost its statistics and hid a leak).
// Lines of a statistic or a frame are joined back: two lines or more that make one, or a statistic
// with the rest of its figures after it. A full line is at least this wide.
export const MIN_WRAP = 40;
// No terminal is wider: a longer line is none of a wrap's full lines (a line of 1 MiB of spaces held
// for a join made a frame line with the next, whose indentation took time quadratic in it: seed 37).
const MAX_TERMINAL = 4096;
// When the line after a wrapped one is a whole statistic alone (the break was in the file name), the
// wrapped one must look like a piece of a path: this wide (most terminals are 80), a separator in it.
const MIN_PATH_WRAP = 60;
// (A source line under a frame goes on the next line only as wide as a statistic or frame line that
// wrapped: a program's title after a long source line was taken for its end.)
// Full lines of one wrapped line are equally wide, less trailing spaces a copy stripped.
const WRAP_SLACK = 8;

/**
 * Whether a source line goes on, wrapped, on the next line: it is as wide as the terminal, or `fold -s`
 * broke it after a space it left at its end (tracemalloc prints source lines stripped).
 */
export const wrapsOn = (text: string, width: number): boolean =>
  (width > 0 && text.length >= width - WRAP_SLACK) || /\S $/.test(text);

/** A line of the input, or the lines a terminal wrapped one onto, joined. */
export interface Line {
  readonly no: number;
  readonly text: string;
  /** The docker compose service the (first) line is from. */
  readonly service: string | null;
  /** The line read as a statistic, when it was (null: it is none; undefined: not asked yet). */
  readonly stat?: RegExpExecArray | null;
  /** How wide its first line was, when a log prefix alone on the line before was put in front of it. */
  readonly shown?: number;
}

/**
 * A log prefix alone (or with a frame line's `File`), `fold -s` having broken the line after it: the
 * space it broke at is left at its end, after a separator or a level name (a message 'INFO loaded 300
 * orders' reads as fields too).
 */
function prefixAlone(text: string): boolean {
  // Not /\s+File$/: tried from every space of a long run, it took time quadratic in it (fuzz seed 76).
  const trimmed = text.trimEnd();
  const fields =
    trimmed.endsWith('File') && /\s/.test(trimmed.charAt(trimmed.length - 5))
      ? trimmed.slice(0, -4).trimEnd()
      : trimmed;
  return (
    / $/.test(text) &&
    (/[:|\]})>-]$/.test(fields) || /(?:^|\s)(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)$/.test(fields)) &&
    isLogPrefix(fields)
  );
}

/** How wide a line was shown: a wrap's full lines are as wide as the terminal. */
const shownWidth = (line: Line): number => line.shown ?? line.text.length;

/**
 * Whether a line after a wrapped one may be full too, a third going on: as wide; or, after a word
 * broken at the width (`fold -s`), broken at a space no further, and no log line of its own.
 */
const fullAfter = (last: Line, text: string): boolean =>
  text.length === shownWidth(last) ||
  (!/\s$/.test(last.text) &&
    text.length <= shownWidth(last) &&
    (last.shown !== undefined || (/ $/.test(text) && !prefixCuts(text).length && !prefixAlone(text))));

const whole = (text: string): boolean => STAT.test(text.trimEnd()) || frameLine(text.trimEnd()) !== null;

/**
 * Whether a line is whole alone: a frame line, or a statistic with a file name and its average (CPython
 * prints ', average=' whenever the count is not 0: '…, count=1' alone is wrapped in its count).
 */
const wholeAlone = (trimmed: string, stat = STAT.exec(trimmed)): boolean =>
  (stat !== null && stat[1] !== '' && (stat[7] === '0' || stat[9] !== undefined)) || frameLine(trimmed) !== null;

/** A line's text after its log prefix (`cuts`: its prefixCuts), or all of it (indented: its indentation off). */
const messageOf = (text: string, cuts = prefixCuts(text)): string =>
  cuts.length ? text.slice(cuts[cuts.length - 1]!.end) : text;

/**
 * A wrapped piece of a file name: after its log prefix, a path separator, not a rule ('====='), and no
 * spaces ('plain'), or spaces in one that starts as an absolute path with no ': ' in it ('spaced': a
 * folder's name holds spaces, and every statistic wrapped inside one was read as a listing of its own,
 * a leak missed unsaid); after a log prefix, a pseudo-file's name begun ('pseudo': `<frozen importl`);
 * else null.
 */
function pathPiece(text: string, width: number): 'plain' | 'spaced' | 'pseudo' | null {
  const cuts = prefixCuts(text.trimStart());
  // (A logged one may be a piece at any terminal's width, waiting for a wrap to show it; so may one as
  // wide as the wraps seen.)
  if (text.length !== width && text.length < (cuts.length ? MIN_WRAP : MIN_PATH_WRAP)) return null;
  const rest = messageOf(text.trimStart(), cuts);
  if (cuts.length && /^\s*<[\w.-]+(?: [\w.-]*)?$/.test(rest)) return 'pseudo';
  if (!/[\\/]/.test(rest) || !/[A-Za-z0-9]/.test(rest)) return null;
  // A logged field or URL (`epoch=1/6`, `source=data/train.csv`, `https://host/a?page=1`) is no piece of a
  // Python file's name: glued to the relative name printed after it, a leak's site was split by round (h329).
  if (cuts.length && (/[=?]/.test(rest) || /^[A-Za-z][\w+.-]*:\/\//.test(rest.trimStart()))) return null;
  if (!/\s/.test(rest)) return 'plain';
  return /^(?:\/|[A-Za-z]:[\\/]|\\\\)/.test(rest) && !/:\s/.test(rest) ? 'spaced' : null;
}

/**
 * Whether a statistic line may be the rest of a file name begun on the line before, wrapped in the
 * middle: that one a piece of a path, this one no log line of its own. Taken only once the width
 * is known to be a terminal's (see unwrapped): a path the program printed or logged, 70 or 80
 * columns, was glued to the statistic after it.
 */
function nameMayGoOn(before: string, shown: number, text: string, width: number): boolean {
  const piece = pathPiece(before, width);
  if (!piece) return false;
  const head = STAT.exec(text.trimEnd())?.[1];
  if (head === undefined || prefixCuts(head.trimStart()).length) return false;
  if (piece === 'pseudo')
    return /^\s*<[\w.-]+(?: [\w.-]+)?>$/.test(`${messageOf(before.trimStart())}${head.trimStart()}`);
  // One that starts anew ('/', 'C:\\', '<') goes on only at the width known (the break fell on a '/'),
  // or after a logged piece until a wrap shows the width, and never after a piece with spaces: a path
  // printed as wide as the terminal (a data file's, with spaces) was glued to the statistic after it.
  return (
    !startsAnew(head) ||
    (piece === 'plain' && (shown === width || (width === 0 && prefixCuts(before.trimStart()).length > 0)))
  );
}

/** Whether a file name starts as a path or pseudo-file's name does, not in the middle of one. */
const startsAnew = (name: string): boolean => /^\s*(?:[\\/<]|[A-Za-z]:)/.test(name);

// Full lines of one line wrapped, at most (a 200-character file name logged at 60 columns is 4).
const MAX_PIECES = 8;

// Lines read, at most, while a join inside a file name waits for its width to be a terminal's.
const MAX_WAIT = 64;

/** A wrap inside a file name, waiting: the line joined, or its two lines. */
interface Candidate {
  readonly joined: Line;
  readonly pieces: readonly Line[];
  /** Read as printed unsaid: a logged path before an absolute file name, as programs log them. */
  readonly quiet: boolean;
}

/**
 * The lines of a listing with the statistic and frame lines a terminal wrapped joined back; `wrap`
 * learns the width of the first wrapped one. A wrap inside a file name (the rest a whole statistic
 * alone) waits until a wrap of the same width that cannot be anything else is seen: then every such
 * line of that width is joined; else none is (a program printing 80-column paths before its
 * statistics repeats the same shape, which is no evidence).
 */
export function unwrapper(wrap: { width: number; soft: number; joined: number[]; unjoined: number[]; lines: number }): {
  /** Takes the next line of the input; the lines ready since, in order. */
  push(raw: string): Line[];
  /** At the input's end: the lines left. */
  end(): Line[];
} {
  let held: Line[] = [];
  // Joins inside a file name of one width waiting for it, among the lines read since the first. Never
  // joined on their own, however many: a line logged or printed before each statistic (`epoch=1/6`, a
  // checkpoint's path, two paths as wide as each other) looks the same, and was glued to the file name
  // after it, a leak split by round and passed by the gate (h326, h329, h330).
  let waiting: { width: number; queue: (Line | Candidate)[] } | null = null;
  const ready: Line[] = [];
  // Whether the last line read is whole alone (a statistic or frame line), when it may start a wrap.
  let heldWhole = false;
  const emit = (...out: (Line | Candidate)[]): void => {
    if (waiting) waiting.queue.push(...out);
    else for (const x of out) ready.push(...('pieces' in x ? x.pieces : [x]));
  };
  const settle = (join: boolean): void => {
    const w = waiting!;
    waiting = null;
    if (join) wrap.width ||= w.width;
    for (const x of w.queue) {
      if (!('pieces' in x)) ready.push(x);
      else if (!join) {
        if (!x.quiet) wrap.unjoined.push(x.pieces[0]!.no);
        ready.push(...x.pieces);
      } else {
        wrap.joined.push(x.joined.no);
        ready.push(x.joined);
      }
    }
  };
  // A line after a log prefix alone that ends its message, until the line after it says whether the
  // prefix was its own (see take).
  let pending: string | null = null;
  const push = (raw: string): Line[] => {
    if (pending === null) return take(raw, null);
    const [line, next] = [pending, plain(raw)];
    pending = null;
    // A log record after it: the message was that one line, `fold -s` broke it after the prefix. More
    // lines of no record of their own: the message started with a line end ('\n' + the listing).
    const before = take(line, next.trim() === '' || prefixCuts(next).length > 0 || prefixAlone(next));
    return [...before, ...take(raw, null)];
  };
  /** Takes a line; `prefixed`: whether a log prefix alone before it is its own (null: not known yet). */
  const take = (raw: string, prefixed: boolean | null): Line[] => {
    let no = ++wrap.lines;
    let text = plain(raw);
    const service = composeService(raw);
    let shown: number | undefined;
    // `fold -s` breaks a logged line after its log prefix when the word after it (a long file name)
    // does not fit the rest of the line: the prefix is put back in front of its message. When the
    // message goes on after this line (broken at a space, or inside its one word), surely; when it
    // ends here, if a log record follows.
    const alone = held.length === 1 && !heldWhole ? held[0]! : undefined;
    if (alone && prefixed !== false && /^\S/.test(text) && prefixAlone(alone.text) && !prefixCuts(text).length) {
      if (prefixed === null && !(/ $/.test(text) || !/\s/.test(text))) {
        wrap.lines--;
        pending = raw;
        return [];
      }
      [no, text, shown] = [alone.no, `${alone.text}${alone.text.endsWith(' ') ? '' : ' '}${text}`, text.length];
      held = [];
    }
    const last = held[held.length - 1];
    // Full lines as wide as the first held, none starting a path anew: a wrap's, the width a terminal's.
    const evenPieces = held.length > 1 && !held.slice(1).some((h) => startsAnew(h.text));
    let taken = false; // the line went on the held ones (joined, or a piece of a line waiting)
    // Whether each line is whole alone is asked once: the held one's was when it was read.
    const wasWhole = heldWhole;
    const trimmed = text.trimEnd();
    const stat = STAT.exec(trimmed);
    // (':560: size=…' is the end of a file name wrapped: tracemalloc names an unknown file '<unknown>'.)
    heldWhole = wholeAlone(trimmed, stat);
    const wide = last !== undefined && shownWidth(last) >= MIN_WRAP && shownWidth(last) <= MAX_TERMINAL;
    // Indented as the line it goes on (a reply's code block, indented after the copy: a terminal's wrap
    // inside it carries the block's indentation), its rest is read after it (the paste was refused).
    // (Its own indentation past the block's is a space the wrap fell before: ' (+208 B), count=…'.)
    let shared = 0;
    if (wide)
      while (shared < text.length && /[ \t]/.test(text[shared]!) && text[shared] === held[0]!.text[shared]) shared++;
    const rest = text.slice(shared);
    if (wide && text.trim() !== '' && !(wasWhole && heldWhole)) {
      const before = held.map((h) => h.text).join('');
      // A terminal fills a line before it wraps onto the next: a piece shorter than the line after it (and
      // not broken at a space) is a line of its own (a title printed before a statistic wrapped before its
      // average at 72 columns was glued to its file name, and the leak read "transient", h329).
      const shorter =
        held.length === 1 &&
        held[0]!.shown === undefined &&
        !/\s$/.test(held[0]!.text) &&
        text.trimEnd().length > held[0]!.text.length;
      // A break at a space: the copy may have dropped it from the end of the full line.
      const joined = shorter
        ? undefined
        : [...new Set([rest, text])].flatMap((t) => [`${before}${t}`, `${before} ${t}`]).find(whole);
      // (A frame line wrapped inside its line number is whole too: the rest is its last digits.)
      const complete = held.length === 1 && wasWhole && !(/\d$/.test(before) && /^\d+$/.test(text));
      const line = { no: held[0]!.no, text: joined ?? '', service: held[0]!.service };
      const width = shownWidth(held[0]!);
      // `fold -s` broke a name at its space, `<frozen abc>` (a pseudo-file's name: no file's).
      const frozen = !complete && held.length === 1 && /<[^<>]* $/.test(before) && /^[^<\s]*>:/.test(text);
      // (Not after a whole statistic or frame: ':1: size=…' after one is code compiled with the file name
      // '', and the two were read as one site whose file name held the first's figures: h263.)
      // (Nor before a log record of its own: a logged title as wide as a wrap took the statistic logged
      // after it, wrapped before its average, into its file name.)
      if (joined !== undefined && (!heldWhole || frozen) && !complete && !prefixCuts(text).length) {
        // A full line that leaves the statistic without its average: the next one ends it (a file name
        // and a count wrapped, at 64 columns: the count's last digit and the average left out).
        if (text.length === width && held.length < MAX_PIECES && !wholeAlone(joined.trimEnd())) {
          held.push({ no, text: rest, service, stat, shown: text.length });
          return [];
        }
        // Nothing else than a wrap: its width is a terminal's, or, broken at a space (`fold -s`, an
        // editor), the width is at least its own: a wider wrap inside a file name waiting is one too.
        const atSpace = /\s$/.test(held[0]!.text);
        if (atSpace) wrap.soft = Math.max(wrap.soft, width);
        if (held[0]!.shown === undefined || !atSpace) {
          if (waiting) settle(waiting.width === width || (atSpace && waiting.width > width));
          wrap.width ||= width;
        } else if (waiting && waiting.width > width) settle(true);
        wrap.joined.push(line.no);
        emit(line);
        [held, taken] = [[], true];
      } else if (
        joined !== undefined &&
        !complete &&
        held.slice(1).every((h) => shownWidth(h) === width) &&
        // (Full lines as wide before it show the width, unless one starts a path anew: paths a program
        // printed one a line, as wide as each other, h330.)
        nameMayGoOn(before, width, text, evenPieces ? width : wrap.width)
      ) {
        const quiet = wrap.width === 0 && startsAnew(stat![1]!);
        const candidate = { joined: line, pieces: [...held, { no, text, service, stat }], quiet };
        // After a log prefix alone, the line was wrapped: broken inside a word, it goes on; so it
        // does when lines broken at spaces were seen (words wrapped), none wider than it.
        const inWord = !/\s$/.test(held[0]!.text);
        // So it was when two full lines as wide came before it (a statistic logged a line, wrapped at
        // 80 columns inside each file name, its prefixes read as part of the names), or after a log
        // prefix, a pseudo-file's name begun (`<frozen importl`: no line a program writes).
        const folded =
          inWord &&
          (held[0]!.shown !== undefined ||
            evenPieces ||
            pathPiece(before, width) === 'pseudo' ||
            (wrap.soft > 0 && width >= wrap.soft));
        if (folded) wrap.width ||= width;
        if (wrap.width === width || folded) {
          wrap.joined.push(line.no);
          emit(line);
        } else {
          if (waiting && waiting.width !== width) settle(false);
          waiting ??= { width, queue: [] };
          waiting.queue.push(candidate);
        }
        [held, taken] = [[], true];
      } else if (
        !complete &&
        !heldWhole &&
        (held.length === 1 ? fullAfter(last, text) : held.length < MAX_PIECES && text.length === width) &&
        !prefixCuts(text).length
      ) {
        // A line after it may complete it, when this one is full too (as wide, after the second) and no
        // log record of its own (a title as wide as the terminal took the records after it).
        held.push({ no, text: rest, service, stat, ...(rest === text ? {} : { shown: text.length }) });
        return [];
      }
    }
    if (!taken) {
      emit(...held);
      held = [{ no, text, service, stat, ...(shown === undefined ? {} : { shown }) }];
    }
    if (waiting && waiting.queue.length > MAX_WAIT) settle(false);
    return ready.splice(0);
  };
  const end = (): Line[] => {
    const before = pending === null ? [] : take(pending, true);
    pending = null;
    emit(...held);
    if (waiting) settle(false);
    return [...before, ...ready.splice(0)];
  };
  return { push, end };
}

/**
 * Joins back a frame line a word wrap broke after its `File` (an e-mail client's or `fold -s`'s, at 80
 * columns: `  File ` alone, then the quoted file name, broken again where wider than a line, then the
 * rest of it): the bare `File` ended the listing, its statistic dropped (a 2.3 MiB leak's), and the gate
 * passed. Up to 3 lines after it; when they make no frame line, they are passed on as they were. The
 * lines joined go to `joined`.
 */
export function wordWrappedFrames(joined: number[]): { push(line: Line): Line[]; end(): Line[] } {
  let held: Line[] = [];
  const FILE_ALONE = /^\s*File ?$/;
  const PARTIAL_FRAME = /^\s*File "(?:[^"]*|.*"(?:, ?(?:line)?)?)$/;
  return {
    push(line) {
      if (!held.length) {
        if (!FILE_ALONE.test(line.text)) return [line];
        held = [line];
        return [];
      }
      held.push(line);
      const [first, ...rest] = held;
      const text = `${first!.text.endsWith(' ') ? first!.text : `${first!.text} `}${rest.map((l) => l.text).join('')}`;
      if (frameLine(text)) {
        joined.push(first!.no);
        held = [];
        return [{ ...first!, text, stat: null }];
      }
      // A frame line begun, not ended (inside the quoted name, or before its line number): the next may end it.
      if (rest[0]!.text.startsWith('"') && PARTIAL_FRAME.test(text.trimEnd()) && rest.length < 3) return [];
      const out = held;
      held = [];
      return out;
    },
    end() {
      const out = held;
      held = [];
      return out;
    },
  };
}
