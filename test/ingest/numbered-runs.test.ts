// Snapshots of several runs in one folder, told apart by their names (numbered-runs.ts): two real
// processes dumping 'mem.<pid>.<n>.pickle' at once (fixtures/leaks/make_two_processes.py).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { namedByTheirTimes, numberedRuns } from '../../src/ingest/numbered-runs.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/leaks/two_processes';
const truth = JSON.parse(readFileSync(`${DIR}.truth.json`, 'utf8')) as {
  leaking: string;
  steady: string;
  line: number;
};

describe('two processes dumping into one folder at once (gunicorn workers)', () => {
  // Judged as one series, the leaking worker's last dump was followed by the steady one's first: its
  // leak read as shrinking, and the gate passed it.
  it.each(['leaks', 'gate', 'report', 'replay', 'baseline'])(
    '%s refuses the folder, naming each run as a glob',
    async (cmd) => {
      const r = await cli(cmd, DIR, ...(cmd === 'report' || cmd === 'baseline' ? ['-o', '-'] : []));
      expect(r.code).toBe(2);
      expect(r.err).toContain("the snapshots' names number 2 runs apart, each counted afresh");
      expect(r.err).toContain(`${truth.leaking}: 5`);
      expect(r.err).toContain(`${truth.steady}: 5`);
      expect(r.err).toContain('their capture times overlap');
    },
  );

  it("one run's glob, as the message says: the leak CPython's compare_to found fails the gate", async () => {
    const r = await cli('gate', truth.leaking);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`make_two_processes.py:${truth.line}`);
    const steady = await cli('gate', truth.steady);
    expect(steady.code).toBe(0);
  });

  it('--order given takes them as one series as named', async () => {
    const r = await cli('leaks', '--order', 'given', DIR);
    expect(r.code).toBe(0);
  });
});

describe('two runs of one program, a folder each, counted afresh in each (h190)', () => {
  // The real dumps of one leaking run (fixtures/leaks/memo_leak), as two runs' folders: judged as one
  // series, the second run's snap-1 followed the first's last, each leak read as transient, the gate passed.
  // The two folders are all their parent holds: named, they are read (taken for a shell's `runs/*`, both
  // were skipped and the command read nothing).
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-two-folders-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const [a, b] = [join(dir, 'run-a'), join(dir, 'run-b')];
  cpSync('fixtures/leaks/memo_leak', a, { recursive: true });
  cpSync('fixtures/leaks/memo_leak', b, { recursive: true });
  it.each(['leaks', 'gate', 'report', 'replay', 'baseline'])('%s refuses the two folders, naming each', async (cmd) => {
    const r = await cli(cmd, a, b, ...(cmd === 'report' || cmd === 'baseline' ? ['-o', '-'] : []));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain("the snapshots' names number 2 runs apart, each counted afresh");
    expect(r.err).toContain(join(a, 'snap-*.pickle'));
    expect(r.err).toContain(join(b, 'snap-*.pickle'));
  });
  it('each folder alone fails the gate on its leak; --order given takes both as named', async () => {
    expect((await cli('gate', a)).code).toBe(1);
    expect((await cli('leaks', '--order', 'given', a, b)).code).toBe(0);
  });
  it('a count going on from folder to folder is one run', () => {
    const names = ['day1/snap-1.pickle', 'day1/snap-2.pickle', 'day2/snap-3.pickle', 'day2/snap-4.pickle'];
    expect(
      numberedRuns(
        names,
        names.map(() => null),
      ),
    ).toBeNull();
  });
});

