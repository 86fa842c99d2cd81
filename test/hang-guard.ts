// Every test file's first import (vitest.config.ts, setupFiles): no hang may hold up the suite.
// vitest times out an async test (testTimeout), but not a test blocked in a synchronous call: a child run
// with spawnSync or execFileSync that never ends, or a deadlock in the process, blocks its test process for
// good. The project's CI once ran into its 90-minute limit that way (a run that takes 8 minutes), and its
// log could not say which test hung: vitest prints a file when it ends. So:
//   - a synchronous child of a test is killed at the test's own timeout for it, or after CHILD_LIMIT_MS
//     when it gives none, and the test fails naming it ("a hung child process"); vitest.config.ts retries
//     such a test once;
//   - a watchdog process (hang-watchdog.mjs) kills a test process that made no progress for longer than
//     any synchronous call may take, after printing the test it was in, its threads' states and its
//     children: vitest then fails that file and goes on.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach } from 'vitest';

type ChildProcessModule = typeof import('node:child_process');
type Options = { timeout?: number; killSignal?: NodeJS.Signals | number } & Record<string, unknown>;

// The limits (ARENASCOPE_TEST_CHILD_LIMIT and ARENASCOPE_TEST_STALL_LIMIT, in seconds, for the guard's own test):
/** How long a test's synchronous child may run when the test gives no timeout of its own. */
const CHILD_LIMIT_MS = 1000 * Number(process.env.ARENASCOPE_TEST_CHILD_LIMIT ?? 300);
/** How long a test process may make no progress: longer than any synchronous child (theirs are ≤ 240 s). */
const STALL_LIMIT_S = Number(process.env.ARENASCOPE_TEST_STALL_LIMIT ?? 420);

const require = createRequire(import.meta.url);
const cp = require('node:child_process') as ChildProcessModule;
const MARK = Symbol.for('arenascope.hang-guard');

function hung(file: string, args: readonly string[], options: Options | undefined): Error {
  const command = [file, ...args].join(' ');
  const s = (options?.timeout || CHILD_LIMIT_MS) / 1000;
  return new Error(`a hung child process: \`${command}\` ran ${s} s and was killed`);
}
const timedOut = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';

// Splits (file, args?, options?) as node:child_process does.
function split(rest: unknown[]): { args: string[]; options: Options | undefined } {
  if (Array.isArray(rest[0])) return { args: rest[0] as string[], options: rest[1] as Options | undefined };
  return { args: [], options: rest[0] as Options | undefined };
}

const bounded = (o: Options | undefined): Options =>
  o?.timeout ? o : { ...o, timeout: CHILD_LIMIT_MS, killSignal: 'SIGKILL' };

if (!(cp as unknown as Record<symbol, boolean>)[MARK]) {
  (cp as unknown as Record<symbol, boolean>)[MARK] = true;
  const { spawnSync, execFileSync, execSync } = cp;
  const patched = cp as unknown as Record<string, unknown>;
  patched.spawnSync = (file: string, ...rest: unknown[]) => {
    const { args, options } = split(rest);
    const r = spawnSync(file, args, bounded(options));
    if (timedOut(r.error)) throw hung(file, args, options);
    return r;
  };
  patched.execFileSync = (file: string, ...rest: unknown[]) => {
    const { args, options } = split(rest);
    try {
      return execFileSync(file, args, bounded(options));
    } catch (e) {
      throw timedOut(e) ? hung(file, args, options) : e;
    }
  };
  patched.execSync = (command: string, options?: Options) => {
    try {
      return execSync(command, bounded(options));
    } catch (e) {
      throw timedOut(e) ? hung('sh', ['-c', command], options) : e;
    }
  };
  // The test files' `import { spawnSync } from 'node:child_process'` see the patched functions.
  syncBuiltinESMExports();
}

// One watchdog per test process; the heartbeat file says which test is running (kept on globalThis:
// a process that runs several files evaluates this module for each).
const beat = join(tmpdir(), `heartbeat-${process.pid}`);
const state = globalThis as { arenascopeTest?: string };
state.arenascopeTest = 'loading a test file';
const pulse = (): void => {
  try {
    writeFileSync(beat, state.arenascopeTest ?? '?');
  } catch {
    // The run's temporary folder is gone: the run is over.
  }
};
if (process.env.ARENASCOPE_TEST_WATCHDOG !== String(process.pid)) {
  process.env.ARENASCOPE_TEST_WATCHDOG = String(process.pid);
  pulse();
  const watchdog = join(import.meta.dirname, 'hang-watchdog.mjs');
  const dog = spawn(process.execPath, [watchdog, String(process.pid), beat, String(STALL_LIMIT_S)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // A watchdog that cannot start (no process left to the user) leaves this file unguarded, not failed.
  dog.on('error', (e) =>
    process.stderr.write(`hang guard: no watchdog for test process ${process.pid}: ${e.message}\n`),
  );
  dog.unref();
  setInterval(pulse, 5_000).unref();
}

beforeEach((ctx) => {
  state.arenascopeTest = `${ctx.task.file.name} > ${ctx.task.fullName}`;
  pulse();
});
