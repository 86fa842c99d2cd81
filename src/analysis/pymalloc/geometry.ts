// pymalloc's constants per CPython version on 64-bit builds (Objects/obmalloc.c; from 3.12
// Include/internal/pycore_obmalloc.h), as listed in FORMATS.md section 3.1.

import { UsageError } from '../../util/errors.js';

export interface Geometry {
  /** CPython version the geometry is for, e.g. '3.11'. */
  readonly python: string;
  readonly alignment: number;
  readonly smallRequestThreshold: number;
  readonly arenaSize: number;
  readonly poolSize: number;
  /** Size of a pool's header, POOL_OVERHEAD. */
  readonly poolOverhead: number;
  /** A wholly free arena is kept when it is the last usable one (bpo-37257, 3.9+). */
  readonly keepOneEmptyArena: boolean;
  /**
   * Whether a new arena loses a pool to alignment: mmap gives 4 KiB alignment, so with 16 KiB pools
   * (3.10+) an arena is usually not pool-aligned and has 63 pools, not 64.
   */
  readonly arenasLosePoolToAlignment: boolean;
}

const OLD = {
  alignment: 16,
  smallRequestThreshold: 512,
  arenaSize: 256 << 10,
  poolSize: 4 << 10,
  poolOverhead: 48,
  arenasLosePoolToAlignment: false,
};
const NEW = {
  alignment: 16,
  smallRequestThreshold: 512,
  arenaSize: 1 << 20,
  poolSize: 16 << 10,
  poolOverhead: 48,
  arenasLosePoolToAlignment: true,
};

// 3.6 and 3.7 are 3.8's geometry in their last releases (3.6.15, 3.7.16: 16-byte alignment since the
// fix of bpo-27987); named so that `--python 3.6` is taken by replay as by the commands that read dumps.
export const GEOMETRIES: Readonly<Record<string, Geometry>> = {
  '3.6': { python: '3.6', ...OLD, keepOneEmptyArena: false },
  '3.7': { python: '3.7', ...OLD, keepOneEmptyArena: false },
  '3.8': { python: '3.8', ...OLD, keepOneEmptyArena: false },
  '3.9': { python: '3.9', ...OLD, keepOneEmptyArena: true },
  '3.10': { python: '3.10', ...NEW, keepOneEmptyArena: true },
  '3.11': { python: '3.11', ...NEW, keepOneEmptyArena: true },
  '3.12': { python: '3.12', ...NEW, keepOneEmptyArena: true },
  '3.13': { python: '3.13', ...NEW, keepOneEmptyArena: true },
};

export const DEFAULT_PYTHON = '3.11';

export function geometry(python: string): Geometry {
  const g = GEOMETRIES[python];
  if (!g) throw new UsageError(`no pymalloc model for Python ${python}; known: ${Object.keys(GEOMETRIES).join(', ')}`);
  return g;
}

export const numClasses = (g: Geometry): number => g.smallRequestThreshold / g.alignment;
export const classSize = (g: Geometry, c: number): number => (c + 1) * g.alignment;
export const blocksPerPool = (g: Geometry, c: number): number =>
  Math.floor((g.poolSize - g.poolOverhead) / classSize(g, c));
