// The byte path for MEM and CHLD lines (ingest/mprof.ts, sampleLines) reads what the string path
// reads: the same file with '\r\n' line ends goes through the string path for every line (the byte
// path stops at a '\r'), so the two reads must give the same samples, bit for bit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { MemorySeries } from '../../src/model/memory-series.js';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-mprof-lines-'));

async function bothPaths(text: string): Promise<[MemorySeries, MemorySeries]> {
  const lf = join(dir, 'lf.dat');
  const crlf = join(dir, 'crlf.dat');
  writeFileSync(lf, text);
  writeFileSync(crlf, text.replaceAll('\n', '\r\n'));
  const [a, b] = [await loadCapture(lf), await loadCapture(crlf)];
  if (a.kind !== 'memory-series' || b.kind !== 'memory-series') throw new Error('not one mprof run');
  return [a, b];
}

function expectSame(a: MemorySeries, b: MemorySeries): void {
  expect([...a.samples.t]).toEqual([...b.samples.t]);
  expect([...a.samples.mib]).toEqual([...b.samples.mib]);
  expect([...a.children.keys()]).toEqual([...b.children.keys()]);
  for (const [pid, s] of a.children) {
    expect([...s.t]).toEqual([...b.children.get(pid)!.t]);
    expect([...s.mib]).toEqual([...b.children.get(pid)!.mib]);
  }
  expect(a.functions).toEqual(b.functions);
}

describe('mprof MEM and CHLD lines read from bytes', () => {
  it('a real `mprof run --multiprocess` file (MEM and CHLD lines interleaved)', async () => {
    const [a, b] = await bothPaths(readFileSync('fixtures/mprof/multi.dat', 'utf8'));
    expect(a.children.size).toBeGreaterThan(0);
    expectSame(a, b);
  });

  it('numbers at the edges: signs, a bare point, 15 digits, leading zeros, pids of many digits', async () => {
    const text = [
      'CMDLINE python3 x.py',
      'MEM 0.000000 1795300000.0000',
      'MEM -1.000000 1795300000.1000', // the posix backend's "none measured"
      'MEM 12000. 1795300000.2000',
      'MEM 123456789.012345 1795300000.3000',
      'CHLD 007 1.250000 1795300000.3500',
      'CHLD 123456789012345 2.5 1795300000.4000',
      'CHLD 12 -0.0 1795300000.5',
      'CHLD 12 3. 1795300000.6000',
      'CHLD 1234567890123456 1.0 1795300000.7000',
      'CHLD 12 1.0e3 1795300000.8000',
      'MEM 1.0e5 1795300000.9000',
      'MEM 8589934591.5 1795300001.0000', // just under 2^53 bytes
      'FUNC f 1.0000 1795300000.0000 2.0000 1795300001.0000 0',
      '',
    ].join('\n');
    const [a, b] = await bothPaths(text);
    expect(a.samples.t.length).toBe(5); // the -1 left out
    expect(a.warnings).toEqual([expect.stringContaining('1 sample(s) of -1 MiB')]);
    expect(a.children.size).toBe(4);
    expectSame(a, b);
  });

  it('a file of many chunks: lines cut at every chunk boundary, and the line numbers counted across them', async () => {
    // A real run's MEM and CHLD lines repeated past 1 MiB (four 256 KiB chunks and more), later in time each round.
    const real = readFileSync('fixtures/mprof/multi.dat', 'utf8').split('\n');
    const body = real.filter((l) => l.startsWith('MEM ') || l.startsWith('CHLD '));
    const span = 1000;
    const lines = ['CMDLINE python3 x.py'];
    for (let round = 0; lines.join('\n').length < (1 << 20) + 4096; round++) {
      for (const l of body) {
        const f = l.split(' ');
        f[f.length - 1] = (Number(f[f.length - 1]) + round * span).toFixed(4);
        lines.push(f.join(' '));
      }
    }
    const [a, b] = await bothPaths(`${lines.join('\n')}\n`);
    expect(a.samples.t.length).toBe(lines.filter((l) => l.startsWith('MEM ')).length);
    expectSame(a, b);
    // A bad line far in: its number counts every line the byte path took before it.
    const at = lines.length - 7;
    const bad = join(dir, 'far.dat');
    writeFileSync(bad, `${lines.map((l, i) => (i === at ? 'MEM 12.0 soon' : l)).join('\n')}\n`);
    const r = await cli('info', bad);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining(`line ${at + 1}:`)]);
  });

  it('memory no process holds (past 2^53 bytes, below -1) is an error naming the line, on both paths', async () => {
    for (const [mem, line] of [
      ['1e308', 3],
      ['1234567890123456.5', 3],
      ['-5.0', 3],
    ] as const) {
      const f = join(dir, 'edge.dat');
      writeFileSync(f, `CMDLINE x\nMEM 10.0 1795300000.0\nMEM ${mem} 1795300000.1\n`);
      const r = await cli('info', f);
      expect([r.code, r.err]).toEqual([
        2,
        expect.stringContaining(`line ${line}: the memory "${mem}" MiB is not a process's`),
      ]);
    }
  });
});

