// How `arenascope run --allocator` pairs the second run's reports with the first run's snapshots, and
// how a run's recorded pairing is read. The run without tracemalloc goes faster: an interval report
// matched by time alone with the interval snapshot nearest its elapsed time was taken after checkpoints
// whose snapshots come after that one (helper h227). Every report of such a run was refused as out of
// order, and `gate --max-fragmentation` failed as not measured on a program that freed everything.
// fixtures/run-folder/make_interval_match.py made both folders with the real tool (CPython 3.11).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, python3 } from '../helpers.js';

const DIR = 'fixtures/run-folder';

describe('an interval report the run matched with a snapshot before checkpoints it came after', () => {
  it('is left out, with why, and the others pair: the real figures judged (not fragmented), in every command', async () => {
    const old = `${DIR}/interval-match-old`;
    const gate = await cli('gate', old, '--max-fragmentation', '0.5');
    expect([gate.code, gate.out]).toEqual([
      0,
      expect.stringMatching(/^PASS max-fragmentation: fragmentation [\d.]+%: \d+ of \d+ arenas spare \(real\)/m),
    ]);
    expect(gate.err).toMatch(
      /left out .*interval-match-old\/allocator\/0003\.txt \(1 report\): the run matched it by time with .*0003\.pickle(\.gz)?, but took it after the report of allocated, a later capture/,
    );
    const replay = await cli('replay', old);
    expect([replay.code, replay.out]).toEqual([0, expect.stringMatching(/^Fragmented: no \(the real allocator/m)]);
    const now = await cli('replay', `${DIR}/interval-match`);
    expect(now.out.match(/^Fragmented: .*$/m)?.[0]).toBe(replay.out.match(/^Fragmented: .*$/m)?.[0]);
  });
});

// The traced run still building at its interval capture, the run without tracemalloc past its frees
// by then (fixtures/run-folder/make_interval_moment.py, h244): the report matched with it by time holds
// fewer 32-byte blocks than the capture traced (its floats), which no report of the same moment can
// (pymalloc serves every small block tracemalloc traces); the generator checked it with CPython's pickle.
// Taken as the capture's, it read "Fragmented: yes", 54.5% real, of a heap nothing had been freed from.
describe('an interval report matched by time that holds fewer blocks than its capture traced', () => {
  it('pairs with nothing, said; replay, report and gate judge without it, never as real', async () => {
    const run = `${DIR}/interval-moment`;
    const replay = await cli('replay', run, '--json');
    expect(replay.err).toMatch(
      /interval-moment\/allocator\/0002\.txt, matched by time with interval, has \d+ blocks of 32 bytes in use where the capture traced \d+: another moment of the program/,
    );
    const r = JSON.parse(replay.out) as {
      captures: { label: string; real: unknown }[];
      fragmented: { verdict: string };
    };
    expect(r.captures.map((c) => [c.label, c.real !== null])).toEqual([
      ['start', true],
      ['interval', false],
      ['exit', true],
    ]);
    expect(r.fragmented.verdict).not.toBe('yes');
    const gate = await cli('gate', run, '--max-fragmentation', '0.5', '--json');
    const check = (JSON.parse(gate.out) as { checks: { check: string; message: string }[] }).checks.find(
      (c) => c.check === 'max-fragmentation',
    )!;
    expect(check.message).not.toContain('(real)');
    const data = join(mkdtempSync(join(tmpdir(), 'arenascope-moment-')), 'r.json');
    expect((await cli('report', run, '-o', `${data}.html`, '--json-out', data)).code).toBe(0);
    expect(JSON.parse(readFileSync(data, 'utf8')).summary.fragmentation).toBe(r.fragmented.verdict);
  });
});

// An idle program keeping 6,000 locks and 6,000 lzma decompressors (fixtures/run-folder/make_interval_locks.py,
// h247, h249): the locks' semaphores and liblzma's buffers are raw allocations, traced in size classes pymalloc
// never serves (32 and 112 bytes), so the interval reports hold far fewer blocks there than the snapshots
// traced, yet are of the same moments (taken as far into the run without tracemalloc as the snapshots into
// theirs). Dropped as another moment's, fragmentation read 'unknown' and the gate failed as not measured.
describe('interval reports short of the traced blocks in one size class, taken at the same moment', () => {
  it('pair with their snapshots: judged by the real reports', async () => {
    const run = `${DIR}/interval-locks`;
    const replay = await cli('replay', run, '--json');
    expect(replay.err).not.toContain('another moment of the program');
    const r = JSON.parse(replay.out) as { captures: { real: unknown }[]; fragmented: { verdict: string } };
    expect(r.captures.every((c) => c.real !== null)).toBe(true);
    expect(r.fragmented.verdict).toBe('no');
    const gate = await cli('gate', run, '--max-fragmentation', '0.5');
    expect(gate.out).toMatch(/^PASS max-fragmentation: .*\(real\)/m);
  });
});

describe.runIf(python3())('the matcher of the allocator run (python/arenascope_capture/_matching.py)', () => {
  it('matches an interval report only with an interval snapshot after the last one a checkpoint matched', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'arenascope-matching-'));
    try {
      // The traced run's snapshots: two interval ones between `before` and `allocated` (slow there).
      const snaps = [
        ['start', 'label', 0.0],
        ['before', 'label', 0.01],
        ['interval', 'interval', 1.0],
        ['interval', 'interval', 2.0],
        ['allocated', 'label', 2.5],
        ['freed', 'label', 2.51],
        ['interval', 'interval', 3.0],
      ];
      const lines = snaps.map(([label, source, elapsed], i) =>
        JSON.stringify({
          kind: 'snapshot',
          index: i + 1,
          file: `snapshots/000${i + 1}.pickle`,
          label,
          ...(source === 'interval' ? { source: 'interval' } : {}),
          elapsed,
        }),
      );
      writeFileSync(join(tmp, 'captures.jsonl'), `${lines.join('\n')}\n`);
      // The allocator run: its checkpoints within 0.1 s, its interval report at 1.0 s, after `freed`.
      const script = [
        'import sys',
        'from arenascope_capture._matching import Matcher',
        `m = Matcher(${JSON.stringify(join(tmp, 'captures.jsonl'))}, 1.0)`,
        'for label, source, t in [("start","start",0.0),("before","checkpoint",0.01),("allocated","checkpoint",0.05),("freed","checkpoint",0.06),("interval","interval",1.0),("interval","interval",2.9)]:',
        '    print(label, *m.match(label, source, t))',
      ].join('\n');
      const out = execFileSync(python3()!.bin, ['-c', script], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: join(import.meta.dirname, '..', '..', 'python') },
      });
      expect(out.trim().split('\n')).toEqual([
        'start 1 snapshots/0001.pickle label',
        'before 2 snapshots/0002.pickle label',
        'allocated 5 snapshots/0005.pickle label',
        'freed 6 snapshots/0006.pickle label',
        // Nearest in time was the snapshot at 1.0 s, before `allocated`: another moment. None.
        'interval 8 None None',
        'interval 7 snapshots/0007.pickle time',
      ]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
