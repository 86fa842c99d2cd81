// Option groups more than one command takes, and the parsing of flag values (sizes, growth limits)
// into library options; --allocator-stats also loads what it names.

import { realpathSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { TraceFilter } from '../analysis/filters.js';
import type { GrowthLimit } from '../analysis/gate.js';
import type { LeakQuery } from '../analysis/leak-results.js';
import { DEFAULT_PYTHON, GEOMETRIES } from '../analysis/pymalloc/geometry.js';
import { KEY_TYPES, type KeyType, type QueryOptions } from '../analysis/statistics.js';
import type { AllocatorStats } from '../model/allocator-stats.js';
import { type CaptureSet, reportsOfKept } from '../model/capture-set.js';
import { fileSourceLookup, noSource, type SourceLookup } from '../report/linecache.js';
import { UsageError } from '../util/errors.js';
import { type InputArgs, inputOptions, loadSet, type OutputArgs, outputOptions } from './command.js';
import { wholeNumber } from './usage.js';

export function groupByOption<T>(y: Argv<T>, describe: string) {
  // No default here: a listing by file refuses a finer key asked for (queryFromArgs takes lineno).
  return y.option('group-by', { alias: 'g', choices: KEY_TYPES, describe: `${describe} (default lineno)` });
}

export function sourceOption<T>(y: Argv<T>) {
  return y
    .option('source', {
      type: 'boolean',
      default: true,
      describe: 'Show source lines under traceback frames when the files exist here (--no-source to omit)',
    })
    .option('source-path', {
      type: 'string',
      array: true,
      default: [] as string[],
      requiresArg: true,
      describe:
        "Where a relative file name's source is looked for after the current directory, in order, " +
        "as linecache searches sys.path: the profiled program's directories (repeatable)",
    });
}

/** Where source lines come from: the files on this machine (and the --source-path directories), or nowhere. */
export const sourceLookup = (a: { source: boolean; 'source-path'?: readonly string[] }): SourceLookup =>
  a.source ? fileSourceLookup(a['source-path'] ?? []) : noSource;

/**
 * What counts as a leak, as leaks, report and gate judge it: the sites (--group-by), --min-growth,
 * --keep-internals and an mprof run's --warmup. One option set, so that what `leaks` finds with them
 * is what the gate counts (a leak `leaks -g traceback` found passed a gate that had no such option).
 */
export function leakOptions<T>(y: Argv<T>) {
  return y
    .option('group-by', {
      alias: 'g',
      choices: KEY_TYPES,
      describe: "Leak sites: the most recent frame's line, its file, or the whole traceback (default lineno)",
    })
    .option('min-growth', {
      type: 'string',
      describe:
        'Growth below this is never a leak ' +
        '(default: 64KiB for snapshots; for mprof, the larger of 1 MiB and 5% of the baseline)',
    })
    .option('keep-internals', {
      type: 'boolean',
      default: false,
      describe: "Keep tracemalloc's own and the import machinery's allocations (left out by default)",
    })
    .option('warmup', {
      type: 'number',
      describe:
        'Seconds of an mprof run to leave out as warm-up (default: the first 10%; of an `arenascope run`, up to its start capture when longer and enough samples follow it)',
    });
}

export interface LeakArgs {
  'group-by'?: KeyType;
  'min-growth'?: string;
  'keep-internals': boolean;
  warmup?: number;
}

/**
 * The leak query of --group-by, --min-growth (a size for snapshots, in MiB for mprof runs),
 * --keep-internals and --warmup.
 */
export function leakQueryFromArgs(
  a: LeakArgs,
): Pick<LeakQuery, 'groupBy' | 'minGrowth' | 'minGrowthMiB' | 'keepInternals' | 'warmupSeconds'> {
  const minGrowth = a['min-growth'] === undefined ? undefined : parseSize(a['min-growth'], '--min-growth');
  if (a.warmup !== undefined && !(a.warmup >= 0 && Number.isFinite(a.warmup)))
    throw new UsageError(`--warmup expects seconds, 0 or more, got ${a.warmup}`);
  return {
    warmupSeconds: a.warmup,
    groupBy: a['group-by'],
    minGrowth,
    minGrowthMiB: minGrowth === undefined ? undefined : minGrowth / 2 ** 20,
    keepInternals: a['keep-internals'],
  };
}

/** --allocator-stats and the pymalloc model's --python, as replay, report and gate take them. */
export function allocatorStatsOption<T>(y: Argv<T>) {
  return y
    .option('python', {
      type: 'string',
      choices: Object.keys(GEOMETRIES),
      describe:
        'Model the pymalloc of this CPython version (arena and pool sizes, release rule); default: the one ' +
        `the dumps say (3-item traces and pickle protocol 5: 3.8; lib/python3.9/ in tracebacks: 3.9), else ${DEFAULT_PYTHON}`,
    })
    .option('allocator-stats', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe:
        'sys._debugmallocstats() reports (files, directories, PYTHONMALLOCSTATS logs) taken at the captures: ' +
        'paired with them by name, time or order, and shown next to the model',
    });
}

