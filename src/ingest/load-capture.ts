// Reading one input of any format: open it (gzip undone), detect its format, import it. A
// tracemalloc dump, tried first, is read without loading the other importers (issue 14: stats and
// diff of a small dump spent ~7 ms of their ~90 ms loading importers they never used).

import { statSync } from 'node:fs';
import type { Capture } from '../model/capture.js';
import { python3Minor, tracebackOrderOf } from '../model/snapshot.js';
import type { Format, SourceInfo } from '../model/source.js';
import { ArenascopeError, InputError, UsageError } from '../util/errors.js';
import { FORMATS } from './formats.js';
import type { ReadOptions } from './importer.js';
import { lfsPointerMessage, lfsPointerSize } from './lfs-pointer.js';
import { type InputStream, openInput, type ProgressCallback, unendedAt, wasCutShort } from './open-input.js';
import { ownOutput } from './own-output.js';
import { sniffPickle } from './pickle/sniff.js';

const DUMP: Format = 'tracemalloc-snapshot';

export interface LoadOptions extends ReadOptions {
  /** Skip detection and read the input as this format. */
  readonly format?: Format;
  readonly onProgress?: ProgressCallback;
  /** Told the input's format once it is known, before the input is read. */
  readonly onFormat?: (format: Format) => void;
}

