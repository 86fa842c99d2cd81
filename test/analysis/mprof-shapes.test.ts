// RSS shapes from real `mprof run`s (fixtures/mprof/shapes/make.sh, which checks each run's window
// minima and maxima): growth, retention, plateau, released and steady must each get their verdict,
// every output must keep measured figures at or under the measured peak, and only growth fails a gate.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leakingSeries, type MemoryTrend, memoryTrend } from '../../src/analysis/mprof.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/mprof/shapes';
const truth = JSON.parse(readFileSync(`${DIR}/truth.json`, 'utf8')) as Record<string, string>;

interface Trend {
  name: string;
  verdict: string;
  confidence: number;
  peakMiB: number;
  floorStartMiB: number;
  floorEndMiB: number;
  ceilingStartMiB: number;
  ceilingEndMiB: number;
  trendMiBPerMin: number | null;
  ceilingTrendMiBPerMin: number | null;
  floorMiB: number[];
  ceilingMiB: number[];
  settledAtSeconds: number | null;
  durationSeconds: number;
  next: string;
}

/** The MEM samples of a .dat, read here on their own (not through arenascope). */
function samples(file: string): { t: number[]; mib: number[] } {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('MEM '))
    .map((l) => l.split(' '));
  return { t: rows.map((r) => Number(r[2])), mib: rows.map((r) => Number(r[1])) };
}

async function trend(file: string): Promise<Trend> {
  const r = await cli('leaks', file, '--json');
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out) as { kind: string; series: Trend[] };
  expect(j.kind).toBe('memory');
  return j.series[0]!;
}

describe('mprof shapes (real runs)', () => {
  it.each(Object.entries(truth))('%s is %s', async (file, verdict) => {
    const t = await trend(`${DIR}/${file}`);
    expect(t.verdict).toBe(verdict);
    expect(t.confidence).toBeGreaterThanOrEqual(0.5);
    expect(t.next.length).toBeGreaterThan(20);
  });

  it.each(Object.keys(truth))('%s: measured figures are samples, none above the peak', async (file) => {
    const t = await trend(`${DIR}/${file}`);
    const { mib } = samples(`${DIR}/${file}`);
    expect(t.peakMiB).toBe(Math.max(...mib));
    for (const x of [
      t.floorStartMiB,
      t.floorEndMiB,
      t.ceilingStartMiB,
      t.ceilingEndMiB,
      ...t.floorMiB,
      ...t.ceilingMiB,
    ]) {
      expect(mib).toContain(x);
      expect(x).toBeLessThanOrEqual(t.peakMiB);
    }
    expect(t.floorEndMiB).toBeLessThanOrEqual(t.ceilingEndMiB);
    // The text output prints no floor above the peak either.
    const text = (await cli('leaks', `${DIR}/${file}`)).out;
    const m = /floor ([\d.]+) -> ([\d.]+) MiB, ceiling ([\d.]+) -> ([\d.]+) MiB, peak ([\d.]+) MiB/.exec(text);
    expect(m).not.toBeNull();
    const [f0, f1, c0, c1, peak] = m!.slice(1).map(Number) as [number, number, number, number, number];
    for (const x of [f0, f1, c0, c1]) expect(x).toBeLessThanOrEqual(peak);
  });

  it('a released run and a plateau have no rates in JSON, as their text has no trend (a fit over the span said +700 MiB/min)', async () => {
    for (const f of ['released.dat', 'plateau.dat']) {
      const t = await trend(`${DIR}/${f}`);
      expect([t.verdict, t.trendMiBPerMin, t.ceilingTrendMiBPerMin]).toEqual([truth[f], null, null]);
      expect((await cli('leaks', `${DIR}/${f}`)).out).not.toContain('MiB/min');
    }
    const g = await trend(`${DIR}/growth.dat`);
    expect(typeof g.trendMiBPerMin).toBe('number');
  });

  it('growth: the floor and the ceiling climb together, at the rate the workload keeps', async () => {
    const t = await trend(`${DIR}/growth.dat`);
    // growth.py keeps 2 MiB per iteration of ~0.165 s: ~730 MiB/min, less the time spent in sleep
    // overshoot; both envelopes rise at about that rate.
    for (const r of [t.trendMiBPerMin, t.ceilingTrendMiBPerMin]) {
      expect(r).toBeGreaterThan(400);
      expect(r).toBeLessThan(800);
    }
    expect(t.ceilingEndMiB - t.ceilingStartMiB).toBeGreaterThan(20);
    expect(t.next).toContain('arenascope leaks');
  });

  it('retention: the floor ends near a ceiling that did not move', async () => {
    const t = await trend(`${DIR}/retention.dat`);
    expect(Math.abs(t.ceilingEndMiB - t.ceilingStartMiB)).toBeLessThan(1);
    expect(t.floorEndMiB - t.floorStartMiB).toBeGreaterThan(10);
    expect(t.ceilingEndMiB - t.floorEndMiB).toBeLessThan(5);
    const text = (await cli('leaks', `${DIR}/retention.dat`)).out;
    expect(text).toContain('memory kept by the allocator, not growing');
    expect(text).not.toContain('LEAK');
  });

  it('plateau: says when it settled, and prints no trend over a run that stopped', async () => {
    const t = await trend(`${DIR}/plateau.dat`);
    // plateau.py stops adding at 1.6 s after its start (~0.3 s of interpreter start-up later).
    expect(t.settledAtSeconds).toBeGreaterThan(1.5);
    expect(t.settledAtSeconds).toBeLessThan(2.6);
    expect(t.next).toContain(`--warmup ${Math.ceil(t.settledAtSeconds!)}`);
    const text = (await cli('leaks', `${DIR}/plateau.dat`)).out;
    expect(text).not.toContain('MiB/min');
    // Judged after the warm-up the next step names, the rest of the run is level.
    const rest = (
      await cli('leaks', `${DIR}/plateau.dat`, '--warmup', String(Math.ceil(t.settledAtSeconds!)), '--json')
    ).out;
    expect((JSON.parse(rest) as { series: Trend[] }).series[0]!.verdict).toBe('stable');
  });

  it('released: says "released", with the measured fall and no fitted rate', async () => {
    const t = await trend(`${DIR}/released.dat`);
    const { mib } = samples(`${DIR}/released.dat`);
    expect(t.ceilingEndMiB).toBeLessThan(Math.max(...mib) - 20);
    const text = (await cli('leaks', `${DIR}/released.dat`)).out;
    expect(text).toContain('main: released');
    expect(text).toContain('rose, then fell back');
    expect(text).not.toContain('MiB/min');
  });

  it('the gate fails the leaking runs only', async () => {
    for (const [f, verdict] of Object.entries(truth)) {
      const r = await cli('gate', `${DIR}/${f}`);
      expect([f, r.code]).toEqual([f, verdict === 'leak' ? 1 : 0]);
      if (verdict === 'leak') expect(r.out + r.err).toContain(f);
    }
  });

  it('the report (markdown) says the same verdicts', async () => {
    const r = await cli('report', `${DIR}/released.dat`, `${DIR}/retention.dat`, '--format', 'markdown');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/released\.dat` main: released \(confidence \d\.\d\d\): rose, then fell back/);
    expect(r.out).toMatch(/retention\.dat` main: retention/);
    expect(r.out).not.toMatch(/released[^\n]*MiB\/min/);
  });
});

