// Leak verdicts on real captures taken at uneven intervals (fixtures/leaks/timed, made by
// make_timed.py): with capture times known, growth is judged per second, so a steady leak whose exit
// snapshot came right after the last interval one is a leak; and `leaks`, `report` and `gate` agree.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leakResults, type SnapshotLeaks } from '../../src/analysis/leak-results.js';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { cli } from '../helpers.js';

type Kind = 'leak' | 'slowing' | 'plateau' | 'transient' | 'shrinking';
interface Series {
  readonly measured: Record<string, number[]>;
  readonly times: number[];
}
const truth = JSON.parse(readFileSync('fixtures/leaks/timed/truth.json', 'utf8')) as {
  uneven: Series & Record<Kind, string[]>;
  slower: Series & Record<Kind, string[]>;
  run: Series & { leak: string[] };
};
const load = (inputs: string[]) => loadCaptureSet(inputs, { load: (p, frames) => loadCapture(p, { frames }) });
const where = (s: { filename: string; lineno: number }): string => `${s.filename}:${s.lineno}`;
const short = (s: { filename: string; lineno: number }): string => `${basename(s.filename)}:${s.lineno}`;

const scratch = mkdtempSync(join(tmpdir(), 'arenascope-timed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** A copy of a folder without the files `drop` matches. */
function copyWithout(dir: string, name: string, drop: RegExp): string {
  const to = join(scratch, name);
  cpSync(dir, to, { recursive: true, filter: (src) => !drop.test(basename(src)) });
  return to;
}
/** The snapshots alone, flat: no sidecar, no manifest, so no capture times. */
function dumpsOnly(dir: string, name: string): string {
  const to = join(scratch, name);
  cpSync(dir, to, { recursive: true, filter: (src) => !/\.(time|peak|label|json|jsonl|dat)$/.test(src) });
  return to;
}

describe('a series at uneven intervals, ending with a capture right after the one before', () => {
  const t = truth.uneven;

  it('the fixture is what make_timed.py says: intervals that alternate, and a last one of a few ms', () => {
    const gaps = t.times.slice(1).map((x, i) => x - t.times[i]!);
    const full = gaps.slice(0, -1);
    expect(Math.max(...full) / Math.min(...full)).toBeGreaterThan(2.5);
    expect(gaps[gaps.length - 1]!).toBeLessThan(0.01);
  });

  it('with times (sidecars), every marked line gets its class', async () => {
    const set = await load(['fixtures/leaks/timed/uneven']);
    expect(set.timeSource).toBe('sidecar');
    const r = leakResults(set, {})[0] as SnapshotLeaks;
    const verdict = new Map(r.sites.map((s) => [where(s), s.verdict]));
    for (const kind of ['leak', 'slowing', 'plateau', 'transient', 'shrinking'] as const) {
      expect(t[kind].length, kind).toBe(1);
      for (const line of t[kind]) expect(verdict.get(line), `${kind} ${line}`).toBe(kind);
    }
  });

  it('without times, by capture number: the same but for the cache still filling, never called a leak', async () => {
    const r = leakResults(
      await load([dumpsOnly('fixtures/leaks/timed/uneven', 'uneven-untimed')]),
      {},
    )[0] as SnapshotLeaks;
    expect(r.times).toBeNull();
    const verdict = new Map(r.sites.map((s) => [where(s), s.verdict]));
    for (const kind of ['leak', 'plateau', 'transient', 'shrinking'] as const)
      for (const line of t[kind]) expect(verdict.get(line), `${kind} ${line}`).toBe(kind);
    // Its steps, large after long intervals and small after short ones, do not shrink one by one.
    for (const line of t.slowing) expect(verdict.get(line)).not.toBe('leak');
  });
});

describe('captures after every 40 requests of a program that gets slower to snapshot', () => {
  const t = truth.slower;
  const [leak] = t.leak;
  const [cache] = t.slowing;
  const steps = (b: number[]) => b.slice(1).map((x, i) => x - b[i]!);

  it('the fixture: intervals that grow ~70-fold, a leak of the same bytes at every capture', () => {
    const gaps = steps(t.times);
    expect(gaps[gaps.length - 1]! / gaps[0]!).toBeGreaterThan(20);
    const s = steps(t.measured[leak!]!);
    expect(Math.max(...s) / Math.min(...s)).toBeLessThan(1.1);
  });

  it('the leak is a leak, judged per capture (per second it only looks slower); the cache is not', async () => {
    const r = leakResults(await load(['fixtures/leaks/timed/slower']), {})[0] as SnapshotLeaks;
    expect(r.times).not.toBeNull();
    const site = (line: string) => r.sites.find((s) => where(s) === line)!;
    expect([site(leak!).verdict, site(leak!).perCapture]).toEqual(['leak', true]);
    expect(site(leak!).confidence).toBeGreaterThanOrEqual(0.5);
    // The cache fills per request; per second, with the intervals growing, most of it came early:
    // bounded either way, never a leak.
    expect(['slowing', 'plateau']).toContain(site(cache!).verdict);
    expect(site(cache!).perCapture).toBe(false);
    const text = (await cli('leaks', 'fixtures/leaks/timed/slower')).out;
    expect(text).toContain('judged per capture: it grew alike at every capture');
  });

  it('without times, the same leak, by capture number', async () => {
    const r = leakResults(
      await load([dumpsOnly('fixtures/leaks/timed/slower', 'slower-untimed')]),
      {},
    )[0] as SnapshotLeaks;
    const site = r.sites.find((s) => where(s) === leak)!;
    expect([site.verdict, site.perCapture]).toEqual(['leak', false]);
  });
});

describe('times from both the captures and sidecars, and times that repeat', () => {
  const uneven = 'fixtures/leaks/timed/uneven';
  const pick = (r: SnapshotLeaks) => r.sites.map((s) => [where(s), s.verdict, s.growthPerSecond]);

  it('converted JSON (time inside) and dumps with sidecars in one series keep every time', async () => {
    // The first five captures as arenascope JSON, named so that their names sort after the dumps'.
    const mixed = copyWithout(uneven, 'mixed', /^snap-[1-5]\.pickle/);
    for (let i = 1; i <= 5; i++) {
      const r = await cli('convert', `${uneven}/snap-${i}.pickle`, '--to', 'json', '-o', join(mixed, `z-${i}.json`));
      expect(r.code).toBe(0);
    }
    const set = await load([mixed]);
    expect(set.timeSource).toBe('both');
    const got = leakResults(set, {})[0] as SnapshotLeaks;
    const want = leakResults(await load([uneven]), {})[0] as SnapshotLeaks;
    expect(got.times).toEqual(want.times);
    expect(pick(got)).toEqual(pick(want));
    expect((await cli('leaks', mixed)).out).toContain('times recorded in the captures and in sidecar .time files');
  });

  it('sidecars that all say the same second: rated per capture, with a warning, not 0 B/s', async () => {
    const same = copyWithout(uneven, 'same-second', /\.time$/);
    for (let i = 1; i <= truth.uneven.times.length; i++)
      writeFileSync(join(same, `snap-${i}.pickle.time`), '1700000000\n');
    const r = leakResults(await load([same]), {})[0] as SnapshotLeaks;
    expect(r.sites.every((s) => s.growthPerSecond === null)).toBe(true);
    const untimed = leakResults(await load([dumpsOnly(uneven, 'same-untimed')]), {})[0] as SnapshotLeaks;
    expect(r.sites.map((s) => [where(s), s.verdict])).toEqual(untimed.sites.map((s) => [where(s), s.verdict]));
    const run = await cli('leaks', same);
    expect(run.err).toContain('capture times do not rise at every step');
    expect(run.out).toContain('capture times repeat or go back: rates are per capture');
    expect(run.out).not.toContain('B/s');
  });
});

describe('`arenascope run` on a program that keeps 256 KiB every 50 ms: the exit snapshot comes early', () => {
  const t = truth.run;
  const line = t.leak[0]!;

  it('the fixture: full intervals of 0.5 s, then the exit snapshot well under one after the last', () => {
    const gaps = t.times.slice(1).map((x, i) => x - t.times[i]!);
    expect(gaps.slice(0, -1).every((g) => g > 0.45 && g < 0.6)).toBe(true);
    expect(gaps[gaps.length - 1]!).toBeLessThan(0.125);
    // It kept bytes in every full interval.
    const b = t.measured[line]!;
    expect(b.slice(1, -1).every((x, i) => x > b[i]!)).toBe(true);
  });

  it.each([
    ['sidecars', () => 'fixtures/leaks/timed/run'],
    ['the run manifest (no sidecar)', () => copyWithout('fixtures/leaks/timed/run', 'run-manifest', /\.time$/)],
  ])('with times from %s, the kept line is a leak, and gate fails on it', async (_, dir) => {
    const folder = dir();
    const set = await load([folder]);
    expect(set.timeSource).not.toBeNull();
    const r = leakResults(set, {}).find((x) => x.kind === 'snapshots') as SnapshotLeaks;
    const site = r.sites.find((s) => short(s) === line)!;
    expect(site.verdict).toBe('leak');
    expect(site.confidence).toBeGreaterThanOrEqual(0.5);
    const gate = await cli('gate', folder, '--json');
    expect(gate.code).toBe(1);
    const check = (JSON.parse(gate.out) as GateJson).checks.find((c) => c.check === 'max-leaks')!;
    expect(check.sites.map((s) => `${basename(s.file)}:${s.line}`)).toContain(line);
  });
});

interface GateJson {
  checks: { check: string; passed: boolean; sites: { file: string; line: number }[] }[];
}
interface SiteJson {
  filename: string;
  lineno: number;
  verdict: string;
  confidence: number;
}

// Every site's verdict as `leaks --json` prints it; `report --json`, `report -f text` and `gate`
// must say the same of the same captures.
async function agree(input: string): Promise<SiteJson[]> {
  const out = JSON.parse((await cli('leaks', input, '--json')).out) as unknown;
  const leaks = (Array.isArray(out) ? out : [out]).find((r: { kind: string }) => r.kind === 'snapshots') as {
    sites: SiteJson[];
  };
  const pick = (s: SiteJson) => [s.filename, s.lineno, s.verdict, s.confidence];
  const report = JSON.parse((await cli('report', input, '--json')).out) as {
    snapshots: { leaks: { sites: SiteJson[] } };
  };
  expect(report.snapshots.leaks.sites.map(pick)).toEqual(leaks.sites.map(pick));
  const leaking = leaks.sites.filter((s) => s.verdict === 'leak');
  const text = (await cli('report', input, '-f', 'text')).out;
  const listed = [...text.matchAll(/^leak {2}(\S+)/gm)].map((m) => m[1]!);
  expect(listed.sort()).toEqual(leaking.map((s) => short(s)).sort());
  const gate = JSON.parse((await cli('gate', input, '--json')).out) as GateJson;
  const counted = gate.checks.find((c) => c.check === 'max-leaks')!.sites.map((s) => `${basename(s.file)}:${s.line}`);
  expect(counted.sort()).toEqual(
    leaking
      .filter((s) => s.confidence >= 0.5)
      .map((s) => short(s))
      .sort(),
  );
  return leaks.sites;
}

describe('leaks, report (JSON and text) and gate give the same verdicts, times known or not', () => {
  const inputs: [string, boolean, () => string][] = [
    ['timed/uneven', true, () => 'fixtures/leaks/timed/uneven'],
    ['timed/uneven without times', false, () => dumpsOnly('fixtures/leaks/timed/uneven', 'agree-uneven')],
    ['timed/slower', true, () => 'fixtures/leaks/timed/slower'],
    ['timed/run', true, () => 'fixtures/leaks/timed/run'],
    ['timed/run, times from its manifest', true, () => copyWithout('fixtures/leaks/timed/run', 'agree-run', /\.time$/)],
    ['timed/run without times', false, () => dumpsOnly('fixtures/leaks/timed/run/snapshots', 'agree-run-untimed')],
    ...['memo_leak', 'cache_filling', 'lru_plateau', 'cycles_transient'].map((w): [string, boolean, () => string] => [
      w,
      true,
      () => `fixtures/leaks/${w}`,
    ]),
    ['cache_filling without times', false, () => dumpsOnly('fixtures/leaks/cache_filling', 'agree-cache')],
  ];

  it.each(inputs)('%s', async (_, timed, input) => {
    const dir = input();
    expect((await load([dir])).timeSource !== null).toBe(timed);
    const sites = await agree(dir);
    expect(sites.some((s) => s.verdict !== 'stable')).toBe(true);
  });
});

describe('a site that grew in one step of many', () => {
  it('has no steady rate per second: its text says the mean per capture, not "+0 B/s" beside a leak', async () => {
    // Real captures: memo_leak's first dump ten times a second apart, then its last: one jump at the end.
    const dir = join(scratch, 'one-jump');
    cpSync('fixtures/leaks/memo_leak', join(scratch, 'memo-copy'), { recursive: true });
    const names = [...Array(10).fill('snap-1.pickle'), 'snap-9.pickle'] as string[];
    cpSync(join(scratch, 'memo-copy'), dir, { recursive: true, filter: (p) => !/snap-\d+\.pickle/.test(basename(p)) });
    names.forEach((name, i) => {
      cpSync(join(scratch, 'memo-copy', name), join(dir, `c-${String(i + 1).padStart(2, '0')}.pickle`));
      writeFileSync(join(dir, `c-${String(i + 1).padStart(2, '0')}.pickle.time`), `${1_800_000_000 + i}\n`);
    });
    const json = await cli('leaks', dir, '--json');
    const site = (
      JSON.parse(json.out) as { sites: { lineno: number; growthPerSecond: number; verdict: string }[] }
    ).sites.find((s) => s.lineno === 9)!;
    expect(site.growthPerSecond).toBe(0); // the median slope: nine of ten steps did not grow
    const text = await cli('leaks', dir);
    expect(text.out).not.toContain('+0 B/s');
    expect(text.out).toMatch(/memo_leak\.py:9 {2}\+1526 KiB \(\+153 KiB\/capture on average\)/);
  });

  it('a leak that began late: its rate from the last capture of its level start (h227)', async () => {
    // memo_leak's first dump five times, then its 3rd, 6th and 9th, a second apart: over the whole
    // series the median slope was a fraction of the leak's own (11 KiB/s where it grew 2 MiB/s).
    const dir = join(scratch, 'late');
    const names = [...Array(5).fill('snap-1.pickle'), 'snap-3.pickle', 'snap-6.pickle', 'snap-9.pickle'] as string[];
    const memo = 'fixtures/leaks/memo_leak';
    cpSync(memo, dir, { recursive: true, filter: (p) => !/snap-\d+\.pickle/.test(basename(p)) });
    names.forEach((name, i) => {
      cpSync(join(memo, name), join(dir, `c-${i + 1}.pickle`));
      writeFileSync(join(dir, `c-${i + 1}.pickle.time`), `${1_800_000_000 + i}\n`);
    });
    const json = await cli('leaks', dir, '--json');
    const site = (
      JSON.parse(json.out) as {
        sites: { lineno: number; growthPerSecond: number; rateFrom: number; bytesPerCapture: number[] }[];
      }
    ).sites.find((s) => s.lineno === 9)!;
    const b = site.bytesPerCapture;
    expect(site.rateFrom).toBe(4); // the 5th capture, the last of the level
    // The median of the slopes between the captures from there (a second apart).
    const slopes = [
      b[5]! - b[4]!,
      b[6]! - b[5]!,
      b[7]! - b[6]!,
      (b[6]! - b[4]!) / 2,
      (b[7]! - b[5]!) / 2,
      (b[7]! - b[4]!) / 3,
    ];
    slopes.sort((x, y) => x - y);
    expect(site.growthPerSecond).toBeCloseTo((slopes[2]! + slopes[3]!) / 2, 6);
    const text = await cli('leaks', dir);
    expect(text.out).toMatch(/memo_leak\.py:9 {2}\+\d+ KiB \(\+\d+ KiB\/s from capture 5\)/);
  });

  it('a leak that began late, each step under the growth that counts: its rate from its start too (h285)', async () => {
    // memo_leak's first dump five times, then its 2nd to 9th, a second apart: memo_leak.py:13 flat, then
    // 11 KiB a step (CPython's figures: the dumps' own sizes). Flat within 64 KiB until its 11th capture,
    // its rate was the median slope of the whole series: a leak starting halfway read 8.9 KB/s for 22.
    const dir = join(scratch, 'late-small');
    const names = [...Array(5).fill('snap-1.pickle'), ...[2, 3, 4, 5, 6, 7, 8, 9].map((i) => `snap-${i}.pickle`)];
    const memo = 'fixtures/leaks/memo_leak';
    cpSync(memo, dir, { recursive: true, filter: (p) => !/snap-\d+\.pickle/.test(basename(p)) });
    names.forEach((name, i) => {
      cpSync(join(memo, name), join(dir, `c-${String(i + 1).padStart(2, '0')}.pickle`));
      writeFileSync(join(dir, `c-${String(i + 1).padStart(2, '0')}.pickle.time`), `${1_800_000_000 + i}\n`);
    });
    const json = await cli('leaks', dir, '--json');
    const site = (
      JSON.parse(json.out) as {
        sites: { lineno: number; growthPerSecond: number; rateFrom: number; bytesPerCapture: number[] }[];
      }
    ).sites.find((s) => s.lineno === 13)!;
    const b = site.bytesPerCapture;
    expect(new Set(b.slice(0, 5)).size).toBe(1);
    const steps = b.slice(5).map((x, i) => x - b[i + 4]!);
    expect(Math.max(...steps)).toBeLessThan(64 * 1024);
    expect(site.rateFrom).toBe(4); // the 5th capture, the last of the level
    expect(site.growthPerSecond).toBeGreaterThanOrEqual(Math.min(...steps));
    expect(site.growthPerSecond).toBeLessThanOrEqual(Math.max(...steps));
  });

  // fixtures/leaks/make_late_rates.py (CPython 3.11, a capture every 0.1 s): a 12 KB buffer made and
  // dropped at alternate captures, then 60 KB kept a step, on one line (h287 read 23 KiB/s for 575); and
  // 20 KB kept a step from capture 17 on another, 64 KiB reached at the last (it read 0 B/s for 192).
  it('late leaks after noise, or of steps under the growth that counts: rated from their start', async () => {
    const truth = JSON.parse(readFileSync('fixtures/leaks/late_rates.truth.json', 'utf8')) as Record<
      string,
      { lineno: number; bytes: number[]; leakFrom: number; slopes: number[] }
    >;
    const sites = (
      JSON.parse((await cli('leaks', 'fixtures/leaks/late_rates', '--json')).out) as {
        sites: { lineno: number; growthPerSecond: number; rateFrom: number; bytesPerCapture: number[] }[];
      }
    ).sites;
    for (const t of Object.values(truth)) {
      const site = sites.find((s) => s.lineno === t.lineno)!;
      expect(site.bytesPerCapture).toEqual(t.bytes);
      expect(site.rateFrom).toBeGreaterThanOrEqual(t.leakFrom - 1);
      expect(site.growthPerSecond).toBeGreaterThanOrEqual(Math.min(...t.slopes));
      expect(site.growthPerSecond).toBeLessThanOrEqual(Math.max(...t.slopes));
    }
  });

  it('a leak steady from the start, each step under the growth that counts: its rate over the whole series (h246)', async () => {
    // memo_leak.py:13 grows by the same bytes every step (CPython's figures: the dumps' own sizes), 11 KiB
    // a step, under the 64 KiB that counts until its sixth capture: it was rated "from capture 6".
    const json = await cli('leaks', 'fixtures/leaks/memo_leak', '--json');
    const site = (
      JSON.parse(json.out) as { sites: { lineno: number; rateFrom: number; bytesPerCapture: number[] }[] }
    ).sites.find((s) => s.lineno === 13)!;
    const b = site.bytesPerCapture;
    const steps = b.slice(1).map((x, i) => x - b[i]!);
    expect(Math.max(...steps) - Math.min(...steps)).toBeLessThan(0.05 * Math.max(...steps)); // steady
    expect(site.rateFrom).toBe(0);
    const text = await cli('leaks', 'fixtures/leaks/memo_leak');
    expect(text.out).toMatch(/memo_leak\.py:13 {2}\+[\d.]+ KiB \(\+[\d.]+ KiB\/s\), confidence/);
  });
});
