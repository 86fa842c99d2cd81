// The files a command writes (a page, JSON, Markdown, JUnit XML, a baseline, a conversion): '-'
// names stdout, and a file that cannot be written is an error naming it (exit 2), not a crash.

import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ciCommandStream, jsonWithoutCiCommands, withoutCiCommands } from '../util/ci-commands.js';
import { UsageError } from '../util/errors.js';
import { encodeText } from '../util/text.js';
import type { CommandArgs } from './command.js';
import type { Io } from './io.js';
import { STDIN_ARG } from './words.js';

/** Whether an output option names stdout ('-', which runCli carries as STDIN_ARG). */
export const isStdout = (path: string | undefined): boolean => path === '-' || path === STDIN_ARG;

/** The files among outputs (not stdout), as "wrote ..." names them: absolute. */
export const filesAmong = (paths: readonly string[]): string[] =>
  paths.filter((p) => !isStdout(p)).map((p) => resolve(p));

/**
 * Checks a command's outputs (option -> path) before anything is read: '-' for one of them at most,
 * and for none when stdout already holds what the command prints (`holder`, e.g. 'the report
 * (--format text)'); no empty name; no file two of them name, and none that is an input or a capture
 * in an input folder (each would be written over): files are told apart as the system does, so a
 * link or another spelling of one is that file. Says whether one is stdout.
 */
export async function claimOutputs(
  outputs: Readonly<Record<string, string | undefined>>,
  opts: { readonly inputs?: readonly string[]; readonly holder?: string } = {},
): Promise<boolean> {
  const given = Object.entries(outputs).filter((e): e is [string, string] => e[1] !== undefined);
  const empty = given.find(([, path]) => path === '');
  if (empty) throw new UsageError(`${empty[0]} '': an empty file name; name a file, or '-' for stdout`);
  const named = given.filter(([, path]) => isStdout(path));
  if (named.length > 1) {
    throw new UsageError(`${named.map(([o]) => `${o} -`).join(' and ')}: stdout can hold one of them; name files`);
  }
  if (named.length && opts.holder) throw new UsageError(`${named[0]![0]} -: stdout holds ${opts.holder}; name a file`);
  const files = given.filter(([, path]) => !isStdout(path)).map(([o, path]) => [o, path, fileId(path)] as const);
  const inputs = (opts.inputs ?? []).filter((input) => !isStdout(input));
  const held = files.some(([, , id]) => !id.startsWith('new:')) ? await heldFiles(inputs) : new Map();
  const stdout = stdoutId();
  for (const [i, [o, path, id]] of files.entries()) {
    if (id === stdout) {
      const instead = opts.holder ? `stdout holds ${opts.holder}; name a file` : `write ${o} - for stdout`;
      throw new UsageError(`${o} ${path}: it is where stdout goes, which says what was written; ${instead}`);
    }
    const twice = files.find(([, , other], j) => j > i && other === id);
    if (twice) throw new UsageError(`${o} and ${twice[0]} both name ${path}: each would write over the other`);
    if (inputs.some((input) => fileId(input) === id)) {
      throw new UsageError(`${o} ${path}: it is one of the inputs; name another file to write`);
    }
    const holder = held.get(id);
    if (holder !== undefined && (await isCapture(path))) {
      const where = holder.glob ? `matched by the input ${holder.input}` : `in the input folder ${holder.input}`;
      throw new UsageError(`${o} ${path}: it is a capture ${where}; name another file to write`);
    }
  }
  return named.length === 1;
}

// Folders are looked into this deep (a run folder's snapshots/ is one level down), and no further
// than this many entries in all (a check before reading, not a second reading).
const HELD_DEPTH = 2;
const HELD_MAX = 100_000;

/**
 * The files the inputs hold, by fileId: a folder's (and its subfolders', HELD_DEPTH deep) and a
 * glob's matches, each with the input that holds it. An output that is one of them (another spelling,
 * a symbolic or a hard link) and a capture would be written over.
 */
async function heldFiles(inputs: readonly string[]): Promise<Map<string, { input: string; glob: boolean }>> {
  const held = new Map<string, { input: string; glob: boolean }>();
  let seen = 0;
  const walk = (dir: string, input: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // reading it says what is wrong
    }
    for (const name of names) {
      if (++seen > HELD_MAX) return;
      const p = join(dir, name);
      try {
        const st = statSync(p);
        if (st.isFile()) held.set(`${st.dev}:${st.ino}`, { input, glob: false });
        else if (st.isDirectory() && depth < HELD_DEPTH) walk(p, input, depth + 1);
      } catch {
        // a link to nothing holds nothing
      }
    }
  };
  for (const input of inputs) {
    let st: ReturnType<typeof statSync> | null = null;
    try {
      st = statSync(input);
    } catch {
      st = null;
    }
    if (st?.isDirectory()) walk(input, input, 1);
    else if (!st) {
      const { GLOB, glob } = await import('../ingest/resolve-inputs.js');
      if (!GLOB.test(input)) continue;
      for (const m of glob(input)) {
        const id = fileId(m);
        if (!id.startsWith('new:')) held.set(id, { input, glob: true });
      }
    }
  }
  return held;
}

