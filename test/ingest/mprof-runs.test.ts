// mprof files holding several runs (`mprof run -o` onto an existing file appends one): each run is
// read, judged and reported on its own, and every command says so. fixtures/mprof/runs.dat holds
// four real runs appended by mprof itself; runs.json is what Python read from its text, and what
// memory_profiler's own `mprof peak` printed for the whole file (fixtures/mprof/make_runs.sh).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { printfFixed } from '../../src/util/printf.js';
import { cli } from '../helpers.js';

const FILE = 'fixtures/mprof/runs.dat';
const truth = JSON.parse(readFileSync('fixtures/mprof/runs.json', 'utf8')) as {
  runs: {
    cmdline: string;
    samples: number;
    peakMiB: number;
    children: Record<string, number>;
    functionCalls: number;
  }[];
  mprofPeak: string;
};
// The programs of runs 1 and 2 are the leak fixtures: one leaks, one does not (their truth.json).
const verdicts = JSON.parse(readFileSync('fixtures/leaks/mprof/truth.json', 'utf8')) as Record<string, string>;
const max = (a: Float64Array): number => a.reduce((m, x) => Math.max(m, x), -Infinity);

describe('mprof runs appended in one file', () => {
  it('each CMDLINE starts a run, with its own samples, children and @profile calls', async () => {
    const c = await loadCapture(FILE);
    if (c.kind !== 'memory-runs') throw new Error(`read as ${c.kind}`);
    expect(c.runs.map((r) => r.run)).toEqual(truth.runs.map((_, i) => ({ index: i + 1, count: truth.runs.length })));
    c.runs.forEach((r, i) => {
      const t = truth.runs[i]!;
      expect(r.cmdline).toBe(t.cmdline);
      expect(r.samples.mib.length).toBe(t.samples);
      expect(max(r.samples.mib)).toBe(t.peakMiB);
      expect(Object.fromEntries([...r.children].map(([pid, s]) => [String(pid), max(s.mib)]))).toEqual(t.children);
      expect(r.functions.length).toBe(t.functionCalls);
    });
    expect(c.warnings.join('\n')).toContain('4 runs appended in one file');
  });

  it("a run's @profile calls written before its CMDLINE are its own, by time (fixtures/mprof/make_runs_funcs.sh)", async () => {
    // The profiled child writes its FUNC lines at exit, while mprof's own lines wait in its buffer: in
    // runs-funcs.dat each run's calls come after the previous run's samples.
    const funcs = JSON.parse(readFileSync('fixtures/mprof/runs-funcs.json', 'utf8')) as {
      runs: { cmdline: string; functions: string[] }[];
    };
    const c = await loadCapture('fixtures/mprof/runs-funcs.dat');
    if (c.kind !== 'memory-runs') throw new Error(`read as ${c.kind}`);
    expect(c.runs.map((r) => ({ cmdline: r.cmdline, functions: r.functions.map((f) => f.name) }))).toEqual(funcs.runs);
    // Each call starts within the samples of the run it is given to.
    for (const r of c.runs) {
      for (const f of r.functions) {
        expect(f.tStart).toBeGreaterThanOrEqual(r.samples.t[0]!);
        expect(f.tStart).toBeLessThanOrEqual(r.samples.t[r.samples.t.length - 1]!);
      }
    }
  });

  it('info: each run, and the peak of the whole file as `mprof peak` prints it', async () => {
    const r = await cli('info', FILE, '--json');
    const info = JSON.parse(r.out) as {
      kind: string;
      peakMiB: number;
      programPeakMiB: number;
      runs: { peakMiB: number; programPeakMiB: number }[];
    };
    expect(info.kind).toBe('memory-runs');
    expect(info.runs.map((x) => x.peakMiB)).toEqual(truth.runs.map((x) => x.peakMiB));
    // The peak report and gate take, as each result has it (missing at the top of a file of runs, h250).
    expect(info.programPeakMiB).toBe(Math.max(...info.runs.map((x) => x.programPeakMiB)));
    expect(truth.mprofPeak.split('\n')[0]).toBe(`${FILE}\t${printfFixed(info.peakMiB, 3)} MiB`);
    expect(r.err).toContain('each is analysed on its own');
  });

  it('leaks: a verdict per run, labelled with the run, agreeing with the single-run fixtures', async () => {
    const r = await cli('leaks', FILE, '--json');
    const results = JSON.parse(r.out) as { label: string; series: { name: string; verdict: string }[] }[];
    expect(results.map((x) => x.label)).toEqual(truth.runs.map((_, i) => `${FILE} (run ${i + 1} of 4)`));
    expect(results[0]!.series[0]!.verdict).toBe(verdicts['leak.dat'] === 'leak' ? 'leak' : 'not a leak');
    expect(results[1]!.series[0]!.verdict).not.toBe('leak');
    expect(results[2]!.series.map((s) => s.name)).toEqual([
      'main',
      ...Object.keys(truth.runs[2]!.children).map((p) => `child ${p}`),
    ]);
    const text = (await cli('leaks', FILE)).out;
    expect(text).toContain(`Memory over time: ${FILE} (run 2 of 4): ${truth.runs[1]!.cmdline}`);
  });

  it("report and gate see every run: the peak is the largest run's, each run its own section", async () => {
    const r = await cli('report', FILE, '--format', 'text');
    for (let i = 1; i <= 4; i++) expect(r.out).toContain(`${FILE} (run ${i} of 4) main:`);
    const limit = `${Math.floor(Math.max(...truth.runs.map((x) => x.peakMiB)))}MiB`;
    const g = await cli('gate', FILE, '--max-peak', limit, '--max-leaks', '99');
    expect(g.code).toBe(1);
    expect(g.out).toContain('FAIL max-peak');
  });

  it('info gives the peak with children report and gate take: the largest run with its children (h149)', async () => {
    // info --json gave each run's and no whole file's, while report and gate took run 3's with children.
    const info = JSON.parse((await cli('info', FILE, '--json')).out) as {
      peakMiB: number;
      peakWithChildrenMiB: number;
      runs: { peakWithChildrenMiB: number }[];
    };
    const withChildren = Math.max(...info.runs.map((x) => x.peakWithChildrenMiB));
    expect(withChildren).toBeGreaterThan(info.peakMiB); // run 3's children count
    expect(info.peakWithChildrenMiB).toBe(withChildren);
    const report = JSON.parse((await cli('report', FILE, '--format', 'json')).out) as { summary: { peakMiB: number } };
    expect(report.summary.peakMiB).toBe(withChildren);
    expect((await cli('info', FILE)).out).toMatch(
      new RegExp(`with children +${printfFixed(withChildren, 3)} MiB \\(the largest of all runs with their children`),
    );
  });
});

