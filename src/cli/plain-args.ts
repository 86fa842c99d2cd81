// The plain command lines, parsed without yargs (issue 14): loading yargs and its first parse cost
// ~35 ms, a sixth of `stats` on a 1M-block dump. A command's options are still declared once, in
// its yargs builder, which runs here against a recorder; a command line of the plainest shapes
// (the command first, known long or one-letter options with their values, string lists,
// positionals) becomes the argv yargs would give, and anything else (help, a typo, a value that
// looks like an option, `--`, a repeated option, a number or choice yargs would judge) returns
// null so that yargs parses it, with its checks and messages. test/cli/plain-args.test.ts compares the two
// on every command's options.

import type { CommandModule } from 'yargs';
import { unmarked } from './words.js';

type Scalar = string | number | boolean;

export interface OptionSpec {
  readonly key: string;
  readonly aliases: readonly string[];
  readonly type: 'string' | 'number' | 'boolean' | undefined;
  readonly array: boolean;
  /** An array taking one value each time it is given (yargs' nargs 1), not every word up to the next option. */
  readonly repeat: boolean;
  readonly default: unknown;
  readonly choices: readonly unknown[] | undefined;
  readonly required: boolean;
}

export interface PositionalSpec {
  readonly key: string;
  readonly required: boolean;
  readonly variadic: boolean;
}

interface YargsOption {
  alias?: string | readonly string[];
  type?: string;
  array?: boolean;
  default?: unknown;
  choices?: readonly unknown[];
  demandOption?: unknown;
  coerce?: unknown;
  nargs?: unknown;
  count?: unknown;
  normalize?: unknown;
  implies?: unknown;
  conflicts?: unknown;
}

/** Collects what a builder declares; a call it does not know (or an option feature) throws. */
export class Recorder {
  readonly options: OptionSpec[] = [];
  readonly types = new Map<string, string | undefined>();

  option(key: string, o: YargsOption): this {
    const unsupported = ['coerce', 'count', 'normalize', 'implies', 'conflicts'] as const;
    if (unsupported.some((k) => o[k] !== undefined)) throw new Error(`option ${key}: not plain`);
    if (o.nargs !== undefined && !(o.nargs === 1 && o.array === true)) throw new Error(`option ${key}: nargs`);
    const type = o.type;
    if (type !== undefined && type !== 'string' && type !== 'number' && type !== 'boolean') {
      throw new Error(`option ${key}: type ${type}`);
    }
    const aliases = o.alias === undefined ? [] : typeof o.alias === 'string' ? [o.alias] : [...o.alias];
    const required = o.demandOption !== undefined && o.demandOption !== false;
    this.options.push({
      key,
      aliases,
      type,
      array: o.array === true,
      repeat: o.nargs === 1,
      default: o.default,
      choices: o.choices,
      required,
    });
    return this;
  }

  positional(key: string, o: YargsOption): this {
    if (o.coerce !== undefined || o.choices !== undefined || o.default !== undefined) throw new Error('not plain');
    this.types.set(key, o.type);
    return this;
  }

  example(): this {
    return this;
  }

  usage(): this {
    return this;
  }

  epilogue(): this {
    return this;
  }
}

/** yargs' camelCase alias of a dashed key ('allow-partial' -> 'allowPartial'). */
const camel = (key: string): string => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// What yargs-parser reads as a number, which a positional becomes (parse-positional-numbers).
const NUMBERLIKE = /^(?:0x[0-9a-f]+|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)$/i;
const PLAIN_NUMBER = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?$/;

function positionalsOf(command: string): PositionalSpec[] | null {
  const specs: PositionalSpec[] = [];
  for (const word of command.split(' ').slice(1)) {
    const m = /^([<[])([a-z][a-z0-9]*)(\.\.)?[>\]]$/.exec(word);
    if (!m) return null;
    specs.push({ key: m[2]!, required: m[1] === '<', variadic: m[3] !== undefined });
  }
  return specs;
}

/** Sets a key, its aliases and their camelCase forms, as yargs does. */
function assign(argv: Record<string, unknown>, names: readonly string[], value: unknown): void {
  for (const n of names) {
    argv[n] = value;
    if (n.includes('-')) argv[camel(n)] = value;
  }
}

/** What a command declares, when all of it is plain: its options and positionals (tests list them). */
export function declaredOptions(
  module: CommandModule,
): { recorder: Recorder; positionals: readonly PositionalSpec[] } | null {
  const positionals = typeof module.builder === 'function' ? positionalsOf(String(module.command)) : null;
  if (!positionals) return null;
  const recorder = new Recorder();
  try {
    (module.builder as unknown as (y: Recorder) => unknown)(recorder);
  } catch {
    return null;
  }
  return { recorder, positionals };
}

