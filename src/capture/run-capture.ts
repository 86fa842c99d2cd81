// `arenascope run`: the program under the Python bootstrap (python/arenascope_capture) with its stdio
// passed through, its RSS sampled, the manifest written at start and end; with --allocator a second
// run of the same command without tracemalloc, for sys._debugmallocstats() reports. Issue 15's contract.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../util/errors.js';
import { buildManifest, type Manifest, type RunFacts, type RunOptions, readEvents, writeManifest } from './manifest.js';
import { type ResolvedCommand, targetArgs } from './resolve-command.js';
import { RssSampler } from './rss-sampler.js';

/** python/ of the package: two levels above this module, from src/capture/ (tests) and dist/capture/ alike. */
export const BOOTSTRAP_PATH = fileURLToPath(new URL('../../python', import.meta.url));

/** How the interpreter starts the bootstrap (python/arenascope_capture/_runner.py). */
const BOOTSTRAP = 'from arenascope_capture._runner import main; main()';

// When Node is not in its terminal's foreground group, a SIGINT may have been sent to Node alone
// (`kill -INT`) or to the whole group: it is passed on only if the program shows nothing of it by then.
const FORWARD_GRACE_MS = 2000;

export interface CaptureRequest {
  readonly dir: string;
  /** The command as the user typed it, for the manifest and CMDLINE. */
  readonly command: readonly string[];
  readonly resolved: ResolvedCommand;
  readonly options: RunOptions;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The program's stdout to stderr: arenascope's stdout holds the manifest alone (`run --json`). */
  readonly stdoutToStderr?: boolean;
}

export interface CaptureResult {
  readonly manifest: Manifest;
  /** The program's status: its exit code, or 128 + the signal's number. */
  readonly exitCode: number;
  readonly rssPeakKiB: number;
  /** The program's own peak RSS as it exited (getrusage, captures.jsonl's end event), or null. */
  readonly exitPeakKiB: number | null;
  /** RSS samples taken (one, at the start, for a program shorter than the sample interval). */
  readonly rssSamples: number;
  /** Child processes were seen, and their memory not measured (no --include-children). */
  readonly childrenSeen: boolean;
  /** The allocator run's status, or why it did not run. */
  readonly allocatorRun: { readonly exitCode: number } | { readonly skipped: string } | null;
}

/** The program's own peak RSS as it exited: the end event's maxRssKiB (getrusage), or null. */
function exitPeakKiB(dir: string): number | null {
  const end = readEvents(join(dir, 'captures.jsonl')).find((e) => e.kind === 'end');
  const kib = end?.maxRssKiB;
  return typeof kib === 'number' && Number.isFinite(kib) && kib > 0 ? kib : null;
}

/** The environment of the program: PYTHONPATH with the bootstrap first, and nothing else changed. */
export function bootstrapEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = env.PYTHONPATH;
  return { ...env, PYTHONPATH: path ? `${BOOTSTRAP_PATH}${delimiter}${path}` : BOOTSTRAP_PATH };
}

/** The interpreter's argument list running the bootstrap in a mode. */
export function bootstrapArgs(req: CaptureRequest, mode: 'tracemalloc' | 'allocator'): string[] {
  const { resolved, options } = req;
  return [
    ...resolved.interpreterOptions,
    // -c, not -m: runpy's frames would sit beneath every allocation of the program, and tracemalloc
    // works out each frame's line from the start of its line table: shallow programs ran up to twice
    // as slow under -m (BENCHMARKS.md). The bootstrap is the same module either way.
    ...['-c', BOOTSTRAP, '--dir', req.dir, '--mode', mode],
    ...['--interval', String(options.interval), '--frames', String(options.frames)],
    ...(mode === 'allocator' ? ['--index-file', join(req.dir, 'captures.jsonl')] : []),
    '--',
    ...targetArgs(resolved.target),
    ...resolved.args,
  ];
}

/** Whether Node runs in its terminal's foreground process group, where Ctrl-C reaches the program too. */
function inForegroundGroup(): boolean {
  if (process.platform !== 'linux') return Boolean(process.stdin.isTTY || process.stderr.isTTY);
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[5]) > 0 && f[5] === f[2]; // tpgid (the terminal's foreground group) is our pgrp
  } catch {
    return true;
  }
}

