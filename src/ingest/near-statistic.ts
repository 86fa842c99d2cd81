// Whether a line that is no tracemalloc statistic is one with a byte of it changed, added or taken
// away: 'size=1200 KjB', 'coun#=3', 'big.py:9;', 'avera#e=', '5216 ;B', '100B'. Such a line was passed
// over as any other text, and the listing's largest site left out of its totals without a word (helpers
// h257, h258, h264).
//
// The figures after the file name are matched as a small automaton (each number a run of digits, each
// unit one of tracemalloc's), by edit distance: the fewest bytes changed, added or taken away.

import { STAT } from './tracemalloc-lines.js';

/** A number: a sign, digits, a decimal. A unit: one of those _format_size prints. A statistic may end. */
type Part = string | { readonly number: true } | { readonly unit: true } | { readonly end: true };
const N = { number: true } as const;
const U = { unit: true } as const;
const END = { end: true } as const;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

// Statistic.__str__ and StatisticDiff.__str__ after the file name ('average' only when the count is not 0).
const SHAPES: readonly (readonly Part[])[] = [
  [':', N, ': size=', N, ' ', U, ', count=', N, END, ', average=', N, ' ', U, END],
  [':', N, ': size=', N, ' ', U, ' (', N, ' ', U, '), count=', N, ' (', N, ')', END, ', average=', N, ' ', U, END],
];
// The line number's ':' before it, whole: a byte of it changed or missing counts 2 (nearStatistic).
const KEY = /:(?:\d|:|[^\s:][\d:])/;
const TIME = /\d:\d+ size=/;
const KEY_AFTER_NAME = /(\.pyw?|>)([^\s\w:]?)(\d+: size=)/;
// No statistic's figures are longer than this (with a byte added): only the end of a line is compared.
const TAIL = 120;

/** A state of the automaton: the byte it takes (DIGIT, SIGN, or a character code), the states before it. */
interface State {
  readonly take: number;
  readonly before: readonly number[];
  /** A run of digits: takes more of them, state to state. */
  readonly loop: boolean;
}
const [DIGIT, SIGN, START] = [-2, -3, -1];

interface Automaton {
  readonly states: readonly State[];
  readonly ends: readonly number[];
  /** States from ' size=' on: a line ending exactly at one of them is a statistic cut short. */
  readonly cutFrom: number;
}

function automaton(parts: readonly Part[]): Automaton {
  const states: State[] = [];
  let ends: number[] = [START];
  let cutFrom = 0;
  const add = (take: number, before: readonly number[], loop = false): number =>
    states.push({ take, before, loop }) - 1;
  const accept: number[] = [];
  for (const part of parts) {
    if (part === END) accept.push(...ends);
    else if (typeof part === 'string') {
      for (const ch of part) ends = [add(ch.charCodeAt(0), ends)];
      if (part === ': size=') cutFrom = states.length;
    } else if ('number' in part) {
      const sign = add(SIGN, ends);
      const digits = add(DIGIT, [...ends, sign], true);
      const point = add('.'.charCodeAt(0), [digits]);
      ends = [digits, add(DIGIT, [point], true)];
    } else {
      const before = ends;
      ends = UNITS.map((u) => {
        let at = before;
        for (const ch of u) at = [add(ch.charCodeAt(0), at)];
        return at[0]!;
      });
    }
  }
  return { states, ends: accept, cutFrom };
}
const AUTOMATA = SHAPES.map(automaton);

/**
 * Whether the line is a statistic's figures with one byte of damage (the caller has found it no
 * statistic). Not one cut short (its figures end early: the caller says so of it); not a whole one with
 * a byte after it (a sentence quoting it, 'worst: …!'); not a program's 'step 9: size=…, count=…' or
 * 'step 10: …', whose space or digit stands where a statistic's first ':' does: that byte changed or
 * missing counts 2 (h264).
 */
export function nearStatistic(line: string): boolean {
  // A byte of damage leaves 'size=' whole, or 'count=' and 'average=' (one to 'size=' is DAMAGED_STAT's).
  if (!line.includes('size=') && !(line.includes('count=') && line.includes('average='))) return false;
  // The line number's ':' changed or taken away right after a Python file's or a frozen module's name
  // ('_callers.py;114: size=…', '<frozen os>686: size=…'): a program's words hold neither (h264's
  // 'step 9: size=…'), and the line split its listing in two, its site left out (known since h261).
  const key = KEY_AFTER_NAME.exec(line);
  if (
    key &&
    STAT.test(`${line.slice(0, key.index)}${key[1]}:${line.slice(key.index + key[0].length - key[3]!.length)}`)
  )
    return true;
  // A time before the figures ('16:59:59 size=…', 't=1:20 size=…'): no line number with its ':' lost.
  if (!KEY.test(line) || TIME.test(line)) return false;
  const text = line.slice(-TAIL);
  let near = false;
  for (const a of AUTOMATA) {
    const { atEnd, beforeLast, cut } = distances(a, text);
    if (atEnd === 0 || beforeLast === 0 || cut) return false;
    if (atEnd === 1) near = true;
  }
  return near;
}

// Whether a state takes a byte (by its code).
function takes(take: number, c: number): boolean {
  if (take === DIGIT) return c >= 48 && c <= 57;
  if (take === SIGN) return c === 43 || c === 45;
  return take === c;
}

// The edit distance of the best ending of the text to a whole statistic, of the text but its last byte,
// and whether the text ends exactly part way through one (from ' size=' on). Distances are capped at 3.
function distances(a: Automaton, text: string): { atEnd: number; beforeLast: number; cut: boolean } {
  const { states } = a;
  const n = states.length;
  let prev = new Uint8Array(n);
  let cur = new Uint8Array(n);
  // Before any byte of the text: the states' bytes all missing (the first ':' counts 2, see nearStatistic).
  for (let s = 0; s < n; s++) {
    let d = 3;
    for (const p of states[s]!.before) d = Math.min(d, p === START ? 0 : prev[p]!);
    prev[s] = Math.min(3, d + (s === 0 ? 2 : 1));
  }
  const endOf = (col: Uint8Array): number => Math.min(...a.ends.map((e) => col[e]!));
  let beforeLast = 3;
  for (let j = 0; j < text.length; j++) {
    if (j === text.length - 1) beforeLast = endOf(prev);
    const c = text.charCodeAt(j);
    for (let s = 0; s < n; s++) {
      const st = states[s]!;
      const change = takes(st.take, c) ? 0 : s === 0 ? 2 : 1;
      let d = prev[s]! + (st.loop && change === 0 ? 0 : 1); // another digit of a run, or a byte added
      const missing = s === 0 ? 2 : 1;
      for (const p of st.before) {
        // Taken after the state before, or the state's byte missing.
        if (p === START) d = Math.min(d, change, missing);
        else d = Math.min(d, prev[p]! + change, cur[p]! + missing);
      }
      cur[s] = Math.min(3, d);
    }
    [prev, cur] = [cur, prev];
  }
  let cut = false;
  for (let s = a.cutFrom; s < n && !cut; s++) cut = prev[s] === 0;
  return { atEnd: endOf(prev), beforeLast, cut };
}