describe('memoryTrend on series built to a shape', () => {
  // A minute at 10 Hz: a 30 MiB working set held for 0.5 s of every 1 s on top of `floor(s)`.
  const t = Array.from({ length: 600 }, (_, i) => 1000 + i * 0.1);
  const run = (floor: (s: number) => number, work: (s: number) => number = () => 30) => ({
    t: Float64Array.from(t),
    mib: Float64Array.from(t.map((x) => x - 1000).map((s) => floor(s) + (s % 1 < 0.5 ? work(s) : 0))),
  });

  it('a one-off spike on a leak leaves it a leak', () => {
    const s = run((x) => 100 + 0.5 * x + (x > 30 && x < 31 ? 400 : 0));
    expect(memoryTrend('main', s).verdict).toBe('leak');
  });

  it('troughs rising to flat peaks are retention, and fitted rates never stand in for measured figures', () => {
    // Peaks at 130 MiB throughout; the troughs climb from 100 to 128 MiB.
    const s = run(
      (x) => 100 + Math.min(28, x * 0.5),
      (x) => 30 - Math.min(28, x * 0.5),
    );
    const r = memoryTrend('main', s);
    expect(r.verdict).toBe('retention');
    expect(r.floorEndMiB).toBeLessThanOrEqual(r.peakMiB);
    expect(r.ceilingEndMiB).toBe(130);
  });

  it('peaks rising over a flat floor (a working set that grows) is growth, with half the confidence', () => {
    const grows = memoryTrend(
      'main',
      run(
        () => 100,
        (x) => 10 + x,
      ),
    );
    const both = memoryTrend(
      'main',
      run((x) => 100 + x),
    );
    expect(grows.verdict).toBe('leak');
    expect(grows.next).toContain('not the troughs');
    expect(grows.confidence).toBeLessThan(both.confidence);
  });

  it('a rise that falls back is released, not shrinking or a plateau', () => {
    const s = run((x) => (x < 30 ? 100 + 3 * x : 110));
    expect(memoryTrend('main', s).verdict).toBe('transient');
  });
});

describe('children starting under --include-children (fixtures/mprof/shapes/childburst.dat)', () => {
  it("a slow leak whose first window holds the children's start-up is a leak the gate counts", async () => {
    const t = await trend(`${DIR}/childburst.dat`);
    // The start-up is the run's highest window: the rest of the ceiling rises at every window.
    expect(t.verdict).toBe('leak');
    expect(t.confidence).toBeGreaterThanOrEqual(0.5); // 0.33 read "not counted" and the gate passed
    const gate = await cli('gate', `${DIR}/childburst.dat`);
    expect(gate.code).toBe(1);
    expect(gate.out).toMatch(/^FAIL max-leaks: 1 leak \(limit 0\): \S+childburst\.dat main/m);
  });
});