describe('a command line holding a newline (fixtures/mprof/make_cmdline_newline.sh)', () => {
  it('is read whole, as mprof wrote it, and the run as `mprof peak` reads it', async () => {
    const file = 'fixtures/mprof/cmdline-newline.dat';
    const c = await loadCapture(file);
    if (c.kind !== 'memory-series') throw new Error(c.kind);
    expect(c.cmdline).toMatch(/ 'first\nsecond line'$/);
    const peak = /\t([\d.]+) MiB/.exec(readFileSync('fixtures/mprof/cmdline-newline.mprof-peak', 'utf8'))![1]!;
    expect(printfFixed(max(c.samples.mib), 3)).toBe(peak);
    // Said all the same: a command line wrapped when the file was copied reads so too (h324).
    expect(c.warnings).toEqual([
      `${file}: line 2 read as more of the CMDLINE line before, after a line end (mprof writes an argument's ` +
        'line end as it is; a command line wrapped when the file was copied keeps the breaks)',
    ]);
  });

  it("an argument holding a blank line: the empty line is the command's too, not the end of it (h326)", async () => {
    const file = 'fixtures/mprof/cmdline-blank-line.dat';
    const c = await loadCapture(file);
    if (c.kind !== 'memory-series') throw new Error(c.kind);
    expect(c.cmdline).toMatch(/ one\n\ntwo$/);
    // Every MEM line read (the file's own figures: memory_profiler's reader refuses the file).
    const mem = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('MEM '));
    expect(c.samples.mib.length).toBe(mem.length);
    expect(max(c.samples.mib)).toBe(Math.max(...mem.map((l) => Number(l.split(' ')[1]))));
  });

  it('a damaged sample right after the CMDLINE is an error, not more of the command line (its MiB lost)', async () => {
    const text = readFileSync('fixtures/mprof/plain.dat', 'utf8').split('\n');
    const at = text.findIndex((l) => l.startsWith('MEM '));
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-cmdline-'));
    for (const damaged of [text[at]!.replace('MEM', 'mem'), text[at]!.replace('MEM', 'MEN')]) {
      const file = join(dir, 'damaged.dat');
      writeFileSync(file, [...text.slice(0, at), damaged, ...text.slice(at + 1)].join('\n'));
      const r = await cli('info', file);
      expect([r.code, r.err]).toEqual([2, expect.stringContaining(`line ${at + 1}: `)]);
    }
  });
});

