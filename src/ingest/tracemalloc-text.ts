// Importer for tracemalloc statistics printed as text (str(Statistic), str(StatisticDiff), and the
// Traceback.format() lines under them) found in a log: for a user who kept only the log. Lines logged
// through logging keep their prefix out of the file names (log-prefix.ts). print() and logging end
// every line: a last line without its '\n' was cut off (lines.ts, textEnd), unless it holds no figure.

import { statSync } from 'node:fs';
import type { Frame } from '../model/frames.js';
import { type TracebackOrder, tracebackOrderOf } from '../model/snapshot.js';
import type { LoggedListing, LoggedStatistic, StatisticsLog } from '../model/statistics-log.js';
import { InputError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, notUtf8Warning, textEnd, textLines } from './lines.js';
import {
  type ListingPrefix,
  listingPrefix,
  nameStart,
  prefixNumber,
  processOf,
  type ReadStatistic,
} from './listing-prefix.js';
import { isLogPrefix, prefixCuts } from './log-prefix.js';
import { nearStatistic } from './near-statistic.js';
import { type InputStream, markCutShort } from './open-input.js';
import { estimate, printedSize, SizeReadings, withinOrder } from './printed-size.js';
import { PytestProgress } from './pytest-progress.js';
import { CapturedSections } from './pytest-sections.js';
import { WarningInListing } from './python-warning.js';
import { sourceLineOnDisk } from './source-on-disk.js';
import { type Line, MIN_WRAP, unwrapper, wordWrappedFrames, wrapsOn } from './terminal-wrap.js';
import { afterTextWarning, nearStart, printedAfterText, textBeforeName } from './text-before-name.js';
import { frameLine, plain, STAT, SUFFIXED_STAT } from './tracemalloc-lines.js';

const FORMAT = 'tracemalloc-text';