describe('a leaking child that exits before its parent, under --include-children (fixtures/mprof/shapes/childexit.dat)', () => {
  it('is a leak the gate counts: the floor rose at every window until the child exited (0.38, and the gate passed)', async () => {
    const t = await trend(`${DIR}/childexit.dat`);
    expect(t.verdict).toBe('leak');
    expect(t.confidence).toBeGreaterThanOrEqual(0.5);
    expect(t.next).not.toMatch(/not the troughs/);
    const gate = await cli('gate', `${DIR}/childexit.dat`);
    expect(gate.code).toBe(1);
  });
});

describe('children leaking until just before they exit, under --multiprocess (fixtures/mprof/shapes/childsettle.dat)', () => {
  it('no series is said to have settled where its last two windows are not at one level (the last alone always is)', async () => {
    const { series } = JSON.parse((await cli('leaks', `${DIR}/childsettle.dat`, '--json')).out) as { series: Trend[] };
    const children = series.filter((s) => s.name.startsWith('child ') && s.floorMiB.length >= 4);
    expect(children).toHaveLength(3);
    for (const s of series) {
      if (s.settledAtSeconds === null) continue;
      const level = (a: number[]): number => Math.abs(a.at(-1)! - a.at(-2)!);
      const m = Math.max(1, 0.05 * s.floorStartMiB);
      expect([s.name, level(s.floorMiB) < m / 2, level(s.ceilingMiB) < m / 2]).toEqual([s.name, true, true]);
    }
    // Each child's floor rose by megabytes at its last window: none settled.
    for (const c of children) {
      expect(c.floorMiB.at(-1)! - c.floorMiB.at(-2)!).toBeGreaterThan(2);
      expect(c.settledAtSeconds).toBeNull();
    }
  });
});

describe('short runs (fixtures/mprof/shapes/make.sh, sampled every 0.5 s)', () => {
  it('a step up that stays, over 25 samples (4 windows), is a plateau, not stable', async () => {
    const t = await trend(`${DIR}/stepup.dat`);
    const { mib } = samples(`${DIR}/stepup.dat`);
    // What make.sh checks of the run: every late sample 300 MiB above every early one.
    expect(Math.min(...mib.slice(-8, -1)) - Math.max(...mib.slice(2, 8))).toBeGreaterThanOrEqual(300);
    expect(t.verdict).toBe('plateau');
    expect(t.floorEndMiB - t.floorStartMiB).toBeGreaterThanOrEqual(300);
    expect(t.settledAtSeconds).not.toBeNull();
  });

  it('3 samples, all start-up: not judged; --warmup 0 judges them whole', async () => {
    const t = await trend(`${DIR}/brief.dat`);
    expect([t.verdict, t.confidence]).toEqual(['unjudged', 0]);
    expect(t.next).toContain('too few to judge a trend');
    expect(t.next).toContain('--warmup 0');
    const text = (await cli('leaks', `${DIR}/brief.dat`)).out;
    expect(text).toContain('main: not judged: too few samples to tell a trend from the warm-up');
    const whole = JSON.parse((await cli('leaks', `${DIR}/brief.dat`, '--json', '--warmup', '0')).out) as {
      series: Trend[];
    };
    expect(whole.series[0]!.verdict).not.toBe('unjudged');
    // gate has no verdict from a run leaks could not judge: it fails saying so, not "no leak"
    const gate = await cli('gate', `${DIR}/brief.dat`, '--max-leaks', '0');
    expect(gate.code).toBe(1);
    expect(gate.out).toContain('FAIL max-leaks: no leak verdict; not judged, too few samples:');
    // nor does the report count its suspects: none were judged
    expect((await cli('report', `${DIR}/brief.dat`, '-f', 'text')).out).toContain('leak suspects: -;');
  });

  it('under 3 samples in all: not judged, whatever the warm-up', () => {
    const t = memoryTrend('main', { t: Float64Array.of(0, 1), mib: Float64Array.of(10, 900) }, { warmupSeconds: 0 });
    expect(t.verdict).toBe('unjudged');
  });
});

