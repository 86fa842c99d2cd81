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
 * The same for text written piece by piece: each piece up to its last line break is marked and
 * passed on; the rest waits for the next piece (a command cut between two pieces is still seen).
 */
export function ciCommandStream(write: (text: string) => void): { write(text: string): void; close(): void } {
  let rest = '';
  return {
    write(text) {
      const all = rest + text;
      const cut = Math.max(all.lastIndexOf('\n'), all.lastIndexOf('\r')) + 1;
      rest = all.slice(cut);
      if (cut) write(withoutCiCommands(all.slice(0, cut)));
    },
    close() {
      if (rest) write(withoutCiCommands(rest));
      rest = '';
    },
  };
}
