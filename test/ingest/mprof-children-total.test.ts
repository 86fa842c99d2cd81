// `mprof run -C -M` writes MEM as the total of the program and its children and CHLD for each child,
// and the file does not say so. Read as the total, a parent keeping what its workers also cache (the
// same look) lost its own leak; so MEM is read as the program alone, and the look is said: the parent
// may read as leaking beside its child, which the gate fails rather than passes.
// Real runs: fixtures/mprof/children-total/make.sh.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/mprof/children-total';

interface Trend {
  name: string;
  verdict: string;
}

async function verdicts(file: string): Promise<{ err: string; by: Record<string, string> }> {
  const r = await cli('leaks', '--json', `${DIR}/${file}`);
  const series = (JSON.parse(r.out) as { series: Trend[] }).series;
  return { err: r.err, by: Object.fromEntries(series.map((t) => [t.name.replace(/child \d+/, 'child'), t.verdict])) };
}

describe('MEM counting the children (mprof run -C -M)', () => {
  it('is said, not assumed: MEM is read as the program alone, the child judged on its own', async () => {
    const withC = await verdicts('with-C.dat');
    expect(withC.err).toContain(
      "if it was `mprof run -C`, MEM counts them, and 'main' is the program with its children",
    );
    expect(withC.by).toEqual({ main: 'leak', child: 'leak' });
    const without = await verdicts('without-C.dat');
    expect(without.err).not.toContain('mprof run -C');
    expect(without.by).toEqual({ main: 'stable', child: 'leak' });
  });

  it("gate --max-peak bounds the program and its children together, measured apart or not (-M passed at the parent's peak)", async () => {
    for (const f of ['with-C.dat', 'without-C.dat']) {
      const info = await cli('info', '--json', `${DIR}/${f}`);
      const j = JSON.parse(info.out) as { peakMiB: number; children: { peakMiB: number }[] };
      const child = Math.max(...j.children.map((c) => c.peakMiB));
      // Above each process's own peak (without -C, the parent's is small), below the two together.
      const limit = Math.ceil(child + 1);
      if (f === 'without-C.dat') expect(j.peakMiB).toBeLessThan(limit);
      const gate = await cli('gate', `${DIR}/${f}`, '--max-leaks', '1', '--max-peak', `${limit}MiB`);
      expect([f, gate.code, gate.out]).toEqual([f, 1, expect.stringContaining('FAIL max-peak: peak')]);
    }
  });
});

describe('a pool that replaced its workers all run long (more than 20,000 children)', () => {
  // One series each took minutes and gigabytes (500,000 children: killed after 120 s at 1 GB).
  it('is read as one series, the total of the children at each sample, with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-many-children-'));
    try {
      const lines = ['CMDLINE python3 pool.py'];
      // Each round: MEM, then the one worker alive then (a new pid every round), holding more and more.
      for (let i = 0; i < 21_000; i++) {
        const t = 1_800_000_000 + i * 0.1;
        lines.push(
          `MEM 20.000000 ${t.toFixed(4)}`,
          `CHLD ${10_000 + i} ${(5 + i / 100).toFixed(6)} ${(t + 0.003).toFixed(4)}`,
        );
      }
      const file = join(dir, 'pool.dat');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const r = await cli('leaks', '--json', file);
      expect(r.err).toContain('more than 20000 child processes, too many to judge one by one');
      const series = (JSON.parse(r.out) as { series: { name: string; verdict: string; peakMiB: number }[] }).series;
      expect(series.map((s) => s.name)).toEqual(['main', 'children (total)']);
      expect(series[1]!.verdict).toBe('leak');
      expect(series[1]!.peakMiB).toBeCloseTo(5 + 20_999 / 100, 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
