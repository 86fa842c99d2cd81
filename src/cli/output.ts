// The files a command writes (a page, JSON, Markdown, JUnit XML, a baseline, a conversion): '-'
// names stdout, and a file that cannot be written is an error naming it (exit 2), not a crash.

import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { type CommandArgs, STDIN_ARG } from './command.js';

/** Whether an output option names stdout ('-', which runCli carries as STDIN_ARG). */
export const isStdout = (path: string | undefined): boolean => path === '-' || path === STDIN_ARG;

/** The files among outputs (not stdout), as "wrote ..." names them: absolute. */
export const filesAmong = (paths: readonly string[]): string[] =>
  paths.filter((p) => !isStdout(p)).map((p) => resolve(p));

/**
 * Refuses '-' for more than one output, or for an output when stdout already holds what the
 * command prints (`holder`, e.g. 'the report (--format text)'); else says whether one is stdout.
 */
export function claimStdout(outputs: Readonly<Record<string, string | undefined>>, holder?: string): boolean {
  const named = Object.entries(outputs).filter(([, path]) => isStdout(path));
  if (named.length > 1) {
    throw new UsageError(`${named.map(([o]) => `${o} -`).join(' and ')}: stdout can hold one of them; name files`);
  }
  if (named.length && holder) throw new UsageError(`${named[0]![0]} -: stdout holds ${holder}; name a file`);
  return named.length === 1;
}

/** Writes an output whole: to stdout for '-'. */
export function writeOutput(a: CommandArgs, path: string, text: string): void {
  if (isStdout(path)) {
    a.io.out(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw cannotWrite(path, e);
  }
}

/** An output written piece by piece (a conversion of millions of groups is never one string). */
export interface OutputStream {
  write(text: string): void;
  close(): void;
}

export function openOutput(a: CommandArgs, path: string): OutputStream {
  if (isStdout(path)) return { write: (text) => a.io.out(text), close() {} };
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw cannotWrite(path, e);
  }
  return {
    write(text) {
      try {
        writeSync(fd, text);
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
