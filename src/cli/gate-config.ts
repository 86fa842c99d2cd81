// The gate's limits from arenascope.config.json (or --config) and flags; flags win. Unknown keys
// and bad values are errors (schema/arenascope-config.schema.json documents the file).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { GateLimits } from '../analysis/gate.js';
import { UsageError } from '../util/errors.js';
import { parseGrowth, parseSize } from './options.js';

export const CONFIG_FILE = 'arenascope.config.json';

export interface GateFlags {
  'max-peak'?: string;
  'max-peak-growth'?: string;
  'max-total-growth'?: string;
  'max-leaks'?: number;
  'min-leak-confidence'?: number;
  'max-site-growth'?: string;
  'max-fragmentation'?: number;
  ignore?: string[];
  baseline?: string[];
}

const KEYS: Record<string, keyof GateFlags> = {
  maxPeak: 'max-peak',
  maxPeakGrowth: 'max-peak-growth',
  maxTotalGrowth: 'max-total-growth',
  maxLeaks: 'max-leaks',
  minLeakConfidence: 'min-leak-confidence',
  maxSiteGrowth: 'max-site-growth',
  maxFragmentation: 'max-fragmentation',
  ignore: 'ignore',
  baseline: 'baseline',
};

function ratio(v: number, flag: string): number {
  if (!(v >= 0 && v <= 1)) throw new UsageError(`${flag} takes a ratio between 0 and 1, got ${v}`);
  return v;
}

/** Reads the config file: the one named, or ./arenascope.config.json when it exists. */
export function readConfig(path: string | undefined): GateFlags {
  const file = path ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  if (!file) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const problem =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON: ${(e as Error).message}`;
    throw new UsageError(`${file}: ${problem}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new UsageError(`${file}: expected a JSON object of limits`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === '$schema') continue;
    const flag = KEYS[k];
    if (!flag) throw new UsageError(`${file}: unknown key "${k}"; known keys: ${Object.keys(KEYS).join(', ')}`);
    const isList = flag === 'ignore' || flag === 'baseline';
    const isNumber = flag === 'max-leaks' || flag === 'min-leak-confidence' || flag === 'max-fragmentation';
    const ok = isList
      ? (Array.isArray(v) && v.every((x) => typeof x === 'string')) || (flag === 'baseline' && typeof v === 'string')
      : isNumber
        ? typeof v === 'number'
        : typeof v === 'string' || typeof v === 'number';
    if (!ok) {
      const expected = isList
        ? 'a list of strings'
        : isNumber
          ? 'a number'
          : 'a size or percentage such as "10MB" or "5%"';
      throw new UsageError(`${file}: "${k}" must be ${expected}, got ${JSON.stringify(v)}`);
    }
    out[flag] = isList && typeof v === 'string' ? [v] : typeof v === 'number' && !isNumber ? String(v) : v;
    // Baseline paths are relative to the config file, as a team writes them next to it.
    if (flag === 'baseline')
      out[flag] = (out[flag] as string[]).map((p) =>
        isAbsolute(p) ? p : relative(process.cwd(), join(dirname(file), p)) || '.',
      );
  }
  return out as GateFlags;
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
    throw new UsageError(`--max-leaks takes a whole number, got ${f['max-leaks']}`);
  }
  return {
    maxPeak: f['max-peak'] === undefined ? undefined : parseSize(f['max-peak'], '--max-peak'),
    maxPeakGrowth:
      f['max-peak-growth'] === undefined ? undefined : parseGrowth(f['max-peak-growth'], '--max-peak-growth'),
    maxTotalGrowth:
      f['max-total-growth'] === undefined ? undefined : parseGrowth(f['max-total-growth'], '--max-total-growth'),
    maxLeaks: f['max-leaks'],
    minLeakConfidence:
      f['min-leak-confidence'] === undefined ? undefined : ratio(f['min-leak-confidence'], '--min-leak-confidence'),
    maxSiteGrowth:
      f['max-site-growth'] === undefined ? undefined : parseSize(f['max-site-growth'], '--max-site-growth'),
    maxFragmentation:
      f['max-fragmentation'] === undefined ? undefined : ratio(f['max-fragmentation'], '--max-fragmentation'),
    ignore: f.ignore,
  };
}

/** The baseline inputs: flags win over the config file. */
export function baselineInputs(config: GateFlags, flags: GateFlags): string[] | undefined {
  return flags.baseline?.length ? flags.baseline : config.baseline;
}
