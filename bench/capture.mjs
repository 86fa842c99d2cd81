// npm run bench (fifth part): the overhead of `arenascope run` on a Python program
// (bench/capture_workload.py), side by side with the program run plainly, and with tracemalloc
// alone (-X tracemalloc=N: what tracing itself costs, before any capture is written). Alternating
// runs (BENCH_RUNS): median wall time, largest peak RSS of one process (node or python).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, CLI, PY, row } from './lib.mjs';

const program = ['bench/capture_workload.py', '2000'];
const work = mkdtempSync(join(tmpdir(), 'arenascope-bench-run-'));
// A fresh folder every run: `arenascope run` never overwrites one.
const run = (opts) => [
  'sh',
  '-c',
  `exec "$@" -o "${work}/run-$$" ${opts} -- ${PY} ${program.join(' ')}`,
  'sh',
  ...CLI,
  'run',
];

const plain = [PY, ...program];
const cases = [
  { name: 'python -X tracemalloc=10 (tracing alone)', ours: [PY, '-X', 'tracemalloc=10', ...program] },
  { name: 'arenascope run (10 frames, 1 s interval)', ours: run('') },
  { name: 'arenascope run --frames 1', ours: run('--frames 1') },
  { name: 'arenascope run --interval 0 (start, checkpoints, exit)', ours: run('--interval 0') },
];

console.log(`\n| case | s | plain python s | time | RSS MiB | plain RSS MiB |`);
console.log('|---|---:|---:|---:|---:|---:|');
try {
  for (const c of cases) {
    const [ours, theirs] = alternate(c.ours, plain);
    row([
      c.name,
      ours.seconds.toFixed(3),
      theirs.seconds.toFixed(3),
      `${(ours.seconds / theirs.seconds).toFixed(2)}x`,
      ours.rssMiB.toFixed(1),
      theirs.rssMiB.toFixed(1),
    ]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
