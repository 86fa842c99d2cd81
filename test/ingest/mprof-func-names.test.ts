// FUNC lines whose name holds a space: memory_profiler 0.61 writes `with profile.timestamp("load data")`
// as "FUNC .load data <MiB> <time> <MiB> <time> <level>" (fixtures/mprof/blocks/make.sh). The line
// is read from the right; the whole run was refused ("expected FUNC <name> ...").
import { readFileSync } from 'node:fs';
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
