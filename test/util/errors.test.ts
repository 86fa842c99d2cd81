// One error family: a mistake the user can fix is an ArenascopeError with exit code 2, whichever
// layer finds it (analysis included); anything else is a bug, exit 3.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectLeaks } from '../../src/analysis/leaks.js';
import { geometry } from '../../src/analysis/pymalloc/geometry.js';
import { statistics } from '../../src/analysis/statistics.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ArenascopeError, EXIT, InputError, TruncatedError, UsageError } from '../../src/util/errors.js';
import { BIN, builtOrBuild, cli } from '../helpers.js';

const DUMP = 'fixtures/dumps/py311-inventory-b.pickle';
const snapshot = async (): Promise<Snapshot> => (await loadCapture(DUMP)) as Snapshot;

describe('the error family', () => {
  it('input and usage errors are ArenascopeErrors that exit 2', () => {
    for (const e of [new UsageError('x'), new InputError('f', 'line 1', 'x'), new TruncatedError('f', 'byte 9', 'x')]) {
      expect(e).toBeInstanceOf(ArenascopeError);
      expect(e.exitCode).toBe(EXIT.usage);
    }
    expect(new InputError('app.dat', 'line 3', 'expected MEM').message).toBe('app.dat: line 3: expected MEM');
  });

  it('analysis raises UsageError for what a user can get wrong, never RangeError', async () => {
    const s = await snapshot();
    expect(() => detectLeaks([s, s])).toThrow(UsageError);
    expect(() => geometry('2.7')).toThrow(UsageError);
    expect(() => statistics(s, { keyType: 'traceback', cumulative: true })).toThrow(UsageError);
  });

  it('such a mistake reaches the user as exit 2 with its message, not as an internal error', async () => {
    const r = await cli('stats', DUMP, '--group-by', 'traceback', '--cumulative');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'arenascope: cumulative statistics count every frame of a traceback: group by lineno or filename, not traceback\n',
    );
    const none = await cli('report', 'fixtures/workloads');
    expect(none.code).toBe(2);
    expect(none.err).toContain(
      'arenascope: fixtures/workloads: no snapshots, mprof runs, line reports or allocator reports among the inputs',
    );
    expect(none.err).not.toContain('internal error');
  });
});

describe('an error no command caught (a bug thrown from a callback or an unawaited promise)', () => {
  beforeAll(() => builtOrBuild(BIN), 180_000);
  // Preloaded before the command line, on its first turn of the event loop: mid-command, as the dump
  // comes in on stdin (a file is read without one).
  const run = (code: string) => {
    const preload = join(mkdtempSync(join(tmpdir(), 'arenascope-crash-')), 'crash.cjs');
    writeFileSync(preload, `setTimeout(() => { ${code} }, 0);`);
    const input = readFileSync(DUMP);
    return spawnSync(process.execPath, ['--require', preload, BIN, 'stats', '-'], { encoding: 'utf8', input });
  };

  it.each([
    ['thrown from a callback', "throw new Error('boom');"],
    ['a rejected promise nobody awaited', "Promise.reject(new Error('boom'));"],
  ])('%s exits 3, an internal error, never 1 (a failed gate to CI)', (_, code) => {
    const r = run(code);
    expect([r.status, r.stderr]).toEqual([
      EXIT.internal,
      'arenascope: internal error: boom\nPlease report this with the command line that caused it.\n',
    ]);
  });
});