describe('a clock that goes back during a run (mprof stamps samples with time.time())', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-clock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // growth.dat with its clock set back an hour half way, as NTP or a user would.
  const lines = readFileSync(`${DIR}/growth.dat`, 'utf8').split('\n');
  const mem = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('MEM '));
  const half = mem[mem.length >> 1]![1];
  const stepped = lines.map((l, i) => {
    if (i < half || !l.startsWith('MEM ')) return l;
    const [, m, t] = l.split(' ');
    return `MEM ${m} ${(Number(t) - 3600).toFixed(4)}`;
  });

  it('a step back is repaired with a warning: the same verdict as the run itself, gate fails alike', async () => {
    const file = join(dir, 'stepped.dat');
    writeFileSync(file, stepped.join('\n'));
    const want = await trend(`${DIR}/growth.dat`);
    const r = await cli('leaks', file, '--json');
    expect(r.code).toBe(0);
    // The line of the first sample after the step: the half-way MEM line.
    expect(r.err).toContain(`goes back once (first at line ${half + 1}: `);
    expect(r.err).toMatch(/the clock of its MEM samples goes back once \(first at line \d+: .*3600\.\d s back/);
    expect(r.err).not.toContain('@profile calls'); // growth.dat has no FUNC line
    // A run with @profile calls (FUNC lines, which are not moved): said.
    const funcs = readFileSync('fixtures/mprof/funcs.dat', 'utf8').split('\n');
    const late = funcs.findIndex((l, i) => i > funcs.length / 2 && l.startsWith('MEM '));
    const stepFuncs = join(dir, 'funcs-stepped.dat');
    writeFileSync(
      stepFuncs,
      funcs
        .map((l, i) => (i >= late && l.startsWith('MEM ') ? l.replace(/ (\S+)$/, (_, t) => ` ${Number(t) - 60}`) : l))
        .join('\n'),
    );
    expect((await cli('info', stepFuncs)).err).toContain('the times of its @profile calls (FUNC lines) are not moved');
    // Said only when times were moved: a 0.60 run of children numbered by position (a warning of its
    // own) whose clock never went back said it too.
    const positions = await cli('info', 'fixtures/mprof/positions/funcs-0.60.dat');
    expect([positions.code, positions.err]).toEqual([0, expect.stringContaining('number the children by their place')]);
    expect(positions.err).not.toContain('@profile calls');
    const got = (JSON.parse(r.out) as { series: Trend[] }).series[0]!;
    expect(got.verdict).toBe(want.verdict);
    expect(got.durationSeconds).toBeGreaterThan(0);
    expect((await cli('gate', file, '--max-leaks', '0')).code).toBe(1);
  });

  // A real run sampled each second (fixtures/mprof/coarse-and-sorted/leak-i1.dat) set back half way by its
  // span and 1.3 of its intervals: in the order of the times, a step 1.3 intervals wide where the clock
  // went back, which the sorted-file rule took for lines moved: "released", and the gate passed (h312).
  // (And by its span, its widest step and 3% of an interval: the step there just wider than the widest, h313.)
  it.each([
    ['1.3 intervals', (_steps: number[], usual: number) => 1.3 * usual],
    ['its widest step and 3% of an interval', (steps: number[], usual: number) => Math.max(...steps) + 0.03 * usual],
  ])('set back past its start by its span and %s: still a clock set back, not lines sorted', async (_, extra) => {
    const run = readFileSync('fixtures/mprof/coarse-and-sorted/leak-i1.dat', 'utf8').split('\n');
    const at = run.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('MEM '));
    const t = at.map(([l]) => Number(l.split(' ')[2]));
    const steps = t.slice(1).map((x, i) => x - t[i]!);
    const usual = [...steps].sort((a, b) => a - b)[steps.length >> 1]!;
    const back = t[t.length - 1]! - t[0]! + extra(steps, usual);
    const from = at[at.length >> 1]![1];
    const file = join(dir, 'past-start.dat');
    writeFileSync(
      file,
      run
        .map((l, i) => {
          if (i < from || !l.startsWith('MEM ')) return l;
          const [, v, time] = l.split(' ');
          return `MEM ${v} ${(Number(time) - back).toFixed(4)}`;
        })
        .join('\n'),
    );
    const r = await cli('leaks', file, '--json');
    expect(r.err).toMatch(/the clock of its MEM samples goes back once/);
    expect(r.err).not.toContain('lines moved or sorted');
    expect((JSON.parse(r.out) as { series: Trend[] }).series[0]!.verdict).toBe('leak');
  });

  it('lines moved or sorted in the file: read in the order of their times, the same verdict (h230)', async () => {
    // A real leak (fixtures/leaks/mprof/leak.dat, Debian's mprof): its steps back were repaired as clock
    // changes, each moving the samples after it later: "released", and the gate passed the leak.
    const text = readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8').replace(/\n$/, '').split('\n');
    const want = await trend('fixtures/leaks/mprof/leak.dat');
    expect(want.verdict).toBe('leak');
    const moved = join(dir, 'moved.dat');
    writeFileSync(moved, `${[...text.slice(0, 60), ...text.slice(140), ...text.slice(60, 140)].join('\n')}\n`);
    const sorted = join(dir, 'sorted.dat');
    writeFileSync(sorted, `${[...text].sort().join('\n')}\n`);
    for (const file of [moved, sorted]) {
      const r = await cli('leaks', file, '--json');
      expect(r.code).toBe(0);
      expect(r.err).toMatch(
        /its MEM samples are out of the order of their times at \d+ step\(s\), the first at line \d+/,
      );
      expect(r.err).toContain('lines moved or sorted in the file, read in the order of their times');
      const got = (JSON.parse(r.out) as { series: Trend[] }).series[0]!;
      expect([got.verdict, got.durationSeconds]).toEqual([want.verdict, want.durationSeconds]);
      expect((await cli('gate', file)).code).toBe(1);
    }
  });

  it('lines moved in a long run (200,000 samples): read in time order, not a crash', async () => {
    // fixtures/mprof/plain.dat's samples repeated, each copy later by the run's span, then a block moved
    // to the end: the check of moved lines took the widest step as Math.max(...steps), past the stack
    // for 130,000 of them ("internal error", exit 3).
    const text = readFileSync('fixtures/mprof/plain.dat', 'utf8').split('\n');
    const head = text.filter((l) => l !== '' && !l.startsWith('MEM '));
    const mem = text.filter((l) => l.startsWith('MEM ')).map((l) => l.split(' '));
    const t0 = Number(mem[0]![2]);
    const span = Number(mem[mem.length - 1]![2]) - t0 + (Number(mem[1]![2]) - t0);
    const copies = Math.ceil(200_000 / mem.length);
    const lines = Array.from({ length: copies }, (_, k) =>
      mem.map(([, m, t]) => `MEM ${m} ${(Number(t) + k * span).toFixed(4)}`),
    ).flat();
    const moved = [...lines.slice(0, 1000), ...lines.slice(50_000), ...lines.slice(1000, 50_000)];
    const file = join(dir, 'long-moved.dat');
    writeFileSync(file, `${[...head, ...moved].join('\n')}\n`);
    const r = await cli('info', file);
    expect([r.code, r.err]).toEqual([0, expect.stringContaining('lines moved or sorted in the file')]);
    expect(r.out).toMatch(new RegExp(`^samples +${lines.length}$`, 'm'));
  });

  it('samples out of order at most steps: an error naming the line, not a verdict', async () => {
    const file = join(dir, 'reversed.dat');
    const head = lines.filter((l) => l !== '' && !l.startsWith('MEM '));
    writeFileSync(file, `${[...head, ...mem.map(([l]) => l).reverse()].join('\n')}\n`);
    const r = await cli('leaks', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `reversed\\.dat: line ${head.length + 2}: the times of its MEM samples go back at \\d+ of \\d+ steps, ` +
          'the first here .*not one mprof recording in order',
      ),
    );
  });

  it('a clock set back a little several times (NTP): repaired with a warning, not refused as interleaved runs', async () => {
    // fixtures/mprof/plain.dat (every 20 ms), 5 samples set back 0.2 s: each goes back past ten samples (a
    // step of NTP's at a fine -T; a first rule, counting samples gone back past, refused it).
    const text = readFileSync('fixtures/mprof/plain.dat', 'utf8').split('\n');
    const memAt = text.flatMap((l, i) => (l.startsWith('MEM ') ? [i] : []));
    for (const k of [10, 20, 30, 40, 50]) {
      const [field, mib, t] = text[memAt[k]!]!.split(' ');
      text[memAt[k]!] = `${field} ${mib} ${(Number(t) - 0.2).toFixed(4)}`;
    }
    const file = join(dir, 'ntp.dat');
    writeFileSync(file, text.join('\n'));
    const r = await cli('info', file);
    expect([r.code, r.err]).toEqual([0, expect.stringContaining('goes back 5 times')]);
  });

  it('two runs writing to one file at once (fixtures/mprof/interleaved): an error, not two runs repaired', async () => {
    // mprof writes in 8 KiB blocks: the runs' lines interleave, and the second run starts before the
    // first ends. Its steps back repaired as clock changes, each run held pieces of both.
    const r = await cli('info', 'fixtures/mprof/interleaved/refused-both.dat');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/run 2 starts at [\d.]+, before run 1 ends .*two mprof runs writing to one file at once/);
  });

  it("one run's file appended to itself: refused as that, not as two runs writing at once (h300)", async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8');
    const twice = join(mkdtempSync(join(tmpdir(), 'arenascope-twice-')), 'twice.dat');
    writeFileSync(twice, dat + dat);
    const r = await cli('info', twice);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /run 2 repeats run 1's times \([\d.]+ to [\d.]+\): one run's lines appended again \(cat run\.dat run\.dat\?\)/,
    );
  });

  it("a run's samples written twice (its MEM lines again after the last): refused, not a clock change", async () => {
    // A real leak (memory_profiler 0.61): repaired as a step back of 4.4 s, its samples read twice over
    // read 'stable (0.46)', and the gate passed the leak.
    const dat = readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8');
    const mem = dat.split('\n').filter((l) => l.startsWith('MEM '));
    const file = join(dir, 'twice.dat');
    writeFileSync(file, `${dat}${mem.join('\n')}\n`);
    for (const command of ['leaks', 'gate']) {
      const r = await cli(command, file);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /line \d+: its MEM samples from here .* repeat \d+ samples before them, times and memory alike/,
      );
    }
  });

  it('two runs appended newest first (cat new.dat old.dat): said so, not read as written at once', async () => {
    // Two real `mprof run` files of memory_profiler 0.61, the later one first.
    const file = join(dir, 'new-old.dat');
    writeFileSync(
      file,
      Buffer.concat(['fixtures/leaks/mprof/leak.dat', 'fixtures/mprof/plain.dat'].map((f) => readFileSync(f))),
    );
    const r = await cli('info', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line \d+: run 2 ends at [\d.]+, before run 1 starts .*appended newest first/);
    expect(r.err).not.toMatch(/at once/);
  });
});

