// manifest.json of a capture folder (schema/arenascope-run.schema.json): what `arenascope run` knows
// (command, options, times, how the program ended) joined with the bootstrap's captures.jsonl. It is
// written at the start (status "running") and at the end, each time whole: a .tmp file renamed over it.

import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'crashed';
export type EndReason = 'exit' | 'exception' | 'interrupted' | 'signal' | 'os._exit';

export interface RunOptions {
  readonly interval: number;
  readonly frames: number;
  readonly includeChildren: boolean;
  /**
   * Whether memory.dat's MEM lines count the children: false, MEM is the program alone and each child
   * has its CHLD lines (as `mprof run -M` writes them), so that the file means the same read on its
   * own. Runs written before it was recorded counted them (read so when it is absent).
   */
  readonly memIncludesChildren: false;
  readonly allocator: boolean;
  readonly sampleInterval: number;
}

export interface ManifestFile {
  readonly path: string;
  readonly kind: 'snapshot' | 'memory' | 'allocator-stats';
  readonly label?: string;
  readonly time?: number;
  readonly tracedPeak?: number | null;
  readonly matches?: string | null;
  readonly by?: string;
}

export interface RunExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly reason: EndReason | null;
}

export interface Manifest {
  readonly format: 'arenascope-run';
  readonly version: 1;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly python: { readonly executable: string; readonly version: string; readonly implementation: string } | null;
  readonly platform: string;
  readonly start: string;
  readonly end: string | null;
  readonly status: RunStatus;
  readonly exit: RunExit | null;
  readonly options: RunOptions;
  /** Present (true) when the program started child processes whose memory was not measured. */
  readonly childrenNotMeasured?: true;
  readonly files: readonly ManifestFile[];
  readonly tests: readonly Record<string, unknown>[];
  readonly overhead: {
    readonly wall: number | null;
    readonly captureSeconds: number;
    readonly snapshots: number;
    readonly bytesWritten: number;
  };
}

/** One event of captures.jsonl, as the bootstrap writes it (fields read where used). */
export type CaptureEvent = Record<string, unknown> & { readonly kind: string };

/**
 * The events of a captures.jsonl, in order; none when it is missing. A line that does not parse is
 * skipped: the last one may be cut short by a killed process, and what came before it still holds.
 */
export function readEvents(file: string): CaptureEvent[] {
  if (!existsSync(file)) return [];
  const events: CaptureEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as unknown;
      if (e !== null && typeof e === 'object' && typeof (e as CaptureEvent).kind === 'string') {
        events.push(e as CaptureEvent);
      }
    } catch {
      // A torn last line.
    }
  }
  return events;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The files the events name that are there, in capture order: snapshots, then memory.dat, then allocator reports. */
function filesOf(dir: string, events: readonly CaptureEvent[], allocator: readonly CaptureEvent[]): ManifestFile[] {
  const files: ManifestFile[] = [];
  for (const e of events) {
    const path = str(e.file);
    if (e.kind !== 'snapshot' || path === undefined || !existsSync(join(dir, path))) continue;
    const peak = num(e.tracedPeak);
    files.push({
      path,
      kind: 'snapshot',
      label: str(e.label) ?? path,
      ...(num(e.time) === undefined ? {} : { time: num(e.time) }),
      tracedPeak: peak === undefined ? null : peak,
    });
  }
  if (existsSync(join(dir, 'memory.dat'))) files.push({ path: 'memory.dat', kind: 'memory' });
  for (const e of allocator) {
    const path = str(e.file);
    if (e.kind !== 'allocator' || path === undefined || !existsSync(join(dir, path))) continue;
    files.push({
      path,
      kind: 'allocator-stats',
      label: str(e.label) ?? path,
      ...(num(e.time) === undefined ? {} : { time: num(e.time) }),
      matches: str(e.matches) ?? null,
      by: str(e.by) ?? 'time',
    });
  }
  return files;
}

/** Bytes of every file under dir (what the run wrote). */
export function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath ?? dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** What Node knows of the run; the rest comes from the folder. */
export interface RunFacts {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly options: RunOptions;
  readonly startMs: number;
  /** Unset while running. */
  readonly endMs?: number;
  readonly exit?: { readonly code: number | null; readonly signal: string | null };
  /** Node was asked to stop the program (Ctrl-C, SIGTERM). */
  readonly interrupted?: boolean;
  /** The program started child processes, and their memory was not measured (no --include-children). */
  readonly childrenNotMeasured?: boolean;
}

// Signals by which a program is stopped on request rather than by a fault.
const STOP_SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * How the program ended. interrupted: stopped on request (Node was signalled, the bootstrap saw
 * Ctrl-C, or a stop signal ended it); crashed: an uncaught exception, a fatal signal, or an exit
 * without the bootstrap's end event and with a failing status; otherwise complete, whatever status
 * the program chose (a test run with failures exits 1 and is complete).
 */
export function endOf(
  facts: RunFacts,
  events: readonly CaptureEvent[],
): { status: Exclude<RunStatus, 'running'>; reason: EndReason | null } {
  const end = [...events].reverse().find((e) => e.kind === 'end');
  const signal = facts.exit?.signal ?? null;
  const code = facts.exit?.code ?? null;
  const said = str(end?.reason) as EndReason | undefined;
  const reason: EndReason | null =
    said ?? (signal !== null ? 'signal' : events.some((e) => e.kind === 'start') ? 'os._exit' : null);
  if (facts.interrupted || said === 'interrupted' || (signal !== null && STOP_SIGNALS.has(signal))) {
    return { status: 'interrupted', reason };
  }
  if (said === 'exception' || signal !== null || (end === undefined && code !== 0)) {
    return { status: 'crashed', reason };
  }
  if (said === 'os._exit' && code !== 0) return { status: 'crashed', reason };
  return { status: 'complete', reason };
}

/** The manifest of the folder as it is now. */
export function buildManifest(dir: string, facts: RunFacts): Manifest {
  const events = readEvents(join(dir, 'captures.jsonl'));
  const allocator = readEvents(join(dir, 'allocator', 'captures.jsonl'));
  const start = events.find((e) => e.kind === 'start');
  const snapshots = events.filter((e) => e.kind === 'snapshot');
  const done = facts.endMs !== undefined;
  const end = done ? endOf(facts, events) : null;
  const python =
    start === undefined
      ? null
      : {
          executable: str(start.executable) ?? '',
          version: str(start.python) ?? '',
          implementation: str(start.implementation) ?? '',
        };
  return {
    format: 'arenascope-run',
    version: 1,
    command: facts.command,
    cwd: facts.cwd,
    python,
    platform: str(start?.platform) ?? process.platform,
    start: new Date(facts.startMs).toISOString(),
    end: done ? new Date(facts.endMs!).toISOString() : null,
    status: end?.status ?? 'running',
    exit:
      end === null ? null : { code: facts.exit?.code ?? null, signal: facts.exit?.signal ?? null, reason: end.reason },
    options: facts.options,
    ...(facts.childrenNotMeasured ? { childrenNotMeasured: true as const } : {}),
    files: filesOf(dir, events, allocator),
    tests: events.filter((e) => e.kind === 'test'),
    overhead: {
      wall: done ? (facts.endMs! - facts.startMs) / 1000 : null,
      captureSeconds: snapshots.reduce((sum, e) => sum + (num(e.took) ?? 0), 0),
      snapshots: snapshots.length,
      bytesWritten: bytesUnder(dir),
    },
  };
}

/** Writes manifest.json whole: a reader sees the old one or the new one, never half of either. */
export function writeManifest(dir: string, manifest: Manifest): void {
  const file = join(dir, 'manifest.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
