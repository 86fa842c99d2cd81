// CI runners act on lines of a job's output that are their commands: GitHub Actions' `::error …`,
// `::add-mask::…`, `::stop-commands::…`, Azure Pipelines' `##vso[…]` and `##[…]`. A file name in a
// capture may hold a line break followed by one (a dump is data, never trusted): printed, it became
// a command of the job that ran arenascope. Such lines of its output are shown, never obeyed.

// The runners trim a line before they look for a command: leading blanks do not hide one. A lone
// carriage return may end a line too.
const COMMAND = /(^|[\r\n])([^\S\r\n]*)(::|##\[|##vso\[)/gi;

/** The text with each line a CI runner would take for its command marked as a continued line (⏎). */
export function withoutCiCommands(text: string): string {
  if (!text.includes('::') && !text.includes('##')) return text;
  return text.replace(COMMAND, '$1$2\u23ce$3');
}
