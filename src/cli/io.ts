// Where a command writes, in a module of its own: runCli's signature is part of the library API,
// and a declaration that imports yargs' types would make every consumer install @types/yargs.

import type { ProgressLine } from './progress.js';

/** Where a command writes; the CLI passes process streams, tests collect strings. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly columns?: number;
  /** Set when stderr is a terminal: shows (text) or erases (null) a transient progress line. */
  readonly progress?: ProgressLine;
}
