// What every format file of src/ingest exports: one Importer, registered by one line in
// importers.ts. An importer streams from an InputStream and copies what it keeps of a chunk.

import type { Capture } from '../model/capture.js';
import type { FrameTable } from '../model/frames.js';
import type { Format } from '../model/source.js';
import type { InputStream } from './open-input.js';

/** Options every importer is given; each uses those that apply to its format. */
export interface ReadOptions {
  /** On a truncated capture, keep what was read (with a warning) instead of failing. */
  readonly allowPartial?: boolean;
  /** Text formats: skip malformed lines with a warning instead of failing. */
  readonly lenient?: boolean;
  /** Intern into this table, so that snapshots of one series share frame and traceback ids. */
  readonly frames?: FrameTable;
  /**
   * tracemalloc dumps: the CPython version ('3.6' … '3.13') that wrote the dump and whose output is
   * reproduced. Only 3.6 changes anything (its Traceback lists the most recent frame first), and a
   * 3.6 dump is byte for byte a 3.7 dump, so only this option can say so.
   */
  readonly python?: string;
  /** mprof: a run folder recorded that MEM counts the children (`arenascope run --include-children`). */
  readonly childrenInMem?: boolean;
}

export interface Importer {
  readonly format: Format;
  /** What it reads, and the tool that writes it (for messages and --help). */
  readonly describe: string;
  /** True when the first bytes of the (gunzipped) content are this format's. */
  sniff(head: Buffer): boolean;
  read(input: InputStream, opts: ReadOptions): Promise<Capture>;
}
