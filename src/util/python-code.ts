// A line of Python as code, for telling whether two lines hold the same code: its comment left out and
// its spacing as a formatter would not change it (a comment added to a moved line, or black's spaces
// around '=', made it new code, and the gate failed a line that had only moved).

const WORD = /[\w\u0080-\uffff]/;

/**
 * The code of one line: without a trailing `#` comment, with every run of spaces outside string
 * literals one space between two words and none beside other characters. Strings are kept as written.
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
    if (c === '#') break;
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
