// Turning command-line inputs (files, directories, globs, '-') into an ordered list of files to
// read. A directory may hold other files (logs, notes, sidecars): they are skipped with a one-line
// warning each, never an error. A run folder of `arenascope run` gives the captures its run names.

import {
  closeSync,
  type Dirent,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import type * as Tinyglobby from 'tinyglobby';
import { InputError, UsageError } from '../util/errors.js';
import { sniffFile } from './importers.js';
import { lfsPointerSize } from './lfs-pointer.js';
import { FREE_LISTS_ONLY, headlessReport, onlyFreeLists } from './mallocstats.js';
import { readHead } from './open-input.js';
import { damagedDump } from './pickle/sniff.js';
import { type RunFolder, readRunFolder } from './run-folder.js';
import { sidecarPath, sidecarTime } from './sidecar.js';

export type Order = 'name' | 'mtime' | 'given';
export const ORDERS: readonly Order[] = ['name', 'mtime', 'given'];

// 'en', not the user's locale: the order of a series must not change with the machine it runs on.
// Made when two names are first compared: a collator costs ~3 MiB and ~10 ms (util/text.ts).
let collator: Intl.Collator | undefined;

/** Natural order: 'snap-2' before 'snap-10'; names the collator ties ('b9', 'b09') shorter first. */
export function naturalCompare(a: string, b: string): number {
  const byNumber = numberedAlike(a, b);
  if (byNumber !== 0) return byNumber;
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a, b) || a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The order of two ASCII names that are the same up to a number whose values differ ('snap-9' and
 * 'snap-10', a series' usual names), without the collator: everything before weighs the same, and
 * the numbers decide. 0 when they are not such names (the collator decides).
 */
function numberedAlike(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (!isDigit(a.charCodeAt(i)) || !isDigit(b.charCodeAt(i)) || NON_ASCII.test(a) || NON_ASCII.test(b)) return 0;
  while (i > 0 && isDigit(a.charCodeAt(i - 1))) i--;
  let ea = i;
  while (isDigit(a.charCodeAt(ea))) ea++;
  let eb = i;
  while (isDigit(b.charCodeAt(eb))) eb++;
  // The digits after the point of a time as a name (time.time(): 'snap_1796144590.501069') are a
  // fraction: .501069 after .3469207 (read as whole numbers, the 4th capture came first); so are 5 or
  // more after any number's point (time.perf_counter(): 'snap_36392.57110084' after '.550304907'), and
  // digits after a point that start with a 0 (load-0.05 before load-0.1: no version's part does).
  const [fa, fb] = [a.slice(i, ea), b.slice(i, eb)];
  const width = Math.max(fa.length, fb.length);
  const before = a.slice(Math.max(0, i - 13), i);
  const zero = (f: string): boolean => f.length > 1 && f[0] === '0';
  // (Not a version's part: after a v, or before another point: v0.9 before v0.10; 0.9.1 before 0.10.2.)
  const version = /[vV]\d+\.$/.test(before) || (a[ea] === '.' && isDigit(a.charCodeAt(ea + 1)));
  if (
    (width >= 4 && EPOCH_POINT.test(before)) ||
    (/\d\.$/.test(before) && (width >= 5 || (!version && (zero(fa) || zero(fb)))))
  ) {
    return fa.padEnd(width, '0') < fb.padEnd(width, '0') ? -1 : fa.padEnd(width, '0') > fb.padEnd(width, '0') ? 1 : 0;
  }
  if (ea - i > 15 || eb - i > 15) return 0;
  return Number(a.slice(i, ea)) - Number(b.slice(i, eb));
}

/**
 * Whether two names differ in digits after a point of different widths that natural order reads as
 * whole numbers (snap-0.9 before snap-0.10): a counter's or a version's, or a fraction's (load-0.5
 * before load-0.25), which no order of names tells apart.
 */
function pointAmbiguous(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (!isDigit(a.charCodeAt(i)) || !isDigit(b.charCodeAt(i))) return false;
  while (i > 0 && isDigit(a.charCodeAt(i - 1))) i--;
  if (!/\d\.$/.test(a.slice(0, i)) || /[vV]\d+\.$/.test(a.slice(0, i))) return false;
  let [ea, eb] = [i, i];
  while (isDigit(a.charCodeAt(ea))) ea++;
  while (isDigit(b.charCodeAt(eb))) eb++;
  const [fa, fb] = [a.slice(i, ea), b.slice(i, eb)];
  const another = a[ea] === '.' && isDigit(a.charCodeAt(ea + 1));
  return fa.length !== fb.length && numberedAlike(a, b) === Number(fa) - Number(fb) && !another;
}

/**
 * The end of a name's part before a time's fraction: seconds since the epoch, 2001 to 2039 (a run id
 * of 10 digits and a step, `heap-7412345678.10`, is no time), and a point. The fraction has 4 digits
 * or more on one side at least (time.time() gives 5 to 7; `run-1796144590.10`, a counter, stays one).
 */
export const EPOCH_POINT = /(?:^|\D)(?:1\d{9}|2[01]\d{8})\.$/;

/**
 * Whether the names of a series differ only in a number ('0001.pickle', 'snap-10'): the order a
 * program that numbered its captures wrote them in.
 */
export function numbered(paths: readonly string[]): boolean {
  const sorted = [...paths].sort(naturalCompare);
  return sorted.length > 1 && sorted.every((p, i) => i === 0 || numberedAlike(sorted[i - 1]!, p) < 0);
}

// What makes an argument that is not a path a pattern: wildcards, a class, or braces ({a,b}).
export const GLOB = /[*?[{]/;

// Globs as the shell expands them ('*' within a segment, '**' across, {a,b}, [seq]); hidden
// names only when the pattern spells the dot. tinyglobby's CommonJS build is loaded only for a
// glob: it costs a command ~8 ms (its ES modules ~16 ms), and most inputs are plain paths.
export function glob(pattern: string): string[] {
  const { globSync } = createRequire(import.meta.url)('tinyglobby') as typeof Tinyglobby;
  // An absolute pattern gives absolute paths, a relative one paths relative to the working directory.
  // Folders too, to be said as a folder's are (a link to nothing it does not list).
  const found = globSync(pattern, { absolute: isAbsolute(pattern), expandDirectories: false, onlyFiles: false }).map(
    (p) => p.replace(/[\\/]$/, ''),
  );
  return [...found, ...unlisted(pattern, found)];
}

/**
 * What the pattern matches that tinyglobby's crawler (fdir) does not list: it lists files, folders and
 * links only, so a FIFO, socket or device among a series' files went unsaid (`leaks` of 'snap-*'
 * read 2 captures of 3). The folders of the matches and the pattern's own are listed again for such
 * entries, matched by the matcher tinyglobby uses (picomatch, its dependency); the caller says why
 * each is not read.
 */
function unlisted(pattern: string, found: readonly string[]): string[] {
  const segments = pattern.split(/[\\/]/);
  const first = segments.findIndex((s) => GLOB.test(s)); // the first segment with a wildcard
  const fixed = first <= 0 ? '.' : segments.slice(0, first).join('/') || '/';
  const dirs = new Set([...found.map((p) => dirname(p)), fixed]);
  const out: string[] = [];
  let isMatch: ((p: string) => boolean) | null = null;
  for (const dir of dirs) {
    let names: Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // not a folder, or not listable: the pattern's own matches say what there is
    }
    for (const e of names) {
      if (e.isFile() || e.isDirectory() || e.isSymbolicLink()) continue;
      const path = dir === '.' ? e.name : join(dir, e.name);
      isMatch ??= matcher(pattern);
      if (isMatch(path) && !found.includes(path)) out.push(path);
    }
  }
  return out;
}

function matcher(pattern: string): (path: string) => boolean {
  const req = createRequire(createRequire(import.meta.url).resolve('tinyglobby'));
  const picomatch = req('picomatch') as (glob: string, opts: { dot: boolean }) => (path: string) => boolean;
  const match = picomatch(normalize(pattern), { dot: false });
  return (path) => match(normalize(path));
}

// A folder's entries; one that cannot be listed is an error naming it.
function entries(dir: string): Buffer[] {
  try {
    return readdirSync(dir, { encoding: 'buffer' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(dir, '', `cannot read the folder: ${code === 'EACCES' ? 'permission denied' : code}`);
  }
}

// Why a folder's entry is not read as a file (a folder is not read into, a link may lead nowhere),
// or null for a file.
function notAFile(p: string): string | null {
  try {
    const st = statSync(p);
    if (st.isFile()) return null;
    return st.isDirectory() ? 'a folder (folders are not read into)' : 'not a regular file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'a link to nothing' : code === 'ELOOP' ? 'a loop of links' : `cannot see it (${code})`;
  }
}

/**
 * A folder's files to read, by path: hidden ones and the subfolders `readApart` left out, and what is
 * not a file (or not named in UTF-8) said in `skipped`.
 */
const NOTE_NAME =
  /^(?:readme|changelog|license|licence|copying|authors|contributing)(?:\.(?:md|markdown|rst|txt|adoc|org))?$/i;

function folderFiles(dir: string, skipped: string[], readApart: readonly string[] = []): string[] {
  return entries(dir)
    .filter((raw) => {
      // A name that is not UTF-8 has no path a string can give: said, and passed over.
      const ok = Buffer.from(raw.toString('utf8')).equals(raw);
      if (!ok)
        skipped.push(`skipping ${join(dir, raw.toString('utf8'))}: its name is not UTF-8 (rename it to read it)`);
      return ok;
    })
    .map((raw) => raw.toString('utf8'))
    .filter((n) => !n.startsWith('.') && !readApart.includes(n))
    .filter((n) => {
      // An editor's backup ('name~') or autosave ('#name#'): an earlier version of a file, here or gone
      // (a stale backup of a leaking run, its original cleaned away, failed a gate; h388).
      const edited = n.endsWith('~') || /^#.+#$/.test(n);
      if (edited) skipped.push(`skipping ${join(dir, n)}: an editor's backup or autosave, not a capture`);
      // A folder's README (and such notes) quoting a listing's lines is no capture (read first by its
      // name, a series of listings gained a capture 1 of two of its lines; h391).
      const note = !edited && NOTE_NAME.test(n);
      if (note) skipped.push(`skipping ${join(dir, n)}: a folder's notes (${n}), not a capture`);
      return !edited && !note;
    })
    .map((n) => join(dir, n))
    .filter((p) => aFile(p, skipped));
}

/**
 * Whether a folder's or a glob's entry is a file to read; what else it is said in `skipped`. One named
 * as captures are is an error, as one that cannot be read (a dump replaced by a link to nothing or a
 * pipe left a series one capture short, and a gate passed; h234); never opened: a pipe waits for a writer.
 */
function aFile(p: string, skipped: string[]): boolean {
  const what = notAFile(p);
  if (what && CAPTURE_NAME.test(p) && !what.startsWith('a folder')) {
    throw new InputError(p, '', `${what}, named as a capture is: a series one capture short can pass a gate`);
  }
  if (what) skipped.push(`skipping ${p}: ${what}`);
  return !what;
}

// The subfolders of a run folder that hold its captures, numbered as `arenascope run` numbers them.
const RUN_PARTS = ['snapshots', 'allocator'] as const;
const RUN_NUMBERED = /^\d{4}\.(?:pickle|txt)(?:\.gz)?$/;
const SIDECAR = /\.(?:label|time|peak)$/;

function runPart(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && entries(dir).some((raw) => RUN_NUMBERED.test(raw.toString('utf8')));
  } catch {
    return false;
  }
}

function ordered(paths: string[], order: Order): string[] {
  if (order === 'given') return paths;
  if (order === 'mtime')
    return [...paths].sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || naturalCompare(a, b));
  return [...paths].sort(naturalCompare);
}

// The format of a folder's or a glob's file; one that cannot be read (permission denied, an I/O
// error) says why: it is passed over as any other file that is no capture, never the command's end.
/**
 * A file of no format that may be a capture damaged, which reading it says (not passed over: a dump with
 * its first byte changed, or a gzipped one with its checksum, was left out and a gate passed without it):
 * one that opens as a dump does (damagedDump), a gzip file that cannot be gunzipped (a damaged gzipped
 * log fails the folder too: loud, where a dump passed over changes a gate's answer unsaid), or one named
 * .gz, or with a gzip header's deflate and name, that is no gzip (its magic bytes changed); or a pointer
 * Git LFS left in a capture's place (a checkout that did not fetch it).
 */
function damagedCapture(path: string): boolean {
  try {
    const head = readHead(path);
    // An LFS pointer for snap-5.pickle was skipped, and a gate passed the 4 captures before it.
    if (head === null || damagedDump(head) || lfsPointerSize(head) !== null) return true;
    const raw = readFirst(path, 2);
    const gzip = raw.length === 2 && raw[0] === 0x1f && raw[1] === 0x8b;
    return !gzip && (/\.gz$/i.test(path) || gzipOfDump(path));
  } catch {
    return false;
  }
}

/**
 * A gzip header with its magic bytes damaged: deflate (8), a file name stored (FNAME), and that name a
 * dump's (`gzip` keeps it: `snap-2.pickle`). Its first byte changed, a gzipped dump was no gzip, and a
 * gate passed without it.
 */
function readFirst(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function gzipOfDump(path: string): boolean {
  const b = readFirst(path, 256);
  if (b.length < 12 || b[2] !== 8 || !(b[3]! & 8)) return false;
  const end = b.indexOf(0, 10);
  return end > 10 && /\.(?:pickle|pkl)$/.test(b.subarray(10, end).toString('latin1'));
}

/** Why a file of `sys._debugmallocstats()` output without a report arenascope reads is none; else null. */
function reportless(path: string): string | null {
  try {
    const head = readFirst(path, 1 << 16);
    const report = headlessReport(head);
    if (report) return `line ${report.line}: ${report.message}`;
    return onlyFreeLists(head) ? FREE_LISTS_ONLY : null;
  } catch {
    return null;
  }
}

function empty(path: string): boolean {
  try {
    return statSync(path).size === 0;
  } catch {
    return false;
  }
}

// The names tracemalloc dumps and mprof runs are usually given (Snapshot.dump() takes any name).
const CAPTURE_NAME = /\.(?:pickle|pkl|dump|snapshot|tracemalloc|dat)(?:\.gz)?$/i;
// Those of dumps alone, which are binary pickles (protocol 2 to 5: their first byte is 0x80).
const DUMP_NAME = /\.(?:pickle|pkl|snapshot|tracemalloc)(?:\.gz)?$/i;

/**
 * A file in a dump's place that holds none, read so that it fails naming what it holds: one named as a
 * dump that is no binary pickle (a download's error page, "404: Not Found"). Passed over, a series one
 * capture short passed a gate, or with 2 left no check ran. A pickle of something else (a model.pkl
 * beside the dumps) and an empty file (one still being written) are still passed over, with a warning.
 */
function failedCapture(p: string): boolean {
  if (!DUMP_NAME.test(p) || empty(p)) return false;
  try {
    const head = readHead(p);
    return head !== null && head[0] !== 0x80;
  } catch {
    return false;
  }
}

/**
 * An empty file named as a dump with others of its series (its name, other numbers) named after it in its folder: no capture still
 * being written (a series is written in its order), read so that it fails naming it (passed over, snap-5
 * of 10 emptied left the gate one capture short; h391).
 */
function emptyAmidSeries(p: string, all: ReadonlySet<string>): boolean {
  if (!DUMP_NAME.test(p) || !empty(p) || !/\d/.test(basename(p))) return false;
  // Of its series: its name with other numbers (not an `empty.pickle` beside snap-1 to snap-9).
  const shape = (x: string): string => basename(x).replace(/\d+/g, '#');
  return [...all].some(
    (o) => o !== p && dirname(o) === dirname(p) && shape(o) === shape(p) && naturalCompare(o, p) > 0,
  );
}

// What `arenascope run --allocator` writes beside its reports in allocator/ (run-capture.ts).
const RUN_ALLOCATOR_FILE = /(?:^|\/)allocator\/(output\.txt|captures\.jsonl)$/;

/**
 * Whether a file listed in a folder or a glob (or named with every other entry of its folder) is a
 * capture to read; when it is not, why, in `skipped`. A capture's sidecars (its time, its traced peak, its label) are expected
 * beside it, not unknown files, and passed over unsaid; so are those of a capture gzipped since
 * (0003.pickle.time beside 0003.pickle.gz), gzipped too or not. A damaged dump is read (and fails).
 */
function listedCapture(p: string, all: ReadonlySet<string>, skipped: string[]): boolean {
  const side = /\.(time|peak|label)(\.gz|\.part)?$/.exec(p);
  const of = side ? p.slice(0, side.index) : null;
  if (of !== null && (all.has(of) || all.has(`${of}.gz`))) return false;
  // A browser's unfinished download beside the finished file (`snap-6.pickle.part`, `.crdownload`):
  // read, a cut dump failed every command on a whole series (h357).
  const download = /\.(part|crdownload|download|partial)$/i.exec(p);
  if (download && all.has(p.slice(0, download.index))) {
    skipped.push(`skipping ${p}: an unfinished download of ${p.slice(0, download.index)}, which is here`);
    return false;
  }
  const format = sniffable(p);
  // One that cannot be read, named as captures are, is read (and fails, naming why): passed over,
  // a dump the user could not read left a series of 4 one capture short, and a gate passed.
  if (typeof format === 'object' && format !== null) {
    if (CAPTURE_NAME.test(p)) return true;
    skipped.push(`skipping ${p}: ${format.unreadable}`);
  } else if (format || damagedCapture(p) || failedCapture(p) || emptyAmidSeries(p, all)) return true;
  else {
    // Said as when the file is named: a folder of reports taken under tracemalloc was 5 lines of "not a capture".
    // The second run's own files in a run's allocator/ folder, given as `--allocator-stats DIR/allocator`:
    // its program's output, empty, read "a capture still being written?".
    const own = RUN_ALLOCATOR_FILE.exec(p.replaceAll('\\', '/'));
    const why = own
      ? `the ${own[1] === 'output.txt' ? 'output' : 'records'} of \`arenascope run --allocator\`'s second run`
      : empty(p)
        ? 'empty (a capture still being written?)'
        : (reportless(p) ?? 'not a capture arenascope reads');
    skipped.push(`skipping ${p}: ${why}`);
  }
  return false;
}

// Captures a series is made of, in the order of their names when nothing else orders them.
const SERIES_FORMATS = new Set(['tracemalloc-snapshot', 'arenascope-json', 'allocator-stats']);
// How much later a file named before another may have been written, in ms: a checkout or a copy
// writes a folder's files within milliseconds of each other, in an order of its own.
const WRITTEN_APART = 1000;

/**
 * Refuses a folder's or a glob's captures of one format whose names do not number them ('app-loaded',
 * 'app-evicted', 'app-collected') and whose modification times put them in another order than their
 * names' (by more than a copy's milliseconds), with no capture times to order them: taken in the
 * names' order, the last capture judged was the first (a fragmented heap read "no", and the gate passed).
 */
function refuseWordsAgainstTimes(paths: readonly string[], skipped: string[]): void {
  const byFormat = new Map<string, string[]>();
  for (const p of paths) {
    const f = sniffable(p);
    if (typeof f === 'string' && SERIES_FORMATS.has(f)) byFormat.set(f, [...(byFormat.get(f) ?? []), p]);
  }
  for (const group of byFormat.values()) {
    // Numbered names among them (snap-1…9 beside a model.pickle.gz, no capture) order those.
    const numberedPair = group.some((p, i) => i > 0 && numberedAlike(group[i - 1]!, p) !== 0);
    if (group.length < 2 || group.every((p) => sidecarTime(p) !== null)) continue;
    if (numberedPair) {
      refuseLeftovers(group);
      continue;
    }
    let latest = { path: group[0]!, mtime: statSync(group[0]!).mtimeMs };
    let within: [string, string, number] | null = null;
    for (const p of group.slice(1)) {
      const mtime = statSync(p).mtimeMs;
      // Under a second apart, a copy's order and the program's look alike: said, not refused (phases
      // dumped 50 ms apart read in their names' order, a leak as shrinking, and nothing said: h359 F2).
      if (mtime < latest.mtime && !within) within = [latest.path, p, latest.mtime - mtime];
      if (mtime < latest.mtime - WRITTEN_APART) {
        throw new UsageError(
          `${latest.path} and ${p}: their names do not number the captures, and ${basename(p)} was written ` +
            `${((latest.mtime - mtime) / 1000).toFixed(1)} s before ${basename(latest.path)}, which its name puts first; ` +
            'say which order they were taken in: --order mtime (as they were written) or --order name (as named; ' +
            'a checkout or a copy writes files again, in an order of its own)',
        );
      }
      if (mtime > latest.mtime) latest = { path: p, mtime };
    }
    if (within) {
      const [a, b, ms] = within;
      skipped.push(
        `${a} and ${b}: their names do not number the captures, and are taken in their order, which their files' ` +
          `times do not follow (${basename(b)} written ${(ms / 1000).toFixed(3)} s before ${basename(a)}: a copy's ` +
          'order, or the order taken?); --order mtime takes them as written',
      );
    }
  }
}

/**
 * Refuses numbered captures (in their names' order) whose last ones were all written before all the
 * first ones, each part in its names' order: a run that wrote snap-1 to snap-5 into a folder still
 * holding an earlier run's snap-6 to snap-8 (read as one series, the new run's leak was "no leak").
 * A copy writes files in an order of its own; a checkout's snap-10 before snap-2 comes after snap-1.
 */
function refuseLeftovers(group: readonly string[]): void {
  if (group.length < 4) return;
  const mtimes = group.map((p) => statSync(p).mtimeMs);
  const rising = (from: number, to: number): boolean =>
    mtimes.slice(from + 1, to).every((m, i) => m >= mtimes[from + i]!);
  for (let k = 2; k <= group.length - 2; k++) {
    const [newest, oldest] = [Math.max(...mtimes.slice(k)), Math.min(...mtimes.slice(0, k))];
    if (newest < oldest - WRITTEN_APART && rising(0, k) && rising(k, group.length)) {
      throw new UsageError(
        `${group[k]}: it and the ${group.length - k - 1 ? `${group.length - k - 1} named after it` : 'one named after it'} ` +
          `were written ${((oldest - newest) / 1000).toFixed(1)} s before ${basename(group[0]!)} to ` +
          `${basename(group[k - 1]!)}: an earlier run's captures, left beside a later run's? Give one run's ` +
          'files, or say the order: --order name (as numbered) or --order mtime (as written)',
      );
    }
  }
}

/** The folders (resolved) whose every entry but hidden ones is among the arguments, two or more of them. */
function wholeListings(args: readonly string[]): Set<string> {
  const byFolder = new Map<string, Set<string>>();
  for (const a of args) {
    if (!existsSync(a)) continue;
    const folder = dirname(resolve(a));
    const names = byFolder.get(folder) ?? new Set<string>();
    byFolder.set(folder, names);
    names.add(basename(resolve(a)));
  }
  const whole = new Set<string>();
  for (const [folder, names] of byFolder) {
    if (names.size < 2) continue;
    try {
      const entries = readdirSync(folder, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
      // Folders alone named (`runs/*` of run-a/ and run-b/, or both typed): nothing else to read, so
      // they are what was asked for (skipped, the command read nothing and failed).
      if (entries.every((e) => names.has(e.name)) && entries.some((e) => !e.isDirectory())) whole.add(folder);
    } catch {
      // Not listable: its files are taken as named.
    }
  }
  return whole;
}

function sniffable(path: string): ReturnType<typeof sniffFile> | { unreadable: string } {
  try {
    return sniffFile(path);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { unreadable: e.detail };
  }
}

/**
 * Files to read, in order: in the order of the arguments, each directory's files and each glob's
 * matches in natural name order; with an explicit `order` of name or mtime, everything sorted so.
 * Files of no known format inside a directory or glob are reported in `skipped`, and so are those of
 * a folder whose every entry is named (the shell's `folder/*`), with its subfolders; any other file
 * named is kept (reading it gives the precise error).
 */
export function resolveInputs(
  args: readonly string[],
  order?: Order,
): {
  inputs: string[];
  skipped: string[];
  runs: RunFolder[];
  given: string[];
  /** The first two files named in a shell's glob order that natural order swaps (then taken in natural order). */
  shell: [string, string] | null;
  /** Files whose names differ in numbers alone, named in no order of names: the first two out of natural order (taken as given). */
  unsorted: [string, string] | null;
  /** Files of several folders ordered by name: the first two whose folders' names put them against their own names' order. */
  folders: [string, string] | null;
} {
  const inputs: string[] = [];
  const given: string[] = []; // files named one by one, in the order given
  const runDirs = new Set<string>();
  const skipped: string[] = [];
  const runs: RunFolder[] = [];
  let folders: [string, string] | null = null;
  const expand = (paths: string[]): void => {
    const all = new Set(paths);
    // A folder's or a glob's own files in their names' order under --order given too: it orders the
    // arguments (taken in bytes' order, snap-10 before snap-2, a leak read as transient).
    const sorted = ordered(paths, order === 'mtime' ? 'mtime' : 'name');
    if (!order || order === 'name') folders ??= acrossFolders(sorted);
    if (!order) {
      const at = sorted.findIndex((p, k) => k > 0 && pointAmbiguous(sorted[k - 1]!, p));
      if (at > 0) {
        skipped.push(
          `${sorted[at - 1]} before ${sorted[at]}: digits after a point read as whole numbers (a counter's, a ` +
            "version's); if they are fractions, capture times or --order mtime give the order written",
        );
      }
    }
    const kept = sorted.filter((p) => listedCapture(p, all, skipped));
    if (!order) refuseWordsAgainstTimes(kept, skipped);
    inputs.push(...kept);
  };
  // Folders whose every entry is named (two or more): the shell's expansion of `folder/*`, read as the
  // folder is: its other files passed over, its subfolders not read into (a README failed the
  // command; a subfolder's dump joined the series in the shell's order, as a 12th capture: "no leak").
  const globbed = wholeListings(args);
  for (const a of args) {
    let st: ReturnType<typeof statSync> | null;
    try {
      st = statSync(a);
    } catch {
      st = null; // not a path: maybe a pattern
    }
    if (st?.isDirectory() && globbed.has(dirname(resolve(a)))) {
      skipped.push(
        `skipping ${a}: a folder (folders are not read into; the shell's glob named it: give it alone to read it)`,
      );
      continue;
    }
    // A run folder of `arenascope run`: its captures in the run's order; its other files (sidecars,
    // events, the allocator run's output) are its own, not unknown files.
    const run = st?.isDirectory() ? readRunFolder(a) : null;
    if (run && runDirs.has(realpathSync(a))) {
      skipped.push(`reading ${a} once: it is given twice`);
    } else if (run) {
      runDirs.add(realpathSync(a));
      runs.push(run);
      skipped.push(...run.warnings);
      inputs.push(...run.files.map((f) => f.path));
    } else if (st?.isDirectory()) {
      // A run folder without its records (manifest.json and captures.jsonl deleted or left out of a
      // copy): its snapshots/ and allocator/ read as folders of their own, with their sidecars (passed
      // over as subfolders, its memory.dat alone was judged: "stable", a leak in its snapshots).
      const parts = RUN_PARTS.filter((d) => runPart(join(a, d)));
      expand(folderFiles(a, skipped, parts));
      if (parts.length) {
        skipped.push(
          `${a}: no manifest.json or captures.jsonl (the records of \`arenascope run\`): its ${parts.map((d) => `${d}/`).join(' and ')} read as plain folders`,
        );
        // Their captures and the captures' sidecars; the rest is the run's own (its allocator run's
        // captures.jsonl and output).
        const numbered = (p: string): boolean => RUN_NUMBERED.test(basename(p).replace(SIDECAR, ''));
        for (const d of parts) expand(folderFiles(join(a, d), skipped).filter(numbered));
      }
    } else if (!st && a !== '-' && GLOB.test(a)) {
      const matches = glob(a).filter((p) => aFile(p, skipped));
      if (!matches.length) skipped.push(`no file matches ${a}`);
      expand(matches);
    } else {
      inputs.push(a); // a file, '-', or a missing path (reading it says so)
      if (st) given.push(a);
    }
  }
  // The files of a folder named whole are sorted out as the folder's are; other files named one by one
  // are read, and what is wrong with one said (a pickle of something else named beside dumps is refused).
  const listed = given.filter((p) => globbed.has(dirname(resolve(p))));
  if (listed.length) {
    const all = new Set(listed);
    const left = new Set(listed.filter((p) => !listedCapture(p, all, skipped)));
    if (left.size) {
      const kept = inputs.filter((p) => !left.has(p));
      inputs.length = 0;
      inputs.push(...kept);
      given.splice(0, given.length, ...given.filter((p) => !left.has(p)));
    }
  }
  // The folder's listing is judged as the folder is: its names against its files' times.
  if (!order && listed.length)
    refuseWordsAgainstTimes(listed.filter((p) => inputs.includes(p)).sort(naturalCompare), skipped);
  // Files named one by one as a shell's glob gives them (snap-1, snap-10, snap-2): their names'
  // natural order, unless --order given says the order given is meant. A folder's whole listing
  // (`folder/*`) is put in the order the folder's files take, whatever its names
  // (snap-1-get, snap-10-head, snap-2-put: a cache cleared at the tenth read as a leak).
  // Files named one by one, by the shape of their names (`snap-*.pickle` beside `memory.dat`: the order
  // and its warning were of the whole list, and one file of another kind turned both off, h375).
  // (Each shape's files in their names' order: the allocator reports `stats-*.txt` beside the dumps too.)
  const shaped = byKind(given);
  const wholeOrListed = order
    ? null
    : outOfNameOrder(given, inputs)
      ? given
      : outOfNameOrder(listed, inputs, true)
        ? listed
        : null;
  const globbedShapes = order || wholeOrListed ? [] : shaped.filter((g) => outOfNameOrder(g, inputs));
  const sortOut = wholeOrListed ?? (globbedShapes.length ? globbedShapes.flat() : null);
  const shell = sortOut && outOfNameOrder(globbedShapes[0] ?? sortOut, inputs, sortOut === listed);
  // Named in another order still (snap_2 snap_6 snap_1 …): taken as given, and said.
  const unsorted =
    order || shell ? null : (shaped.map((g) => firstOutOfOrder(g, inputs)).find((x) => x !== null) ?? null);
  const result: string[] =
    order && order !== 'given'
      ? ordered(
          inputs.filter((p) => p !== '-'),
          order,
        )
      : sortOut
        ? wholeOrListed
          ? naturalAmong(inputs, wholeOrListed)
          : naturalAmongEach(inputs, globbedShapes)
        : inputs;
  if (order === 'name') folders ??= acrossFolders(result);
  const rotation = order ? null : rotatedFirst(result);
  if (rotation) {
    const names = rotation.length > 6 ? [...rotation.slice(0, 3), '…', ...rotation.slice(-2)] : rotation;
    skipped.push(
      `${names.join(', ')}: read as a rotated log's files (logrotate, logging's rotating handlers), oldest first: ` +
        "the highest number or earliest date first, the name without one the newest; --order name reads them in their names' order",
    );
  }
  const downloads = order ? null : downloadsFirst(result);
  if (downloads)
    skipped.push(
      `${downloads}: read first, before its later copies named by a number ('X (1)', 'X 2', 'X-2': a browser's ` +
        "downloads, a file manager's kept copies); --order name reads them in their names' order",
    );
  const inputsOnce = once(result, skipped);
  return {
    inputs: inputsOnce,
    skipped: foldedSkips(skipped),
    runs,
    given,
    shell: rotation ? null : shell,
    unsorted: rotation ? null : unsorted,
    folders,
  };
}

// A rotated file's name: its current one and a number (`mem.log.3`, gzipped `mem.log.3.gz`), or a date
// (`mem.log.2026-12-07`, TimedRotatingFileHandler's `mem.log.2026-12-07_21-45`, logrotate's dateext
// `mem.log-20261207`).
const ROTATED = /^(.+?)(?:\.(\d{1,4})|[.-](\d{4}-?\d\d-?\d\d(?:[_T-]?\d\d(?:-?\d\d){0,2})?))(\.gz)?$/;

/**
 * Whether a rotated name's date is one: a year of 1970-2099, a month, a day, an hour; or seconds since
 * the epoch, 2001 to 2039 (logrotate's `dateformat -%s`: its current file read first, h376).
 */
function aDate(d: string): boolean {
  const x = d.replace(/\D/g, '');
  if (/^\d{10}$/.test(d) && Number(d) >= 1e9 && Number(d) < 2.2e9) return true;
  const [y, mo, da, h] = [x.slice(0, 4), x.slice(4, 6), x.slice(6, 8), x.slice(8, 10)].map(Number);
  return y! >= 1970 && y! < 2100 && mo! >= 1 && mo! <= 12 && da! >= 1 && da! <= 31 && (x.length < 10 || h! < 24);
}

/**
 * Whether a family's numbered files (no dates) were renamed by a rotation, by their modification times
 * (a rename keeps them): the current file the newest, then the lower numbers, each no later than the
 * one before, some later. Named so by other means, they count up: wget's later downloads of a file
 * (`heap.pickle.1`, `.2`: read newest first, a leak read "no leak" and the gate passed, h365), heap.1
 * to heap.5 then heap, decimals (`heap_0`, `heap_0.5`: h369), or a copy, whose times are its own.
 */
function rotatedByTimes(base: string, list: readonly { path: string; rank: number }[]): boolean {
  const numbered = list.filter((x) => x.path !== base);
  // Dated ones: rotated unless the current file is older than them all (a first dump, then dumps named
  // by their times, `heap.pickle.20261207120000`, the first 0.8 ms after it: h374, h377); a rotation
  // writes its current file after its dated ones. (A copy writes times of its own: one that wrote the
  // current file first reads it first.)
  if (!numbered.every((x) => x.rank < -1e14)) {
    try {
      const first = statSync(base).mtimeMs;
      return !numbered.every((x) => statSync(x.path).mtimeMs > first);
    } catch {
      return false;
    }
  }
  const byCount = [base, ...[...numbered].sort((x, y) => y.rank - x.rank).map((x) => x.path)];
  try {
    const times = byCount.map((p) => statSync(p).mtimeMs);
    return times.every((t, i) => i === 0 || t <= times[i - 1]!) && times[0]! > times.at(-1)!;
  } catch {
    return false;
  }
}

/**
 * `paths` with each rotated log's files (the current one beside its rotated ones in one folder) put in
 * the order they were written, in the places they held: the highest number first (the oldest),
 * dates in their order, the current file last. Read in their names' order, mem.log (the newest) came
 * first and mem.log.5 (the oldest) last, and a leak read as transient (h358). The names of the files
 * moved in their new order (`paths` put so in place), or null when none moved. A family needs its current file: `heap.1`,
 * `heap.2` alone may count up.
 */
function rotatedFirst(paths: string[]): string[] | null {
  const present = new Set(paths);
  const families = new Map<string, { path: string; rank: number }[]>();
  for (const p of paths) {
    const m = ROTATED.exec(p);
    if (!m || !present.has(m[1]!) || dirname(m[1]!) !== dirname(p) || (m[3] !== undefined && !aDate(m[3]))) continue;
    // Numbers count back (the highest first); dates count up; the current file comes last.
    const rank = m[2] !== undefined ? -Number(m[2]) : Number(m[3]!.replace(/\D/g, '').padEnd(14, '0'));
    const list = families.get(m[1]!) ?? [{ path: m[1]!, rank: Number.POSITIVE_INFINITY }];
    list.push({ path: p, rank: m[2] !== undefined ? rank - 1e15 : rank });
    families.set(m[1]!, list);
  }
  for (const [base, list] of families) if (!rotatedByTimes(base, list)) families.delete(base);
  const order = new Map<string, string>(); // each member's path to the path that takes its place
  for (const list of families.values()) {
    const at = list.map((x) => x.path);
    const sorted = [...list].sort((x, y) => x.rank - y.rank).map((x) => x.path);
    const places = paths.filter((p) => at.includes(p));
    places.forEach((p, i) => order.set(p, sorted[i]!));
  }
  if ([...order].every(([p, q]) => p === q)) return null;
  const moved = [...families.values()].flatMap((list) =>
    [...list].sort((x, y) => x.rank - y.rank).map((x) => basename(x.path)),
  );
  paths.splice(0, paths.length, ...paths.map((p) => order.get(p) ?? p));
  return moved;
}

// A later copy's name: a browser's download of a name it has (`heap (1).pickle`, Firefox's `heap(1).pickle`),
// Finder's kept copy (`heap 2.pickle`), Safari's (`heap-2.pickle`).
const LATER_COPY = /^(.+?)(?: ?\(\d+\)| \d+|-\d+)((?:\.[A-Za-z0-9]+)+)$/;

/**
 * Puts a file named as its later copies are named without their number (`heap.pickle` beside `heap (1)
 * .pickle` .. `heap (9).pickle`) before them: the first download, read last by its name (' ' and '('
 * sort before '.'), and a leak read transient, the gate passing it (h391), where it is older than every
 * copy. The first moved, or null.
 */
function downloadsFirst(paths: string[]): string | null {
  const present = new Set(paths);
  const families = new Map<string, string[]>();
  for (const p of paths) {
    const m = LATER_COPY.exec(basename(p));
    const base = m ? join(dirname(p), m[1]! + m[2]!) : null;
    if (base === null || !present.has(base)) continue;
    families.set(base, [...(families.get(base) ?? []), p]);
  }
  let moved: string | null = null;
  for (const [base, copies] of families) {
    const at = paths.indexOf(base);
    const first = Math.min(...copies.map((c) => paths.indexOf(c)));
    if (at < first) continue;
    // Only where it is older than every copy, as a first download is: a `snap.pickle` written as the latest
    // 0.2 s after snap-1 to snap-5, or a copy of the last, was read first (h394); copies' times alike, as
    // named.
    try {
      const oldest = Math.min(...copies.map((c) => statSync(c).mtimeMs));
      if (!(statSync(base).mtimeMs < oldest)) continue;
    } catch {
      continue;
    }
    paths.splice(at, 1);
    paths.splice(first, 0, base);
    moved ??= base;
  }
  return moved;
}

// More files of one folder passed over for one reason than this are said in one line.
const MANY_SKIPPED = 10;
const SKIPPED = /^skipping (.*)[\\/]([^\\/]+): (.*)$/;

/**
 * The warnings of files passed over, those of one folder for one reason folded into one line past
 * MANY_SKIPPED (a folder of 50,000 logs beside its 2 dumps was 50,000 lines; h234).
 */
function foldedSkips(skipped: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const s of skipped) {
    const m = SKIPPED.exec(s);
    if (!m) continue;
    const key = `${m[1]}\0${m[3]}`;
    const names = groups.get(key);
    if (names) names.push(m[2]!);
    else groups.set(key, [m[2]!]);
  }
  const out: string[] = [];
  const said = new Set<string>();
  for (const s of skipped) {
    const m = SKIPPED.exec(s);
    const key = m ? `${m[1]}\0${m[3]}` : null;
    const names = key === null ? [] : groups.get(key)!;
    if (key === null || names.length <= MANY_SKIPPED) out.push(s);
    else if (!said.has(key)) {
      said.add(key);
      const shown = names.slice(0, 3).join(', ');
      out.push(`skipping ${names.length.toLocaleString('en-US')} files of ${m![1]} (${shown}, …): ${m![3]}`);
    }
  }
  return out;
}

/**
 * In paths sorted by name, the first two of different folders whose file names the folders' names
 * put out of order (x/cap3 before z/cap1): the order is the folders', and may not be the captures'
 * (run-2/snap.pickle before run-10/snap.pickle, names alike, is not such a pair).
 */
function acrossFolders(sorted: readonly string[]): [string, string] | null {
  for (let k = 1; k < sorted.length; k++) {
    const [a, b] = [sorted[k - 1]!, sorted[k]!];
    if (dirname(a) !== dirname(b) && naturalCompare(basename(a), basename(b)) > 0) return [a, b];
  }
  return null;
}

/**
 * The files of `given` by kind, as their names' ends tell (`.pickle`, `.dat`, `.txt`; gzipped or not, in
 * their folder): the groups of two files or more, or `given` whole when no two share one. Dumps in a
 * glob's order beside a run's .dat or its reports are put in their order; dumps named by numbers and
 * words alike (`snap-1-warm`, `snap-2-step`) are judged as one group, as before (h376).
 */
function byKind(given: readonly string[]): (readonly string[])[] {
  const groups = new Map<string, string[]>();
  for (const p of given) {
    const end = /(\.[A-Za-z][\w-]*)?$/.exec(basename(p).replace(/\.gz$/i, ''))![0];
    const kind = join(dirname(p), end);
    groups.set(kind, [...(groups.get(kind) ?? []), p]);
  }
  const many = [...groups.values()].filter((g) => g.length >= 2);
  return many.length ? many : [given];
}

/** naturalAmong of each group of files in turn. */
function naturalAmongEach(inputs: string[], groups: readonly (readonly string[])[]): string[] {
  let out = inputs;
  for (const g of groups) out = naturalAmong(out, g);
  return out;
}

/** `inputs` with the files of `files` among them sorted in natural name order, in the places they held. */
function naturalAmong(inputs: readonly string[], files: readonly string[]): string[] {
  const set = new Set(files);
  const sorted = inputs.filter((p) => set.has(p)).sort(naturalCompare);
  let k = 0;
  return inputs.map((p) => (set.has(p) ? sorted[k++]! : p));
}

// A file given twice (by two paths, or a folder and one of its files) is read once: twice, it would
// be two captures of a series that never changed between them. One warning says so for them all.
// The path kept is the first with a sidecar (.time, .peak, .label), else the first that is not a
// link: a folder's latest.pickle (a link, or a hard link, to snap-5.pickle) came first in name
// order and took the file's place without its .time, and the series read last capture first.
function once(inputs: string[], skipped: string[]): string[] {
  const keyOf = (p: string): string | null => {
    if (p === '-') return null;
    try {
      const st = statSync(p); // the file itself, whatever path or link names it
      return `${st.dev}:${st.ino}`;
    } catch {
      return null; // a missing path: reading it says so
    }
  };
  // How well a path names its capture: 2 with a sidecar beside it, 1 not a link, 0 a link.
  const rank = (p: string): number => {
    if ((['.time', '.peak', '.label'] as const).some((x) => existsSync(sidecarPath(p, x)))) return 2;
    try {
      return lstatSync(p).isSymbolicLink() ? 0 : 1;
    } catch {
      return 0;
    }
  };
  const keys = inputs.map(keyOf);
  // Ranked only when a file is named twice (a folder of thousands of dumps names each once).
  const kept = new Map<string, { path: string; rank: number | null }>();
  keys.forEach((key, i) => {
    if (key === null) return;
    const first = kept.get(key);
    if (first === undefined) {
      kept.set(key, { path: inputs[i]!, rank: null });
      return;
    }
    first.rank ??= rank(first.path);
    const r = rank(inputs[i]!);
    if (r > first.rank) kept.set(key, { path: inputs[i]!, rank: r });
  });
  const again: string[] = [];
  const read = new Set<string>();
  const out = inputs.filter((p, i) => {
    const key = keys[i]!;
    if (key === null) return true;
    const keep = kept.get(key)!.path;
    if (keep === p && !read.has(key)) {
      read.add(key);
      return true;
    }
    again.push(keep === p ? `reading ${p} once: it is given twice` : `reading ${p} once: it is ${keep} again`);
    return false;
  });
  if (again.length === 1) skipped.push(again[0]!);
  else if (again.length) skipped.push(`${again[0]}, and ${again.length - 1} more files given twice`);
  // `gzip -k` leaves a capture beside its gzipped copy: read once, however they were named (twice, a
  // series held two exit captures and the gate passed a leak).
  // By real path: a folder reached through a link is the same folder.
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const plain = new Set(out.map(real));
  const copies = out.filter((p) => p.endsWith('.gz') && plain.has(real(p).slice(0, -3)));
  if (copies.length) {
    skipped.push(
      `skipping ${copies[0]}${copies.length > 1 ? ` and ${copies.length - 1} more` : ''}: ` +
        'the same capture as the file beside it without .gz (gzip -k)',
    );
  }
  const dropped = new Set(copies);
  return sameBytesOnce(copies.length ? out.filter((p) => !dropped.has(p)) : out, skipped);
}

/**
 * The names a file named as a copy was copied from: `Copy of X`, `X - Copy.pickle`, `X (copy).pickle`,
 * `X copy.pickle`, `X.bak`, `X~`. Not `X (1).pickle`: a browser names so its later downloads of
 * `X.pickle` (successive captures, byte for byte the same while the program was idle).
 */
function originalNames(name: string): string[] {
  const out: string[] = [];
  const add = (m: RegExpExecArray | null, f: (m: RegExpExecArray) => string): void => {
    if (m) out.push(f(m));
  };
  add(/^Copy (?:\(\d+\) )?of (.+)$/i.exec(name), (m) => m[1]!);
  add(/^(.+?) - Copy(?: \(\d+\))?((?:\.\w+)*)$/i.exec(name), (m) => m[1]! + m[2]!);
  add(/^(.+?) \((?:another |\d+(?:st|nd|rd|th) )?copy(?: \d+)?\)((?:\.\w+)*)$/i.exec(name), (m) => m[1]! + m[2]!);
  add(/^(.+?)[-_ ]copy(?: \d+)?((?:\.\w+)*)$/i.exec(name), (m) => m[1]! + m[2]!);
  add(/^(.+?)[-_.](?:old|backup|bak)((?:\.\w+)+)$/i.exec(name), (m) => m[1]! + m[2]!);
  add(/^(.+)\.(?:bak|orig|old|tmp|save|sav)$/i.exec(name), (m) => m[1]!);
  add(/^(.+)~$/.exec(name), (m) => m[1]!);
  return out;
}

/**
 * A file named as a copy of another input beside it, with the same bytes ("Copy of s311_5.pickle"
 * and s311_5.pickle, s311_3.pickle.bak and s311_3.pickle) is that capture again, read once: it was
 * one more capture of the series (a step of 0, the leak's rate cut by a fifth, exit 0). Files of the
 * same bytes otherwise named are taken as named: an idle program's captures are byte for byte the
 * same (`capture (2).pickle`, `capture (3).pickle`, as a browser names its downloads, are no copies of
 * each other). Compared chunk by chunk until they differ.
 */
function sameBytesOnce(paths: string[], skipped: string[]): string[] {
  const given = new Set(paths);
  const drop = new Map<string, string>(); // a copy -> the file it is the same as
  const backups = new Map<string, string>(); // a backup of other bytes -> the file it backs up
  for (const p of paths) {
    if (p === '-') continue;
    const dir = dirname(p);
    const of = originalNames(basename(p))
      .map((n) => join(dir, n))
      .find((o) => o !== p && given.has(o) && !drop.has(o) && sameBytes(o, p));
    if (of !== undefined) drop.set(p, of);
    else {
      // A backup beside the file it backs up (`snap-5.pickle.bak`, `snap-3.pickle~`, `.orig`) is an
      // earlier version of that file, not a capture of the series, whatever its bytes (h357 F1: a
      // backup of another run's snap-5 read between snap-5 and snap-6 passed a leak).
      const m = /^(.+?)(?:\.(?:bak|orig|old|tmp|save|sav)|~)$/i.exec(basename(p));
      const o = m ? join(dir, m[1]!) : undefined;
      if (o !== undefined && given.has(o) && !drop.has(o)) backups.set(p, o);
    }
  }
  if (backups.size) {
    const [first, of] = [...backups][0]!;
    const more = backups.size > 1 ? ` (and ${backups.size - 1} more backups)` : '';
    skipped.push(
      `skipping ${first}: a backup of ${of} (other bytes: an earlier version of it), not a capture of the series${more}`,
    );
    paths = paths.filter((p) => !backups.has(p));
  }
  if (drop.size) {
    const [first, of] = [...drop][0]!;
    const more = drop.size > 1 ? ` (and ${drop.size - 1} more copies)` : '';
    skipped.push(`skipping ${first}: the same bytes as ${of}, read once: a copy is no capture of its own${more}`);
    paths = paths.filter((p) => !drop.has(p));
  }
  return outsideTheCount(paths, skipped);
}

/**
 * A file named outside a numbered series beside it (`latest.pickle` among `snap-0` to `snap-3`) with
 * the same bytes as one of the series: a copy under another name, read once. Read as a capture of its
 * own, in its name's place (first), the series ran 3, 0, 1, 2, 3: "No leak found" and the gate passed
 * (h363 F1). Numbered files alike stay (an idle program's captures).
 */
function outsideTheCount(paths: string[], skipped: string[]): string[] {
  const files = paths.filter((p) => p !== '-');
  if (files.length < 3) return paths;
  const sorted = [...files].sort(naturalCompare);
  const counted = new Set<string>();
  sorted.forEach((p, i) => {
    const next = sorted[i + 1];
    if (next !== undefined && dirname(p) === dirname(next) && numberedAlike(basename(p), basename(next)) !== 0) {
      counted.add(p);
      counted.add(next);
    }
  });
  // The series' name without its number is of it too: a rotated log's current file (`mem.log` beside
  // `mem.log.1`), a browser's first download (`capture.pickle` beside `capture (1).pickle`).
  const stem = (p: string): string => join(dirname(p), basename(p).replace(/[\s._-]*\(?\d+\)?/g, ''));
  const stems = new Set([...counted].map(stem));
  const outside = files.filter((p) => !counted.has(p) && !stems.has(stem(p)));
  if (counted.size < 2 || !outside.length) return paths;
  const size = (p: string): number => {
    try {
      return statSync(p).size;
    } catch {
      return -1;
    }
  };
  const bySize = new Map<number, string[]>();
  for (const p of counted) bySize.set(size(p), [...(bySize.get(size(p)) ?? []), p]);
  const drop = new Map<string, string>();
  for (const p of outside) {
    const n = size(p);
    const of = n < 0 ? undefined : bySize.get(n)?.find((q) => dirname(q) === dirname(p) && sameBytes(q, p));
    if (of !== undefined) drop.set(p, of);
  }
  if (!drop.size) return paths;
  const [first, of] = [...drop][0]!;
  const more = drop.size > 1 ? ` (and ${drop.size - 1} more)` : '';
  skipped.push(
    `skipping ${first}: the same bytes as ${of}, named outside the numbered series beside it: a copy, read once${more}`,
  );
  return paths.filter((p) => !drop.has(p));
}

function sameBytes(a: string, b: string): boolean {
  const CHUNK = 1 << 20;
  const [x, y] = [Buffer.alloc(CHUNK), Buffer.alloc(CHUNK)];
  let fa: number | null = null;
  let fb: number | null = null;
  try {
    if (statSync(a).size !== statSync(b).size) return false;
    fa = openSync(a, 'r');
    fb = openSync(b, 'r');
    for (;;) {
      const n = readSync(fa, x, 0, CHUNK, null);
      const m = readSync(fb, y, 0, CHUNK, null);
      if (n !== m || !x.subarray(0, n).equals(y.subarray(0, m))) return false;
      if (n === 0) return true;
    }
  } catch {
    return false; // reading them says what is wrong
  } finally {
    if (fa !== null) closeSync(fa);
    if (fb !== null) closeSync(fb);
  }
}

/**
 * Files named one by one in the order a shell's glob gives (by bytes: snap-1, snap-10, snap-2; or
 * by a UTF-8 locale's collation, which passes over punctuation: snap-10, snap-1, snap-2) that their
 * names' natural order changes, or null: the first pair the two orders disagree on. Only names that
 * differ in numbers alone (numbersApart), or `anyNames`, a folder's whole listing: the order of names
 * that differ otherwise is taken as meant, as is any order no shell gives.
 */
export function outOfNameOrder(
  given: readonly string[],
  paths: readonly string[],
  anyNames = false,
): [string, string] | null {
  const taken = new Set(paths);
  const files = given.filter((p) => taken.has(p));
  if (files.length < 2 || !(anyNames || numbersApart(files))) return null;
  const sortedBy = (cmp: (a: string, b: string) => number): boolean =>
    files.every((p, i) => i === 0 || cmp(files[i - 1]!, p) <= 0);
  const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (!sortedBy(bytes)) {
    localeGlob ??= new Intl.Collator('en', { ignorePunctuation: true });
    if (!sortedBy(localeGlob.compare)) return null;
  }
  for (let i = 1; i < files.length; i++)
    if (naturalCompare(files[i - 1]!, files[i]!) > 0) return [files[i - 1]!, files[i]!];
  return null;
}

/** The first two of the files named (those among `paths`) out of natural order, when their names differ in numbers alone. */
function firstOutOfOrder(given: readonly string[], paths: readonly string[]): [string, string] | null {
  const taken = new Set(paths);
  const files = given.filter((p) => taken.has(p));
  if (files.length < 3 || !numbersApart(files)) return null;
  for (let i = 1; i < files.length; i++)
    if (naturalCompare(files[i - 1]!, files[i]!) > 0) return [files[i - 1]!, files[i]!];
  return null;
}

// A UTF-8 locale's order of a glob's matches (glibc's passes over punctuation), made when needed.
let localeGlob: Intl.Collator | undefined;

/**
 * Whether the names are the same but for numbers (snap-1, snap-10, snap-2; snap-20261201-184443-10 and
 * snap-20261201-184443-8, a time and a counter), a capture gzipped or not alike (snap-3.pickle.gz). A
 * number after another's point is a fraction or a version's part, which no order of names tells apart
 * (load-0.25 before load-0.5; app-1.9 before app-1.10; dates day first, 9.2.2025): then the order given
 * is taken as meant; but after a run id or a process id the same in every name (mem.29779.10, 3 digits
 * or more), it is a counter (given in a shell's order, a warm-up read as a leak); and a decimal whose
 * whole part differs too, printed to fixed digits, is read as one.
 */
function numbersApart(names: readonly string[]): boolean {
  // Each name as its text and its digit runs, alternately (digit runs at the odd places).
  const parts = names.map((n) => n.replace(/\.gz$/, '').split(/(\d+)/));
  const first = parts[0]!;
  if (!parts.every((p) => p.length === first.length && p.every((x, k) => k % 2 === 1 || x === first[k]))) return false;
  let differ = false;
  for (let k = 1; k < first.length; k += 2) {
    if (parts.every((p) => p[k] === first[k])) continue;
    differ = true;
    const before = k >= 3 && first[k - 1] === '.' ? first[k - 2]! : null;
    if (before === null) continue;
    if (parts.every((p) => p[k - 2] === before)) {
      // A run or process id (3 digits or more), or a version's major (`v2.10`).
      const runId = (before.length >= 3 && before[0] !== '0') || /[vV]$/.test(first[k - 3] ?? '');
      if (!runId || parts.some((p) => p[k]!.length > 4)) return false;
      continue;
    }
    // The whole part differs too: a decimal printed to fixed digits (`%.1f` of the seconds elapsed:
    // snap_2.5s before snap_15.0s), or of 5 digits or more, alone (no point before it or after: a date
    // day first, 9.2.2025, is taken as given).
    const alone = !(k >= 4 && first[k - 3] === '.') && !(k + 2 < first.length && first[k + 1] === '.');
    const fixed = parts.every((p) => p[k]!.length === first[k]!.length) || parts.some((p) => p[k]!.length >= 5);
    if (!alone || !fixed) return false;
  }
  return differ;
}
