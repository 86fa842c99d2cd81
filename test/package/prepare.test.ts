// npm's `prepare` (scripts/prepare.mjs) builds dist/ only when it is not built from the sources as they are.
// npm runs `prepare` when `npx arenascope`, in the checkout with a fresh npm cache, links the checkout into
// npx's cache: the CI's first `npx` (examples/memory-gate.sh, in a test) rebuilt dist/, which removed
// dist/bin/ for seconds under the test files running the command beside it ("Cannot find module
// dist/bin/arenascope.cjs", two tests of test/capture/end-to-end.test.ts, CI twice).
// Checked on a copy: a project holding the script, whose `build` leaves a mark, run by the real npm and npx.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'prepare.mjs');
// A user's shell, not npm's (npm's own variables, under `npm test`, would point npx at this checkout).
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
const npx = spawnSync('npx', ['--version'], { env: ENV }).status === 0;

/** A project like arenascope's checkout: its sources, and dist/ built at `built` (seconds) or not at all. */
function project(built: number | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-prepare-'));
  for (const d of ['scripts', 'src', 'schema', 'dist/bin']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(SCRIPT, join(dir, 'scripts', 'prepare.mjs'));
  const bin = "#!/usr/bin/env node\nconsole.log('ran');\n";
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'prepared',
      version: '1.0.0',
      bin: { prepared: 'dist/bin/arenascope.cjs' },
      scripts: {
        build: 'node scripts/build.mjs',
        prepare: 'node scripts/prepare.mjs',
      },
    }),
  );
  // Its build leaves BUILT, and writes dist/ as the real build does.
  writeFileSync(
    join(dir, 'scripts', 'build.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync('BUILT', '');\n" +
      `writeFileSync('dist/bin/arenascope.cjs', ${JSON.stringify(bin)}, { mode: 0o755 });\n` +
      "writeFileSync('dist/index.js', '');\n",
  );
  writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
  const sources = [
    'scripts/prepare.mjs',
    'scripts/build.mjs',
    'package.json',
    'src/index.ts',
    'src',
    'scripts',
    'schema',
  ];
  for (const f of sources) utimesSync(join(dir, f), 1_000_000, 1_000_000);
  if (built !== null) {
    writeFileSync(join(dir, 'dist', 'index.js'), '');
    writeFileSync(join(dir, 'dist', 'bin', 'arenascope.cjs'), bin, { mode: 0o755 });
    for (const f of ['dist/index.js', 'dist/bin/arenascope.cjs']) utimesSync(join(dir, f), built, built);
  }
  return dir;
}

const check = (dir: string) =>
  spawnSync(process.execPath, [join(dir, 'scripts', 'prepare.mjs'), '--check'], { encoding: 'utf8', env: ENV });

describe('prepare builds only what is not built from the sources as they are', () => {
  it('--check: due when dist/ is missing or older than a source, not due when built after them', () => {
    const missing = project(null);
    expect([check(missing).status, check(missing).stdout]).toEqual([1, 'dist/ is not built\n']);
    const current = project(2_000_000);
    expect([check(current).status, check(current).stdout]).toEqual([0, 'dist/ is up to date\n']);
    // A source saved after the build, deep in src/.
    mkdirSync(join(current, 'src', 'cli'));
    writeFileSync(join(current, 'src', 'cli', 'new.ts'), 'export {};\n');
    expect([check(current).status, check(current).stdout]).toEqual([1, 'the sources changed since dist/ was built\n']);
    for (const d of [missing, current]) rmSync(d, { recursive: true, force: true });
  });

  it.runIf(npx)("npx in the checkout with a fresh npm cache runs the project's bin without rebuilding it", () => {
    for (const [built, rebuilt] of [
      [2_000_000, false],
      [500_000, true],
    ] as const) {
      const dir = project(built);
      const cache = join(dir, 'npm-cache');
      const r = spawnSync('npx', ['--offline', 'prepared'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...ENV, npm_config_cache: cache, npm_config_update_notifier: 'false' },
        timeout: 60_000,
      });
      expect([r.status, r.stdout], r.stderr).toEqual([0, 'ran\n']);
      expect(existsSync(join(dir, 'BUILT')), `dist/ built at ${built}`).toBe(rebuilt);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
