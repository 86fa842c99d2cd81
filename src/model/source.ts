// Where a capture came from. `format` is the file format it was read from; what the model holds is
// the capture's `kind` (model/capture.ts).

/** The file formats arenascope reads (one importer each, in src/ingest). */
export type Format =
  | 'tracemalloc-snapshot'
  | 'arenascope-json'
  | 'memray-csv'
  | 'mprof'
  | 'line-report'
  | 'allocator-stats'
  | 'tracemalloc-text';

export interface SourceInfo {
  /** File path as given, or '-' for standard input. */
  readonly path: string;
  /** The file format it was read as, e.g. 'tracemalloc-snapshot' for a Snapshot.dump() pickle. */
  readonly format: Format;
  /** True when the file was gzip-compressed. */
  readonly gzip: boolean;
  /** Bytes of (decompressed) input read. */
  readonly bytes: number;
  /** Of arenascope's JSON: the format of the capture it was converted from, when it says. */
  readonly from?: string;
  /** Of arenascope's JSON: the file it was converted from, as its `source` names it, when it does. */
  readonly fromFile?: string;
  /** Read cut short (--allow-partial): what came before the cut. A gate and a baseline leave it out. */
  readonly partial?: true;
  /**
   * Its last line had no line end and was read as whole (an mprof sample to every digit): it
   * may have been cut there, the lines after it missing: that line's number. A gate and a baseline refuse it.
   */
  readonly unended?: number;
}

/**
 * Whether a snapshot holds only the top sites of a logged statistics listing (read from a log, or
 * converted from one to JSON): sites it leaves out were not freed, and no block's size is known.
 */
export function isListing(source: SourceInfo): boolean {
  return source.format === 'tracemalloc-text' || source.from === 'tracemalloc-text';
}

/** The "format" values and version of arenascope's own JSON (schema/arenascope-snapshot.schema.json). */
export const SNAPSHOT_JSON = { snapshot: 'arenascope-snapshot', series: 'arenascope-series', version: 1 } as const;
