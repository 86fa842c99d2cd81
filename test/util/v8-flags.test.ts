// util/v8-flags.ts: Node sets V8's flags back to their defaults when a worker thread starts; a worker
// that imports worker-v8-flags.js first sets the process's choices, handed in shared memory, again. Run in a process of its own (V8's
// flags are the process's), after `npm run build`: the young generation's size after a burst of
// short-lived objects, with the flag kept at its first size, tells whether the flag is in force.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'util');
const FLAGS = pathToFileURL(join(DIST, 'v8-flags.js')).href;
const IN_WORKER = pathToFileURL(join(DIST, 'worker-v8-flags.js')).href;

/**
 * The young generation's size in MiB after a burst, with a worker started first (`hand`: with the
 * process's choices) while the young generation is kept at its first size, or let grow (`grow`) once
 * the worker has been started.
 */
function youngGenerationAfterWorker(hand: boolean, grow = false): number {
  const script = `
    import { Worker } from 'node:worker_threads';
    import v8 from 'node:v8';
    import { setV8Flag, v8FlagState } from ${JSON.stringify(FLAGS)};
    setV8Flag('young', '--semi-space-growth-factor=1');
    const w = new Worker(${JSON.stringify(`import ${JSON.stringify(IN_WORKER)};`)}, {
      eval: true,
      workerData: ${hand} ? { v8Flags: v8FlagState() } : undefined,
    });
    if (${grow}) setV8Flag('young', '--semi-space-growth-factor=2');
    await new Promise((done) => w.on('exit', done));
    let keep = [];
    for (let i = 0; i < 3e6; i++) {
      keep.push({ i });
      if (keep.length > 20000) keep = [];
    }
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(young.space_size / 1048576);
  `;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

describe('V8 flags and worker threads', () => {
  it("a worker's start sets them back to V8's defaults: the young generation grows again", () => {
    expect(youngGenerationAfterWorker(false)).toBeGreaterThanOrEqual(8);
  });

  it('a worker handed the flags sets them again: the young generation keeps its first size', () => {
    expect(youngGenerationAfterWorker(true)).toBeLessThanOrEqual(2);
  });

  it('a worker sets them as they are when it starts, not as they were when it was made (helper h139)', () => {
    expect(youngGenerationAfterWorker(true, true)).toBeGreaterThanOrEqual(8);
  });
});
