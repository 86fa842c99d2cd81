// Rises a line over the whole run misses, in real `mprof run`s (fixtures/mprof/late/make.sh): a leak
// that starts late and runs to the end ("stable, confidence 1" at 85%; 0.49 at 60%, the gate passed
// it), a step late in the run ("no change of 1 MiB" of a 100 MiB step), and a steady leak under
// spikes of a far larger working set ("plateau", "retention": the gate passed it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/mprof/late';
const truth = JSON.parse(readFileSync(`${DIR}/truth.json`, 'utf8')) as Record<
  string,
  { verdict: string; gate: 'fail' | 'named'; from: number | null }
>;

interface Trend {
  verdict: string;
  confidence: number;
  risingFromSeconds: number | null;
  durationSeconds: number;
  ceilingTrendMiBPerMin: number;
  trendMiBPerMin: number;
}

describe('late rises and leaks under spikes (real runs)', () => {
  it.each(Object.entries(truth))('%s: %o', async (file, want) => {
    const r = await cli('leaks', '--json', `${DIR}/${file}`);
    const t = (JSON.parse(r.out) as { series: Trend[] }).series[0]!;
    expect(t.verdict).toBe(want.verdict);
    if (want.from === null) expect(t.risingFromSeconds).toBeNull();
    // Within a window of the envelope (up to 30 windows; a short run's few are wide).
    else expect(Math.abs(t.risingFromSeconds! - want.from)).toBeLessThanOrEqual(Math.max(2.5, t.durationSeconds / 5));
    // A leak's rates are its own: the programs keep 1-2 MiB/s, far from "+0.00 MiB/min".
    if (want.verdict === 'leak') expect(Math.max(t.trendMiBPerMin, t.ceilingTrendMiBPerMin)).toBeGreaterThan(30);
    const gate = await cli('gate', `${DIR}/${file}`);
    if (want.gate === 'fail') {
      expect([gate.code, gate.out]).toEqual([1, expect.stringContaining('FAIL max-leaks: 1 leak')]);
    } else if (want.verdict === 'leak') {
      // Too little of the run to count at the gate's confidence: named, not counted.
      expect(gate.out).toMatch(/not counted, below confidence 0\.5: .*main/);
    } else expect(gate.code).toBe(0);
    // The report says what leaks and gate say.
    const report = JSON.parse((await cli('report', '--format', 'json', `${DIR}/${file}`)).out) as {
      memory: { trends: { series: Trend[] } }[];
    };
    expect(report.memory[0]!.trends.series[0]!.verdict).toBe(want.verdict);
  });
});