describe("the posix backend's -1 (ps measured nothing)", () => {
  it('is no memory: a leak with -1 samples is judged as without them (it read "floor -> -1.0 MiB", gate passed)', async () => {
    // The real leak run, a few samples of its last third as the posix backend writes them when `ps`
    // measures nothing.
    const lines = readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8').split('\n');
    const mem = lines.flatMap((l, i) => (l.startsWith('MEM ') ? [i] : []));
    const hit = new Set([mem[150]!, mem[170]!, mem[190]!]);
    const none = join(dir, 'none.dat');
    const without = join(dir, 'without.dat');
    writeFileSync(none, lines.map((l, i) => (hit.has(i) ? l.replace(/^MEM \S+/, 'MEM -1.000000') : l)).join('\n'));
    writeFileSync(without, lines.filter((_, i) => !hit.has(i)).join('\n'));
    const judged = async (f: string) => {
      const r = await cli('leaks', '--json', f);
      const s = JSON.parse(r.out).series[0];
      return [s.verdict, s.confidence, s.floorEndMiB, s.samples];
    };
    expect(await judged(none)).toEqual(await judged(without));
    expect((await judged(none))[0]).toBe('leak');
    const gate = await cli('gate', none);
    expect([gate.code, gate.err]).toEqual([1, expect.stringContaining('3 sample(s) of -1 MiB')]);
    // A child's -1: memory_profiler measures children with psutil, which never writes it.
    writeFileSync(none, 'CMDLINE x\nMEM 10.0 1795300000.0\nCHLD 5 -1.000000 1795300000.0\n');
    const child = await cli('info', none);
    expect([child.code, child.err]).toEqual([
      2,
      expect.stringContaining('line 3: the memory "-1.000000" MiB is not a process\'s'),
    ]);
    // Nothing but -1: no process was measured.
    writeFileSync(none, 'CMDLINE x\nMEM -1.000000 1795300000.0\nMEM -1.000000 1795300000.1\n');
    const r = await cli('info', none);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining('no sample measured a process, only 2 sample(s) of -1'),
    ]);
  });
});

describe("-1 samples at a run's start (fixtures/mprof/runs-funcs.dat, three runs appended)", () => {
  it('still date the run: its @profile calls stay with it (they went to the run before)', async () => {
    const text = readFileSync('fixtures/mprof/runs-funcs.dat', 'utf8');
    const lines = text.split('\n');
    const second = lines.findIndex((l, i) => i > 0 && l.startsWith('CMDLINE '));
    let k = 0;
    const edited = lines.map((l, i) =>
      i > second && l.startsWith('MEM ') && k++ < 6 ? l.replace(/^MEM \S+/, 'MEM -1.000000') : l,
    );
    const f = join(dir, 'runs-none.dat');
    writeFileSync(f, edited.join('\n'));
    const calls = async (p: string) => {
      const c = await loadCapture(p);
      if (c.kind !== 'memory-runs') throw new Error('not runs');
      return c.runs.map((r) => r.functions.map((x) => x.name));
    };
    expect(await calls(f)).toEqual(await calls('fixtures/mprof/runs-funcs.dat'));
  });
});

