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

describe('a peak taken in the last moments (real run)', () => {
  // end_at_peak.py held 240 MiB, gave 200 back, and took 400 at its end: nothing was level before.
  it('does not say the run was level before the rise', async () => {
    const file = `${DIR}/end-at-peak.dat`;
    const text = (await cli('leaks', file)).out;
    expect(text).not.toMatch(/level until/);
    expect(text).toMatch(/its peak came in its last moments \(from [\d.]+ s\)/);
    const t = (JSON.parse((await cli('leaks', '--json', file)).out) as { series: (Trend & { peakAtEnd: boolean })[] })
      .series[0]!;
    expect([t.verdict, t.peakAtEnd]).toEqual(['leak', true]);
    expect((await cli('report', '--format', 'markdown', file)).out).not.toMatch(/level until/);
  });

  it('keeps "level until" for a leak that began after a level stretch', async () => {
    const text = (await cli('leaks', `${DIR}/leak-from-70.dat`)).out;
    expect(text).toMatch(/level until [\d.]+ s, rising since/);
  });
});