describe('a run whose process had gone at its only sample', () => {
  // `mprof run /bin/true` (memory_profiler 0.61): the program ended before the first measure, which
  // reads 0 MiB. info counts that sample; leaks said "0 samples" beside empty rows of windows.
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-gone-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says the sample of 0 MiB, and that there is no window, where info counts it', async () => {
    const file = join(dir, 'true.dat');
    writeFileSync(file, 'CMDLINE /bin/true\nMEM 0.000000 1796097910.0782\n');
    expect((await cli('info', file)).out).toMatch(/^samples +1$/m);
    const out = (await cli('leaks', file)).out;
    expect(out).toContain('0 samples over 0.0 s (and 1 of 0 MiB after the process had gone);');
    expect(out).toContain('      none: too few samples');
    expect(out).not.toMatch(/floor +$/m);
  });
});

describe('a run with a pause in its samples (a laptop asleep for an hour)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-pause-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is judged as the run without the pause (a leak read "stable: nothing kept", and the gate passed)', async () => {
    // The real leak run, every sample of its second half an hour later.
    const lines = readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8').split('\n');
    const mem = lines.flatMap((l, i) => (l.startsWith('MEM ') ? [i] : []));
    const half = mem[mem.length >> 1]!;
    const later = lines.map((l, i) =>
      i >= half && /^(MEM|CHLD) /.test(l)
        ? l.replace(/ (\d+\.\d+)$/, (_m, t: string) => ` ${(Number(t) + 3600).toFixed(4)}`)
        : l,
    );
    const slept = join(dir, 'slept.dat');
    writeFileSync(slept, later.join('\n'));
    const [a, b] = [await trend('fixtures/leaks/mprof/leak.dat'), await trend(slept)];
    expect([b.verdict, b.confidence]).toEqual([a.verdict, a.confidence]);
    expect(a.verdict).toBe('leak');
    expect((await cli('gate', slept)).code).toBe(1);
    const text = (await cli('leaks', slept)).out;
    expect(text).toMatch(/3600\.\d s without a sample \(the machine or the sampler paused\) left out of the windows/);
  });
});

