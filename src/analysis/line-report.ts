// What a memory_profiler line-by-line report says about memory that stays: the lines that added
// the most, the decorated functions that ended holding more than they started with, and those whose
// report cannot tell (several calls in one report, or a row that was not read).

import type { LineReport, ReportBlock, ReportLine } from '../model/line-report.js';

export interface LineIncrement {
  readonly filename: string;
  readonly lineno: number;
  /**
   * What the line added: the report's Increment (memory_profiler 0.58+); before 0.58, the larger of it
   * and the rise of Mem usage from the row before; that rise alone when the Increment is missing (no
   * such column) or not the line's own (a line that calls another profiled function: memory_profiler
   * takes it against 0).
   */
  readonly incrementMiB: number;
  /** The report's Increment column for the line; null when it has none or it is not the line's own. */
  readonly reportedIncrementMiB: number | null;
  /** Its Increment was the whole memory, not its own: the line called another profiled function (or its
   * Increment is more than the process held in the report). */
  readonly wholeMemory: boolean;
  /**
   * Its Increment is its own, summed over its runs (memory_profiler 0.58+), to more than the process
   * ever held in the report (memory freed between runs: 40 MiB made and freed 50 times printed +2000
   * MiB). incrementMiB is then its Mem usage above the least its function's rows show (fromMiB).
   */
  readonly summedRuns: boolean;
  /** Mem usage of the row before (the rise's start); of the line itself when measuredBefore. */
  readonly fromMiB: number;
  /** Mem usage of the line; of the row after it when measuredBefore (the rise's end). */
  readonly memMiB: number;
  /**
   * The report measured each line before it ran (memory_profiler 0.2-0.9): the line's rise is from
   * its own Mem usage to the next row's.
   */
  readonly measuredBefore: boolean;
  readonly occurrences: number | null;
  readonly source: string;
  /**
   * The reports it sums: 1, or a function's reports one a call (memory_profiler's decorator imported
   * prints each call alone) merged: incrementMiB their sum, as one report of every call prints it.
   */
  readonly reports: number;
  /** The decimals its report prints figures with (`@profile(precision=N)`; 1 by default): shown so. */
  readonly precision: number;
}

export interface RetainingFunction {
  readonly filename: string;
  /** The first line of the block (the decorator or def line). */
  readonly lineno: number;
  /** Memory when the function was called: the first row's. */
  readonly entryMiB: number;
  /**
   * Memory after the last line that ran: its last row's, a line that ran once (see unjudgedReason).
   * memory_profiler measures a line before the return frees the call's locals, which count here.
   */
  readonly exitMiB: number;
  readonly retainedMiB: number;
  /**
   * 1: the report counts one call (its first row's Occurrences); null: it counts none (before 0.58).
   * More: the calls that ended holding more, of a function with a report per call (memory_profiler's
   * decorator imported), merged: retainedMiB their sum (each call's end taken as at most the next
   * one's start), entryMiB the first's, exitMiB the last's.
   */
  readonly calls: number | null;
  /** What to do next: where to look, and the capture that would name the holder. */
  readonly next: string;
  /** The decimals its report prints figures with (`@profile(precision=N)`; 1 by default): shown so. */
  readonly precision: number;
}

/**
 * The next step for a function that ended holding more than at its call. A line report measures
 * the process (RSS) before the return frees the call's locals, not who holds the memory, and RSS also
 * stays up when the allocator keeps freed memory; tracemalloc snapshots taken across calls tell these
 * apart and name the site.
 */
export function retainingNextStep(filename: string, lineno: number): string {
  // A report without a `Filename:` line has no file name to give.
  const where = filename ? `${filename}:${lineno}` : `the function at line ${lineno}`;
  return (
    `open ${where} and find what its largest increments create that outlives the call ` +
    '(what only its locals hold is freed when it returns); ' +
    'to name the holder (or see that the allocator only kept the memory), take 3 or more tracemalloc ' +
    'snapshots across calls and run arenascope leaks on them'
  );
}

/** A function whose report cannot tell what it ended holding, and why. */
export interface UnjudgedFunction {
  readonly filename: string;
  readonly lineno: number;
  /** Its first row's Occurrences: the calls the report covers; null before memory_profiler 0.58. */
  readonly calls: number | null;
  /** The highest Mem usage among its rows: the most the process held at one of its lines. */
  readonly peakMiB: number;
  readonly reason: string;
  /** The decimals its report prints figures with (`@profile(precision=N)`; 1 by default): shown so. */
  readonly precision: number;
}

export interface LineReportFindings {
  readonly topIncrements: readonly LineIncrement[];
  readonly retainingFunctions: readonly RetainingFunction[];
  readonly unjudgedFunctions: readonly UnjudgedFunction[];
}

type Measured = ReportLine & { readonly memMiB: number };

/**
 * Why a block's rows do not tell one call's entry and exit, or null when they do.
 * memory_profiler (`CodeMap.trace`) keeps one row per line over every call of a function: Mem usage is
 * the highest over the calls, Increment the sum of each run's change (0.58+, which count calls as the
 * first row's Occurrences). With several calls the first row is the highest memory at any call and the
 * last the highest at any return, maybe of different calls: their difference is nothing it held.
 */
