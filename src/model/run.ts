// A capture folder written by `arenascope run` (issue 15): what it says beyond its captures — the
// run itself and its per-test table (pytest under `arenascope run`, limit markers as pytest-memray's).

/** One line that grew during a test, largest first. */
export interface RunTestLine {
  readonly filename: string;
  readonly lineno: number;
  readonly size: number;
}

/** A test of the run's per-test table: a `test` event of captures.jsonl. */
export interface RunTest {
  readonly nodeid: string;
  /** pytest's: passed, failed, skipped, xfailed, xpassed; error for a setup or teardown that failed. */
  readonly outcome: string;
  /** The snapshot taken after its teardown (a path as the inputs name it), or null. */
  readonly snapshot: string | null;
  /**
   * Traced peak during the body above the traced memory at its start; null when not measured (the body did
   * not run, or CPython 3.8 could not tell: the peak stayed under an earlier one).
   */
  readonly peakBytes: number | null;
  /** Traced memory after the body and a collection, minus before; null when the body did not run. */
  readonly leakedBytes: number | null;
  readonly limitMemoryBytes: number | null;
  readonly limitLeaksBytes: number | null;
  /** The limit markers it broke: 'limit_memory', 'limit_leaks'. */
  readonly violations: readonly string[];
  readonly top: readonly RunTestLine[];
  /** Where its function is defined (its code's first line), or null (not recorded; no function). */
  readonly defined: { readonly filename: string; readonly lineno: number } | null;
}

/** A run folder as the report and the gate show it. */
export interface RunInfo {
  /** The folder, as the inputs name it. */
  readonly dir: string;
  /** complete, interrupted, crashed; 'unfinished' when it was read from captures.jsonl. */
  readonly status: string;
  readonly command: readonly string[];
  /** The Python's version, or null when the folder does not say. */
  readonly python: string | null;
  /** The working directory the program ran in, or null when the folder does not say. */
  readonly cwd: string | null;
  readonly tests: readonly RunTest[];
}

/** The Pythons that runs record (a folder that does not say has none). */
export const recordedPythons = (runs: readonly RunInfo[] | undefined): string[] =>
  (runs ?? []).flatMap((r) => (r.python ? [r.python] : []));
