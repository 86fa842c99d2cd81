// npm run bench (second part): the text and JSON importers.
//  - a 1,000,000-sample mprof .dat: `arenascope info` against `mprof peak` (memory_profiler's
//    own reader), side by side, alternating;
//  - the arenascope JSON form of a 1,000,000-block snapshot: `arenascope info` on it against the
//    same snapshot as a pickle, and how much of the JSON time is stream-json's tokenizer alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { jsonParser } from 'stream-json/core/parser.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PY = process.env.PYTHON ?? 'python3';
const MPROF_PY = process.env.MPROF_PYTHON ?? '/usr/bin/python3';
const OUT = 'bench/out';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const measure = (cmd) => JSON.parse(execFileSync(PY, ['bench/measure.py', ...cmd], { encoding: 'utf8' }));

function compare(name, ours, ref, refName) {
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(measure(ours));
    if (ref) b.push(measure(ref));
  }
  const t1 = median(a.map((r) => r.seconds));
  const m1 = Math.max(...a.map((r) => r.rssMiB));
  if (!ref) return console.log(`| ${name} | ${t1.toFixed(3)} | - | - | ${m1.toFixed(1)} | - |`);
  const t2 = median(b.map((r) => r.seconds));
  const m2 = Math.max(...b.map((r) => r.rssMiB));
  console.log(
    `| ${name} (vs ${refName}) | ${t1.toFixed(3)} | ${t2.toFixed(3)} | ${(t2 / t1).toFixed(2)}x | ${m1.toFixed(1)} | ${m2.toFixed(1)} |`,
  );
}

const dat = `${OUT}/1000000.dat`;
if (!existsSync(dat)) execFileSync(PY, ['bench/make_dat.py', '1000000', dat]);
// Sizes drawn at random: about a million distinct groups, so the JSON holds a million traces.
const dump = `${OUT}/1000000-random.pickle`;
if (!existsSync(dump)) execFileSync(PY, ['bench/make_dump.py', '1000000', dump, '--seed', '1', '--random-sizes']);
const json = `${OUT}/1000000-random.json`;
if (!existsSync(json)) execFileSync('node', ['dist/cli/main.js', 'convert', dump, '--to', 'json', '-o', json]);

console.log(`\n${RUNS} alternating runs each; median wall time, largest peak RSS\n`);
console.log('| case | arenascope s | reference s | speed-up | arenascope RSS MiB | reference RSS MiB |');
console.log('|---|---:|---:|---:|---:|---:|');
let hasMprof = true;
try {
  execFileSync(MPROF_PY, ['-c', 'import mprof'], { stdio: 'ignore' });
} catch {
  hasMprof = false;
}
compare(
  `mprof .dat, 1M samples (${(statSync(dat).size / 2 ** 20).toFixed(1)} MiB): info`,
  ['node', 'dist/cli/main.js', 'info', dat],
  hasMprof ? [MPROF_PY, '-m', 'mprof', 'peak', dat] : null,
  '`mprof peak`',
);
const groups = execFileSync('node', ['dist/cli/main.js', 'info', dump, '--json'], { encoding: 'utf8' }).match(
  /"groups": (\d+)/,
)[1];
compare(
  `JSON snapshot of ${groups} groups (${(statSync(json).size / 2 ** 20).toFixed(1)} MiB): info`,
  ['node', 'dist/cli/main.js', 'info', json],
  null,
);
compare(
  `the same snapshot as a pickle (${(statSync(dump).size / 2 ** 20).toFixed(1)} MiB): info`,
  ['node', 'dist/cli/main.js', 'info', dump],
  null,
);
// Replay through the pymalloc model (both orders) against only reading the same two dumps.
const series = [1, 2].map((seed) => {
  const f = `${OUT}/1000000-s${seed}.pickle`;
  if (!existsSync(f)) execFileSync(PY, ['bench/make_dump.py', '1000000', f, '--seed', String(seed)]);
  return f;
});
compare(
  'replay of 2 captures of 1M blocks (pymalloc model, both orders)',
  ['node', 'dist/cli/main.js', 'replay', ...series],
  null,
);
compare('reading the same 2 captures (info)', ['node', 'dist/cli/main.js', 'info', ...series], null);
if (!hasMprof) console.log(`\n(mprof not found for ${MPROF_PY}: apt-get install python3-memory-profiler)`);

// The tokenizer alone on the JSON, in this process: what stream-json costs before arenascope
// does anything with the tokens.
const text = readFileSync(json, 'utf8');
const t0 = performance.now();
const parse = jsonParser({ packValues: true, streamValues: false });
for (let i = 0; i < text.length; i += 1 << 18) parse(text.slice(i, i + (1 << 18)));
const ms = performance.now() - t0;
console.log(
  `\nstream-json tokenizer alone on the ${(text.length / 2 ** 20).toFixed(1)} MiB JSON: ${ms.toFixed(0)} ms (${(text.length / 2 ** 20 / (ms / 1000)).toFixed(1)} MiB/s)`,
);
