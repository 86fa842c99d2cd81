// The gate names a leak of an mprof run by both its rates, as leaks and report do: a leak of the peaks
// (fixtures/mprof/peaks/churn.dat, memory_profiler 0.61: the floor level, the peaks rising) was named
// "trend 0.00 MiB/min", its floor's rate alone.
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DAT = 'fixtures/mprof/peaks/churn.dat';

describe("the gate's words for an mprof leak", () => {
  it('give the floor and the ceiling rates that leaks gives', async () => {
    const leaks = await cli('leaks', DAT, '--json');
    const t = (JSON.parse(leaks.out) as { series: { trendMiBPerMin: number; ceilingTrendMiBPerMin: number }[] })
      .series[0]!;
    const gate = await cli('gate', DAT, '--max-leaks', '0', '--min-leak-confidence', '0');
    const said = /\(trend ([-+\d.]+) MiB\/min floor, ([-+\d.]+) MiB\/min ceiling, confidence/.exec(gate.out);
    expect(said, gate.out).not.toBeNull();
    expect(Number(said![1])).toBeCloseTo(t.trendMiBPerMin, 2);
    expect(Number(said![2])).toBeCloseTo(t.ceilingTrendMiBPerMin, 2);
    expect(t.ceilingTrendMiBPerMin).toBeGreaterThan(t.trendMiBPerMin);
  });
});
