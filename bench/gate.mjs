// npm run bench (fourth part): `arenascope gate` on two 1M-block dumps (the second against the
// first, and against a baseline file written from the first) side by side with the same check
// scripted with CPython's tracemalloc (bench/gate_reference.py). Median wall time of RUNS runs, and
// the largest peak RSS (bench/measure.py).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PY = process.env.PYTHON ?? 'python3';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OUT = 'bench/out';
const [base, cur] = [`${OUT}/1000000-s1.pickle`, `${OUT}/1000000-s2.pickle`];
for (const [f, seed] of [
  [base, '1'],
  [cur, '2'],
])
  if (!existsSync(f)) execFileSync(PY, ['bench/make_dump.py', '1000000', f, '--seed', seed]);
const baselineFile = `${OUT}/memory-baseline.json`;
execFileSync('node', ['dist/cli/main.js', 'baseline', base, '-o', baselineFile]);

const checks = ['--max-total-growth', '10%', '--max-site-growth', '1MiB'];
const cases = [
  { name: 'gate, baseline = the dump', ours: ['node', 'dist/cli/main.js', 'gate', cur, '--baseline', base, ...checks] },
  {
    name: 'gate, baseline = baseline file',
    ours: ['node', 'dist/cli/main.js', 'gate', cur, '--baseline', baselineFile, ...checks],
  },
];
const ref = [PY, 'bench/gate_reference.py', base, cur];
const measure = (cmd) => JSON.parse(execFileSync(PY, ['bench/measure.py', ...cmd], { encoding: 'utf8' }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`\n| case | arenascope s | CPython script s | speed-up | arenascope RSS MiB | CPython RSS MiB |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const c of cases) {
  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(measure(c.ours));
    theirs.push(measure(ref));
  }
  const [t1, t2] = [median(ours.map((r) => r.seconds)), median(theirs.map((r) => r.seconds))];
  const [m1, m2] = [Math.max(...ours.map((r) => r.rssMiB)), Math.max(...theirs.map((r) => r.rssMiB))];
  console.log(
    `| ${c.name} | ${t1.toFixed(3)} | ${t2.toFixed(3)} | ${(t2 / t1).toFixed(2)}x | ${m1.toFixed(1)} | ${m2.toFixed(1)} |`,
  );
}
