// The long fuzzing campaign (issue 12): `npm run fuzz -- --minutes N [--format F] [--seed S]`.
// Mutates real captures of every format (test/fuzz/: the same seeds, mutations and verdicts as the
// test suite's bounded run), runs each input through the command line in worker processes (a hang
// is killed after --timeout-ms, a crash is seen), and saves every failing input, shrunk, under
// fuzz-out/ with a line of fuzz-out/repro.sh each. It compiles its own copy of src/ and test/fuzz/
// into fuzz-out/build first, so that rebuilding dist/ during a long run changes nothing.
//
// Options: --minutes N (default 5), --format F (one target; repeatable), --seed S (default 1),
// --per-format N (stop a target after N inputs), --jobs J (worker processes, default 1),
// --timeout-ms T (hang bound per input, default 10000), --out DIR (default fuzz-out).
// `--replay` runs the failures an earlier run saved in --out again, on the tree as it is now, and
// says which still fail: for checking fixes.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    format: { type: 'string', multiple: true },
    seed: { type: 'string', default: '1' },
    'per-format': { type: 'string' },
    jobs: { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '10000' },
    out: { type: 'string', default: 'fuzz-out' },
    worker: { type: 'boolean', default: false },
    replay: { type: 'boolean', default: false },
  },
});
const OUT = resolve(ROOT, opt.out);
// Inside the repository whatever --out says: the build finds node_modules from there.
const BUILD = join(ROOT, 'fuzz-out', 'build');
const load = (path) => import(join(BUILD, path));

