// FUNC lines whose name holds a space: memory_profiler 0.61 writes `with profile.timestamp("load data")`
// as "FUNC .load data <MiB> <time> <MiB> <time> <level>" (fixtures/mprof/blocks/make.sh). The line
// is read from the right; the whole run was refused ("expected FUNC <name> ...").
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { cli } from '../helpers.js';

const FILE = 'fixtures/mprof/blocks/blocks.dat';

describe('FUNC lines of names with spaces', () => {
  it('are read whole, with their figures', async () => {
    // What memory_profiler wrote: "FUNC " + name + 4 figures + the level, each after one space.
    const written = readFileSync(FILE, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('FUNC '))
      .map((l) => {
        const m = /^FUNC (.+) (\S+) (\S+) (\S+) (\S+) (\d+)$/.exec(l)!;
        return {
          name: m[1],
          memStartMiB: Number(m[2]),
          tStart: Number(m[3]),
          memEndMiB: Number(m[4]),
          tEnd: Number(m[5]),
          level: Number(m[6]),
        };
      });
    expect(written.map((w) => w.name)).toEqual(['.load_data', '.load data']);
    const c = await loadCapture(FILE);
    if (c.kind !== 'memory-series') throw new Error(`read as ${c.kind}`);
    expect(c.functions).toEqual(written);
    const info = await cli('info', FILE);
    expect([info.code, info.out]).toEqual([0, expect.stringContaining('@profile calls  2 (.load_data, .load data)')]);
    expect((await cli('leaks', FILE)).code).toBe(0);
  });
});

describe("a FUNC line's memory", () => {
  // fixtures/mprof/funcs.dat (a real run) with one call's figure edited: MEM refused such a figure,
  // FUNC read it ("returned holding up to +1e+308 MiB", exit 0).
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-func-mem-'));
  const lines = readFileSync('fixtures/mprof/funcs.dat', 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith('FUNC '));

  it.each([
    ['end', '1e308', 4],
    ['start', '-21.5', 2],
  ])('is checked as a MEM line is: an edited %s of %s MiB is an error naming the line', async (_, mem, field) => {
    const parts = lines[at]!.split(' ');
    parts[field] = mem;
    const file = join(dir, 'edited.dat');
    writeFileSync(file, lines.map((l, i) => (i === at ? parts.join(' ') : l)).join('\n'));
    const r = await cli('leaks', file);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining(`line ${at + 1}: the memory "${mem}" MiB is not a process's`),
    ]);
    expect((await cli('leaks', 'fixtures/mprof/funcs.dat')).code).toBe(0);
  });
});
