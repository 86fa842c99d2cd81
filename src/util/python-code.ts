// A line of Python as code, for telling whether two lines hold the same code: its spacing as a formatter
// changes it aside (black's spaces around '=' made a moved line new code, and the gate failed a line that
// had only moved). Its comment is kept: two lines of the same code told apart by their comments are two
// lines (taken for one, a new 5 MiB line passed as the other moved).

const WORD = /[\w\u0080-\uffff]/;

/**
 * The code of one line: every run of spaces outside string literals and its comment one space between
 * two words and none beside other characters. Strings and the comment are kept as written.
 */
export function codeOf(line: string): string {
  let out = '';
  let quote: string | null = null;
  let space = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== null) {
      out += c;
      if (c === '\\' && i + 1 < line.length) out += line[++i]!;
      else if (line.startsWith(quote, i)) {
        out += quote.slice(1);
        i += quote.length - 1;
        quote = null;
      }
      continue;
    }
    if (c === '#') return out + line.slice(i).trimEnd();
    if (c === ' ' || c === '\t') {
      space = true;
      continue;
    }
    if (space && out && WORD.test(out[out.length - 1]!) && WORD.test(c)) out += ' ';
    space = false;
    if (c === '"' || c === "'") quote = line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    out += c;
  }
  return out;
}
