// Importer for the pymalloc report of `sys._debugmallocstats()` (CPython 3.6–3.13): alone, pasted from
// an interactive session (prompts, '...' elisions, CRLF), or repeated among other stderr lines with
// PYTHONMALLOCSTATS=1. Each report is checked against the rules Objects/obmalloc.c computes it by.

import type {
  AllocatorStats,
  ArenaMap,
  FreeListLine,
  MallocStatsBlock,
  SizeClassRow,
} from '../model/allocator-stats.js';
import { InputError, TruncatedError } from '../util/errors.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, textLines } from './lines.js';
import { type Counters, check, LABELS, type Places } from './mallocstats-checks.js';
import type { InputStream } from './open-input.js';

const FORMAT = 'allocator-stats';

const THRESHOLD = /^Small block threshold = (\d+), in (\d+) size classes\.$/;
const ROW = /^(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/;
const HEADER = 'class size num pools blocks in use avail blocks';
const PRINTONE = /^(.*?) *= +([\d,]+)$/;
const ARENAS = /^(\d+) arenas \* (\d+) bytes\/arena$/;
const POOLS = /^(\d+) unused pools \* (\d+) bytes$/;
const FREE_LIST = /^ *(\d+) free (.+) \* (\d+) bytes each$/;
// The REPL writes its prompts to stderr too; with stdin piped they run into the next output line
// ('>>> >>> ... Small block threshold = ...'). A bare '...' is someone's elision, not a prompt.
const PROMPTS = /^(?:(?:>>>|\.\.\.) )+(?=\S)/;
const ELISION = /^(?:\.\.\.|…|\[\.\.\.\]|\[…\])$/;
// A log of many damaged reports would bury the rest of stderr.
const MAX_WARNINGS = 20;

// printone() labels of the 3.10+ arena map, and the field each fills (the others: mallocstats-checks.ts).
const MAP_LABELS: Record<string, keyof ArenaMap> = {
  '# arena map mid nodes': 'midNodes',
  '# arena map bot nodes': 'botNodes',
  '# bytes lost to arena map root': 'root',
  '# bytes lost to arena map mid': 'mid',
  '# bytes lost to arena map bot': 'bot',
};
const MAP_KEYS = ['midNodes', 'botNodes', 'root', 'mid', 'bot', 'total'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const REQUIRED: (keyof Counters)[] = [
  'arenasAllocatedTotal',
  'arenasReclaimed',
  'arenasHighwater',
  'arenasCurrent',
  'arenaCount',
  'arenaSize',
  'arenaBytes',
  'bytesInAllocatedBlocks',
  'bytesInAvailableBlocks',
  'unusedPools',
  'poolSize',
  'unusedPoolBytes',
  'bytesLostToPoolHeaders',
  'bytesLostToQuantization',
  'bytesLostToArenaAlignment',
  'total',
];

/** A line as CPython wrote it: without a line end, trailing blanks or the REPL's prompts run into it. */
function clean(line: string): string {
  return line.trimEnd().replace(PROMPTS, '').trim();
}

function sniffMallocStats(head: Buffer): boolean {
  return headLines(head, 2000).some((l) => THRESHOLD.test(clean(l)));
}

// Where a report is: the size-class table, the figures up to the first Total, what may follow the
// figures (the 3.10+ arena map, the free lists of _debugmallocstats()), and past its end.
type Phase = 'table' | 'figures' | 'tail' | 'map' | 'free' | 'ended';

interface Open {
  inputLine: number;
  smallBlockThreshold: number;
  numClasses: number;
  phase: Phase;
  classes: SizeClassRow[];
  counters: Partial<Mutable<Counters>>;
  map: Partial<Mutable<ArenaMap>> | null;
  freeLists: FreeListLine[];
  at: Places;
}

function openReport(t: RegExpExecArray, no: number): Open {
  const at: Places = { rows: [], free: [], figure: {} };
  const [smallBlockThreshold, numClasses] = [Number(t[1]), Number(t[2])];
  return {
    inputLine: no,
    smallBlockThreshold,
    numClasses,
    phase: 'table',
    classes: [],
    counters: {},
    map: null,
    freeLists: [],
    at,
  };
}

/** Takes one (cleaned) line into the open report, by its phase. */
function take(b: Open, line: string, no: number): void {
  const p = PRINTONE.exec(line);
  const label = p ? p[1]!.trim() : '';
  switch (b.phase) {
    case 'ended':
      return;
    case 'table': {
      const row = ROW.exec(line);
      if (row) {
        const [cls, size, pools, inUse, avail] = row.slice(1).map(Number) as [number, number, number, number, number];
        b.classes.push({ cls, size, pools, inUse, avail });
        b.at.rows.push(no);
      } else if (ELISION.test(line)) b.at.tableElided ??= no;
      else if (line.split(/\s+/).join(' ') === HEADER) b.at.table = no;
      // The figures start at a label of CPython's ('# ...' covers the serial-number line of debug builds);
      // another program's 'x = 5' inside a table does not end it.
      if (!(LABELS[label] || label.startsWith('# ') || ARENAS.test(label) || POOLS.test(label) || label === 'Total'))
        return;
      b.phase = 'figures';
      break;
    }
    case 'tail':
      if (line === '') return;
      if (line === 'arena map counts') {
        b.map = {};
        b.at.mapStart = no;
        b.phase = 'map';
        return;
      }
      b.phase = MAP_LABELS[label] ? 'map' : FREE_LIST.test(label) ? 'free' : 'ended';
      break;
    case 'map':
      if (FREE_LIST.test(label)) b.phase = 'free'; // the map's Total was lost
      break;
    case 'free':
      if (ELISION.test(line)) b.at.freeElided ??= no;
      else if (!FREE_LIST.test(label)) b.phase = 'ended';
      if (!FREE_LIST.test(label)) return;
  }
  if (p) figure(b, label, Number(p[2]!.replace(/,/g, '')), no);
}

/** A `label = value` line of the figures, the arena map or the free lists. */
function figure(b: Open, label: string, value: number, no: number): void {
  const { counters: c, at } = b;
  if (b.phase === 'map') {
    b.map ??= {};
    at.mapStart ??= no;
    const key = label === 'Total' ? 'total' : MAP_LABELS[label];
    if (key) b.map[key] = value;
    if (key) at.figure[`map.${key}`] = no;
    if (key === 'total') b.phase = 'tail';
    return;
  }
  const freeList = FREE_LIST.exec(label);
  if (b.phase === 'free' && freeList) {
    b.freeLists.push({ count: Number(freeList[1]), name: freeList[2]!, size: Number(freeList[3]), bytes: value });
    at.free.push(no);
    return;
  }
  const arenas = ARENAS.exec(label);
  const pools = POOLS.exec(label);
  let key: keyof Counters;
  if (label === 'Total') [key, b.phase] = ['total', 'tail'];
  else if (LABELS[label]) key = LABELS[label]!;
  else if (arenas) [c.arenaCount, c.arenaSize, key] = [Number(arenas[1]), Number(arenas[2]), 'arenaBytes'];
  else if (pools) [c.unusedPools, c.poolSize, key] = [Number(pools[1]), Number(pools[2]), 'unusedPoolBytes'];
  else return; // another program's line, or the serial-number line of debug builds
  c[key] = value;
  at.figure[key] = no;
}

async function readMallocStats(input: InputStream, opts: ReadOptions): Promise<AllocatorStats> {
  const blocks: MallocStatsBlock[] = [];
  const warnings: string[] = [];
  let warned = 0;
  const text = textLines(input.chunks);
  let open: Open | null = null;
  let no = 0;

  const close = (atEnd: boolean): void => {
    const b = open!;
    open = null;
    const missing = REQUIRED.filter((k) => b.counters[k] === undefined);
    if (missing.length) {
      const detail = `the allocator report that starts at line ${b.inputLine} has no ${missing.join(', ')}`;
      if (!atEnd) throw new InputError(input.label, `line ${b.inputLine}`, detail);
      if (!opts.allowPartial)
        throw new TruncatedError(input.label, `line ${no}`, `${detail}: the input stops at line ${no}`);
      warnings.push(`${input.label}: ${detail}; dropped (--allow-partial)`);
      return;
    }
    const map = b.map;
    const arenaMap = map && MAP_KEYS.every((k) => map[k] !== undefined) ? (map as ArenaMap) : null;
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

  for await (const raw of text.lines) {
    no++;
    const line = clean(raw);
    const t = THRESHOLD.exec(line);
    if (t) {
      if (open) close(false);
      open = openReport(t, no);
    } else if (open) take(open, line, no);
  }
  if (open) close(true);
  if (warned > MAX_WARNINGS) warnings.push(`${input.label}: ${warned - MAX_WARNINGS} more warnings like these`);
  if (blocks.length === 0) {
    throw new InputError(
      input.label,
      `line ${no}`,
      "no allocator report found: expected 'Small block threshold = 512, in 32 size classes.' " +
        'and the table and figures that follow it',
    );
  }
  return {
    kind: 'allocator-stats',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes: text.bytes() },
    blocks,
    warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: "sys._debugmallocstats() / PYTHONMALLOCSTATS output ('Small block threshold = …')",
  sniff: sniffMallocStats,
  read: readMallocStats,
};