export interface AllocatorStatsArgs extends InputArgs {
  'allocator-stats'?: string[];
  python?: string;
}

/**
 * The set with the reports --allocator-stats names (in the order given, a folder's in name order)
 * after those among the inputs: paired in order, the first file given goes with the first capture.
 */
export async function withAllocatorStats(set: CaptureSet, a: AllocatorStatsArgs): Promise<CaptureSet> {
  const files = a['allocator-stats'];
  if (!files?.length) return set;
  const given = (await loadSet(files, a, { uses: ['allocator-stats'], option: '--allocator-stats' })).allocatorStats;
  // Reports among the inputs too (`replay run/ --allocator-stats run/`) are read once: twice, each
  // capture had two reports alike, and none was paired.
  const file = (f: AllocatorStats): string => {
    try {
      return realpathSync(f.source.path);
    } catch {
      return f.source.path;
    }
  };
  const read = new Set(set.allocatorStats.map(file));
  const all = [...set.allocatorStats, ...given.filter((f) => !read.has(file(f)))];
  return { ...set, allocatorStats: reportsOfKept(set, all) };
}

export interface QueryArgs extends InputArgs, OutputArgs {
  /** Undefined when not given: lineno. */
  'group-by'?: KeyType;
  cumulative: boolean;
  limit: number | undefined;
  include: string[];
  exclude: string[];
  'all-frames': boolean;
  domain: number[];
  'exclude-domain': number[];
  source: boolean;
  'source-path': string[];
  /** The CPython whose tracemalloc output to reproduce (3.6 prints tracebacks most recent first). */
  python?: string;
}

/** The options of the commands that query snapshots as tracemalloc does (stats, diff). */
export function queryOptions<T>(y: Argv<T>) {
  const grouped = groupByOption(
    inputOptions(y),
    "tracemalloc key_type: the most recent frame's line, its file, or the whole traceback",
  );
  return printedByOption(
    sourceOption(outputOptions(grouped, ['text', 'json', 'csv']))
      .option('cumulative', {
        type: 'boolean',
        default: false,
        describe: 'Count each block at every frame of its traceback (lineno and filename only)',
      })
      .option('limit', { alias: 'n', type: 'number', describe: 'Show only the first N entries' })
      // Filters take one value each time they are given (nargs 1): taking every word up to the next
      // option, `stats --include '*src*' app.pickle` took the dump for a second pattern.
      .option('include', {
        type: 'string',
        array: true,
        nargs: 1,
        default: [] as string[],
        describe: 'Keep traces whose most recent frame matches PATTERN[:LINENO] (fnmatch; repeatable)',
      })
      .option('exclude', {
        type: 'string',
        array: true,
        nargs: 1,
        default: [] as string[],
        describe: 'Drop traces whose most recent frame matches PATTERN[:LINENO] (fnmatch; repeatable)',
      })
      .option('all-frames', {
        type: 'boolean',
        default: false,
        describe: '--include/--exclude test every frame of the traceback, not only the most recent',
      })
      .option('domain', {
        type: 'number',
        array: true,
        nargs: 1,
        default: [] as number[],
        describe: 'Keep only this allocation domain (repeatable)',
      })
      .option('exclude-domain', {
        type: 'number',
        array: true,
        nargs: 1,
        default: [] as number[],
        describe: 'Drop this allocation domain (repeatable)',
      }),
  );
}

