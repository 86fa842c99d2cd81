// memory_profiler before 0.61 writes `CHLD <place> ...`: each child's place in psutil's list of
// children at that sample (0, 1, ...), renumbered as children exit, where 0.61 writes its pid
// (fixtures/mprof/positions/make.sh: one program of six workers that never grow, under both).
// Numbers by place are no processes: "child 1" rose step by step as workers exited, and the gate
// failed on a leak nobody had. They are read as one series, the children's total at each sample.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/mprof/positions';

/** From the file's text: per MEM line, the CHLD values after it summed (rounds with children only). */
function totals(file: string): { t: number; mib: number }[] {
  const out: { t: number; mib: number }[] = [];
  let round: { t: number; mib: number } | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'MEM') round = null;
    if (f[0] !== 'CHLD') continue;
    if (!round) {
      round = { t: Number(f[3]), mib: 0 };
      out.push(round);
    }
    round.mib += Number(f[2]);
  }
  return out;
}

describe('CHLD lines numbered by place (memory_profiler 0.60)', () => {
  it('are read as one series, the total of the children at each sample, and said so', async () => {
    const file = `${DIR}/stagger-0.60.dat`;
    const c = await loadCapture(file);
    if (c.kind !== 'memory-series') throw new Error(`read as ${c.kind}`);
    expect(c.childIds).toBe('position');
    expect([...c.children.keys()]).toEqual([0]);
    const total = c.children.get(0)!;
    const expected = totals(file);
    expect(Array.from(total.t)).toEqual(expected.map((r) => r.t));
    Array.from(total.mib).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!.mib, 6));
    expect(c.warnings.join('\n')).toMatch(/number the children by their place at each sample/);
  });

  it('no child is judged to leak: leaks, info and gate name the total', async () => {
    const file = `${DIR}/stagger-0.60.dat`;
    const leaks = await cli('leaks', file);
    expect(leaks.out).toMatch(/children \(total\): (shrinking|stable|transient)/);
    expect(leaks.out).not.toMatch(/child \d/);
    expect((await cli('info', file)).out).toMatch(/^children \(total\) +\d+ samples/m);
    const gate = await cli('gate', file);
    expect([gate.code, gate.out]).toEqual([0, expect.stringMatching(/^PASS max-leaks: no leak/)]);
  });

  // zombie.py: a zombie child at place 0 (0 MiB at every sample) and pool workers at 1 and 2. Read as
  // the pids 1 and 2 ("child 2: retention") when place 0 never held memory.
  it('a zombie at place 0 that never held memory: the places still read as places', async () => {
    const file = `${DIR}/zombie-0.60.dat`;
    const c = await loadCapture(file);
    if (c.kind !== 'memory-series') throw new Error(`read as ${c.kind}`);
    expect([c.childIds, [...c.children.keys()]]).toEqual(['position', [0]]);
    const expected = totals(file);
    Array.from(c.children.get(0)!.mib).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!.mib, 6));
    expect((await cli('leaks', file)).out).not.toMatch(/child \d/);
  });

  it('pids (memory_profiler 0.61) stay one series per child', async () => {
    const c = await loadCapture(`${DIR}/stagger-0.61.dat`);
    if (c.kind !== 'memory-series') throw new Error(`read as ${c.kind}`);
    expect(c.childIds).toBe('pid');
    const pids = new Set(
      readFileSync(`${DIR}/stagger-0.61.dat`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('CHLD '))
        .map((l) => Number(l.split(' ')[1])),
    );
    expect(new Set(c.children.keys())).toEqual(pids);
    expect((await cli('gate', `${DIR}/stagger-0.61.dat`)).code).toBe(0);
  });

  it('pid 0 in a 0.61 file is a child gone before it was measured (0 MiB), not a numbering by place', async () => {
    const file = `${DIR}/vanishing-0.61.dat`;
    const byPid = new Map<number, number[]>();
    for (const l of readFileSync(file, 'utf8')
      .split('\n')
      .filter((x) => x.startsWith('CHLD '))) {
      const [, pid, mib] = l.split(' ');
      byPid.set(Number(pid), [...(byPid.get(Number(pid)) ?? []), Number(mib)]);
    }
    // What the file holds: "CHLD 0 0.000000" lines, and one child that grew by 70 MiB or more.
    expect(byPid.get(0)?.every((v) => v === 0)).toBe(true);
    const grower = [...byPid].find(([, v]) => Math.max(...v) - v[0]! >= 70)![0];
    const c = await loadCapture(file);
    if (c.kind !== 'memory-series') throw new Error(`read as ${c.kind}`);
    expect(c.childIds).toBe('pid');
    expect(c.children.has(0)).toBe(false);
    const gate = await cli('gate', file);
    expect([gate.code, gate.out]).toEqual([
      1,
      expect.stringMatching(new RegExp(`^FAIL max-leaks: 1 leak \\(limit 0\\): \\S+ child ${grower} `, 'm')),
    ]);
  });
});
