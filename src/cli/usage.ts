// Usage messages yargs gives too bluntly: "did you mean" for a misspelled option, and a number
// option's bad value quoted as typed (yargs reads `-n abc` as NaN and would pass it on).

import { UsageError } from '../util/errors.js';

/** Options whose values are counts: "a whole number" in their messages. */
export const WHOLE_NUMBER_OPTIONS: ReadonlySet<string> = new Set([
  'limit',
  'n',
  'max-leaks',
  'seed',
  'domain',
  'exclude-domain',
  'frames',
]);

/** The flag as a user types it: -n, --limit. */
export const flagName = (key: string): string => (key.length === 1 ? `-${key}` : `--${key}`);

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The option nearest a misspelled one, or null when none is near: within a third of the word's
 * length (at least 1, at most 3 edits), so a slip is forgiven and an unrelated word is not matched.
 */
export function nearestOption(typed: string, options: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  // On a tie, the option that shares the longer start (--max-leak: --max-leaks, not --max-peak).
  const shared = (o: string): number => {
    let k = 0;
    while (k < o.length && o[k] === typed[k]) k++;
    return k;
  };
  // The start of one option alone (`--out` for --output), as a user shortens one.
  const starting = typed.length >= 3 ? options.filter((o) => o.length > typed.length && o.startsWith(typed)) : [];
  if (starting.length === 1) return starting[0]!;
  for (const o of options) {
    if (o.length < 2) continue;
    const d = distance(typed, o);
    if (d < bestDistance || (d === bestDistance && (best === null || shared(o) > shared(best)))) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

/** yargs' "Unknown argument(s): a, b" with the nearest option of the command for each. */
export function withSuggestions(msg: string, options: readonly string[], args: readonly string[] = []): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  // `--max-peak-growth -5%`: yargs reads the value as options (-5 and -%).
  const i = args.findIndex((a, j) => /^--?[a-z]/i.test(a) && !a.includes('=') && /^-\.?\d/.test(args[j + 1] ?? ''));
  if (i >= 0) {
    const [flag, value] = [args[i]!, args[i + 1]!];
    return `${flag} ${value}: a value that starts with '-' is read as options; write ${flag}=${value}`;
  }
  // yargs names a dashed option twice (min-grwth, minGrwth): once is enough.
  const kebab = (u: string): string => u.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const typed = m[1]!.split(', ');
  const unknown = typed.filter((u) => !/[A-Z]/.test(u) || !typed.includes(kebab(u)));
  // yargs reads `--no-source` as the negation of `source` and names that: said as typed.
  const negated = (u: string): boolean =>
    !/^-/.test(u) && args.some((a) => a === `--no-${u}` || a.startsWith(`--no-${u}=`));
  const head = `Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.map((u) => (negated(u) ? `--no-${u}` : u)).join(', ')}`;
  // A word after a filter's value: each filter takes one, so it was read as an input and an input too
  // many is unknown (`--include a b app.pickle` gave "Unknown argument: app.pickle").
  const stray = args.findIndex(
    (w, j) => j >= 2 && ONE_VALUE.has(args[j - 2]!) && !args[j - 1]!.startsWith('-') && !w.startsWith('-'),
  );
  const filter =
    stray >= 0
      ? `${args[stray - 2]} takes one value each time, and ${args[stray]} after it was read as an input: write ` +
        `${args[stray - 2]} ${args[stray]} to give another (a glob the shell expanded? quote it)`
      : null;
  const hints = unknown
    .map((u) => {
      const near = nearestOption(u.replace(/^-+/, ''), options);
      if (negated(u))
        return `--no-${u}: there is no ${flagName(u)} to turn off${near ? `; did you mean --no-${near}?` : ''}`;
      return near ? `${flagName(u)}: did you mean ${flagName(near)}?` : null;
    })
    .filter((h): h is string => h !== null);
  if (filter) hints.unshift(filter);
  return hints.length ? `${head} (${hints.join('; ')})` : head;
}

// Options that take one value each time they are given (nargs 1: the filters of stats and diff).
const ONE_VALUE: ReadonlySet<string> = new Set(['--include', '--exclude', '--domain', '--exclude-domain']);

// A negative number, percentage or size (`--seed -3`, `=-5%`, `-1.5MiB`): not a cluster of flags.
// (`-2hooks*.py` is: yargs read its h as --help.)
const NEGATIVE = /^-(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:%|[kKMGTP]i?B|B)?$/;
// One-letter flags of any command: -h (help) alone, the others with their values.
const SHORT_FLAGS = new Set(['h', 'o', 'f', 'n', 'g']);

/**
 * Throws for a word that starts with one '-' and is no option: yargs reads `-hidden*.py` as the
 * flags -h, -i, -d..., and its -h printed the help and exited 0 (a gate given `--ignore -hidden*.py`
 * checked nothing); `-*` was "Unknown argument: *". A value that starts with '-' goes after '='.
 * '-' (stdin), negative numbers, a one-letter flag and one with its value joined (`-n5`, `-o=x`) pass.
 */
export function checkDashWords(words: readonly string[]): void {
  // yargs answers --version anywhere and exits 0: a gate given it among its checks checked nothing.
  if (words.length > 2 && words.includes('--version')) {
    throw new UsageError(
      `--version goes alone (arenascope --version): given with ${words[0]}'s inputs or options, nothing would run`,
    );
  }
  words.forEach((w, i) => {
    if (w === '-' || !/^-[^-]/.test(w) || NEGATIVE.test(w)) return;
    if (SHORT_FLAGS.has(w[1]!) && (w.length === 2 || (w[1] !== 'h' && !/[A-Za-z]/.test(w[2]!)))) return;
    const before = words[i - 1];
    const hint =
      before?.startsWith('--') && !before.includes('=') && before.length > 2
        ? `; a value that starts with '-' is written ${before}=${w}`
        : "; a value that starts with '-' is written after '=' (--option=-value), an input after `--`";
    throw new UsageError(`${w} is not an option${hint}`);
  });
}

/** The text given to a flag on the command line (`-n abc`, `--limit=abc`), for the message. */
function typedValue(args: readonly string[], keys: readonly string[]): { flag: string; text: string } | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const k of keys) {
      const flag = flagName(k);
      if (a === flag && i + 1 < args.length) return { flag, text: args[i + 1]! };
      if (a.startsWith(`${flag}=`)) return { flag, text: a.slice(flag.length + 1) };
    }
  }
  return null;
}