/** --python of the commands that read logged listings as a CPython version printed them (stats, diff, leaks). */
export function printedByOption<T>(y: Argv<T>) {
  return y.option('python', {
    type: 'string',
    requiresArg: true,
    describe:
      'Read and print as this CPython version does (default 3.7+). 3.6 lists traceback frames most recent first; ' +
      'its dumps are byte for byte those of 3.7, and its logged tracebacks read like them, so only this flag can say so',
  });
}

function parsePattern(arg: string, inclusive: boolean, allFrames: boolean): TraceFilter {
  // A trailing ':123' selects one line, as tracemalloc.Filter's lineno does (after a file name holding
  // a line break too: compile(src, 'a\nb.py', 'exec')). ':123' alone is the empty file name's line,
  // code compiled with the file name '' (an empty pattern alone is refused: an unset variable).
  const m = /^(.*):(\d+)$/s.exec(arg);
  const pattern = m ? m[1]! : arg;
  if (!pattern && !m) throw new UsageError(`empty file pattern in '${arg}'`);
  return { kind: 'filename', inclusive, pattern, lineno: m ? Number(m[2]) : null, allFrames };
}

// A tracemalloc domain is an unsigned int (PyTraceMalloc_Track's): above it no trace can match.
function checkDomain(d: number, flag: string): number {
  if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
    throw new UsageError(`${flag} expects a whole number from 0 to 4294967295 (a tracemalloc domain), got ${d}`);
  }
  return d;
}

export function queryFromArgs(a: QueryArgs): QueryOptions {
  wholeNumber(a.limit, '--limit');
  const filters: TraceFilter[] = [
    ...a.include.map((p) => parsePattern(p, true, a['all-frames'])),
    ...a.exclude.map((p) => parsePattern(p, false, a['all-frames'])),
    ...a.domain.map((d) => ({ kind: 'domain' as const, inclusive: true, domain: checkDomain(d, '--domain') })),
    ...a['exclude-domain'].map((d) => ({
      kind: 'domain' as const,
      inclusive: false,
      domain: checkDomain(d, '--exclude-domain'),
    })),
  ];
  return { keyType: a['group-by'] ?? 'lineno', cumulative: a.cumulative, filters, limit: a.limit };
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40,
};

/** '512KiB', '10MB', '1.5GiB', '4096' -> bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${flag} takes a size such as 64KiB, 10MB or 1.5GiB; got '${text}'`);
  }
  // A number alone is bytes: a fraction of one is no size (0.5 meant 50%, or 0.5MiB), and was a limit of 0.5 B.
  if (!m[2] && !Number.isInteger(Number(m[1]))) {
    throw new UsageError(`${flag}: '${text.trim()}' is a fraction of a byte; give its unit (${m[1]}MiB)`);
  }
  // 2.01MB is 2,010,000 bytes, not 2009999.9999999998; but 93.570312MiB, an mprof peak as the file
  // prints it, is 98115583.47 bytes: rounded to 98115583, the peak it names failed its own limit.
  const bytes = Number(m[1]) * unit;
  return Math.abs(bytes - Math.round(bytes)) <= 1e-12 * Math.max(1, bytes) ? Math.round(bytes) : bytes;
}

/** '5%' or a size ('512KiB', '10MB'). */
export function parseGrowth(text: string, flag: string): GrowthLimit {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$/.exec(text);
  if (m) return { percent: Number(m[1]) };
  const bare = /^\s*(\d*\.\d*)\s*$/.exec(text);
  if (bare && !Number.isInteger(Number(bare[1]))) {
    const share = Number(bare[1]) * 100;
    throw new UsageError(
      `${flag}: '${bare[1]}' is a fraction of a byte; give its unit (${bare[1]}MiB) or, for a share, a percentage (${share < 100 ? `${share}%` : '5%'})`,
    );
  }
  try {
    return { bytes: parseSize(text, flag) };
  } catch {
    throw new UsageError(`${flag} takes a percentage such as 10% or a size such as 64KiB or 10MB; got '${text}'`);
  }
}
