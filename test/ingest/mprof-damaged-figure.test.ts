// A MEM figure that lost its point ('MEM 45910156 …' for 45.910156, a byte of a real mprof run deleted):
// a peak of 43 TiB, exit 0, every check judged by it (h280). No process grows a hundred thousand times
// and back between two samples.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-mprof-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a MEM figure with its point lost (fixtures/leaks/mprof/leak.dat)', () => {
  const lines = readFileSync('fixtures/leaks/mprof/leak.dat', 'utf8').split('\n');
  const at = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith('MEM '));
  const [, mib, time] = lines[at]!.split(' ');
  const damaged = [...lines];
  damaged[at] = `MEM ${mib!.replace('.', '')} ${time}`;
  const path = join(dir, 'leak.dat');
  writeFileSync(path, damaged.join('\n'));
  // mprof's own peak of the run without that sample.
  const peak = Math.max(
    ...lines.filter((l, i) => i !== at && l.startsWith('MEM ')).map((l) => Number(l.split(' ')[1])),
  );

  it.each(['info', 'leaks', 'gate'])('%s: an error naming the sample', async (command) => {
    const r = await cli(command, path);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/: MEM sample \d+ of the run, at "/);
    expect(r.err).toContain(`${path}: `);
    expect(r.err).toContain(`at "${time}": ${mib!.replace('.', '')} MiB, a hundred thousand times`);
  });

  it("--lenient leaves it out, with a warning: the peak is the other samples'", async () => {
    const r = await cli('info', path, '--lenient', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`at "${time}" left out`);
    expect((JSON.parse(r.out) as { peakMiB: number }).peakMiB).toBeCloseTo(peak, 6);
  });
});

describe('a line end lost between two FUNC lines (fixtures/mprof/funcs.dat, memory_profiler 0.61)', () => {
  // Read as one call of a name made of both lines, the other call lost, exit 0; mprof refuses it (h363 F3).
  it('is an error naming the line; --lenient skips it, said', async () => {
    const lines = readFileSync('fixtures/mprof/funcs.dat', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('FUNC '));
    const d = mkdtempSync(join(tmpdir(), 'glued-func-'));
    const file = join(d, 'funcs.dat');
    writeFileSync(file, [...lines.slice(0, at), lines[at]! + lines[at + 1]!, ...lines.slice(at + 2)].join('\n'));
    const r = await cli('info', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: line ${at + 1}: two lines glued on one (`);
    const lenient = await cli('info', file, '--lenient');
    expect(lenient.code).toBe(0);
    expect(lenient.err).toContain(`skipped 1 malformed line(s), the first at line ${at + 1}`);
    rmSync(d, { recursive: true });
  });
});