describe('a real .dat as editors save it', () => {
  const real = readFileSync('fixtures/mprof/funcs.dat', 'utf8');
  const save = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const same = async (path: string) => {
    const [a, b] = [await loadCapture('fixtures/mprof/funcs.dat'), await loadCapture(path)];
    if (a.kind !== 'memory-series' || b.kind !== 'memory-series') throw new Error('not one mprof run');
    expectSame(a, b);
    expect(b.cmdline).toBe(a.cmdline);
  };

  it('a UTF-8 byte order mark, spaces at the ends of lines, a line of spaces: the same run', async () => {
    expect(real).toMatch(/^FUNC /m);
    await same(save('bom.dat', `\uFEFF${real}`));
    await same(save('trailing.dat', `${real.replaceAll('\n', '  \n')}   \n`));
  });

  it('tabs for its spaces: an error naming the line (mprof itself fails on them)', async () => {
    const lines = real.split('\n');
    const at = lines.findIndex((l) => l.startsWith('MEM '));
    lines[at] = lines[at]!.replaceAll(' ', '\t');
    await expect(loadCapture(save('tabs.dat', lines.join('\n')))).rejects.toThrow(
      new RegExp(`tabs\\.dat: line ${at + 1}: fields separated by tabs .*: mprof writes single spaces`),
    );
  });
});

describe('@profile calls after the sampler stopped (fixtures/mprof/stopped/make.py)', () => {
  // mprof's own process interrupted: the program ran on and wrote 200 MiB of calls after the last MEM.
  it('are said, with the memory they reach above the peak the samples give (mprof peak)', async () => {
    const p = 'fixtures/mprof/stopped/interrupted.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const mem = lines.filter((l) => l.startsWith('MEM ')).map((l) => l.split(' ').map(Number));
    const lastT = mem[mem.length - 1]![2]!;
    const peak = Math.max(...mem.map((m) => m[1]!));
    // The calls above the samples' peak (by their start or end), each ending after the last sample.
    const calls = lines.filter((l) => l.startsWith('FUNC ')).map((l) => l.split(' ').map(Number));
    const above = calls.filter((c) => Math.max(c[2]!, c[4]!) > peak + 0.0001);
    expect(above.every((c) => c[5]! > lastT)).toBe(true);
    const r = await cli('info', p);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${p}: ${above.length} @profile call(s) (FUNC lines) end after the last memory sample`);
    expect(r.err).toContain(`the samples' peak is ${peak.toFixed(1)}`);
    expect(r.err).toContain('the sampler stopped before the program: mprof interrupted?');
  });

  // A whole run (helper h250's `mprof run` of last_interval.py, exit 0) whose last calls (threads) end
  // within mprof's 0.1 s after its last sample: said as such, not as mprof interrupted.
  it('ending within a sampling interval of the last sample: said so, not "interrupted"', async () => {
    const p = 'fixtures/mprof/stopped/last-interval.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const lastT = Number(
      lines
        .filter((l) => l.startsWith('MEM '))
        .at(-1)!
        .split(' ')[2],
    );
    const ends = lines.filter((l) => l.startsWith('FUNC ')).map((l) => Number(l.split(' ')[5]));
    expect(Math.max(...ends) - lastT).toBeLessThan(0.1);
    const r = await cli('info', p);
    expect(r.err).toContain('within a sampling interval of it: the program ended before the next sample');
    expect(r.err).not.toContain('interrupted');
  });

  // A gate's --max-peak judged the samples' peak alone: a run of `mprof run -t 1` sampled 47.1 MiB, its
  // calls after it 67.1, and a 50 MiB limit passed.
  it("fail a gate's --max-peak between the samples' peak and theirs", async () => {
    const p = 'fixtures/mprof/stopped/interrupted.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const mem = lines.filter((l) => l.startsWith('MEM ')).map((l) => Number(l.split(' ')[1]));
    const lastT = Number(
      lines
        .filter((l) => l.startsWith('MEM '))
        .at(-1)!
        .split(' ')[2],
    );
    // Each call ending after the last sample, by its end; one begun after it, by its start too.
    const calls = lines.filter((l) => l.startsWith('FUNC ') && Number(l.split(' ')[5]) > lastT);
    const high = Math.max(
      ...calls.flatMap((l) => [
        Number(l.split(' ')[3]) > lastT ? Number(l.split(' ')[2]) : -1,
        Number(l.split(' ')[4]),
      ]),
    );
    const sampled = Math.max(...mem);
    expect(high).toBeGreaterThan(sampled + 2);
    const between = await cli('gate', p, '--max-peak', `${Math.ceil(sampled + 1)}MiB`);
    expect(between.code).toBe(1);
    expect(between.out).toContain(`reached ${high.toFixed(1)} MiB`);
    const above = await cli('gate', p, '--max-peak', `${Math.ceil(high + 1)}MiB`);
    expect(above.code).toBe(0);
  });
});

