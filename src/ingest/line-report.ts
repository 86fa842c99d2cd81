// Importer for memory_profiler's line-by-line report (what `@profile`, `python -m memory_profiler` and
// IPython's `%mprun` print), found anywhere in a log: as printed, or pasted (trailing spaces stripped,
// tabs, CRLF, in a Markdown fence or quote, without its `Filename:` line, the table alone, rows a
// terminal wrapped onto any number of lines).
//
// Layouts of the report printer (`show_results`) across the releases, read from its history:
// * 0.2-0.9: `Line #    Mem usage   Line Contents`, one header for all functions, no `Filename:` line and
//   no blank line between functions (a function ends where the line numbers jump); line number right-
//   aligned in 6, a space, mem in 12 as '%5.2f MB', 3 spaces, the source (column 22).
// * 0.10-0.14: an Increment column of 10 (source at column 33). 0.15: each function gets `Filename: X`,
//   a blank line, its own header and rule, and two blank lines after its rows; '%5.4f MB'.
// * 0.16-0.21: Increment in 12 (source at 35), '%9.2f MB'. 0.22-0.27: `precision` (default 3), figures
//   '%(p+6).pf MB'. 0.28-0.57: 'MiB' (only the label changed: figures were always bytes / 2^20) as
//   '%(p+4).pf'; `@profile` prints 1 decimal, `-m memory_profiler` 3, `@profile(precision=N)` since 0.32.
// * 0.58.0: an Occurrences column (10 wide, after 2 spaces; source at 47), spelled 'Occurences'; 0.59+
//   spell it 'Occurrences', one letter wider than its column, so the header runs one past the rows.
// Every release: a row with no figures (def line, comment, blank or never-run line) is the number padded
// with spaces to the source column; a figure wider than its column pushes the rest of the row right;
// exactly 3 spaces precede the source, printed as is: the printer writes no tab, the program's own
// source may. 0.15-0.38 print 'ERROR: Could not find file X' under a `Filename:` line instead of a
// table. `%mprun` prints after IPython's `In [N]: ` prompt, its blank lines stripped; its -T file is
// the report rstripped: no line end after its last row. Any other last line without one was cut off.

import { readFileSync, statSync } from 'node:fs';
import type { LineReport, ReportBlock, ReportLine } from '../model/line-report.js';
import { InputError, TruncatedError } from '../util/errors.js';
import { excerpt, quoted } from '../util/excerpt.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, notUtf8Warning, textEnd, textLines } from './lines.js';
import { LoggedReport, loggedHeader, withoutCiPrefix } from './log-prefix.js';
import { type InputStream, markCutShort } from './open-input.js';
import { PY_WARNING } from './python-warning.js';

const FORMAT = 'line-report';

