// This checkout's CLI against another checkout's (e.g. the commit before a refactor), side by side
// in one run: every command on the benchmark's inputs, alternating runs, median wall time and
// largest peak RSS of each, and the ratios. Both checkouts must be built (npm run build).
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci)
//   BENCH_RUNS=5 node bench/versions.mjs /tmp/before
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// A checkout's command: its package.json's `bin` (dist/cli/main.js before the bundle, dist/bin/arenascope.cjs since).
const binOf = (dir) => resolve(dir, JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')).bin.arenascope);
const other = process.argv[2];
if (!other || !existsSync(`${other}/package.json`) || !existsSync(binOf(other))) {
  console.error("usage: node bench/versions.mjs OTHER_CHECKOUT (built: its package.json's bin exists)");
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PY = process.env.PYTHON ?? 'python3';
const OUT = resolve('bench/out');
mkdirSync(OUT, { recursive: true });

function input(name, args) {
  const file = `${OUT}/${name}`;
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} ...\n`);
    execFileSync(PY, [...args, file], { stdio: 'inherit' });
  }
  return file;
}

const a = input('versions-1m-a.pickle', ['bench/make_dump.py', '1000000', '--seed', '1']);
const b = input('versions-1m-b.pickle', ['bench/make_dump.py', '1000000', '--seed', '2']);
const big = input('versions-5m.pickle', ['bench/make_dump.py', '5000000', '--seed', '1']);
const dat = input('versions-1m.dat', ['bench/make_dat.py', '1000000']);
const html = `${OUT}/versions-report.html`;

const CASES = [
  ['--version', ['--version']],
  ['stats 1M', ['stats', a]],
  ['stats 5M', ['stats', big]],
  ['stats 1M --format csv', ['stats', a, '--format', 'csv']],
  ['diff 1M', ['diff', a, b]],
  ['info mprof 1M samples', ['info', dat]],
  ['leaks (fixture series)', ['leaks', resolve('fixtures/leaks/memo_leak'), '--no-source']],
  ['replay 2 x 1M', ['replay', a, b]],
  ['report 2 x 1M + mprof', ['report', a, b, dat, '-o', html]],
  ['gate 1M vs 1M', ['gate', b, '--baseline', a, '--max-total-growth', '50%']],
];

const measure = (cmd) => JSON.parse(execFileSync(PY, ['bench/measure.py', ...cmd], { encoding: 'utf8' }));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const sides = { ours: binOf('.'), theirs: binOf(other) };

console.log(`this checkout vs ${other}; node ${process.version}; ${RUNS} alternating runs each\n`);
console.log('| case | this s | other s | time ratio | this RSS MiB | other RSS MiB | RSS ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, args] of CASES) {
  const t = { ours: [], theirs: [] };
  const rss = { ours: 0, theirs: 0 };
  for (let i = 0; i < RUNS; i++) {
    for (const side of i % 2 ? ['theirs', 'ours'] : ['ours', 'theirs']) {
      const m = measure(['node', sides[side], ...args]);
      t[side].push(m.seconds);
      rss[side] = Math.max(rss[side], m.rssMiB);
    }
  }
  const [o, th] = [median(t.ours), median(t.theirs)];
  const row = [name, o.toFixed(3), th.toFixed(3), `${(o / th).toFixed(2)}x`];
  row.push(rss.ours.toFixed(1), rss.theirs.toFixed(1), `${(rss.ours / rss.theirs).toFixed(2)}`);
  console.log(`| ${row.join(' | ')} |`);
}
