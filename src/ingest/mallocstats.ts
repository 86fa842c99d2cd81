// Importer for the pymalloc report of `sys._debugmallocstats()`, alone or as the repeated blocks
// PYTHONMALLOCSTATS=1 writes to stderr among other lines. A block starts at its `Small block
// threshold` line; lines of no known shape in between are someone else's output and are skipped.

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
import type { InputStream } from './open-input.js';

const FORMAT = 'allocator-stats';

const THRESHOLD = /^Small block threshold = (\d+), in (\d+) size classes\.$/;
const ROW = /^ *(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/;
const PRINTONE = /^(.*?) *= +([\d,]+)$/;
const ARENAS = /^(\d+) arenas \* (\d+) bytes\/arena$/;
const POOLS = /^(\d+) unused pools \* (\d+) bytes$/;
const FREE_LIST = /^ *(\d+) free (.+) \* (\d+) bytes each$/;

// printone() labels (Objects/obmalloc.c), and the field each fills.
const LABELS: Record<string, keyof Counters> = {
  '# arenas allocated total': 'arenasAllocatedTotal',
  '# arenas reclaimed': 'arenasReclaimed',
  '# arenas highwater mark': 'arenasHighwater',
  '# arenas allocated current': 'arenasCurrent',
  '# bytes in allocated blocks': 'bytesInAllocatedBlocks',
  '# bytes in available blocks': 'bytesInAvailableBlocks',
  '# bytes lost to pool headers': 'bytesLostToPoolHeaders',
  '# bytes lost to quantization': 'bytesLostToQuantization',
  '# bytes lost to arena alignment': 'bytesLostToArenaAlignment',
};
const MAP_LABELS: Record<string, keyof ArenaMap> = {
  '# arena map mid nodes': 'midNodes',
  '# arena map bot nodes': 'botNodes',
  '# bytes lost to arena map root': 'root',
  '# bytes lost to arena map mid': 'mid',
  '# bytes lost to arena map bot': 'bot',
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Counters = Omit<
  MallocStatsBlock,
  'inputLine' | 'smallBlockThreshold' | 'numClasses' | 'classes' | 'arenaMap' | 'freeLists'
>;
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

function sniffMallocStats(head: Buffer): boolean {
  return headLines(head, 2000).some((l) => THRESHOLD.test(l));
}

interface Open {
  inputLine: number;
  smallBlockThreshold: number;
  numClasses: number;
  classes: SizeClassRow[];
  counters: Partial<Mutable<Counters>>;
  map: Partial<Mutable<ArenaMap>> | null;
  freeLists: FreeListLine[];
}

async function readMallocStats(input: InputStream, opts: ReadOptions): Promise<AllocatorStats> {
  const blocks: MallocStatsBlock[] = [];
  const warnings: string[] = [];
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
    const arenaMap =
      map && (['midNodes', 'botNodes', 'root', 'mid', 'bot', 'total'] as const).every((k) => map[k] !== undefined)
        ? (map as ArenaMap)
        : null;
    blocks.push({
      inputLine: b.inputLine,
      smallBlockThreshold: b.smallBlockThreshold,
      numClasses: b.numClasses,
      classes: b.classes,
      ...(b.counters as Counters),
      arenaMap,
      freeLists: b.freeLists,
    });
  };

  for await (const line of text.lines) {
    no++;
    const t = THRESHOLD.exec(line);
    if (t) {
      if (open) close(false);
      open = {
        inputLine: no,
        smallBlockThreshold: Number(t[1]),
        numClasses: Number(t[2]),
        classes: [],
        counters: {},
        map: null,
        freeLists: [],
      };
      continue;
    }
    if (!open) continue;
    const b: Open = open;
    const row = ROW.exec(line);
    if (row) {
      const [cls, size, pools, inUse, avail] = row.slice(1).map(Number) as [number, number, number, number, number];
      b.classes.push({ cls, size, pools, inUse, avail });
      continue;
    }
    if (line === 'arena map counts') {
      b.map = {};
      continue;
    }
    const p = PRINTONE.exec(line);
    if (!p) continue; // another program's line
    const label = p[1]!.trim();
    const value = Number(p[2]!.replace(/,/g, ''));
    const arenas = ARENAS.exec(label);
    const pools = POOLS.exec(label);
    const freeList = FREE_LIST.exec(label);
    if (label === 'Total') {
      if (b.map) b.map.total = value;
      else b.counters.total ??= value;
    } else if (LABELS[label]) b.counters[LABELS[label]!] = value;
    else if (b.map && MAP_LABELS[label]) b.map[MAP_LABELS[label]!] = value;
    else if (arenas) {
      b.counters.arenaCount = Number(arenas[1]);
      b.counters.arenaSize = Number(arenas[2]);
      b.counters.arenaBytes = value;
    } else if (pools) {
      b.counters.unusedPools = Number(pools[1]);
      b.counters.poolSize = Number(pools[2]);
      b.counters.unusedPoolBytes = value;
    } else if (freeList) {
      b.freeLists.push({ count: Number(freeList[1]), name: freeList[2]!, size: Number(freeList[3]), bytes: value });
    }
  }
  if (open) close(true);
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
