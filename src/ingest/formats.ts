// The formats arenascope reads, in the order detection tries them, without loading their importers:
// --input-format lists them, and a tracemalloc dump (tried first) is read with its importer alone
// (load-capture.ts). importers.ts registers one importer per name, in this order.

import type { Format } from '../model/source.js';

// Binary and strict headers first, the loosest text patterns last.
const LISTED = [
  'tracemalloc-snapshot',
  'arenascope-json',
  'memray-csv',
  'mprof',
  'line-report',
  'allocator-stats',
  'tracemalloc-text',
] as const satisfies readonly Format[];

type Unlisted = Exclude<Format, (typeof LISTED)[number]>;
// A format left out of the list fails to compile here, naming it (`missing`).
const EVERY_FORMAT: [Unlisted] extends [never] ? readonly Format[] : { missing: Unlisted } = LISTED;

/** Every format, in the order detection tries them. */
export const FORMATS: readonly Format[] = EVERY_FORMAT;