describe('a .dat whose lines were sorted by their field (a spreadsheet sort by column A)', () => {
  // fixtures/mprof/multi.dat (mprof run --multiprocess, memory_profiler 0.61), its lines sorted by
  // their first field, the order kept within each: the CHLD lines come before the CMDLINE. They were
  // read as a run of their own, and `gate --max-peak` saw the parent's 31 MiB, not its children's.
  it('is read as the one run it is: the same samples, children and peak as the file mprof wrote', async () => {
    const text = readFileSync('fixtures/mprof/multi.dat', 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    const field = (l: string): string => l.slice(0, l.indexOf(' '));
    const sorted = lines
      .map((l, i) => ({ l, i }))
      .sort((a, b) => (field(a.l) < field(b.l) ? -1 : field(a.l) > field(b.l) ? 1 : a.i - b.i));
    expect(field(sorted[0]!.l)).toBe('CHLD');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-sorted-dat-'));
    const file = join(dir, 'sorted.dat');
    writeFileSync(file, `${sorted.map((x) => x.l).join('\n')}\n`);
    const [a, b] = [await loadCapture('fixtures/mprof/multi.dat'), await loadCapture(file)];
    if (a.kind !== 'memory-series' || b.kind !== 'memory-series') throw new Error('not one run');
    expect([...b.samples.mib]).toEqual([...a.samples.mib]);
    expect([...b.children.keys()]).toEqual([...a.children.keys()]);
    const peak = async (f: string) => {
      const r = await cli('gate', f, '--max-peak', '1MiB', '--json');
      return JSON.parse(r.out).checks.find((c: { check: string }) => c.check === 'max-peak').measured;
    };
    expect(await peak(file)).toBe(await peak('fixtures/mprof/multi.dat'));
  });
});

describe('CHLD lines with no MEM line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-no-mem-'));
  const write = (name: string, lines: string[]): string => {
    const f = join(dir, name);
    writeFileSync(f, `${lines.join('\n')}\n`);
    return f;
  };
  const rounds = (n: number, t0: number, pids: (k: number) => number[], mem = '-1.000000') =>
    Array.from({ length: n }, (_, k) => {
      const t = (t0 + k * 0.1).toFixed(4);
      return [`MEM ${mem} ${t}`, ...pids(k).map((p) => `CHLD ${p} 10.000000 ${t}`)];
    }).flat();

  it("two runs sorted by field (all CHLD first, all MEM last): refused, as the runs' lines cannot be told apart", async () => {
    const a = rounds(5, 1795300000, () => [501], '12.5');
    const b = rounds(5, 1795300100, () => [601], '14.5');
    const file = ['CMDLINE python3 a.py', ...a, 'CMDLINE python3 a.py', ...b];
    const field = (l: string): string => l.slice(0, l.indexOf(' '));
    const sorted = file.map((l, i) => ({ l, i })).sort((x, y) => field(x.l).localeCompare(field(y.l)) || x.i - y.i);
    const r = await cli(
      'info',
      write(
        'two-runs-sorted.dat',
        sorted.map((x) => x.l),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /line 12: a CMDLINE after a run of CHLD lines with no MEM line: .* not in the order mprof wrote them/,
    );
  });

  it('every MEM -1 (nothing measured): no peak, not the largest child alone (two children of 10 MiB at once passed a 15 MiB limit)', async () => {
    const f = write('children-only.dat', ['CMDLINE python3 a.py', ...rounds(20, 1795300000, () => [501, 502])]);
    const r = await cli('gate', f, '--max-peak', '15MiB');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL max-peak: no peak');
  });

  it("a run with no peak beside runs with one: the gate's peak check fails, naming it (the others' largest passed)", async () => {
    const f = write('runs-one-unmeasured.dat', [
      'CMDLINE python3 a.py',
      ...rounds(20, 1795300000, () => [], '12.5'),
      'CMDLINE python3 a.py',
      ...rounds(20, 1795300100, () => [601, 602]),
    ]);
    const r = await cli('gate', f, '--max-peak', '15MiB');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /FAIL max-peak: .* 12\.5 MiB .*; but no peak of \S+ \(run 2 of 2\): no MEM sample measured the program/,
    );
  });

  it('--max-peak-growth too: a run with no peak fails it, its peak unknown', async () => {
    const ok = write('ok.dat', ['CMDLINE python3 a.py', ...rounds(20, 1795300000, () => [], '12.5')]);
    const none = write('none.dat', ['CMDLINE python3 a.py', ...rounds(20, 1795300100, () => [601, 602])]);
    const base = join(dir, 'base.json');
    expect((await cli('baseline', ok, '-o', base)).code).toBe(0);
    const r = await cli('gate', ok, none, '--baseline', base, '--max-peak-growth', '5%');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL max-peak-growth: .*; but no peak of \S*none\.dat: no MEM sample measured the program/);
  });

  it('more than 20,000 children, every MEM -1: read as their total, not as a run with no sample', async () => {
    const f = write('many-children.dat', [
      'CMDLINE python3 pool.py',
      ...rounds(10_001, 1795300000, (k) => [2 * k + 1000, 2 * k + 1001]),
    ]);
    const r = await cli('info', f);
    expect(r.code).toBe(0);
    expect(r.err).toContain('more than 20000 child processes');
  });
});

