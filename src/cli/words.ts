// Words of the command line that yargs would misread, carried past it under names no argument can
// have (they start with a NUL byte), and given back once it has parsed them (runCli).

/** A lone '-': stdin where an input is read (yargs reads it as an empty option). */
export const STDIN_ARG = '\u0000stdin';

/** The mark of a word after `--`: an input, even one that starts with '-'. */
export const LITERAL = '\u0000=';

/** The commands' positionals, in the order their words are given. */
const POSITIONALS = ['dump', 'old', 'new', 'inputs'];

/**
 * Gives back the words marked: a '-' (stdin where an input is read, stdout for an output: never the
 * mark, which showed in messages, tables and baselines as '\0stdin'), a word after `--` unmarked and, as it
 * was given after the others, put back after them among the positionals.
 */
export function unmarked(argv: Record<string, unknown>): void {
  const keys = POSITIONALS.filter((k) => argv[k] !== undefined);
  const words = keys.flatMap((k) => (Array.isArray(argv[k]) ? (argv[k] as unknown[]) : [argv[k]]));
  const late = (w: unknown): boolean => typeof w === 'string' && w.startsWith(LITERAL);
  const ordered = [...words.filter((w) => !late(w)), ...words.filter(late)];
  for (const k of keys) {
    const n = Array.isArray(argv[k]) ? (argv[k] as unknown[]).length : 1;
    const taken = ordered.splice(0, n);
    argv[k] = Array.isArray(argv[k]) ? taken : taken[0];
  }
  for (const [k, v] of Object.entries(argv)) {
    const word = (x: unknown): unknown =>
      typeof x !== 'string' ? x : x.startsWith(LITERAL) ? x.slice(LITERAL.length) : x === STDIN_ARG ? '-' : x;
    argv[k] = Array.isArray(v) ? v.map(word) : word(v);
  }
}
