// npm run bench: arenascope's stats/diff against CPython's tracemalloc on the same dumps, side by
// side in one run. Each case alternates the two processes (median wall time of RUNS runs each,
// peak RSS as the largest seen) and prints the ratios. Dumps are generated, never committed.
//
//   BENCH_RUNS=5 BENCH_BLOCKS=1000000,5000000 npm run bench
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BLOCKS = (process.env.BENCH_BLOCKS ?? '1000000,5000000').split(',').map(Number);
const PY = process.env.PYTHON ?? 'python3';
const OUT = 'bench/out';

function dump(blocks, seed) {
  const file = `${OUT}/${blocks}-s${seed}.pickle`;
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} ...\n`);
    execFileSync(PY, ['bench/make_dump.py', String(blocks), file, '--seed', String(seed)], { stdio: 'inherit' });
  }
  return file;
}

function measure(cmd) {
  return JSON.parse(execFileSync(PY, ['bench/measure.py', ...cmd], { encoding: 'utf8' }));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pyLoad = 'import sys, tracemalloc; load = tracemalloc.Snapshot.load;';
const cli = ['node', 'dist/cli/main.js'];

function cases(blocks) {
  const a = dump(blocks, 1);
  const list = [
    {
      name: `stats --group-by lineno`,
      ours: [...cli, 'stats', a, '--group-by', 'lineno'],
      ref: [PY, '-c', `${pyLoad} load(sys.argv[1]).statistics('lineno')`, a],
    },
    {
      name: `stats --group-by traceback`,
      ours: [...cli, 'stats', a, '--group-by', 'traceback', '--no-source'],
      ref: [PY, '-c', `${pyLoad} load(sys.argv[1]).statistics('traceback')`, a],
    },
  ];
  if (blocks <= 1_000_000) {
    const b = dump(blocks, 2);
    list.push({
      name: `diff --group-by lineno`,
      ours: [...cli, 'diff', b, a, '--group-by', 'lineno'],
      ref: [PY, '-c', `${pyLoad} load(sys.argv[2]).compare_to(load(sys.argv[1]), 'lineno')`, b, a],
    });
  }
  return list.map((c) => ({ ...c, blocks, bytes: statSync(a).size }));
}

mkdirSync(OUT, { recursive: true });
const python = execFileSync(PY, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();
console.log(`arenascope vs CPython ${python} tracemalloc; node ${process.version}; ${RUNS} alternating runs each\n`);
console.log(
  '| blocks | dump | case | arenascope s | CPython s | speed-up | arenascope RSS MiB | CPython RSS MiB | RSS ratio |',
);
console.log('|---:|---:|---|---:|---:|---:|---:|---:|---:|');
// The fixed cost of starting each runtime, for reading the ratios of small inputs.
{
  const node = [];
  const py = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(measure(['node', '-e', '']));
    py.push(measure([PY, '-c', 'pass']));
  }
  const t1 = median(node.map((r) => r.seconds));
  const t2 = median(py.map((r) => r.seconds));
  const m1 = Math.max(...node.map((r) => r.rssMiB));
  const m2 = Math.max(...py.map((r) => r.rssMiB));
  console.log(
    `| - | - | empty process (\`node -e ''\` / \`python3 -c pass\`) | ${t1.toFixed(3)} | ${t2.toFixed(3)} | - | ${m1.toFixed(1)} | ${m2.toFixed(1)} | - |`,
  );
}
for (const blocks of BLOCKS) {
  for (const c of cases(blocks)) {
    const ours = [];
    const ref = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(measure(c.ours));
      ref.push(measure(c.ref));
    }
    if ([...ours, ...ref].some((r) => r.code !== 0)) throw new Error(`a run of '${c.name}' failed`);
    const t1 = median(ours.map((r) => r.seconds));
    const t2 = median(ref.map((r) => r.seconds));
    const m1 = Math.max(...ours.map((r) => r.rssMiB));
    const m2 = Math.max(...ref.map((r) => r.rssMiB));
    console.log(
      `| ${blocks.toLocaleString('en')} | ${(c.bytes / 2 ** 20).toFixed(1)} MiB | ${c.name} | ${t1.toFixed(3)} | ${t2.toFixed(3)} | ` +
        `${(t2 / t1).toFixed(2)}x | ${m1.toFixed(1)} | ${m2.toFixed(1)} | ${(m1 / m2).toFixed(2)} |`,
    );
  }
}
