import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, forTerminal, groupThousands } from '../../src/util/text.js';

describe('groupThousands', () => {
  it('writes an integer as toLocaleString("en-US") does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 999, 1000, -1000)), (n) => {
        expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves other numbers to toLocaleString', () => {
    for (const n of [1.5, -2.25, 2 ** 60, Number.NaN]) expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('decodeUtf8', () => {
  it('keeps a leading byte order mark, as Python does, and refuses bytes that are not UTF-8', () => {
    expect(decodeUtf8(Buffer.from('\ufeffa.py'))).toBe('\ufeffa.py');
    expect(decodeUtf8(Buffer.from('caf\u00e9'))).toBe('caf\u00e9');
    expect(() => decodeUtf8(Uint8Array.of(0xff))).toThrow(TypeError);
  });
});

describe('forTerminal', () => {
  it('escapes what a name would make a terminal do, and keeps the line ends and tabs of the output', () => {
    // A real file name a helper made tracemalloc record: it set the title, turned text red, cleared the screen.
    const name = 'm_\x1b]0;OWNED-TITLE\x07\x1b[31mRED\x1b[2J.py';
    expect(forTerminal(`${name}:3: size=10 B\n\tx\n`)).toBe(
      'm_\\x1b]0;OWNED-TITLE\\x07\\x1b[31mRED\\x1b[2J.py:3: size=10 B\n\tx\n',
    );
    expect(forTerminal('a\rb\x7f\x9b\u202eyp.txt\u2066')).toBe('a\\x0db\\u007f\\u009b\\u202eyp.txt\\u2066');
    expect(forTerminal('caf\u00e9 \u4e2d/\uDCFF ok')).toBe('caf\u00e9 \u4e2d/\uDCFF ok');
    // JSON on a terminal stays JSON: past C0 (which JSON escapes itself) the escapes are JSON's ('\x85' was none).
    const json = JSON.stringify({ filename: 'nel\u0085::error::x.py\u007f\u202e' });
    expect(JSON.parse(forTerminal(json))).toEqual(JSON.parse(json));
    // A name's bytes that were not UTF-8 and are C1 controls (CSI, OSC, ST) are written as those bytes:
    // shown as their values instead.
    expect(forTerminal('c1\uDC9B2J\uDC9D0;T\uDC9C.py \uDCFF')).toBe('c1\\x9b2J\\x9d0;T\\x9c.py \uDCFF');
  });
});
