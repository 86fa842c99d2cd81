// CI runners act on lines of a job's output that are their commands: GitHub Actions' `::error …`,
// `::add-mask::…`, `::stop-commands::…` at a line's start, and its older `##[…]`, Azure
// Pipelines' `##vso[…]` and TeamCity's service messages `##teamcity[…]` anywhere in a line. A file name in a capture may hold a line break followed
// by one, or one alone (a dump is data, never trusted): printed, it became a command of the job that
// ran arenascope. Such text is shown, never obeyed.

// The runners trim a line before they look for a command (.NET's whitespace, U+0085 among it):
// leading blanks do not hide one. A lone carriage return may end a line too.
const AT_LINE_START = /(^|[\r\n])((?:[^\S\r\n]|\u0085)*)::/g;
const ANYWHERE = /##(?=\[|vso\[|teamcity\[)/gi;

/** The text with each CI runner's command in it marked (⏎), so that no runner takes it for one. */
export function withoutCiCommands(text: string): string {
  if (!text.includes('::') && !text.includes('##')) return text;
  return text.replace(AT_LINE_START, '$1$2\u23ce::').replace(ANYWHERE, '#\u23ce#');
}

/**
 * JSON text with each command a runner sees anywhere in a line written otherwise: its '#' as \u0023,
 * which every JSON reader reads back as '#' (marked with ⏎, a baseline printed to stdout held other
 * names than the same written to a file, and a gate against it failed). A line of JSON never starts
 * with '::': its strings are quoted and their line breaks escaped.
 */
export function jsonWithoutCiCommands(text: string): string {
  return text.includes('##') ? text.replace(ANYWHERE, '\\u0023#') : text;
}

/**
 * The same for text written piece by piece: each piece up to its last line break is marked and
 * passed on; the rest waits for the next piece (a command cut between two pieces is still seen).
 */
export function ciCommandStream(
  write: (text: string) => void,
  mark: (text: string) => string = withoutCiCommands,
): { write(text: string): void; close(): void } {
  let rest = '';
  return {
    write(text) {
      const all = rest + text;
      const cut = Math.max(all.lastIndexOf('\n'), all.lastIndexOf('\r')) + 1;
      rest = all.slice(cut);
      if (cut) write(mark(all.slice(0, cut)));
    },
    close() {
      if (rest) write(mark(rest));
      rest = '';
    },
  };
}
