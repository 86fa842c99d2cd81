// codeOf: whether two lines of Python hold the same code, as the gate finds moved lines by it (h248).
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../src/util/python-code.js';

describe('codeOf', () => {
  it('leaves out a comment and spacing a formatter changes, not what the code says', () => {
    expect(codeOf('BIG = [bytes(100) for _ in range(2000)]  # the big one')).toBe(
      codeOf('BIG = [bytes(100) for _ in range(2000)]'),
    );
    expect(codeOf('x=f( a,b )')).toBe(codeOf('x = f(a, b)'));
    // Words stay apart, and other code is other code.
    expect(codeOf('if not x: y')).not.toBe(codeOf('if notx: y'));
    expect(codeOf('x = f(a, b)')).not.toBe(codeOf('x = f(a, c)'));
  });

  it('keeps strings as written: a # or spaces inside one are code', () => {
    expect(codeOf("s = 'a # b'  # note")).toBe("s='a # b'");
    expect(codeOf('s = "a  b"')).not.toBe(codeOf('s = "a b"'));
    expect(codeOf("s = 'it\\'s # x'")).toBe("s='it\\'s # x'");
    expect(codeOf('s = """a # b"""  # c')).toBe('s="""a # b"""');
  });
});