describe('leaks of a run whose MEM counts the children (leakingSeries)', () => {
  const t = (name: string, trendMiBPerMin: number, verdict = 'leak') =>
    ({ name, verdict, confidence: 0.7, trendMiBPerMin }) as unknown as MemoryTrend;
  it('never counts the total: its parts are, the program (the total less its children) and each child', () => {
    const names = (r: ReturnType<typeof leakingSeries>) => [
      r.counted.map((x) => x.name),
      r.inChildren.map((x) => x.name),
    ];
    const series = [t('main + children', 115), t('main', 1, 'stable'), t('child 1', 114), t('child 2', 0, 'stable')];
    expect(names(leakingSeries(series))).toEqual([['child 1'], ['main + children']]);
    // A parent leaking beside its child: both (a first rule, the total's rate against the child's, hid it).
    expect(names(leakingSeries([t('main + children', 1070), t('main', 477), t('child 1', 593)]))).toEqual([
      ['main', 'child 1'],
      ['main + children'],
    ]);
    // Not a total: a plain mprof file's main series is the program's own.
    expect(names(leakingSeries([t('main', 100), t('child 1', 100)]))).toEqual([['main', 'child 1'], []]);
  });
});

describe('a run too short for the warm-up it would take (fixtures/mprof/brief)', () => {
  it('its next step names no --warmup that leaves too little to judge, and one it names is accepted', async () => {
    const f = 'fixtures/mprof/brief/crashed-0.45.dat';
    const r = await cli('leaks', f);
    expect(r.code).toBe(0);
    const named = /leaks --warmup ([\d.]+)/.exec(r.out);
    if (named) expect((await cli('leaks', f, '--warmup', named[1]!)).code).toBe(0);
    const plateau = await cli('leaks', `${DIR}/plateau.dat`);
    const w = /leaks --warmup ([\d.]+)/.exec(plateau.out)![1]!;
    expect((await cli('leaks', `${DIR}/plateau.dat`, '--warmup', w)).code).toBe(0);
  });
});

// A steady leak of 5 MiB/s sampled coarsely, as a CI job samples (Debian's mprof): its confidence was
// capped below the gate's 0.5 with 25-29 samples judged (five windows, their ends left out), so the
// run of 12 s failed the gate and the run of 15 s passed it (h200). Under 20 samples judged it stays
// below (t1-20s.dat: a leak said, not counted), as a short run's start-up rise must.
describe('a steady leak sampled coarsely (fixtures/leaks/mprof/coarse)', () => {
  it.each(['t05-12s.dat', 't05-15s.dat'])('%s: a leak every command counts, the gate fails', async (name) => {
    const file = `fixtures/leaks/mprof/coarse/${name}`;
    const [gate, leaks] = await Promise.all([cli('gate', file), cli('leaks', file)]);
    expect(gate.code).toBe(1);
    expect(gate.out).toMatch(/FAIL max-leaks: 1 leak/);
    expect(leaks.out).toMatch(/main: LEAK \(confidence 0\.(?:[5-9]\d*)\)/);
  });
  it('under 20 samples judged: a leak said, below the confidence the gate counts', async () => {
    const file = 'fixtures/leaks/mprof/coarse/t1-20s.dat';
    const [gate, leaks] = await Promise.all([cli('gate', file), cli('leaks', file)]);
    expect(gate.code).toBe(0);
    expect(gate.out).toContain('not counted, below confidence 0.5');
    expect(leaks.out).toMatch(/main: LEAK \(confidence 0\.4\d\)/);
  });
});

