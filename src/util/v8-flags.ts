// The V8 flags the command line switches as its work goes (cli/main.ts): whether the optimiser runs,
// and whether the young generation may grow. Node sets V8's flags back to their defaults when a worker
// thread starts (a young generation kept at its first size grew to 2 x 8 MiB again once report's
// chart thread had started), so a worker is handed the process's choices (v8FlagState(), in shared
// memory: what the main thread sets while the worker starts is what the worker finds) and sets them
// again before anything else: worker-v8-flags.ts is its first import.

import { setFlagsFromString } from 'node:v8';

/** The flags the command line switches between, by name. */
const CHOICES = {
  opt: ['--opt', '--no-opt'],
  young: ['--semi-space-growth-factor=2', '--semi-space-growth-factor=1'],
} as const;

type Name = keyof typeof CHOICES;
const NAMES = Object.keys(CHOICES) as Name[];

// Per name, the flag in force: 1 + its index among the choices, 0 for V8's default.
const state = new Int32Array(new SharedArrayBuffer(4 * NAMES.length));

/** Sets one of a name's flags (`setV8Flag('opt', '--no-opt')`), for this thread and the workers to come. */
export function setV8Flag<N extends Name>(name: N, flag: (typeof CHOICES)[N][number]): void {
  Atomics.store(state, NAMES.indexOf(name), (CHOICES[name] as readonly string[]).indexOf(flag) + 1);
  setFlagsFromString(flag);
}

/** The choices in force, shared (not copied) with a worker about to start: hand it as workerData.v8Flags. */
export function v8FlagState(): Int32Array {
  return state;
}

/** In a worker: sets the flags of the choices it was handed (as they are now). */
export function applyV8FlagState(handed: unknown): void {
  if (!(handed instanceof Int32Array) || handed.length !== NAMES.length) return;
  NAMES.forEach((name, i) => {
    const chosen = Atomics.load(handed, i);
    const flag = CHOICES[name][chosen - 1];
    if (flag) setFlagsFromString(flag);
  });
}