/** Opens, sniffs and imports one input ('-' is stdin). */
export async function loadCapture(path: string, opts: LoadOptions = {}): Promise<Capture> {
  const input = await openInput(path, { onProgress: opts.onProgress });
  // What detection would say: the dump importer's sniff is the first it asks. Its reader is loaded
  // only for a dump (another format's input loads none of it).
  const dump = opts.format ? opts.format === DUMP : FORMATS[0] === DUMP && sniffPickle(input.head);
  if (dump) {
    opts.onFormat?.(DUMP);
    return exact(path, cutMarked(input, await (await import('./tracemalloc-pickle.js')).importer.read(input, opts)));
  }
  const { detectFormat, IMPORTERS, IN_LOGS, importerFor, sniffDeeper, tarArchive } = await import('./importers.js');
  // A log's report or listing may come past the head: a plain file is looked into further.
  const own = opts.format ? null : ownOutput(input.head);
  const format =
    opts.format ??
    detectFormat(input.head) ??
    (path !== '-' && !input.gzip && !own && !tarArchive(input.head) ? sniffDeeper(path) : null);
  const h0 = input.head;
  // Lines ended by CR alone (classic Mac OS, some editors' "Mac" line ends): every line-based reader
  // saw one long line, and said a statistic, a report or a sample was cut or unreadable (h349).
  // (Only where its lines ended by LF would read as a capture: a binary file's CR bytes are none.)
  if (
    format !== 'arenascope-json' &&
    h0.length &&
    !h0.includes(0x0a) &&
    crs(h0) >= 2 &&
    detectFormat(Buffer.from(h0.map((x) => (x === 0x0d ? 0x0a : x))))
  ) {
    await closeUnread(input);
    throw new InputError(
      path,
      'byte 0',
      `its lines end with CR alone (${crs(h0)} of them in its first ${h0.length} bytes, no LF): arenascope reads ` +
        "LF or CRLF line ends; convert it (`tr '\\r' '\\n' < F > G`)",
    );
  }
  if (!format) {
    await closeUnread(input);
    if (own) throw new InputError(path, 'byte 0', `${own.what}: ${own.next}`);
    const mallocStats = await import('./mallocstats.js');
    const report = mallocStats.headlessReport(input.head);
    if (report) throw new InputError(path, `line ${report.line}`, report.message);
    if (mallocStats.onlyFreeLists(input.head)) throw new InputError(path, 'byte 0', mallocStats.FREE_LISTS_ONLY);
    const h = input.head;
    // Windows PowerShell's `>` writes UTF-16 (a report redirected there was "not a format"), and some
    // tools without a byte-order mark: then ASCII text has a NUL at every other byte.
    if ((h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff) || utf16Halves(h)) {
      throw new InputError(
        path,
        'byte 0',
        'UTF-16 text (its byte-order mark, or a NUL at every other byte; what PowerShell writes with `>`): ' +
          'arenascope reads UTF-8; convert it ' +
          '(`iconv -f UTF-16 -t UTF-8`, or PowerShell `Get-Content F | Set-Content -Encoding utf8 G`)',
      );
    }
    // A snapshot pickled with protocol 0 or 1 (pickle.dump(s, f, 0)): its opcodes are text, and its
    // class named in the first few hundred bytes.
    if (h[0] !== 0x80 && /tracemalloc\nSnapshot\n/.test(h.subarray(0, 512).toString('latin1'))) {
      throw new InputError(
        path,
        'byte 0',
        'a tracemalloc.Snapshot pickled with protocol 0 or 1: arenascope reads protocols 2 to 5, as ' +
          'Snapshot.dump() writes them; Snapshot.load() it and dump() it again',
      );
    }
    // memory_profiler's rows without the header that tells its columns (cut off a paste): said, as the
    // line-report reader says it (it was "not a format").
    const text = h.toString('utf8');
    // Rows with their source cut off too end at the Increment (a paste in memory_profiler's issue #215).
    const rows = /^ *Line(?: #)? +Mem usage/m.test(text)
      ? null
      : /^ *\d+ +-?[\d.]+ Mi?B +-?[\d.]+ Mi?B(?: |$)/m.exec(text);
    if (rows) {
      const line = text.slice(0, rows.index).split('\n').length;
      throw new InputError(
        path,
        `line ${line}`,
        "lines shaped like memory_profiler's report rows with no 'Line #' header above them: put memory_profiler's back " +
          "above them ('Line #  Mem usage  Increment  Occurrences  Line Contents' and '=' line)",
      );
    }
    // Compressed otherwise than with gzip (which is undone as it is read): said, with how to undo it.
    const packed = COMPRESSED.find(
      ([magic]) => h.subarray(0, magic.length).equals(magic) && (magic[0] !== 0x42 || (h[3]! >= 0x31 && h[3]! <= 0x39)),
    );
    if (packed) {
      throw new InputError(
        path,
        'byte 0',
        `${packed[1]}: arenascope undoes gzip only; decompress it first (${packed[2]})`,
      );
    }
    if (tarArchive(h)) throw new InputError(path, 'byte 257', 'a tar archive: extract it first (`tar xf FILE`)');
    const lfs = lfsPointerSize(h);
    if (lfs !== null) throw new InputError(path, 'byte 0', lfsPointerMessage(lfs));
    const wrapped = inJson(input.head);
    if (wrapped) throw new InputError(path, 'byte 0', wrapped);
    const recipe = (await import('./tracemalloc-text.js')).recipeListing(input.head);
    if (recipe) {
      const at = recipe.indexOf(': ');
      throw new InputError(path, recipe.slice(0, at), recipe.slice(at + 2));
    }
    const what =
      input.head.length === 0 ? 'the input is empty' : `not a format arenascope reads${figuresOnly(input.head)}`;
    // One line: the formats by name (`--help` describes each); --input-format reads it as one of them.
    const tried = IMPORTERS.map((i) => i.format).join(', ');
    const gz = input.gzip ? ' (after gunzip)' : '';
    const near =
      pastedMprof(input.head.toString('latin1')) ||
      (input.head.length && path !== '-' ? await nearMiss(path, input.head, opts) : '');
    throw new InputError(path, 'byte 0', `${what}${gz}; ${near || `tried ${tried} (--input-format forces one)`}`);
  }
  opts.onFormat?.(format);
  // A text holding two formats (a README with a line report and a tracemalloc listing) is read as the
  // first detection finds; the other was dropped unsaid (h233).
  const inLogs = !opts.format && IN_LOGS.some((i) => i.format === format);
  const other = inLogs ? IN_LOGS.find((i) => i.format !== format && i.sniff(input.head)) : undefined;
  let c = exact(path, cutMarked(input, await importerFor(format).read(input, opts)));
  if (other) {
    const note = `${path}: read as ${format}; it also holds ${other.format} (--input-format ${other.format} reads that)`;
    c = { ...c, warnings: [...c.warnings, note] } as Capture;
  }
  // An mprof run appended to a log's listing or report (`cat listing.txt mprofile_*.dat`) was dropped unsaid
  // (h332 F2): mprof's reader takes a file of its own only.
  const run = inLogs ? mprofRunAt(input.head) : null;
  if (run !== null) {
    const note =
      `${path}: read as ${format}; from line ${run} it also holds an mprof run (its MEM lines), not read: ` +
      'save it in a file of its own (a .dat) to read it';
    c = { ...c, warnings: [...c.warnings, note] } as Capture;
  }
  return opts.python === undefined ? c : asPython(c, opts.python);
}

/**
 * Printed text kept inside JSON, as a Jupyter notebook keeps a cell's output and a JSON logger each
 * record's message: said, with the way out (it was "no tracemalloc statistics found", or "the file
 * ends in the middle of a line", of a notebook holding a listing).
 */
function inJson(head: Buffer): string | null {
  const text = head.subarray(0, 8192).toString('utf8');
  if (!/^\s*\{/.test(text)) return null;
  if (/"cell_type"\s*:/.test(text) && /"cells"\s*:/.test(text)) {
    return (
      "a Jupyter notebook (.ipynb): its cells' outputs are JSON strings, not the printed lines arenascope reads; " +
      "copy the cell's output into a text file, or `jupyter nbconvert --to markdown` the notebook and give that"
    );
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const records = lines.slice(0, -1).filter((l) => /^\s*\{.*"(?:msg|message)"\s*:/.test(l)).length;
  if (lines.length >= 2 && records === lines.length - 1) {
    return (
      'JSON log records (one object a line): arenascope reads the printed lines, not JSON; take the messages ' +
      "out first, e.g. `jq -r '.msg // .message' FILE > listing.txt`"
    );
  }
  return null;
}

// The marks of a text format that detection did not take (a report cut before its 'Line Contents'
// column, a listing with thousands separators): read as that format, its reader says what is wrong,
// by line (it was only "byte 0: not a format arenascope reads").
const MARKS: readonly (readonly [Format, RegExp])[] = [
  ['line-report', /Mem usage[\s\S]*Increment/],
  ['tracemalloc-text', /:\d+: size=[^\n]*count=/],
  ['allocator-stats', /Small block threshold|# arenas allocated/],
  ['mprof', /^(?:MEM|CMDLINE) /m],
];

async function nearMiss(path: string, head: Buffer, opts: LoadOptions): Promise<string> {
  const text = head.toString('latin1');
  const format = MARKS.find(([, mark]) => mark.test(text))?.[0];
  if (!format) return '';
  const { importerFor } = await import('./importers.js');
  try {
    await importerFor(format).read(await openInput(path), { ...opts, lenient: false, allowPartial: false });
    return `it reads as ${format} with --input-format ${format}`;
  } catch (e) {
    if (!(e instanceof ArenascopeError)) throw e;
    const said =
      e instanceof InputError && e.file === path ? (e.where ? `${e.where}: ${e.detail}` : e.detail) : e.message;
    // One line of a few hundred characters at most: the reader's own, cut at a word.
    const cut = said.length > 140 ? `${said.slice(0, said.lastIndexOf(' ', 140))} …` : said;
    // Read leniently, it holds a capture among other lines (a run pasted in a Markdown fence below a
    // sentence): both flags said, where "--lenient skips it" alone did nothing (h344 F2).
    // (Of a paste's size: a large file is read once only.)
    const lenient =
      fileSize(path) <= PASTE_BYTES &&
      (await importerFor(format)
        .read(await openInput(path), { ...opts, lenient: true, allowPartial: false })
        .then(
          () => true,
          () => false,
        ));
    if (lenient) {
      const at = e instanceof InputError && e.file === path && e.where ? `, the first at ${e.where}` : '';
      return `it reads as ${format} with --input-format ${format} --lenient, which skips the lines not its own${at}`;
    }
    return `it looks like ${format}, whose reader (--input-format ${format}) stops at ${cut}`;
  }
}

const PASTE_BYTES = 4 << 20;
const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};

const MPROF_LINE =
  /^(?:MEM -?\d[\d.]* \d[\d.]*|CHLD \d+ -?\d[\d.]* \d[\d.]*|FUNC \S.* \d[\d.]* \d[\d.]* \d[\d.]* \d[\d.]*|CMDLINE \S.*)$/;

/**
 * The line (1-based) where an mprof run starts in a text: 3 samples in a row or more, as mprof writes
 * them (after its CMDLINE), their times rising (a program's own `MEM 1.0 2.0` lines are no run).
 */
function mprofRunAt(head: Buffer): number | null {
  const lines = head.toString('latin1').split('\n');
  let last = Number.NaN;
  for (let i = 0, run = 0; i < lines.length; i++) {
    const m = /^MEM -?\d[\d.]* (\d[\d.]*)\r?$/.exec(lines[i]!);
    const time = m ? Number(m[1]) : Number.NaN;
    run = m && (run === 0 || time > last) ? run + 1 : m ? 1 : 0;
    last = time;
    if (run < 3) continue;
    const first = i - 2;
    return (first > 0 && lines[first - 1]!.startsWith('CMDLINE ') ? first - 1 : first) + 1;
  }
  return null;
}

/**
 * An mprof file pasted as a Markdown code block (indented) or a quote (`> `): every line behind the
 * same marks, which mprof never writes (it was "not a format arenascope reads", with no hint).
 */
function pastedMprof(text: string): string {
  const lines = text.split('\n').slice(0, 50);
  const first = /^([ \t]+|(?:> ?)+)(?=\S)/.exec(lines[0]!.replace(/^\uFEFF/, ''));
  if (!first) return '';
  const marks = first[1]!;
  // As mprof writes them (`  MEM usage: 5 MB` is no sample).
  const behind = lines.filter((l) => l.startsWith(marks) && MPROF_LINE.test(l.slice(marks.length).trimEnd()));
  if (behind.length < 2 || !behind.includes(lines[0]!.replace(/^\uFEFF/, ''))) return '';
  const what = /^[ \t]+$/.test(marks) ? 'indented' : 'quoted';
  const sed = marks.replace(/[\\/.*[\]^$]/g, '\\$&').replace(/\t/g, '\\t');
  return (
    `it looks like mprof with every line ${what} (behind ${JSON.stringify(marks)}, as a paste has it), which mprof ` +
    `never writes: take that off first, e.g. \`sed 's/^${sed}//' FILE\``
  );
}

// Compressed files by their magic bytes: what they are, and the command that undoes them.
const COMPRESSED: readonly (readonly [Buffer, string, string])[] = [
  [Buffer.from('BZh'), 'bzip2-compressed', '`bunzip2 -k FILE`'],
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz-compressed', '`unxz -k FILE`'],
  [Buffer.from([0x5d, 0x00, 0x00]), 'lzma-compressed', '`unlzma -k FILE`'],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd-compressed', '`unzstd FILE`'],
  [Buffer.from('PK\x03\x04', 'latin1'), 'a zip archive', '`unzip FILE`'],
  [Buffer.from([0x78, 0x9c]), 'zlib-compressed (zlib.compress)', 'with zlib.decompress, or write it with gzip.open'],
];

// Bytes are counted in doubles, exact to 2^53: every figure of a snapshot (a statistic, a diff, a
// total) is at most its total, so a snapshot whose total is beyond it is refused, not miscounted (a
// cumulative statistic, which counts a block at each frame, is checked where it is summed).
// Importers refuse a single figure beyond 2^53; a sum of them is checked here.
/** Closes an input nothing will read (a generator runs its cleanup only once it has started). */
async function closeUnread(input: InputStream): Promise<void> {
  const chunks = input.chunks[Symbol.asyncIterator]();
  await chunks.next().catch(() => undefined);
  await chunks.return?.();
}

const crs = (b: Buffer): number => {
  let n = 0;
  for (let i = b.indexOf(0x0d); i >= 0; i = b.indexOf(0x0d, i + 1)) n++;
  return n;
};

/** Whether the head is UTF-16 text without its byte-order mark: a NUL at nearly every odd (or even) byte, none between. */
function utf16Halves(h: Buffer): boolean {
  const n = Math.min(h.length, 4096) & ~1;
  if (n < 16) return false;
  const zeros = [0, 0];
  for (let i = 0; i < n; i++) if (h[i] === 0) zeros[i & 1]!++;
  const half = n / 2;
  return (zeros[1]! >= 0.9 * half && zeros[0]! === 0) || (zeros[0]! >= 0.9 * half && zeros[1]! === 0);
}

/** The capture with its source marked partial when its input was read cut short (wasCutShort). */
function cutMarked(input: InputStream, c: Capture): Capture {
  const line = unendedAt(input);
  if (line !== undefined) c = unendedMarked(c, line);
  const snapshotCut = c.kind === 'snapshot' && c.partial;
  if (!wasCutShort(input) && !snapshotCut) return c;
  const mark = <T extends { source: SourceInfo }>(x: T): T => ({ ...x, source: { ...x.source, partial: true } });
  switch (c.kind) {
    case 'snapshot-series':
      return { ...c, snapshots: c.snapshots.map(mark) };
    case 'memory-runs':
      return { ...mark(c), runs: c.runs.map(mark) };
    default:
      return mark(c);
  }
}

/** The capture marked unended (wasUnended): of a file of several mprof runs, its last run. */
function unendedMarked(c: Capture, line: number): Capture {
  const mark = <T extends { source: SourceInfo }>(x: T): T => ({ ...x, source: { ...x.source, unended: line } });
  if (c.kind !== 'memory-runs') return c.kind === 'snapshot-series' ? c : mark(c);
  return { ...c, runs: c.runs.map((r, i) => (i === c.runs.length - 1 ? mark(r) : r)) };
}

function exact(path: string, c: Capture): Capture {
  const snaps = c.kind === 'snapshot' ? [c] : c.kind === 'snapshot-series' ? c.snapshots : [];
  const over = snaps.find((s) => !(s.totalSize <= Number.MAX_SAFE_INTEGER));
  if (over) {
    throw new InputError(
      path,
      '',
      `its traces add up to ${over.totalSize.toExponential(3)} bytes, beyond 2^53 (8 PiB), ` +
        'past which bytes cannot be counted exactly',
    );
  }
  return c;
}

// Snapshots of JSON or memray CSV printed as the CPython the user named (the dump and log importers
// read --python themselves): tracebacks most recent first for 3.6.
function asPython(c: Capture, python: string): Capture {
  if (python3Minor(python) === null) {
    throw new UsageError(`--python takes a CPython version from 3.6 on, such as 3.6 or 3.11; got '${python}'`);
  }
  const tracebackOrder = tracebackOrderOf(python);
  if (c.kind === 'snapshot') return { ...c, tracebackOrder };
  if (c.kind === 'snapshot-series') return { ...c, snapshots: c.snapshots.map((s) => ({ ...s, tracebackOrder })) };
  return c;
}

// A column of MiB figures, as memory_profiler 0.25-0.27's `mprofile` wrote (never detected: any column
// of numbers looks the same): said, with the option that reads it.
function figuresOnly(head: Buffer): string {
  const lines = head
    .toString('latin1')
    .split('\n')
    .slice(0, 20)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.length > 0 && lines.every((l) => /^\d+\.\d+$/.test(l) && Number(l) < 1e7)
    ? " (one figure a line: memory_profiler 0.25-0.27's mprofile output? --input-format mprof reads it)"
    : '';
}