// Real runs (fixtures/mprof/coarse-and-sorted/make_coarse.sh), each judged in a few windows of 2-3 samples,
// and one put through `sort` (h311).
describe('runs sampled each second, and one sorted (fixtures/mprof/coarse-and-sorted)', () => {
  const D = 'fixtures/mprof/coarse-and-sorted';
  type Run = { verdict: string; trendMiBPerMin: number; settledAtSeconds: number | null; next: string };
  const run = async (...args: string[]) =>
    (JSON.parse((await cli('leaks', '--json', ...args)).out) as { series: Run[] }).series[0]!;

  // Fitted at each window's middle, where a steady leak's floor is its first sample and its ceiling its
  // last: 10 MiB/s read 12 (720 MiB/min), the limit a fifth too soon.
  it('a leak of exactly 10 MiB each second: 600 MiB/min', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-coarse-'));
    const lines = Array.from({ length: 7 }, (_, i) => `MEM ${i ? 21.75 + 10 * i : 0.5} ${1796626970 + i}`);
    writeFileSync(join(dir, 'lin.dat'), `CMDLINE python3 leak.py\n${lines.join('\n')}\n`);
    expect((await run(join(dir, 'lin.dat'))).trendMiBPerMin).toBeCloseTo(600, 6);
  });

  it('a real leak of 2 MiB each 0.2 s, sampled each second: within 5% of 600 MiB/min', async () => {
    const r = await run(`${D}/leak-i1.dat`, '--memory-limit', '2GiB');
    expect(r.verdict).toBe('leak');
    expect(Math.abs(r.trendMiBPerMin - 600) / 600).toBeLessThan(0.05);
  });

  // Its level (61.8 MiB) is first sampled at 3 s; the sample at 2 s is 4 MiB below it. It read "level
  // from 1.8 s on", and the --warmup given read the level as still rising.
  it('a fill then idle: its level dated no earlier than the sample before it is reached, and the warm-up given reads it level', async () => {
    const times = readFileSync(`${D}/fill-i1.dat`, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('MEM '))
      .map((l) => Number(l.split(' ')[2]));
    const r = await run(`${D}/fill-i1.dat`);
    expect(r.verdict).toBe('plateau');
    expect(r.settledAtSeconds!).toBeGreaterThanOrEqual(times[2]! - times[0]!);
    const warmup = /--warmup (\d+(?:\.\d+)?)/.exec(r.next)![1]!;
    expect((await run(`${D}/fill-i1.dat`, '--warmup', warmup)).verdict).toBe('stable');
  });

  // Dated at its first level window's middle: "level from 4.8 s on" of a level sampled from 3.5 s (h312);
  // at that window's start, 4.91 s of one sampled from 4.26 s (h313).
  it.each(['fill-half.dat', 'fill-quarter.dat'])(
    '%s: its level dated between its last sample below it and its first at it',
    async (name) => {
      const samples = readFileSync(`${D}/${name}`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('MEM '))
        .map((l) => l.split(' ').slice(1).map(Number) as [number, number]);
      const level = samples.at(-1)![0];
      const first = samples.findIndex(([m]) => m >= level - 0.5);
      const r = await run(`${D}/${name}`);
      expect(r.verdict).toBe('plateau');
      expect(r.settledAtSeconds!).toBeGreaterThan(samples[first - 1]![1] - samples[0]![1]);
      expect(r.settledAtSeconds!).toBeLessThanOrEqual(samples[first]![1] - samples[0]![1]);
    },
  );

  // 4 MiB/s kept for 5 s or 3 s, then idle, sampled each 0.5 s: in 3 windows the rise opens each one's
  // gap and the level closes it, which read "retention … memory kept by the allocator" (h313).
  it.each(['fill-rise-half-5.dat', 'fill-rise-half-3.dat'])(
    '%s: no sample falls, so no memory was kept by the allocator: it rose, then stopped',
    async (name) => {
      const mib = samples(`${D}/${name}`).mib;
      expect(mib.every((m, i) => i === 0 || m >= mib[i - 1]!)).toBe(true);
      expect(mib.at(-1)! - mib[1]!).toBeGreaterThan(10);
      const r = await run(`${D}/${name}`);
      expect(r.verdict).toBe('plateau');
      expect(r.next).not.toMatch(/retention|kept by the allocator/);
    },
  );

  // A child's closing 0 MiB sample sorted first read as a clock set back 5 s: 85.2 MiB for 114.7, and a
  // gate at 100 MiB passed.
  it('put through sort: its peak with children as summed from the file as written, and the gate fails at 100 MiB', async () => {
    const { peakWithChildrenMiB } = JSON.parse(readFileSync(`${D}/truth.json`, 'utf8')) as {
      peakWithChildrenMiB: number;
    };
    const info = await cli('info', `${D}/kids-sorted.dat`);
    expect(info.out).toContain(`with children  ${peakWithChildrenMiB.toFixed(3)} MiB`);
    const gate = await cli('gate', `${D}/kids-sorted.dat`, '--max-peak', '100MiB', '--max-leaks', '99');
    expect(gate.code).toBe(1);
    expect(gate.out).toContain(
      `FAIL max-peak: peak (mprof ${D}/kids-sorted.dat, with its children) ${peakWithChildrenMiB.toFixed(1)} MiB`,
    );
  });
});

