// pytest's words before a test's output (src/ingest/pytest-progress.ts), on lines of real pytest 9 runs
// (CPython 3.11.7) of tests printing tracemalloc listings: code compiled as './lib.py' and 'lib.py'.
import { describe, expect, it } from 'vitest';
import { PytestProgress } from '../../src/ingest/pytest-progress.js';

describe("pytest's words before a statistic", () => {
  it("under -v, a node id's: a name's own dots after it stay (no outcome mark follows a node id)", () => {
    const p = new PytestProgress();
    // (h278: read '/lib.py', a file no test named.)
    expect(p.off('test_dot.py::test_p[0] ./lib.py:2: size=104 KiB, count=203, average=525 B')).toBe(
      './lib.py:2: size=104 KiB, count=203, average=525 B',
    );
    expect(p.off('lib.py:2: size=31.3 KiB, count=62, average=516 B')).toBe(
      'lib.py:2: size=31.3 KiB, count=62, average=516 B',
    );
  });
});
