// tracemalloc.Filter / DomainFilter and Snapshot.filter_traces, evaluated per group instead of per
// trace (every trace of a group has the same domain and traceback, so the verdict is the same).

import type { Frame, FrameTable } from '../model/frames.js';
import type { Snapshot, TraceGroups } from '../model/snapshot.js';
import { fnmatchToRegExp, normalizeFilename } from '../util/fnmatch.js';

/** tracemalloc.Filter(inclusive, filename_pattern, lineno=None, all_frames=False, domain=None) */
export interface FilenameFilter {
  readonly kind: 'filename';
  readonly inclusive: boolean;
  readonly pattern: string;
  readonly lineno?: number | null;
  readonly allFrames?: boolean;
  readonly domain?: number | null;
}

/** tracemalloc.DomainFilter(inclusive, domain) */
export interface DomainFilter {
  readonly kind: 'domain';
  readonly inclusive: boolean;
  readonly domain: number;
}

export type TraceFilter = FilenameFilter | DomainFilter;

type Matcher = (tb: number, domain: number) => boolean;

function filenameMatcher(f: FilenameFilter, frames: FrameTable): Matcher {
  const re = fnmatchToRegExp(normalizeFilename(f.pattern));
  const fileHit = new Map<number, boolean>();
  const frameMatches = (frame: number): boolean => {
    const file = frames.frameFilenameId(frame);
    let hit = fileHit.get(file);
    if (hit === undefined) {
      hit = re.test(normalizeFilename(frames.filenames[file]!));
      fileHit.set(file, hit);
    }
    return hit && (f.lineno == null || frames.frameLineno(frame) === f.lineno);
  };
  const tbHit = new Map<number, boolean>();
  const traceback = (tb: number): boolean => {
    let r = tbHit.get(tb);
    if (r === undefined) {
      if (f.allFrames) {
        let any = false;
        for (let i = 0, n = frames.tracebackLength(tb); i < n && !any; i++)
          any = frameMatches(frames.tracebackFrame(tb, i));
        r = any ? f.inclusive : !f.inclusive;
      } else {
        // Only the most recent frame counts.
        r = frameMatches(frames.tracebackFrame(tb, 0)) !== !f.inclusive;
      }
      tbHit.set(tb, r);
    }
    return r;
  };
  if (f.domain == null) return traceback;
  const want = f.domain;
  return f.inclusive
    ? (tb, domain) => traceback(tb) && domain === want
    : (tb, domain) => traceback(tb) || domain !== want;
}

function matcher(f: TraceFilter, frames: FrameTable): Matcher {
  if (f.kind === 'domain') return (_tb, domain) => (domain === f.domain) !== !f.inclusive;
  return filenameMatcher(f, frames);
}

/**
 * Snapshot.filter_traces(filters) as a test of one group, (traceback id, domain) -> kept: kept if it
 * matches any inclusive filter (when there is one) and every exclusive filter; null when there is no
 * filter. Where no filter looks at the domain, the verdict is remembered per traceback, so a frame
 * table shared by a series of captures tests each traceback once for all of them.
 */
export function traceFilter(
  filters: readonly TraceFilter[],
  frames: FrameTable,
): ((tb: number, domain: number) => boolean) | null {
  if (filters.length === 0) return null;
  const include = filters.filter((f) => f.inclusive).map((f) => matcher(f, frames));
  const exclude = filters.filter((f) => !f.inclusive).map((f) => matcher(f, frames));
  const test = (tb: number, domain: number): boolean =>
    (include.length === 0 || include.some((m) => m(tb, domain))) && exclude.every((m) => m(tb, domain));
  if (filters.some((f) => f.kind === 'domain' || f.domain != null)) return test;
  const known: boolean[] = [];
  return (tb, domain) => (known[tb] ??= test(tb, domain));
}

/** Snapshot.filter_traces(filters): keep a trace if it matches any inclusive filter (when there is
 * one) and every exclusive filter. */