// A file as the system tells files apart (its device and inode: a link, or another spelling of its
// path, is the same file); a path with no file yet, as its absolute path.
function fileId(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return `new:${resolve(path)}`;
  }
}

// The file or pipe stdout goes to, as fileId tells files (/dev/stdout, /proc/self/fd/1, or the file of
// `> out.html`, named as an output, had "wrote ..." written into the page); null for a terminal or
// another device (/dev/null), where both may go.
function stdoutId(): string | null {
  try {
    const st = fstatSync(1);
    return st.isCharacterDevice() ? null : `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** GitHub's step summary holds what every step of a job wrote to it: added to, as its docs say (>>). */
function stepSummary(path: string): boolean {
  const summary = process.env.GITHUB_STEP_SUMMARY;
  return !!summary && sameFile(path, summary);
}

/**
 * Opens an output: written over, or added to when it is the step summary, after a blank line when it
 * holds text already (another step's last line and the gate's table read as one paragraph).
 */
function openForOutput(path: string): number {
  if (!stepSummary(path)) return openSync(path, 'w');
  const fd = openSync(path, 'a+');
  const size = fstatSync(fd).size;
  if (size > 0) {
    const tail = Buffer.alloc(Math.min(2, size));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const text = tail.toString('latin1');
    const gap = text.endsWith('\n\n') || (size === 1 && text === '\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    if (gap) writeSync(fd, gap);
  }
  return fd;
}

/** Whether two paths name one file (a link, or another spelling of it, is that file). */
export const sameFile = (a: string, b: string): boolean => fileId(a) === fileId(b);

async function isCapture(path: string): Promise<boolean> {
  try {
    return (await import('../ingest/importers.js')).sniffFile(path) !== null;
  } catch {
    return false;
  }
}

/** Whether an output's text is JSON (its CI commands are written otherwise, losslessly) or any other. */
export type OutputKind = 'json' | 'text';

/**
 * How text goes to stdout, which a CI runner may read for its commands (see util/ci-commands.ts):
 * marked, JSON rewritten losslessly; kept exactly when stdout is a regular file (`> out.csv`), as in
 * a file named with -o (a CSV printed to a file held other names than `convert -o` wrote).
 */
export function forStdout(io: Io, text: string, kind: OutputKind): string {
  if (io.outIsFile) return text;
  return kind === 'json' ? jsonWithoutCiCommands(text) : withoutCiCommands(text);
}

/**
 * Writes an output whole: to stdout for '-'. Given in parts, its text and bytes to write as they are
 * (the HTML page's vega runtime), one after the other.
 */
export function writeOutput(
  a: CommandArgs,
  path: string,
  text: string | readonly (string | Uint8Array)[],
  kind: OutputKind,
): void {
  if (isStdout(path)) {
    const whole = typeof text === 'string' ? text : text.map((p) => (typeof p === 'string' ? p : decode(p))).join('');
    a.io.out(forStdout(a.io, whole, kind));
    return;
  }
  // As on stdout: a name's bytes that are not UTF-8 written as they were (they were U+FFFD in files).
  const parts = (typeof text === 'string' ? [text] : text).map((p) => (typeof p === 'string' ? encodeText(p) : p));
  let fd: number | undefined;
  try {
    fd = openForOutput(path);
    for (const p of parts) writeFileSync(fd, p);
    const done = fd;
    fd = undefined;
    closeSync(done);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    throw cannotWrite(path, e);
  }
}

const decode = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** An output written piece by piece (a conversion of millions of groups is never one string). */
export interface OutputStream {
  write(text: string): void;
  close(): void;
}

export function openOutput(a: CommandArgs, path: string, kind: OutputKind): OutputStream {
  if (isStdout(path))
    return ciCommandStream(
      (text) => a.io.out(text),
      (text) => forStdout(a.io, text, kind),
    );
  let fd: number;
  try {
    fd = openForOutput(path);
  } catch (e) {
    throw cannotWrite(path, e);
  }
  return {
    write(text) {
      try {
        const bytes = encodeText(text);
        if (typeof bytes === 'string') writeSync(fd, bytes);
        else writeSync(fd, bytes);
      } catch (e) {
        closeSync(fd);
        throw cannotWrite(path, e);
      }
    },
    close: () => closeSync(fd),
  };
}

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
};

function cannotWrite(path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException)?.code;
  return new UsageError(`${path}: cannot write it: ${(code && WHY[code]) ?? code ?? String(e)}`);
}