const isNaNValue = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isNaN(v)) || (Array.isArray(v) && v.some((x) => Number.isNaN(x)));

/**
 * Throws "-n expects a whole number, got abc" when a number option's value is not a number: yargs
 * parses it to NaN, which a command would otherwise print as "got NaN" or use.
 */
/** Options whose value is a ratio from 0 to 1, which a user may type as a percentage. */
const RATIO_OPTIONS = new Set(['max-fragmentation', 'min-leak-confidence']);

export function checkNumbers(argv: Record<string, unknown>, args: readonly string[]): void {
  // A count written otherwise than in digits (1e3, 0x10: yargs reads them as 1000 and 16) is said as typed.
  for (let i = 0; i < args.length; i++) {
    const m = /^(--?[a-z][a-z-]*)(?:=(.*))?$/s.exec(args[i]!);
    if (!m) continue;
    const key = m[1]!.replace(/^-+/, '');
    if (!(key in argv)) continue;
    const text = m[2] ?? args[i + 1];
    if (text === undefined) continue;
    if (WHOLE_NUMBER_OPTIONS.has(key) && /^[+-]?(?:(?:\d*\.\d+|\d+\.?)e[+-]?\d+|0[xob][\da-f]+)$/i.test(text)) {
      throw new UsageError(`${m[1]} expects a whole number in digits, got ${text}`);
    }
    // Any other number in hexadecimal, octal or binary (yargs reads --warmup 0x10 as 16 seconds).
    if (typeof argv[key] === 'number' && /^[+-]?0[xob][\da-f]+$/i.test(text)) {
      throw new UsageError(`${m[1]} expects a number in decimal digits, got ${text}`);
    }
  }
  const bad = Object.keys(argv).filter((k) => k !== '_' && !/[A-Z]/.test(k) && isNaNValue(argv[k]));
  if (!bad.length) return;
  const typed = typedValue(args, bad);
  const key = typed ? typed.flag.replace(/^-+/, '') : bad[0]!;
  const whole = bad.some((k) => WHOLE_NUMBER_OPTIONS.has(k));
  // A ratio typed as a percentage, as the messages print it (`--max-fragmentation 50%`): its number said.
  const pct = typed && RATIO_OPTIONS.has(key) ? /^(\d+(?:\.\d+)?)%$/.exec(typed.text) : null;
  throw new UsageError(
    `${typed?.flag ?? flagName(key)} expects ${whole ? 'a whole number' : 'a number'}, got ${typed?.text ?? 'NaN'}` +
      (pct ? ` (a ratio from 0 to 1: ${Number(pct[1]) / 100} for ${pct[0]})` : ''),
  );
}

/** A count option's value, checked: "-n expects a whole number, got 1.5". */
export function wholeNumber(v: number | undefined, flag: string, min = 0): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) {
    throw new UsageError(`${flag} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got ${v}`);
  }
  return v;
}

// String options whose empty value means something (`report --json`: print JSON) or gets a message
// of its own (an output's empty file name, cli/output.ts; `leaks --limit`, a count or an old size).
const OWN_EMPTY: ReadonlySet<string> = new Set([
  'json',
  'output',
  'o',
  'json-out',
  'junit',
  'markdown',
  'title',
  'limit',
]);

