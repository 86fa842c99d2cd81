// What `pytest -s` prints on the line a test's output begins: the test's node id (-v) or its file's
// name, then the outcome marks of the tests before it that printed nothing ('test_mem.py ..'), or only
// marks, glued to the output ('.' of the test before). Before a listing's first statistic they left it
// out, or made its site another ('./srv/app.py'), and a leak read as none (h272, h276).

import { UNIT } from './printed-size.js';

// A node id ('test_mem.py::TestA::test_b', its parameters' id after it in brackets) or a file's name.
const NODE = /^[^\s:]+\.py(?:::[^\s[:]+)*/;
// Outcome marks: pytest's (. F E s x X) and pytest-rerunfailures' R.
const MARKS = /^[.FEsxXR]+/;
// A statistic's name, line number, size and change (compare_to's).
const STATISTIC =
  /^(.+?):(\d+): size=(\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)(?: \(([-+]\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)\))?, count=/;
const ABSOLUTE = /^(?:\/|[A-Za-z]:[\\/]|\\\\|<)/;

// What a listing is ordered by: the size (statistics()), or the change's (compare_to()).
const orderOf = (m: RegExpExecArray): number =>
  m[5] === undefined ? Number(m[3]) * UNIT[m[4]!]! : Math.abs(Number(m[5]) * UNIT[m[6]!]!);

/**
 * Where a statistic starts after a node id or a file's name and spaces, or 0: the parameters' id ends at
 * the ']' a statistic follows (ids hold spaces and brackets of their own: 'test_p[\\xfc[1]]', 'test_p[a]b]';
 * h276, h278).
 */
function nodeEnd(text: string): number {
  const name = NODE.exec(text)?.[0].length ?? 0;
  if (!name) return 0;
  const after = (at: number): number => {
    const spaces = /^ +/.exec(text.slice(at))?.[0].length ?? 0;
    return spaces && STATISTIC.test(text.slice(at + spaces)) ? at + spaces : 0;
  };
  if (text[name] !== '[') return after(name);
  for (let end = text.indexOf('] ', name); end >= 0; end = text.indexOf('] ', end + 1)) {
    const at = after(end + 1);
    if (at) return at;
  }
  return 0;
}

/** Takes pytest's words off the lines of a pytest session's output, one line at a time, in order. */
export class PytestProgress {
  /** The sites ('name:line') of the statistics read so far. */
  private readonly seen = new Set<string>();
  /** What the line before orders its listing by, when it was a statistic. */
  private before: number | null = null;

  /** The line without pytest's words before a statistic (the line itself otherwise). */
  off(whole: string): string {
    // A paste's code block indents every line (Stack Overflow's 4 spaces): pytest's words come after it.
    const indent = /^[ \t]*/.exec(whole)![0];
    const text = whole.slice(indent.length);
    const node = nodeEnd(text);
    const rest = text.slice(node);
    // (No marks after a node id: -v prints each test's outcome as a word, after its output.)
    const marks = node && text.slice(0, node).includes('::') ? 0 : (MARKS.exec(rest)?.[0].length ?? 0);
    const line = marks ? this.unmarked(rest, marks) : rest;
    const st = STATISTIC.exec(line);
    this.before = st ? orderOf(st) : null;
    if (st) this.seen.add(`${st[1]}:${st[2]}`);
    return line === text ? whole : indent + line;
  }

  /**
   * A line whose first `marks` characters may be outcome marks or its file name's own ('./lib.py'):
   * as many taken off as leave a site read before (the fewest: '.' then './plugins/store.py:3' printed
   * so before, not '/plugins/…'); none where it goes on with the listing above in its order (a relative
   * name's dots); else all, where an absolute name is left.
   */
  private unmarked(text: string, marks: number): string {
    for (let k = 0; k <= marks; k++) {
      const st = STATISTIC.exec(text.slice(k));
      if (st && this.seen.has(`${st[1]}:${st[2]}`)) return text.slice(k);
    }
    const whole = STATISTIC.exec(text);
    if (whole && this.before !== null && orderOf(whole) <= this.before) return text;
    const rest = text.slice(marks);
    return ABSOLUTE.test(rest) && STATISTIC.test(rest) ? rest : text;
  }
}