describe('an @profile call that began before the last sample and ended after it (fixtures/mprof/stopped/make_timeout.py)', () => {
  // `mprof run -t 1` stopped sampling at 85 MiB in the middle of the program's one call, which ended at
  // 181.8 MiB (its FUNC line): the late calls were those begun after the last sample, and a gate's
  // --max-peak of 150 MiB passed (helper h226).
  it("is said, and fails a gate's --max-peak between the samples' peak and its end", async () => {
    const p = 'fixtures/mprof/stopped/timeout.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const mem = lines.filter((l) => l.startsWith('MEM ')).map((l) => l.split(' ').map(Number));
    const lastT = mem.at(-1)![2]!;
    const sampled = Math.max(...mem.map((m) => m[1]!));
    const [call] = lines.filter((l) => l.startsWith('FUNC ')).map((l) => l.split(' ').map(Number));
    expect(call![3]!).toBeLessThan(lastT); // begun while sampled
    expect(call![5]!).toBeGreaterThan(lastT); // ended after
    const end = call![4]!;
    expect(end).toBeGreaterThan(sampled + 50);
    const info = await cli('info', p);
    expect(info.code).toBe(0);
    expect(info.err).toContain(
      `${p}: 1 @profile call(s) (FUNC lines) end after the last memory sample, up to ${end.toFixed(1)} MiB`,
    );
    const between = await cli('gate', p, '--max-peak', '150MiB');
    expect(between.code).toBe(1);
    expect(between.out).toContain(`reached ${end.toFixed(1)} MiB`);
    expect((await cli('gate', p, '--max-peak', `${Math.ceil(end + 1)}MiB`)).code).toBe(0);
  });
});

describe('@profile calls after the last sample at its memory (fixtures/mprof/stopped/make_rounded.py)', () => {
  // FUNC's 4 decimals read 29.7344 MiB over MEM's 29.734375: a whole run was said to be interrupted,
  // and a gate's --max-peak at the samples' peak failed on the rounding.
  it('are not said to go above the peak, nor fail a gate at it', async () => {
    const p = 'fixtures/mprof/stopped/rounded.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const mem = lines.filter((l) => l.startsWith('MEM ')).map((l) => l.split(' ').map(Number));
    const lastT = mem[mem.length - 1]![2]!;
    const peak = Math.max(...mem.map((m) => m[1]!));
    const late = lines.filter((l) => l.startsWith('FUNC ') && Number(l.split(' ')[3]) > lastT);
    expect(Math.max(...late.flatMap((l) => [Number(l.split(' ')[2]), Number(l.split(' ')[4])]))).toBeGreaterThan(peak);
    const info = await cli('info', p);
    expect(info.code).toBe(0);
    expect(info.err).not.toContain('after the last memory sample');
    const gate = await cli('gate', p, '--max-peak', `${peak}MiB`);
    expect(gate.out).not.toContain('after its last sample');
    expect(gate.code).toBe(0);
  });
});

