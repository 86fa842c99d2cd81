// Importer for the pymalloc report of `sys._debugmallocstats()` (CPython 3.6–3.13): alone, pasted from
// an interactive session (prompts, '...' elisions, CRLF), or repeated among other stderr lines with
// PYTHONMALLOCSTATS=1, with a log's or a quote's prefix on every line (taken off, with a warning). Each
// report is checked against the rules Objects/obmalloc.c computes it by; one missing a figure line is refused.
// CPython ends every line it prints: a last line without its '\n' was cut off (lines.ts, textEnd).

import {
  type AllocatorStats,
  type ArenaMap,
  endsAtNewArena,
  endsWithExitReport,
  type FreeListLine,
  type MallocStatsBlock,
  type SizeClassRow,
} from '../model/allocator-stats.js';
import { InputError, TruncatedError } from '../util/errors.js';
import { excerpt, quoted } from '../util/excerpt.js';
import { groupThousands as fmt } from '../util/text.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, textEnd, textLines } from './lines.js';
import { CarriedPrefix } from './log-prefix.js';
import { type Counters, check, LABELS, missingFigures, type Places } from './mallocstats-checks.js';
import type { InputStream } from './open-input.js';

const FORMAT = 'allocator-stats';

const THRESHOLD = /^Small block threshold = (\d+), in (\d+) size classes\.$/;
const ROW = /^(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/;
const HEADER = 'class size num pools blocks in use avail blocks';
// The value of a printone() line, after its last '=' (a label never holds one): parsed from there, since
// a pattern such as /^(.*?) *= +([\d,]+)$/ tries every split of a long line and takes its square. A value
// of 21 characters or more fills printone's field: no space after the '=' then.
const PRINTONE_VALUE = /^ *[\d,]+$/;
const ARENAS = /^(\d+) arenas \* (\d+) bytes\/arena$/;
const POOLS = /^(\d+) unused pools \* (\d+) bytes$/;
const FREE_LIST = /^ *(\d+) free (.+) \* (\d+) bytes each$/;
const TUPLES = /^(\d+)-sized PyTupleObjects$/;
// The REPL writes its prompts to stderr too; with stdin piped they run into the next output line
// ('>>> >>> ... Small block threshold = ...'). A bare '...' is someone's elision, not a prompt.
const PROMPTS = /^(?:(?:>>>|\.\.\.) )+(?=\S)/;
const ELISION = /^(?:\.\.\.|…|\[\.\.\.\]|\[…\])$/;
// A log of many damaged reports would bury the rest of stderr.
const MAX_WARNINGS = 20;

// printone() labels of the 3.10+ arena map, and the field each fills (the others: mallocstats-checks.ts).
const MAP_LABELS: Record<string, keyof ArenaMap> = {
  '# arena map mid nodes': 'midNodes',
  '# arena map bot nodes': 'botNodes',
  '# bytes lost to arena map root': 'root',
  '# bytes lost to arena map mid': 'mid',
  '# bytes lost to arena map bot': 'bot',
};
const MAP_KEYS = ['midNodes', 'botNodes', 'root', 'mid', 'bot', 'total'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A line as CPython wrote it: without a line end, trailing blanks or the REPL's prompts run into it. */
// A report's first line may follow other text on its line: a progress bar on stderr ends with '\r',
// not a newline ('  loading 3%Small block threshold = …': 20 of 24 reports were passed over).
const HEADER_START = 'Small block threshold = ';

// Tabs and no-break spaces for CPython's runs of spaces: a report copied from a web page, a chat or a
// spreadsheet.
const BLANKS = /[\t\u00a0]/g;

function clean(line: string): string {
  const at = line.indexOf(HEADER_START);
  return (at > 0 ? line.slice(at) : line).replace(BLANKS, ' ').trimEnd().replace(PROMPTS, '').trim();
}

/**
 * What a report's first line holds before CPython's text, when it may be on every line of the report:
 * not a progress line ending in '\r', not blanks, not the REPL's prompts.
 */
function headerPrefix(raw: string): CarriedPrefix | null {
  const text = raw.slice(0, Math.max(0, raw.indexOf(HEADER_START)));
  const prompts = text.replace(/(?:(?:>>>|\.\.\.) )+$/, '');
  return text.trim() === '' || prompts.trim() === '' || text.includes('\r') ? null : new CarriedPrefix(text);
}

function sniffMallocStats(head: Buffer): boolean {
  return headLines(head, 2000).some((l) => THRESHOLD.test(clean(l)));
}

/** Why a file of onlyFreeLists() is no capture, said whether it is named or found in a folder. */
export const FREE_LISTS_ONLY =
  "sys._debugmallocstats() output of free lists only: CPython leaves pymalloc's report out while " +
  'tracemalloc traces or without pymalloc (PYTHONMALLOC=malloc); print it with pymalloc, tracemalloc ' +
  'off (`arenascope run --allocator` does)';

/**
 * Whether the head is `sys._debugmallocstats()` output without pymalloc's report: its free lists
 * alone, as CPython prints it while tracemalloc traces (said when the input is no format).
 */
export function onlyFreeLists(head: Buffer): boolean {
  let n = 0;
  for (const l of headLines(head, 200)) {
    const label = printone(clean(l))?.label;
    if (label !== undefined && FREE_LIST.test(label) && ++n >= 3) return true;
  }
  return false;
}

// Where a report is: the size-class table, the figures up to the first Total, what may follow the
// figures (the 3.10+ arena map, the free lists of _debugmallocstats()), and past its end.
type Phase = 'table' | 'figures' | 'tail' | 'map' | 'free' | 'ended';

interface Open {
  inputLine: number;
  smallBlockThreshold: number;
  numClasses: number;
  phase: Phase;
  classes: SizeClassRow[];
  counters: Partial<Mutable<Counters>>;
  map: Partial<Mutable<ArenaMap>> | null;
  freeLists: FreeListLine[];
  at: Places;
  /** The last line read as part of the report. */
  last: number;
  /** What its first line carries before CPython's text, and how many of its other lines carried it too. */
  prefix: CarriedPrefix | null;
  carried: number;
}

// mimalloc's report (3.13 with PYTHONMALLOC=mimalloc, and free-threaded builds) opens with the same
// words as pymalloc's, then this; it has no arenas or pools.
const MIMALLOC = /^Medium block threshold = \d+$/;

function openReport(file: string, t: RegExpExecArray, no: number): Open {
  const at: Places = { rows: [], free: [], figure: {} };
  const [smallBlockThreshold, numClasses] = [exactFigure(file, no, t[1]!), exactFigure(file, no, t[2]!)];

  return {
    inputLine: no,
    smallBlockThreshold,
    numClasses,
    phase: 'table',
    classes: [],
    counters: {},
    map: null,
    freeLists: [],
    at,
    last: no,
    prefix: null,
    carried: 0,
  };
}

/** A printone() line ('label   =   1,234') as its label and figure; null for another line. */
function printone(line: string): { label: string; figure: string } | null {
  const eq = line.lastIndexOf('=');
  const value = eq < 0 ? '' : line.slice(eq + 1);
  return PRINTONE_VALUE.test(value) ? { label: line.slice(0, eq).trim(), figure: value.trim() } : null;
}

/** A figure as printed (digits, commas between thousands), when a double holds it exactly; else an error. */
function exactFigure(file: string, no: number, figure: string): number {
  const n = Number(figure.replace(/,/g, ''));
  if (Number.isSafeInteger(n)) return n;
  throw new InputError(file, `line ${no}`, `the figure ${quoted(figure, 30)} is beyond 2^53: not counted exactly`);
}

/** Takes one (cleaned) line into the open report, by its phase. */
function take(file: string, b: Open, line: string, no: number): void {
  const p = printone(line);
  const label = p ? p.label : '';
  switch (b.phase) {
    case 'ended':
      return;
    case 'table': {
      if (MIMALLOC.test(line)) {
        throw new InputError(
          file,
          `line ${no}`,
          `a report of mimalloc (CPython 3.13+ with PYTHONMALLOC=mimalloc, or a free-threaded build), not of ` +
            'pymalloc, which arenascope models: run the program with pymalloc (the default of a build with the GIL)',
        );
      }
      const row = ROW.exec(line);
      if (row) {
        const n = row.slice(1).map((d) => exactFigure(file, no, d));
        const [cls, size, pools, inUse, avail] = n as [number, number, number, number, number];
        b.classes.push({ cls, size, pools, inUse, avail });
        b.at.rows.push(no);
      } else if (ELISION.test(line)) b.at.tableElided ??= no;
      else if (line.length < 2 * HEADER.length && line.split(/\s+/).join(' ') === HEADER) b.at.table = no;
      // The figures start at a label of CPython's ('# ...' covers the serial-number line of debug builds);
      // another program's 'x = 5' inside a table does not end it.
      if (!(LABELS[label] || label.startsWith('# ') || ARENAS.test(label) || POOLS.test(label) || label === 'Total'))
        return;
      b.phase = 'figures';
      break;
    }
    case 'tail':
      if (line === '') return;
      if (line === 'arena map counts') {
        b.map = {};
        b.at.mapStart = no;
        b.phase = 'map';
        return;
      }
      b.phase = MAP_LABELS[label] ? 'map' : FREE_LIST.test(label) ? 'free' : 'ended';
      break;
    case 'map':
      if (FREE_LIST.test(label)) b.phase = 'free'; // the map's Total was lost
      break;
    case 'free':
      if (ELISION.test(line)) b.at.freeElided ??= no;
      // A blank line is no end of the free lists: the input may stop after it (freeListsEnd judges).
      else if (!FREE_LIST.test(label) && line.trim() !== '') b.phase = 'ended';
      if (!FREE_LIST.test(label)) return;
  }
  if (p) figure(file, b, label, p.figure, no);
}

/** A `label = value` line of the figures, the arena map or the free lists; figures are read where they are kept. */
function figure(file: string, b: Open, label: string, digits: string, no: number): void {
  const { counters: c, at } = b;
  const value = (d = digits): number => exactFigure(file, no, d);
  if (b.phase === 'map') {
    b.map ??= {};
    at.mapStart ??= no;
    const key = label === 'Total' ? 'total' : MAP_LABELS[label];
    if (key) b.map[key] = value();
    if (key) at.figure[`map.${key}`] = no;
    if (key === 'total') b.phase = 'tail';
    return;
  }
  const freeList = FREE_LIST.exec(label);
  if (b.phase === 'free' && freeList) {
    const [count, name, size] = [value(freeList[1]), freeList[2]!, value(freeList[3])];
    b.freeLists.push({ count, name, size, bytes: value() });
    at.free.push(no);
    return;
  }
  const arenas = ARENAS.exec(label);
  const pools = POOLS.exec(label);
  let key: keyof Counters;
  if (label === 'Total') [key, b.phase] = ['total', 'tail'];
  else if (LABELS[label]) key = LABELS[label]!;
  else if (arenas) [c.arenaCount, c.arenaSize, key] = [value(arenas[1]), value(arenas[2]), 'arenaBytes'];
  else if (pools) [c.unusedPools, c.poolSize, key] = [value(pools[1]), value(pools[2]), 'unusedPoolBytes'];
  else return; // another program's line, or the serial-number line of debug builds
  c[key] = value();
  at.figure[key] = no;
}

async function readMallocStats(input: InputStream, opts: ReadOptions): Promise<AllocatorStats> {
  const blocks: MallocStatsBlock[] = [];
  const warnings: string[] = [];
  let warned = 0;
  // The first report dropped as cut off (--allow-partial).
  let dropped: number | undefined;
  let prefixSaid = false;
  const text = textLines(input);
  let open: Open | null = null;
  let no = 0;

  const close = (atEnd: boolean): void => {
    const b = open!;
    open = null;
    if (b.carried > 0 && !prefixSaid) {
      prefixSaid = true;
      const said = `'${excerpt(b.prefix!.text, 40)}'`;
      warnings.push(
        `${input.label}: line ${b.inputLine}: the lines of the allocator report carry ${said} before CPython's text ` +
          '(a log or a quote): read without it',
      );
    }
    const missing = missingFigures(b.counters, b.at);
    if (missing) {
      lacking(b, missing, atEnd); // refused, or dropped with a warning
      return;
    }
    const map = b.map;
    const arenaMap = map && MAP_KEYS.every((k) => map[k] !== undefined) ? (map as ArenaMap) : null;
    if (atEnd) {
      mapEnd(b, arenaMap !== null);
      freeListsEnd(b);
    }
    const block: MallocStatsBlock = {
      inputLine: b.inputLine,
      smallBlockThreshold: b.smallBlockThreshold,
      numClasses: b.numClasses,
      classes: b.classes,
      ...(b.counters as Counters),
      arenaMap,
      freeLists: b.freeLists,
    };
    const r = check(block, b.at);
    for (const w of r.warnings) {
      if (warned++ < MAX_WARNINGS) warnings.push(`${input.label}: line ${w.line}: ${w.message}`);
    }
    blocks.push(
      r.warnings.length ? { ...block, ...(r.complete ? {} : { complete: false }), warnings: r.warnings } : block,
    );
  };

  // A report without one of its figure lines: damaged when CPython's lines after it were read, or the
  // report ends before the input does; cut off when the input ends where the report stops.
  const lacking = (b: Open, m: NonNullable<ReturnType<typeof missingFigures>>, atEnd: boolean): void => {
    const report = `the allocator report that starts at line ${b.inputLine}`;
    const more = m.more ? ` (and ${m.more} more)` : '';
    const where = m.after ? `, which CPython prints after '${m.after.label}' (line ${m.after.line})` : '';
    const detail = `${report} has no '${m.label}' line${more}${where}`;
    if (m.later || !atEnd) {
      const next = atEnd ? '' : `, and another starts at line ${no}`;
      const place = m.later && m.after ? `line ${m.after.line + 1}` : `line ${b.last}`;
      throw new InputError(input.label, place, `${detail}; the report ends at line ${b.last}${next}: a damaged report`);
    }
    if (!opts.allowPartial)
      throw new TruncatedError(
        input.label,
        `line ${no}`,
        `${detail}: the input ends at line ${b.last} (--allow-partial reads what is there)`,
      );
    warnings.push(`${input.label}: ${detail}: the input ends at line ${b.last}; dropped (--allow-partial)`);
    dropped ??= b.inputLine;
  };

  // 1 MiB arenas are a radix tree's (3.10+, 64-bit), whose arena map section follows the figures in
  // every report, PYTHONMALLOCSTATS's too: a report at the input's end without it whole was cut there
  // (cut after its figures, it was read as whole; cut inside the map, a warning).
  const mapEnd = (b: Open, whole: boolean): void => {
    if (whole || b.counters.arenaSize !== 1 << 20 || b.phase === 'free' || b.phase === 'ended') return;
    const report = `the allocator report that starts at line ${b.inputLine}`;
    const msg = `${report} stops before the end of the arena map section CPython 3.10+ prints after its figures: cut off?`;
    if (!opts.allowPartial)
      throw new TruncatedError(input.label, `line ${no}`, `${msg} (--allow-partial reads the report)`);
    warnings.push(`${input.label}: line ${no}: ${msg} The report is read without the rest (--allow-partial)`);
  };

  // _debugmallocstats() ends with the free lists of tuples of 1 to 19 items (20 from 3.11, whose arena map
  // root is 256 KiB): a report whose free lists stop before, at the end of the input, was cut there.
  const freeListsEnd = (b: Open): void => {
    const last = TUPLES.exec(b.freeLists[b.freeLists.length - 1]?.name ?? '');
    const expected = b.map?.root === 262144 ? 20 : 19;
    if (b.phase !== 'free' || b.at.freeElided !== undefined || (last && Number(last[1]) >= expected)) return;
    const report = `the allocator report that starts at line ${b.inputLine}`;
    const msg = `the free lists of ${report} stop before the ${expected}-sized tuples CPython ends them with: cut off?`;
    if (!opts.allowPartial)
      throw new TruncatedError(input.label, `line ${no}`, `${msg} (--allow-partial reads the report)`);
    warnings.push(`${input.label}: line ${no}: ${msg} The report is read without the rest (--allow-partial)`);
  };

  for await (const raw of text.lines) {
    no++;
    const carried = open?.prefix?.strip(raw) ?? null;
    if (carried !== null) open!.carried++;
    const line = clean(carried ?? raw);
    const t = THRESHOLD.exec(line);
    if (t) {
      if (open) close(false);
      open = openReport(input.label, t, no);
      open.prefix = headerPrefix(raw);
    } else if (open) {
      take(input.label, open, line, no);
      if (open.phase !== 'ended' && line !== '') open.last = no;
    }
  }
  warnings.push(...textEnd(input, text.cut(), `line ${no + 1}`, opts.allowPartial ?? false));
  if (open) close(true);
  if (warned > MAX_WARNINGS) warnings.push(`${input.label}: ${warned - MAX_WARNINGS} more warnings like these`);
  if (blocks.length === 0 && dropped !== undefined) {
    const only = `the allocator report at line ${dropped}, the only one, is cut off before its figures end`;
    throw new TruncatedError(input.label, `line ${no}`, `${only}: nothing to read`);
  }
  if (blocks.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no allocator report found: expected 'Small block threshold = 512, in 32 size classes.' " +
        'and the table and figures that follow it',
    );
  }
  // A process's first PYTHONMALLOCSTATS report is printed before its first arena: one with no arena
  // ever allocated after the first report starts another process (runs appended to one log, a child
  // that inherited the variable and the stderr). Their reports mixed, the last was another process's
  // (a parent with no fragmentation failed the gate on its child's exit report): refused.
  // The count of arenas ever allocated never falls in a process: one that does is another's (a forked
  // child starts from its parent's count; a program's own reports and its child's, 25, 2, 25, 2).
  // A process cannot change its arena or pool size, nor its size classes: reports that do are another
  // CPython build's (a 3.11 log with 1 MiB arenas, then a 3.8 one with 256 KiB arenas).
  const build = (b: MallocStatsBlock, prev: MallocStatsBlock): string[] =>
    (
      [
        ['arenas of', 'arenaSize', ' bytes'],
        ['pools of', 'poolSize', ' bytes'],
        ['a threshold of', 'smallBlockThreshold', ''],
        ['size classes:', 'numClasses', ''],
      ] as const
    ).flatMap(([what, k, unit]) => (b[k] === prev[k] ? [] : [`${what} ${fmt(b[k])}${unit}, not ${fmt(prev[k])}`]));
  const again = blocks.findIndex(
    (b, i) =>
      i > 0 &&
      (b.arenasAllocatedTotal === 0 ||
        b.arenasAllocatedTotal < blocks[i - 1]!.arenasAllocatedTotal ||
        build(b, blocks[i - 1]!).length > 0),
  );
  if (again > 0) {
    const [b, prev] = [blocks[again]!, blocks[again - 1]!];
    const changed = build(b, prev);
    if (changed.length) {
      throw new InputError(
        input.label,
        `line ${b.inputLine}`,
        `another CPython build's reports start here (${changed.join('; ')} as at line ${prev.inputLine}): a process ` +
          'cannot change them; logs appended? give each its own file',
      );
    }
    const why = b.arenasAllocatedTotal
      ? `arenas ever allocated fell from ${prev.arenasAllocatedTotal} to ${b.arenasAllocatedTotal}`
      : 'no arena allocated yet, as a log begins';
    throw new InputError(
      input.label,
      `line ${b.inputLine}`,
      `another process's (or subinterpreter's) reports start here (${why}): logs appended, or a child writing ` +
        'to the same stderr; give each its own file',
    );
  }
  const [before, exit] = [blocks[blocks.length - 2], blocks[blocks.length - 1]];
  if (before && exit && endsWithExitReport(blocks)) {
    // The report before it: the program's own call (its free lists), or one printed before a new
    // arena, when every arena was full: room freed after it does not show there.
    const which = before.freeLists.length
      ? "the program's own sys._debugmallocstats()"
      : 'printed before a new arena, when all were full: room freed later does not show';
    warnings.push(
      `${input.label}: a PYTHONMALLOCSTATS log: its last report (line ${exit.inputLine}) is printed at exit, after ` +
        `the shutdown; the one at line ${before.inputLine} stands for the program (${which})`,
    );
  }
  if (endsAtNewArena(blocks)) {
    const last = blocks[blocks.length - 1]!;
    warnings.push(
      `${input.label}: a PYTHONMALLOCSTATS log without the report CPython prints at exit (the process died first: ` +
        `3.12.1 crashes there, or it was killed): its last report (line ${last.inputLine}) stands for the program, ` +
        'printed before a new arena, when all were full: room freed later does not show',
    );
  }
  return {
    kind: 'allocator-stats',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    blocks,
    warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: "sys._debugmallocstats() / PYTHONMALLOCSTATS output ('Small block threshold = …')",
  sniff: sniffMallocStats,
  read: readMallocStats,
};
