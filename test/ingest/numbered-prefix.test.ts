// A bare number as a field of a log prefix ('%(asctime)s - %(process)d - …'): two runs appended to
// one log are two processes' series, while a '%(lineno)d' or '%(relativeCreated)d' in its place is
// one run's. Real CPython runs of fixtures/text/appended/appended.py (make_appended.py), which leaks at
// its KEPT.append line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/appended';
const LEAK = `appended.py:${
  readFileSync(`${DIR}/appended.py`, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('KEPT.append(')) + 1
}`;
const pids = [...new Set(readFileSync(`${DIR}/pid.log`, 'utf8').match(/(?<= - )\d+(?= - MainThread)/g))];

describe("a log two runs appended to, the PID a field of its own ('… - 29583 - MainThread - INFO - …')", () => {
  it('the log holds two runs', () => expect(pids).toHaveLength(2));

  it.each(['leaks', 'gate', 'report', 'replay'])('%s refuses it as one series, naming both PIDs', async (command) => {
    const r = await cli(command, `${DIR}/pid.log`, ...(command === 'report' ? ['-o', '-', '--format', 'json'] : []));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`pid.log: line 43: listings of 2 processes (PIDs ${pids.join(', ')}) logged to one file`);
    expect(r.err).toContain(`grep -w ${pids[0]}`);
  });

  it('a process whose lines are interleaved with another one is refused where its number comes back', async () => {
    const lines = readFileSync(`${DIR}/pid.log`, 'utf8').trimEnd().split('\n');
    const mixed = lines.slice(0, 42).flatMap((l, i) => [l, lines[42 + i]!]);
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-numbered-'));
    writeFileSync(join(dir, 'mixed.log'), `${mixed.join('\n')}\n`);
    const r = await cli('leaks', join(dir, 'mixed.log'));
    rmSync(dir, { recursive: true });
    expect(r.code).toBe(2);
    const turn = /line \d+: statistic lines of one listing whose log prefix carries (\d+), (\d+) in turn/.exec(r.err);
    expect(turn?.slice(1).sort()).toEqual([...pids].sort());
  });
});

describe("a line number of two logging calls as the field, taking turns (twosites.py): one run's series", () => {
  // Refused as two processes (the numbers 16 and 19 in turn), where the old reading found the leak.
  it('finds the leak at its line, and the gate fails on it', async () => {
    const line = readFileSync(`${DIR}/twosites.py`, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('KEPT.append('));
    const leaks = await cli('leaks', `${DIR}/twosites.log`);
    expect(leaks.code).toBe(0);
    expect(leaks.out).toMatch(new RegExp(`^  leak  twosites\\.py:${line + 1} `, 'm'));
    expect((await cli('gate', `${DIR}/twosites.log`)).code).toBe(1);
  });
});

describe('a line number or a time in milliseconds as the field: one run', () => {
  it.each(['lineno', 'relative'])('%s.log: the leak at its line, and the gate fails on it', async (name) => {
    const leaks = await cli('leaks', `${DIR}/${name}.log`, '--json');
    expect(leaks.code).toBe(0);
    type Site = { verdict: string; frames: { filename: string; lineno: number }[] };
    const sites = (JSON.parse(leaks.out) as { sites: Site[] }).sites.filter((s) => s.verdict === 'leak');
    expect(sites.map((s) => `${s.frames[0]!.filename}:${s.frames[0]!.lineno}`)).toEqual([
      expect.stringMatching(new RegExp(`/${LEAK}$`)),
    ]);
    const gate = await cli('gate', `${DIR}/${name}.log`);
    expect(gate.code).toBe(1);
    expect(gate.out).toContain(`FAIL max-leaks: 1 leak (limit 0): `);
    expect(gate.out).toContain(`/${LEAK} (+`);
  });
});

describe("syslog's name[PID] as the prefix ('%(name)s[%(process)d]: ')", () => {
  // No time nor level name: the prefix was no log prefix, stayed in every file name, and two runs
  // appended to one log were judged as one series, the first run's leak called transient (h272).
  const syslogPids = [...new Set(readFileSync(`${DIR}/syslog-pid.log`, 'utf8').match(/(?<=^memwatch\[)\d+/gm))];

  it.each(['leaks', 'gate'])('%s refuses two runs appended to one log, naming both PIDs', async (command) => {
    expect(syslogPids).toHaveLength(2);
    const r = await cli(command, `${DIR}/syslog-pid.log`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`listings of 2 processes (PIDs ${syslogPids.join(', ')}) logged to one file`);
  });

  it("reads one run's file names without it, and finds the leak", async () => {
    const leaks = await cli('leaks', `${DIR}/syslog-one.log`, '--json');
    expect(leaks.code).toBe(0);
    type Site = { verdict: string; filename: string; lineno: number };
    const sites = (JSON.parse(leaks.out) as { sites: Site[] }).sites;
    expect(sites.every((s) => !s.filename.includes('memwatch['))).toBe(true);
    expect(sites.filter((s) => s.verdict === 'leak').map((s) => `${s.filename.split('/').pop()}:${s.lineno}`)).toEqual([
      LEAK,
    ]);
  });
});
