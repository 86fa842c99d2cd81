// Sidecars a capture keeps beside it (.time, .peak, .label): one that is there but does not hold
// what its name says is an input error naming it (exit 2). Dropped, a time of 1e300 put the third
// capture of a leaking series last and the gate passed; a peak of "5e6" passed `--max-peak 1MiB`.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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
    // Empty: none (a run stopped between creating and writing it left one).
    writeFileSync(`${p}.time`, '');
    expect(sidecarTime(p)).toBeNull();
    expect(sidecarTime(join(scratch, 'none.pickle'))).toBeNull();
  });

  it('read the forms date(1), Python and Windows tools write: comma fractions, basic ISO, hours alone, UTF-16', () => {
    const p = join(scratch, 'forms.pickle');
    const at = (text: string | Buffer): number | null => {
      writeFileSync(`${p}.time`, text);
      return sidecarTime(p);
    };
    expect(at('1700000000,123456')).toBeCloseTo(1700000000.123456, 5); // $EPOCHREALTIME, comma locale
    expect(at('2023-11-14T22:13:20,123456789+00:00')).toBeCloseTo(1700000000.123457, 5); // date -Ins
    expect(at('2023-11-14T22+00:00')).toBe(1699999200); // date -Ihours
    expect(at('2023-11-14T22:13:20+00')).toBe(1700000000);
    expect(at('20231114T221320Z')).toBe(1700000000);
    expect(at('\n1700000000\r\n')).toBe(1700000000); // a blank line first: read, not dropped
    expect(at(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('1700000000\r\n', 'utf16le')]))).toBe(1700000000);
    expect(at(Buffer.from('\uFEFF1700000000\n'))).toBe(1700000000);
    // An offset is less than a day (Python's fromisoformat refuses more): '+25:00' moved a capture on.
    expect(() => at('2026-12-01T14:07:30+25:00')).toThrow(/expected the capture time/);
    expect(() => at('2026-12-01T14:07:30+05:99')).toThrow(/expected the capture time/);
    expect(at('2026-12-01T14:07:30-23:59')).toBe(Date.UTC(2026, 11, 2, 14, 6, 30) / 1000);
  });

  // Slots of a ring of dumps ('snap-{i % 5}'): their numbers turned round are the times' order, and
  // the times order them (read by their numbers, a clean leak was a spike and a plateau).
  it('refuse milliseconds since 1970 (read as seconds, a leak grew 1000 times too slowly, h303)', async () => {
    const dir = leaky();
    const t = readFileSync(join(dir, 'snap-3.pickle.time'), 'utf8').trim();
    const ms = String(Math.round(Number(t) * 1000));
    writeFileSync(join(dir, 'snap-3.pickle.time'), `${ms}\n`);
    const r = await cli('leaks', dir);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toContain(
      `snap-3.pickle.time: line 1: expected the capture time, seconds since 1970 (as time.time() gives) or an ISO 8601 date, found "${ms}": as seconds, the year`,
    );
    expect(r.err).toContain('(milliseconds?)');
  });

  // Said, with the order that reads a clock set back instead: set back past the series with a step there
  // under 100 times the others, a leak read as a ring, its later half first, with nothing said (h313).
  it('a ring of dumps, its numbers slots: ordered by the times, saying so', async () => {
    const dir = leaky();
    const ring = join(scratch, `ring-${n++}`);
    mkdirSync(ring);
    for (let i = 1; i <= 5; i++)
      for (const ext of ['', '.time'])
        renameSync(join(dir, `snap-${i}.pickle${ext}`), join(ring, `slot-${(i + 1) % 5}.pickle${ext}`));
    const r = await cli('gate', ring);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('go back');
    expect(r.err).toContain(`capture numbers start again at ${join(ring, 'slot-0.pickle')} (at `);
    expect(r.err).toContain(
      'ordered by their times, a ring of dumps written over in turn; --order name reads them by their numbers (a clock set back)',
    );
  });

  // An idle program's ring, paused 12 times its step where the numbers start again (h307): still a
  // ring, ordered by the times (by its numbers, a leak read transient and the gate passed).
  it('a ring of dumps paused where its numbers start again: ordered by the times', async () => {
    const dir = leaky();
    const ring = join(scratch, `ring-${n++}`);
    mkdirSync(ring);
    for (let i = 1; i <= 5; i++) {
      const time = Number(readFileSync(join(dir, `snap-${i}.pickle.time`), 'utf8')) + (i >= 4 ? 2.8 : 0);
      renameSync(join(dir, `snap-${i}.pickle`), join(ring, `slot-${(i + 1) % 5}.pickle`));
      writeFileSync(join(ring, `slot-${(i + 1) % 5}.pickle.time`), `${time}\n`);
    }
    const r = await cli('gate', ring);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('go back');
  });

  // Captures renamed in another order (copied as cap-N from elsewhere, numbered newest first), each
  // with its own sidecar: the times of one run, going back at every step by number. Ordered by the
  // numbers, the leak read as a transient and the gate passed (h252).
  it('numbered newest first, the times of one run: ordered by the times, with a warning', async () => {
    const dir = leaky();
    const shuffled = join(scratch, `shuffled-${n++}`);
    mkdirSync(shuffled);
    const to = [5, 4, 3, 2, 1];
    for (let i = 1; i <= 5; i++)
      for (const ext of ['', '.time'])
        renameSync(join(dir, `snap-${i}.pickle${ext}`), join(shuffled, `cap-${to[i - 1]}.pickle${ext}`));
    const r = await cli('gate', shuffled);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL max-leaks: 1 leak/);
    expect(r.err).toContain("capture times go against the captures' numbers");
    expect(r.err).toContain('ordered by their times');
  });

  // A clock set back once mid-run (NTP), 0.6 s: the times of the captures after it go back at one step
  // by number, evenly spaced. Ordered by the times, the leak read as a transient and the gate passed (h253).
  it('a clock set back once: the numbers order the series, with a warning', async () => {
    const dir = leaky();
    for (const i of [4, 5]) {
      const f = join(dir, `snap-${i}.pickle.time`);
      writeFileSync(f, `${Number(readFileSync(f, 'utf8')) - 0.6}\n`);
    }
    const r = await cli('gate', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ordered by their numbers');
  });

  // Set back more than the series lasts: its numbers' order turned round is the times', as a ring's, but
  // with a step 290 times the others where they turn. Read as a ring, the leak's later half came first,
  // judged from there at half its growth (h303), or not at all. A ring idle as long there looks the same
  // (read by its numbers, its leak was a transient and the gate passed, h308): refused, with the way out.
  it.each([60, 3600])('a clock set back %d s, past the series: refused, --order name reads it', async (back) => {
    const dir = leaky();
    for (const i of [4, 5]) {
      const f = join(dir, `snap-${i}.pickle.time`);
      writeFileSync(f, `${Number(readFileSync(f, 'utf8')) - back}\n`);
    }
    for (const command of ['leaks', 'gate', 'report']) {
      const r = await cli(command, dir, ...(command === 'report' ? ['--format', 'text'] : []));
      expect([r.code, r.out], command).toEqual([2, '']);
      expect(r.err).toContain('snap-1.pickle: the capture times turn round where the numbers start again (');
      expect(r.err).toContain('a ring of dumps written over in turn that paused there, or a clock set back past');
      expect(r.err).toContain(
        "give --order mtime to read them by their files' times (a ring whose files kept them; copied, ",
      );
      expect(r.err).toContain('list them in their .time order with --order given), or --order name by their numbers');
    }
    expect((await cli('gate', dir, '--order', 'name')).code).toBe(1);
  });

  // One end capture's sidecar copied from a run 5 minutes later turns the times round by one place, as a
  // ring idle at its wrap would: refused, naming that sidecar too (h312).
  it("the last capture's sidecar 5 minutes early: refused naming it, --order name reads the series", async () => {
    const dir = leaky();
    const f = join(dir, 'snap-5.pickle.time');
    writeFileSync(f, `${Number(readFileSync(f, 'utf8')) - 300}\n`);
    const r = await cli('gate', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `a .time sidecar of ${dir}/snap-5.pickle damaged or copied from elsewhere, or a clock set back`,
    );
    expect(r.err).toContain('or --order name by their numbers (a sidecar out of place, a clock set back)');
    expect((await cli('gate', dir, '--order', 'name')).code).toBe(1);
  });

  it('a ring of dumps idle 125 times its step where its numbers start again: refused, --order mtime reads it', async () => {
    const dir = leaky();
    const ring = join(scratch, `ring-${n++}`);
    mkdirSync(ring);
    for (let i = 1; i <= 5; i++) {
      const before = Number(readFileSync(join(dir, `snap-${i}.pickle.time`), 'utf8'));
      const time = before + (i >= 4 ? 125 * 0.2 : 0); // steps of about 0.2 s (leaky()), idle 25 s
      const slot = join(ring, `slot-${(i + 1) % 5}.pickle`);
      renameSync(join(dir, `snap-${i}.pickle`), slot);
      writeFileSync(`${slot}.time`, `${time}\n`);
      utimesSync(slot, time, time);
    }
    const r = await cli('gate', ring);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the capture times turn round where the numbers start again');
    expect((await cli('gate', ring, '--order', 'mtime')).code).toBe(1);
  });

  // A time that can be read, but goes back against the numbers the program gave its captures (a clock
  // set back, a sidecar damaged or copied from elsewhere): ordered by time, the third capture went
  // first, the leak read as a plateau and the gate passed.
  it.each(['0', '1000000000'])(
    'a time of %s in the middle: the numbers order the series, with a warning',
    async (text) => {
      const dir = leaky();
      writeFileSync(join(dir, 'snap-3.pickle.time'), `${text}\n`);
      const r = await cli('gate', dir);
      expect(r.code).toBe(1);
      expect(r.err).toContain("capture times go back against the captures' numbers");
      expect(r.err).toContain('snap-3.pickle at');
    },
  );

  it.each([
    '1e300',
    '99999999999999999999',
    '0x10',
    'Infinity',
    'garbage',
    'garbage 1',
    'snapshot 2020',
    '1 2',
    '2023-02-30T00:00:00Z',
    '1700000000\n1700000001',
  ])('refuse "%s", naming the sidecar, in every command that reads the series', async (text) => {
    const dir = leaky();
    writeFileSync(join(dir, 'snap-3.pickle.time'), `${text}\n`);
    for (const command of ['leaks', 'gate', 'report', 'info']) {
      const args = command === 'report' ? [dir, '--format', 'text'] : [dir];
      const r = await cli(command, ...args);
      expect([r.code, r.err], command).toEqual([
        2,
        expect.stringMatching(/snap-3\.pickle\.time: (line 1: )?expected the capture time/),
      ]);
    }
  });
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

  // CPython 3.8's runs record a peak only where it rose past the last mark: a report's "traced peak"
  // of the few known stood below its own largest capture, and the gate's said otherwise.
  it('known for some captures only: the traced peak is never below a capture, in report and gate alike', async () => {
    const dir = leaky();
    writeFileSync(join(dir, 'snap-1.pickle.peak'), '1000\n');
    const out = join(dir, 'report.json');
    expect((await cli('report', dir, '-o', join(dir, 'r.html'), '--json-out', out)).code).toBe(0);
    const { summary } = JSON.parse(readFileSync(out, 'utf8')) as {
      summary: { tracedPeakBytes: number; largestCaptureBytes: number };
    };
    expect(summary.tracedPeakBytes).toBe(summary.largestCaptureBytes);
  });

  // A peak far below the capture's own traced total is no peak of it: info printed "traced peak 1000 B"
  // beside 877 KiB, where report and gate took the total unsaid (h302).
  it("far below its capture's own total: the total, with a warning, in info, report and gate alike", async () => {
    const dir = leaky();
    writeFileSync(join(dir, 'snap-5.pickle.peak'), '1000\n');
    const said = 'snap-5.pickle: its traced peak as given beside it, 1000 B, is below the snapshot';
    const info = await cli('info', '--json', join(dir, 'snap-5.pickle'));
    const total = (JSON.parse(info.out) as { totalSize: number; tracedPeak: number }).totalSize;
    expect(JSON.parse(info.out)).toMatchObject({ tracedPeak: total });
    expect(info.err).toContain(said);
    for (const command of ['report', 'gate']) {
      const r = await cli(command, dir, ...(command === 'report' ? ['--format', 'json'] : ['--max-peak', '1GiB']));
      expect(r.err, command).toContain(said);
    }
  });

  it('a little below it, as a real run read it before the snapshot (126 B of 122 KiB): the total, unsaid', async () => {
    const p = 'fixtures/pymalloc/peak38/snap-1.pickle.gz';
    expect(Number(readFileSync(`${p}.peak`, 'utf8'))).toBe(122058);
    const r = await cli('info', '--json', p);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(JSON.parse(r.out)).toMatchObject({ totalSize: 122184, tracedPeak: 122184 });
  });
});
