// The V8 flags the command line sets as its work goes (cli/main.ts): whether the optimiser runs, and
// whether the young generation may grow. Node sets V8's flags back to their defaults when a worker
// thread starts (a young generation kept at its first size grew to 2 x 8 MiB again once report's
// chart thread had started), so a worker is handed the flags in force (`workerData.v8Flags`, from
// v8Flags()) and sets them again before anything else: worker-v8-flags.ts is its first import.

import { setFlagsFromString } from 'node:v8';

const chosen = new Map<string, string>();

/** Sets a flag (`--no-opt`) under a name of its own (`opt`), replacing what that name set before. */
export function setV8Flag(name: string, flag: string): void {
  chosen.set(name, flag);
  setFlagsFromString(flag);
}

/** The flags set through setV8Flag, for a worker about to start. */
export function v8Flags(): string[] {
  return [...chosen.values()];
}
