// The project's errors. Each carries the exit code the command line ends with: a mistake in the
// input or the command line exits 2 with its message alone; any other exception is a bug (3).

/** Exit codes of the command line, documented in --help and the README. */
export const EXIT = { ok: 0, gateFailed: 1, usage: 2, internal: 3 } as const;

/** A problem the user can fix; the CLI prints the message alone (no stack trace). */
export class ArenascopeError extends Error {
  readonly exitCode: number = EXIT.usage;
  override name = 'ArenascopeError';
}

/** A mistake in the command line, the options or a configuration: exit code 2. */
export class UsageError extends ArenascopeError {
  override name = 'UsageError';
}

/**
 * A problem with an input: names the file, where in it (a byte offset, a line, a row or a JSON
 * path), and what was expected. Exit code 2.
 */
export class InputError extends ArenascopeError {
  override name = 'InputError';
  constructor(
    readonly file: string,
    /** 'byte 1234' or 'line 56'; empty when the problem concerns the whole file. */
    readonly where: string,
    readonly detail: string,
  ) {
    super(where ? `${file}: ${where}: ${detail}` : `${file}: ${detail}`);
  }
}

/**
 * The file is no capture at all, though it looked like one at first (a pickle of something else
 * than a tracemalloc snapshot): named alone it is an input error; found in a folder or by a glob,
 * it is passed over with a warning, as the folder's other files are.
 */
export class NotACaptureError extends InputError {
  override name = 'NotACaptureError';
}

/** The input ended before the capture was complete. `--allow-partial` turns this into a warning. */
export class TruncatedError extends InputError {
  override name = 'TruncatedError';
}

/** What the command line prints of a bug (exit 3): the message, the stack only with ARENASCOPE_DEBUG. */
export function internalErrorText(e: unknown): string {
  const detail = process.env.ARENASCOPE_DEBUG ? (e as Error)?.stack : (e as Error)?.message;
  return `arenascope: internal error: ${detail ?? String(e)}\nPlease report this with the command line that caused it.\n`;
}