const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

interface Supervised {
  readonly code: number | null;
  readonly signal: string | null;
  /** Node was asked to stop the program. */
  readonly interrupted: boolean;
}

/**
 * Waits for the child while standing between it and the signals Node gets. Ctrl-C reaches the
 * program from the terminal (same process group): it is not sent again, which would interrupt the
 * bootstrap's last capture; a second one kills the program. SIGTERM and SIGHUP are passed on; a
 * second one kills it too: the bootstrap's handler (the last capture, then death by the signal) runs
 * when the interpreter next runs Python code, and a program busy in C code (`sum(range(4 * 10**8))`
 * under tracemalloc) ran on for minutes, a second SIGTERM doing nothing. Not killed on a timer: a
 * program's own handler may rightly take long (a graceful shutdown of 15 s was killed at 10).
 */
function supervise(child: ChildProcess, watched: string): Promise<Supervised> {
  let interrupted = false;
  let interrupts = 0;
  let stops = 0;
  let grace: NodeJS.Timeout | undefined;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const onInt = (): void => {
    interrupted = true;
    interrupts++;
    if (interrupts > 1) {
      child.kill('SIGKILL');
      return;
    }
    if (inForegroundGroup()) return;
    const before = sizeOf(watched);
    grace = setTimeout(() => {
      if (alive() && sizeOf(watched) === before) child.kill('SIGINT');
    }, FORWARD_GRACE_MS);
  };
  const onStop = (signal: NodeJS.Signals): void => {
    interrupted = true;
    stops++;
    if (stops > 1) {
      child.kill('SIGKILL');
      return;
    }
    child.kill(signal);
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onStop);
  return new Promise<Supervised>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, interrupted }));
  }).finally(() => {
    clearTimeout(grace);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onStop);
    process.off('SIGHUP', onStop);
  });
}

function started(child: ChildProcess, interpreter: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`${interpreter}: could not be started (${e.code ?? e.message})`)),
    );
  });
}

const statusOf = (s: Supervised): number =>
  s.code ?? 128 + (s.signal ? (constants.signals[s.signal as NodeJS.Signals] ?? 0) : 0);

/** The allocator run: stdin from /dev/null, stdout and stderr to allocator/output.txt. */
async function allocatorRun(req: CaptureRequest): Promise<Supervised> {
  mkdirSync(join(req.dir, 'allocator'), { recursive: true });
  const input = openSync('/dev/null', 'r');
  const output = openSync(join(req.dir, 'allocator', 'output.txt'), 'w');
  try {
    const child = spawn(req.resolved.interpreter, bootstrapArgs(req, 'allocator'), {
      cwd: req.cwd,
      env: bootstrapEnv(req.env),
      stdio: [input, output, output],
    });
    await started(child, req.resolved.interpreter);
    return await supervise(child, join(req.dir, 'allocator', 'captures.jsonl'));
  } finally {
    closeSync(input);
    closeSync(output);
  }
}

/** The oldest CPython the bootstrap runs on: os.register_at_fork (3.7) keeps a forked child out of the folder. */
const OLDEST_PYTHON: readonly [number, number] = [3, 7];
// Python 2 syntax too, so that an old interpreter answers instead of failing on the bootstrap's import.
const VERSION_PROBE =
  'import sys; print("%s %d.%d" % (getattr(getattr(sys, "implementation", None), "name", "cpython"),' +
  ' sys.version_info[0], sys.version_info[1]))';

/**
 * What can be refused before the folder exists: an interpreter the bootstrap cannot run on (Python 2, an old
 * 3.x, not CPython) would leave a half folder and a traceback; a missing script, a folder "crashed" at once.
 */
