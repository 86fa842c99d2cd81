// The consistency checks of a pymalloc report as printed: the rules by which CPython computes each
// figure of sys._debugmallocstats() from its per-pool counts (Objects/obmalloc.c), so that a report
// pasted with parts elided or figures edited is read with a warning that says what does not add up.

import type { MallocStatsBlock, MallocStatsRule, MallocStatsWarning, SizeClassRow } from '../model/allocator-stats.js';
import { excerpt } from '../util/excerpt.js';
import { groupThousands } from '../util/text.js';

/** Input lines of a report's parts, for the warnings. Figures are keyed by field ('map.' + key in the map). */
/** The report's counters: every figure but the table, the arena map and the free lists. */
export type Counters = Omit<
  MallocStatsBlock,
  | 'inputLine'
  | 'smallBlockThreshold'
  | 'numClasses'
  | 'classes'
  | 'arenaMap'
  | 'freeLists'
  | 'complete'
  | 'warnings'
  | 'atNewArena'
>;

/** printone() labels (Objects/obmalloc.c), and the figure each fills. */
export const LABELS: Record<string, keyof Counters> = {
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

// CPython's lines of the figures, in the order it prints them, and the fields each fills.
const FIGURE_LINES: readonly (readonly [string, readonly (keyof Counters)[]])[] = [
  ['# arenas allocated total', ['arenasAllocatedTotal']],
  ['# arenas reclaimed', ['arenasReclaimed']],
  ['# arenas highwater mark', ['arenasHighwater']],
  ['# arenas allocated current', ['arenasCurrent']],
  ['<n> arenas * <size> bytes/arena', ['arenaCount', 'arenaSize', 'arenaBytes']],
  ['# bytes in allocated blocks', ['bytesInAllocatedBlocks']],
  ['# bytes in available blocks', ['bytesInAvailableBlocks']],
  ['<n> unused pools * <size> bytes', ['unusedPools', 'poolSize', 'unusedPoolBytes']],
  ['# bytes lost to pool headers', ['bytesLostToPoolHeaders']],
  ['# bytes lost to quantization', ['bytesLostToQuantization']],
  ['# bytes lost to arena alignment', ['bytesLostToArenaAlignment']],
  ['Total', ['total']],
];

/**
 * The figure lines of CPython a report lacks, by their labels: the first one missing, how many more,
 * and whether a line CPython prints after it was read (the report was damaged, not cut before it).
 * Null when none is missing.
 */
export function missingFigures(
  counters: Partial<Counters>,
  at: Places,
): { label: string; after: { label: string; line: number } | null; more: number; later: boolean } | null {
  const has = FIGURE_LINES.map(([, keys]) => keys.every((k) => counters[k] !== undefined));
  const first = has.indexOf(false);
  if (first < 0) return null;
  const lineOf = (i: number): number => at.figure[FIGURE_LINES[i]![1].at(-1)!]!;
  const before = has.lastIndexOf(true, first);
  return {
    label: FIGURE_LINES[first]![0],
    after: before < 0 ? null : { label: FIGURE_LINES[before]![0], line: lineOf(before) },
    more: has.filter((h) => !h).length - 1,
    later: has.indexOf(true, first) > first,
  };
}

export interface Places {
  table?: number;
  tableElided?: number;
  freeElided?: number;
  mapStart?: number;
  rows: number[];
  free: number[];
  figure: Record<string, number>;
}

const fmt = groupThousands;
// The six figures CPython adds up into the first Total.
const SIX = [
  'bytesInAllocatedBlocks',
  'bytesInAvailableBlocks',
  'unusedPoolBytes',
  'bytesLostToPoolHeaders',
  'bytesLostToQuantization',
  'bytesLostToArenaAlignment',
] as const;

type Warn = (line: number | undefined, rule: MallocStatsRule, message: string) => void;
/** SMALL_REQUEST_THRESHOLD, the largest of any CPython (Objects/obmalloc.c; FORMATS.md section 3.1). */
const MAX_THRESHOLD = 512;

interface Geometry {
  align: number;
  classes: number;
  overhead: number;
  usable: number;
  pools: number;
}

/**
 * The rules by which _PyObject_DebugMallocStats (3.6–3.12) / pymalloc_print_stats (3.13) computes
 * each figure from its per-pool counts (Objects/obmalloc.c), checked on a report as printed.
 */
export function check(b: MallocStatsBlock, at: Places): { warnings: MallocStatsWarning[]; complete: boolean } {
  const out: MallocStatsWarning[] = [];
  const warn: Warn = (line, rule, message) => out.push({ line: line ?? b.inputLine, rule, message });
  // numclasses = SMALL_REQUEST_THRESHOLD >> ALIGNMENT_SHIFT: 16-byte alignment on 64-bit builds, 8 on 32-bit
  // ones (and 64-bit ones before 3.8). Size class i holds blocks of (i + 1) * ALIGNMENT bytes.
  const ratio = b.smallBlockThreshold / b.numClasses;
  const align = ratio === 8 || ratio === 16 ? ratio : 16;
  // Rows are held to CPython's count, not a mistyped one; no CPython's threshold is above 512 (a
  // damaged one of 2^32 made the checks below try 2^28 classes).
  const classes = Math.floor(Math.min(b.smallBlockThreshold, MAX_THRESHOLD) / align);
  if (b.smallBlockThreshold > MAX_THRESHOLD) {
    warn(
      b.inputLine,
      'classes',
      `a small block threshold of ${b.smallBlockThreshold} is above any CPython's (${MAX_THRESHOLD}): ` +
        `the table is checked against ${classes} size classes`,
    );
  } else if (align !== ratio) {
    const fit = `${b.numClasses} size classes do not fit a threshold of ${b.smallBlockThreshold}`;
    warn(
      b.inputLine,
      'classes',
      `${fit}: CPython prints threshold / alignment classes (${classes} with 16-byte alignment)`,
    );
  }
  const pools = b.classes.reduce((n, r) => n + r.pools, 0);
  // POOL_OVERHEAD: sizeof(struct pool_header) rounded up to ALIGNMENT, 48 bytes on 64-bit builds and 32
  // on 32-bit ones; a report does not say which, so with 8-byte alignment the one the headers fit is taken.
  const overhead = align === 8 && pools > 0 && b.bytesLostToPoolHeaders === 32 * pools ? 32 : 48;
  const tableWhole = checkTable(b, at, { align, classes, overhead, usable: b.poolSize - overhead, pools }, warn);
  arenaFigures(b, at, warn);
  // CPython prints the running total of the six figures above, and asserts it is narenas * ARENA_SIZE.
  const sum = SIX.reduce((n, k) => n + b[k], 0);
  const arenaBytes = b.arenaCount * b.arenaSize;
  const totalParts = [
    ...(sum !== b.total ? [`the six figures above it add up to ${fmt(sum)}`] : []),
    ...(arenaBytes !== b.total ? [`${b.arenaCount} arenas × ${b.arenaSize} bytes = ${fmt(arenaBytes)}`] : []),
  ];
  if (totalParts.length) warn(at.figure.total, 'total', `Total says ${fmt(b.total)} but ${totalParts.join(' and ')}`);
  const mapWhole = arenaMap(b, at, warn);
  b.freeLists.forEach((f, i) => {
    const bytes = `${f.count} free ${excerpt(f.name)} of ${f.size} bytes are ${fmt(f.count * f.size)} bytes`;
    if (f.bytes !== f.count * f.size) warn(at.free[i], 'free-list', `${bytes}, not ${fmt(f.bytes)}`);
  });
  const freeElided = "free-list lines are elided with '...': the free-list figures are partial";
  if (at.freeElided !== undefined) warn(at.freeElided, 'free-lists-elided', freeElided);
  out.sort((x, y) => x.line - y.line);
  return { warnings: out, complete: tableWhole && mapWhole && at.freeElided === undefined };
}

/** One row against CPython's geometry: its class, its size, and blocks that fill its pools exactly. */
function checkRow(r: SizeClassRow, prev: SizeClassRow | undefined, g: Geometry): string[] {
  const problems: string[] = [];
  const size = (r.cls + 1) * g.align;
  const perPool = Math.floor(g.usable / r.size); // NUMBLOCKS
  if (r.cls >= g.classes) problems.push(`beyond the ${g.classes} size classes`);
  if (prev && r.cls <= prev.cls) problems.push(`after class ${prev.cls}: CPython prints each class once, ascending`);
  if (r.size !== size) problems.push(`size ${r.size}, not ${size} ((class + 1) × ${g.align})`);
  if (r.pools === 0) problems.push('0 pools: CPython prints no row for a class without pools');
  // avail = Σ (NUMBLOCKS - count) over the pools counted, virgin blocks included.
  if (r.size === size && r.inUse + r.avail !== r.pools * perPool) {
    const blocks = `${fmt(r.inUse)} in use + ${fmt(r.avail)} available = ${fmt(r.inUse + r.avail)} blocks`;
    problems.push(`${blocks}, but ${r.pools} pools of ${perPool} blocks hold ${fmt(r.pools * perPool)}`);
  }
  if (r.inUse < r.pools) problems.push('fewer blocks in use than pools (a counted pool has a block in use)');
  return problems;
}

/** The rows, and the four figures CPython sums from them; false when rows were left out. */
function checkTable(b: MallocStatsBlock, at: Places, g: Geometry, warn: Warn): boolean {
  const { overhead, usable } = g;
  b.classes.forEach((r, i) => {
    const problems = checkRow(r, b.classes[i - 1], g);
    if (problems.length) warn(at.rows[i], 'row', `class ${r.cls} row: ${problems.join('; ')}`);
  });
  const quantization = `Σ pools × ((${b.poolSize} − ${overhead}) mod size)`;
  const sums = [
    ['bytesInAllocatedBlocks', 'allocated-bytes', 'Σ blocks in use × size', (r) => r.inUse * r.size],
    ['bytesInAvailableBlocks', 'available-bytes', 'Σ avail blocks × size', (r) => r.avail * r.size],
    ['bytesLostToPoolHeaders', 'pool-headers', `${overhead} bytes × ${fmt(g.pools)} pools`, (r) => r.pools * overhead],
    ['bytesLostToQuantization', 'quantization', quantization, (r) => r.pools * (usable % r.size)],
  ] as const satisfies readonly [keyof Counters, MallocStatsRule, string, (r: SizeClassRow) => number][];
  const diff = sums.map(([key, , , f]) => b[key] - b.classes.reduce((n, r) => n + f(r), 0));
  const [dAlloc, dAvail, dHeaders, dQuant] = diff as [number, number, number, number];
  const missingPools = dHeaders / overhead;
  // Every counted pool is POOL_SIZE bytes: its header, NUMBLOCKS blocks and the quantization rest.
  const rowsMissing =
    diff.every((d) => d >= 0) &&
    dHeaders > 0 &&
    Number.isInteger(missingPools) &&
    dAlloc + dAvail + dHeaders + dQuant === missingPools * b.poolSize;
  const leftOut = `${fmt(missingPools)} pools and ${fmt(dAlloc)} bytes in allocated blocks`;
  const elided = at.tableElided !== undefined && diff.some((d) => d > 0);
  if (elided) {
    const listed = `${b.classes.length} rows listed, of at most ${b.numClasses} classes`;
    const what = rowsMissing ? `the rows left out hold ${leftOut}` : 'the figures below it count more';
    const message = `the size-class table is elided with '...' (${listed}): ${what}; per-class figures are partial`;
    warn(at.tableElided, 'table-elided', message);
  } else if (rowsMissing) {
    const counted = `# bytes lost to pool headers counts ${fmt(b.bytesLostToPoolHeaders / overhead)}`;
    const fits = missingRow(b, g, { dAlloc, dAvail, dQuant, pools: missingPools });
    const missing = `rows are missing, with ${leftOut}${fits}; per-class figures are partial`;
    warn(at.table, 'table-rows-missing', `the size-class table lists ${fmt(g.pools)} pools but ${counted}: ${missing}`);
  }
  sums.forEach(([key, rule, how], i) => {
    const d = diff[i]!;
    if (d === 0 || (d > 0 && (elided || rowsMissing))) return;
    const says = `${Object.keys(LABELS).find((l) => LABELS[l] === key)} says ${fmt(b[key])}`;
    warn(at.figure[key], rule, `${says} but the size-class table adds up to ${fmt(b[key] - d)} (${how})`);
  });
  return !(elided || rowsMissing);
}

/** The one class whose row, left out, would account for the difference; '' when none or several fit. */
function missingRow(
  b: MallocStatsBlock,
  g: Geometry,
  d: { dAlloc: number; dAvail: number; dQuant: number; pools: number },
): string {
  const listed = new Set(b.classes.map((r) => r.cls));
  const fits: string[] = [];
  for (let cls = 0; cls < g.classes; cls++) {
    const size = (cls + 1) * g.align;
    const [inUse, avail] = [d.dAlloc / size, d.dAvail / size];
    if (listed.has(cls) || d.dQuant !== d.pools * (g.usable % size) || !Number.isInteger(inUse)) continue;
    if (Number.isInteger(avail) && inUse >= d.pools && inUse + avail === d.pools * Math.floor(g.usable / size))
      fits.push(`class ${cls} (${size} bytes), ${fmt(d.pools)} pools, ${fmt(inUse)} in use, ${fmt(avail)} available`);
  }
  return fits.length === 1 ? `; it fits one row: ${fits[0]}` : '';
}

/** The arena counters and the pool figures that do not come from the table. */
function arenaFigures(b: MallocStatsBlock, at: Places, warn: Warn): void {
  const fig = at.figure;
  const [total, current, highwater] = [b.arenasAllocatedTotal, b.arenasCurrent, b.arenasHighwater];
  // '# arenas reclaimed' is printed as ntimes_arena_allocated - narenas.
  if (b.arenasReclaimed !== total - current) {
    const how = `# arenas allocated total − current = ${fmt(total)} − ${fmt(current)} = ${fmt(total - current)}`;
    warn(fig.arenasReclaimed, 'reclaimed', `# arenas reclaimed says ${fmt(b.arenasReclaimed)} but ${how}`);
  }
  if (highwater < current || highwater > total) {
    const range = `not between ${fmt(current)} (current) and ${fmt(total)} (allocated total)`;
    warn(fig.arenasHighwater, 'highwater', `# arenas highwater mark says ${fmt(highwater)}, ${range}`);
  }
  const bytes = b.arenaCount * b.arenaSize;
  const arenaParts = [
    ...(b.arenaCount !== current ? [`# arenas allocated current says ${fmt(current)}`] : []),
    ...(b.arenaBytes !== bytes ? [`× ${b.arenaSize} bytes is ${fmt(bytes)}`] : []),
  ];
  const arenas = `${b.arenaCount} arenas = ${fmt(b.arenaBytes)} bytes, but ${arenaParts.join(' and ')}`;
  if (arenaParts.length) warn(fig.arenaBytes, 'arenas', arenas);
  if (b.unusedPoolBytes !== b.unusedPools * b.poolSize) {
    const is = `${b.unusedPools} unused pools × ${b.poolSize} bytes is ${fmt(b.unusedPools * b.poolSize)}`;
    warn(fig.unusedPoolBytes, 'unused-pools', `${is}, not ${fmt(b.unusedPoolBytes)}`);
  }
  // An arena that mmap() did not place on a pool boundary loses one pool (3.10+ with 16 KiB pools).
  const lost = b.bytesLostToArenaAlignment;
  if (lost % b.poolSize !== 0 || lost > b.arenaCount * b.poolSize) {
    const most = `at most one pool (${fmt(b.poolSize)} bytes) per arena, ${fmt(b.arenaCount * b.poolSize)} in all`;
    warn(
      fig.bytesLostToArenaAlignment,
      'arena-alignment',
      `# bytes lost to arena alignment says ${fmt(lost)}: ${most}`,
    );
  }
}

// Arena-map root size -> the size of a bot node (mid nodes are the size of the root): 3.10 ignores the
// top 16 address bits (10/10/8 bits), 3.11+ does not (15/15/14), with 1 MiB arenas.
const BOT_NODE: Record<number, number> = { 8192: 2048, 262144: 131072 };

/** The 3.10+ radix-tree section; false when it was cut short. */
function arenaMap(b: MallocStatsBlock, at: Places, warn: Warn): boolean {
  const m = b.arenaMap;
  if (!m) {
    const partial = 'the arena map section is incomplete: its figures are left out';
    if (at.mapStart !== undefined) warn(at.mapStart, 'arena-map-partial', partial);
    return at.mapStart === undefined;
  }
  const sum = m.root + m.mid + m.bot;
  if (m.total !== sum)
    warn(
      at.figure['map.total'],
      'arena-map',
      `the arena map Total says ${fmt(m.total)} but root + mid + bot = ${fmt(sum)}`,
    );
  const bot = BOT_NODE[m.root];
  if (bot === undefined) return true;
  for (const [key, nodes, node] of [
    ['mid', m.midNodes, m.root],
    ['bot', m.botNodes, bot],
  ] as const) {
    const are = `${nodes} ${key} nodes of ${fmt(node)} bytes are ${fmt(nodes * node)}`;
    if (m[key] !== nodes * node) warn(at.figure[`map.${key}`], 'arena-map', `${are}, not ${fmt(m[key])}`);
  }
  return true;
}
