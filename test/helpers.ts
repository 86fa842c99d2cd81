import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/run.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * The command a user runs: package.json's `bin`, the bundle scripts/build-bundle.mjs writes (after
 * `npm run build`), as an absolute path.
 */
export const BIN = fileURLToPath(new URL('../dist/bin/arenascope.cjs', import.meta.url));

/**
 * Builds the package when `file` (of dist/) is missing: a test file run alone. Under `npm test`, which
 * builds before the tests, never: a build removes dist/bin/ while other test files run the command
 * line (CI: "Cannot find module dist/bin/arenascope.cjs" in a test beside one that built).
 */
export function builtOrBuild(file: string, stale = false): void {
  if (process.env.npm_lifecycle_event === 'test') {
    if (!existsSync(file)) throw new Error(`${file} is missing, though npm test built the package before the tests`);
    return;
  }
  if (stale || !existsSync(file)) {
    execFileSync('npm', ['run', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'ignore' });
  }
}

/** Runs the command line in-process, exactly as `arenascope ...args` would. */
export async function cli(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** The python3 on PATH and its version, or null when there is none. */
export function python3(): { bin: string; version: [number, number] } | null {
  try {
    const v = execFileSync('python3', ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], {
      encoding: 'utf8',
    }).trim();
    const [major, minor] = v.split(' ').map(Number);
    return { bin: 'python3', version: [major!, minor!] };
  } catch {
    return null;
  }
}
