// `arenascope run [options] -- <command...>`: run a Python program under capture into a new folder
// (snapshots, RSS, allocator reports, manifest) that every other command reads. The work is in
// src/capture/; this parses flags, picks the folder, and exits with the program's own status.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { renderJson } from '../report/json.js';
import { UsageError } from '../util/errors.js';
import type { CommandArgs } from './command.js';

export const command = 'run [command..]';
export const describe = 'Run a Python program (python3 app.py, -m pkg, pytest) and capture its memory into a folder';

export function builder(y: Argv) {
  // The words after `--` are the program's, as typed: kept apart and as strings (no "007" read as 7).
  return y
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false })
    .usage(`$0 run [options] -- <command..>\n\n${describe}`)
    .positional('command', { type: 'string', array: true, describe: 'The Python command, after --' })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'The folder to write (new or empty; default arenascope-run-YYYYMMDD-HHMMSS)',
    })
    .option('interval', {
      type: 'number',
      default: 1,
      describe: 'Seconds between snapshots (0: none but start, checkpoints, exit)',
    })
    .option('frames', { type: 'number', default: 10, describe: 'Frames kept per traceback (tracemalloc.start(N))' })
    .option('sample-interval', { type: 'number', default: 0.1, describe: 'Seconds between RSS samples' })
    .option('include-children', {
      type: 'boolean',
      default: false,
      describe:
        'Record the RSS of child processes too, each in CHLD lines (MEM stays the program alone, as mprof run -M)',
    })
    .option('allocator', {
      type: 'boolean',
      default: false,
      describe: 'Run the command a second time without tracemalloc for sys._debugmallocstats() reports',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: "Print the manifest at the end instead of the summary (the program's stdout then goes to stderr)",
    })
    .example('$0 run -- python3 app.py --port 8080', 'snapshots every second, RSS, a manifest in a new folder')
    .example('$0 run -o caps --allocator -- pytest tests/', 'per-test captures and allocator reports into caps/');
}

interface Args extends CommandArgs {
  command?: string[];
  '--'?: string[];
  output?: string;
  interval: number;
  frames: number;
  'sample-interval': number;
  'include-children': boolean;
  allocator: boolean;
  json: boolean;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The default folder: arenascope-run-YYYYMMDD-HHMMSS (local time), with -2, -3... if taken. */
function defaultDir(cwd: string, now = new Date()): string {
  const stamp =
    `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-` +
    `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  const base = resolve(cwd, `arenascope-run-${stamp}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

const MAX_SECONDS = 365 * 86400;

function checkNumber(value: number, flag: string, min: number, integer = false, max = Number.POSITIVE_INFINITY): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max < Number.POSITIVE_INFINITY ? `from ${min} to ${max}` : `of at least ${min}`;
    throw new UsageError(`${flag} ${value}: expected ${integer ? 'a whole number' : 'a number'} ${range}`);
  }
}

export async function handler(a: Args): Promise<void> {
  const words = [...(a.command ?? []), ...(a['--'] ?? [])].map(String);
  // A year at most: Python's waits take no more than threading.TIMEOUT_MAX (--interval 1e13 killed the
  // capture thread with an OverflowError, and the run went on without its interval captures).
  checkNumber(a.interval, '--interval', 0, false, MAX_SECONDS);
  // tracemalloc.start() takes 1 to 65535 frames (its own ValueError otherwise, in the program's run).
  checkNumber(a.frames, '--frames', 1, true, 65535);
  checkNumber(a['sample-interval'], '--sample-interval', 0.001, false, MAX_SECONDS);
  // CPython with another allocator than pymalloc has no arenas to report: every report --allocator
  // wrote held free lists only, and every command then refused the folder (h304).
  const allocator = process.env.PYTHONMALLOC ?? '';
  if (a.allocator && allocator !== '' && !/^(?:default|debug|pymalloc|pymalloc_debug)$/.test(allocator))
    throw new UsageError(
      `--allocator: PYTHONMALLOC=${allocator} runs CPython without pymalloc, so its reports would hold no arenas; ` +
        'unset PYTHONMALLOC (or set it to pymalloc) for --allocator',
    );
  const cwd = process.cwd();
  const { resolveCommand } = await import('../capture/resolve-command.js');
  const resolved = resolveCommand(words, { cwd, path: process.env.PATH ?? '' });
  const dir = a.output === undefined ? defaultDir(cwd) : resolve(cwd, a.output);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`${a.output ?? dir}: not a folder; name a new folder with -o/--output`);
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${a.output ?? dir}: the folder exists and is not empty; name a new one with -o/--output`);
  }
  const { runCapture } = await import('../capture/run-capture.js');
  const result = await runCapture({
    dir,
    command: words,
    resolved,
    cwd,
    env: process.env,
    stdoutToStderr: a.json,
    options: {
      interval: a.interval,
      frames: a.frames,
      includeChildren: a['include-children'],
      memIncludesChildren: false,
      allocator: a.allocator,
      sampleInterval: a['sample-interval'],
    },
  });
  if (a.json) a.io.out(renderJson(result.manifest));
  else a.io.err((await import('../capture/summary.js')).renderRunSummary(a.output ?? relative(cwd, dir), result));
  a.status.code = result.exitCode;
}
