// Failures the fuzz properties found that are not fixed yet, each with the bug it is and a small input
// that shows it: the properties let these through (so that CI stays green and still catches anything
// new), and known.test.ts runs each input in a test marked `it.fails`. When a bug is fixed, that test
// reports it: remove the entry.
import type { Outcome, Verdict } from './oracle.js';

export interface KnownBug {
  /** What is wrong, and in which file. */
  readonly bug: string;
  /** The targets (seeds.ts) it shows in, or all of them. */
  readonly targets: readonly string[] | 'all';
  readonly outcome: Outcome;
  /** Matches the details of the verdicts it gives. */
  readonly detail: RegExp;
  /** A small input that shows it, the extension it is written with, and the command line ('@input@' is its path). */
  readonly input: () => Buffer;
  readonly ext: string;
  readonly args: readonly string[];
  /** The input is a cut its importer must report. */
  readonly cutMustShow?: boolean;
}

export const KNOWN: readonly KnownBug[] = [];

export function known(target: string, v: Verdict): KnownBug | undefined {
  return KNOWN.find(
    (k) => (k.targets === 'all' || k.targets.includes(target)) && k.outcome === v.outcome && k.detail.test(v.detail),
  );
}
