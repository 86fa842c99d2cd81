// Importer for the pymalloc report of `sys._debugmallocstats()` (CPython 3.6–3.13): alone, pasted from
// an interactive session (prompts, '...' elisions, CRLF), or repeated among other stderr lines with
// PYTHONMALLOCSTATS=1, with a log's or a quote's prefix on every line (taken off, with a warning). Each
// report is checked against the rules Objects/obmalloc.c computes it by; one missing a figure line is refused.
// CPython ends every line it prints: a last line without its '\n' was cut off (lines.ts, textEnd).

import {
  type AllocatorStats,
  type ArenaMap,
  type MallocStatsBlock,
  markedAtNewArena,
} from '../model/allocator-stats.js';
import { InputError, TruncatedError } from '../util/errors.js';
import { excerpt } from '../util/excerpt.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, textEnd, textLines } from './lines.js';
import { withoutColours } from './log-prefix.js';
import { type Counters, check, missingFigures } from './mallocstats-checks.js';
import {
  bodyStart,
  clean,
  FREE_LIST,
  headerPrefix,
  MAP_KEYS,
  type Open,
  openReport,
  printone,
  SIGNED_ROW,
  THRESHOLD,
  TUPLES,
  take,
  UNDER_HEADER,
} from './mallocstats-lines.js';
import { seriesWarnings } from './mallocstats-series.js';
import { type InputStream, markCutShort } from './open-input.js';

const FORMAT = 'allocator-stats';
// A log of many damaged reports would bury the rest of stderr.
const MAX_WARNINGS = 20;

function sniffMallocStats(head: Buffer): boolean {
  return headLines(head, 2000).some((l) => THRESHOLD.test(clean(l)));
}

/** Why a file of onlyFreeLists() is no capture, said whether it is named or found in a folder. */
export const FREE_LISTS_ONLY =
  "sys._debugmallocstats() output of free lists only: CPython leaves pymalloc's report out while " +
  'tracemalloc traces or without pymalloc (PYTHONMALLOC=malloc); print it with pymalloc, tracemalloc ' +
  'off (`arenascope run --allocator` does, PYTHONMALLOC unset in its environment)';

/** Why a table of signed figures under the size-class header is no report. */
export const DIFF_TABLE =
  "a size-class table of signed figures ('+1', '-17'): pymemtrace's difference of two reports " +
  "(DiffSysDebugMallocStats.diff()), no report of CPython's; give the reports themselves";

/** What a report whose first line is missing starts with, said where it starts. */
const headless = (what: string): string =>
  `an allocator report starts here at ${what} without CPython's first line ` +
  "('Small block threshold = 512, in 32 size classes.' or 64 classes): a report missing its first line; " +
  'restore it or cut the report off';

/**
 * The line where a head of no format holds pymalloc's report without its first line (cut off a paste),
 * and what to say of it; else null. (Read as free lists only, it was said to be tracemalloc's doing.)
 */
export function headlessReport(head: Buffer): { line: number; message: string } | null {
  // (A page holding a report's text, arenascope's own among them, is no report.)
  if (/<html|<!doctype/i.test(head.subarray(0, 1024).toString('latin1'))) return null;
  const lines = headLines(head, 2000).map(clean);
  for (let i = 0; i < lines.length; i++) {
    const what = bodyStart(lines[i]!);
    if (what === null) continue;
    const row = lines.slice(i + 1).find((l) => !UNDER_HEADER.test(l));
    return { line: i + 1, message: row !== undefined && SIGNED_ROW.test(row) ? DIFF_TABLE : headless(what) };
  }
  return null;
}

/**
 * Whether the head is `sys._debugmallocstats()` output without pymalloc's report: its free lists
 * alone, as CPython prints it while tracemalloc traces (said when the input is no format).
 */
export function onlyFreeLists(head: Buffer): boolean {
  let n = 0;
  for (const l of headLines(head, 200)) {
    const label = printone(clean(l))?.label;
    if (label !== undefined && FREE_LIST.test(label) && ++n >= 3) return true;
  }
  return false;
}

