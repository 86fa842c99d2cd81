// Fresh random workloads captured by the python3 on this machine, then every grouping compared,
// source lines included, with what CPython's tracemalloc prints for the same dumps.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, python3 } from './helpers.js';

const py = python3();
const seeds = Array.from({ length: 3 }, () => Math.floor(Math.random() * 1e9));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const QUERIES = [
  ['--group-by', 'lineno'],
  ['--group-by', 'filename'],
  ['--group-by', 'traceback'],
  ['--group-by', 'lineno', '--cumulative'],
  ['--group-by', 'filename', '--cumulative'],
  ['--group-by', 'lineno', '--include', '*/mod_[01].py', '--all-frames', '--exclude', '*/mod_1.py:1?'],
];

function reference(args: string[]): string {
  return execFileSync(py!.bin, ['fixtures/tracemalloc_ref.py', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

describe.skipIf(!py)('differential against the python3 on this machine', () => {
  // Many distinct (traceback, size) groups: exercises the reader's pre-aggregation evictions.
  it('a dump of 200,000 blocks in over 100,000 groups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-groups-'));
    dirs.push(dir);
    const file = join(dir, 'groups.pickle');
    const seed = String(seeds[0]);
    execFileSync(py!.bin, ['bench/make_dump.py', '200000', file, '--seed', seed, '--random-sizes', '--depth', '3']);
    for (const q of [
      ['--group-by', 'lineno'],
      ['--group-by', 'traceback', '--limit', '50'],
    ]) {
      const r = await cli('stats', file, ...q, '--no-source');
      expect(r.out).toBe(reference(['stats', file, ...q, '--no-source']));
    }
    const info = await cli('info', file, '--json');
    expect(JSON.parse(info.out).groups).toBeGreaterThan(100_000);
  });

  // Code compiled with the file name '' and with one holding a line break: a pattern's ':LINENO' after
  // such a name was taken as part of the name (nothing matched), and ':1' alone was refused (h327).
  it("filters naming a file name holding a line break, and the empty file name (':1')", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-odd-names-'));
    dirs.push(dir);
    const file = join(dir, 'odd.pickle');
    const program = [
      'import sys, tracemalloc',
      'tracemalloc.start()',
      "keep = [eval(compile('[bytes(%d) for _ in range(3)]' % (100 * (i + 1)), name, 'eval')) for i, name in enumerate(['', 'ab\\ncd.py', 'ok.py'])]",
      'tracemalloc.take_snapshot().dump(sys.argv[1])',
    ].join('\n');
    execFileSync(py!.bin, ['-c', program, file]);
    for (const q of [
      ['--include', ':1'],
      ['--exclude', ':1'],
      ['--include', 'ab\ncd.py:1'],
      ['--exclude', 'ab\ncd.py:1'],
      ['--include', 'ab?cd.py'],
    ]) {
      const r = await cli('stats', file, ...q, '--no-source');
      expect(r.err).toBe('');
      expect(r.out).toBe(reference(['stats', file, ...q, '--no-source']));
      expect(r.out).not.toMatch(/^Total: size=0 B/);
    }
  });

  describe.each(seeds)('seed %i', (seed) => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-diff-'));
    dirs.push(dir);
    execFileSync(py!.bin, ['fixtures/random_workload.py', String(seed), dir]);
    const [a, b] = [join(dir, 'a.pickle'), join(dir, 'b.pickle')];

    const named = QUERIES.map((q) => [q.join(' '), q] as const);

    it.each(named)('stats %s', async (_, q) => {
      const r = await cli('stats', b, ...q);
      expect(r.err).toBe('');
      expect(r.out).toBe(reference(['stats', b, ...q]));
    });

    it.each(named)('diff %s', async (_, q) => {
      const r = await cli('diff', a, b, ...q);
      expect(r.err).toBe('');
      expect(r.out).toBe(reference(['diff', a, b, ...q]));
    });
  });
});