/** Options as yargs declared them for the command parsed (its own getOptions(), missing from its types). */
export interface DeclaredOptions {
  readonly array: readonly string[];
  readonly number: readonly string[];
  readonly string: readonly string[];
  readonly boolean: readonly string[];
  /** Options of a few values each (`--order name|mtime|given`), typed or not. */
  readonly choices?: Readonly<Record<string, readonly unknown[]>>;
  readonly alias: Readonly<Record<string, readonly string[]>>;
}

/**
 * Throws when an option that takes one value was given several (yargs makes a list of them, which a
 * command reading one value crashed on: `--python 3.8 --python 3.11`), or a number option was given
 * an empty value (yargs reads `-n ''` as 0).
 */
export function checkValues(argv: Record<string, unknown>, args: readonly string[], declared: DeclaredOptions): void {
  for (const [k, v] of Object.entries(argv)) {
    if (k === '_' || k === '--' || /[A-Z]/.test(k) || declared.array.includes(k) || !Array.isArray(v)) continue;
    if (v.every((x) => typeof x === 'boolean')) continue; // a flag twice is the flag
    throw new UsageError(`${flagName(k)} is given ${v.length} times (${v.join(', ')}): it takes one value`);
  }
  const flagsOf = (keys: readonly string[]): string[] =>
    keys.flatMap((k) => [k, ...(declared.alias[k] ?? [])]).map(flagName);
  const numbers = flagsOf(declared.number);
  // Options that take a value (a number, a word, a list, a choice), and those that take one only.
  const takes = [
    ...declared.number,
    ...declared.string,
    ...declared.array,
    ...Object.keys(declared.choices ?? {}),
  ].filter((k) => !declared.boolean.includes(k) && !OWN_EMPTY.has(k));
  // A bare flag is no value for any of them but `report --json` (print JSON): `-o` last took the
  // default file, silently.
  const valued = flagsOf(
    [...declared.number, ...declared.string, ...declared.array, ...Object.keys(declared.choices ?? {})].filter(
      (k) => !declared.boolean.includes(k) && k !== 'json',
    ),
  );
  // A flag whose value is missing: the last word, or another flag after it (`--max-leaks $N` with N
  // unset). yargs leaves a number undefined, a string '' and a list empty, and the check it asks
  // for was dropped (`--include` last: every trace kept). '-' is a value (stdout, stdin).
  const isValue = (w: string): boolean => w === '-' || !w.startsWith('-') || /^-\.?\d/.test(w);
  const missing = (i: number): boolean => args[i + 1] === undefined || !isValue(args[i + 1]!);
  const end = args.includes('--') ? args.indexOf('--') : args.length; // the rest are a program's words
  for (let i = 0; i < end; i++) {
    const a = args[i]!;
    const empty = numbers.find((f) => (a === f && args[i + 1] === '') || a === `${f}=`);
    if (empty) throw new UsageError(`${empty} expects a number, got ''`);
    if (numbers.includes(a) && missing(i)) throw new UsageError(`${a} expects a number, and none follows it`);
    if (valued.includes(a) && missing(i)) throw new UsageError(`${a} expects a value, and none follows it`);
    // `--include=` (an unset variable after the sign): yargs makes it an empty list, every trace kept.
    const bare = flagsOf(takes).find((f) => a === `${f}=`);
    if (bare) throw new UsageError(`${bare} expects a value, got ''`);
    // `--no-baseline`: an option that takes a value, turned off, was an internal error.
    const negated = /^--no-(.+)$/.exec(a);
    if (negated && valued.includes(`--${negated[1]}`)) {
      throw new UsageError(`${a}: --${negated[1]} takes a value; there is nothing to turn off (leave it out)`);
    }
  }
  // An option that takes one value, given twice (`--max-leaks 0 --max-leaks 1`: the last won, silently).
  for (const k of takes.filter((k) => !declared.array.includes(k))) {
    const flags = flagsOf([k]);
    const given = args.slice(0, end).filter((w) => flags.some((f) => w === f || w.startsWith(`${f}=`)));
    if (given.length > 1) throw new UsageError(`${flagName(k)} is given ${given.length} times: it takes one value`);
  }
  for (const k of declared.string) {
    const v = argv[k];
    if (OWN_EMPTY.has(k)) continue;
    if (v === '' || (Array.isArray(v) && v.includes(''))) {
      // Flags only: an empty input (a positional) is a file that cannot be read, said so by its reader.
      const typed = flagsOf([k]).find((f) => args.some((a) => a === f || a.startsWith(`${f}=`)));
      if (typed === undefined) continue;
      throw new UsageError(`${typed} expects a value, and none was given (an empty word: an unset variable?)`);
    }
  }
}