// (Its '#' lost on the way, a space left in its place, in two public pastes: the same columns.)
const HEADER = /^( *)Line(?: #)? +Mem usage( +Increment)?(?: +(Occu?rr?ences))? +Line Contents *$/;
// A header that stops before 'Line Contents': no table read, but said where rows are found without one.
const CUT_HEADER = /^ *Line(?: #)? +Mem usage\b/;
// After other output on its line too (pytest -v's test id, its progress dots, a print(…, end=' ')):
// then of a Python file or a pseudo-file ('<ipython-input-…>'), after a space or a dot.
// (`Filename:` alone: its name wrapped onto the next line, `fold -s`, and the space after it stripped.)
const FILENAME = /^(?:\s*(?:In \[\d+\]: )?|.*?[\s.](?=Filename: (?:\S.*\.pyw?|<[^>]*>)\s*$))Filename:(?: (.*))?$/s;
const RULE = /^\s*=+\s*$/;
const FENCE = /^\s*(```|~~~)/;
const FIGURE = String.raw` +(-?\d+(?:\.(\d*))?) (MiB|MB)`;
// The end of a row with figures: the source after exactly 3 spaces (fewer if a paste squeezed them).
const TAIL = '(?:( +)(.*))?$';
const MEASURED = {
  mem: new RegExp(String.raw`^( *)(\d+)${FIGURE}${TAIL}`, 's'),
  increment: new RegExp(String.raw`^( *)(\d+)${FIGURE}${FIGURE}${TAIL}`, 's'),
  occurrences: new RegExp(String.raw`^( *)(\d+)${FIGURE}${FIGURE} +(\d+)${TAIL}`, 's'),
};
// Where the source's spaces and text are in a match of each.
const TAIL_GROUP = { mem: 6, increment: 9, occurrences: 10 };
// The s flag: '.' takes every character, U+2028 among them; without it `(\d+)( *)(.*)$` retries each
// split of a long run of digits before a line separator (a fuzz finding: 1 MiB of digits hung).
const UNMEASURED = /^( *)(\d+)( *)(.*)$/s;
// A line that starts like a row with figures: when it is not one, the row was damaged or cut.
// So does a line number then a figure with its unit ('5     4x.9 MiB': a digit changed): a row whose
// figures are there but cannot be read, an error (a wrapped row's end, '12 13 14 15', is none). Its unit
// edited or glued on too ('1231.848 KiB', '1231.848MiB': the peak row skipped, a gate passed at 1225 MiB).
// Or both figures whole after a line number lost or changed ('    6a  331.8 MiB  10.0 MiB', likewise).
// (The line number's place is a word or nothing, not \S*\s+ after ^\s*: on a line of spaces, that
// split the run every way, in time quadratic in it; fuzz seed 76.)
// Or a row behind a byte or two of junk that is no letter or digit (a NUL or a '#' over its first column
// left a 44.8 MiB peak out; a program's own line, `step 4  20.000 MiB  4.000 MiB`, is none).
// Or both figures whole, a byte of a unit changed or taken away ('67.1 MjB', '92.4 iB': the peak row
// skipped, a gate passed at a lower one; h271, h272).
const UNIT_ANY = '(?:[KMGT]i?B|[KMGT][^\\s\\d][A-Za-z]|[A-Za-z]iB|[KMGT]i[A-Za-z]|iB|[KMGT]i)';
const BROKEN_ROW = new RegExp(
  '^\\s*(?:\\d+\\s+[^\\s\\d]*\\d\\S*?\\s*[KMGT]i?B|(?:\\S+\\s+|[^\\w\\s]{1,2}\\s*\\d+\\s+)?-?\\d[\\d.]*\\s*[KMGT]i?B\\s+-?\\d[\\d.]*\\s*[KMGT]i?B|' +
    `\\d+\\s+-?\\d[\\d.]*\\s*${UNIT_ANY}\\s+-?\\d[\\d.]*\\s*${UNIT_ANY})(\\s|$)`,
  'i',
);
const ROW_LIKE = /^\s*\d+\s+-?\d+(\.\d*)?(\s|$)/;

type Columns = keyof typeof MEASURED;
type Unit = 'MiB' | 'MB';

interface Layout {
  readonly columns: Columns;
  readonly spelling: string | null;
  readonly indent: number;
  /** Where sources start in rows with no figures; null when the header is not where memory_profiler puts it. */
  readonly sourceColumn: number | null;
  /** An Increment column of 10 (0.10-0.15) rather than 12. */
  readonly narrow: boolean;
  /** Releases before 0.15: one header for all functions, which follow each other with no break. */
  readonly shared: boolean;
  /** The tab stops of its tabs (8; 4 or 2 when that puts the header where memory_profiler prints it). */
  readonly tabWidth: number;
}

// The largest profiled source read to check where a function ends (a report names a file of its own).
const MAX_SOURCE = 4 << 20;

/**
 * The last line of the function whose report's rows are `rows` (every line from its first, as
 * memory_profiler prints them), read from the profiled file when it is here, its lines those of the
 * rows, and the function goes on after them; 0 when it is here and ends at the last row; else null
 * (not here, or not the rows' lines). The function ends before the first line after
 * its `def` indented no deeper than it (blank lines and comments pass). `lastCut`: the file ends at the
 * last row without its line end, whose source may be the start of the line's (`a = [0]` of
 * `a = [0] * 1000000`: read whole, and a gate passed at the peak of the rows before the cut; h258).
 */
function functionEnd(filename: string, rows: readonly ReportLine[], lastCut = false): number | null {
  // One row only when it cannot end a function: a decorator's or the `def` line's (a copy cut after it).
  const opens = rows.length === 1 && /^\s*(?:@|(?:async\s+)?def\s)/.test(rows[0]!.source);
  if ((rows.length < 2 && !opens) || rows.some((r, i) => i > 0 && r.lineno !== rows[i - 1]!.lineno + 1)) return null;
  let lines: string[];
  try {
    if (statSync(filename).size > MAX_SOURCE) return null;
    lines = readFileSync(filename, 'utf8').split(/\r?\n/);
  } catch {
    return null;
  }
  const same = (r: ReportLine, i: number): boolean => {
    const [line, source] = [lines[r.lineno - 1]?.trim(), r.source.trim()];
    return line === source || (lastCut && i === rows.length - 1 && line?.startsWith(source) === true);
  };
  if (!rows.every(same)) return null;
  const indent = (l: string): number => l.length - l.trimStart().length;
  const first = rows[0]!.lineno - 1;
  const base = indent(lines[first]!);
  let def = first;
  while (def < lines.length && !/^\s*(?:async\s+)?def\s/.test(lines[def]!)) def++;
  let end = def;
  // Inside a triple-quoted string, a line at column 0 (a SQL query's) is the string's, not the end.
  let quote: string | null = null;
  for (let i = def + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (quote === null && (l.trim() === '' || l.trimStart().startsWith('#'))) continue;
    if (quote === null && indent(l) <= base) break;
    end = i;
    for (const q of ['"""', "'''"])
      if ((quote === null || quote === q) && l.split(q).length % 2 === 0) quote = quote ? null : q;
  }
  return end + 1 > rows[rows.length - 1]!.lineno ? end + 1 : 0;
}

interface Row {
  readonly line: ReportLine;
  /** Where the source begins in the text read. */
  readonly sourceStart: number;
  readonly decimals: number;
  readonly unit: Unit | null;
}

// A function's first row: a decorator or `def` line whose Increment is its Mem usage (memory_profiler
// measures the call from 0). After a jump in line numbers, it starts another function (two tables
// pasted as one). The line alone would not do: with the tracemalloc backend, memory back at 0 inside a
// function makes a later row's Increment its Mem usage too.
const firstRow = (l: ReportLine): boolean =>
  l.incrementMiB !== null && l.incrementMiB === l.memMiB && /^\s*(?:@|(?:async\s+)?def\s)/.test(l.source);

function expandTabs(s: string, width = 8): string {
  if (!s.includes('\t')) return s;
  let out = '';
  for (const c of s) out += c === '\t' ? ' '.repeat(width - (out.length % width)) : c;
  return out;
}

// Tab stops a paste's tabs may have been made with (`unexpand -t 4`, an editor's): the header at the
// width that puts it where memory_profiler prints it tells which, and its rows are read so.
const TAB_WIDTHS = [8, 4, 2];

function parseHeader(text: string): Layout | null {
  let layout: Layout | null = null;
  for (const tabWidth of text.includes('\t') ? TAB_WIDTHS : [8]) {
    const at = headerAt(expandTabs(text, tabWidth), tabWidth);
    if (at && at.sourceColumn !== null) return at;
    layout ??= at;
  }
  return layout;
}

function headerAt(line: string, tabWidth: number): Layout | null {
  const m = HEADER.exec(line);
  if (!m) return null;
  const indent = m[1]!.length;
  const at = line.indexOf('Line Contents') - indent;
  const spelling = m[3] ?? null;
  const columns: Columns = spelling ? 'occurrences' : m[2] ? 'increment' : 'mem';
  // Where each release's header puts 'Line Contents'; 'Occurrences' overflows its column by one.
  const canonical = { mem: [22], increment: [33, 35], occurrences: [spelling === 'Occurrences' ? 48 : 47] }[columns];
  const sourceColumn = canonical.includes(at) ? indent + at - (spelling === 'Occurrences' ? 1 : 0) : null;
  const narrow = columns === 'increment' && at === 33;
  return { columns, spelling, indent, sourceColumn, narrow, shared: columns === 'mem' || narrow, tabWidth };
}

function releases(l: Layout, unit: Unit | null): string {
  if (l.columns === 'mem') return '0.2-0.9';
  if (l.columns === 'occurrences') return l.spelling === 'Occurrences' ? '0.59+' : '0.58';
  if (l.narrow) return '0.10-0.15';
  return unit === 'MB' ? '0.16-0.27' : unit === 'MiB' ? '0.28-0.57' : '0.16-0.57';
}

/** A row of the table, 'damaged' for a line that starts like one but is not, or null. */
function parseRow(text: string, layout: Layout, prev: number | null): Row | 'damaged' | null {
  const row = parseSpaced(text, layout, prev);
  const tab = text.indexOf('\t');
  if (tab < 0) return row;
  // A tab before the source is a paste's (spaces turned into tabs); one inside it is the program's.
  // memory_profiler puts spaces before every source: a tab right after the line number is a paste's.
  const read = row !== null && row !== 'damaged';
  const inSource = read && (tab > row.sourceStart || (tab === row.sourceStart && text[tab - 1] === ' '));
  if (inSource && row.line.memMiB !== null) return row;
  // Empty cells after the line number (a spreadsheet's copy of a row with no figures): its source
  // holds no figures of the row, whatever it says (a docstring line of figures read as 999 MiB).
  if (read && row.line.memMiB === null && /^\s*\d+\t[ \t]*\t/.test(text)) return row;
  const expanded = parseSpaced(expandTabs(text, layout.tabWidth), layout, prev);
  // A row with no figures whose source holds tabs is the program's line, unless its tabs read as a
  // paste's give it figures: a table copied with one tab between its fields (a spreadsheet's, a
  // rendered page's) had every row after the first read as source alone, its figures for text.
  const measured = expanded !== null && expanded !== 'damaged' && expanded.line.memMiB !== null;
  return inSource && !measured ? row : expanded;
}

function parseSpaced(text: string, layout: Layout, prev: number | null): Row | 'damaged' | null {
  const m = MEASURED[layout.columns].exec(text);
  if (m && !inSource(m, layout)) {
    const g = TAIL_GROUP[layout.columns];
    const spaces = m[g] ?? '';
    const source = spaces.length >= 3 ? spaces.slice(3) + m[g + 1] : (m[g + 1] ?? '');
    const line: ReportLine = {
      lineno: Number(m[2]),
      memMiB: Number(m[3]),
      incrementMiB: layout.columns === 'mem' ? null : Number(m[6]),
      occurrences: layout.columns === 'occurrences' ? Number(m[9]) : null,
      source,
    };
    return { line, sourceStart: text.length - source.length, decimals: m[4]?.length ?? 0, unit: m[5] as Unit };
  }
  const u = UNMEASURED.exec(text);
  const source = u && unmeasuredSource(text, u, layout, prev);
  if (source === null || source === undefined) return ROW_LIKE.test(text) || BROKEN_ROW.test(text) ? 'damaged' : null;
  const line = { lineno: Number(u![2]), memMiB: null, incrementMiB: null, occurrences: null, source };
  return { line, sourceStart: text.length - source.length, decimals: -1, unit: null };
}

/**
 * Figures that start in the source column, where a row with no figures has its source: a line of a
 * string literal that looks like a row (a report pasted into a docstring), never run, so unmeasured.
 * The printer right-aligns Mem usage in the columns before the source's (a wider figure starts there
 * too, and pushes the rest right); only a header where memory_profiler puts it tells the column.
 */
function inSource(m: RegExpExecArray, layout: Layout): boolean {
  if (layout.sourceColumn === null) return false;
  const numberEnd = m[1]!.length + m[2]!.length;
  const figure = m[0].length - m[0].slice(numberEnd).trimStart().length;
  return figure >= sourceColumnOf(numberEnd, layout.sourceColumn, layout.indent);
}

// Where the source starts in a row whose number ends at `numberEnd`: a number wider than its 6
// columns pushes it right; a row whose leading spaces were stripped (a paste, an editor) has every
// column moved left as much (a `def` row, its source at column 43, was skipped as no row).
const sourceColumnOf = (numberEnd: number, sourceColumn: number, indent: number): number =>
  sourceColumn + numberEnd - indent - 6;

/** The source of a row with no figures, or null when the line is not one. */
function unmeasuredSource(text: string, u: RegExpExecArray, layout: Layout, prev: number | null): string | null {
  const follows = prev !== null && Number(u[2]) === prev + 1;
  // Only a number: a blank source line whose padding was stripped; weak evidence unless it follows on.
  if (u[4] === '') return follows ? '' : null;
  // Where the header does not tell the source's column (a paste's tabs), a row with no figures is one
  // when it follows on, or is the first row of a function a release before 0.58 prints: its decorator
  // (before 0.15, functions follow each other under one header, which tabs do not tell apart).
  const first = u[4]!.trimStart().startsWith('@');
  if (layout.sourceColumn === null) return follows || first ? u[4]! : null;
  const numberEnd = u[1]!.length + u[2]!.length;
  const column = sourceColumnOf(numberEnd, layout.sourceColumn, layout.indent);
  return text.length >= column && text.slice(numberEnd, column).trim() === '' ? text.slice(column) : null;
}

// A terminal shows the header on one line only when it is at least as wide; a row that reaches that
// width may have been wrapped onto the lines after it. Alone, a line after a row is taken as its end
// only when the row reached 80 columns (most terminals' width and fold's) or the width a row wrapped
// onto several lines showed before it: those show the width in each full line, so there the header's
// width is enough.
const WRAP = 80;
// Full lines of one wrapped row are equally wide, less a tab fold moved on or trailing spaces stripped.
const WRAP_SLACK = 8;
// The text of one row's wrapped lines held while the table is read: beyond it the table ends there.
const MAX_HELD = 1 << 24;
// Other output among a table's rows held for what follows to tell: beyond it the table ends there.
const MAX_OUTPUT_LINES = 20;
const MAX_OUTPUT_CHARS = 1 << 16;
// REPL prompts: the session that printed the table goes on (IPython strips %mprun's blank lines).
const PROMPT = /^(?:In \[\d+\]:|Out\[\d+\]:|>>> )/;
// A Markdown quote ('> ' before each line of a reply), or a comment's mark ('# ': a report kept in a script).
const QUOTE_MARK = /^(?:(?: {0,3}>)+|[ \t]*#+(?= |$)) ?/;
// A web page's copy: its no-break spaces are the printer's spaces (its header was not found; h267).
const NBSP = /\u00a0/g;
// (A `Filename:` line's name keeps its own: a folder named with one is another folder; h271.)
const spaced = (line: string): string => {
  if (!line.includes('\u00a0')) return line;
  const name = /^[\s\u00a0]*Filename:[\s\u00a0]*/.exec(line);
  return name ? name[0].replace(NBSP, ' ') + line.slice(name[0].length) : line.replace(NBSP, ' ');
};
// A terminal that shows the 61-column header whole is this wide: a Filename: line as wide may wrap on.
const MIN_NAME_WRAP = 61;
// A Filename: line wrapped with its header: at most this many lines of its end, each as wide as the
// terminal but for this many columns (trailing spaces stripped where the header broke after spaces).
const MAX_NAME_PIECES = 4;
const NAME_WRAP_SLACK = 4;

// Two figures after a line number: a row of 0.10+ found outside any table.
const ORPHAN = /^ *\d+ +-?\d+(\.\d+)? Mi?B +-?\d+(\.\d+)? Mi?B/;

/** A line's width as a terminal counts it (characters) and as `fold` does (bytes), tabs expanded. */
interface Width {
  readonly columns: number;
  readonly bytes: number;
}

interface Held {
  readonly no: number;
  readonly text: string;
  readonly damaged: boolean;
  readonly width: Width;
}

function widthOf(text: string): Width {
  const expanded = expandTabs(text);
  return { columns: [...expanded].length, bytes: Buffer.byteLength(expanded) };
}

interface Table {
  layout: Layout;
  /** Columns of the header line: the least width of the terminal that showed it whole. */
  headerWidth: number;
  readonly filename: string;
  /** The line of its `Filename:`, or of its header. */
  readonly start: number;
  rule: boolean;
  /** Its header was wrapped by the terminal it was copied from: so was its rule (61 '=' on 60 columns). */
  readonly wrappedHeader: boolean;
  rows: number;
  /** Columns of its widest row read whole: the terminal was at least as wide, and wrapped none narrower. */
  widest: number;
}

/** The reading state, fed one line at a time: a pending `Filename:`, or the table being read. */
class Reader {
  readonly blocks: ReportBlock[] = [];
  readonly warnings: string[] = [];
  /** Whether a report was read cut short (--allow-partial kept what came before the cut). */
  cutShort = false;
  /** The pending `Filename:` line; `last`, `width`: its last line and how wide that was, as it may wrap on. */
  private file: { name: string; no: number; last: number; width: Width } | null = null;
  private table: Table | null = null;
  private rows: ReportLine[] = [];
  private blockStart = 0;
  private decimals = -1;
  private unit: Unit | null = null;
  /** Lines inside the table that are not rows, kept until what follows tells what they were. */
  private held: Held[] = [];
  private heldChars = 0;
  /** The width of the last row's text: lines that follow a long one may be its wrapped end. */
  private lastWidth: Width = { columns: 0, bytes: 0 };
  /** The width a row wrapped onto several lines showed: the terminal's, for the rows after it. */
  private wrapWidth = 0;
  /** The block being read starts or ends at a line that could not be read as a row. */
  private startUnread = false;
  /** The open block's line numbers jumped: rows are missing (ReportBlock.rowsMissing). */
  private rowsMissing = false;
  /** The open block's rows may stop before its function's end (ReportBlock.rowsCut). */
  private rowsCut = false;
  /** The input stops inside the open table's next row (read with --allow-partial). */
  private cut = false;
  private orphans: number[] = [];
  /** The first line of a header without its 'Line Contents' column (a paste cut at its right). */
  private cutHeader: number | null = null;
  /** The last line read, when it was a header without its 'Line Contents' column: wrapped, maybe. */
  private headPiece: { readonly text: string; readonly no: number } | null = null;
  /** The lines right under a `Filename:` line taken as other output (a few): the name's end, maybe. */
  private nameRest: { readonly text: string; readonly no: number }[] = [];
  /** The Filename: line a traceback came after (passTraceback), 0 when none is being passed over. */
  private tracebackFrom = 0;
  private tracebackLines = 0;
  /** Lines of other output between a `Filename:` line and its header (a thread's prints), the first's number. */
  private outputFrom = 0;
  private outputLines = 0;
  /** The width of the last piece of a wrapped `Filename:` line joined (wrappedName). */
  private namePiece: Width | null = null;
  /** A blank line in the open table, kept until the next line says whether the table goes on. */
  private blankAt = 0;
  /** The line of the last header read again inside a table (headerAgain): a rule may follow it. */
  private againAt = 0;
  /** Blank lines read past inside tables (the next row of the table followed). */
  private readonly blanksInside: number[] = [];

  constructor(
    readonly label: string,
    /** --lenient: a row that cannot be read is skipped with a warning, not an error. */
    private readonly lenient = false,
    /** --allow-partial: a report stopped by an exception while it was printed gives its rows, with a warning. */
    private readonly allowPartial = false,
  ) {}

  /**
   * A line without a Markdown quote mark. A mark's space may be the row's own first one (`>    14 …`
   * under `> Line #`, or under `>Line #`): inside a table, the row keeps what puts its line number's
   * end under the end of `Line #`, as the printer aligns them (taken with the mark, a row moved a
   * column left, and a line of a string literal in the source column read as measured at 900 MiB).
   */
  private unquoted(raw: string): string {
    if (DOCSTRING_HEADER.test(raw)) return raw.slice(3);
    const m = QUOTE_MARK.exec(raw);
    if (!m) return raw;
    const stripped = raw.slice(m[0].length);
    if (!this.table || !m[0].endsWith(' ')) return stripped;
    const end = this.table.layout.indent + 6;
    const numberEnd = (t: string): number => /^ *\d{1,6}(?!\d)/.exec(t)?.[0].length ?? -1;
    const kept = raw.slice(m[0].length - 1);
    return numberEnd(stripped) !== end && numberEnd(kept) === end ? kept : stripped;
  }

  line(raw: string, no: number): void {
    const text = this.unquoted(raw);
    if (this.table && this.inTable(text, no)) return;
    if (this.headPiece && this.headerEnd(text, no)) return;
    const f = FILENAME.exec(text);
    const layout = f ? null : parseHeader(text);
    const missing = f || layout ? null : NOT_FOUND.exec(text);
    if (f) {
      this.file = { name: (f[1] ?? '').trimEnd(), no, last: no, width: widthOf(text) };
      this.nameRest = [];
      this.tracebackFrom = 0;
      this.outputFrom = 0;
      this.outputLines = 0;
    } else if (layout) this.openTable(layout, text, no);
    else if (missing) {
      // A profiled function whose source memory_profiler could not read (exec'd code: `<string>`):
      // no table, so its memory is in no row; said, not passed over.
      this.warn(
        no,
        `memory_profiler could not find the source of ${quoted(missing[1]!, 80)}: the table of a profiled function there is missing (its memory is in no row)`,
      );
    } else if (ORPHAN.test(text)) this.orphans.push(no);
    else if (CUT_HEADER.test(text)) {
      this.cutHeader ??= no;
      this.headPiece = { text, no };
    } else if (this.file && text.trim() !== '' && !FENCE.test(text) && !this.passTraceback(text)) {
      if (this.wrappedName(text, no)) return;
      const rest = this.nameRest;
      if (no === (rest.at(-1)?.no ?? this.file.last) + 1 && rest.length < MAX_NAME_PIECES) rest.push({ text, no });
      // A few lines of other output (a thread printing while the report was): passed over, the file kept.
      if (++this.outputLines <= MAX_OUTPUT_LINES) this.outputFrom ||= no;
      else this.file = null;
    }
  }

  /**
   * Whether a line right under a `Filename:` line is its end, wrapped by a terminal and copied: memory_profiler
   * writes the name and the blank line after it at once, so nothing else comes between. The line before
   * is full (as wide as a terminal showing the 61-column header whole, and as the first piece when it is
   * a piece too); the piece is no other output (no ': '). Joined, with a warning (passed over, a report
   * of `/long/path/another_dir/mod.py` named `/long/path/another` and `open …/another:1`).
   */
  private wrappedName(text: string, no: number): boolean {
    const f = this.file!;
    // Linux's PATH_MAX bounds a path, and the lines joined (a file of one wide line repeated).
    if (no !== f.last + 1 || /^\s|: /.test(text) || f.name.length >= 4096) return false;
    // `Filename:` alone: its name went onto the next line (`fold -s` broke the line at its space), whose
    // width is the terminal's for the pieces after it (it was named '').
    if (f.last === f.no && f.name === '') {
      this.warn(no, `taken as the name of the Filename: line ${f.no}, wrapped when copied`);
      this.namePiece = widthOf(text);
      this.file = { ...f, name: text.trimEnd(), last: no, width: this.namePiece };
      return true;
    }
    const full = (w: Width): boolean =>
      f.last === f.no ? w.columns >= MIN_NAME_WRAP : w.columns === f.width.columns || w.bytes === f.width.bytes;
    const before = f.last === f.no ? f.width : this.namePiece;
    if (!before || !full(before)) return false;
    this.warn(no, `taken as the end of the Filename: line ${f.no}, wrapped when copied`);
    this.namePiece = widthOf(text);
    this.file = { ...f, name: f.name + text.trimEnd(), last: no };
    return true;
  }

  /**
   * Whether a line is the end of the header line right above it, wrapped by the terminal it was copied
   * from: memory_profiler's header is 61 columns wide, so a 60-column terminal shows its last letter on
   * a line of its own. Joined, with a warning (it read as a header cut before its 'Line Contents'
   * column, and the report was refused).
   */
  private headerEnd(text: string, no: number): boolean {
    const piece = this.headPiece!;
    this.headPiece = null;
    const joined = piece.text + text;
    const layout = piece.no === no - 1 ? parseHeader(joined) : null;
    if (!layout) return false;
    if (this.cutHeader === piece.no) this.cutHeader = null;
    this.warn(no, `taken as the end of the header line ${piece.no}, wrapped when copied`);
    this.nameWrapped(widthOf(piece.text).columns, no);
    this.openTable(layout, joined, no, piece.text);
    this.wrapWidth = widthOf(piece.text).columns; // the terminal's: rows as wide were wrapped too
    return true;
  }

  /**
   * Of a header wrapped at `width` columns: its `Filename:` line wrapped too, its end passed over as
   * other output (a cut or empty name read, h310). The lines right under it are its end when every line
   * but the last is full: as wide as the terminal (a column or so less, trailing spaces stripped), or
   * broken before a word that did not fit (`fold -s`, `Filename: ` alone). A full `Filename:` line
   * whose end cannot be told so is an error: never a name cut short.
   */
  private nameWrapped(width: number, header: number): void {
    const [f, rest] = [this.file, this.nameRest];
    if (!f || !rest.length || this.outputFrom !== rest[0]!.no || this.outputLines !== rest.length) return;
    const lines = [f.name === '' ? 'Filename: ' : `Filename: ${f.name}`, ...rest.map((r) => r.text)];
    const full = (i: number): boolean => {
      const w = widthOf(lines[i]!.trimEnd()).columns;
      const word = /^\S*/.exec(lines[i + 1]!)![0].length;
      return w >= width - NAME_WRAP_SLACK || w + 1 + word > width;
    };
    if (!full(0)) return; // a name whole, and other output under it
    const ends = rest.findIndex((_, k) => k + 1 === rest.length || !full(k + 1));
    const pieces = rest.slice(0, ends + 1);
    if (ends + 1 !== rest.length || pieces.some((r) => /^\s|: /.test(r.text))) {
      throw new InputError(
        this.label,
        `line ${f.no}`,
        `its Filename: line was wrapped as its header (line ${header - 1}) was, and where the name ends cannot be told ` +
          'from the lines under it: copy the report from a terminal 61 columns wide or more',
      );
    }
    const last = pieces.at(-1)!.no;
    this.warn(last, `taken as the end of the Filename: line ${f.no}, wrapped when copied (as its header was)`);
    this.file = { ...f, name: f.name + pieces.map((r) => r.text.trim()).join(''), last };
    [this.outputFrom, this.outputLines] = [0, 0];
  }

  /**
   * Whether a line between a `Filename:` line and its header is a Python traceback's (stderr written
   * between them while stdout was buffered): from its first line to the header, a chained exception's
   * lines among them (MAX_TRACEBACK_LINES at most). Passed over with the file kept (its report's
   * function lost its file, unsaid).
   */
  private passTraceback(text: string): boolean {
    if (TRACEBACK.test(text)) {
      this.tracebackFrom ||= this.file!.no;
      this.tracebackLines = 0;
    } else if (!this.tracebackFrom) return false;
    // To the header (a chained exception's lines among it), a few hundred lines at most.
    else if (++this.tracebackLines > MAX_TRACEBACK_LINES) {
      this.tracebackFrom = 0;
      return false;
    }
    return true;
  }

  /** `shown`: the header's first line when the terminal wrapped it (its width is the terminal's). */
  private openTable(layout: Layout, text: string, no: number, shown = text): void {
    if (this.tracebackFrom && this.file) {
      this.warn(this.tracebackFrom, "a Python traceback between a report's Filename: line and its header passed over");
    }
    if (this.outputFrom && this.file) {
      this.warn(
        this.outputFrom,
        `${this.outputLines} line(s) of other output between a report's Filename: line and its header passed over`,
      );
    }
    this.tracebackFrom = 0;
    this.outputFrom = 0;
    this.outputLines = 0;
    const start = this.file?.no ?? no;
    const headerWidth = widthOf(shown.trimEnd()).columns;
    const wrappedHeader = shown !== text;
    this.table = {
      layout,
      headerWidth,
      filename: this.file?.name ?? '',
      start,
      rule: false,
      wrappedHeader,
      rows: 0,
      widest: 0,
    };
    this.file = null;
    this.blockStart = start;
  }

  /**
   * A header again, with no `Filename:` line above it, right under the header (a blank line between or
   * not) or right after a row: a copy that repeated it (a page or scroll break). memory_profiler prints
   * a header after a `Filename:` line only (0.15 on), or once for all its functions (before): the rows
   * after it are the same report's (read as a new table, they lost their file: `(no Filename: line)`).
   * Where its line numbers go on is the same function; where they go back, another of the file (addRow).
   */
  private headerAgain(text: string, no: number): boolean {
    const t = this.table!;
    if (this.held.length || (t.rows && this.blankAt)) return false;
    const layout = parseHeader(text);
    if (!layout) return false;
    const what = t.filename ? `the report of ${excerpt(t.filename)}` : 'a report';
    this.warn(
      no,
      t.rows
        ? `a header again among the rows of ${what}, with no Filename: line above it (a page break in a copy?): the rows after it read as that report's`
        : `a header again under the header of ${what} (line ${t.start}), with no rows between: read as one`,
    );
    t.layout = layout;
    t.headerWidth = widthOf(text.trimEnd()).columns;
    if (!t.rows) t.rule = false;
    this.blankAt = 0;
    this.againAt = no;
    return true;
  }

  /** Reads one line of the table; false when the table ended before it (the caller reads it anew). */
  private inTable(text: string, no: number): boolean {
    const t = this.table!;
    const prev = this.rows.length ? this.rows[this.rows.length - 1]!.lineno : null;
    if (text.trim() === '' && this.held.length && this.tracebackHeld()) {
      // A chained exception's traceback holds blank lines: held with it (what follows tells).
      this.held.push({ no, text, damaged: false, width: widthOf(text) });
      return true;
    }
    if (text.trim() === '') {
      // A blank line ends a table, unless the table goes on after it (a double-spaced copy, a web
      // page's paragraphs): its rows were "shaped like rows with no header", its peak unread.
      if (this.blankAt || this.held.length) {
        this.closeTable(this.blankAt || no, true);
        this.blankAt = 0;
      } else this.blankAt = no;
      return true;
    }
    const again = this.headerAgain(text, no);
    if (again) return true;
    // (A wrapped header's rule was wrapped too: its second line of '=' is the rule's.)
    const rule = (this.againAt === no - 1 || ((!t.rule || t.wrappedHeader) && !t.rows)) && RULE.test(text);
    const row = rule ? null : parseRow(text, t.layout, prev);
    if (this.blankAt) {
      const blank = this.blankAt;
      this.blankAt = 0;
      const goesOn = rule || (row !== null && row !== 'damaged' && (prev === null || row.line.lineno > prev));
      if (!goesOn) {
        this.closeTable(blank, true);
        return false;
      }
      this.blanksInside.push(blank);
    }
    if (rule) {
      t.rule = true;
      return true;
    }
    if (row !== null && row !== 'damaged') {
      this.checkFigures(row.line, no);
      this.addRow(row, text, prev, no);
      return true;
    }
    const next = FILENAME.test(text) || parseHeader(text);
    if (next && this.rows.length && !this.held.length) this.nextReportAtRow(no);
    const ends = next || FENCE.test(text);
    if (ends || (this.held.length && !this.mayContinue(text) && !this.tracebackHeld() && !this.outputHeld())) {
      this.closeTable(no, Boolean(ends));
      return false;
    }
    this.held.push({ no, text, damaged: row === 'damaged', width: widthOf(text) });
    this.heldChars += text.length;
    return true;
  }

  /**
   * Whether the held lines are a Python traceback in a table (after its header or a row): held to its
   * end, blank lines and all, for what follows tells
   * whether it stopped the report's printing (nothing more of it) or came between its rows (stderr
   * written while stdout, buffered, held the rest: the rows go on after it).
   */
  private tracebackHeld(): boolean {
    return TRACEBACK.test(this.held[0]!.text) && this.heldChars <= MAX_HELD && this.held.length < MAX_TRACEBACK_LINES;
  }

  /**
   * Whether a few lines of other output are held after a row (a program's prints, a warning on stderr
   * between buffered rows): held for what follows to tell, a row going on with the function's lines
   * (skipped, with a warning) or the end of the report (read anew). Two of them ended the table, and its
   * rows after them were refused as rows with no header.
   */
  private outputHeld(): boolean {
    return this.rows.length > 0 && this.held.length < MAX_OUTPUT_LINES && this.heldChars <= MAX_OUTPUT_CHARS;
  }

  /** Whether another line may go on the held ones: the last held line was as wide as the terminal can be. */
  private mayContinue(text: string): boolean {
    const last = this.held[this.held.length - 1]!;
    return last.width.bytes >= this.table!.headerWidth && this.heldChars + text.length <= MAX_HELD;
  }

  /**
   * Whether the held lines are the rest of the last row, wrapped by the terminal it was copied from:
   * every line but the last of them as wide as the widest (the terminal's width, at least the header's),
   * the last no wider. `more`: rows follow in the table.
   */
  private wrapped(more: boolean): boolean {
    const held = this.held;
    if (!this.rows.length || !held.length || held[0]!.damaged || PY_WARNING.test(held[0]!.text)) return false;
    // Python has no name or number right after a closing bracket: `f(x)` then `tick 2` is two lines.
    if (/[)\]}]$/.test(this.rows[this.rows.length - 1]!.source) && /^\w/.test(held[0]!.text)) return false;
    const full = [this.lastWidth, ...held.slice(0, -1).map((h) => h.width)];
    const columns = Math.max(...full.map((w) => w.columns));
    const last = held[held.length - 1]!;
    if (!more && PROMPT.test(last.text)) return false;
    // A row as wide as it wraps at, no narrower than one read whole above it (rows of 150 columns, then
    // one of 88 took a docstring's closing quotes below it as the end of its source).
    return (
      columns >= this.table!.headerWidth &&
      columns >= this.table!.widest - WRAP_SLACK &&
      (columns >= WRAP || full.length >= 2 || columns === this.wrapWidth) &&
      full.every((w) => w.bytes >= columns - WRAP_SLACK) &&
      last.width.columns <= Math.max(...full.map((w) => w.bytes))
    );
  }

  /** Puts the held lines back on the end of the last row's source, with a warning saying so. */
  private joinHeld(): void {
    const held = this.held;
    if (held.length > 1) this.wrapWidth = Math.max(this.lastWidth.columns, ...held.map((h) => h.width.columns));
    const last = this.rows.pop()!;
    this.rows.push({ ...last, source: last.source + held.map((h) => h.text).join('') });
    const lines = held.length === 1 ? 'not a row' : `not a row, nor the ${held.length - 1} line(s) after it`;
    this.warn(held[0]!.no, `${lines}: taken as the end of source line ${last.lineno}'s row, wrapped when copied`);
    this.clearHeld();
  }

  private clearHeld(): void {
    this.held = [];
    this.heldChars = 0;
  }

  /** Warns of held lines that are not a wrapped row: skipped; the rows after them are read on. */
  private skipHeld(same: boolean, first: boolean): void {
    const held = this.held;
    const damaged = held.some((h) => h.damaged);
    const what = damaged
      ? 'a row that cannot be read'
      : TRACEBACK.test(held[0]!.text)
        ? 'a Python traceback between its rows (stderr written while stdout, buffered, held them)'
        : PY_WARNING.test(held[0]!.text)
          ? 'a Python warning between its rows (stderr written while stdout, buffered, held them)'
          : 'not a row';
    const more = held.length > 1 ? `, and ${held.length - 1} line(s) after it` : '';
    const then = first
      ? 'skipped; the first row of the function follows'
      : same
        ? 'skipped; the rows after it read as the same function'
        : "skipped; the rows after it read as another function's";
    const broken = held.find((h) => h.damaged && BROKEN_ROW.test(h.text));
    if (broken && !this.lenient) this.unreadRow(broken);
    this.warn(held[0]!.no, `${what} (${quoted(held[0]!.text)})${more}: ${then}`);
    if (first && damaged) this.startUnread = true;
  }

  /**
   * A line that starts like a row and is not one: its figures, and so the report's peak, are unknown
   * (a digit changed to a letter left a peak of 44.9 MiB out, and the gate passed at 40).
   */
  private unreadRow(h: Held): never {
    throw new InputError(
      this.label,
      `line ${h.no}`,
      `a row that cannot be read (${quoted(h.text, 50)}): its figures, and the report's peak, are unknown; --lenient skips it`,
    );
  }

  /**
   * Another report's Filename: line or header right after a row: memory_profiler prints blank lines
   * after every report, so the one before may have been cut there (a log cut, another run's report
   * pasted after it: its function was read as ending at 182 MiB where it returned at 79.5, and nothing
   * was said). Said, not refused: memory_profiler's own LogFile writes no blank lines, and with
   * reportIncrementFlag only the rows that grew (a `for` header's among them, which looks unfinished).
   */
  private nextReportAtRow(no: number): void {
    const t = this.table!;
    const last = this.rows[this.rows.length - 1]!;
    this.warn(
      no,
      `another report starts right after a row of the report of ${t.filename ? excerpt(t.filename) : 'a function'}, ` +
        `without the blank lines memory_profiler prints after one: if it was cut, its rows after line ${last.lineno} are missing`,
    );
    this.rowsCut = !returnsAt(this.rows);
  }

  private outputAtRow(no: number): void {
    const t = this.table!;
    this.rowsCut = !returnsAt(this.rows);
    if (this.rowsCut)
      this.warn(
        no,
        `other output follows a row of the report of ${t.filename ? excerpt(t.filename) : 'a function'} without the ` +
          `blank lines memory_profiler writes after one: if it was cut, its rows after line ${this.rows[this.rows.length - 1]!.lineno} are missing, so its end is not judged`,
      );
  }

  private stoppedBy(h: Held): void {
    const t = this.table!;
    const what = t.filename ? excerpt(t.filename) : 'a function';
    const msg = `the report of ${what} stops at a Python traceback: an exception stopped its printing, and its rows after line ${this.rows[this.rows.length - 1]!.lineno} are missing`;
    // (Rows after the traceback would have gone on reading: see tracebackHeld.)
    if (!this.allowPartial)
      throw new TruncatedError(this.label, `line ${h.no}`, `${msg} (--allow-partial reads the rows printed)`);
    this.cutShort = true;
    this.rowsCut = true;
    this.warn(h.no, `${msg}; read without them (--allow-partial)`);
  }

  /** Figures a double holds: line numbers and counts exactly, memory finite. */
  private checkFigures(l: ReportLine, no: number): void {
    const what = !Number.isSafeInteger(l.lineno)
      ? 'its line number is beyond 2^53'
      : l.occurrences !== null && !Number.isSafeInteger(l.occurrences)
        ? 'its count of occurrences is beyond 2^53'
        : [l.memMiB, l.incrementMiB].some((v) => v !== null && !Number.isFinite(v))
          ? 'a memory figure is beyond what a double holds'
          : l.memMiB !== null && l.memMiB < 0
            ? 'its Mem usage is below 0 (what a process holds never is)'
            : null;
    if (what) throw new InputError(this.label, `line ${no}`, `a row whose figures cannot be read exactly: ${what}`);
  }

  private addRow(row: Row, text: string, prev: number | null, no: number): void {
    const { lineno } = row.line;
    let same = prev === null || lineno === prev + 1;
    let endUnread = false;
    if (this.held.length) {
      if (prev !== null) same = lineno > prev;
      if (prev !== null && lineno === prev + 1 && this.wrapped(true)) this.joinHeld();
      else {
        endUnread = !same && this.held.some((h) => h.damaged);
        this.skipHeld(same, prev === null);
        this.clearHeld();
      }
    } else if (
      !same &&
      !this.table!.layout.shared &&
      prev !== null &&
      lineno > prev &&
      this.ownHeader() &&
      !firstRow(row.line)
    ) {
      // From 0.15 every function has its header, and its rows every line from the first to the last:
      // a gap is rows left out (LogFile's reportIncrementFlag logs only rows that grew), not a function.
      this.warn(
        no,
        `the line numbers jump from ${prev} to ${lineno}: rows are missing (memory_profiler's LogFile with ` +
          'reportIncrementFlag logs only the rows that grew; or rows were deleted): read as one function, ' +
          'whose memory at return is not known',
      );
      this.rowsMissing = true;
      same = true;
    } else if (!same && !this.table!.layout.shared) {
      const moved = prev !== null && lineno < prev ? 'go back' : 'jump';
      this.warn(
        no,
        `the line numbers ${moved} from ${prev} to ${lineno} with no header between: read as two functions`,
      );
    }
    if (!same) {
      this.closeBlock(endUnread);
      this.blockStart = no;
    }
    this.rows.push(row.line);
    this.table!.rows++;
    if (this.decimals < 0) this.decimals = row.decimals;
    this.unit ??= row.unit;
    this.lastWidth = widthOf(text);
    this.table!.widest = Math.max(this.table!.widest, this.lastWidth.columns);
  }

  /**
   * Whether the open table is one function's for sure (memory_profiler 0.15 on): it has a `Filename:`
   * line, or an Occurrences column (0.58 on). A table alone may be 0.10-0.14's, shared by functions
   * (a paste with tabs leaves its layout unknown).
   */
  private ownHeader(): boolean {
    return this.table!.filename !== '' || this.table!.layout.columns === 'occurrences';
  }

  private closeBlock(lastRowUnread = false): void {
    const t = this.table!;
    // LogFile with reportIncrementFlag logs the Filename: line, the header and the rows that grew: no
    // rule, no row without figures or with an Increment of 0 or less. Its last rows may be missing
    // with no jump to show it (a function kept 30 MiB, its last logged row said 80).
    if (t.filename !== '' && !t.rule && this.rows.length && this.rows.every((l) => (l.incrementMiB ?? 0) > 0)) {
      if (!this.rowsMissing) {
        this.warn(
          t.start,
          "a report with no rule under its header and only rows that grew (memory_profiler's LogFile with " +
            'reportIncrementFlag?): its last rows may be missing, so its end is not judged',
        );
      }
      this.rowsMissing = true;
    }
    if (this.rows.length) {
      this.blocks.push({
        filename: t.filename,
        precision: Math.max(this.decimals, 0),
        inputLine: this.blockStart,
        lines: this.rows,
        writtenBy: `memory_profiler ${releases(t.layout, this.unit)}`,
        ...(this.unit ? { unit: this.unit } : {}),
        ...(this.startUnread ? { firstRowUnread: true } : {}),
        ...(lastRowUnread ? { lastRowUnread: true } : {}),
        ...(this.rowsMissing ? { rowsMissing: true } : {}),
        ...(this.rowsCut ? { rowsCut: true } : {}),
      });
    }
    this.rows = [];
    this.decimals = -1;
    this.unit = null;
    this.startUnread = false;
    this.rowsMissing = false;
    this.rowsCut = false;
  }

  /**
   * Ends the table at line `no`: `ended` by a blank line, a header, a `Filename:` line, a fence or the
   * input's end (lines held before it may be the last row's wrapped end), or by a line that is not part
   * of it (read anew by the caller, as the held lines after the first are here).
   */
  private closeTable(no: number, ended: boolean): void {
    const held = this.held;
    let lastRowUnread = this.cut;
    let after: Held[] = [];
    if (held.length && ended && this.wrapped(false)) this.joinHeld();
    else if (held.length) {
      const first = held[0]!;
      // memory_profiler ends a report with blank lines: a line right after its rows that is no row
      // came in the middle of it. A traceback there is the exception that stopped its printing (a
      // Windows console's encoding: the rows after it, and the peak, were missing, and a gate passed).
      if (!first.damaged && this.rows.length && TRACEBACK.test(first.text)) this.stoppedBy(first);
      // Other output right after a row (a program's `done`, a CI runner's error line), no blank line
      // between: memory_profiler writes its blank lines after a whole report, so it may have been cut
      // there (it read "ended holding 80 MiB" of a function that returned holding 30, h295).
      else if (!first.damaged && this.rows.length) this.outputAtRow(first.no);
      if (first.damaged) {
        if (!this.lenient && BROKEN_ROW.test(first.text)) this.unreadRow(first);
        this.warn(first.no, `a report ends at a line that starts like a row but is not one (${quoted(first.text)})`);
        lastRowUnread = this.rows.length > 0;
      }
      after = held.slice(1);
    }
    if (!this.table!.rows) this.warn(no, `the report that starts at line ${this.table!.start} has no rows`);
    this.closeBlock(lastRowUnread);
    this.table = null;
    this.cut = false;
    this.clearHeld();
    for (const h of after) this.line(h.text, h.no);
  }

  /**
   * null when a last line without a line end is whole: a row with all its figures and some of its source,
   * as an IPython `%mprun -T` file ends (a cut inside the source is not told apart), or a blank line in a
   * Markdown quote; else what was cut: the row of a report, or a line of the file.
   */
  cutOff(raw: string, inChar = false): string | null {
    const t = this.table;
    const text = this.unquoted(raw);
    const prev = this.rows.length ? this.rows[this.rows.length - 1]!.lineno : null;
    const row = t && parseRow(text, t.layout, prev);
    // Spaces alone inside a table: the start of its next row.
    if (t && raw !== '' && raw.trim() === '') {
      this.cut = true;
      return `the report of ${t.filename ? excerpt(t.filename) : 'a function'} is cut off at the start of a row`;
    }
    // Blank inside a Markdown quote ('> '), it is whole too.
    // (A row the input stops inside a character of is cut, whatever its source reads.)
    if (text.trim() === '' || (row && row !== 'damaged' && !inChar && !unfinished(row.line.source))) return null;
    // Outside a report, a line that cannot be a report's first (prose or code after the last one, a
    // README's or a script's last line without its line end) is whole: it holds nothing of a report.
    if (!t && !startsReport(text)) return null;
    if (!t || !/^\s*\d/.test(text)) return 'the file ends in the middle of a line';
    // Read on with --allow-partial, the table lacks this row.
    this.cut = true;
    return `the report of ${t.filename ? excerpt(t.filename) : 'a function'} is cut off in the middle of a row`;
  }

  /** Whether a report's rows are being read (its table not closed yet). */
  readingRows(): boolean {
    return this.table !== null && this.table.rows > 0;
  }

  /**
   * At the end of the input (`no` is its last line): what was cut off, what was left outside a table.
   * `lineEnd`: the input's last line has its line end.
   */
  finish(no: number, lastLine: string, allowPartial: boolean, lineEnd: boolean): void {
    const t = this.table;
    // memory_profiler (0.15+, which prints `Filename:`) ends each report with blank lines: one that ends
    // the file at a row, its line end written, may have been cut there (its function's last rows read as
    // missing, a leak read where the function freed); a copy may have left them out too.
    // Without its line end, the row may be cut inside its source too (`b = [2]` of `b = [2] * 10 ** 7`:
    // read whole, and its function's later rows missing, a `del b` among them: a leak of 160 MiB said,
    // exit 0), as an IPython `%mprun -T` file ends whole: said the same way.
    const ends =
      t?.rows && t.filename && lastLine.trim() !== '' && !this.held.length
        ? functionEnd(t.filename, this.rows, !lineEnd)
        : null;
    if (ends) {
      // The profiled file is here, its lines those of the rows: its function goes on after the last row.
      const last = this.rows[this.rows.length - 1]!.lineno;
      const msg =
        `the report of ${excerpt(t!.filename)} stops at line ${last}, and its function goes on to line ${ends} ` +
        "in that file (whose lines are the rows')";
      if (!allowPartial)
        throw new TruncatedError(this.label, `line ${no}`, `${msg} (--allow-partial reads the rows printed)`);
      this.cutShort = true;
      this.rowsCut = true;
      this.warn(no, `${msg}; read without them (--allow-partial)`);
    } else if (!ends && t?.rows && t.filename && lastLine.trim() !== '' && !this.held.length) {
      // Its end is not judged from a row that may not be the function's last (a report cut at a row
      // read "ended holding 80 MiB" of a function that returned holding 30, its `del` cut off: h291),
      // unless that row is a return at the function body's own indent, after which nothing runs (not
      // without its line end: IPython's %mprun -T writes a whole report so), or the profiled file here
      // ends the function at that row: then the reports after it may be what is missing (a file cut
      // after its first report's last row read its 29.5 MiB peak, the next report's 174.6 MiB lost, and
      // `gate --max-peak 100MiB` passed, with nothing said; h315).
      this.rowsCut = lineEnd && ends === null && !returnsAt(this.rows);
      const missing = ends === 0 ? 'the reports after this one are' : 'the rows after this one are';
      this.warn(
        no,
        lineEnd
          ? `the file ends at a row of the report of ${excerpt(t.filename)}, without the blank lines memory_profiler ` +
              `writes after one: if it was cut, ${missing} missing${this.rowsCut ? ', so its end is not judged' : ''}`
          : `the file ends at a row of the report of ${excerpt(t.filename)} without its line end (as %mprun -T ` +
              'writes one): if it was cut, the rows after it are missing and its source may be cut short',
      );
    }
    // (A Filename: line followed by other output and no header: no report of it was begun.)
    const start = t && !t.rows ? t.start : !t && this.file && !this.outputLines ? this.file.no : null;
    if (start !== null) {
      const last = lastLine.trim() ? ` (${quoted(lastLine)})` : '';
      const msg = `the report that starts at line ${start} stops before its rows${last}`;
      const hint = this.blocks.length ? ' (--allow-partial keeps the reports before it)' : '';
      if (!allowPartial || !this.blocks.length) throw new TruncatedError(this.label, `line ${no}`, msg + hint);
      this.cutShort = true;
      this.warn(no, `${msg}; the reports before it are kept (--allow-partial)`);
      this.table = null;
    }
    if (this.table) this.closeTable(no, true);
    if (this.blanksInside.length) {
      const n = this.blanksInside.length;
      this.warn(
        this.blanksInside[0]!,
        `${n} blank line(s) between rows of a report (the first here) read past: a double-spaced copy, or a logger's (memory_profiler's LogFile)?`,
      );
    }
    if (this.orphans.length) {
      // Rows whose header is not there (a report cut at its start, scrolled away) hold memory that is
      // not read: left out with a warning, a peak of 196.6 MiB read 59.1 and a gate passed.
      const what =
        this.cutHeader === null
          ? `${this.orphans.length} line(s) shaped like report rows with no 'Line #' header above them`
          : `${this.orphans.length} line(s) shaped like report rows under a header cut before its 'Line Contents' column (line ${this.cutHeader})`;
      const why =
        this.cutHeader === null
          ? 'a report cut at its start (its header scrolled away?)'
          : 'a report cut at its right (a copy of its first columns?)';
      // With no report whole beside them, --lenient has nothing to read: say what would.
      const rest = this.blocks.length
        ? '--lenient reads the rest without them'
        : this.cutHeader === null
          ? "put memory_profiler's back above them ('Line #  Mem usage  Increment  Occurrences  Line Contents', '=' line)"
          : "copy the report whole, to its 'Line Contents' column";
      if (!this.lenient || !this.blocks.length) {
        throw new InputError(
          this.label,
          `line ${this.orphans[0]}`,
          `${what} (the first here): ${why} cannot be read; ${rest}`,
        );
      }
      this.warn(this.orphans[0]!, `${what} (the first here) are not read (--lenient)`);
    }
  }

  private warn(no: number, msg: string): void {
    this.warnings.push(`${this.label}: line ${no}: ${msg}`);
  }
}

