// npm run bench (fourth part): `arenascope gate` on two 1M-block dumps (the second against the
// first, and against a baseline file written from the first) side by side with the same check
// scripted with CPython's tracemalloc (bench/gate_reference.py). Alternating runs (BENCH_RUNS):
// median wall time, largest peak RSS.
import { execFileSync } from 'node:child_process';
import { alternate, CLI, input, OUT, PY, row } from './lib.mjs';

const base = input('1000000-s1.pickle', ['bench/make_dump.py', '1000000', '--seed', '1']);
const cur = input('1000000-s2.pickle', ['bench/make_dump.py', '1000000', '--seed', '2']);
const baselineFile = `${OUT}/memory-baseline.json`;
execFileSync(CLI[0], [...CLI.slice(1), 'baseline', base, '-o', baselineFile]);

const checks = ['--max-total-growth', '10%', '--max-site-growth', '1MiB'];
const cases = [
  { name: 'gate, baseline = the dump', ours: [...CLI, 'gate', cur, '--baseline', base, ...checks] },
  {
    name: 'gate, baseline = baseline file',
    ours: [...CLI, 'gate', cur, '--baseline', baselineFile, ...checks],
  },
];
const ref = [PY, 'bench/gate_reference.py', base, cur];

console.log(`\n| case | arenascope s | CPython script s | speed-up | arenascope RSS MiB | CPython RSS MiB |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const c of cases) {
  // Both sides fail this gate (exit 1): the second dump's sites grow by more than 1 MiB.
  const [ours, theirs] = alternate(c.ours, ref, [0, 1]);
  const [t1, t2, m1, m2] = [ours.seconds, theirs.seconds, ours.rssMiB, theirs.rssMiB];
  row([c.name, t1.toFixed(3), t2.toFixed(3), `${(t2 / t1).toFixed(2)}x`, m1.toFixed(1), m2.toFixed(1)]);
}