function compile() {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  const config = {
    extends: '../../tsconfig.json',
    compilerOptions: { rootDir: '../..', outDir: '.', declaration: false },
    include: ['../../src', '../../test/fuzz/*.ts'],
    // The scanner's AssemblyScript source is not TypeScript tsc can compile: built apart, below.
    exclude: ['../../test/fuzz/*.test.ts', '../../src/**/assembly'],
  };
  writeFileSync(join(BUILD, 'tsconfig.json'), JSON.stringify(config));
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(BUILD, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    // tsc still emits: type errors of a tree being edited do not stop a fuzzing run.
    console.log('tsc reported type errors (above); fuzzing what it emitted');
  }
  // The WebAssembly modules, from their sources as they are now, where the compiled code looks for them.
  execFileSync(process.execPath, ['scripts/build-wasm.mjs', join(BUILD, 'dist')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  cpSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  cpSync(join(ROOT, 'src/report/html/assets'), join(BUILD, 'src/report/html/assets'), { recursive: true });
  cpSync(join(ROOT, 'schema'), join(BUILD, 'schema'), { recursive: true });
}

// A worker is this script again, with --worker: it runs command lines from the compiled tree.
const newWorker = (WorkerProcess, timeoutMs) =>
  new WorkerProcess(new URL(import.meta.url).pathname, ['--worker', '--out', OUT], ROOT, timeoutMs);

const INPUT = '@input@';
// What a run writes into OUT besides build/ and tmp/.
const SAVED = /^(?:[a-z-]+-\d+-\d+\.\w+|repro\.sh|results\.json)$/;

async function main() {
  const started = Date.now();
  console.log('compiling src/ and test/fuzz/ into', BUILD);
  compile();
  const fc = (await import('fast-check')).default;
  const { CANARY, loadTargets, prepareDir } = await load('test/fuzz/seeds.js');
  const { caseArb, build } = await load('test/fuzz/cases.js');
  const { judge, PASSING } = await load('test/fuzz/oracle.js');
  const { shrink, signature, table } = await load('test/fuzz/campaign.js');
  const { runCli } = await load('src/cli/run.js');
  const { WorkerProcess } = await load('test/fuzz/worker-process.js');
  const runIn = async (args) => {
    let out = '';
    let err = '';
    const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };

  const minutes = Number(opt.minutes);
  const seed = Number(opt.seed);
  const perFormat = opt['per-format'] ? Number(opt['per-format']) : Number.POSITIVE_INFINITY;
  const timeoutMs = Number(opt['timeout-ms']);
  // Failures of an earlier run go; nothing else in OUT is touched.
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (SAVED.test(f)) rmSync(join(OUT, f));
  const tmp = join(OUT, 'tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await prepareDir(OUT, runIn);
  const all = await loadTargets(runIn, tmp);
  const targets = opt.format ? all.filter((t) => opt.format.includes(t.name)) : all;
  if (!targets.length) throw new Error(`no target named ${opt.format}; targets: ${all.map((t) => t.name).join(', ')}`);

  const workers = [];
  for (let i = 0; i < Number(opt.jobs); i++) {
    const dir = join(tmp, `w${i}`);
    mkdirSync(dir, { recursive: true });
    await prepareDir(dir, runIn);
    // A worker, and the directory its inputs are written to.
    workers.push(Object.assign(newWorker(WorkerProcess, timeoutMs), { dir }));
  }

  const stats = new Map(targets.map((t) => [t.name, { inputs: 0, outcomes: {}, maxMs: 0 }]));
  const failures = new Map(); // signature -> { count, saved: [] }
  const repro = [];
  const deadline = started + minutes * 60_000;
  const batches = new Map(targets.map((t, i) => [t.name, { next: 0, cases: [], seed: seed * 1000 + i }]));
  let inputs = 0;
  const harnessErrors = [];
  let lastReport = Date.now();

  const nextCase = (t) => {
    const b = batches.get(t.name);
    if (!b.cases.length) b.cases = fc.sample(caseArb(t), { seed: b.seed + 7919 * b.next++, numRuns: 200 });
    return b.cases.pop();
  };

  const runOne = async (w, t, data, args, expect) => {
    const path = join(w.dir, `input.${t.ext}`);
    writeFileSync(path, data);
    const r = await w.run(args.map((a) => (a === INPUT ? path : a)));
    const names = [path, ...args.filter((a) => a !== INPUT && a.includes('/'))];
    return { r, v: judge(r, { ...expect, input: data, names }) };
  };

  const fails = (w, t, args, sig) => async (d) => {
    const { v } = await runOne(w, t, d, args, { cutMustShow: false, hostile: false });
    return signature(t.name, v, OUT) === sig;
  };

  const record = async (w, t, data, args, v, built, c) => {
    const sig = signature(t.name, v, OUT);
    const f = failures.get(sig) ?? {
      index: failures.size + 1,
      count: 0,
      kept: 0,
      saved: [],
      target: t.name,
      outcome: v.outcome,
      detail: v.detail,
    };
    failures.set(sig, f);
    f.count++;
    // Three inputs of each failure, numbered before shrinking (other workers may save meanwhile).
    if (f.kept >= 3) return;
    const n = ++f.kept;
    // A cut or a hostile pickle accepted is only that input: keep it whole. A hang costs its timeout per try.
    const keep = v.outcome === 'silent-truncation' || v.outcome === 'hostile-accepted' || v.outcome === 'hang';
    const small = keep ? data : await shrink(data, fails(w, t, args, sig));
    const name = `${t.name}-${v.outcome}-${f.index}-${n}.${t.ext}`;
    writeFileSync(join(OUT, name), small);
    const line = args.map((a) => (a === INPUT ? `${opt.out}/${name}` : a)).join(' ');
    // The case too (seed, mutations, flags): what kind of input it was, before shrinking.
    f.saved.push({ file: `${opt.out}/${name}`, bytes: small.length, seed: built.seed.name, case: c, command: line });
    repro.push(
      `node dist/bin/arenascope.cjs ${line}  # ${t.name} ${v.outcome}: ${v.detail.replace(/\s+/g, ' ').slice(0, 140)}`,
    );
    writeRepro();
  };

  const writeRepro = () =>
    writeFileSync(
      join(OUT, 'repro.sh'),
      `#!/bin/sh\n# Failing inputs of \`npm run fuzz\`; run from the repository root after \`npm run build\`.\n${repro.join('\n')}\n`,
    );

  let turn = 0;
  const loop = async (w) => {
    for (;;) {
      if (Date.now() > deadline) return;
      const open = targets.filter((t) => stats.get(t.name).inputs < perFormat);
      if (!open.length) return;
      const t = open[turn++ % open.length];
      const c = nextCase(t);
      let built;
      try {
        built = build(t, c, INPUT);
      } catch (e) {
        // A fault of the mutators, not of arenascope: counted and passed over, never fatal to a long run.
        harnessErrors.push(`${t.name}: ${e.message} in ${JSON.stringify(c).slice(0, 300)}`);
        continue;
      }
      const expect = { cutMustShow: built.cutMustShow, hostile: built.hostile };
      const run = await runOne(w, t, built.data, built.args, expect);
      const r = run.r;
      let v = run.v;
      // Which capture was cut, and where: one failure per seed.
      if (v.outcome === 'silent-truncation' || v.outcome === 'hostile-accepted')
        v = {
          ...v,
          detail: `${v.detail}: ${built.seed.name} cut to ${built.data.length} of ${built.seed.data.length} bytes`,
        };
      const s = stats.get(t.name);
      s.inputs++;
      inputs++;
      s.maxMs = Math.max(s.maxMs, r.ms ?? 0);
      s.outcomes[v.outcome] = (s.outcomes[v.outcome] ?? 0) + 1;
      if (!PASSING.has(v.outcome)) await record(w, t, built.data, built.args, v, built, c);
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        const min = ((Date.now() - started) / 60_000).toFixed(1);
        console.log(`${min} min, ${inputs} inputs, ${failures.size} distinct failures`);
        writeResults();
      }
    }
  };

  const writeResults = () =>
    writeFileSync(
      join(OUT, 'results.json'),
      JSON.stringify(
        {
          seed,
          minutes,
          elapsedSeconds: (Date.now() - started) / 1000,
          harnessErrors,
          stats: Object.fromEntries(stats),
          failures: [...failures.values()],
        },
        null,
        1,
      ),
    );

  writeRepro();
  await Promise.all(workers.map(loop));
  for (const w of workers) w.stop();
  const canary = existsSync(join(tmp, CANARY));
  writeResults();
  rmSync(tmp, { recursive: true, force: true });
  const elapsed = (Date.now() - started) / 1000;
  console.log(`\n${table(stats)}\n`);
  console.log(`${inputs} inputs in ${(elapsed / 60).toFixed(1)} min (seed ${seed}, ${workers.length} worker(s))`);
  console.log(
    canary
      ? 'THE CANARY FILE EXISTS: a hostile pickle ran a command'
      : 'canary file of the hostile pickles: never created',
  );
  if (failures.size) {
    console.log(`\n${failures.size} distinct failures (saved inputs: ${opt.out}/repro.sh):`);
    for (const f of failures.values()) console.log(`  ${f.count}x ${f.target} ${f.outcome}: ${f.detail.slice(0, 200)}`);
  } else console.log('no failures');
}

// ---- worker: runs command lines in-process, one at a time, for the parent that watches the clock.
async function worker() {
  const { runCli } = await load('src/cli/run.js');
  const { openFds } = await load('test/fuzz/oracle.js');
  process.on('message', async ({ id, args }) => {
    let err = '';
    let outBytes = 0;
    const fds = openFds();
    const t = performance.now();
    const code = await runCli(args, {
      out: (s) => {
        outBytes += s.length;
      },
      err: (s) => {
        if (err.length < 1 << 20) err += s;
      },
    });
    const ms = performance.now() - t;
    // Let closes that were scheduled run before counting what is still open.
    await new Promise((r) => setImmediate(r));
    const leakedFds = fds === null ? 0 : Math.max(0, openFds() - fds);
    process.send({ id, code, err, outBytes, ms, leakedFds });
  });
  process.send({ ready: true });
}

if (opt.worker) await worker();
else if (opt.replay) await replay();
else await main();

async function replay() {
  compile();
  const { judge, PASSING } = await load('test/fuzz/oracle.js');
  const { loadTargets } = await load('test/fuzz/seeds.js');
  const { expectOf } = await load('test/fuzz/cases.js');
  const { runCli } = await load('src/cli/run.js');
  const results = JSON.parse(readFileSync(join(OUT, 'results.json'), 'utf8'));
  const tmp = join(OUT, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const targets = await loadTargets((args) => runCli(args, { out() {}, err() {} }).then((code) => ({ code })), tmp);
  const { WorkerProcess } = await load('test/fuzz/worker-process.js');
  const w = newWorker(WorkerProcess, Number(opt['timeout-ms']));
  let still = 0;
  let saved = 0;
  for (const f of results.failures) {
    for (const s of f.saved) {
      saved++;
      // The input where it is now (in OUT), whatever directory the run that saved it wrote to.
      const file = join(OUT, basename(s.file));
      const args = s.command.split(' ').map((a) => (a === s.file ? file : a));
      const r = await w.run(args);
      const input = readFileSync(file);
      // What it must show, from its seed (the rules may have changed since it was saved).
      const t = targets.find((x) => x.name === f.target);
      const seed = t?.seeds.find((x) => x.name === s.seed);
      const expect = seed
        ? expectOf(t, seed, input)
        : { cutMustShow: f.outcome === 'silent-truncation', hostile: f.outcome === 'hostile-accepted' };
      const names = args.filter((a) => a.includes('/'));
      const v = judge(r, { ...expect, input, names });
      const fails = !PASSING.has(v.outcome);
      if (fails) still++;
      const now = fails
        ? `STILL ${v.outcome}: ${v.detail}`
        : `now ${v.outcome}${r.err ? `: ${r.err.split('\n')[0]}` : ''}`;
      console.log(`${f.target} ${f.outcome}: ${args.join(' ')}\n  ${now.replace(/\p{Cc}/gu, '?').slice(0, 240)}`);
    }
  }
  w.stop();
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\n${still} of ${saved} saved inputs still fail`);
}
