// Fragmentation as one number (FragmentationMeasure), checked against CPython's own reports
// (fixtures/mallocstats/fragmentation/make.py, CPython 3.8 and 3.11): a heap whose blocks were
// allocated and kept holds the arenas its blocks need packed, so the measure's packed need must be
// CPython's own arena count there; the same heap with 19 in 20 blocks freed at random holds the same
// arenas for a twentieth of the blocks: fragmented, by the verdict's share and the gate's alike.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FRAGMENTED_SHARE,
  fragmentedOver,
  packedArenas,
  reportFragmentation,
} from '../../src/analysis/pymalloc/compare.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { AllocatorStats } from '../../src/model/allocator-stats.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/mallocstats/fragmentation';

async function lastBlock(file: string) {
  const c = (await loadCapture(file)) as AllocatorStats;
  return c.blocks[c.blocks.length - 1]!;
}

/** CPython's own figure, read from the report's text. */
function figure(file: string, label: string): number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(label))!;
  return Number(line.split('=')[1]!.trim().replace(/,/g, ''));
}

describe('the packed need of a real report', () => {
  // Every report CPython wrote here (3.8-3.13, captured and pasted): the arenas it holds hold its
  // blocks in use, so packed they need no more. With 16 KiB pools some arenas lose a pool to
  // alignment and some do not (py311-debugmallocstats.txt: 4 of 12): the need counts the report's own.
  const reports = [
    ...['py38', 'py39', 'py310', 'py311', 'py312', 'py313'].map(
      (v) => `fixtures/mallocstats/${v}-debugmallocstats.txt`,
    ),
    ...readdirSync('fixtures/mallocstats/pasted')
      .filter((f) => f.endsWith('.txt'))
      .map((f) => `fixtures/mallocstats/pasted/${f}`),
  ];
  it.each(reports)('%s: at most the arenas it holds', async (file) => {
    const c = (await loadCapture(file)) as AllocatorStats;
    const needs = c.blocks.map((b) => [packedArenas(b) ?? 0, b.arenasCurrent]);
    expect(needs.filter(([need, held]) => need! > held!)).toEqual([]);
  });
});

describe.each(['py38', 'py311'])('CPython %s', (v) => {
  it('a heap of blocks allocated and kept: the packed need is the arenas CPython holds', async () => {
    const file = `${DIR}/${v}-packed.txt`;
    const held = figure(file, '# arenas allocated current');
    const b = await lastBlock(file);
    expect(b.arenasCurrent).toBe(held);
    expect(Math.abs(packedArenas(b)! - held)).toBeLessThanOrEqual(1);
    const m = reportFragmentation(b)!;
    expect(m.basis).toBe('real report alone');
    expect(fragmentedOver(m, FRAGMENTED_SHARE)).toBe(false);
  });

  it('the same heap with 19 in 20 blocks freed at random: fragmented, in the gate too', async () => {
    const file = `${DIR}/${v}-scattered.txt`;
    const held = figure(file, '# arenas allocated current');
    const m = reportFragmentation(await lastBlock(file))!;
    expect(m.heldArenas).toBe(held);
    // What the survivors need packed (a twentieth of the 64-byte blocks, plus the interpreter's own)
    // is under a third of what the kept heap needs, and under half of what CPython holds.
    const packedNeed = packedArenas(await lastBlock(`${DIR}/${v}-packed.txt`))!;
    expect(m.neededArenas).toBeLessThan(packedNeed / 3);
    expect(m.neededArenas).toBeLessThan(held / 2);
    expect(m.share).toBeGreaterThan(FRAGMENTED_SHARE);
    expect(fragmentedOver(m, FRAGMENTED_SHARE)).toBe(true);
    const g = await cli('gate', file, '--max-fragmentation', String(FRAGMENTED_SHARE), '--json');
    expect(g.code).toBe(1);
    const check = JSON.parse(g.out).checks.find((c: { check: string }) => c.check === 'max-fragmentation');
    expect(check.measured).toBe(m.share);
  });
});
