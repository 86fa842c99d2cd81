// The rule that pairs allocator reports with captures (pairing.ts): names, then times, then order.
import { describe, expect, it } from 'vitest';
import { pairAllocatorReports } from '../../src/analysis/pymalloc/pairing.js';
import type { AllocatorStats, MallocStatsBlock } from '../../src/model/allocator-stats.js';

// Pairing passes reports through untouched: a report's first line is enough to tell which went where.
const file = (path: string, lines: number[], time: number | null = null): AllocatorStats => ({
  kind: 'allocator-stats',
  source: { path, format: 'allocator-stats', gzip: false, bytes: 0 },
  blocks: lines.map((inputLine) => ({ inputLine }) as MallocStatsBlock),
  warnings: [],
  time,
});
const caps = (...labels: string[]) => labels.map((label, i) => ({ label, time: null as number | null, i }));
const lines = (r: ReturnType<typeof pairAllocatorReports>) => r.reports.map((b) => b?.inputLine ?? null);

describe('pairAllocatorReports', () => {
  it('by the number names end in, whatever the order and zero padding; a file of several gives its last', () => {
    const r = pairAllocatorReports(caps('d/snap-1.pickle', 'd/snap-2.pickle', 'd/snap-10.pickle'), [
      file('s/stats-10.txt', [10]),
      file('s/stats-01.txt', [1]),
      file('s/stats-2.txt.gz', [20, 21]),
    ]);
    expect(r.rule).toBe('name');
    expect(lines(r)).toEqual([1, 21, 10]);
    expect(r.complete).toBe(true);
    expect(r.notes[0]).toContain('snap-1.pickle with stats-01.txt');
    expect(r.notes[0]).toContain('(the last report of each file)');
  });

  it('a number two files end in pairs neither, and says why', () => {
    const r = pairAllocatorReports(caps('snap-1.pickle', 'snap-2.pickle'), [
      file('a-1.txt', [1]),
      file('b-1.txt', [2]),
      file('stats-2.txt', [3]),
    ]);
    expect(lines(r)).toEqual([null, 3]);
    expect(r.complete).toBe(false);
    expect(r.notes).toContain('no allocator report for snap-1.pickle');
    expect(r.notes.join('\n')).toContain("left out a-1.txt (1 report): another allocator-stats file's name ends");
  });

  it('by order when names and times say nothing: one report per capture, else one file per capture', () => {
    const logs = pairAllocatorReports(caps('a.pickle', 'b.pickle', 'c.pickle'), [file('run.log', [5, 6, 7])]);
    expect([logs.rule, lines(logs)]).toEqual(['reports-in-order', [5, 6, 7]]);
    const files = pairAllocatorReports(caps('a.pickle', 'b.pickle'), [file('x.log', [1, 2]), file('y.log', [3, 4])]);
    expect([files.rule, lines(files)]).toEqual(['files-in-order', [2, 4]]);
  });

  it('nothing pairs: every capture gets null and one note names the files', () => {
    const r = pairAllocatorReports(caps('a.pickle', 'b.pickle', 'c.pickle'), [file('run.log', [1, 2, 3, 4])]);
    expect(r.rule).toBeNull();
    expect(lines(r)).toEqual([null, null, null]);
    expect(r.notes).toEqual([expect.stringContaining('1 allocator-stats file holding 4 reports (run.log)')]);
  });

  it('by time: each file to the nearest capture, when each is nearest a capture of its own', () => {
    const c = [
      { label: 'a.pickle', time: 10 },
      { label: 'b.pickle', time: 20 },
    ];
    const r = pairAllocatorReports(c, [file('x.txt', [1], 19), file('z.txt', [3], 9)]);
    expect([r.rule, lines(r)]).toEqual(['time', [3, 1]]);
    // Two nearest one capture: times that do not tell them apart pair nothing (with 12 reports of a
    // second run for 13 captures, the last capture got the first report and the verdict flipped).
    const more = pairAllocatorReports(c, [file('x.txt', [1], 19), file('y.txt', [2], 21), file('z.txt', [3], 9)]);
    expect([more.rule, lines(more)]).toEqual([null, [null, null]]);
    expect(more.notes[0]).toContain('their times left 1 file without a capture of its own');
  });

  it("by label: a report's .label sidecar names its capture, whatever the files are called", () => {
    const labelled = (path: string, line: number, label: string): AllocatorStats => ({ ...file(path, [line]), label });
    const r = pairAllocatorReports(caps('start', 'after batch 1', 'exit'), [
      labelled('allocator/0001.txt', 1, 'start'),
      labelled('allocator/0003.txt', 3, 'exit'),
      labelled('allocator/0002.txt', 2, 'after batch 1'),
    ]);
    expect([r.rule, lines(r), r.complete]).toEqual(['label', [1, 2, 3], true]);
  });

  it('labels that repeat (a checkpoint in a loop), the same in the same order, pair in that order', () => {
    const labelled = (path: string, line: number, label: string): AllocatorStats => ({ ...file(path, [line]), label });
    const r = pairAllocatorReports(caps('start', 'batch', 'batch'), [
      labelled('rep-x.txt', 1, 'start'),
      labelled('rep-y.txt', 2, 'batch'),
      labelled('rep-z.txt', 3, 'batch'),
    ]);
    expect([r.rule, lines(r), r.complete]).toEqual(['label', [1, 2, 3], true]);
  });

  it("times that put several files nearest one capture (another run's) give way to order, and say so", () => {
    // `arenascope run --allocator` takes its reports in a second run, after the first run's snapshots.
    const c = [10, 20, 30].map((time, i) => ({ label: `c${i}`, time }));
    const r = pairAllocatorReports(c, [file('x.txt', [1], 41), file('y.txt', [2], 42), file('z.txt', [3], 43)]);
    expect([r.rule, lines(r)]).toEqual(['reports-in-order', [1, 2, 3]]);
    expect(r.notes[0]).toContain(
      'their times left 2 files without a capture of its own, so they were not paired by time',
    );
  });
});
