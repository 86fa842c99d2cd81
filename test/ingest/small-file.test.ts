// The small files read beside the captures (sidecars, a gate's config, a baseline, a run folder's
// manifest and events) are read only when they are regular files of their size: a sidecar linked to
// /dev/zero grew to 6.7 GB, a FIFO waited for ever, an unreadable manifest was exit 3.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSmallFile } from '../../src/ingest/small-file.js';
import { InputError } from '../../src/util/errors.js';
import { BIN, cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-small-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  return 'read';
};

describe('readSmallFile', () => {
  it('reads a regular file, and gives null for one that is not there', () => {
    writeFileSync(join(dir, 'a.time'), '12.5\n');
    expect(readSmallFile(join(dir, 'a.time'), 100, 'a sidecar')?.toString()).toBe('12.5\n');
    expect(readSmallFile(join(dir, 'none.time'), 100, 'a sidecar')).toBeNull();
  });

  it('refuses a FIFO at once (no writer), a device, a folder, and a file larger than its kind', () => {
    const fifo = join(dir, 'fifo.time');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', join(dir, 'zero.time'));
    mkdirSync(join(dir, 'folder.time'));
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 3 * 2 ** 20); // sparse
    for (const f of [fifo, join(dir, 'zero.time'), join(dir, 'folder.time')]) {
      expect(refusal(() => readSmallFile(f, 1 << 20, 'a sidecar'))).toMatch(
        /not a regular file .*: expected a sidecar/,
      );
    }
    expect(refusal(() => readSmallFile(big, 1 << 20, 'a config file'))).toMatch(
      /3145728 bytes: larger than a config file is \(1 MiB at most\)/,
    );
  });
});

describe('the commands', () => {
  it('say which sidecar or config is no file, exit 2', async () => {
    const series = join(dir, 'series');
    mkdirSync(series);
    for (const n of [1, 5, 9]) {
      copyFileSync(`fixtures/leaks/memo_leak/snap-${n}.pickle`, join(series, `snap-${n}.pickle`));
    }
    symlinkSync('/dev/zero', join(series, 'snap-5.pickle.time'));
    const leaks = await cli('leaks', series);
    expect(leaks.code).toBe(2);
    expect(leaks.err).toContain('snap-5.pickle.time: not a regular file');
    const gate = await cli('gate', 'fixtures/leaks/memo_leak', '--config', '/dev/zero');
    expect(gate.code).toBe(2);
    expect(gate.err).toContain('/dev/zero: not a regular file (a FIFO, a device or a socket): expected a config file');
  });
});

describe('a capture in a folder this user cannot look into', () => {
  // Its sidecar was blamed ("snap.pickle.label: cannot be read"), a file the user never named. Run as
  // nobody (setpriv), which root's tests can.
  const asNobody = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
  it.runIf(asNobody)('is the error, named', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    copyFileSync('fixtures/leaks/memo_leak/snap-1.pickle', join(locked, 'snap.pickle'));
    chmodSync(dir, 0o755);
    chmodSync(locked, 0);
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'info', join(locked, 'snap.pickle')],
      { encoding: 'utf8' },
    );
    chmodSync(locked, 0o755);
    expect([r.status, r.stderr]).toEqual([
      2,
      `arenascope: ${join(locked, 'snap.pickle')}: cannot read: permission denied\n`,
    ]);
  });
});
