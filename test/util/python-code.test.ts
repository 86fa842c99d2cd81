// codeOf: whether two lines of Python hold the same code, as the gate finds moved lines by it (h248, h249).
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../src/util/python-code.js';

describe('codeOf', () => {
  it('leaves out spacing a formatter changes, not what the code says', () => {
    expect(codeOf('x=f( a,b )')).toBe(codeOf('x = f(a, b)'));
    expect(codeOf('BIG = [bytes(100) for _ in range(2000)]   # the big one')).toBe(
      codeOf('BIG = [bytes(100)  for _ in range(2000)] # the big one'),
    );
    // Words stay apart, and other code is other code.
    expect(codeOf('if not x: y')).not.toBe(codeOf('if notx: y'));
    expect(codeOf('x = f(a, b)')).not.toBe(codeOf('x = f(a, c)'));
  });

  it('keeps a comment: two lines told apart by theirs are two lines', () => {
    expect(codeOf('return bytearray(n)  # cache')).not.toBe(codeOf('return bytearray(n)  # sessions'));
    expect(codeOf('x = 1  # note')).not.toBe(codeOf('x = 1'));
  });

  it('keeps strings as written: a # or spaces inside one are code', () => {
    expect(codeOf("s = 'a # b'")).toBe("s='a # b'");
    expect(codeOf('s = "a  b"')).not.toBe(codeOf('s = "a b"'));
    expect(codeOf("s = 'it\\'s # x'")).toBe("s='it\\'s # x'");
    expect(codeOf('s = """a # b"""')).toBe('s="""a # b"""');
    // CPython 3.12's quotes inside an f-string's braces: what follows is kept whole, not merged.
    expect(codeOf('print(f"{d["#"]}a")')).not.toBe(codeOf('print(f"{d["#"]}b")'));
  });
});
