// npm run bench (first part): every row of issue 14 in one table. Each row runs an arenascope
// command and its reference (the empty Node process, CPython's tracemalloc, memory_profiler's
// `mprof peak`, or another arenascope command on the same inputs), alternating, BENCH_RUNS runs
// each (at least 5 for a figure to record); median wall time of the whole process, largest peak
// RSS, the ratios, the target and whether it is met. Inputs are generated into bench/out.
//
//   BENCH_RUNS=5 node bench/targets.mjs [word...]   (after npm run build; words pick the rows whose
//                                                   work starts with one of them, e.g. replay)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { alternate, CLI, input, MPROF_PY, OUT, PY, RUNS, row } from './lib.mjs';

const dump = (blocks, seed) =>
  input(`${blocks}-s${seed}.pickle`, ['bench/make_dump.py', String(blocks), '--seed', String(seed)]);
const [a1, b1, a5, b5] = [dump(1_000_000, 1), dump(1_000_000, 2), dump(5_000_000, 1), dump(5_000_000, 2)];
const DAT_SAMPLES = 281_000;
const dat = input(`${DAT_SAMPLES}.dat`, ['bench/make_dat.py', String(DAT_SAMPLES)]);
const series = Array.from({ length: 11 }, (_, i) => `${OUT}/series/capture-${String(i + 1).padStart(2, '0')}.pickle`);
if (!existsSync(series[10])) {
  process.stderr.write(`generating ${OUT}/series ...\n`);
  execFileSync(PY, ['bench/make_series.py', `${OUT}/series`], { stdio: ['ignore', 'ignore', 'inherit'] });
}
// A real small dump (CPython 3.11's Snapshot.dump() of the inventory fixture program).
const tiny = 'fixtures/dumps/py311-inventory-a.pickle';

const py = (code, ...files) => [
  PY,
  '-c',
  `import sys, tracemalloc; load = tracemalloc.Snapshot.load; ${code}`,
  ...files,
];
const pyStats = (f) => py("load(sys.argv[1]).statistics('lineno')", f);
const pyDiff = (old, cur) => py("load(sys.argv[2]).compare_to(load(sys.argv[1]), 'lineno')", old, cur);
function traceCounts(...files) {
  const [cmd, ...args] = py('print(*(len(load(f).traces) for f in sys.argv[1:]))', ...files);
  const counts = execFileSync(cmd, args, { encoding: 'utf8' }).trim().split(' ');
  return counts.map((n) => (Number(n) < 1000 ? n : `${Math.round(Number(n) / 1000)}k`));
}

// A time target bounds arenascope's time over the reference's; a memory target its peak RSS over the
// reference's. `faster(k)`: at least k times faster (k = 1: faster at all).
const faster = (k) => ({ what: 'time', max: 1 / k, strict: k === 1, label: k === 1 ? 'faster' : `>= ${k}x faster` });
const timeAtMost = (k) => ({ what: 'time', max: k, label: `time <= ${k}x` });
const rssAtMost = (k) => ({ what: 'rss', max: k, label: `RSS <= ${k}x` });

