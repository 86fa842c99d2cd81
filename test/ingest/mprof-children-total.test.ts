// `mprof run -C -M` writes MEM as the total of the program and its children and CHLD for each child,
// and the file does not say so: the parent, which only waited, read as leaking beside its leaking
// child (two leaks; the gate failed --max-leaks 1, which the same program under -M passed).
// Real runs: fixtures/mprof/children-total/make.sh.
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
  it('is read as the total: the program itself is stable, its child leaks, as under -M alone', async () => {
    const withC = await verdicts('with-C.dat');
    expect(withC.err).toContain("read as the total, 'main + children'");
    expect(withC.by).toEqual({ 'main + children': 'leak', main: 'stable', child: 'leak' });
    const without = await verdicts('without-C.dat');
    expect(without.err).not.toContain('main + children');
    expect(without.by).toEqual({ main: 'stable', child: 'leak' });
    for (const f of ['with-C.dat', 'without-C.dat']) {
      const gate = await cli('gate', `${DIR}/${f}`, '--max-leaks', '1');
      expect([f, gate.code, gate.out]).toEqual([f, 0, expect.stringContaining('PASS max-leaks: 1 leak (limit 1)')]);
    }
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
