// A real dump of a recursion 3,500 frames deep (fixtures/make_deep_dump.py, CPython 3.11): the
// report's frame tree overflowed the stack on it ("internal error", exit 3, in report, baseline and
// gate) and nested the report's JSON 7,000 levels deep. Expected values are CPython's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TreeNode } from '../../src/analysis/report-data.js';
import { TREE_MAX_DEPTH, TREE_MAX_NODES } from '../../src/analysis/report-sections.js';
import { cli } from '../helpers.js';

const DUMP = 'fixtures/dumps/py311-deep.pickle.gz';
const expected = JSON.parse(readFileSync('fixtures/expected/py311-deep.json', 'utf8')) as {
  deepest: number;
  total: number;
};
const dir = mkdtempSync(join(tmpdir(), 'arenascope-deep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function depth(n: TreeNode): number {
  let d = 0;
  for (let level: TreeNode[] = [n]; level.length; level = level.flatMap((x) => x.children)) d++;
  return d;
}

describe('a traceback 3,500 frames deep', () => {
  it('stats -g traceback lists every frame CPython kept', async () => {
    const r = await cli('stats', '-g', 'traceback', '--json', DUMP);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.out).stats as { frames: unknown[] }[];
    expect(Math.max(...stats.map((s) => s.frames.length))).toBe(expected.deepest);
  });

  it('report, baseline and gate read it; the frame tree folds what lies below its depth limit', async () => {
    const json = join(dir, 'report.json');
    const r = await cli('report', DUMP, '-o', join(dir, 'report.html'), '--json-out', json);
    expect([r.code, r.err]).toEqual([0, expect.not.stringContaining('internal error')]);
    const tree = JSON.parse(readFileSync(json, 'utf8')).snapshots.tree as TreeNode;
    expect(tree.bytes).toBe(expected.total);
    expect(depth(tree)).toBe(TREE_MAX_DEPTH + 2); // the root, 128 frames, the folded rest
    expect(JSON.stringify(tree)).toMatch(/"name":"up to \d+ deeper frames"/);
    const baseline = join(dir, 'baseline.json');
    expect((await cli('baseline', DUMP, '-o', baseline)).code).toBe(0);
    const gate = await cli('gate', DUMP, '--baseline', baseline, '--max-peak', '1GiB', '--max-total-growth', '0%');
    expect([gate.code, gate.out]).toEqual([0, expect.stringContaining('gate passed')]);
  });
});

describe('many deep call paths', () => {
  it('the tree keeps whole levels within its box budget, the rest folded, the bytes all there (325 MB of JSON, then exit 3)', async () => {
    // 900 call paths 140 frames deep, each allocating the same: a snapshot as arenascope's JSON.
    const paths = 900;
    const depth = 140;
    const frames: [string, number][] = [];
    const tracebacks: number[][] = [];
    for (let p = 0; p < paths; p++) {
      const tb: number[] = [];
      for (let d = 0; d < depth; d++) {
        tb.push(frames.length);
        frames.push([`/srv/app/module_${p}.py`, d + 1]);
      }
      tracebacks.push(tb.reverse()); // most recent first
    }
    const traces = tracebacks.map((_, i) => [0, i, 1000, 1]);
    const file = join(dir, 'paths.json');
    writeFileSync(
      file,
      JSON.stringify({ format: 'arenascope-snapshot', version: 1, frames, tracebacks, traces, tracebackLimit: depth }),
    );
    const out = join(dir, 'paths-report.json');
    const r = await cli('report', file, '-o', join(dir, 'paths.html'), '--json-out', out);
    expect([r.code, r.err]).toEqual([0, expect.not.stringContaining('internal error')]);
    const tree = JSON.parse(readFileSync(out, 'utf8')).snapshots.tree as TreeNode;
    let boxes = 0;
    for (let level: TreeNode[] = [tree]; level.length; level = level.flatMap((x) => x.children)) boxes += level.length;
    expect(boxes).toBeLessThanOrEqual(TREE_MAX_NODES);
    expect(tree.bytes).toBe(paths * 1000);
    expect(tree.children.reduce((n, c) => n + c.bytes, 0)).toBe(paths * 1000);
    expect(JSON.stringify(tree)).toMatch(/"name":"at least \d+ deeper frames"/);
  });
});
