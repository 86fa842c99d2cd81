// Where a command writes, in a module of its own: runCli's signature is part of the library API,
// and a declaration that imports yargs' types would make every consumer install @types/yargs.

import type { ProgressLine } from './progress.js';

/** Where a command writes; the CLI passes process streams, tests collect strings. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly columns?: number;
  /**
   * Set when stdout is a regular file (`> out.json`): what is written there is kept exactly, as in a
   * file named with -o (a CI runner reads no commands from a file; see cli/output.ts, toStdout).
   */
  readonly outIsFile?: boolean;
  /** Set when stderr is a terminal: shows (text) or erases (null) a transient progress line. */
  readonly progress?: ProgressLine;
  /**
   * Turns V8's optimising compiler on or off for what the process runs next (cli/main.ts passes
   * one; tests, which run commands in their own process, do not): see dumpsOnly in cli/command.ts.
   */
  readonly optimise?: (on: boolean) => void;
  /**
   * Lets V8's young generation grow again (cli/main.ts keeps it at its first size): for readers that
   * make an object per value (arenascope JSON, memray CSV), whose garbage comes faster than the
   * small young generation collects it cheaply.
   */
  readonly growYoungGeneration?: () => void;
}
