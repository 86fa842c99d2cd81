// What `arenascope run -- <command...>` runs: the command resolved to a Python interpreter, its own
// options, and the program (a script, a module or code) with its arguments (issue 15's contract).
// A console script (pytest, venv/bin/foo, a pyenv shim's target) is run by the Python its shebang names.

import { execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';

/** The program the bootstrap runs in place of the interpreter's own startup. */
export type Target =
  | { readonly kind: 'script'; readonly file: string }
  | { readonly kind: 'module'; readonly name: string }
  | { readonly kind: 'code'; readonly code: string };

export interface ResolvedCommand {
  /** The interpreter as it is started (a path found on PATH, or as given). */
  readonly interpreter: string;
  /** Options of the interpreter itself (`-u`, `-X dev`, `-W error`), before the program. */
  readonly interpreterOptions: readonly string[];
  readonly target: Target;
  /** The program's own arguments. */
  readonly args: readonly string[];
}

export interface ResolveEnv {
  readonly cwd: string;
  /** PATH as the program would search it. */
  readonly path: string;
}

/** python, python3, python3.11: what the command's first word may be named to be an interpreter. */
const PYTHON_NAME = /^python(?:\d+(?:\.\d+)?)?$/;
// Options of CPython's command line that take a value (`-W arg`, `-Xdev`); -c and -m end the options.
const WITH_VALUE = new Set(['W', 'X']);
const LONG_WITH_VALUE = new Set(['--check-hash-based-pycs']);
// Options that make the interpreter ignore PYTHONPATH, through which the bootstrap is found.
const IGNORES_PYTHONPATH = new Set(['E', 'I']);
/** The most of a console script's start read for its shebang (Linux reads 256 bytes of it). */
const HEAD_BYTES = 4096;

const isExecutableFile = (file: string): boolean => {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where a command word is: a path (it has a slash) from cwd, else the first executable on PATH. */
function locate(word: string, env: ResolveEnv): string | null {
  if (word.includes('/')) {
    const file = isAbsolute(word) ? word : resolve(env.cwd, word);
    return isExecutableFile(file) ? file : null;
  }
  for (const dir of env.path.split(delimiter)) {
    // An empty PATH entry is the current directory, as execvp reads it.
    const file = join(dir === '' ? env.cwd : resolve(env.cwd, dir), word);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

/**
 * An interpreter's arguments split into its options and the program: `-m name`, `-c code`, a script,
 * or `--` then a script. Short options may be joined (`-uXdev`, `-Bc code`), as CPython reads them.
 */
function splitInterpreterArgs(command: string, rest: readonly string[]): Omit<ResolvedCommand, 'interpreter'> {
  const options: string[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-') throw new UsageError(`${command} -: a program read from stdin cannot be captured; name a script`);
    if (!a.startsWith('-')) break;
    if (a.startsWith('--')) {
      const name = a.split('=')[0]!;
      if (name === '--help' || name === '--version' || name === '--help-env' || name === '--help-xoptions') {
        throw new UsageError(`${command} ${a} runs no program; arenascope run needs a script, -m module or -c code`);
      }
      options.push(a);
      if (LONG_WITH_VALUE.has(a) && i + 1 < rest.length) options.push(rest[++i]!);
      continue;
    }
    // A cluster of short options: the first taking a value takes the rest of the cluster, or the next word.
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (c === 'c' || c === 'm') {
        if (j > 1) options.push(a.slice(0, j));
        const value = j + 1 < a.length ? a.slice(j + 1) : rest[++i];
        if (value === undefined) throw new UsageError(`${command} -${c}: expected ${c === 'c' ? 'code' : 'a module'}`);
        const target: Target = c === 'c' ? { kind: 'code', code: value } : { kind: 'module', name: value };
        return { interpreterOptions: checked(command, options), target, args: rest.slice(i + 1) };
      }
      if (WITH_VALUE.has(c)) {
        if (j + 1 === a.length) {
          if (i + 1 >= rest.length) throw new UsageError(`${command} -${c}: expected a value`);
          options.push(a, rest[++i]!);
        } else options.push(a);
        break;
      }
      if (j + 1 === a.length) options.push(a);
    }
  }
  const script = rest[i];
  if (script === undefined) {
    throw new UsageError(`${command}: no program to run; expected a script, -m module or -c code after it`);
  }
  if (script === '-') throw new UsageError(`${command} -: a program read from stdin cannot be captured; name a script`);
  return {
    interpreterOptions: checked(command, options),
    target: { kind: 'script', file: script },
    args: rest.slice(i + 1),
  };
}

function checked(command: string, options: readonly string[]): readonly string[] {
  for (const o of options) {
    // The flags of a short cluster end where one taking a value starts (`-uWignore` is -u and -W ignore).
    const flags = /^-[^-]/.test(o) ? o.slice(1).split(/[WX]/)[0]! : '';
    if ([...flags].some((c) => IGNORES_PYTHONPATH.has(c))) {
      throw new UsageError(
        `${command} ${o}: -E and -I make Python ignore PYTHONPATH, through which arenascope run loads its capture; ` +
          'run without them',
      );
    }
  }
  return options;
}

/** The first line of a file (up to HEAD_BYTES), and the second: a shebang and pip's long-path trick. */
function head(file: string): string[] {
  const buf = Buffer.alloc(HEAD_BYTES);
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString('utf8').split('\n').slice(0, 2);
  } finally {
    closeSync(fd);
  }
}

/**
 * The interpreter and its options a console script's start names: `#!/path/python3 [-s]`,
 * `#!/usr/bin/env [-S] python3 [opts]`, or pip's `#!/bin/sh` + `'''exec' /long/path/python "$0" "$@"`
 * (written when the interpreter's path is too long for a shebang). Null when it names no Python.
 */
function shebangPython(file: string, env: ResolveEnv): { interpreter: string; options: string[] } | null {
  const [first = '', second = ''] = head(file);
  if (!first.startsWith('#!')) return null;
  const words = first.slice(2).trim().split(/\s+/).filter(Boolean);
  // Linux passes everything after the interpreter as one argument; CPython's options are short words.
  let [program, ...rest] = words;
  if (program === undefined) return null;
  if (basename(program) === 'env') {
    if (rest[0] === '-S') rest = rest.slice(1);
    const name = rest.shift();
    if (name === undefined || !PYTHON_NAME.test(basename(name))) return null;
    const found = locate(name, env);
    if (found === null) throw new UsageError(`${file}: its shebang names ${name}, which is not on PATH`);
    return { interpreter: found, options: rest };
  }
  if (basename(program) === 'sh') {
    const exec = /^'''exec' (\S+) "\$0" "\$@"/.exec(second);
    if (exec && PYTHON_NAME.test(basename(exec[1]!))) return { interpreter: exec[1]!, options: [] };
    return null;
  }
  return PYTHON_NAME.test(basename(program)) ? { interpreter: program, options: rest } : null;
}

/**
 * The script a pyenv shim stands for (`pyenv which NAME`, in the program's directory, as the shim
 * itself decides), or null when the file is not a shim: a shim is a bash script naming no Python.
 */
function pyenvTarget(file: string, env: ResolveEnv): string | null {
  const [first = ''] = head(file);
  if (!first.startsWith('#!') || !/\bbash\b/.test(first)) return null;
  const pyenv = /^exec "([^"\n]*\/pyenv)" exec "\$program"/m.exec(readFileSync(file, 'utf8').slice(0, HEAD_BYTES));
  if (!pyenv) return null;
  try {
    // Bounded: a run must never hang on pyenv (a plugin's hook that waits, a lock on a network home).
    const out = execFileSync(pyenv[1]!, ['which', basename(file)], {
      cwd: env.cwd,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 30_000,
    });
    return out.trim() || null;
  } catch (e) {
    const name = basename(file);
    if ((e as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
      throw new UsageError(`${name}: a pyenv shim, and \`pyenv which ${name}\` did not answer in 30 s`);
    }
    const why = ((e as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new UsageError(`${name}: a pyenv shim, and pyenv finds no such command: ${why}`);
  }
}

/** The command resolved as the contract says; a usage error names the command and what was expected. */
export function resolveCommand(command: readonly string[], env: ResolveEnv): ResolvedCommand {
  const [word, ...rest] = command;
  if (word === undefined || word === '') {
    throw new UsageError('run: no command; expected `arenascope run [options] -- python3 app.py ...`');
  }
  const found = locate(word, env);
  if (PYTHON_NAME.test(basename(word))) {
    if (found === null) throw new UsageError(`${word}: not found${word.includes('/') ? '' : ' on PATH'}`);
    return { interpreter: found, ...splitInterpreterArgs(word, rest) };
  }
  if (found === null) {
    throw new UsageError(
      `${word}: not found${word.includes('/') ? '' : ' on PATH'}; expected a Python (python3 ...) or a console script`,
    );
  }
  const script = pyenvTarget(found, env) ?? found;
  const python = shebangPython(script, env);
  if (python === null) {
    throw new UsageError(
      `${word}: not a Python program (${found} does not start with a shebang naming python); ` +
        'expected python3 app.py, python3 -m module, or a console script such as pytest',
    );
  }
  if (!isExecutableFile(python.interpreter)) {
    throw new UsageError(`${word}: its shebang names ${python.interpreter}, which is not an executable file`);
  }
  return {
    interpreter: python.interpreter,
    interpreterOptions: checked(word, python.options),
    target: { kind: 'script', file: script },
    args: rest,
  };
}

/** The bootstrap's arguments for the program: `--script FILE`, `--module NAME` or `--code CODE`. */
export function targetArgs(target: Target): string[] {
  switch (target.kind) {
    case 'script':
      return ['--script', target.file];
    case 'module':
      return ['--module', target.name];
    case 'code':
      return ['--code', target.code];
  }
}
