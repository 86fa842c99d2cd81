import { execFileSync } from 'node:child_process';
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