async function readMallocStats(input: InputStream, opts: ReadOptions): Promise<AllocatorStats> {
  const blocks: MallocStatsBlock[] = [];
  const warnings: string[] = [];
  let warned = 0;
  // The first report dropped as cut off (--allow-partial).
  let dropped: number | undefined;
  let prefixSaid = false;
  const text = textLines(input);
  let open: Open | null = null;
  let no = 0;

  const close = (atEnd: boolean): void => {
    const b = open!;
    open = null;
    if (b.carried > 0 && !prefixSaid) {
      prefixSaid = true;
      const said = `'${excerpt(b.prefix!.text, 40)}'`;
      warnings.push(
        `${input.label}: line ${b.inputLine}: the lines of the allocator report carry ${said} before CPython's text ` +
          '(a log or a quote): read without it',
      );
    }
    const missing = missingFigures(b.counters, b.at);
    if (missing) {
      lacking(b, missing, atEnd); // refused, or dropped with a warning
      return;
    }
    const map = b.map;
    const arenaMap = map && MAP_KEYS.every((k) => map[k] !== undefined) ? (map as ArenaMap) : null;
    if (atEnd) {
      mapEnd(b, arenaMap !== null);
      freeListsEnd(b);
    }
    const block: MallocStatsBlock = {
      inputLine: b.inputLine,
      smallBlockThreshold: b.smallBlockThreshold,
      numClasses: b.numClasses,
      classes: b.classes,
      ...(b.counters as Counters),
      arenaMap,
      freeLists: b.freeLists,
    };
    const r = check(block, b.at);
    for (const w of r.warnings) {
      if (warned++ < MAX_WARNINGS) warnings.push(`${input.label}: line ${w.line}: ${w.message}`);
    }
    blocks.push(
      r.warnings.length ? { ...block, ...(r.complete ? {} : { complete: false }), warnings: r.warnings } : block,
    );
  };

  // A report without one of its figure lines: damaged when CPython's lines after it were read, or the
  // report ends before the input does; cut off when the input ends where the report stops.
  const lacking = (b: Open, m: NonNullable<ReturnType<typeof missingFigures>>, atEnd: boolean): void => {
    const report = `the allocator report that starts at line ${b.inputLine}`;
    const more = m.more ? ` (and ${m.more} more)` : '';
    const where = m.after ? `, which CPython prints after '${m.after.label}' (line ${m.after.line})` : '';
    const detail = `${report} has no '${m.label}' line${more}${where}`;
    if (m.later || !atEnd) {
      const next = atEnd ? '' : `, and another starts at line ${no}`;
      const place = m.later && m.after ? `line ${m.after.line + 1}` : `line ${b.last}`;
      throw new InputError(input.label, place, `${detail}; the report ends at line ${b.last}${next}: a damaged report`);
    }
    if (!opts.allowPartial)
      throw new TruncatedError(
        input.label,
        `line ${no}`,
        `${detail}: the input ends at line ${b.last} (--allow-partial reads what is there)`,
      );
    markCutShort(input);
    warnings.push(`${input.label}: ${detail}: the input ends at line ${b.last}; dropped (--allow-partial)`);
    dropped ??= b.inputLine;
  };

  // 1 MiB arenas are a radix tree's (3.10+, 64-bit), whose arena map section follows the figures in
  // every report, PYTHONMALLOCSTATS's too: a report at the input's end without it whole was cut there
  // (cut after its figures, it was read as whole; cut inside the map, a warning).
  const mapEnd = (b: Open, whole: boolean): void => {
    if (whole || b.counters.arenaSize !== 1 << 20 || b.phase === 'free' || b.phase === 'ended') return;
    const report = `the allocator report that starts at line ${b.inputLine}`;
    const msg = `${report} stops before the end of the arena map section CPython 3.10+ prints after its figures: cut off?`;
    if (!opts.allowPartial)
      throw new TruncatedError(input.label, `line ${no}`, `${msg} (--allow-partial reads the report)`);
    markCutShort(input);
    warnings.push(`${input.label}: line ${no}: ${msg} The report is read without the rest (--allow-partial)`);
  };

  // _debugmallocstats() ends with the free lists of tuples of 1 to 19 items (20 from 3.11, whose arena map
  // root is 256 KiB): a report whose free lists stop before, at the end of the input, was cut there.
  const freeListsEnd = (b: Open): void => {
    const last = TUPLES.exec(b.freeLists[b.freeLists.length - 1]?.name ?? '');
    const expected = b.map?.root === 262144 ? 20 : 19;
    if (b.phase !== 'free' || b.at.freeElided !== undefined || (last && Number(last[1]) >= expected)) return;
    const report = `the allocator report that starts at line ${b.inputLine}`;
    const msg = `the free lists of ${report} stop before the ${expected}-sized tuples CPython ends them with: cut off?`;
    if (!opts.allowPartial)
      throw new TruncatedError(input.label, `line ${no}`, `${msg} (--allow-partial reads the report)`);
    markCutShort(input);
    warnings.push(`${input.label}: line ${no}: ${msg} The report is read without the rest (--allow-partial)`);
  };

  let headerAt: { no: number; what: string } | null = null;
  let diffAt: number | null = null;
  let diffing = false;
  for await (const coloured of text.lines) {
    no++;
    // Terminal colours on every line (a report printed in colour) off first: the prefix is learnt without them.
    const raw = withoutColours(coloured);
    const carried = open?.prefix?.strip(raw) ?? null;
    if (carried !== null) open!.carried++;
    const line = clean(carried ?? raw);
    const t = THRESHOLD.exec(line);
    // A size-class header outside a report: its first row tells a report without its first line from
    // pymemtrace's difference of two (signed figures), passed over to the next report's first line (a
    // page holding both was refused whole, as a report missing its first line).
    if (headerAt !== null && !t) {
      if (UNDER_HEADER.test(line)) continue;
      if (!SIGNED_ROW.test(line)) throw new InputError(input.label, `line ${headerAt.no}`, headless(headerAt.what));
      diffAt ??= headerAt.no;
      headerAt = null;
      diffing = true;
    }
    if (diffing && !t) continue;
    diffing = false;
    if (t) {
      headerAt = null;
      if (open) close(false);
      open = openReport(input.label, t, no);
      open.prefix = headerPrefix(raw);
    } else if (open?.phase !== 'table' && open?.phase !== 'figures' && bodyStart(line) !== null) {
      // Another report, read on as none (the last one judged an earlier state) or refused as free lists only.
      const what = bodyStart(line)!;
      if (what !== 'its size-class table') throw new InputError(input.label, `line ${no}`, headless(what));
      if (open) close(false);
      open = null;
      headerAt = { no, what };
    } else if (open) {
      take(input.label, open, line, no);
      if (open.phase !== 'ended' && line !== '') open.last = no;
    }
  }
  if (headerAt !== null) throw new InputError(input.label, `line ${headerAt.no}`, headless(headerAt.what));
  // A report pasted without its last line end: a free list's row is whole when its bytes are its count
  // times its size, as CPython prints them (one cut in its figure is not; it was refused: h344 F3).
  let cut = text.cut();
  const last = cut === null ? null : clean(open?.prefix?.strip(withoutColours(cut)) ?? withoutColours(cut));
  if (open && last !== null && wholeFreeListRow(last)) {
    no++;
    take(input.label, open, last, no);
    if (open.phase !== 'ended') open.last = no;
    cut = null;
  }
  warnings.push(...textEnd(input, cut, `line ${no + 1}`, opts.allowPartial ?? false));
  if (open) close(true);
  if (diffAt !== null && blocks.length === 0) throw new InputError(input.label, `line ${diffAt}`, DIFF_TABLE);
  if (diffAt !== null)
    warnings.push(`${input.label}: line ${diffAt}: ${DIFF_TABLE.replace(/; give .*/, '')}: passed over`);
  if (warned > MAX_WARNINGS) warnings.push(`${input.label}: ${warned - MAX_WARNINGS} more warnings like these`);
  if (blocks.length === 0 && dropped !== undefined) {
    const only = `the allocator report at line ${dropped}, the only one, is cut off before its figures end`;
    throw new TruncatedError(input.label, `line ${no}`, `${only}: nothing to read`);
  }
  if (blocks.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no allocator report found: expected 'Small block threshold = 512, in 32 size classes.' " +
        'and the table and figures that follow it',
    );
  }
  warnings.push(...seriesWarnings(input.label, blocks));
  return {
    kind: 'allocator-stats',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    blocks: markedAtNewArena(blocks),
    warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: "sys._debugmallocstats() / PYTHONMALLOCSTATS output ('Small block threshold = …')",
  sniff: sniffMallocStats,
  read: readMallocStats,
};

/** Whether a line is a free list's row whose bytes are its count times its size, as CPython prints them. */
function wholeFreeListRow(line: string): boolean {
  const m = /^\s*(\d+) free .+ \* (\d+) bytes each = +([\d,]+)$/.exec(line);
  return m !== null && (Number(m[1]) * Number(m[2])).toLocaleString('en-US') === m[3];
}
