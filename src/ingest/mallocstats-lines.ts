// One allocator report's lines, as `sys._debugmallocstats()` prints them, into its figures: the size-class
// table, printone()'s figures, the 3.10+ arena map and the free lists (mallocstats.ts reads the input and
// checks each report as a whole).

import type { ArenaMap, FreeListLine, SizeClassRow } from '../model/allocator-stats.js';
import { InputError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import { CarriedPrefix, withoutColours } from './log-prefix.js';
import { type Counters, LABELS, type Places } from './mallocstats-checks.js';

export const THRESHOLD = /^Small block threshold = (\d+), in (\d+) size classes\.$/;
const ROW = /^(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/;
const HEADER = 'class size num pools blocks in use avail blocks';
// The value of a printone() line, after its last '=' (a label never holds one): parsed from there, since
// a pattern such as /^(.*?) *= +([\d,]+)$/ tries every split of a long line and takes its square. A value
// of 21 characters or more fills printone's field: no space after the '=' then.
const PRINTONE_VALUE = /^ *[\d,]+$/;
const ARENAS = /^(\d+) arenas \* (\d+) bytes\/arena$/;
const POOLS = /^(\d+) unused pools \* (\d+) bytes$/;
export const FREE_LIST = /^ *(\d+) free (.+) \* (\d+) bytes each$/;
export const TUPLES = /^(\d+)-sized PyTupleObjects$/;
// The REPL writes its prompts to stderr too; with stdin piped they run into the next output line
// ('>>> >>> ... Small block threshold = ...'). A bare '...' is someone's elision, not a prompt.
const PROMPTS = /^(?:(?:>>>|\.\.\.) )+(?=\S)/;
const ELISION = /^(?:\.\.\.|…|\[\.\.\.\]|\[…\])$/;

// printone() labels of the 3.10+ arena map, and the field each fills (the others: mallocstats-checks.ts).
const MAP_LABELS: Record<string, keyof ArenaMap> = {
  '# arena map mid nodes': 'midNodes',
  '# arena map bot nodes': 'botNodes',
  '# bytes lost to arena map root': 'root',
  '# bytes lost to arena map mid': 'mid',
  '# bytes lost to arena map bot': 'bot',
};
export const MAP_KEYS = ['midNodes', 'botNodes', 'root', 'mid', 'bot', 'total'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A line as CPython wrote it: without a line end, trailing blanks or the REPL's prompts run into it. */
// A report's first line may follow other text on its line: a progress bar on stderr ends with '\r',
// not a newline ('  loading 3%Small block threshold = …': 20 of 24 reports were passed over).
const HEADER_START = 'Small block threshold = ';

// Tabs and no-break spaces for CPython's runs of spaces: a report copied from a web page, a chat or a
// spreadsheet.
const BLANKS = /[\t\u00a0]/g;

export function clean(coloured: string): string {
  const line = withoutColours(coloured);
  const at = line.indexOf(HEADER_START);
  return (at > 0 ? line.slice(at) : line).replace(BLANKS, ' ').trimEnd().replace(PROMPTS, '').trim();
}

/**
 * What a report's first line holds before CPython's text, when it may be on every line of the report:
 * not a progress line ending in '\r', not blanks, not the REPL's prompts.
 */
export function headerPrefix(raw: string): CarriedPrefix | null {
  const text = raw.slice(0, Math.max(0, raw.indexOf(HEADER_START)));
  const prompts = text.replace(/(?:(?:>>>|\.\.\.) )+$/, '');
  return text.trim() === '' || prompts.trim() === '' || text.includes('\r') ? null : new CarriedPrefix(text);
}

// Where a report is: the size-class table, the figures up to the first Total, what may follow the
// figures (the 3.10+ arena map, the free lists of _debugmallocstats()), and past its end.
type Phase = 'table' | 'figures' | 'tail' | 'map' | 'free' | 'ended';

export interface Open {
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

export function openReport(file: string, t: RegExpExecArray, no: number): Open {
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

/**
 * A row of a size-class table whose figures are signed ('    1     32          +1             +52           +74'):
 * pymemtrace's difference of two reports (DiffSysDebugMallocStats.diff()), under the same header.
 */
export const SIGNED_ROW = /^\s*\d+\s+\d+\s+[+-]\d[\d,]*\s+[+-]\d[\d,]*\s+[+-]\d[\d,]*\s*$/;

/** A line under a size-class header before its first row: its dashes, or nothing. */
export const UNDER_HEADER = /^[\s-]*$/;

/**
 * What a line opens of a report when it is the size-class table's header or the first figure: the
 * body of a report whose first line ('Small block threshold = …') is not there (lost from a log, cut
 * off a paste); null for any other line.
 */
export function bodyStart(line: string): string | null {
  if (line.length < 2 * HEADER.length && line.split(/\s+/).join(' ').trim() === HEADER) return 'its size-class table';
  return printone(line)?.label === '# arenas allocated total' ? "its figures ('# arenas allocated total')" : null;
}

/** A printone() line ('label   =   1,234') as its label and figure; null for another line. */
export function printone(line: string): { label: string; figure: string } | null {
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
export function take(file: string, b: Open, line: string, no: number): void {
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