// Real runs (fixtures/mprof/retention-or-not/make.sh, h316): a few survivors pinning pymalloc's arenas
// under a 40 MiB working set, for 3-4 s at 0.05 s, read "leak" hidden under the peaks and failed the gate;
// a fill then idle with one 40 MiB temporary freed read "retention".
describe('retention, or a fill with one temporary (fixtures/mprof/retention-or-not)', () => {
  const D = 'fixtures/mprof/retention-or-not';
  const thirds = (v: number[]) =>
    [0, 1, 2].map((k) => v.slice(Math.floor((k * v.length) / 3), Math.floor(((k + 1) * v.length) / 3)));

  it.each(['retention-3s.dat', 'retention-4s.dat'])(
    '%s: troughs rising to level peaks: retention, no leak',
    async (name) => {
      const parts = thirds(samples(`${D}/${name}`).mib.slice(5, -1));
      const peaks = parts.map((p) => Math.max(...p));
      expect(Math.max(...peaks) - Math.min(...peaks)).toBeLessThan(1);
      expect(Math.min(...parts[2]!) - Math.min(...parts[0]!)).toBeGreaterThan(10);
      expect((await trend(`${D}/${name}`)).verdict).toBe('retention');
      expect((await cli('gate', '--max-leaks', '0', `${D}/${name}`)).code).toBe(0);
    },
  );

  it.each(['fill-temporary-0.05.dat', 'fill-temporary-0.5.dat'])(
    '%s: one fall, then level: a plateau',
    async (name) => {
      const mib = samples(`${D}/${name}`).mib.slice(0, -1);
      const falls = mib.filter((m, i) => i > 0 && m < mib[i - 1]! - 5);
      expect(falls.length).toBeLessThanOrEqual(2); // the temporary's, over one sample or two
      expect((await trend(`${D}/${name}`)).verdict).toBe('plateau');
    },
  );
});

describe('a floor that steps up early and holds (fixtures/mprof/shapes/heavystart.dat, mprof --nopython)', () => {
  it('is no leak, and its next step does not say "no change" under a floor that rose 30 MiB', async () => {
    const r = await trend('fixtures/mprof/shapes/heavystart.dat');
    const s = samples('fixtures/mprof/shapes/heavystart.dat');
    expect(Math.max(...s.mib) - s.mib[1]!).toBeGreaterThan(25);
    expect(['stable', 'plateau']).toContain(r.verdict);
    expect(r.floorEndMiB - r.floorStartMiB).toBeGreaterThan(25);
    expect(r.next).not.toMatch(/^no change/);
  });
});

describe('a steady leak in 5 samples a second apart (fixtures/mprof/five-samples)', () => {
  // Two runs of one program, the same figures, their times a few tenths of a millisecond off the whole
  // seconds one way or the other: placed by time, b.dat's middle window held no sample and its leak of
  // 2 MiB/s read "stable (confidence 0.00)" (h352).
  it('reads alike in both runs: a leak, at the rate of its samples', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map(async (run) => {
        const r = await cli('leaks', `fixtures/mprof/five-samples/${run}.dat`, '--json');
        return (JSON.parse(r.out) as { series: MemoryTrend[] }).series[0]!;
      }),
    );
    expect([a.verdict, b.verdict]).toEqual(['leak', 'leak']);
    expect(b.confidence).toBe(a.confidence);
    // The samples after the warm-up rise 2.03 MiB a second: 121.9 MiB a minute.
    const mem = readFileSync('fixtures/mprof/five-samples/b.dat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('MEM '))
      .map((l) => l.split(' ').map(Number));
    const rate = ((mem[4]![1]! - mem[1]![1]!) / (mem[4]![2]! - mem[1]![2]!)) * 60;
    expect(Math.abs(b.trendMiBPerMin! - rate)).toBeLessThan(0.05 * rate);
  });
});

describe('a floor that rose early and held under its peak (fixtures/mprof/shapes/arenas-held.dat)', () => {
  // RSS rose from 22 to 285 MiB, then held at 273 (arenas pinned by the survivors of 1.5M tuples):
  // the rise fell in the first third's windows, the ceiling's 285 -> 273 read "shrinking: memory was
  // given back over the run: nothing to fix" (h352).
  it('is a plateau: it rose, then stopped, and gave little back', async () => {
    const r = await trend('fixtures/mprof/shapes/arenas-held.dat');
    expect(r.floorEndMiB - r.floorStartMiB).toBeGreaterThan(100);
    expect(r.verdict).toBe('plateau');
    expect(r.next).not.toMatch(/given back/);
  });
});