function unjudgedReason(b: ReportBlock, measured: readonly Measured[], peak: number): string | null {
  const first = measured[0]!;
  const calls = first.occurrences;
  if (calls !== null && calls > 1)
    return (
      `called ${calls} times in one report: each line's Mem usage is its highest over the calls and its ` +
      'Increment their sum, so what a call returned holding cannot be told'
    );
  // Before 0.58 no column counts calls, but the first row's Increment, the memory at the call, is
  // summed over them: more than the process ever held, it was called several times (20 calls read
  // as one: the function that kept 20 MiB went unnamed, one that kept nothing was said to keep 1 MiB).
  const ulp = 10 ** -b.precision / 2;
  if (calls === null && first.incrementMiB !== null && first.incrementMiB > peak + ulp)
    return (
      `called several times: its first row's Increment (${first.incrementMiB} MiB) is more than the process ` +
      `ever held (${peak} MiB), the memory at each call summed (memory_profiler before 0.58 does not count ` +
      "calls); each line's Mem usage is its highest over the calls, so what a call returned holding cannot be told"
    );
  if (b.firstRowUnread)
    return 'a line where its rows start could not be read as a row: its memory at the call is unknown';
  if (b.lastRowUnread) return 'its rows end at a line that could not be read as a row: its memory at return is unknown';
  if (b.rowsMissing)
    return 'rows are missing (LogFile with reportIncrementFlag logs only the rows that grew): its memory at return is unknown';
  // A generator's or coroutine's rows after a yield or an await ran once its caller's code had run (a
  // @contextmanager's `del` after the caller's block: "ended holding" the 100 MiB its caller made: h243).
  const paused = measured.find((l) => resumes(l.source));
  if (paused)
    return (
      `a generator or coroutine (line ${paused.lineno}: ${/yield|await/.exec(paused.source)![0]}): its rows after a ` +
      "yield or await ran after its caller's code, so its memory at return cannot be told"
    );
  // The last row in the source that ran is the last line that ran, unless it ran several times: a
  // loop ends the function (its last run may not be last), and its Mem usage is its highest run.
  // Nor does the sum of the Increments tell: each is taken against the line before's highest, and a
  // profiled function called from a line counts that line's whole memory as its Increment.
  const last = measured[measured.length - 1]!;
  if (last.occurrences !== null && last.occurrences > 1)
    return (
      `its last rows ran several times (line ${last.lineno}, ${last.occurrences} times: a loop ends it): ` +
      "memory_profiler keeps each line's highest, so its memory at return cannot be told"
    );
  // Nor when it sits in a block whose header ran more often than it: the header ran again after it
  // (a `with`'s exit, which may free what the block made; a loop's next test and runs).
  // A `return` or `raise` row ends the call: a loop's header ran before it, only a `with`'s exit after.
  // A `break` ends its own loop (and the `if`s in it): what encloses that loop may run again.
  const ends = /^\s*(?:return|raise)\b/.test(last.source);
  let breaking = /^\s*break\b/.test(last.source);
  const header = enclosingHeaders(b.lines, last).find((h) => {
    const loop = /^\s*(?:async\s+)?(?:for|while)\b/.test(h.source);
    if (breaking) {
      breaking = !loop; // the loop it leaves, and any if inside it, ran before it
      return false;
    }
    return (
      h.occurrences !== null &&
      last.occurrences !== null &&
      h.occurrences > last.occurrences &&
      (!ends || /^\s*(?:async\s+)?with\b/.test(h.source))
    );
  });
  if (header)
    return (
      `its last row (line ${last.lineno}) is inside a block whose header ran again after it ` +
      `(line ${header.lineno}, ${header.occurrences} times: ${header.source.trim().split(/\s/)[0]}), ` +
      'so its memory at return cannot be told'
    );
  // Last, as the reasons above hold whether or not rows are missing after it.
  if (b.rowsCut)
    return 'its report may stop before its function ends (no blank line after its last row, as memory_profiler writes): its memory at return is unknown';
  return null;
}

/**
 * Whether a report with no Increment column took each line's memory before it ran (memory_profiler
 * 0.2-0.5, at the line's own 'line' event) rather than after (0.6-0.9: 0.6-0.8 file a reading under
 * the line before, 0.9 moves them up a row). The first reading tells: before, it is the function's
 * first statement; after, a row before it: the def, a decorator, a blank or comment row, the end of a
 * docstring.
 */