describe('names that number one run', () => {
  const t = (n: number) => Array.from({ length: n }, (_, i) => 1_764_800_000 + i);
  it.each([
    ['one count', ['snap-1.pickle', 'snap-2.pickle', 'snap-3.pickle', 'snap-4.pickle']],
    ['a count going on from part to part', ['p1-1.pickle', 'p1-2.pickle', 'p2-3.pickle', 'p2-4.pickle']],
    [
      'times to the second and a fraction',
      ['s-1764800000.1.pickle', 's-1764800001.5.pickle', 's-1764800002.3.pickle', 's-1764800003.9.pickle'],
    ],
    ['a run of one capture beside others', ['m.7.1.pickle', 'm.7.2.pickle', 'm.7.3.pickle', 'm.8.1.pickle']],
    ['names of other shapes', ['a-1-1.pickle', 'a-1-2.pickle', 'b1.pickle', 'b2.pickle']],
    // strftime('%Y-%m-%dT%H:%M:%S'), every 30 s across a minute: its seconds start again (h333 F5).
    [
      'a time of day across a minute',
      ['2026-12-07T09:59:00.dump', '2026-12-07T09:59:30.dump', '2026-12-07T10:00:00.dump', '2026-12-07T10:00:30.dump'],
    ],
    ['a time of day by dashes', ['h-09-59-00.pickle', 'h-09-59-30.pickle', 'h-10-00-00.pickle', 'h-10-00-30.pickle']],
    [
      'a time of day with microseconds',
      ['09:59:00.512.dump', '09:59:30.004.dump', '10:00:00.733.dump', '10:00:30.100.dump'],
    ],
    // The seconds elapsed, '%.1f' (h359 F4: 5 runs by their tenths), and time.perf_counter() (F5).
    ['seconds elapsed to a tenth', ['s_0.1s', 's_1.1s', 's_2.2s', 's_3.3s', 's_4.5s', 's_5.4s', 's_10.4s', 's_11.4s']],
    ['seconds elapsed, two a second', ['m-t0.0', 'm-t0.5', 'm-t1.0', 'm-t1.6', 'm-t2.1', 'm-t2.6']],
    ['perf_counter()', ['s-699.685911563', 's-700.016514143', 's-700.337192421', 's-701.010018411']],
  ])('%s: none found', (_, names) => {
    expect(numberedRuns(names, t(names.length))).toBeNull();
  });

  it('three numbers of two digits that are no time of day still number runs', () => {
    const names = ['w-01-31-01.pickle', 'w-01-31-02.pickle', 'w-01-75-01.pickle', 'w-01-75-02.pickle'];
    expect(numberedRuns(names, t(4))?.runs).toHaveLength(2);
  });

  // Read as a clock, each was one series, and a leak restarting in each read "transient" (h334).
  it.each([
    [
      'worker, run and capture of two digits',
      ['w-01-01-01', 'w-01-01-02', 'w-01-01-03', 'w-01-02-01', 'w-01-02-02', 'w-01-02-03'],
    ],
    [
      'a date and a count',
      [
        's-2026-12-07-01',
        's-2026-12-07-02',
        's-2026-12-07-03',
        's-2026-12-08-01',
        's-2026-12-08-02',
        's-2026-12-08-03',
      ],
    ],
    [
      'a process id beside the time',
      ['heap-411-10-00-00', 'heap-411-10-00-30', 'heap-412-10-00-00', 'heap-412-10-00-30'],
    ],
    ['runs one after the other beside the time', ['run1-10-00-00', 'run1-10-00-30', 'run2-10-05-00', 'run2-10-05-30']],
    // Each in a folder of its own (h336 F2).
    ['a folder each', ['w1/heap-10-00-00', 'w1/heap-10-00-10', 'w2/heap-10-00-05', 'w2/heap-10-00-15']],
  ])('%s: runs apart', (_, names) => {
    expect(
      numberedRuns(
        names.map((n) => `${n}.pickle`),
        t(names.length),
      )?.runs,
    ).toHaveLength(2);
  });

  // h336: a host's number before the clock taken for its hour (F1); a 24-hour clock's hours 00-12 taken
  // for a 12-hour one's across noon (F4); a dump a second across a minute taken for counts afresh (F5).
  it('a number before the clock is no hour: across midnight, said', () => {
    const names = ['node-07-23-58-00', 'node-07-23-59-00', 'node-07-00-00-00', 'node-07-00-01-00'];
    expect(
      numberedRuns(
        names.map((n) => `${n}.pickle`),
        names.map(() => null),
      )?.wraps,
    ).toBeDefined();
  });

  it('two runs counted 01 to 60 are no dump a second (h337 F4)', () => {
    const names = [1, 2].flatMap((w) =>
      Array.from({ length: 60 }, (_, i) => `w-0${w}-01-${String(i + 1).padStart(2, '0')}.pickle`),
    );
    expect(numberedRuns(names, t(120))?.runs).toHaveLength(2);
  });

  it('hours 00 to 12 of a 24-hour clock, and a dump every second across a minute: one series', () => {
    const nulls = Array.from({ length: 7 }, () => null);
    const day = ['00-00-00', '02-00-00', '04-00-00', '06-00-00', '08-00-00', '10-00-00', '12-00-00'];
    expect(
      numberedRuns(
        day.map((n) => `h-${n}.pickle`),
        nulls,
      ),
    ).toBeNull();
    const second = Array.from(
      { length: 70 },
      (_, i) => `h-10-0${Math.floor(i / 60)}-${String(i % 60).padStart(2, '0')}.pickle`,
    );
    expect(numberedRuns(second, t(70))).toBeNull();
  });

  it('a time of day with no date across midnight, unordered by times: said (it read 00-00-* first)', () => {
    const names = ['h-23-59-30', 'h-23-59-50', 'h-00-00-10', 'h-00-00-30'].map((n) => `${n}.pickle`);
    const nulls = names.map(() => null);
    expect(numberedRuns(names, nulls)?.wraps).toEqual(['h-00-00-30.pickle', 'h-23-59-30.pickle']);
    expect(numberedRuns(names, t(4))).toBeNull();
    // And by a 12-hour clock across noon (%I: 12 then 01).
    const twelve = ['h-12-59-30', 'h-12-59-50', 'h-01-00-10', 'h-01-00-30'].map((n) => `${n}.pickle`);
    expect(numberedRuns(twelve, nulls)?.wraps).toEqual(['h-01-00-30.pickle', 'h-12-59-30.pickle']);
    expect(
      numberedRuns(
        ['h-09-59-30', 'h-09-59-50', 'h-10-00-10', 'h-10-00-30'].map((n) => `${n}.pickle`),
        nulls,
      ),
    ).toBeNull();
  });

  it('dumps named by the time of day across a minute are one series: the leak fails the gate (h333 F5)', async () => {
    // fixtures/leaks/memo_leak's dumps named as strftime("%Y-%m-%dT%H:%M:%S") every 20 s would name them:
    // refused as 3 runs "each counted afresh", exit 2.
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-clock-'));
    try {
      for (let k = 1; k <= 9; k++) {
        const s = 10 + 20 * (k - 1);
        const name = `2026-12-07T${['09:59', '10:00', '10:01'][Math.floor(s / 60)]}:${s % 60}.dump`;
        cpSync(`fixtures/leaks/memo_leak/snap-${k}.pickle`, join(dir, name));
      }
      const r = await cli('gate', dir, '--max-leaks', '0');
      expect([r.code, r.err]).toEqual([1, expect.not.stringContaining('runs apart')]);
      // Its truth (fixtures/leaks/truth.json): leaks at memo_leak.py:9 and :13.
      expect(r.out).toMatch(/FAIL max-leaks: 2 leaks .*memo_leak\.py:9 .*memo_leak\.py:13 /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dumps named by the time of day across midnight, with no times: refused, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-midnight-'));
    try {
      for (let k = 1; k <= 6; k++) {
        const s = 86_340 + 20 * k; // 23:59:20 on, every 20 s
        const [h, m, sec] = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60];
        const name = `heap-${[h, m, sec].map((v) => String(v).padStart(2, '0')).join('-')}.pickle`;
        cpSync(`fixtures/leaks/memo_leak/snap-${k}.pickle`, join(dir, name));
      }
      const r = await cli('gate', dir, '--max-leaks', '0');
      expect([r.code, r.err]).toEqual([
        2,
        expect.stringContaining('taken across midnight (or noon, by a 12-hour clock)'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A date and clock with no joints were one number (h337 F2): two runs one after the other read as one
  // series with its leak restarting, and the gate passed it.
  it("a date of 8 digits ('%Y%m%d') before a time of day, of 6 digits or not, is read as a clock", () => {
    const nulls = [null, null, null, null];
    const pids = [
      'h-20261207-100000-4242',
      'h-20261207-100010-4242',
      'h-20261207-100500-4300',
      'h-20261207-100510-4300',
    ];
    expect(
      numberedRuns(
        pids.map((n) => `${n}.pickle`),
        t(4),
      ),
    ).toMatchObject({
      runs: [
        { glob: 'h-*-4242.pickle', count: 2 },
        { glob: 'h-*-4300.pickle', count: 2 },
      ],
      apart: true,
    });
    // Across midnight: one series, not a run a day.
    const days = ['s-20261207-23-59-30', 's-20261207-23-59-50', 's-20261208-00-00-10', 's-20261208-00-00-30'];
    expect(
      numberedRuns(
        days.map((n) => `${n}.pickle`),
        nulls,
      ),
    ).toBeNull();
    const compact = ['s-20261207_235930', 's-20261207_235950', 's-20261208_000010', 's-20261208_000030'];
    expect(
      numberedRuns(
        compact.map((n) => `${n}.pickle`),
        nulls,
      ),
    ).toBeNull();
  });

  // A process id of 6 digits after a date ('heap-%Y%m%d-<pid>-<n>') is no time of day: two names share it
  // (read as one, the runs were told apart by their counts, and one run's glob took a capture of each;
  // h343 F3).
  it('a date, a process id of 6 digits and a count: runs by process', () => {
    const names = [104530, 104531].flatMap((pid) => [1, 2, 3].map((n) => `heap-20261207-${pid}-${n}.pickle`));
    expect(numberedRuns(names, t(6))?.runs.map((r) => r.glob)).toEqual([
      'heap-20261207-104530-*.pickle',
      'heap-20261207-104531-*.pickle',
    ]);
  });

  // Read as times of day, counts were refused as names across midnight or runs apart (h340 F1, F4).
  it.each([
    [
      'a count every 30000',
      [0, 30000, 60000, 90000, 120000, 150000, 180000, 210000].map((n) => `snap-${String(n).padStart(6, '0')}`),
    ],
    [
      'steps on a log scale',
      [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000].map(
        (n) => `step${String(n).padStart(6, '0')}`,
      ),
    ],
    [
      'a global step across epochs',
      [1, 2, 3].flatMap((e) =>
        [1, 2, 3].map((k) => `heap-epoch${e}-step${String(500 * (3 * e + k - 3)).padStart(6, '0')}`),
      ),
    ],
    ['a process id of 6 digits', ['mem.123456.1', 'mem.123456.2', 'mem.123456.3', 'mem.123456.4']],
    [
      'a time of day of 6 digits with no date (a count as much)',
      ['heap-235930', 'heap-235950', 'heap-000010', 'heap-000030'],
    ],
  ])('six digits with no date before them are a number: %s', (_, names) => {
    const files = names.map((n) => `${n}.pickle`);
    expect(
      numberedRuns(
        files,
        files.map(() => null),
      ),
    ).toBeNull();
    expect(numberedRuns(files, t(files.length))).toBeNull();
  });

  it('names spread evenly over the whole day, unordered by times: said (hourly from 10:00 read from 00:00)', () => {
    const hourly = Array.from({ length: 24 }, (_, h) => `heap-${String(h).padStart(2, '0')}-00-00.pickle`);
    const found = numberedRuns(
      hourly,
      hourly.map(() => null),
    );
    expect(found).toMatchObject({ wraps: ['heap-00-00-00.pickle', 'heap-01-00-00.pickle'], evenDay: true });
    expect(numberedRuns(hourly, t(24))).toBeNull();
    // Over less than the day: its order is the names'.
    expect(
      numberedRuns(
        hourly.slice(0, 23),
        hourly.slice(0, 23).map(() => null),
      ),
    ).toBeNull();
  });

  it("a clock in the names whose steps are the times' steps, around midnight too", () => {
    const names = ['heap-235950', 'heap-000005', 'heap-000020'].map((n) => `${n}.pickle`);
    expect(namedByTheirTimes(names, [100, 115, 130])).toBe(true);
    expect(namedByTheirTimes(names, [100, 115, 190])).toBe(false);
    expect(namedByTheirTimes(['snap-1.pickle', 'snap-2.pickle'], [100, 115])).toBe(false);
  });

  it('dumps named by a clock of 6 digits across midnight, with .time sidecars: one series, nothing said of a ring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-compact-'));
    try {
      for (let k = 1; k <= 9; k++) {
        const s = 86_340 + 20 * k; // 23:59:20 on, every 20 s
        const name = `heap-${[Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((v) => String(v).padStart(2, '0')).join('')}.pickle`;
        cpSync(`fixtures/leaks/memo_leak/snap-${k}.pickle`, join(dir, name));
        writeFileSync(join(dir, `${name}.time`), String(1_796_601_540 + 20 * k));
      }
      const r = await cli('gate', dir, '--max-leaks', '0');
      expect([r.code, r.err]).toEqual([1, expect.not.stringContaining('start again')]);
      expect(r.out).toMatch(/FAIL max-leaks: 2 leaks .*memo_leak\.py:9 .*memo_leak\.py:13 /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs one after the other in time are runs all the same (each a leak restarting)', () => {
    const names = ['mem.11.1.pickle', 'mem.11.2.pickle', 'mem.12.1.pickle', 'mem.12.2.pickle'];
    expect(numberedRuns(names, t(4))).toEqual({
      runs: [
        { glob: 'mem.11.*.pickle', count: 2 },
        { glob: 'mem.12.*.pickle', count: 2 },
      ],
      overlap: false,
      afresh: true,
    });
    expect(numberedRuns(names, [1, null, 3, 4])?.overlap).toBeNull();
  });
});

describe("one process's leak dumped under its clock's names (fixtures/leaks/elapsed-names, CPython 3.12)", () => {
  // snap_%.1fs of the seconds elapsed, and raw perf_counter() names, were refused as runs interleaved (h359).
  it.each(['elapsed', 'perf'])('%s/: one series, the leak found, the gate failing on it', async (d) => {
    const dir = `fixtures/leaks/elapsed-names/${d}`;
    const r = await cli('leaks', dir, '--json');
    expect(r.code).toBe(0);
    const leak = (
      JSON.parse(r.out) as { sites: { verdict: string; lineno: number; bytesPerCapture: number[] }[] }
    ).sites.find((x) => x.verdict === 'leak');
    // Each step kept 200 more blocks: every capture more than the one before.
    expect(leak?.lineno).toBe(18);
    expect(leak?.bytesPerCapture.every((b, i, all) => i === 0 || b > all[i - 1]!)).toBe(true);
    expect((await cli('gate', dir)).code).toBe(1);
  });
  it('still tells runs counted afresh after a point (snap-<run>.<step>)', () => {
    const names = ['snap-1.1', 'snap-1.2', 'snap-1.3', 'snap-2.1', 'snap-2.2', 'snap-2.3'];
    expect(
      numberedRuns(
        names,
        names.map(() => null),
      )?.runs,
    ).toHaveLength(2);
    const pids = ['mem.29779.1', 'mem.29779.3', 'mem.31002.2', 'mem.31002.4', 'mem.29779.5', 'mem.31002.6'];
    expect(
      numberedRuns(
        pids,
        pids.map(() => null),
      )?.runs,
    ).toHaveLength(2);
    // Two processes' names of h365, each counted afresh: a process id, then a counter of 5 digits; a
    // process id, then the seconds elapsed to a tenth; a counter, then a process id of 5 digits.
    const steps = [1, 2, 3, 4, 5];
    for (const names of [
      [7245, 7246].flatMap((pid) => steps.map((i) => `heap.${pid}.${String(i).padStart(5, '0')}.pickle`)),
      [13232, 13251].flatMap((pid) => steps.map((i) => `snap_${pid}_${((i - 1) * 0.3).toFixed(1)}s.pickle`)),
      [16475, 16479].flatMap((pid) => steps.map((i) => `snap.${i}.${pid}.pickle`)),
    ])
      expect([
        names[0],
        numberedRuns(
          names,
          names.map(() => null),
        )?.runs.length,
      ]).toEqual([names[0], 2]);
  });
});

describe('workers of a pool dumping into one folder, as h203 found them read as one series (the gate passed)', () => {
  const t = (n: number) => Array.from({ length: n }, (_, i) => 1_764_800_000 + i);
  const globs = (names: string[]) => numberedRuns(names, t(names.length))?.runs.map((r) => r.glob);
  it('a worker that took one task (maxtasksperchild) beside two of several: three runs', () => {
    const names = [1, 2, 3, 4, 5].flatMap((n) => [`snap-26189-${n}.pickle`, `snap-26191-${n}.pickle`]);
    expect(globs([...names, 'snap-26193-1.pickle'])).toEqual([
      'snap-26189-*.pickle',
      'snap-26191-*.pickle',
      'snap-26193-*.pickle',
    ]);
  });
  it("numbered by the task's index, not each worker's count (even tasks one worker's, odd the other's)", () => {
    const names = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `snap-${21511 + (i % 2)}-${i}.pickle`);
    expect(numberedRuns(names, t(names.length))).toMatchObject({
      runs: [
        { glob: 'snap-21511-*.pickle', count: 4 },
        { glob: 'snap-21512-*.pickle', count: 4 },
      ],
      afresh: false,
    });
  });
  it('named by the process id and time.time() (workers at once): runs by process, the time one number', () => {
    const at = [0.93, 0.97, 1.0, 1.03, 1.06, 1.1];
    const names = at.map((x, i) => `snap-${22484 + (i % 2)}-${(1_796_406_168 + x).toFixed(7)}.pickle`);
    expect(globs(names)).toEqual(['snap-22484-*.pickle', 'snap-22485-*.pickle']);
  });
  it('the step before the process id (snap-<step>-<pid>): runs by process, not by step', () => {
    const names = [1, 2, 3, 4].flatMap((n) => [`snap-${n}-22477.pickle`, `snap-${n}-22478.pickle`]);
    expect(globs(names)).toEqual(['snap-*-22477.pickle', 'snap-*-22478.pickle']);
  });
  it('a count going on from part to part stays one run', () => {
    expect(globs(['p1-1.pickle', 'p1-2.pickle', 'p1-3.pickle', 'p2-4.pickle', 'p2-5.pickle'])).toBeUndefined();
  });
});

// Two programs' dumps in one folder, each named by its program and counted from 1 ('leaky-<n>' beside
// 'clean-<n>'): names of two shapes, which no rule told apart. Ordered by their times, the leaking run's
// captures then the clean one's read "no leak", and the gate passed, with nothing said (h321). One
// process's phases are named so too ('warmup-<n>' then 'steady-<n>': refused, its leak lost, h322): said.
describe("two programs' dumps in one folder under names of their own", () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-two-programs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const [from, name] of [
    ['fixtures/leaks/memo_leak', 'leaky'],
    ['fixtures/leaks/lru_plateau', 'clean'],
  ] as const) {
    for (let i = 1; i <= 5; i++)
      for (const ext of ['', '.time']) cpSync(`${from}/snap-${i}.pickle${ext}`, join(dir, `${name}-${i}.pickle${ext}`));
  }

  it.each(['leaks', 'gate'])('%s says so, naming each as a glob to give alone', async (cmd) => {
    const r = await cli(cmd, dir);
    expect(r.code).not.toBe(2);
    expect(r.err).toContain(
      `the snapshots' names have 2 shapes, each counted from the same first number (${join(dir, 'leaky-*.pickle')}: 5, ` +
        `${join(dir, 'clean-*.pickle')}: 5): read as one process's captures, by their times; if they are runs of ` +
        `two programs, give one at a time ('${join(dir, 'leaky-*.pickle')}')`,
    );
    // As the message says: the leak CPython's compare_to shows, found.
    expect((await cli('gate', join(dir, 'leaky-*.pickle'))).code).toBe(1);
  });

  // One process's phases (fixtures/leaks/memo_leak, its first captures 'warmup-<n>' and the rest
  // 'steady-<n>'): its leak found, as under one name, with the same word.
  it("one process's phases named apart: the same leak as under one name", async () => {
    const phases = mkdtempSync(join(tmpdir(), 'arenascope-phases-'));
    for (let i = 1; i <= 9; i++)
      for (const ext of ['', '.time'])
        cpSync(
          `fixtures/leaks/memo_leak/snap-${i}.pickle${ext}`,
          join(phases, `${i <= 3 ? 'warmup' : 'steady'}-${i <= 3 ? i : i - 3}.pickle${ext}`),
        );
    const r = await cli('leaks', phases, '--json');
    const whole = await cli('leaks', 'fixtures/leaks/memo_leak', '--json');
    const leaks = (out: string) =>
      (JSON.parse(out) as { sites: { lineno: number; verdict: string }[] }).sites
        .filter((x) => x.verdict === 'leak')
        .map((x) => x.lineno);
    expect(r.code).toBe(0);
    expect(leaks(r.out)).toEqual(leaks(whole.out));
    expect(leaks(r.out).length).toBeGreaterThan(0);
    expect(r.err).toContain("the snapshots' names have 2 shapes");
  });

  // Refused where the names or times cannot be one process's phases (h323): without times (read in
  // name order, 'steady-*' before 'warmup-*', the leak lost), times that overlap (processes at once), or
  // other numbers that differ from run to run ('web-<pid>-<n>' beside 'batch-<pid>-<n>').
  it('refused without times, with times that overlap, or with a number naming each process', () => {
    const names = (a: string, b: string) => [1, 2, 3].flatMap((i) => [`${a}-${i}.pickle`, `${b}-${i}.pickle`]);
    expect(numberedRuns(names('warmup', 'steady'), Array(6).fill(null))?.byName).toBe(true);
    expect(numberedRuns(names('warmup', 'steady'), Array(6).fill(null))?.overlap).toBeNull();
    expect(numberedRuns(names('leaky', 'clean'), [1, 2, 3, 4, 5, 6])?.overlap).toBe(true);
    expect(numberedRuns(names('web-4935', 'batch-4936'), [1, 2, 3, 10, 11, 12])?.byName).toBeUndefined();
    expect(numberedRuns(names('web-1', 'batch-1'), [1, 2, 3, 10, 11, 12])?.byName).toBe(true);
  });

  it('without their times: refused, naming each as a glob', async () => {
    const untimed = mkdtempSync(join(tmpdir(), 'arenascope-two-programs-untimed-'));
    for (const [from, name] of [
      ['fixtures/leaks/memo_leak', 'leaky'],
      ['fixtures/leaks/lru_plateau', 'clean'],
    ] as const)
      for (let i = 1; i <= 5; i++) cpSync(`${from}/snap-${i}.pickle`, join(untimed, `${name}-${i}.pickle`));
    const r = await cli('leaks', untimed);
    expect(r.code).toBe(2);
    expect(r.err).toContain("the snapshots' names number 2 runs apart, each counted afresh");
    expect(r.err).toContain('list them in the order they were taken with --order given');
  });

  it('names of other shapes, or one name counting on, are no runs apart', () => {
    expect(numberedRuns(['a-1-1.pickle', 'b1.pickle', 'a-1-2.pickle', 'b2.pickle'], [1, 2, 3, 4])).toBeNull();
    expect(numberedRuns(['start.pickle', 'snap-1.pickle', 'snap-2.pickle', 'exit.pickle'], [1, 2, 3, 4])).toBeNull();
    expect(
      numberedRuns(['before-1.pickle', 'before-2.pickle', 'after-3.pickle', 'after-4.pickle'], [1, 2, 3, 4]),
    ).toBeNull();
  });
});