const [tinyTraces] = traceCounts(tiny);
const [firstTraces, lastTraces] = traceCounts(series[0], series[10]);
const ROWS = [
  {
    work: '--version',
    ours: ['--version'],
    reference: '`node -e 0`',
    ref: ['node', '-e', '0'],
    targets: [timeAtMost(1.5)],
  },
  { work: '--help', ours: ['--help'], reference: '`node -e 0`', ref: ['node', '-e', '0'], targets: [timeAtMost(1.5)] },
  {
    work: `stats, tiny dump (${tinyTraces} traces)`,
    ours: ['stats', tiny],
    reference: 'CPython load + statistics',
    ref: pyStats(tiny),
    targets: [faster(1)],
  },
  {
    work: 'stats, 1M-block dump',
    ours: ['stats', a1],
    reference: 'CPython load + statistics',
    ref: pyStats(a1),
    targets: [faster(4), rssAtMost(0.5)],
  },
  {
    work: 'diff, 2 x 1M',
    ours: ['diff', a1, b1],
    reference: 'CPython 2 loads + compare_to',
    ref: pyDiff(a1, b1),
    targets: [faster(4), rssAtMost(0.5)],
  },
  {
    work: 'stats, 5M-block dump',
    ours: ['stats', a5],
    reference: 'CPython load + statistics',
    ref: pyStats(a5),
    targets: [faster(10)],
  },
  {
    work: 'diff, 2 x 5M',
    ours: ['diff', a5, b5],
    reference: 'CPython 2 loads + compare_to',
    ref: pyDiff(a5, b5),
    targets: [faster(10)],
  },
  {
    work: `info, mprof .dat of ${DAT_SAMPLES / 1000}k samples`,
    ours: ['info', dat],
    reference: '`mprof peak`',
    ref: [MPROF_PY, '-m', 'mprof', 'peak', dat],
    targets: [faster(2), rssAtMost(1)],
  },
  {
    work: `leaks, 11 captures (${firstTraces}-${lastTraces} traces)`,
    ours: ['leaks', ...series, '--no-source'],
    reference: 'CPython first + last load + compare_to',
    ref: pyDiff(series[0], series[10]),
    targets: [faster(1)],
  },
  {
    // The same largest captures on both sides, so only the number of captures differs.
    work: 'leaks, 11 captures (memory flat)',
    ours: ['leaks', ...series, '--no-source'],
    reference: 'leaks of captures 1, 6, 11',
    ref: [...CLI, 'leaks', series[0], series[5], series[10], '--no-source'],
    targets: [rssAtMost(1.2)],
  },
  {
    work: 'replay, 2 x 1M',
    ours: ['replay', a1, b1],
    reference: 'info of the same 2 dumps',
    ref: [...CLI, 'info', a1, b1],
    targets: [timeAtMost(1.5), rssAtMost(2)],
  },
  {
    work: `report, 2 x 1M + the .dat`,
    ours: ['report', a1, b1, dat, '-o', 'bench/out/targets-report.html'],
    reference: 'replay of the 2 dumps',
    ref: [...CLI, 'replay', a1, b1],
    targets: [timeAtMost(1.5)],
  },
];

function hasMprof() {
  try {
    execFileSync(MPROF_PY, ['-c', 'import mprof'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ratio = (t) => (t >= 1 ? `${t.toFixed(2)}x slower` : `${(1 / t).toFixed(2)}x faster`);
const meets = (c, v) => (c.strict ? v < c.max : v <= c.max);
const os = readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="(.*)"/)?.[1] ?? 'unknown OS';
const python = execFileSync(PY, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();
console.log(
  `${new Date().toISOString().slice(0, 10)}; ${cpus().length} x ${cpus()[0].model}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, ${os}; node ${process.version}; CPython ${python}; ` +
    `${RUNS} alternating runs each: median wall time, largest peak RSS` +
    `${RUNS < 5 ? ' (fewer than 5: not for the record)' : ''}\n`,
);
console.log('| work | arenascope s | MiB | reference | s | MiB | time | RSS | target | met |');
console.log('|---|---:|---:|---|---:|---:|---:|---:|---|---|');
const mprof = hasMprof();
const picked = process.argv.slice(2);
const rows = picked.length ? ROWS.filter((r) => picked.some((w) => r.work.startsWith(w))) : ROWS;
let met = 0;
for (const r of rows) {
  if (r.ref[0] === MPROF_PY && !mprof) {
    const note = `${r.reference}: not found for ${MPROF_PY} (python3-memory-profiler)`;
    row([r.work, '', '', note, ...Array(6).fill('')]);
    continue;
  }
  const [ours, ref] = alternate([...CLI, ...r.ours], r.ref);
  const t = ours.seconds / ref.seconds;
  const m = ours.rssMiB / ref.rssMiB;
  const failed = r.targets.filter((c) => !meets(c, c.what === 'time' ? t : m));
  if (failed.length === 0) met++;
  const verdict = failed.length ? `FAIL (${failed.map((c) => c.what).join(', ')})` : 'PASS';
  const cells = [r.work, ours.seconds.toFixed(3), ours.rssMiB.toFixed(1), r.reference, ref.seconds.toFixed(3)];
  cells.push(ref.rssMiB.toFixed(1), ratio(t), `${m.toFixed(2)}x`, r.targets.map((c) => c.label).join(', '), verdict);
  row(cells);
}
console.log(`\n${met} of ${rows.length} rows meet their targets`);