/**
 * The argv yargs would give `module`'s handler for `args` (the command's name first), or null when
 * the line is not of the plain shapes. `context` is merged in as yargs merges its parse context.
 */
export function plainArgs(
  module: CommandModule,
  args: readonly string[],
  context: Readonly<Record<string, unknown>>,
): Record<string, unknown> | null {
  const name = String(module.command).split(' ')[0]!;
  const declared = args[0] === name ? declaredOptions(module) : null;
  if (!declared) return null;
  const { recorder, positionals } = declared;
  const byFlag = new Map<string, OptionSpec>();
  for (const o of recorder.options) {
    for (const n of [o.key, ...o.aliases]) {
      if (n.startsWith('no-') || n === 'help' || n === 'version' || n === 'h' || byFlag.has(n)) return null;
      byFlag.set(n, o);
    }
  }
  const given = new Map<OptionSpec, Scalar | string[]>();
  const words: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-') return null; // yargs reads it as an empty option (runCli passes stdin as STDIN_ARG)
    if (!arg.startsWith('-')) {
      if (NUMBERLIKE.test(arg) || arg === 'help') return null;
      words.push(arg);
      continue;
    }
    // --name, --name=value, --no-name (a boolean), -x (a one-letter alias): nothing else.
    const long = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    const short = /^-([a-zA-Z])$/.exec(arg);
    if (!long && !short) return null;
    let flag = long ? long[1]! : short![1]!;
    let inline = long ? long[2] : undefined;
    let spec = byFlag.get(flag);
    if (!spec && long && flag.startsWith('no-') && inline === undefined) {
      flag = flag.slice(3);
      spec = byFlag.get(flag);
      if (spec?.type !== 'boolean') return null;
      inline = 'false';
    } else if (spec?.type === 'boolean' && inline !== undefined) return null;
    if (!spec || (short && flag.length !== 1)) return null;
    if (spec.repeat) {
      // `--include a`: one value each time, repeatable (nargs 1).
      const v = inline ?? args[i + 1];
      if (spec.type !== 'string' || spec.choices || v === undefined || (inline === undefined && v.startsWith('-'))) {
        return null;
      }
      if (v === '' || /^\s|\s$/.test(v) || NUMBERLIKE.test(v)) return null;
      if (inline === undefined) i++;
      const before = given.get(spec);
      given.set(spec, [...(Array.isArray(before) ? before : []), v]);
      continue;
    }
    if (given.has(spec)) return null;
    if (spec.array) {
      // `--opt a b`: yargs takes every word up to the next option (so a positional after it too).
      if (spec.type !== 'string' || inline !== undefined || spec.choices) return null;
      const values: string[] = [];
      while (i + 1 < args.length && !args[i + 1]!.startsWith('-')) values.push(args[++i]!);
      if (values.length === 0 || values.some((v) => v === '' || /^\s|\s$/.test(v) || NUMBERLIKE.test(v))) {
        return null;
      }
      given.set(spec, values);
      continue;
    }
    if (spec.type === 'boolean') {
      const next = args[i + 1];
      if (next === 'true' || next === 'false') return null; // yargs reads it as the flag's value
      given.set(spec, inline !== 'false');
      continue;
    }
    let text = inline;
    if (text === undefined) {
      text = args[++i];
      if (text === undefined || text.startsWith('-')) return null;
    }
    if (text === '' || /^\s|\s$/.test(text)) return null;
    let value: Scalar;
    if (spec.type === 'number') {
      if (!PLAIN_NUMBER.test(text)) return null;
      value = Number(text);
    } else if (spec.type === 'string') value = text;
    else if (NUMBERLIKE.test(text)) return null;
    else value = text;
    if (spec.choices && !spec.choices.includes(value)) return null;
    given.set(spec, value);
  }

  const argv: Record<string, unknown> = { _: [name] };
  // Positionals, in order: required ones first take a word each, a variadic one takes the rest.
  let w = 0;
  for (const p of positionals) {
    if (p.variadic) {
      if (p.required && w >= words.length) return null;
      const rest = words.slice(w);
      w = words.length;
      if (rest.length > 0 || p.required) assign(argv, [p.key], rest);
    } else {
      if (w >= words.length) {
        if (p.required) return null;
        continue;
      }
      assign(argv, [p.key], words[w++]);
    }
    if (recorder.types.get(p.key) !== 'string' && recorder.types.get(p.key) !== undefined) return null;
  }
  if (w < words.length) return null; // more words than positionals: yargs' strict mode says so
  for (const o of recorder.options) {
    if (o.required && !given.has(o)) return null; // yargs says it is missing
    const value = given.has(o) ? given.get(o) : o.default;
    if (value !== undefined) assign(argv, [o.key, ...o.aliases], value);
  }
  argv.$0 = 'arenascope';
  unmarked(argv); // as runCli's middleware gives yargs' argv
  return Object.assign(argv, context);
}
