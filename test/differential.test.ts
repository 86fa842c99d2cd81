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