export function filterSnapshot(snapshot: Snapshot, filters: readonly TraceFilter[]): Snapshot {
  const kept = traceFilter(filters, snapshot.frames);
  if (!kept) return snapshot;
  const g = snapshot.groups;
  const keep: number[] = [];
  let traceCount = 0;
  let totalSize = 0;
  for (let i = 0; i < g.length; i++) {
    if (!kept(g.traceback[i]!, g.domain[i]!)) continue;
    keep.push(i);
    traceCount += g.count[i]!;
    totalSize += g.size[i]! * g.count[i]!;
  }
  const pick = <T extends Float64Array | Uint32Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(keep.length);
    keep.forEach((src, dst) => (b[dst] = a[src]!));
    return b;
  };
  const groups: TraceGroups = {
    length: keep.length,
    domain: pick(g.domain),
    traceback: pick(g.traceback),
    size: pick(g.size),
    count: pick(g.count),
  };
  return { ...snapshot, groups, traceCount, totalSize };
}

// The frames `arenascope run`'s bootstrap puts under every program frame (runpy, then the runner
// that starts the program), identified by the runner's file.
const CAPTURE_RUNNER = /[\\/]arenascope_capture[\\/](?:_runner|__main__)\.py$/;

/**
 * A traceback (oldest frame first) without the frames of `arenascope run`'s bootstrap beneath the
 * program's: the capture's own, the same under every allocation (the traceback as recorded otherwise).
 */
export function withoutCaptureFrames(frames: readonly Frame[]): readonly Frame[] {
  let last = -1;
  for (let i = 0; i < frames.length; i++) if (CAPTURE_RUNNER.test(frames[i]!.filename)) last = i;
  return last >= 0 && last < frames.length - 1 ? frames.slice(last + 1) : frames;
}

// As in CPython's documentation recipe: the import machinery and tracemalloc itself; and the code of
// `arenascope run`'s capture (its interval thread's snapshots), which no program has.
export const INTERNAL_FILTERS: readonly TraceFilter[] = [
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib._bootstrap>' },
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib._bootstrap_external>' },
  { kind: 'filename', inclusive: false, pattern: '<frozen importlib.util>' },
  { kind: 'filename', inclusive: false, pattern: '<unknown>' },
  ...machinery('*/tracemalloc.py'),
  ...machinery('*/arenascope_capture/*.py'),
  // setuptools' import hook, on every import of a Python with setuptools installed.
  ...machinery('*/_distutils_hack/__init__.py'),
  // pytest's own: the report of every test, kept for its summary (a suite of 60 tests that keep nothing
  // read a leak of 107 KiB at _pytest/reports.py, and the gate failed; h273), and its hook calls.
  ...machinery('*/_pytest/*.py'),
  ...machinery('*/pluggy/*.py'),
];

// A file of the machinery by path, as POSIX and Windows name it (a capture of C:\Python311\Lib\ read
// on Linux: its tracemalloc.py lines counted as the program's, and a gate failed on their growth).
function machinery(pattern: string): TraceFilter[] {
  return [pattern, pattern.replaceAll('/', '\\')].map((p) => ({ kind: 'filename', inclusive: false, pattern: p }));
}

// The machinery `leaks` leaves out (the import system, tracemalloc itself), tested on the site's
// own frame as tracemalloc.Filter does without all_frames; and the code of `arenascope run`'s bootstrap.
const INTERNAL_FILES = INTERNAL_FILTERS.filter((f): f is FilenameFilter => f.kind === 'filename').map((f) =>
  fnmatchToRegExp(normalizeFilename(f.pattern)),
);
const CAPTURE_CODE = /[\\/]arenascope_capture[\\/][^\\/]+\.py$/;

/**
 * Whether a site (its traceback, oldest frame first; the last is the site) is machinery rather than
 * the program: its line is in the import system or tracemalloc, or arenascope's capture code made
 * the allocation (a frame of the bootstrap above the program's, once the runner beneath is taken off:
 * the snapshots and JSON the controller writes). Reports fold these away as `leaks` leaves them out.
 */
export function internalSite(frames: readonly Frame[]): boolean {
  const site = frames[frames.length - 1];
  if (!site) return false;
  const file = normalizeFilename(site.filename);
  if (INTERNAL_FILES.some((re) => re.test(file))) return true;
  const own = withoutCaptureFrames(frames);
  // A thread's start, every frame in threading.py (the capture's interval thread's among them: replay
  // named threading.py:1020 as the line to look at in a program that starts no thread).
  return own.some((f) => CAPTURE_CODE.test(f.filename)) || own.every((f) => THREADING.test(f.filename));
}
const THREADING = /(?:^|[\\/])threading\.py$/;
