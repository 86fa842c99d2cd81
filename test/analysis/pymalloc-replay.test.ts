// Replay's two orders hold the same live blocks at every capture, whatever churn the scattered order
// made and freed between captures: the same counts of small blocks per size class and the same large
// blocks and bytes. (Issue 14: the scattered order once freed a transient with another one's size.)
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/analysis/pymalloc/replay.js';
import { FrameTable } from '../../src/model/frames.js';
import { GroupBuilder, type Snapshot } from '../../src/model/snapshot.js';

const frames = new FrameTable();
const site = (line: number) => frames.internTraceback([frames.internFrame('app.py', line)]);

/** A snapshot of [line, size, count] groups; no traced peak, so the scattered order assumes churn. */
function snapshot(groups: [number, number, number][]): Snapshot {
  const b = new GroupBuilder();
  for (const [line, size, count] of groups) b.add(0, site(line), size, count);
  return {
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
}

describe('replay: both orders hold the same live blocks', () => {
  // Small and large (> 512 bytes: the system allocator's) blocks, growing and shrinking; the
  // transients of the scattered order are drawn from both sizes.
  const snaps = [
    snapshot([
      [1, 48, 2000],
      [2, 4000, 30],
      [3, 300, 500],
    ]),
    snapshot([
      [1, 48, 3000],
      [2, 4000, 90],
      [3, 300, 100],
      [4, 1000, 40],
    ]),
    snapshot([
      [1, 48, 500],
      [2, 4000, 10],
      [4, 1000, 200],
      [5, 64, 5000],
    ]),
  ];
  const r = replay(snaps, ['a', 'b', 'c'], { python: '3.11', seed: 7 });

  it.each([0, 1, 2])('capture %i', (k) => {
    const { compact, scattered, churn } = r.captures[k]!;
    if (k) expect(churn.transientBytes).toBeGreaterThan(0);
    const large = snaps[k]!.groups;
    let blocks = 0;
    let bytes = 0;
    for (let i = 0; i < large.length; i++) {
      if (large.size[i]! > 512) {
        blocks += large.count[i]!;
        bytes += large.count[i]! * large.size[i]!;
      }
    }
    expect([compact.largeBlocks, compact.largeBytes]).toEqual([blocks, bytes]);
    expect([scattered.largeBlocks, scattered.largeBytes]).toEqual([blocks, bytes]);
    const inUse = (s: typeof compact) => s.stats.classes.map((c) => [c.cls, c.inUse]);
    expect(inUse(scattered)).toEqual(inUse(compact));
  });
});
