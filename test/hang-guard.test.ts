// The suite's guard against hangs (hang-guard.ts, hang-watchdog.mjs), run on two files that hang as a test
// can: a synchronous child that never ends, and a process whose thread is blocked for good. vitest, with
// the guard's limits cut to seconds, must end, saying which test hung and how.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

it('a hung child fails its test after one retry, a frozen test process is killed naming its test, and vitest ends', () => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'ARENASCOPE_TEST_WATCHDOG'),
  );
  const r = spawnSync(process.execPath, [VITEST, 'run', '--config', 'fixtures/hang-guard/vitest.config.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, ARENASCOPE_TEST_CHILD_LIMIT: '2', ARENASCOPE_TEST_STALL_LIMIT: '6', NO_COLOR: '1' },
    timeout: 90_000,
  });
  const out = r.stdout + r.stderr;
  expect(r.status, out).toBe(1);
  // The child: killed at its limit, the test tried twice, the file's next test run.
  expect(out).toContain('Error: a hung child process: `sleep 600` ran 2 s and was killed');
  expect(out).toMatch(/× runs a child that never ends \d+ms \(retry x1\)/);
  expect(out).toMatch(/✓ runs after it/);
  // The frozen process: named with its test, then killed, and vitest says so.
  expect(out).toMatch(
    /hang guard: test process \d+ made no progress for 6 s, in: fixtures\/hang-guard\/frozen\.hang\.ts > .*blocks its thread for good\n/,
  );
  expect(out).toMatch(/thread \d+: .* wchan \S+/);
  expect(out).toContain('Worker exited unexpectedly');
});
