// The RSS trend of an `arenascope run -- pytest` whose captures recorded what each kept of the resident
// memory (fixtures/run/pytest-kept: a real run of 8 tests keeping nothing, on a loaded machine). Each
// test's measurement snapshots every trace before and after the body: its RSS rose 59 MiB over the
// tests, read a leak, and the gate failed a suite that keeps nothing. The captures kept 101 MiB of it,
// as the process measured before and after each: the rise is named, not counted, in every command.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/run/pytest-kept';

interface Trend {
  name: string;
  verdict: string;
  confidence: number;
  floorStartMiB: number;
  floorEndMiB: number;
  capturesKeptMiB?: number;
  byCaptures?: boolean;
}

async function mainTrend(dir: string): Promise<Trend> {
  const r = await cli('leaks', dir, '--json');
  expect(r.code, r.err).toBe(0);
  // One object for a run of one kind, else a list.
  const runs = [JSON.parse(r.out) as { kind: string; series?: Trend[] }].flat();
  return runs.find((x) => x.kind === 'memory')!.series!.find((t) => t.name === 'main')!;
}

// The run's events with each rssKept scaled by `k` (what the captures kept, as another run could have measured it).
function scaled(k: number): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'arenascope-kept-')), 'run');
  cpSync(DIR, dir, { recursive: true });
  const file = join(dir, 'captures.jsonl');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const out = lines.map((l) => {
    const e = JSON.parse(l) as { rssKept?: number };
    return JSON.stringify(e.rssKept === undefined ? e : { ...e, rssKept: Math.round(e.rssKept * k) });
  });
  writeFileSync(file, `${out.join('\n')}\n`);
  return dir;
}

describe("an RSS rise within what a run's own captures kept", () => {
  it('is a leak named, not counted: leaks, gate and report say so alike', async () => {
    const t = await mainTrend(DIR);
    const events = readFileSync(`${DIR}/captures.jsonl`, 'utf8').trim().split('\n');
    const kept = events.map((l) => (JSON.parse(l) as { rssKept?: number }).rssKept ?? 0);
    // The RSS judged rose by less than the captures kept over the tests (the run's own measure of them).
    expect([t.verdict, t.byCaptures]).toEqual(['leak', true]);
    expect(t.floorEndMiB - t.floorStartMiB).toBeLessThan(t.capturesKeptMiB!);
    expect(t.capturesKeptMiB! * 2 ** 20).toBeLessThanOrEqual(kept.reduce((a, b) => a + Math.max(0, b), 0));
    const text = await cli('leaks', DIR);
    expect(text.out).toMatch(/main: LEAK \(confidence 0\.\d\d; not counted: within what the run's own captures kept\)/);
    expect(text.out).toContain('the rise can be theirs, and is not counted as a leak');
    // Counted at its confidence (0.45), it failed the gate; now it is said apart.
    const gate = await cli('gate', DIR, '--min-leak-confidence', '0.4');
    expect([gate.code, gate.out]).toEqual([0, expect.stringContaining('PASS max-leaks: no leak (limit 0)')]);
    expect(gate.out).toContain("not counted, RSS rose no more than the run's own captures kept of it");
    const report = await cli('report', DIR, '--format', 'json');
    expect(report.code, report.err).toBe(0);
    expect((JSON.parse(report.out) as { summary: { leakSuspects: number } }).summary.leakSuspects).toBe(0);
    expect((await cli('report', DIR, '--format', 'text')).out).toContain("not counted: within what the run's own");
  });

  it('is counted when it rose by more than the captures kept', async () => {
    const dir = scaled(0.1);
    const t = await mainTrend(dir);
    expect([t.verdict, t.byCaptures ?? false]).toEqual(['leak', false]);
    expect(t.capturesKeptMiB!).toBeCloseTo(10.1, 0);
    const gate = await cli('gate', dir, '--min-leak-confidence', '0.4');
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining('FAIL max-leaks: 1 leak (limit 0)')]);
  });
});
