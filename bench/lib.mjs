// What the benchmark scripts share: the settings from the environment, generating an input once
// (bench/out, never committed), timing a whole process, and alternating two commands.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

export const RUNS = Number(process.env.BENCH_RUNS ?? 5);
export const PY = process.env.PYTHON ?? 'python3';
export const MPROF_PY = process.env.MPROF_PYTHON ?? '/usr/bin/python3';
export const OUT = 'bench/out';
export const CLI = ['node', 'dist/bin/arenascope.cjs'];

/** Prints one row of a Markdown table. */
export const row = (cells) => console.log(`| ${cells.join(' | ')} |`);

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `file` under bench/out, written by `python3 ...generator` (with `file` appended) when missing. */
export function input(file, generator) {
  const path = `${OUT}/${file}`;
  if (!existsSync(path)) {
    mkdirSync(OUT, { recursive: true });
    process.stderr.write(`generating ${path} ...\n`);
    execFileSync(PY, [...generator, path], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return path;
}

/** One run of a whole process: wall seconds, peak RSS (bench/measure.py, getrusage) and exit code. */
export function measure(cmd) {
  return JSON.parse(execFileSync(PY, ['bench/measure.py', ...cmd], { encoding: 'utf8' }));
}

/**
 * Runs two commands `runs` times each, alternating, the first of each pair swapped every run so
 * that neither side always follows the other; gives the median wall time and the largest peak RSS
 * of each. Any other exit code than `codes` is an error: a benchmark of an error message is no
 * benchmark (a gate that fails exits 1, on both sides of bench/gate.mjs).
 */
export function alternate(a, b, codes = [0]) {
  const seen = [[], []];
  for (let i = 0; i < RUNS; i++) {
    for (const side of i % 2 ? [1, 0] : [0, 1]) {
      const cmd = side ? b : a;
      const m = measure(cmd);
      if (!codes.includes(m.code)) throw new Error(`exit code ${m.code}: ${cmd.join(' ')}`);
      seen[side].push(m);
    }
  }
  return seen.map((ms) => ({
    seconds: median(ms.map((m) => m.seconds)),
    rssMiB: Math.max(...ms.map((m) => m.rssMiB)),
  }));
}