describe('a run killed mid-line, the next appended to the file (mprof run -o), read with --lenient (h202)', () => {
  // The cut line and the next run's CMDLINE make one line ('MEM 50.3CMDLINE …'): --lenient skipped it
  // whole, and both programs' samples were read as one run (a plateau, where the first run leaks).
  it('skips the cut sample and starts the next run at its CMDLINE: two runs, each judged on its own', async () => {
    const first = readFileSync('fixtures/mprof/plain.dat', 'utf8');
    const cut = first.slice(0, first.indexOf('\n', first.length / 2) + 8);
    expect(cut).not.toMatch(/\n$/);
    const file = join(mkdtempSync(join(tmpdir(), 'arenascope-killed-')), 'mprofile.dat');
    writeFileSync(file, cut + readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8'));
    const strict = await cli('leaks', file);
    expect(strict.code).toBe(2);
    const r = await cli('leaks', '--lenient', file);
    expect(r.code).toBe(0);
    expect(r.err).toContain('skipped 1 malformed line(s)');
    expect(r.err).toContain('2 runs appended in one file');
    expect(r.out).toContain('(run 1 of 2): /usr/bin/python3 ../workloads/mp_plain.py');
    expect(r.out).toContain('(run 2 of 2): /usr/bin/python3 fixtures/leaks/mprof/leaky_service.py');
    expect(r.out).toMatch(/\(run 2 of 2\)[^\n]*\n {2}main: LEAK/);
  });
});

describe('--max-peak-growth against a baseline of runs of several commands', () => {
  it("runs of two commands: each against the baseline's runs of its command, the largest growth failing", async () => {
    // leak.dat and sawtooth.dat: runs 1 and 2's programs (h282: the largest peak of each side compared).
    const runs = readFileSync(FILE, 'utf8').split(/^(?=CMDLINE )/m);
    const growth = (file: string, run: number): number => {
      const [now, before] = [peakOf(readFileSync(file, 'utf8')), peakOf(runs[run]!)];
      return ((now - before) / before) * 100;
    };
    const each = [growth('fixtures/leaks/mprof/leak.dat', 0), growth('fixtures/leaks/mprof/sawtooth.dat', 1)];
    const r = await cli(
      'gate',
      'fixtures/leaks/mprof/leak.dat',
      'fixtures/leaks/mprof/sawtooth.dat',
      '--baseline',
      FILE,
      '--max-peak-growth',
      '0%',
      '--json',
    );
    type Check = { check: string; measured: number; passed: boolean; message: string };
    const check = (JSON.parse(r.out) as { checks: Check[] }).checks.find((c) => c.check === 'max-peak-growth')!;
    expect(check.measured).toBeCloseTo(Math.max(...each), 6);
    expect(check.passed).toBe(Math.max(...each) <= 0);
    expect(check.message).toContain('the largest growth of 2 commands');
  });

  // runs.dat's run 2 is sawtooth_service.py's; fixtures/leaks/mprof/sawtooth.dat another run of it.
  // The current run was compared with the baseline's highest peak, another program's (run 1, 90.4 MiB),
  // and a run that grew passed (h277).
  const peakOf = (text: string): number => Math.max(...[...text.matchAll(/^MEM ([\d.]+) /gm)].map((m) => Number(m[1])));
  const runText = readFileSync(FILE, 'utf8').split(/^(?=CMDLINE )/m)[1]!;
  const current = 'fixtures/leaks/mprof/sawtooth.dat';
  const [before, now] = [peakOf(runText), peakOf(readFileSync(current, 'utf8'))];

  it("compares the current run's peak with the baseline's run of the same command", async () => {
    expect(runText).toMatch(/^CMDLINE \S+ fixtures\/leaks\/mprof\/sawtooth_service\.py\n/);
    expect(now).toBeGreaterThan(before);
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-runs-baseline-'));
    const json = join(dir, 'base.json');
    expect((await cli('baseline', FILE, '-o', json)).code).toBe(0);
    for (const base of [FILE, json]) {
      const r = await cli('gate', current, '--baseline', base, '--max-peak-growth', '0%', '--json');
      expect(r.code).toBe(1);
      type Check = { check: string; measured: number; message: string };
      const check = (JSON.parse(r.out) as { checks: Check[] }).checks.find((c) => c.check === 'max-peak-growth')!;
      expect(check.measured).toBeCloseTo(((now - before) / before) * 100, 6);
      expect(check.message).toContain(
        'of the runs of "/usr/bin/python3 fixtures/leaks/mprof/sawtooth_service.py", against the baseline\'s runs of it',
      );
    }
  });
});

// A child that lived about as long as the --warmup asked for: 2 of its samples were left, and the whole
// command stopped (exit 2), the program and the other child unjudged (h291). It is not judged alone.
describe('--warmup that leaves a child too few samples (fixtures/mprof/warmup-child, memory_profiler 0.61)', () => {
  it('leaves that child not judged; the program and the other child are judged, and the gate reads it', async () => {
    const dat = 'fixtures/mprof/warmup-child/childok.dat';
    const r = await cli('leaks', dat, '--warmup', '2', '--json');
    expect(r.code).toBe(0);
    const series = (JSON.parse(r.out) as { series: { name: string; verdict: string; next: string }[] }).series;
    expect(series.map((x) => x.verdict)).toEqual(['stable', 'unjudged', 'stable']);
    expect(series[1]!.next).toContain('2 after the warm-up (--warmup 2)');
    const gate = await cli('gate', dat, '--max-leaks', '0', '--warmup', '2');
    expect([gate.code, gate.out]).toEqual([0, expect.stringContaining('not judged, too few samples')]);
    // The program's own series still refuses such a warm-up: it is the question's mistake.
    expect((await cli('leaks', dat, '--warmup', '3')).code).toBe(2);
  });
});