export function preflight(req: Pick<CaptureRequest, 'resolved' | 'cwd' | 'env'>): void {
  const { interpreter, target } = req.resolved;
  // -E -s: the interpreter's own answer, nothing of the user's site or environment run for it (2.7 has both).
  const r = spawnSync(interpreter, ['-E', '-s', '-c', VERSION_PROBE], {
    cwd: req.cwd,
    env: req.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const m = /^(\S+) (\d+)\.(\d+)$/.exec((r.stdout ?? '').trim());
  if (r.error || r.status !== 0 || !m) {
    const why = r.error ? ((r.error as NodeJS.ErrnoException).code ?? r.error.message) : 'it did not say its version';
    throw new UsageError(`${interpreter}: could not be started as Python (${why})`);
  }
  const [major, minor] = [Number(m[2]), Number(m[3])];
  const [oldMajor, oldMinor] = OLDEST_PYTHON;
  if (m[1] !== 'cpython' || major < oldMajor || (major === oldMajor && minor < oldMinor)) {
    throw new UsageError(
      `${interpreter}: ${m[1] === 'cpython' ? 'CPython' : m[1]} ${major}.${minor}; ` +
        `arenascope run needs CPython ${oldMajor}.${oldMinor} or newer (tracemalloc, os.register_at_fork)`,
    );
  }
  if (target.kind === 'script' && !existsSync(resolve(req.cwd, target.file))) {
    throw new UsageError(`${target.file}: can't open file: no such file (nothing was run, no folder written)`);
  }
}

/**
 * mkdir -p, a folder at a time: Node's own (`recursive: true`) spins for ever under /proc
 * (`run -o /proc/self/nope`: Node 20 retries the ENOENT that procfs gives).
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
}

/** Runs the capture into req.dir (which must be new or empty: the caller checks). */
export async function runCapture(req: CaptureRequest): Promise<CaptureResult> {
  preflight(req);
  try {
    makeFolder(req.dir);
  } catch (e) {
    // A file on the way (`-o file/sub`), no permission: the user's to fix, not a bug.
    throw new UsageError(`${req.dir}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const startMs = Date.now();
  const base = { command: req.command, cwd: req.cwd, options: req.options, startMs };
  writeManifest(req.dir, buildManifest(req.dir, base));

  const child = spawn(req.resolved.interpreter, bootstrapArgs(req, 'tracemalloc'), {
    cwd: req.cwd,
    env: bootstrapEnv(req.env),
    // With --json, the program's output on stdout broke the manifest there (`run --json | jq`: h372).
    stdio: req.stdoutToStderr ? ['inherit', process.stderr, 'inherit'] : 'inherit',
  });
  let sampler: RssSampler | undefined;
  let ended: Supervised;
  try {
    await started(child, req.resolved.interpreter).catch((e: unknown) => {
      // The folder still ends valid: crashed, before any capture.
      const exit = { code: null, signal: null };
      writeManifest(req.dir, buildManifest(req.dir, { ...base, endMs: Date.now(), exit }));
      throw e;
    });
    sampler = new RssSampler(child.pid!, {
      file: join(req.dir, 'memory.dat'),
      command: req.command,
      intervalSeconds: req.options.sampleInterval,
      includeChildren: req.options.includeChildren,
      started: () => sizeOf(join(req.dir, 'captures.jsonl')) > 0,
    });
    sampler.start();
    ended = await supervise(child, join(req.dir, 'captures.jsonl'));
  } finally {
    sampler?.stop();
  }
  const endMs = Date.now();

  let allocator: CaptureResult['allocatorRun'] = null;
  if (req.options.allocator) {
    if (ended.interrupted || ended.signal !== null) allocator = { skipped: 'the program was stopped' };
    else allocator = { exitCode: statusOf(await allocatorRun(req)) };
  }
  const facts: RunFacts = {
    ...base,
    endMs,
    exit: { code: ended.code, signal: ended.signal },
    interrupted: ended.interrupted,
    childrenNotMeasured: sampler?.childrenSeen ?? false,
  };
  const manifest = buildManifest(req.dir, facts);
  writeManifest(req.dir, manifest);
  return {
    manifest,
    exitCode: statusOf(ended),
    rssPeakKiB: sampler?.peakKiB ?? 0,
    exitPeakKiB: exitPeakKiB(req.dir),
    rssSamples: sampler?.samples ?? 0,
    childrenSeen: sampler?.childrenSeen ?? false,
    allocatorRun: allocator,
  };
}