/**
 * Whether a last row's source cannot be the last line of a function, so that the row was cut in it:
 * empty; a decorator; a bracket or a string left open; a compound statement's header without its
 * colon, or a keyword that needs more (`del`); ending with a colon (a header whose body is on the
 * next line), an operator, a dot after a name, or a backslash (the statement goes on). A line holding a triple quote
 * is not judged (it may close a string begun above). A cut that leaves a whole statement (`return a`
 * cut to `return`) is not told apart, nor from an IPython `%mprun -T` file, which ends after a row
 * without a line end.
 */
export function unfinished(source: string): boolean {
  const src = source.trim();
  if (src === '') return true;
  if (src.includes('"""') || src.includes("'''")) return false;
  // A decorator's name follows its @ (a continued line may start `@ b)`: a matrix product).
  if (/^@(?:[\p{L}_]|$)/u.test(src)) return true; // (a lone `@`: a decorator cut after its @)
  let depth = 0;
  let quote = '';
  let end = src.length; // where a comment starts
  let colon = false; // a colon outside brackets and strings
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '#') {
      end = i;
      break;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ':' && depth === 0) colon = true;
  }
  const code = src.slice(0, end).trimEnd();
  // A compound statement's header needs its colon (`for i in range(3): x` has it; `def build` has not).
  const header = /^(?:async\s+)?(?:def|class|if|elif|else|for|while|with|try|except|finally)(?![\p{L}\p{N}_])/u;
  return (
    Boolean(quote) ||
    depth > 0 ||
    (header.test(code) && !colon) ||
    /^(?:del|assert|import|from|global|nonlocal)$/.test(code) ||
    /[-+/%=<>&|^~:\\]$/.test(code) ||
    /[\p{L}_)\]]\.$/u.test(code) ||
    (code.endsWith('*') && !/\bimport\s+\*$/.test(code)) ||
    /(?<![\p{L}\p{N}_])(?:and|or|not|in|is|lambda)$/u.test(code)
  );
}

