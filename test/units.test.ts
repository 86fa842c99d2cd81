// The small rules arenascope re-implements, against answers CPython computed
// (fixtures/make_unit_goldens.py): _format_size, fnmatch as tracemalloc.Filter uses it, str order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { filterSnapshot } from '../src/analysis/filters.js';
import { compareCodePoints } from '../src/analysis/statistics.js';
import { FrameTable } from '../src/model/frames.js';
import { GroupBuilder, type Snapshot } from '../src/model/snapshot.js';
import { formatSize } from '../src/report/format-size.js';

const units = JSON.parse(readFileSync('fixtures/expected/units.json', 'utf8')) as {
  format_size: [number, string, string][];
  fnmatch: { names: string[]; patterns: [string, boolean[]][] };
  sorted: string[];
};

describe('_format_size', () => {
  it.each(units.format_size)('%s -> %s / %s', (size, plain, signed) => {
    expect(formatSize(size)).toBe(plain);
    expect(formatSize(size, true)).toBe(signed);
  });
});

describe('Filter file patterns (fnmatch)', () => {
  // One snapshot with one single-frame trace per name; a filter keeps the names it matches.
  const frames = new FrameTable();
  const b = new GroupBuilder();
  for (const name of units.fnmatch.names) b.add(0, frames.internTraceback([frames.internFrame(name, 1)]), 1);
  const snap: Snapshot = {
    kind: 'snapshot',
    source: { path: 'x', format: 'tracemalloc-snapshot', gzip: false, bytes: 0 },
    frames,
    groups: b.finish(),
    tracebackLimit: 1,
    layout: '4-tuple',
    traceCount: b.traceCount,
    totalSize: b.totalSize,
    time: null,
    partial: false,
    warnings: [],
  };
  it.each(units.fnmatch.patterns)('%j', (pattern, expected) => {
    const kept = filterSnapshot(snap, [{ kind: 'filename', inclusive: true, pattern }]);
    const names = new Set(
      Array.from(kept.groups.traceback, (tb) => frames.frameFilename(frames.tracebackFrame(tb, 0))),
    );
    expect(units.fnmatch.names.map((n) => names.has(n))).toEqual(expected);
  });
});

describe('string order', () => {
  it('sorts by code point, as Python does', () => {
    const shuffled = [...units.sorted].reverse();
    expect(shuffled.sort(compareCodePoints)).toEqual(units.sorted);
  });
});
