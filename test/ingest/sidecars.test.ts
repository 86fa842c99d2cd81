// Sidecars a capture keeps beside it (.time, .peak, .label): one that is there but does not hold
// what its name says is an input error naming it (exit 2). Dropped, a time of 1e300 put the third
// capture of a leaking series last and the gate passed; a peak of "5e6" passed `--max-peak 1MiB`.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sidecarPeak, sidecarTime } from '../../src/ingest/sidecar.js';
import { cli } from '../helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'arenascope-sidecars-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
/** A copy of fixtures/gate/leaky (5 dumps of a leak, with their .time sidecars). */
function leaky(): string {
  const dir = join(scratch, `leaky-${n++}`);
  cpSync('fixtures/gate/leaky', dir, { recursive: true });
  return dir;
}

describe('.time sidecars', () => {
  it('read seconds since 1970 as time.time() writes them, and ISO 8601 dates', () => {
    const p = join(scratch, 'a.pickle');
    writeFileSync(`${p}.time`, '1796097910.0782\n');
    expect(sidecarTime(p)).toBe(1796097910.0782);
    writeFileSync(`${p}.time`, '2026-12-01T04:00:00Z');
    expect(sidecarTime(p)).toBe(Date.UTC(2026, 11, 1, 4) / 1000);
    writeFileSync(`${p}.time`, '');
    expect(sidecarTime(p)).toBeNull();
    expect(sidecarTime(join(scratch, 'none.pickle'))).toBeNull();
  });

  it.each(['1e300', '99999999999999999999', '0x10', 'Infinity', 'garbage'])(
    'refuse "%s", naming the sidecar, in every command that reads the series',
    async (text) => {
      const dir = leaky();
      writeFileSync(join(dir, 'snap-3.pickle.time'), `${text}\n`);
      for (const command of ['leaks', 'gate', 'report', 'info']) {
        const args = command === 'report' ? [dir, '--format', 'text'] : [dir];
        const r = await cli(command, ...args);
        expect([r.code, r.err], command).toEqual([
          2,
          expect.stringContaining(`snap-3.pickle.time: line 1: expected the capture time, seconds since 1970`),
        ]);
      }
    },
  );
});

describe('.peak sidecars', () => {
  it.each(['5e6', '5000000 bytes', 'garbage', '-5', '1e300', '99999999999999999999'])(
    'refuse "%s": a whole number of bytes or nothing',
    async (text) => {
      const dir = leaky();
      writeFileSync(join(dir, 'snap-5.pickle.peak'), text);
      const r = await cli('gate', dir, '--max-peak', '1MiB');
      expect([r.code, r.err]).toEqual([2, expect.stringContaining('snap-5.pickle.peak: line 1: expected tracemalloc')]);
    },
  );

  it('read a whole number of bytes', () => {
    const p = join(scratch, 'b.pickle');
    writeFileSync(`${p}.peak`, '5000000\n');
    expect(sidecarPeak(p)).toBe(5_000_000);
  });
});
