/**
 * A problem with an input: names the file, where in it (a byte offset or a line), and what was
 * expected. The CLI prints the message alone (no stack trace) and exits with code 2.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    /** 'byte 1234' or 'line 56'; empty when the problem concerns the whole file. */
    readonly where: string,
    readonly detail: string,
  ) {
    super(where ? `${file}: ${where}: ${detail}` : `${file}: ${detail}`);
    this.name = 'InputError';
  }
}

/** The input ended before the capture was complete. `--allow-partial` turns this into a warning. */
export class TruncatedError extends InputError {
  override name = 'TruncatedError';
}
