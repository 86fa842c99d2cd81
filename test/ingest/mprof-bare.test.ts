// memory_profiler 0.25-0.27's `mprofile` (before `mprof run`) wrote one MiB figure a line, a sample
// every 0.5 s, with no times and no command line (fixtures/mprof/bare/make.sh: the real 0.27 on a
// program keeping 4 MiB more every 0.25 s). With --input-format mprof it is read as an mprof run whose
// samples are 0.5 s apart from 0 s, said so, and every command gives it the same peak. Not detected:
// any column of numbers looks the same (a time.time() sidecar read as a peak of 1.7 million GiB).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const FILE = 'fixtures/mprof/bare/grow-0.27.dat';
const AS_MPROF = ['--input-format', 'mprof'];
const figures = readFileSync(FILE, 'utf8').trim().split('\n').map(Number);
const peak = Math.max(...figures);

describe("memory_profiler 0.27's mprofile output (MiB figures alone)", () => {
  it('info: its samples and peak, the span at 0.5 s a sample, no time of day, and a warning', async () => {
    const r = await cli('info', FILE, ...AS_MPROF, '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.format).toBe('mprof');
    expect(info.samples).toBe(figures.length);
    expect(info.peakMiB).toBe(peak);
    expect(info.timeSpan).toEqual({
      start: 0,
      end: (figures.length - 1) / 2,
      seconds: (figures.length - 1) / 2,
      untimed: true,
    });
    expect(r.err).toContain("no times (memory_profiler 0.25-0.27's mprofile)");
    expect((await cli('info', FILE, ...AS_MPROF)).out).toMatch(/time span +3\.00 s \(no times in the file/);
  });

  it('leaks, report and gate: the same leak and the same peak', async () => {
    const leaks = JSON.parse((await cli('leaks', FILE, ...AS_MPROF, '--json')).out);
    expect(leaks.series[0].verdict).toBe('leak');
    expect(leaks.series[0].peakMiB).toBe(peak);
    const gate = await cli('gate', FILE, ...AS_MPROF, '--max-peak', `${Math.floor(peak) - 1}MiB`);
    expect(gate.code).toBe(1);
    const passed = await cli('gate', FILE, ...AS_MPROF, '--max-peak', `${Math.ceil(peak) + 1}MiB`);
    expect(passed.out).toContain(`peak (mprof ${FILE}) ${peak.toFixed(1)} MiB`);
    const md = (await cli('report', FILE, ...AS_MPROF, '--format', 'markdown')).out;
    expect(md).toContain(`| ${peak.toFixed(1)} MiB |`);
  });

  it('a column of figures is no format unless asked; a damaged figure or a cut is an error naming its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bare-'));
    expect((await cli('info', FILE)).err).toContain(
      "one figure a line: memory_profiler 0.25-0.27's mprofile output? --input-format mprof reads it",
    );
    writeFileSync(join(dir, 'started.txt'), '1754110000.123456\n');
    expect((await cli('info', join(dir, 'started.txt'))).err).toContain('not a format arenascope reads');
    writeFileSync(join(dir, 'damaged.dat'), `${'10.5\n'.repeat(30)}11.2S\n12.5\n`);
    writeFileSync(join(dir, 'cut.dat'), '10.5\n11.25\n12.');
    expect((await cli('info', join(dir, 'cut.dat'), ...AS_MPROF)).err).toContain(
      'line 3: the file ends in the middle of a line',
    );
    const damaged = await cli('info', join(dir, 'damaged.dat'), ...AS_MPROF);
    expect([damaged.code, damaged.err]).toEqual([2, expect.stringContaining('line 31: expected one MiB figure')]);
  });
});