function measuredBefore(lines: readonly ReportLine[], first: ReportLine | undefined): boolean {
  if (!first) return false;
  const src = first.source.trim();
  // The function's own def (the first in its rows) and the rows of its signature, up to the one that
  // ends in ':'; a def nested in its body is a statement.
  const own = lines.findIndex((l) => DEF.test(l.source));
  let end = own;
  while (end >= 0 && end < lines.length - 1 && !/:\s*(?:#.*)?$/.test(lines[end]!.source)) end++;
  const at = lines.indexOf(first);
  const signature = own >= 0 && at >= own && at <= end;
  // A docstring's row: it starts with a quote, or a longer one ends on its closing quotes.
  const docstring = /^[rRuUbB]{0,2}["']/.test(src) || /("{3}|'{3})$/.test(src);
  return !(src === '' || src.startsWith('#') || src.startsWith('@') || signature || docstring);
}

// Columns of a source line's indentation (a tab to the next multiple of 8, as Python reads it).
function indentOf(source: string): number | null {
  let col = 0;
  for (const ch of source) {
    if (ch === ' ') col++;
    else if (ch === '\t') col = (Math.floor(col / 8) + 1) * 8;
    else return ch === '#' ? null : col;
  }
  return null; // blank
}

// A header whose line runs again after its block's body, as printed: a loop's, and a `with` statement's
// (its exit runs on its line): its Mem usage is its highest run, after the body (a `with open(...)` run
// twice read +131 MiB, its body's lines' growth again, where memory_profiler printed -15.1: h241).
const BLOCK_HEADER = /^\s*(?:async\s+)?(?:for|while|with)\b/;
const DEF = /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/;

// A row where memory_profiler files a frame entered again, its figures the memory at those moments
// taken against 0, not the line's doing: a yield or an await (a generator or coroutine resumed) and a
// def nested in the function, or its decorator (the nested function called, maybe long after: a
// closure's `def` read +151.9 MiB, the largest of its report, a `yield` the 150 MiB its consumer kept:
// h243).
const RESUME_WORD = /(?:^|[^\w.])(?:yield|await)\b/;
// Its strings and comment left out: `print("await reply")` resumes nothing.
const resumes = (source: string): boolean =>
  RESUME_WORD.test(source.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*/, ''));
const DECORATOR = /^\s*@/;

/** The rows of defs nested in the function (their decorators, def rows and bodies): run by later calls. */
function nestedRows(lines: readonly ReportLine[]): Set<ReportLine> {
  const nested = new Set<ReportLine>();
  const own = lines.findIndex((l) => DEF.test(l.source));
  if (own < 0) return nested;
  const ownIndent = indentOf(lines[own]!.source) ?? 0;
  let inside: number | null = null; // the nested def's indentation while in its body
  for (let i = own + 1; i < lines.length; i++) {
    const l = lines[i]!;
    const d = indentOf(l.source);
    if (d === null) continue;
    if (inside !== null && d > inside) {
      nested.add(l);
      continue;
    }
    inside = null;
    if (d > ownIndent && (DEF.test(l.source) || DECORATOR.test(l.source))) {
      nested.add(l);
      if (DEF.test(l.source)) inside = d;
    }
  }
  return nested;
}

/** The sum of the Increments printed on the rows of a block header's body (deeper than it, after it). */
function bodyReported(rows: readonly ReportLine[], head: ReportLine): number {
  const indent = indentOf(head.source);
  let sum = 0;
  if (indent === null) return sum;
  for (let i = rows.indexOf(head) + 1; i < rows.length; i++) {
    const d = indentOf(rows[i]!.source);
    if (d === null) continue;
    if (d <= indent) break;
    // A row whose Increment is the whole memory (a profiled function called) prints no rise.
    // Net, not the rises alone: a temporary made and deleted in the body (+80 then -80 MiB, summed over
    // 2 runs) leaves the header's rise its own (a comprehension's 60 MiB read 30: h343 F1).
    const inc = rows[i]!.incrementMiB ?? 0;
    if (inc < 0.9 * (rows[i]!.memMiB ?? 0)) sum += inc;
  }
  return Math.max(0, sum);
}

// The rows that open the blocks a row sits in, innermost first, up to the function's `def`.
function enclosingHeaders(lines: readonly ReportLine[], row: ReportLine): ReportLine[] {
  const out: ReportLine[] = [];
  let indent = indentOf(row.source);
  if (indent === null) return out;
  for (let i = lines.indexOf(row) - 1; i >= 0 && indent > 0; i--) {
    const l = lines[i]!;
    const d = indentOf(l.source);
    if (d === null || d >= indent) continue;
    if (DEF.test(l.source)) break;
    out.push(l);
    indent = d;
  }
  return out;
}

// A function's key: its file and its report's first line.
const functionOf = (b: ReportBlock): string => `${b.filename}\0${b.lines[0]!.lineno}`;

// The functions profiled call by call: memory_profiler's `@profile` imported from it profiles each
// call alone and prints it on return (several reports of one function, each of one call). A report of
// several calls (its first row run more than once) is `python -m memory_profiler`'s, which prints each
// function once, at exit: there, several reports of one function are several runs (one log of two runs:
// `main`'s 50 MiB summed to 100 as two calls' of one process, and its retention twice over).
// (But a recursive function's reports, one a call each including the inner calls' (reprintedBlocks),
// are the decorator's: a recursion beside them read every other function's calls as `-m`'s, and a line
// keeping 8 MiB over 8 calls went unlisted; h277.)
function perCallFunctions(blocks: readonly ReportBlock[], reprinted: ReadonlySet<ReportBlock>): Set<string> {
  const firstOf = (b: ReportBlock) => b.lines.find((l) => l.memMiB !== null);
  const recursive = new Set([...reprinted].map(functionOf));
  const reprint = (b: ReportBlock): boolean => recursive.has(functionOf(b)) && b.precision !== 3;
  if (blocks.some((b) => (firstOf(b)?.occurrences ?? 0) > 1 && !reprint(b))) return new Set();
  // Reports of 3 decimals are `python -m memory_profiler`'s (the decorator imported prints 1 unless told):
  // several of one function, each of one call, are runs appended to one log (each line's increment
  // summed to twice its own, as calls of one process: h230).
  const reports = new Map<string, { n: number; once: boolean }>();
  for (const b of blocks) {
    const first = firstOf(b);
    if (!first) continue;
    const had = reports.get(functionOf(b)) ?? { n: 0, once: true };
    // Before 0.58 no report counts its calls: one of the decorator's (1 decimal unless told) is of one
    // call, a recursive function's too (0.57 profiles each call apart: its inner calls' lines are not in
    // the outer's report; h282). Its reports of 12 calls were listed one by one, a line of each filling
    // the largest increments, and one keeping 3 MiB left out (h281).
    const one = first.occurrences === 1 || first.occurrences === null;
    reports.set(functionOf(b), { n: had.n + 1, once: had.once && one && b.precision !== 3 });
  }
  return new Set([...reports].filter(([, f]) => f.n > 1 && f.once).map(([k]) => k));
}

// Whether a report's function calls itself (by its name, or as self.name or cls.name).
function callsItself(b: ReportBlock): boolean {
  const name = b.lines
    .slice(0, 8)
    .map((l) => DEF.exec(l.source)?.[1])
    .find((n) => n !== undefined);
  const call = name && new RegExp(`(?<![\\p{L}\\p{N}_.])(?:self\\.|cls\\.)?${name}\\s*\\(`, 'u');
  return !!call && b.lines.some((l) => !DEF.test(l.source) && call.test(l.source));
}

// The reports a later one of the same recursive function includes: memory_profiler's `@profile`
// imported profiles each call and prints, on its return, all its profiler saw, the inner calls' lines
// too (a recursion 4 deep printed reports of 1, 2, 3 and 4 calls, and each of its lines was listed
// among the largest increments 4 times). Such a later report counts more calls, and each line as many
// runs or more, at as much memory or more (the highest over more calls); a function that calls itself
// (by its name, or as self.name or cls.name), or any, profiled call by call.
function reprintedBlocks(blocks: readonly ReportBlock[]): Set<ReportBlock> {
  const out = new Set<ReportBlock>();
  const calls = (b: ReportBlock) => b.lines.find((l) => l.memMiB !== null)?.occurrences ?? null;
  const includes = (later: ReportBlock, b: ReportBlock): boolean => {
    const rows = new Map(later.lines.map((l) => [l.lineno, l]));
    return b.lines.every((l) => {
      if (l.memMiB === null) return true;
      const r = rows.get(l.lineno);
      return !!r && r.memMiB !== null && r.memMiB >= l.memMiB && (r.occurrences ?? 0) >= (l.occurrences ?? 1);
    });
  };
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const n = calls(b);
    // A report of the decorator imported (1 decimal unless told: `python -m memory_profiler`'s 3 print each
    // function once a run) covers more calls than one only through recursion, through a function not
    // profiled too (walk -> visit -> walk listed walk's line 3 times, at 6, 4 and 2 MiB: h230).
    if (n === null || !(callsItself(b) || b.precision !== 3)) continue;
    // The function's next report only: a call from outside that did not recurse (one report of one
    // call) was taken into the next call's chain, and its line's memory lost (h282).
    for (let j = i + 1; j < blocks.length; j++) {
      const later = blocks[j]!;
      if (functionOf(later) !== functionOf(b)) continue;
      const m = calls(later);
      if (m !== null && m > n && includes(later, b)) out.add(b);
      break;
    }
  }
  return out;
}

// A recursive function's line once per call from outside it, at its largest increment over the reports
// that include one another (reprintedBlocks), those calls' summed: the later reports of a chain sum more
// calls, but sums of 0.58-0.61 fall below a run's own when memory went down between runs (memory_profiler
// issue #226: a line keeping 1 MiB a call read +2.0 in the report of 2 calls, -0.0 in that of 4). A chain
// ends at a report no later one includes: the recursion called 3 times kept 18 MiB at its line, read as
// one call's 6 (h278, h281).
function largestOfReprints(
  lines: LineIncrement[],
  reprinted: ReadonlySet<ReportBlock>,
  blocks: readonly ReportBlock[],
  blockOf: ReadonlyMap<LineIncrement, ReportBlock>,
): LineIncrement[] {
  if (!reprinted.size) return lines;
  const recursive = new Set([...reprinted].map(functionOf));
  const chainOf = new Map<ReportBlock, number>();
  const chains = new Map<string, number>();
  for (const b of blocks) {
    const f = functionOf(b);
    if (!recursive.has(f)) continue;
    const n = chains.get(f) ?? 0;
    chainOf.set(b, n);
    if (!reprinted.has(b)) chains.set(f, n + 1);
  }
  const largest = new Map<string, LineIncrement>();
  const out: LineIncrement[] = [];
  for (const l of lines) {
    const b = blockOf.get(l);
    if (!b || !chainOf.has(b)) {
      out.push(l);
      continue;
    }
    const key = `${chainOf.get(b)}\0${l.filename}\0${l.lineno}`;
    const had = largest.get(key);
    if (!had || l.incrementMiB > had.incrementMiB) largest.set(key, l);
  }
  const summed = new Map<string, LineIncrement>();
  for (const l of largest.values()) {
    const key = `${l.filename}\0${l.lineno}`;
    const had = summed.get(key);
    summed.set(key, had ? sumOf(had, l) : l);
  }
  return [...out, ...summed.values()];
}

// The lines of the given functions' reports, one per line (`combine` folding its entries in order), after
// the others.
function combineLines(
  lines: readonly LineIncrement[],
  functions: ReadonlySet<string>,
  blockOf: ReadonlyMap<LineIncrement, ReportBlock>,
  combine: (had: LineIncrement, l: LineIncrement) => LineIncrement,
): LineIncrement[] {
  const byLine = new Map<string, LineIncrement>();
  const out: LineIncrement[] = [];
  for (const l of lines) {
    const b = blockOf.get(l);
    if (!b || !functions.has(functionOf(b))) {
      out.push(l);
      continue;
    }
    const key = `${l.filename}\0${l.lineno}`;
    const had = byLine.get(key);
    byLine.set(key, had ? combine(had, l) : l);
  }
  return [...out, ...byLine.values()];
}

// The functions a report profiles, by name, with the calls its report counts (its first row's
// Occurrences, summed over functions of one name; null when a report does not count them).
// None where a function is profiled call by call: that is `@profile` imported, each function with a
// profiler of its own, so a line calling one is measured by another profiler, which sees none of the
// callee's lines, and its Increment is its own (0.61: `inner(i)` in a loop of 5, +10.1 MiB for
// 5 x 2 MiB; `middle()`, called once, +9.1 MiB where its caller's profiler saw 21.5 -> 30.6 MiB).
function profiledCalls(
  r: LineReport,
  perCall: ReadonlySet<string>,
  reprinted: ReadonlySet<ReportBlock>,
): Map<string, number | null> {
  const calls = new Map<string, number | null>();
  // (Nor where a recursive function's reports add up its calls one report a call: the decorator's too.
  // The line calling it read as counting the whole memory; h278.)
  if (perCall.size || [...reprinted].some((b) => b.precision !== 3)) return calls;
  for (const b of r.blocks) {
    const def = b.lines.slice(0, 8).find((l) => DEF.test(l.source));
    if (!def || reprinted.has(b)) continue;
    const name = DEF.exec(def.source)![1]!;
    const n = b.lines.find((l) => l.memMiB !== null)?.occurrences ?? null;
    const had = calls.get(name);
    calls.set(name, had === undefined ? n : had === null || n === null ? null : had + n);
  }
  return calls;
}

/**
 * Per profiled function (by name, as profiledCalls), the line that alone printed the whole memory at its
 * calls: an Increment equal to the function's first row's (the memory at each call, summed), where
 * another line names a function of that name too. Such a line makes every call; the others call
 * another function of that name (`model.update(i)` printed 731.1 MiB as `Model.update`'s first row did,
 * `cache.update(...)` beside it 240 MiB of its own, read as 40: h243).
 */
function soleCallers(r: LineReport, profiled: ReadonlyMap<string, number | null>): Map<string, ReportLine> {
  const sums = new Map<string, number | null>();
  for (const b of r.blocks) {
    const def = b.lines.slice(0, 8).find((l) => DEF.test(l.source));
    if (!def) continue;
    const name = DEF.exec(def.source)![1]!;
    const first = b.lines.find((l) => l.memMiB !== null)?.incrementMiB ?? null;
    sums.set(name, sums.has(name) ? null : first); // two functions of one name: not known
  }
  const naming = new Map<string, ReportLine[]>();
  for (const b of r.blocks)
    for (const l of b.lines) {
      if (l.incrementMiB === null) continue;
      for (const name of new Set([...l.source.matchAll(CALLED)].map((m) => m[1]!)))
        if (profiled.has(name) && !DEF.test(l.source)) {
          const had = naming.get(name);
          if (had) had.push(l);
          else naming.set(name, [l]);
        }
    }
  const sole = new Map<string, ReportLine>();
  for (const [name, lines] of naming) {
    const sum = sums.get(name);
    if (sum == null || lines.length < 2) continue;
    const equal = lines.filter((l) => Math.abs(l.incrementMiB! - sum) <= Math.max(0.001, sum / 1000));
    if (equal.length === 1) sole.set(name, equal[0]!);
  }
  return sole;
}

// The calls a line makes of profiled functions, by the report's count: undefined when it names none.
// The names a line calls are read from it once, each looked up: a regular expression per profiled
// function and line took a report of 20,000 functions minutes.
const CALLED = /(?<![\p{L}\p{N}_])([\p{L}_][\p{L}\p{N}_]*)\s*\(/gu;
function callsMade(source: string, profiled: ReadonlyMap<string, number | null>): number | null | undefined {
  let total: number | null | undefined;
  const names = new Set<string>();
  for (const m of source.matchAll(CALLED)) names.add(m[1]!);
  for (const name of names) {
    if (!profiled.has(name)) continue;
    const n = profiled.get(name)!;
    total = total === undefined ? n : total === null || n === null ? null : total + n;
  }
  return total;
}

export function lineReportFindings(
  r: LineReport,
  opts: { top?: number; minRetainedMiB?: number } = {},
): LineReportFindings {
  const lines: LineIncrement[] = [];
  const retaining: RetainingFunction[] = [];
  const unjudged: UnjudgedFunction[] = [];
  // A recursive function's reports that a later one includes: judged for what their calls ended
  // holding, their lines counted in the later one.
  const reprinted = reprintedBlocks(r.blocks);
  const perCall = perCallFunctions(r.blocks, reprinted);
  const profiled = profiledCalls(r, perCall, reprinted);
  const sole = soleCallers(r, profiled);
  const blockOf = new Map<LineIncrement, ReportBlock>();
  // The most memory the process held as the report saw it: no line keeps more than that.
  let peak = 0;
  for (const b of r.blocks) for (const l of b.lines) if (l.memMiB !== null && l.memMiB > peak) peak = l.memMiB;
  // 0.48-0.54 sum a line's runs (an Increment can be negative); 0.55-0.57 print a run's highest, never
  // below 0 (max(previous, change) from 0): with no negative Increment a report may be of those, where a
  // body's highest run tells nothing of its header's rise (h343 F2: a `for` of 30 MiB read 15).
  const summedRuns0548 = r.blocks.some((b) => b.lines.some((l) => (l.incrementMiB ?? 0) < 0));
  for (const b of r.blocks) {
    const measured = b.lines.filter((l): l is Measured => l.memMiB !== null);
    const nested = nestedRows(b.lines);
    // The function's own rows: a nested def's run in its later calls (a callback's body read as the
    // function's exit: "ended holding" 210 MiB for 30: h243), and so do its def and decorator rows once
    // run again (run once, the def statement is the function's: the first row a report of 0.4 measures).
    const header = (l: ReportLine): boolean => DEF.test(l.source) || DECORATOR.test(l.source);
    const own = measured.filter((l) => !nested.has(l) || (header(l) && (l.occurrences ?? 1) <= 1));
    // The first row's increment is the whole baseline at the call, not a line's own doing; so is that of
    // a line that called another profiled function (memory_profiler takes it against 0, at every call):
    // a line of the report's functions called, or an Increment equal to its Mem usage, which no line
    // run once adds. Such a line's rise is what its Mem usage rose from the row before.
    const ulp = 10 ** -b.precision / 2;
    // memory_profiler 0.2-0.5 (no Increment column) took a line's memory before it ran, at its 'line'
    // event: a rise between two rows is the first one's doing. Later releases take it after.
    const before = measured.every((l) => l.incrementMiB === null) && measuredBefore(b.lines, measured[0]);
    // The least the function's rows show (each its line's highest run).
    const floor = Math.min(...measured.map((l) => l.memMiB));
    for (let i = 1; i < measured.length; i++) {
      const l = before ? measured[i - 1]! : measured[i]!;
      const from = measured[i - 1]!.memMiB;
      const to = measured[i]!.memMiB;
      // Which is so when: the line names a profiled function the report counts as called at least as
      // often as the line ran (a name alone is no proof: `cfg.get(` is no profiled `get` called once);
      // or, run twice or more, its Increment is nearly its runs times its Mem usage, which no line's own
      // changes reach (a profiled __init__ reached through its class; run once, one big allocation can);
      // or, run once, its Increment is its Mem usage; or its Increment is more than the process ever
      // held in the report, where it names a profiled function (a generator's line resumed after each
      // call), or where its runs cannot add that much of their own (a profiled function reached
      // through one that is not: 489 MiB in 6 runs in a process of 47-107 MiB). A loop's line adds
      // the process's whole range at most at each run: 0.61 summed a line allocating 100 MiB 3 times
      // to +300 MiB in a process of 121 MiB, its own.
      const runs = l.occurrences ?? 1;
      const callee = callsMade(l.source, profiled);
      const inc = l.incrementMiB;
      const overPeak = inc !== null && inc > peak + ulp;
      // Naming a profiled function another line alone makes every call of (soleCallers): another
      // function of that name, its Increment the line's own. And a line calling one adds up the memory at
      // each call, the function's least at each at least: one whose Increment is below it calls another
      // of that name (`seen.add(…)` beside a profiled `Cache.add`, `json.loads(…)` in a profiled `loads`,
      // their own 15 and 0.078 MiB read as none; h279, h281).
      const names = new Set([...l.source.matchAll(CALLED)].map((m) => m[1]!));
      const another = [...names].some((n) => sole.has(n) && sole.get(n) !== l);
      const whole =
        inc !== null &&
        ((callee != null && !another && (callee >= runs || overPeak) && (overPeak || inc >= 0.9 * floor)) ||
          (l.occurrences !== null && runs > 1 && inc >= 0.9 * runs * l.memMiB) ||
          (runs === 1 && l.memMiB > 0 && Math.abs(inc - l.memMiB) <= ulp) ||
          (overPeak && inc > runs * (peak - floor + 2 * ulp)));
      const reported = whole ? null : l.incrementMiB;
      // Without an Increment of its own, or before 0.58 (no Occurrences column), the rise of Mem usage
      // counts too: those releases summed a loop's or a comprehension's changes wrongly (a loop that
      // took 42 MiB printed -744 MiB), and the oldest print no Increment. From 0.58 the Increment is
      // the line's own, and a loop header's Mem usage (its highest run, after the body) is not; but a
      // line run more than once still sums each run's memory less the highest of the line run before
      // it (0.58-0.61: memory_profiler issue #226), which falls below 0 when memory went down between
      // runs: a comprehension whose Mem usage rose 100 MiB printed -3677 MiB ("no line added memory").
      // Not a loop's header: its Mem usage is its highest run, after the body (charged with the whole
      // loop's memory, a `for` read as the largest increment where its body's line took it).
      const summed =
        l.occurrences !== null && runs > 1 && reported !== null && reported < 0 && !BLOCK_HEADER.test(l.source);
      const summedHeader =
        l.occurrences !== null &&
        runs > 1 &&
        reported !== null &&
        reported < 0 &&
        /^\s*(?:async\s+)?(?:for|while)\b/.test(l.source);
      // Its own, summed over its runs to more than the process ever held (a loop's line whose memory is
      // freed before the next run): its Mem usage above the least its function's rows show. Not the rise
      // from the row before: a loop header's Mem usage is its highest run, after the body, and the line
      // of a body read 0 ("no line added memory" where memory_profiler printed +60 MiB).
      const summedRuns = reported !== null && overPeak && l.occurrences !== null && runs > 1;
      // In a report of several calls each row's Mem usage is its highest over them: from a row that ran
      // fewer times than this line, the rise is another call's path, not this line's doing (a recursive
      // function's return line, run once more than the line that recurses, read +4.0 MiB). So it is in
      // one call from a row deeper in a block this line is not in: a branch taken fewer times (a line
      // after an `except` run once in a loop of 100 read +29.1 MiB, the gap between the two paths: h241).
      const calls = measured[0]!.occurrences;
      const prev = measured[i - 1]!;
      const prevRuns = prev.occurrences;
      // (In a loop: after a loop, a line run more often than the loop's last row is a comprehension's,
      // its runs its iterations: `tot = sum(inner(i) for i in …)` keeps the 6 MiB its calls made.)
      const branch =
        (indentOf(prev.source) ?? 0) > (indentOf(l.source) ?? 0) &&
        enclosingHeaders(b.lines, l).some((h) => /^\s*(?:async\s+)?(?:for|while)\b/.test(h.source));
      const otherPath = !before && prevRuns !== null && prevRuns < runs && ((calls !== null && calls > 1) || branch);
      // Summed runs: above the function's least, or where the row before is no loop header (whose Mem
      // usage is after its body), above that row when less: the function's least alone charged the line
      // with what the rows before it keep (100 MiB run 5 times after a 300 MiB line read 400 MiB, first
      // of the report; helper h226).
      const afterRow = !BLOCK_HEADER.test(measured[i - 1]!.source) && to - from > 0 ? to - from : Infinity;
      // A frame entered again there, or a block header taken as the whole memory (its Mem usage is
      // after its body): the rise from the row before is none of the line's doing either.
      const reentered = resumes(l.source) || (nested.has(l) && header(l));
      const rise =
        reentered || (whole && BLOCK_HEADER.test(l.source))
          ? 0
          : summedRuns
            ? Math.min(to - floor, afterRow)
            : // A loop's header whose runs summed below 0 (0.58-0.61, issue #226): the rise to its Mem
              // usage, after its body, from the row before (a loop keeping 20 MiB read "no line added
              // memory", -759.3 MiB, its body's rows one run each: h366).
              summedHeader
              ? Math.max(0, to - from)
              : reported !== null && l.occurrences !== null && !summed
                ? reported
                : otherPath
                  ? (reported ?? 0)
                  : // Before 0.58 (no Occurrences) a loop's or a `with`'s header still has its Mem usage
                    // after its body: where its body's rows print that rise already (0.48-0.54 sum each
                    // line's runs), the rise is theirs, not the header's (a `for` read +15 MiB beside its
                    // body's own +15 MiB: h341). 0.55-0.57 print a run's highest: the rise stays. With no
                    // negative Increment to tell them, the header's and its body's printed figures adding
                    // up to its rise, to their rounding, are sums (a loop of 5 runs' highest is a fifth).
                    reported !== null &&
                      l.occurrences === null &&
                      BLOCK_HEADER.test(l.source) &&
                      (summedRuns0548
                        ? bodyReported(measured, l) >= to - from - 2 * ulp
                        : Math.abs(reported + bodyReported(measured, l) - (to - from)) <= 4 * ulp)
                    ? reported
                    : // Within one unit of the last digit printed, the rounding of two figures each printed
                      // on its own (64.1 -> 112.7 beside an Increment of 48.5 read 48.6; helper h257).
                      reported !== null && to - from - reported <= 1.001 * 10 ** -b.precision
                      ? reported
                      : Math.max(reported ?? -Infinity, to - from);
      lines.push({
        filename: b.filename,
        lineno: l.lineno,
        incrementMiB: Math.round(rise * 10 ** b.precision) / 10 ** b.precision,
        reportedIncrementMiB: reported,
        wholeMemory: whole,
        summedRuns,
        fromMiB: summedRuns ? floor : from,
        memMiB: to,
        measuredBefore: before,
        occurrences: l.occurrences,
        source: l.source,
        reports: 1,
        precision: b.precision,
      });
      blockOf.set(lines.at(-1)!, b);
    }
    if (measured.length < 2) continue;
    const lineno = b.lines[0]!.lineno;
    const called = measured[0]!.occurrences;
    const reason = unjudgedReason(b, own, peak);
    if (reason !== null) {
      if (reprinted.has(b)) continue;
      const peakMiB = Math.max(...measured.map((l) => l.memMiB));
      unjudged.push({ filename: b.filename, lineno, calls: called, peakMiB, reason, precision: b.precision });
      continue;
    }
    const entry = own[0]!.memMiB;
    const exit = own[own.length - 1]!.memMiB;
    // Rounded to the figures' own decimals, as the report prints them.
    const scale = 10 ** b.precision;
    if (exit - entry >= (opts.minRetainedMiB ?? 0.5)) {
      retaining.push({
        filename: b.filename,
        lineno,
        entryMiB: entry,
        exitMiB: exit,
        retainedMiB: Math.round((exit - entry) * scale) / scale,
        calls: called === null ? null : 1,
        next: retainingNextStep(b.filename, lineno),
        precision: b.precision,
      });
    }
  }
  const merged = mergePerCall(lines, retaining, perCall, blockOf);
  merged.lines = largestOfReprints(merged.lines, reprinted, r.blocks, blockOf);
  merged.lines.sort((a, b) => b.incrementMiB - a.incrementMiB);
  return {
    topIncrements: merged.lines.slice(0, opts.top ?? 10),
    retainingFunctions: merged.retaining.sort((a, b) => b.retainedMiB - a.retainedMiB),
    unjudgedFunctions: besideJudged(onePerFunction(unjudged, perCall), merged.retaining),
  };
}

// A function not judged in its report of several calls, whose report of one call is judged (a recursive
// one, its decorator imported: its innermost call's report, then the report of all its calls): said
// so, where both read as one function judged and not judged (helper h221).
function besideJudged(unjudged: UnjudgedFunction[], retaining: readonly RetainingFunction[]): UnjudgedFunction[] {
  return unjudged.map((u) =>
    retaining.some((r) => r.filename === u.filename && r.lineno === u.lineno && r.calls === 1)
      ? { ...u, reason: `${u.reason}; its report of one call is judged on its own` }
      : u,
  );
}

// A line's entries of two calls' reports as one: their increments and runs summed.
function sumOf(had: LineIncrement, l: LineIncrement): LineIncrement {
  return {
    ...had,
    incrementMiB: Math.round((had.incrementMiB + l.incrementMiB) * 1e6) / 1e6,
    reportedIncrementMiB:
      had.reportedIncrementMiB === null || l.reportedIncrementMiB === null
        ? null
        : Math.round((had.reportedIncrementMiB + l.reportedIncrementMiB) * 1e6) / 1e6,
    wholeMemory: had.wholeMemory || l.wholeMemory,
    summedRuns: had.summedRuns || l.summedRuns,
    fromMiB: Math.min(had.fromMiB, l.fromMiB),
    memMiB: Math.max(had.memMiB, l.memMiB),
    occurrences: had.occurrences === null || l.occurrences === null ? null : had.occurrences + l.occurrences,
    reports: had.reports + l.reports,
  };
}

// A function's reports one a call (memory_profiler's decorator imported: each call printed as it
// returns, its first row run once) as one: a line's increments summed, as a report of every call sums
// them (`python -m memory_profiler`), and the calls that ended holding more summed. Listed a report at a
// time, one line filled "largest increments" 8 times over.
function mergePerCall(
  lines: LineIncrement[],
  retaining: RetainingFunction[],
  perCall: ReadonlySet<string>,
  blockOf: ReadonlyMap<LineIncrement, ReportBlock>,
): { lines: LineIncrement[]; retaining: RetainingFunction[] } {
  if (perCall.size === 0) return { lines, retaining };
  const outLines = combineLines(lines, perCall, blockOf, sumOf);
  const byFunction = new Map<string, RetainingFunction>();
  // Each call's exit is measured before its return frees its locals: what it held after the return is
  // at most what the next call started from (a call's locals counted in every call's figure: 139 MiB
  // "held" by 3 calls keeping 30 MiB each, of a process that grew 107 MiB). The previous call's own figure.
  const lastCall = new Map<string, number>();
  const outRetaining: RetainingFunction[] = [];
  for (const f of retaining) {
    const key = `${f.filename}\0${f.lineno}`;
    if (!perCall.has(key)) {
      outRetaining.push(f);
      continue;
    }
    const had = byFunction.get(key);
    const freed = had ? Math.min(lastCall.get(key)!, Math.max(0, had.exitMiB - f.entryMiB)) : 0;
    lastCall.set(key, f.retainedMiB);
    byFunction.set(
      key,
      had
        ? {
            ...had,
            exitMiB: f.exitMiB,
            retainedMiB: Math.round((had.retainedMiB - freed + f.retainedMiB) * 1e6) / 1e6,
            calls: (had.calls ?? 1) + 1,
          }
        : f,
    );
  }
  return { lines: outLines, retaining: [...outRetaining, ...byFunction.values()] };
}

// A function profiled call by call is not judged once, however many of its calls' reports say the
// same: its calls counted, its highest peak.
function onePerFunction(unjudged: UnjudgedFunction[], perCall: ReadonlySet<string>): UnjudgedFunction[] {
  const out: UnjudgedFunction[] = [];
  const at = new Map<string, number>();
  const reports = new Map<number, number>();
  for (const u of unjudged) {
    const key = `${u.filename}\0${u.lineno}`;
    const i = perCall.has(key) ? at.get(key) : undefined;
    if (i === undefined) {
      at.set(key, out.length);
      out.push(u);
      continue;
    }
    const had = out[i]!;
    reports.set(i, (reports.get(i) ?? 1) + 1);
    out[i] = {
      ...had,
      calls: had.calls === null || u.calls === null ? null : had.calls + u.calls,
      peakMiB: Math.max(had.peakMiB, u.peakMiB),
    };
  }
  for (const [i, n] of reports)
    out[i] = { ...out[i]!, reason: `${out[i]!.reason} (so say ${n} calls' reports, one a call: the first's figures)` };
  return out;
}
