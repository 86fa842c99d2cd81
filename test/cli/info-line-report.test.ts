// `info` of a line report gives its peak, the highest Mem usage memory_profiler printed (what `report`
// and `gate --max-peak` take): it listed each function's alone, the first 10 of 20 (h291).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

describe('info of a line report (fixtures/line-reports/real, memory_profiler 0.4-0.61)', () => {
  it.each(['mp0.57-p4.txt', 'mp0.61-mprun-T.txt', 'mp0.15-py27.txt', 'mp0.28-py27-p2.txt'])(
    '%s: the highest Mem usage printed',
    async (name) => {
      const file = `fixtures/line-reports/real/${name}`;
      // memory_profiler's rows: line number, then Mem usage and its unit.
      const printed = [...readFileSync(file, 'utf8').matchAll(/^\s*\d+\s+([\d.]+) Mi?B /gm)].map((m) => Number(m[1]));
      const r = await cli('info', file, '--json');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as { peakMiB: number }).peakMiB).toBe(Math.max(...printed));
    },
  );
});