// The first line of a traceback Python prints for an uncaught exception.
// (3.11's exception groups print theirs indented, after a '+'.)
const TRACEBACK = /^\s*(?:\+\s*)?(?:Exception Group )?Traceback \(most recent call last\):\s*$/;
// A traceback passed over between a Filename: line and its header: its lines at most.
const MAX_TRACEBACK_LINES = 500;

// What memory_profiler prints instead of a table whose source it cannot read.
const NOT_FOUND = /^ERROR: Could not find file (.+)$/;

// A report pasted into a docstring right after its opening quotes ('"""Line #    Mem usage …'): its rows
// below are aligned with the header as printed, the quotes aside (it was "rows with no header"; h233).
/** Whether a line may be a report's first (its `Filename:` or its header), whole or cut short. */
function startsReport(text: string): boolean {
  if (text.includes('Filename') || text.includes('Line #')) return true;
  const end = text.trimEnd();
  return ['Filename:', 'Line #'].some((word) => [...word].some((_, i) => end.endsWith(word.slice(0, i + 1))));
}

const DOCSTRING_HEADER = /^(?:"""|''')(?=Line #)/;

function sniffLineReport(head: Buffer): boolean {
  const lines = headLines(head, 2000).map((l) =>
    expandTabs(spaced(withoutCiPrefix(l)).replace(QUOTE_MARK, '').replace(DOCSTRING_HEADER, '')),
  );
  // (A header wrapped by a terminal narrower than it: its two lines, joined, as the reader joins them.)
  return lines.some(
    (line, i) =>
      HEADER.test(line) ||
      loggedHeader(line, HEADER) ||
      (CUT_HEADER.test(line) && i + 1 < lines.length && HEADER.test(line + lines[i + 1])),
  );
}

async function readLineReport(input: InputStream, opts: ReadOptions): Promise<LineReport> {
  const text = textLines(input);
  const allowPartial = opts.allowPartial ?? false;
  const reader = new Reader(input.label, opts.lenient ?? false, allowPartial);
  let no = 0;
  let last = '';
  // Each line read once the next one is there: the last may be no line of the report.
  let pending: string | null = null;
  // Pasted from a CI log: its timestamps, a container's column and colours are no part of the report.
  const feed = (line: string): void => {
    reader.line(line, ++no);
    last = line;
  };
  // Logged through memory_profiler's LogFile: the logger's prefix is no part of the report either.
  const logged = new LoggedReport();
  for await (const raw of text.lines) {
    if (pending !== null) feed(pending);
    pending = logged.strip(spaced(withoutCiPrefix(raw)));
  }
  let cut = text.cut();
  // Spaces alone after a table's row, no line end after them: the start of its next row (the blank
  // lines memory_profiler writes after a report hold none; a cut there was read as whole).
  if (pending !== null && cut === null && text.unended() && pending.trim() === '' && reader.readingRows()) {
    cut = pending;
  } else if (pending !== null) feed(pending);
  const what = cut === null ? null : reader.cutOff(spaced(withoutCiPrefix(cut)), text.cutInChar());
  const warnings = textEnd(input, what === null ? null : cut, `line ${no + 1}`, allowPartial, what ?? undefined);
  const notUtf8 = text.notUtf8();
  if (notUtf8 !== null) warnings.push(notUtf8Warning(input.label, notUtf8, 'its source lines'));
  if (cut !== null && what === null) {
    last = spaced(withoutCiPrefix(cut));
    reader.line(last, ++no);
  }
  reader.finish(no, last, allowPartial, cut === null);
  if (reader.cutShort) markCutShort(input);
  if (reader.blocks.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no line-by-line report found: expected memory_profiler's 'Line #  Mem usage  Increment  Occurrences  " +
        "Line Contents' header (a 'Filename: …' line before it is optional)",
    );
  }
  return {
    kind: 'line-report',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    blocks: reader.blocks,
    warnings: [...warnings, ...reader.warnings],
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: "memory_profiler line-by-line report (a 'Line #  Mem usage  Increment' header)",
  sniff: sniffLineReport,
  read: readLineReport,
};

/**
 * Whether a function's last row is a `return` or `raise` at its body's own indent (the least of the
 * rows' after its `def`, deeper than it: a signature's continuation lines sit deeper; any, in a paste
 * that lost its indents): nothing after it runs, so the rows are whole however the input ends.
 */
function returnsAt(rows: readonly { readonly source: string }[]): boolean {
  const indent = (l: string): number => l.length - l.trimStart().length;
  const def = rows.findIndex((r) => /^\s*(async\s+)?def\s/.test(r.source));
  if (def < 0) return false;
  const code = rows.slice(def + 1).filter((r) => r.source.trim() !== '' && !r.source.trim().startsWith('#'));
  const deeper = code.map((r) => indent(r.source)).filter((i) => i > indent(rows[def]!.source));
  const last = code[code.length - 1];
  // (No row deeper than its def: a paste that squeezed its spaces lost the indents, as it was read.)
  return (
    last !== undefined &&
    /^(return|raise)\b/.test(last.source.trim()) &&
    (deeper.length ? indent(last.source) === Math.min(...deeper) : true)
  );
}