describe('an mprof run cut mid-write, read with --allow-partial', () => {
  // A gate passed --max-peak at 20 MiB on a run cut while its program was at 67: a gate and a baseline
  // judge whole captures only, as they leave out dumps read cut short.
  it('is left out of a gate and a baseline, with a warning; other commands read it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-dat-'));
    try {
      const whole = readFileSync('fixtures/mprof/stopped/interrupted.dat', 'utf8');
      const cut = join(dir, 'cut.dat');
      const lines = whole.split('\n');
      writeFileSync(cut, `${lines.slice(0, 8).join('\n')}\n${lines[8]!.slice(0, 9)}`); // 'MEM 25.78'
      const info = await cli('info', cut, '--allow-partial');
      expect(info.code).toBe(0);
      const gate = await cli('gate', cut, '--allow-partial', '--max-peak', '1GiB');
      expect(gate.code).toBe(2);
      expect(gate.err).toContain(
        `leaving out ${cut}: it was read cut short (--allow-partial), and a gate and a baseline judge whole captures only`,
      );
      const beside = await cli('gate', cut, 'fixtures/mprof/plain.dat', '--allow-partial', '--max-peak', '1GiB');
      expect(beside.code, beside.err).toBe(0);
      expect(beside.out).toContain('plain.dat');
      expect(beside.out).not.toContain('cut.dat');
      const baseline = await cli('baseline', cut, '--allow-partial', '-o', join(dir, 'b.json'));
      expect(baseline.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a FUNC line written twice by a forked child (fixtures/mprof/forked/make.sh)', () => {
  // `mprof run -C` of a program that forks after a profiled call: the child wrote that call's FUNC line
  // again from its copy of the parent's buffer, and 4 calls were listed where the program made 3 (h226).
  it('is one call, and said', async () => {
    const p = 'fixtures/mprof/forked/fork-after-call.dat';
    const funcs = readFileSync(p, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('FUNC '));
    const distinct = new Set(funcs);
    expect(funcs.length - distinct.size).toBe(1);
    const r = await cli('info', p, '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out) as { functionCalls: number; warnings: string[] };
    expect(info.functionCalls).toBe(distinct.size);
    expect(info.warnings).toContainEqual(
      expect.stringContaining('1 FUNC line(s) repeat an earlier one field for field'),
    );
  });
});

describe('@profile calls between two samples above them (fixtures/mprof/stopped/make_spikes.py)', () => {
  // Samples a second apart missed three calls of 150 MiB that their FUNC lines record: the peak read
  // 21.8 MiB and a gate's --max-peak of 160 MiB passed (helper h348), where the same run ending before
  // its next sample failed it.
  it("are said, and fail a gate's --max-peak between the samples' peak and theirs", async () => {
    const p = 'fixtures/mprof/stopped/between-samples.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const mem = lines.filter((l) => l.startsWith('MEM ')).map((l) => l.split(' ').map(Number));
    const calls = lines.filter((l) => l.startsWith('FUNC ')).map((l) => l.split(' ').map(Number));
    const [first, last] = [mem[0]![2]!, mem.at(-1)![2]!];
    expect(calls.every((c) => c[3]! > first && c[5]! < last)).toBe(true); // each between two samples
    const sampled = Math.max(...mem.map((m) => m[1]!));
    const high = Math.max(...calls.map((c) => c[4]!));
    expect(high).toBeGreaterThan(sampled + 100);
    const info = await cli('info', p);
    expect(info.code).toBe(0);
    expect(info.err).toContain(
      `${p}: 3 @profile call(s) (FUNC lines) recorded between memory samples, up to ${high.toFixed(1)} MiB ` +
        `where the samples' peak is ${sampled.toFixed(1)} (the samples came too seldom to see it)`,
    );
    const between = await cli('gate', p, '--max-peak', '160MiB');
    expect(between.code).toBe(1);
    expect(between.out).toContain(`the @profile calls of ${p} reached ${high.toFixed(1)} MiB`);
    expect((await cli('gate', p, '--max-peak', `${Math.ceil(high + 1)}MiB`)).code).toBe(0);
    const report = JSON.parse((await cli('report', p, '--json')).out);
    expect(report.memory[0].callsPeakMiB).toBe(high);
  });
});

describe('@profile calls measured otherwise than the samples (fixtures/mprof/stopped/make_uss.py)', () => {
  // `mprof run --backend psutil_uss` samples USS; the program's profiler records its calls' RSS, 9 MiB
  // above wherever memory held still: read as memory the samples missed (h355). Left unweighed, a
  // temporary held through every call (100 MiB over still samples of 21.7) passed --max-peak (h358):
  // the .dat cannot tell them apart, and the gate fails rather than passes, saying which it may be.
  it('are said to maybe measure another figure, and still weighed by a gate', async () => {
    const p = 'fixtures/mprof/stopped/uss.dat';
    const lines = readFileSync(p, 'utf8').split('\n');
    const mem = lines.filter((l) => l.startsWith('MEM ')).map((l) => Number(l.split(' ')[1]));
    const calls = lines.filter((l) => l.startsWith('FUNC ')).map((l) => l.split(' ').map(Number));
    const sampled = Math.max(...mem);
    expect(Math.max(...calls.map((c) => c[4]!))).toBeGreaterThan(sampled + 5);
    const info = await cli('info', p);
    expect(info.err).toContain('recorded between memory samples');
    expect(info.err).toMatch(
      /they sit \d+\.\d MiB or more above the samples wherever memory held still: a run sampled with `mprof run --backend psutil_uss`/,
    );
    const limit = `${Math.ceil(sampled + 1)}MiB`;
    expect((await cli('gate', p, '--max-peak', limit)).code).toBe(1);
  });
});
