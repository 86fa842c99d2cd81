// The gate's limits from arenascope.config.json (or --config) and flags; flags win. The file is
// checked against schema/arenascope-config.schema.json (unknown keys and bad values are errors);
// here only what it means: sizes and growths as the flags give them, baseline paths.

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { type GateLimits, type GrowthLimit, requireBaseline } from '../analysis/gate.js';
import type { KeyType } from '../analysis/statistics.js';
import { readJsonFile } from '../ingest/json-file.js';
import { jsonExcerpt } from '../ingest/json-schema.js';
import { InputError, UsageError } from '../util/errors.js';
import { type LeakArgs, parseGrowth, parseSize } from './options.js';
import { isStdout } from './output.js';

const CONFIG_FILE = 'arenascope.config.json';

// A baseline that is a pattern may match nothing: the inputs' own reading says so.
const GLOB = /[*?[]/;

/** A size or growth as a flag gives it ('10MB', '5%'), or as the config file may: a whole number of bytes. */
type Amount = string | number;

export interface GateFlags {
  'max-peak'?: Amount;
  'max-peak-growth'?: Amount;
  'max-total-growth'?: Amount;
  'max-leaks'?: number;
  'min-leak-confidence'?: number;
  'group-by'?: KeyType;
  'min-growth'?: Amount;
  'keep-internals'?: boolean;
  warmup?: number;
  'max-site-growth'?: Amount;
  'max-fragmentation'?: number;
  ignore?: string[];
  baseline?: string[];
  /** The config file these came from, for messages about it. */
  configFile?: string;
}

/** The file as the schema has checked it. */
interface ConfigFile {
  baseline?: string | string[];
  maxPeak?: Amount;
  maxPeakGrowth?: Amount;
  maxTotalGrowth?: Amount;
  maxLeaks?: number;
  minLeakConfidence?: number;
  groupBy?: KeyType;
  minGrowth?: Amount;
  keepInternals?: boolean;
  warmup?: number;
  maxSiteGrowth?: Amount;
  maxFragmentation?: number;
  ignore?: string[];
}

function ratio(v: number, flag: string): number {
  if (!(v >= 0 && v <= 1)) throw new UsageError(`${flag} expects a ratio between 0 and 1, got ${v}`);
  return v;
}

// A number is bytes, as a flag's number alone: a fraction of one is refused alike.
const size = (v: Amount, flag: string): number =>
  typeof v === 'number' ? parseSize(decimal(v), flag) : parseSize(v, flag);
const growth = (v: Amount, flag: string): GrowthLimit => parseGrowth(typeof v === 'number' ? decimal(v) : v, flag);
/** A JSON number as a flag's text: 1e6 as 1000000 (the schema allows numbers from 0). */
const decimal = (v: number): string => (Number.isInteger(v) ? BigInt(v).toString() : String(v));

/**
 * The config file read without --config: the nearest arenascope.config.json (or .json.gz) in the working directory or
 * a folder above it, up to the repository's root (the folder holding .git), as pytest, ruff and prettier
 * find theirs; relative to the working directory. Read from ./ only, a gate run in a subfolder (CI's
 * `working-directory:`) left the config's limits out and passed a program 89 MiB over its maxPeak.
 */
export function findConfig(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    // Committed gzipped too (the README says it may be): passed over, its limits and baseline were not
    // read, and a regression passed the gate unsaid (h231).
    const file = [join(dir, CONFIG_FILE), join(dir, `${CONFIG_FILE}.gz`)].find((f) => existsSync(f));
    if (file !== undefined) return relative(process.cwd(), file);
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

/** Reads the config file: the one named, or the nearest one (findConfig). */
export function readConfig(path: string | undefined): GateFlags {
  if (isStdout(path)) throw new UsageError('--config -: a config is read from a file; name one');
  const file = path ?? findConfig();
  if (!file) return {};
  const c = readJsonFile(file, 'config') as ConfigFile;
  // An empty path was the config's own folder (`"baseline": ""`, an unset variable templated in): read as
  // the baseline, whatever it holds.
  const empty = c.baseline === undefined ? -1 : ([] as string[]).concat(c.baseline).findIndex((p) => !p.trim());
  if (empty >= 0) {
    const where = Array.isArray(c.baseline) ? `/baseline/${empty}` : '/baseline';
    throw new InputError(file, where, 'an empty path: name the baseline file or folder, or leave "baseline" out');
  }
  // Baseline paths are relative to the config file, as a team writes them next to it.
  const baseline =
    c.baseline === undefined
      ? undefined
      : ([] as string[])
          .concat(c.baseline)
          .map((p) => (isAbsolute(p) ? p : relative(process.cwd(), join(dirname(file), p)) || '.'));
  const flags: GateFlags = {
    'max-peak': c.maxPeak,
    'max-peak-growth': c.maxPeakGrowth,
    'max-total-growth': c.maxTotalGrowth,
    'max-leaks': c.maxLeaks,
    'min-leak-confidence': c.minLeakConfidence,
    'group-by': c.groupBy,
    'min-growth': c.minGrowth,
    'keep-internals': c.keepInternals,
    warmup: c.warmup,
    'max-site-growth': c.maxSiteGrowth,
    'max-fragmentation': c.maxFragmentation,
    ignore: c.ignore,
    baseline,
    configFile: file,
  };
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as GateFlags;
}

/**
 * What counts as a leak, from the config with flags winning: --group-by, --min-growth (a number in the
 * config is bytes), --warmup, and --keep-internals when either asks for it (the flag's default is false).
 */
export function gateLeakArgs(config: GateFlags, flags: LeakArgs): LeakArgs {
  const amount = flags['min-growth'] ?? config['min-growth'];
  return {
    'group-by': flags['group-by'] ?? config['group-by'],
    'min-growth': typeof amount === 'number' ? decimal(amount) : amount,
    'keep-internals': flags['keep-internals'] || config['keep-internals'] === true,
    warmup: flags.warmup ?? config.warmup,
  };
}

/** Limits from the config, with flags given on the command line winning. */
export function gateLimits(config: GateFlags, flags: GateFlags): GateLimits {
  const f = {
    ...config,
    ...Object.fromEntries(
      Object.entries(flags).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
    ),
  } as GateFlags;
  if (f['max-leaks'] !== undefined && (!Number.isInteger(f['max-leaks']) || f['max-leaks'] < 0)) {
    throw new UsageError(`--max-leaks expects a whole number, got ${f['max-leaks']}`);
  }
  return {
    maxPeak: f['max-peak'] === undefined ? undefined : size(f['max-peak'], '--max-peak'),
    maxPeakGrowth: f['max-peak-growth'] === undefined ? undefined : growth(f['max-peak-growth'], '--max-peak-growth'),
    maxTotalGrowth:
      f['max-total-growth'] === undefined ? undefined : growth(f['max-total-growth'], '--max-total-growth'),
    maxLeaks: f['max-leaks'],
    minLeakConfidence:
      f['min-leak-confidence'] === undefined ? undefined : ratio(f['min-leak-confidence'], '--min-leak-confidence'),
    maxSiteGrowth: f['max-site-growth'] === undefined ? undefined : size(f['max-site-growth'], '--max-site-growth'),
    maxFragmentation:
      f['max-fragmentation'] === undefined ? undefined : ratio(f['max-fragmentation'], '--max-fragmentation'),
    ignore: f.ignore,
  };
}

const GROWTH_KEYS = [
  ['max-peak-growth', 'maxPeakGrowth'],
  ['max-total-growth', 'maxTotalGrowth'],
  ['max-site-growth', 'maxSiteGrowth'],
] as const;

/**
 * Growth limits compare against a baseline: with none given, the mistake is said where the limit was
 * set (the config file and its key, or the flags).
 */
export function requireBaselineFor(config: GateFlags, flags: GateFlags, limits: GateLimits, base?: string[]): void {
  if (base?.length) return;
  const fromConfig = GROWTH_KEYS.find(([flag]) => flags[flag] === undefined && config[flag] !== undefined);
  if (fromConfig && config.configFile) {
    const baseline = config.baseline ? '"baseline" is empty' : 'it has no "baseline"';
    throw new InputError(
      config.configFile,
      `/${fromConfig[1]}`,
      `a growth limit compares against a baseline, but ${baseline} and no --baseline was given`,
    );
  }
  requireBaseline(limits, false);
}

/**
 * A baseline no check compares against is a mistake: the gate passed a run 112% over its baseline,
 * given with --baseline from a subfolder where the config file holding the growth limits was not read.
 */
export function requireGrowthFor(config: GateFlags, flags: GateFlags, limits: GateLimits, base?: string[]): void {
  if (!base?.length || GROWTH_KEYS.some(([, key]) => limits[key] !== undefined)) return;
  const give = 'give --max-total-growth, --max-peak-growth or --max-site-growth';
  if (!flags.baseline?.length && config.configFile) {
    throw new InputError(
      config.configFile,
      '/baseline',
      'a baseline, but no growth limit compares against it: add "maxTotalGrowth", "maxPeakGrowth" or "maxSiteGrowth" ' +
        `(or ${give})`,
    );
  }
  throw new UsageError(
    `--baseline is compared by the growth checks, and none was asked for: ${give}` +
      (config.configFile ? ` (${config.configFile} sets none)` : ''),
  );
}

/** The baseline inputs: flags win over the config file. */
export function baselineInputs(config: GateFlags, flags: GateFlags): string[] | undefined {
  if (flags.baseline?.length) return flags.baseline;
  // A path the config names that is not there: said of the config, where the mistake is.
  const missing = config.baseline?.find((p) => !GLOB.test(p) && !existsSync(p));
  if (missing !== undefined && config.configFile) {
    throw new InputError(config.configFile, '/baseline', `no such file or directory: ${jsonExcerpt(missing)}`);
  }
  return config.baseline;
}
