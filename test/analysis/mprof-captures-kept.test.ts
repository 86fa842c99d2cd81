// The RSS trend of an `arenascope run -- pytest` whose captures measured what each kept of the resident
// memory (captures.jsonl's rssKept), on two real runs: fixtures/run/pytest-kept, 8 tests keeping nothing
// (their RSS rose 59 MiB under the captures' snapshots, on a loaded machine), and fixtures/run/pytest-c-leak,
// 8 tests keeping 6 MiB each outside Python's objects. In both, the captures grew RSS by more than it rose
// over the tests: what a capture frees is reused by whatever comes next (the leaking tests' bodies grew RSS
// by almost nothing). So no rise is taken for the captures': each leak is counted as measured, and the
// captures' figure is said beside it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

interface Trend {
  name: string;
  verdict: string;
  confidence: number;
  floorStartMiB: number;
  floorEndMiB: number;
  capturesKeptMiB?: number;
  next: string;
}

async function mainTrend(dir: string): Promise<Trend> {
  const r = await cli('leaks', dir, '--json');
  expect(r.code, r.err).toBe(0);
  // One object for a run of one kind, else a list.
  const runs = [JSON.parse(r.out) as { kind: string; series?: Trend[] }].flat();
  return runs.find((x) => x.kind === 'memory')!.series!.find((t) => t.name === 'main')!;
}

interface Event {
  kind: string;
  rssKept?: number;
  rssBody?: number;
}
const events = (dir: string): Event[] =>
  readFileSync(`${dir}/captures.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
const MiB = 2 ** 20;

describe("what a run's own captures kept of its RSS", () => {
  // Its troughs rose 59 MiB to meet peaks that stayed level: retention, memory the captures freed and the
  // process kept. Its floor's rise was measured between the thirds' medians alone, 5/7 of it over 8 windows,
  // under half the gap: it read "leak" (0.45), hidden under the peaks (h316).
  it('is said beside the retention of tests keeping nothing, judged as measured', async () => {
    const dir = 'fixtures/run/pytest-kept';
    const t = await mainTrend(dir);
    const kept = events(dir).reduce((a, e) => a + Math.max(0, e.rssKept ?? 0), 0);
    expect(t.verdict).toBe('retention');
    // Over the tests, the captures grew RSS by more than its floor rose.
    expect(t.capturesKeptMiB! * MiB).toBeLessThanOrEqual(kept);
    expect(t.floorEndMiB - t.floorStartMiB).toBeLessThan(t.capturesKeptMiB!);
    const gate = await cli('gate', dir, '--min-leak-confidence', '0.3');
    expect([gate.code, gate.out]).toEqual([0, expect.stringContaining('PASS max-leaks')]);
  });

  it('is no reason to pass a leak outside Python objects: the captures after it grew RSS, not its tests', async () => {
    const dir = 'fixtures/run/pytest-c-leak';
    const t = await mainTrend(dir);
    const tests = events(dir).filter((e) => e.kind === 'test');
    const bodies = tests.reduce((a, e) => a + (e.rssBody ?? 0), 0);
    // 48 MiB kept by the tests; their bodies grew RSS by under a third of it, the captures by more than the rise.
    expect(tests.length).toBe(8);
    expect(bodies).toBeLessThan(16 * MiB);
    expect([t.verdict, t.confidence >= 0.5]).toEqual(['leak', true]);
    expect(t.floorEndMiB - t.floorStartMiB).toBeLessThan(t.capturesKeptMiB!);
    const gate = await cli('gate', dir);
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining('FAIL max-leaks: 1 leak (limit 0)')]);
  });

  it('is passed over where an event holds something else: the run is read as one that did not measure it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'arenascope-kept-')), 'run');
    cpSync('fixtures/run/pytest-kept', dir, { recursive: true });
    const file = join(dir, 'captures.jsonl');
    const damaged = readFileSync(file, 'utf8').replace(/"rssKept": (-?\d+)/g, '"rssKept": "$1 bytes"');
    writeFileSync(file, damaged.replace(/"time": ([\d.]+)/, '"time": "$1"'));
    const t = await mainTrend(dir);
    expect([t.verdict, t.capturesKeptMiB]).toEqual([(await mainTrend('fixtures/run/pytest-kept')).verdict, undefined]);
  });
});