// A Markdown fence or a rule of three or more '`', '~', '=', '-', '*' (see where the text ends).
const FENCE_OR_RULE = /^\s*(?:`{3,}|~{3,}|={3,}|-{3,}|\*{3,})\s*$/;
// A last line of prose or code (words apart, or a call), with nothing a file name, a line number or
// a figure begins with ('/', '<', ':12', '=', ','): no statistic's start, cut or not. (A README or a
// script ending without its line end, far below its listing, was refused as cut.)
const PROSE = /^[^\s/\\<=,](?=.*(?: \S|\())(?!.*(?:[/\\<=,]|:-?\d))/;
// The most lines of other loggers read past inside one listing (interrupted): more end it.
const MAX_INTERRUPTION = 10;

/** The length of 3 in 4 or more of two or more listings' lengths (a top N printed every time), or null. */
function oneLength(lengths: readonly number[]): number | null {
  if (lengths.length < 2) return null;
  const by = new Map<number, number>();
  for (const n of lengths) by.set(n, (by.get(n) ?? 0) + 1);
  const [length, count] = [...by].reduce((a, b) => (b[1] > a[1] ? b : a));
  return 4 * count >= 3 * lengths.length ? length : null;
}

/** Where a listing may go on after lines that are none of it (`at`: the listing after them; `no`: their first line). */
interface Split {
  readonly at: number;
  readonly no: number;
  /** The lines were a paste's mark of rows left out ('...'). */
  readonly elided: boolean;
}

// A line a paste puts for the rows it leaves out: '...', '…', '[...]', '(…)', '<snip>', '# ...'.
const ELISION = /^\s*(?:#\s*)?(?:\.{3,}|…|\[(?:\.{3}|…)\]|\((?:\.{3}|…)\)|<snip>|\[snip\])\s*$/i;

/**
 * Joins back the listings other lines split (`splits`: the listing at `at` may go on with the one
 * before it). The parts of a listing a paste elided rows of ('...') are its top rows: the rows after
 * the mark are left out (what a listing leaves out is smaller than what it shows). Parts split by other
 * lines (another thread's, printed or logged) are joined where, in a row, each is shorter than the
 * listings' usual length and they make it together: the length of 3 in 4 of the listings nothing
 * split (a top N), or, when every listing was split, the one all parts make together (a program
 * printing its top 1 after each phase, another line between, looks the same: each part is a listing
 * of that length); or where the first part comes under the listings' title (`titles`, each listing's)
 * and the others under no such title (see below). The lines of the joins go to `joined`, of the
 * elisions to `elided`.
 */
function joinSplits(
  listings: LoggedListing[],
  titles: (string | null)[],
  splits: readonly Split[],
  joined: number[],
  elided: number[],
): void {
  if (!splits.length) return;
  for (const { at, no } of [...splits].reverse().filter((x) => x.elided)) {
    listings.splice(at, 1);
    titles.splice(at, 1);
    elided.unshift(no);
  }
  // Runs of parts, each split from the one before it (indices after the elided tails went).
  const kept = splits.filter((x) => !x.elided);
  const shift = (at: number): number => at - splits.filter((x) => x.elided && x.at < at).length;
  let run: { first: number; last: number; lines: number[] } | null = null;
  const runs: { first: number; last: number; lines: number[] }[] = [];
  for (const x of kept) {
    const at = shift(x.at);
    if (run && run.last === at - 1) {
      run.last = at;
      run.lines.push(x.no);
    } else {
      run = { first: at - 1, last: at, lines: [x.no] };
      runs.push(run);
    }
  }
  const inRuns = new Set(runs.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, k) => r.first + k)));
  const total = (r: (typeof runs)[number]): number =>
    listings.slice(r.first, r.last + 1).reduce((n, l) => n + l.stats.length, 0);
  // A top N printed every time: 3 in 4 of the listings nothing split are of one length (listings of
  // every length, a filtered compare_to's under a title each, were joined where two made another's).
  const whole = listings.flatMap((l, i) => (inRuns.has(i) ? [] : [l.stats.length]));
  const totals = runs.map(total);
  const usual = whole.length
    ? oneLength(whole)
    : totals.length >= 2 && totals.every((t) => t === totals[0])
      ? totals[0]!
      : null;
  // Or every listing comes under a title of one shape ('[ Top 10 ] step 3', its numbers aside; a split
  // one, its first part), two or more of them, and the parts after the first under none of that shape: the lines
  // between are no title, the parts one listing (a top 10 of 2 sites at the first step: no usual length;
  // a warning logged after a leak's statistic split its listing, and the gate passed).
  const shape = (t: string | null): string | null => (t === null ? null : t.replace(/\d+(?:\.\d+)?/g, '#'));
  const firsts = new Set(runs.map((r) => r.first));
  const titled = listings.flatMap((_, i) => (inRuns.has(i) && !firsts.has(i) ? [] : [shape(titles[i] ?? null)]));
  const heading = titled.length >= 2 && titled[0] !== null && titled.every((t) => t === titled[0]) ? titled[0] : null;
  const untitled = (r: (typeof runs)[number]): boolean =>
    heading !== null &&
    shape(titles[r.first] ?? null) === heading &&
    titles.slice(r.first + 1, r.last + 1).every((t) => shape(t) !== heading);
  // Or its title announces a top N the parts make together, theirs none ('[ Top 10 ]': one listing in
  // the file, a warning logged inside it).
  const topOf = (t: string | null | undefined): number | null => {
    const m = t ? /\btop[\s_-]*(\d+)\b/i.exec(t) : null;
    return m ? Number(m[1]) : null;
  };
  const announced = (r: (typeof runs)[number]): boolean => {
    const n = topOf(titles[r.first]);
    return n !== null && total(r) <= n && titles.slice(r.first + 1, r.last + 1).every((t) => topOf(t) === null);
  };
  // But parts more than the top N their title announces are listings of their own; and so, when every
  // listing was split (no usual length but the parts') into parts all of one length, is a part under a
  // title of the first's shape ('[ Top 3 ]' or 'round 2 done' before each of 4 rounds of new sites, each
  // smaller than the last: read as 2 of 6, the largest total 704 KiB where no round held 586). (Another
  // thread's lines of a title's shape inside listings are read past: a worker's 'handled request 7'
  // before each listing and after its first statistic left parts of 1 and 2.)
  const partLengths = new Set(runs.flatMap((r) => listings.slice(r.first, r.last + 1).map((l) => l.stats.length)));
  const retitled = (r: (typeof runs)[number]): boolean => {
    const first = shape(titles[r.first] ?? null);
    const n = topOf(titles[r.first]);
    if (n !== null && total(r) > n) return true;
    return (
      !whole.length &&
      partLengths.size === 1 &&
      first !== null &&
      titles.slice(r.first + 1, r.last + 1).some((t) => shape(t) === first)
    );
  };
  for (const r of [...runs].reverse()) {
    const parts = listings.slice(r.first, r.last + 1);
    if (parts.some((l) => l.tracebacks !== parts[0]!.tracebacks) || retitled(r)) continue;
    const byLength = usual !== null && parts.every((l) => l.stats.length < usual) && total(r) === usual;
    if (!byLength && !untitled(r) && !announced(r)) continue;
    listings.splice(r.first, parts.length, { ...parts[0]!, stats: parts.flatMap((l) => l.stats) });
    titles.splice(r.first, parts.length, titles[r.first] ?? null);
    joined.unshift(...r.lines);
  }
}

// The prompts of a REPL whose input is no terminal, before its output on the same line: IPython's
// 'In [5]: ' and '   ...: ', Python's '>>> ' and '... '.
const REPL_PROMPTS = /^(?:(?:In \[\d+\]:|\.\.\.:|>>>|\.\.\.) +)+/;
// A source line: four spaces before it (a tab, when an editor turned them into one).
const SOURCE = /^(.*?)(?: {4}|\t)\S/;

function sniffTracemallocText(head: Buffer): boolean {
  const lines = headLines(head, 2000).map(plain);
  // A line, or two a terminal wrapped it onto.
  // (Not a JSON log record's line, '{"msg": "app.py:9: size=…"}': refused as what it is, load-capture.ts.)
  const stat = (l: string): boolean => STAT.test(l) || (!/^\s*[{|]/.test(l) && SUFFIXED_STAT.test(l));
  // (Indented as the line it goes on, a code block's wrap: its rest read after the shared indentation,
  // as the reader does; the paste was "not a format arenascope reads", h330.)
  const rest = (l: string, next = ''): string => {
    let k = 0;
    while (k < next.length && /[ \t]/.test(next[k]!) && next[k] === l[k]) k++;
    return next.slice(k);
  };
  return lines.some(
    (l, i) =>
      stat(l.trimEnd()) ||
      (l.length >= MIN_WRAP && (STAT.test(`${l}${lines[i + 1]}`) || STAT.test(`${l}${rest(l, lines[i + 1])}`))),
  );
}

// Listings of the tracemalloc documentation's recipes, which print what a statistic holds otherwise:
// display_top() (`#1: app.py:12: 402.3 KiB`, sizes to a tenth of a KiB and no counts) and the largest
// traceback's (`1838 memory blocks: 40.2 KiB` above its frames, one statistic alone); and the repr of
// Statistic objects a notebook shows. Not read: said what they are (they were "not a format arenascope
// reads"), by their first such line.
const RECIPES: readonly (readonly [RegExp, string])[] = [
  [
    /^#\d+: .+:\d+: \d+(?:\.\d+)? KiB$/,
    "the tracemalloc documentation's display_top() listing (sizes to 0.1 KiB, no counts)",
  ],
  [
    /^\d+ memory blocks: \d+(?:\.\d+)? KiB$/,
    "the tracemalloc documentation's largest-traceback listing (one statistic)",
  ],
  // What a notebook shows of `snapshot.statistics('lineno')[:3]`: the list's repr.
  [/<Statistic traceback=<Traceback \(/, "the repr of tracemalloc's Statistic objects (a notebook's output of a list)"],
];

/**
 * What a head of text is when it is a tracemalloc recipe's listing (see RECIPES), printed or logged (its
 * lines behind a log prefix: it was "not a format"), with its line; else null.
 */
export function recipeListing(head: Buffer): string | null {
  const lines = headLines(head, 2000).map((l) => plain(l).trim());
  const logged = (re: RegExp, l: string): boolean => prefixCuts(l).some((c) => re.test(l.slice(c.end)));
  for (const [re, what] of RECIPES) {
    const i = lines.findIndex((l) => re.test(l) || (/\d KiB$/.test(l) && logged(re, l)));
    if (i >= 0) {
      return (
        `line ${i + 1}: ${what}: arenascope reads statistics as print(stat) writes them, ` +
        "or the snapshot itself (snapshot.dump('snap.pickle'))"
      );
    }
  }
  return null;
}

/** An integer as printed, when a double holds it exactly; else an error at the line. */
function exact(input: InputStream, no: number, what: string, digits: string): number {
  const n = Number(digits);
  if (Number.isSafeInteger(n)) return n;
  throw new InputError(input.label, `line ${no}`, `${what} ${quoted(digits, 30)} is beyond 2^53: not counted exactly`);
}

/** The order of a listing: by size, compare_to's by the change in size. */
const rankOf = (s: ReadStatistic): number => (s.sizeDiff === null ? s.size : Math.abs(s.sizeDiff));
/** A statistic's key as printed, its log prefix left out. */
function keyOf(s: ReadStatistic): string {
  const cut = s.cuts.length ? s.cuts[s.cuts.length - 1]!.end : 0;
  return `${unranked(s.head.slice(cut).trimStart())}:${s.lineno}`;
}

/**
 * A file name without the rank a program printed before its statistic ('#1: app.py:12: size=…', as
 * pytracemalloc's documentation did; '#1 ', '1. ', '1) ', '1: ', '[1] ', '(1) ', 'Top #1: ', 'Top 1: ', and '1 ' before an absolute path: `print(i, stat)`; and a paste's '#' before one behind a log prefix, h272): the rank made each
 * rank another site (a constant site read as a leak as it climbed the ranks). After a log prefix, it
 * follows one space.
 */
const unranked = (name: string): string =>
  name.replace(
    /^\s?(?:(?:(?:top\s*)?#?\d+[:.)]|#\d+|\[\d+\]|\(\d+\))\s+(?=\S)|\d+\s+(?=[/\\<]|[A-Za-z]:[\\/])|#+(?=[/\\<]|[A-Za-z]:[\\/]))/i,
    '',
  );

const sameFrame = (a: Frame, b: Frame): boolean => a.filename === b.filename && a.lineno === b.lineno;

/**
 * The order of the frames listed under a statistic. Its header is str(Traceback), the frame at
 * index 0: the oldest from CPython 3.7, the most recent in 3.6. format() lists from index 0 (3.7's
 * most_recent_first=True from the other end), so a header equal to the last frame listed and not the
 * first says the listing runs against `order`; otherwise it runs as `order`, the only thing that
 * tells 3.6's default listing from 3.7's.
 */
function listedOrder(header: Frame, listed: readonly Frame[], order: TracebackOrder): TracebackOrder {
  if (listed.length < 2 || !sameFrame(header, listed[listed.length - 1]!) || sameFrame(header, listed[0]!)) {
    return order;
  }
  return order === 'oldest-first' ? 'most-recent-first' : 'oldest-first';
}

// A statistic's whole shape, each figure any word: a line of it that is no statistic has a figure
// that cannot be read. One cut (pytest's summary at the terminal's width) or with more after it (a
// logging format's suffix) is no statistic either, and is passed over as any other line. Its 'size'
// a word a byte away from it (sizeLike): a byte of it changed ('siz#e=', a NUL) left the listing's
// largest site out, and a leak passed the gate (helper h258). Not any word: a log record's time and
// level ('13:52:05 INFO peak=204 KiB, count=200') or a program's own 'total=' are no statistics (h259).
// Carets under an error's source line (`    ^^^^`, `~~~^~~`): no line format() prints.
const CARET = /^\s+[\^~]+\s*$/;

// A statistic's figures inside a file name: another statistic glued before it.
const GLUED = /:\d+: size=[+-]?\d[\d.]* (?:[KMGT]i)?B\b/;

const DAMAGED_STAT =
  /:-?\d+:[\0 ]{0,2}([^\s=]{1,6})=\S+ [KMGT]?i?B(?: \(\S+ [KMGT]?i?B\))?, count=\S+(?: \(\S+\))?(?:, average=\S+ [KMGT]?i?B)?$/;

/** Whether a word is 'size' with one byte changed, added or taken away (damage, not another word). */
function sizeLike(word: string): boolean {
  const letters = word.replace(/[^a-z]/g, '');
  if (letters === 'size' || (word.length === 4 && [...word].filter((c, i) => c !== 'size'[i]).length === 1))
    return true;
  // One letter taken away ('sze', after its other bytes are left out).
  return letters.length === 3 && [0, 1, 2, 3].some((i) => 'size'.slice(0, i) + 'size'.slice(i + 1) === letters);
}

// A label before a statistic's file name: 'stat=', a bracketed word and a space ('[mem] ', from
// print("[mem]", stat)), or a name, ': ' and an absolute file name (a logger's name, its format
// '%(name)s: %(message)s'). No file name starts with either before an absolute one ('/', '<stdin>', 'C:\\').
const LABEL = /^(?:[A-Za-z_]\w*=(?=\S)|\[[\w.-]{1,40}\] (?=\S)|[A-Za-z_][\w.-]{0,100}: (?=\/|<|[A-Za-z]:[\\/]))/;
const ABSOLUTE = /^(?:\/|<|[A-Za-z]:[\\/])/;
// A program's word and spaces before an absolute file name ('MEMPROF  /srv/app.py:9: …'), or two spaces
// or more before any ('MEMPROF  memprof.py:271: …'; one before a relative name is a folder's: 'my dir/a.py').
const WORD_LABEL = /^[A-Za-z_][\w.-]{0,40}(?: +(?=\/|<|[A-Za-z]:[\\/])| {2,}(?=\S))/;
// What a statistic's line holds before an absolute file name, and the space after it.
const BEFORE_NAME = /^.*?\S\s+(?=(?:\/|[A-Za-z]:[\\/]|\\\\|<)\S)/;
// A logger's name as a label ('%(name)s: %(message)s'), before any file name once one of its listing's
// is absolute after its own (CPython 3.8 names __main__'s file relative: 'app: prog.py:9').
const LOGGER_LABEL = /^[A-Za-z_][\w.-]{0,100}: (?=\S)/;
// A log prefix with its numbers alike (times tick, and %(relativeCreated)d grows a digit, in one listing).
const digitless = (text: string): string => text.replace(/\d+/g, '0');

// A statistic line cut short after its line number or inside its figures ('app.py:9: size='), nothing
// else after them: a write torn short in the middle of a log split its listing in two, silently. (Not
// one cut with '...' (pytest's summary), nor one with a suffix after it.)
const CUT_STAT = /:-?\d+:(?: size=[-+\d.()KMGTiB ,=countaverg]*)?$/;

async function readTracemallocText(input: InputStream, opts: ReadOptions): Promise<StatisticsLog> {
  const listings: LoggedListing[] = [];
  const text = textLines(input);
  const order: TracebackOrder = opts.python === undefined ? 'oldest-first' : tracebackOrderOf(opts.python);
  let current: ReadStatistic[] = [];
  let no = 0;
  let stripped: { line: number; prefix: string; listings: number } | null = null;
  let flipped: { line: number; count: number } | null = null;
  // The first statistic of the listings printed with format(limit=N): their frames the most recent N.
  let cutFrames: number | null = null;
  // The frames of each statistic read so.
  const limitedStats = new WeakSet<readonly Frame[]>();
  let labelled: { line: number; label: string; stats: number } | null = null;
  // Tracebacks read in CPython 3.7+'s order only because no --python said otherwise.
  const assumed = { line: 0, count: 0 };
  const readings = new SizeReadings();
  // The line logged before the listing being read (neither a statistic nor blank), and the last such line.
  let title: string | null = null;
  let lastOther: string | null = null;
  // Each listing's title (the line before it), for joinSplits.
  const titles: (string | null)[] = [];
  // Listings whose file names begin with a word a log prefix's field could be (listingPrefix).
  const named: (NonNullable<ListingPrefix['nameWords']> & { line: number })[] = [];
  // Statistics left out as printed after other text on their line (text-before-name.ts).
  let afterText: { line: number; text: string; count: number } | null = null;

  /** The listing's log prefix, and its statistics' names as printed without it and their ranks. */
  const namesOf = (stats: readonly ReadStatistic[]) => {
    const prefix = listingPrefix(stats, title);
    const shape = prefix?.shape ?? null;
    const names = stats.map((s) => unranked(s.head.slice(nameStart(s, prefix))));
    return { prefix, shape, names };
  };
  /**
   * The number each statistic's log prefix carries as a field of its own (prefixNumber), by its line.
   */
  const numbersOf = (shape: string | null): Map<number, string> =>
    new Map(shape === null ? [] : current.map((s) => [s.inputLine, prefixNumber(s, shape)]));
  /**
   * A listing's number (numbersOf), when every line carries the same; refused when one comes back
   * after another inside it: the lines of two processes, interleaved (a time in milliseconds only
   * grows; a line number is one call's, the same for a listing's lines).
   */
  const listingNumber = (stats: readonly LoggedStatistic[], numbers: ReadonlyMap<number, string>): string | null => {
    const seen = new Set<string>();
    let last = '';
    for (const st of stats) {
      const n = numbers.get(st.inputLine) ?? '';
      if (n && n !== last && seen.has(n))
        throw new InputError(
          input.label,
          `line ${st.inputLine}`,
          `statistic lines of one listing whose log prefix carries ${[...seen].slice(0, 3).join(', ')} in turn: ` +
            `processes logging to one file (each number a PID); give each process's lines alone (grep -w ${n} …)`,
        );
      if (n) seen.add(n);
      last = n;
    }
    return seen.size === 1 && stats.every((st) => numbers.get(st.inputLine)) ? [...seen][0]! : null;
  };
  const close = (): void => {
    if (!current.length) return;
    settleCopies();
    let { prefix, shape, names } = namesOf(current);
    // A program's label before each statistic ('stat=XXX/linecache.py:0: size=…', f"stat={stat}"): no
    // part of the file names, when every statistic of the listing carries it, behind a log prefix or
    // two statistics or more (a file name may hold '=', but not one word= before every file's), or
    // before an absolute file name ('[mem] <stdin>:6: …', each step's largest printed alone). Found on
    // any of them: a logger's name before __main__'s relative file name and others' absolute ones
    // (CPython 3.8 and older), 'app: realrun.py:9' (before, 7 sites of 8 were left out as printed after
    // other text, and the eighth named 'app: realrun.py'; h271).
    const labelOf = (ns: readonly string[]): string | undefined => {
      const label = ns.map((n) => LABEL.exec(n)?.[0]).find((l) => l !== undefined);
      const evident = (l: string): boolean =>
        shape !== null || ns.length > 1 || ns.some((n) => ABSOLUTE.test(n.slice(l.length)));
      if (label && evident(label)) return label;
      // A word and spaces before every statistic's absolute file name, of two or more (f'MEMPROF  {stat}':
      // kept in every file name; h279). One statistic alone after a word is printed after other text.
      const word = ns.length > 1 ? WORD_LABEL.exec(ns[0]!)?.[0] : undefined;
      return word && ns.every((n) => n.startsWith(word)) ? word : undefined;
    };
    // A statistic whose log prefix or label is a byte away from its listing's other lines' ('app.INF0: '
    // among 'app.INFO: ') is damaged: read as a site of another name, or left out as printed after other
    // text, a leak passed the gate (h271). An error, as a damaged figure is; --lenient leaves it out.
    const carried = (k: number): string =>
      prefix === null ? '' : current[k]!.head.slice(0, nameStart(current[k]!, prefix));
    // Each statistic's label: one shared by all, or each its logger's name (two loggers taking turns,
    // 'app: ' and 'apq: ', were refused as damaged; h272); null when the listing has none.
    const labelsOf = (ns: readonly string[]): string[] | null => {
      const shared = labelOf(ns);
      if (shared && ns.every((n) => n.startsWith(shared))) return ns.map(() => shared);
      const own = ns.map((n) => LOGGER_LABEL.exec(n)?.[0]);
      const each = own.every((l) => l !== undefined) ? (own as string[]) : null;
      return each && ns.some((n, i) => ABSOLUTE.test(n.slice(each[i]!.length).trimStart())) ? each : null;
    };
    const labelledAll = labelsOf(names) !== null;
    const withLabel = labelledAll ? undefined : labelOf(names);
    const theirs = current.map((_, j) => digitless(carried(j)));
    const broken = current.map((st, k) => {
      // Its own shorter, or none. (Times aside: a level name a byte away behind a time stamp, 'INF0',
      // left only the time taken off, and the statistic out as printed after other text; h272.)
      const own = carried(k).length;
      if (theirs.some((p) => p.length > own && nearStart(digitless(st.head), p))) return true;
      // Or what is left of its line before an absolute file name a byte away from another's (that
      // line's level name read as a log prefix's, this one's not: 'INF0 app: /srv/app.py').
      if (!labelledAll && textBeforeName(names[k]!) !== null) {
        const near = (j: number): boolean => {
          const text = BEFORE_NAME.exec(names[j]!)?.[0];
          return j !== k && text !== undefined && nearStart(digitless(names[k]!), digitless(text));
        };
        if (current.some((_, j) => near(j))) return true;
      }
      return withLabel !== undefined && !names[k]!.startsWith(withLabel) && nearStart(names[k]!, withLabel);
    });
    if (broken.some(Boolean)) {
      const k = broken.indexOf(true);
      const why = `a statistic whose text before its file name is a byte away from its listing's (${quoted(current[k]!.head, 60)})`;
      if (!opts.lenient)
        throw new InputError(input.label, `line ${current[k]!.inputLine}`, `${why}; --lenient skips it`);
      damaged.push(...current.filter((_, j) => broken[j]).map((st) => st.inputLine));
      current = current.filter((_, j) => !broken[j]);
      ({ prefix, shape, names } = namesOf(current));
    }
    let labels = labelsOf(names);
    // A statistic printed after other text on its line ('round 0 largest: …') is left out: read as a
    // listing of its own, each round made two captures and a leak read as a plateau.
    const after = printedAfterText(labels ? names.map((n, i) => n.slice(labels![i]!.length)) : names);
    if (after.some(Boolean)) {
      const i = after.indexOf(true);
      afterText ??= { line: current[i]!.inputLine, text: textBeforeName(names[i]!)!, count: 0 };
      afterText.count += after.filter(Boolean).length;
      current = current.filter((_, k) => !after[k]);
      if (!current.length) return;
      ({ prefix, shape, names } = namesOf(current));
      labels = labelsOf(names);
    }
    if (prefix?.nameWords) named.push({ line: current[0]!.inputLine, ...prefix.nameWords });
    const process = current[0]!.process;
    const numbers = process === null ? numbersOf(shape) : new Map<number, string>();
    if (labels) {
      labelled = labelled ?? { line: current[0]!.inputLine, label: labels[0]!, stats: 0 };
      labelled.stats += names.length;
      // (A space more after it is no part of the name: ' /srv/app.py' was another site, and a leak passed
      // the gate; h271.)
      for (const [i, n] of names.entries()) names[i] = n.slice(labels[i]!.length).replace(/^\s+(?=\S)/, '');
    }
    // The sizes each statistic's figures allow (estimate), for those its listing's order allows (inOrder).
    const ranges = new Map<LoggedStatistic, readonly [number, number]>();
    const inOrder = (stats: LoggedStatistic[]): LoggedStatistic[] => {
      if (stats.some((st) => st.sizeDiff !== null)) return stats;
      const sizes = withinOrder(stats.map((st) => ({ range: ranges.get(st)!, count: st.count })));
      return sizes ? stats.map((st, i) => (sizes[i] === st.size ? st : { ...st, size: sizes[i]! })) : stats;
    };
    // Format() lists a statistic's key among its frames: frame lines that name none of it are another
    // traceback's (a script's SyntaxError printed after a listing renamed its last statistic), unless
    // every statistic has frames under it, two statistics at least or two frames: format(limit=N)
    // printed each one's N most recent frames, its key (its oldest, 3.7+) not among them where it had
    // more (read as the key, the frames were left out and the caller's line summed as the allocating
    // line; h381). (By its end: a header whose log prefix was not taken off ends with the frame's name.)
    const naming = (s: ReadStatistic, i: number): boolean =>
      s.frames.some((f) => f.lineno === s.lineno && names[i]!.endsWith(f.filename));
    const framed = current.every((s) => s.frames.length) && (current.length >= 2 || current[0]!.frames.length >= 2);
    // Their order is the listing's, as its statistics that show their key tell (most_recent_first=True:
    // read oldest first, the callers were named as the allocating lines; h389); else format()'s own.
    const siblings = current.flatMap((s, i) =>
      naming(s, i) ? [listedOrder({ filename: names[i]!, lineno: s.lineno }, s.frames, order)] : [],
    );
    const limitedOrder = siblings.find((o) => o !== order) ?? order;
    const stats = current.map((s, i): LoggedStatistic => {
      const header = { filename: names[i]!, lineno: s.lineno };
      let frames: readonly Frame[] = [header];
      const limited = framed && !naming(s, i);
      if (limited) {
        frames = limitedOrder === 'most-recent-first' ? [...s.frames].reverse() : s.frames;
        cutFrames = cutFrames ?? s.inputLine;
        limitedStats.add(frames);
      } else if (s.frames.length && !naming(s, i)) {
        foreign.push(s.inputLine);
        s.frames.length = 0;
      }
      if (s.frames.length && !limited) {
        // Frames printed under a statistic (--group-by traceback) replace its one-frame key, oldest first.
        const listed = listedOrder(header, s.frames, order);
        if (listed !== order) flipped = { line: flipped?.line ?? s.inputLine, count: (flipped?.count ?? 0) + 1 };
        else if (opts.python === undefined && s.frames.length > 1 && !sameFrame(s.frames[0]!, s.frames.at(-1)!))
          assumed.line = assumed.count++ ? assumed.line : s.inputLine;
        frames = listed === 'most-recent-first' ? [...s.frames].reverse() : s.frames;
      }
      const { count, sizeDiff, countDiff, inputLine, printed: p } = s;
      const { size, reading, range } = estimate(s.size, p, count);
      readings.note(reading, inputLine, p, count);
      const st = { frames, size, count, sizeDiff, countDiff, inputLine };
      ranges.set(st, range);
      return st;
    });
    if (shape !== null) {
      const first = current[0]!;
      const said = first.head.slice(0, nameStart(first, prefix));
      stripped = stripped ?? { line: first.inputLine, prefix: said, listings: 0 };
      stripped.listings++;
    }
    // A listing is sorted, largest first (by the change for compare_to's): where the order starts over,
    // or a key comes again at the same rank, begins the next round of a logger that prints the top N
    // every time with nothing between (read as one, each site's rounds were summed; a stable app's
    // "+0 B" rounds too). A key again lower in the order is no new round: a listing by traceback
    // prints each statistic's oldest frame, often the same one.
    // (By the sizes as printed: the estimates from the averages may order two equal ones otherwise.)
    // A key again at the same rank begins a round only where the round before is no shorter than the
    // one it begins: a listing by traceback printed without frames names the same oldest frame at the
    // same size for two calls of one line (read as two rounds, the top one's first row alone, a leak's
    // last listing lost its largest statistic).
    // Each round says whether frames were printed under its statistics: a listing by traceback, however
    // deep its tracebacks (a listing by line right before one, no title between, is a round of its own).
    const rounds: { stats: LoggedStatistic[]; tracebacks: boolean; sameRank: boolean }[] = [];
    let before = Number.POSITIVE_INFINITY;
    const keys = new Set<string>();
    for (const [i, st] of stats.entries()) {
      const key = frameKey(st);
      const rank = rankOf(current[i]!);
      const round = rounds.at(-1);
      // A listing by file names no line: a site by line after it begins the next (statistics('filename')
      // then statistics('lineno') with nothing between was read as one listing, its total twice the real).
      const sameRank = keys.has(key) && rank === before;
      const over = rank > before || (round?.stats.every(byFile) && !byFile(st));
      before = rank;
      if (!round || over || sameRank) {
        rounds.push({ stats: [], tracebacks: false, sameRank: round !== undefined && !over });
        keys.clear();
      }
      keys.add(key);
      const r = rounds.at(-1)!;
      r.stats.push(st);
      r.tracebacks ||= current[i]!.frames.length > 0;
    }
    for (let k = rounds.length - 1; k > 0; k--) {
      const [prev, r] = [rounds[k - 1]!, rounds[k]!];
      if (r.sameRank && prev.stats.length < r.stats.length) {
        prev.stats.push(...r.stats);
        prev.tracebacks ||= r.tracebacks;
        rounds.splice(k, 1);
      }
    }
    for (const { stats: round, tracebacks } of rounds) {
      const pieces = tracebacks ? null : byRepeats(round);
      if (pieces) repeats.push(round[0]!.inputLine);
      for (const stats of pieces ?? [round]) {
        // One site twice, no frames under it: a listing by traceback printed without them names each
        // traceback by its oldest frame (a main() call); read by that line, summed, said.
        // (Not of frames printed with format(limit=N), nor 3.6's most recent first: a traceback's most
        // recent N frames may be another's too.)
        const seen = new Set<string>();
        const again = stats.find(
          (st) =>
            seen.size === seen.add(frameKey(st)).size &&
            !(tracebacks && (limitedStats.has(st.frames) || order !== 'oldest-first')),
        );
        // With frames: statistics('traceback') lists a traceback once; twice, its frames were cut
        // (format(limit=-N): the N oldest), the allocating lines not printed (h381).
        if (again && !tracebacks) oldestFrames.push({ line: again.inputLine, site: frameKey(again) });
        else if (again) oldestOnly.push(again.inputLine);
        const n = process === null ? listingNumber(stats, numbers) : null;
        const named = process !== null ? { process } : n !== null ? { number: n } : {};
        listings.push({ inputLine: stats[0]!.inputLine, stats: inOrder(stats), tracebacks, ...named });
        titles.push(title);
      }
    }
    current = [];
  };
  // Statistics whose frame lines named none of their key, left out: their lines.
  const foreign: number[] = [];
  // Listings without frames that named a site again, read as several (byRepeats): their first lines.
  const repeats: number[] = [];
  // Listings without frames that name one site twice: where, and the site.
  const oldestFrames: { line: number; site: string }[] = [];
  // Listings with frames that list one traceback twice: where.
  const oldestOnly: number[] = [];

  // The docker compose service the listing being read is from: another's lines among it are passed
  // over (a database's log lines split every listing, and the gate passed a leak).
  let service: string | null = null;
  // The first statistic line of each service's: two services' listings are two processes' series (one
  // read, the other's passed over among it, unsaid: a leak of the second service's passed the gate).
  const services = new Map<string, number>();
  // After a frame line that lost its indentation, the line under it is its source line, whatever
  // it holds (it lost its indentation too: the listing was split there).
  let bareFrame = false;
  // After a source line as wide as a terminal, the next line may be its end, wrapped.
  let sourceGoesOn = false;
  // Lines of damaged statistics skipped (--lenient).
  const damaged: number[] = [];
  // Statistics read without a logging format's text after them (messageEnd): their lines, the statistics
  // (each the last of its message), and whether the line being read is one.
  const suffixed: number[] = [];
  const endsMessage = new WeakSet<ReadStatistic>();
  let ended = false;
  // Blank lines met inside a listing, read past when the listing goes on after them: one between every
  // two lines of a double-spaced copy (each ended the listing: a copy of one listing read as many).
  // Another logger's lines are not: between two listings they look the same as among one's lines.
  let gap: Gap | null = null;
  let spacing: 'single' | 'double' | null = null;
  const passed: number[] = [];
  const wrap = { width: 0, soft: 0, joined: [] as number[], unjoined: [] as number[], lines: 0 };

  // A copy double-spaced: seen where a blank line stands between a title and the statistic after it,
  // or between a statistic and its frames. A program printing its top 1 and a blank line looks like a
  // double-spaced listing, and its listings were read as one.
  let doubled = false;
  let before: 'statistic' | 'frame' | 'other' = 'other';
  let blanks = 0;
  // A log handler on a logger and another on the root write every record twice, one line after the
  // other: each statistic line read twice made a round of its own (a leak's 8 listings read as 35
  // captures, and the gate passed it). A statistic line equal to the line before it is its copy, and
  // so is a frame line under it equal to the frame line kept before it (whose copy it is), when the
  // listing's every statistic has its copy: a listing by traceback printed without frames prints the
  // same line for two tracebacks that differ only in frames not printed (one read as a copy, the
  // listing lost a statistic among others not written twice).
  const twice: number[] = [];
  let copies: { of: number; no: number }[] = [];
  const settleCopies = (): void => {
    if (!copies.length) return;
    const of = new Set(copies.map((c) => c.of));
    // A handler writing each record twice (or more) copies every line of a listing alike; one line
    // alone copied more than once is a top 1 printed each round, the same (6 rounds read as one capture).
    const rounds = current.length === 1 && copies.length > 1;
    if (!rounds && current.every((_, i) => of.has(i))) twice.push(...copies.map((c) => c.no));
    else {
      // Statistics of their own: the frames read after them are the last one's.
      current = current.flatMap((s, i) => {
        const lines = [s.inputLine, ...copies.filter((c) => c.of === i).map((c) => c.no)];
        return lines.map((inputLine, k) => ({ ...s, inputLine, frames: k === lines.length - 1 ? s.frames : [] }));
      });
    }
    copies = [];
  };
  let lastLine = '';
  let copied = false;
  let keptFrame: string | null = null;
  // Frames after other text inside a listing (the documentation's largest-traceback recipe printed
  // below a listing: `1838 memory blocks: 40.2 KiB`, then its frames): no statistic's. They were read as
  // the last statistic's traceback, and its figures counted at another line. Left out, with their
  // source lines; their first lines, for the warning.
  let strayFrames = false;
  const strays: number[] = [];
  // A line inside a listing cut short (CUT_STAT): damage when the listing goes on after it (its order
  // goes on), else the line that ends the listing, as any other (pytest's summary cut at the terminal's width).
  let cutShort: { no: number; line: string } | null = null;
  // A Python warning (stderr, interleaved) inside a listing: read past when the listing goes on after it.
  const warned = new WarningInListing();
  // Other lines inside a listing (another thread's, printed or logged behind the same log prefix): each
  // ended the listing, its rest read as a capture of its own without the largest site (a leak read as
  // shrinking, and the gate passed it). The lines end it still, but where the listing would go on after
  // them (its order, its keys, its prefix), the parts are joined back (joinSplits); a paste's '...' for
  // rows it left out leaves the listing its top rows.
  let interrupted: { no: number; lines: number; elided: boolean } | null = null;
  const splits: Split[] = [];
  const interruptions: number[] = [];
  const elisions: number[] = [];

  /** Whether the listing goes on after the gap: its order goes on, the statistic's key is not in it yet. */
  const goesOn = (next: ReadStatistic | null): boolean => {
    if (!gap || !current.length) return false;
    const ok = gap.blank === 1 && spacing !== 'single' && (doubled || next === null);
    if (!ok || next === null) return ok;
    const last = current[current.length - 1]!;
    if (rankOf(next) > rankOf(last)) return false;
    // A listing by traceback prints the same oldest frame over many statistics.
    if (current.some((c) => c.frames.length)) return true;
    const key = keyOf(next);
    return !current.some((c) => keyOf(c) === key);
  };
  /**
   * Whether a statistic goes on with the listing: its order goes on, its key not in it yet, its prefix
   * the same, and of the same kind (a change of compare_to's or not; by file, line 0, or not: a top by
   * file, a title, then a top by line was read as one listing).
   */
  const continues = (next: ReadStatistic): boolean => {
    const [first, last] = [current[0]!, current[current.length - 1]!];
    const shaped = first.cuts.length
      ? first.cuts.some((c) => next.cuts.some((d) => d.shape === c.shape))
      : !next.cuts.length;
    const kind = (s: ReadStatistic): string => `${s.sizeDiff === null} ${s.lineno === 0}`;
    return (
      shaped &&
      kind(next) === kind(last) &&
      rankOf(next) <= rankOf(last) &&
      !current.some((c) => keyOf(c) === keyOf(next))
    );
  };
  /** Reads past the gap before a line of the listing, or ends the listing there; true when it goes on. */
  const afterGap = (next: ReadStatistic | null): boolean => {
    if (!gap) {
      if (current.length) spacing = spacing ?? 'single';
      return true;
    }
    const on = goesOn(next);
    if (on) {
      passed.push(gap.first);
      spacing = 'double';
      doubled ||= next === null;
    } else close();
    gap = null;
    return on;
  };

  /** A statistic line as read (STAT's groups). */
  const statisticOf = (m: RegExpExecArray): ReadStatistic => {
    // Indented (a reply's code block), a line starts after its indentation, and after the prompts a
    // REPL fed from a pipe wrote before it (`In [5]:    ...: `, `>>> `): the largest site was left out.
    const head = m[1]!.trimStart().replace(REPL_PROMPTS, '');
    const cuts = prefixCuts(head);
    return {
      inputLine: no,
      head,
      cuts,
      lineno: exact(input, no, 'the line number', m[2]!),
      size: printedSize(input, no, m[3]!, m[4]!),
      count: exact(input, no, 'the count', m[7]!),
      sizeDiff: m[5] === undefined ? null : printedSize(input, no, m[5], m[6]!),
      countDiff: m[8] === undefined ? null : exact(input, no, 'the count change', m[8]),
      printed: { size: m[3]!, unit: m[4]!, average: m[9], averageUnit: m[10] },
      frames: [],
      // A line with no prefix after one naming its process goes on with that process's message (a listing
      // logged as one, behind gunicorn's '[%(process)d]': each read as two, and a leak as transient).
      process: cuts.length ? processOf(head, cuts) : (current[current.length - 1]?.process ?? null),
    };
  };
  /**
   * The last statistic of a listing logged as one message, when the logging format puts text after the
   * message ('… average=32.6 KiB (app.py:16)', a JSON template's '"}'): right after the listing's lines,
   * going on in its order. Passed over as any other text, the listing lost its last site (a leak, in
   * every round) and no warning said so.
   */
  const messageEnd = (line: string): RegExpExecArray | null => {
    // (Not a JSON record's line, nor a Markdown table's row: '| app.py:9: size=… |', nor two statistics.)
    const m = /^\s*[{|]/.test(line) ? null : SUFFIXED_STAT.exec(line);
    if (!m || m[1]!.includes(': size=')) return null;
    // Behind a log prefix, each statistic logged on its own: the format's suffix on every line.
    if (prefixCuts(m[1]!.trimStart()).length) {
      suffixed.push(no);
      ended = true;
      return m;
    }
    if (!current.length || before !== 'statistic' || blanks !== 0) return null;
    // The message's lines: from the last with a prefix (its first; the listing read may hold several
    // yet), or after the last message's end (a format with no prefix: a round's last line alone read).
    let from = current.length - 1;
    while (from > 0 && !current[from]!.cuts.length && !endsMessage.has(current[from - 1]!)) from--;
    const [next, last] = [statisticOf(m), current[current.length - 1]!];
    const kind = (s: ReadStatistic): string => `${s.sizeDiff === null} ${s.lineno === 0}`;
    const goesOn =
      !next.cuts.length &&
      kind(next) === kind(last) &&
      rankOf(next) <= rankOf(last) &&
      !current.slice(from).some((c) => keyOf(c) === keyOf(next));
    if (!goesOn) return null;
    ended = true;
    suffixed.push(no);
    return m;
  };

  // The listing's last frame line while no source line has followed it, and the files whose frames
  // in this listing had theirs (format() prints a frame's source line when it can read the file).
  let frameOpen: FrameOpen | null = null;
  // The line of the frame last read, and the frames left out as an error's (CARET).
  let framePushedAt = -1;
  const errorFrames: number[] = [];
  let sourced = new Set<string>();
  // The last line read that is no statistic: one a byte away from one just before a listing is its first.
  let lineBefore: { no: number; line: string } | null = null;
  // A statistic line cut short (CUT_STAT) is no statistic of its listing: an error, or skipped and said.
  // (Ending a listing, it was passed over: the listing's last site left out without a word: h264.)
  const torn = (where: string): void => {
    const { no: at, line } = cutShort!;
    cutShort = null;
    const why = `a statistic cut short (${quoted(line.slice(-50), 50)}) ${where}`;
    if (!opts.lenient) throw new InputError(input.label, `line ${at}`, `${why}; --lenient skips it`);
    damaged.push(at);
  };
  const damagedStat = (line: string, at: number): void => {
    const why = `a statistic with a byte damaged (${quoted(line.slice(-60), 60)}): expected '<file>:<line>: size=<size>, count=<n>[, average=<size>]'`;
    if (!opts.lenient) throw new InputError(input.label, `line ${at}`, `${why}; --lenient skips it`);
    damaged.push(at);
  };

  /** Reads one line of the input (or two or three a terminal wrapped one onto, joined back). */
  const take = ({ no: at, text: l, service: from, stat: read }: Line): void => {
    no = at;
    if (from !== null && !services.has(from) && (read ?? STAT.exec(l.trimEnd()))) services.set(from, at);
    if (current.length && service !== null && from !== null && from !== service) return;
    // Spaces after the figures are no part of them (a listing copied from a terminal pads its lines).
    const line = l.trimEnd();
    ended = false;
    const m = (read === undefined ? STAT.exec(line) : read) ?? messageEnd(line);
    const prev = lastLine;
    lastLine = line;
    if (!m && line !== '') lastOther = line;
    if (m && current.length && line === prev && before === 'statistic' && blanks === 0) {
      copies.push({ of: current.length - 1, no });
      copied = true;
      return;
    }
    const [was, blanksBefore] = [before, blanks];
    [before, blanks] = line === '' ? [before, blanks + 1] : [m ? 'statistic' : 'other', 0];
    if (m) {
      if (blanksBefore === 1 && was === 'other') doubled = true;
      const stat = statisticOf(m);
      // No file name holds a NUL: a byte of damage before it made another site of the same line.
      if (stat.head.includes('\0')) {
        const why = `a statistic whose file name holds a NUL byte (${quoted(line, 50)}): no file name does`;
        if (!opts.lenient) throw new InputError(input.label, `line ${no}`, `${why}; --lenient skips it`);
        damaged.push(no);
        return;
      }
      // Nor another statistic: two lines glued where a line end was lost read as one site of a name
      // that holds the first, its figures lost, and a leak passed the gate (h363 F2).
      if (GLUED.test(stat.head)) {
        const why = `two statistics on one line (${quoted(line, 80)}): a line end lost between them?`;
        if (!opts.lenient) throw new InputError(input.label, `line ${no}`, `${why}; --lenient skips it`);
        damaged.push(no);
        return;
      }
      if (ended) endsMessage.add(stat);
      ended = false;
      if (warned.holding) {
        // A Python warning on stderr after the listing's last statistic: read past when the listing goes on.
        const on = current.length > 0 && !gap && continues(stat);
        warned.settle(on);
        if (!on) close();
      }
      if (interrupted) {
        const on = current.length > 0 && !gap && continues(stat);
        close();
        if (on) splits.push({ at: listings.length, no: interrupted.no, elided: interrupted.elided });
        interrupted = null;
      }
      // Two processes logging to one file (gunicorn's workers): a line of another ends the listing.
      const last = current[current.length - 1];
      if (last && last.process !== stat.process) close();
      if (cutShort) {
        const last = current[current.length - 1];
        if (last && !gap && rankOf(stat) <= rankOf(last) && !current.some((c) => keyOf(c) === keyOf(stat))) {
          torn('inside a listing that goes on after it');
        } else {
          torn('ending its listing');
          close();
        }
      }
      afterGap(stat);
      const before = lineBefore;
      if (!current.length && before?.no === no - 1 && !before.line.endsWith('.') && nearStatistic(before.line))
        damagedStat(before.line, before.no);
      frameOpen = null;
      if (!current.length) {
        sourced = new Set();
        title = lastOther;
        service = from;
        spacing = null;
      }
      bareFrame = false;
      sourceGoesOn = false;
      strayFrames = false;
      copied = false;
      keptFrame = null;
      current.push(stat);
      return;
    }
    // A statistic's key followed by figures that are not a statistic's (a digit changed to a letter):
    // ended the listing there, and the sites before it were read as another capture's.
    const broken = DAMAGED_STAT.exec(line);
    if (broken && sizeLike(broken[1]!)) {
      const figures = line.slice(broken.index).trim();
      const why = `a statistic that cannot be read (${quoted(figures, 50)}): expected '<file>:<line>: size=<size>, count=<n>[, average=<size>]'`;
      if (!opts.lenient) throw new InputError(input.label, `line ${no}`, `${why}; --lenient skips it`);
      damaged.push(no);
      return;
    }
    // Any other byte of a statistic's figures changed, added or taken away ('KjB', 'coun#=', 'big.py:9;'):
    // inside a listing, or just before one begins (its first statistic: asked when it does, a log's
    // other lines are many). Not one closing a sentence.
    if (current.length && !gap && !line.endsWith('.') && nearStatistic(line)) {
      damagedStat(line, no);
      return;
    }
    lineBefore = { no, line };
    if (warned.hold(no, line, current.length > 0 && !gap && !cutShort)) return;
    if (warned.holding) {
      warned.settle(false);
      close();
      gap = null;
    }
    if (cutShort) {
      torn('ending its listing');
      close();
      gap = null;
    }
    if (
      current.length &&
      blanksBefore === 0 &&
      !gap &&
      CUT_STAT.test(line) &&
      !line.endsWith('.') &&
      !frameLine(line)
    ) {
      cutShort = { no, line };
      return;
    }
    if (!current.length) return;
    if (line === '') {
      gap = blankAfter(gap, no);
      return;
    }
    // Frame and source lines behind nothing, a log prefix, or the text before their statistic's file name
    // (a logger's name, '%(name)s: %(message)s': each statistic read as a listing of its own; h271).
    const head = current[current.length - 1]!.head;
    const framed = (p: string): boolean =>
      p === '' || isLogPrefix(p) || (head.startsWith(p) && /^\s/.test(head.slice(p.length)) && p.trim() !== '');
    const f = frameLine(line);
    // (A paste's '...' for frames left out is no such text: the frames after it are the statistic's.)
    if (f && framed(f.prefix) && interrupted !== null && !interrupted.elided && !gap) {
      if (!strayFrames) strays.push(no);
      strayFrames = true;
      return;
    }
    if (strayFrames && !gap && SOURCE.test(line)) return;
    // A frame line behind the text before its statistic's name but for a byte ('app.x-2:' under
    // 'app.x-1: …'): damaged; read past, the traceback lost its frame and a leak passed the gate (h272).
    if (f && !framed(f.prefix) && f.prefix.trim() !== '' && nearStart(head, f.prefix)) {
      const why = `a frame line whose text before it is a byte away from its statistic's (${quoted(line, 60)})`;
      if (!opts.lenient) throw new InputError(input.label, `line ${no}`, `${why}; --lenient skips it`);
      damaged.push(no);
      return;
    }
    if (f && framed(f.prefix)) {
      if (copied && keptFrame === line && !gap) {
        keptFrame = null;
        return;
      }
      keptFrame = line;
      if (afterGap(null)) {
        current[current.length - 1]!.frames.push({
          filename: f.filename,
          lineno: exact(input, no, 'the line number', f.lineno),
        });
        bareFrame = f.bare;
        sourceGoesOn = false;
        frameOpen = { no, line, filename: f.filename, lineno: Number(f.lineno) };
        framePushedAt = no;
      }
      return;
    }
    const sourceRead = (): void => {
      if (frameOpen) sourced.add(frameOpen.filename);
      frameOpen = null;
    };
    if (bareFrame) {
      // (Whatever line it is: no evidence of the file's source lines.)
      bareFrame = false;
      frameOpen = null;
      return;
    }
    // A caret under the source line of the frame just read: an error's report (a SyntaxError printed
    // after the listing: `File "bad.py", line 2`, its code, `^`), whose frame no statistic's is (it was
    // read as the last statistic's allocating line; h389).
    if (CARET.test(line) && framePushedAt === no - 2 && current.length && current[current.length - 1]!.frames.length) {
      current[current.length - 1]!.frames.pop();
      errorFrames.push(no - 2);
      framePushedAt = -1;
      return;
    }
    const src = current[current.length - 1]!.frames.length ? SOURCE.exec(line) : null;
    if (src && (src[1]!.trim() === '' || framed(src[1]!.trimEnd()))) {
      if (afterGap(null)) sourceGoesOn = wrapsOn(l, wrap.width);
      sourceRead();
      return;
    }
    if (sourceGoesOn && !gap) {
      // The rest of a source line the terminal wrapped (no indentation of its own).
      wrap.joined.push(no);
      sourceGoesOn = wrapsOn(l, wrap.width);
      return;
    }
    if (!gap && (interrupted?.lines ?? 0) < MAX_INTERRUPTION) {
      const lines = (interrupted?.lines ?? 0) + 1;
      interrupted = { no: interrupted?.no ?? no, lines, elided: lines === 1 && ELISION.test(line) };
      return;
    }
    interrupted = null;
    close();
    gap = null;
  };
  const lines = unwrapper(wrap);
  const frames = wordWrappedFrames(wrap.joined);
  const sections = new CapturedSections();
  const progress = new PytestProgress();
  const read = (line: Line): void => {
    sections.see(line.no, line.text);
    const text = sections.session ? progress.off(line.text) : line.text;
    take(text === line.text ? line : { ...line, text, stat: undefined });
  };
  for await (const raw of text.lines) for (const line of lines.push(raw)) for (const l of frames.push(line)) read(l);
  // A last statistic whole without its line end (a paste's last line, an editor's save) is read, with a
  // warning, as mprof's last sample is: it was refused as cut. (Whole: CPython prints an average
  // whenever the count is not 0, so '…, count=3' is cut, and a unit ends every size.)
  const unended = text.cut();
  const wholeAtEnd = unended !== null && !text.cutInChar() && wholeStatistic(unended);
  if (wholeAtEnd) for (const line of lines.push(unended)) for (const l of frames.push(line)) read(l);
  const lastCut = wholeAtEnd ? null : unended;
  for (const line of lines.end()) for (const l of frames.push(line)) read(l);
  for (const l of frames.end()) read(l);
  // At the end of the input, a cut one: with --allow-partial, left out and said. (The input cut in the
  // middle of its last line, the line after it: textEnd says so.)
  const tornAtEnd = cutShort as { no: number; line: string } | null;
  let tornLeftOut: string | null = null;
  if (tornAtEnd && lastCut === null && opts.allowPartial) {
    markCutShort(input);
    tornLeftOut = `${input.label}: line ${tornAtEnd.no}: the input ends in a statistic cut short (${quoted(tornAtEnd.line.slice(-50), 50)}): it is left out (--allow-partial)`;
  } else if (tornAtEnd && lastCut === null) torn('ending the input');
  no = wrap.lines;
  // A last line that is a Markdown fence or a rule ('```', '====='), or nothing but a quote's marks
  // ('> ', an e-mail's quote of its last, empty line), with no line end, holds no figure a listing
  // reads, cut or not: a README's listing ending in its closing fence was refused, and so was a quote.
  // (Not any line without a letter: '/' or '<' begins a statistic, spaces a frame.)
  const cut = lastCut;
  const last = cut === null ? '' : plain(cut);
  const quoteMarks = cut?.includes('>') === true && last.trim() === '';
  // Inside a listing, its lines going on (no blank line after them), any text may be its next statistic's.
  const inListing = current.length > 0 && gap === null && interrupted === null;
  const prose = !inListing && PROSE.test(last);
  const warnings = textEnd(
    input,
    cut !== null && !quoteMarks && !prose && !FENCE_OR_RULE.test(last) ? cut : null,
    `line ${no + 1}`,
    opts.allowPartial ?? false,
  );
  // A traceback listing whose input stops after a frame line, in the next line's indentation or its
  // '\r\n' (no line end after them), where that file's other frames have their source line: its
  // statistic's deeper frames lost, the caller was named as the allocating line (h263). Ending at a line
  // end after it, or in the middle of the line after it, only where the file on this machine has a line
  // there that format() prints (a listing cut by lines, `head -n`, read so, exit 0; h383): a frame of
  // code compiled under a file's name past its last line has no source line, and a top N ends there
  // whole (h266); read so, and said.
  // (Narrowed by the closures that set them: read here as what they may be.)
  const [open, end] = [frameOpen as FrameOpen | null, gap as Gap | null];
  const spacesAfter = end !== null && end.first === no && end.blank === 1 && text.unended();
  const halfLineEnd = end === null && open?.no === no && text.unended() && cut === null;
  const lineEnd = end === null && open?.no === no && (cut !== null || !text.unended());
  // (Not a pseudo-file's, '<string>': one exec'd string's source may be known, another's not.)
  const sourceless =
    open && sourced.has(open.filename) && !open.filename.startsWith('<') && current.length && interrupted === null;
  const onDisk = sourceless && lineEnd ? sourceLineOnDisk(open.filename, open.lineno, printedAt(input.label)) : null;
  if (sourceless && lineEnd && !onDisk && cut === null) {
    warnings.push(
      `${input.label}: line ${open.no}: the listing ends after a frame line with no source line under it, where ` +
        "that file's other frames have theirs: read as whole; if it was cut there, its last statistic's deeper " +
        'frames are missing and its caller is named in their place',
    );
  }
  if (sourceless && (spacesAfter || halfLineEnd || onDisk)) {
    warnings.push(
      ...textEnd(
        input,
        open.line,
        `line ${open.no}`,
        opts.allowPartial ?? false,
        'a traceback stops after a frame, before its source line',
      ),
    );
    current.pop();
  }
  if (tornLeftOut) warnings.push(tornLeftOut);
  // (Not refused by a gate: `'\n'.join(str(s) for s in top)` writes a whole listing so, h358; a statistic
  // ends in its unit, and one cut inside reads as cut.)
  if (wholeAtEnd)
    warnings.push(
      `${input.label}: line ${no}: the file ends without a line end after a whole statistic (CPython prints one): ` +
        'read; if it was cut there, the statistics after it are missing',
    );
  const notUtf8 = text.notUtf8();
  if (notUtf8 !== null) warnings.push(notUtf8Warning(input.label, notUtf8, 'its file names'));
  close();
  joinSplits(listings, titles, splits, interruptions, elisions);
  if (services.size > 1) {
    const [[a, atA], [b, atB]] = [...services];
    throw new InputError(
      input.label,
      `line ${atB}`,
      `tracemalloc statistics of ${services.size} docker compose services (${a}'s from line ${atA}, ${b}'s from here): ` +
        `each service's listings are a series of its own, not one; give one service's lines (grep '^${b} ')`,
    );
  }
  const once = sections.readOnce(input.label, listings);
  const leftOut = afterText as { line: number; text: string } | null;
  if (listings.length === 0 && leftOut !== null) {
    throw new InputError(
      input.label,
      `line ${leftOut.line}`,
      `no tracemalloc statistics found: every statistic was printed after other text on its line (${quoted(leftOut.text, 30)}): not a listing; ` +
        'print the listing alone (for s in snapshot.statistics("lineno")[:10]: print(s))',
    );
  }
  if (listings.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no tracemalloc statistics found: expected lines like 'app.py:12: size=1024 KiB, count=10, average=102 KiB'",
    );
  }
  const quotes = quotedAgain(once.listings);
  return {
    kind: 'statistics-log',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    listings: quotes.listings,
    warnings: [
      ...warnings,
      ...once.warnings,
      ...lineWarnings(
        input.label,
        quotes.lines,
        'a statistic alone that repeats one of a listing above it, figures and all (a page quoting a line of its listing) left out: no capture of its own',
      ),
      ...(damaged.length
        ? [
            `${input.label}: skipped ${damaged.length} statistic line(s) that cannot be read, the first at line ${damaged[0]} (--lenient)`,
          ]
        : []),
      ...readings.warnings(input.label),
      ...lineWarnings(input.label, wrap.joined, 'lines wrapped when copied joined back to the line before them'),
      ...lineWarnings(
        input.label,
        wrap.unjoined,
        'a piece of a path before a statistic, read as printed (a wrap inside its file name, if pasted from a terminal: no other wrap shows the width)',
      ),
      ...(twice.length
        ? [
            `${input.label}: ${twice.length} statistic line(s) written twice in a row (the first at line ${twice[0]}), each read once: ` +
              'a log handler on both a logger and the root writes every record twice (a statistic printed twice on purpose would be short)',
          ]
        : []),
      ...lineWarnings(
        input.label,
        foreign,
        'frame lines under a statistic that name none of its key (another traceback, such as an error printed after the listing) left out',
      ),
      ...lineWarnings(
        input.label,
        repeats,
        'statistics naming a site again with nothing between read as listings of their own (one by line names each site once; if it was ' +
          "statistics('traceback') printed without its frames, it is one listing)",
      ),
      ...lineWarnings(input.label, passed, 'blank lines inside a listing (a double-spaced copy) read past'),
      ...lineWarnings(
        input.label,
        suffixed,
        "statistics with text after their figures (a logging format's, after the message) read without it",
      ),
      ...lineWarnings(
        input.label,
        interruptions,
        "other lines inside a listing (another thread's, printed or logged) read past: the parts before and after them make one listing (of the usual length, or under one title)",
      ),
      ...lineWarnings(
        input.label,
        elisions,
        "a paste's mark of rows left out ('...') inside a listing: its rows after the mark left out too, the listing read as its top rows",
      ),
      ...lineWarnings(
        input.label,
        strays,
        "frames after other text inside a listing (such as the tracemalloc documentation's largest-traceback recipe) are no statistic's: left out",
      ),
      ...lineWarnings(
        input.label,
        warned.skipped,
        'a Python warning inside a listing (stderr written among its lines) read past, the listing read on after it',
      ),
      ...afterTextWarning(input.label, afterText),
      ...prefixWarning(input.label, stripped),
      ...(oldestFrames.length
        ? [
            `${input.label}: line ${oldestFrames[0]!.line}: ${quoted(oldestFrames[0]!.site.replace('\0', ':'), 60)} twice in one listing` +
              `${oldestFrames.length > 1 ? ` (and in ${oldestFrames.length - 1} more)` : ''}: by traceback, printed without frames, ` +
              'each names its oldest frame: read by those lines, summed, not where memory was allocated (print traceback.format())',
          ]
        : []),
      ...lineWarnings(
        input.label,
        oldestOnly,
        'one traceback under two statistics of a listing (statistics() lists each once): its frames were cut, ' +
          'printed with format(limit=-N), the oldest alone; read by their most recent frame, summed, not where memory was allocated',
      ),
      ...lineWarnings(
        input.label,
        errorFrames,
        "a frame with a caret under its source line (an error's report, a SyntaxError's) is no statistic's: left out",
      ),
      ...nameWordWarning(input.label, named),
      ...labelWarning(input.label, labelled),
      ...orderWarning(input.label, flipped),
      ...(cutFrames === null
        ? []
        : [
            `${input.label}: line ${cutFrames}: frames under statistics that name none of their keys: printed with ` +
              "format(limit=N), the N most recent: read as each one's traceback, oldest first unless the listing " +
              'shows otherwise (if printed most_recent_first=True, callers are named as the allocating lines)',
          ]),
      ...(assumed.count
        ? [
            `${input.label}: ${assumed.count > 1 ? `${assumed.count} tracebacks (the first at line ${assumed.line})` : `the traceback at line ${assumed.line}`} ` +
              'read oldest frame first, as CPython 3.7+ prints them (3.6 printed the most recent first): if 3.6 printed it, give --python 3.6 (stats, diff and leaks take it)',
          ]
        : []),
      // (A diff says instead what a listing knows of a site it leaves out: at most its smallest size.)
      `${input.label}: tracemalloc listing: sizes as printed (3 significant digits), counts exact; ` +
        'sites a top N leaves out count as 0 outside a diff, totals cover the listed ones (a block at each of its frames if cumulative=True)',
    ],
  };
}

// A statistic of statistics('filename'): its file at line 0 ('<unknown>:0' is a site by line that
// tracemalloc could not name).
const byFile = (st: LoggedStatistic): boolean =>
  st.frames.length === 1 && st.frames[0]!.lineno === 0 && st.frames[0]!.filename !== '<unknown>';

const frameKey = (st: LoggedStatistic): string => st.frames.map((f) => `${f.filename}\0${f.lineno}`).join('\n');

/**
 * A listing without frames that names a site again, as the listings it is: a new one where a site comes
 * again. One listing by line never names a site twice: a top 2 printed each step while memory shrank
 * (each top below the one before's smallest) was read as one listing and each site's figures summed.
 * But statistics('traceback') printed without its frames names each traceback's oldest frame, often
 * the same one: taken apart only when every piece holds two statistics or more and the same sites (a
 * traceback listing's repeats come one after another, or scattered); else null.
 */
function byRepeats(round: readonly LoggedStatistic[]): LoggedStatistic[][] | null {
  const pieces: LoggedStatistic[][] = [[]];
  let keys = new Set<string>();
  for (const st of round) {
    const key = frameKey(st);
    if (keys.has(key)) {
      pieces.push([]);
      keys = new Set();
    }
    keys.add(key);
    pieces[pieces.length - 1]!.push(st);
  }
  // The same sites every time: a top N of one program's steps. A listing by traceback repeats some of
  // its sites, not all in turn (its 5 statistics, 2 and 3 apart, were read as two listings, a leak as
  // shrinking).
  const sites = (p: readonly LoggedStatistic[]): string => p.map(frameKey).sort().join('\n');
  const same = pieces.every((p) => sites(p) === sites(pieces[0]!));
  return pieces.length > 1 && pieces.every((p) => p.length >= 2) && same ? pieces : null;
}

/** Blank lines inside a listing: how many, the first. */
/** Whether a line is a whole statistic: its figures to the last (an average whenever its count is not 0). */
function wholeStatistic(line: string): boolean {
  const m = STAT.exec(plain(line).trimEnd());
  return m !== null && m[1] !== '' && (m[7] === '0' || m[9] !== undefined);
}

interface Gap {
  readonly blank: number;
  readonly first: number;
}
/** When a listing's file was last written (its modification time), null for stdin or where unknown. */
function printedAt(path: string): number | null {
  if (path === '-') return null;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

interface FrameOpen {
  readonly no: number;
  readonly line: string;
  readonly filename: string;
  readonly lineno: number;
}
/**
 * Listings of one statistic that repeat one of an earlier listing of 3 or more, figures and all: a
 * document quoting a line of its listing ("Which removes the line:"), read as a capture of its own (a
 * growth of -8217 KiB said of a page's one compare_to listing). The lines of those left out.
 */
function quotedAgain(listings: readonly LoggedListing[]): { listings: LoggedListing[]; lines: number[] } {
  const figures = (st: LoggedStatistic): string =>
    `${frameKey(st)}\0${st.size} ${st.count} ${st.sizeDiff} ${st.countDiff}`;
  const seen = new Set<string>();
  const kept: LoggedListing[] = [];
  const lines: number[] = [];
  for (const l of listings) {
    if (l.stats.length === 1 && seen.has(figures(l.stats[0]!))) {
      lines.push(l.stats[0]!.inputLine);
      continue;
    }
    if (l.stats.length >= 3) for (const st of l.stats) seen.add(figures(st));
    kept.push(l);
  }
  return { listings: kept, lines };
}

const blankAfter = (g: Gap | null, no: number): Gap => (g ? { ...g, blank: g.blank + 1 } : { blank: 1, first: no });

function lineWarnings(label: string, lines: readonly number[], what: string): string[] {
  if (!lines.length) return [];
  return [
    `${label}: ${what}: ${lines.length === 1 ? `line ${lines[0]}` : `${lines.length}, the first at line ${lines[0]}`}`,
  ];
}

function prefixWarning(label: string, s: { line: number; prefix: string; listings: number } | null): string[] {
  if (!s) return [];
  const where = s.listings > 1 ? `${s.listings} listings, the first at line ${s.line}` : `line ${s.line}`;
  return [
    `${label}: statistic lines behind a log prefix (${where}: ${quoted(s.prefix, 40)}): not part of the file names`,
  ];
}

function nameWordWarning(
  label: string,
  named: readonly { line: number; words: string; by: 'frames' | 'title' }[],
): string[] {
  if (!named.length) return [];
  const { line, words, by } = named[0]!;
  const where =
    named.length > 1 ? `${named.length} listings, the first at line ${line}` : `the listing at line ${line}`;
  const why =
    by === 'frames'
      ? 'the frames under them name the files with it'
      : "the line logged before it holds another word there (a logger's name would be in it too)";
  return [
    `${label}: ${quoted(words, 30)} before the file names of ${where} read as part of them, not of the log prefix: ${why}`,
  ];
}

function labelWarning(label: string, l: { line: number; label: string; stats: number } | null): string[] {
  if (!l) return [];
  const where = l.stats > 1 ? `${l.stats} statistics, the first at line ${l.line}` : `the statistic at line ${l.line}`;
  return [
    `${label}: ${quoted(l.label, 30)} before the file names of ${where}: read as the program's label, not part of them`,
  ];
}

function orderWarning(label: string, f: { line: number; count: number } | null): string[] {
  if (!f) return [];
  const what =
    f.count > 1 ? `${f.count} tracebacks (the first at line ${f.line}) list` : `the traceback at line ${f.line} lists`;
  return [`${label}: ${what} their frames from the other end (the header names the last one): read in that order`];
}

export const importer: Importer = {
  format: FORMAT,
  describe: "tracemalloc statistics printed as text ('file.py:12: size=… , count=…')",
  sniff: sniffTracemallocText,
  read: readTracemallocText,
};
