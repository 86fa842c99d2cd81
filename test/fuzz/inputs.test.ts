// Fuzz properties of every input arenascope reads (issue 12): real captures of each format, and the
// JSON files the gate reads, mutated (bit flips, ranges inserted, deleted and repeated, cuts at every
// kind of boundary, splices, numeric extremes, deep nesting, huge declared lengths, 1 MiB lines, NUL,
// BOM, CRLF, invalid UTF-8) and run through the command line. A bounded smoke run with a fixed seed:
// FUZZ_RUNS scales it (runs per target), FUZZ_SEED changes it; `npm run fuzz` is the long campaign.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { type Built, build, type Case, caseArb } from './cases.js';
import { known } from './known.js';
import { type Boundary, type Mutation, NUMBERS } from './mutate.js';
import { judge, openFds, PASSING, type Verdict } from './oracle.js';
import { CANARY, loadTargets, prepareDir, type Target } from './seeds.js';
import { JSON_VALUES } from './structured.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 12);
/** A hang detector, not a speed limit: the slowest input of the smoke run takes well under a second. */
const HANG_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'arenascope-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => cli(...args);
await prepareDir(dir, run);
const targets = await loadTargets(run, dir);
const INPUT = '@input@';
let n = 0;

/** Writes a built input, runs its command line (with a hang bound) and judges the run. */
async function verdictOf(t: Target, b: Built): Promise<Verdict> {
  const path = join(dir, `in-${n++}.${t.ext}`);
  writeFileSync(path, b.data);
  const args = b.args.map((a) => (a === INPUT ? path : a));
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), HANG_MS);
  });
  const fds = openFds();
  const t0 = performance.now();
  const r = await Promise.race([cli(...args), hang]).finally(() => clearTimeout(timer));
  const slow = performance.now() - t0 > HANG_MS;
  await new Promise((done) => setImmediate(done));
  const leakedFds = fds === null ? 0 : Math.max(0, openFds()! - fds);
  rmSync(path, { force: true });
  const names = [path, ...args.filter((a) => a !== path && a.includes('/'))];
  const run = r && !slow ? { ...r, leakedFds } : { code: null, err: '', timedOut: true };
  const v = judge(run, { ...b, input: b.data, names });
  expect(existsSync(join(dir, CANARY)), 'a hostile pickle ran a command').toBe(false);
  return v;
}

/** Passes when the verdict passes, or is a failure already known (listed in known.ts with its bug). */
function expectPassing(t: Target, v: Verdict, what: () => string): void {
  if (PASSING.has(v.outcome) || known(t.name, v)) return;
  expect.fail(`${t.name}: ${v.outcome}: ${v.detail}\n  input: ${what()}`);
}

const runCase = async (t: Target, c: Case): Promise<void> => {
  const b = build(t, c, INPUT);
  expectPassing(t, await verdictOf(t, b), () => `${JSON.stringify(c).slice(0, 600)} (${b.data.length} bytes)`);
};

const pickleNamed: [string, Mutation[]][] = [
  ['BINUNICODE declaring 2**31 bytes', [{ op: 'pickle-widen', pick: 500_000, value: 0, fixFrame: true }]],
  ['FRAME declaring 2**63 bytes', [{ op: 'pickle-field', pick: 0, value: 5, opcode: 0x95 }]],
  ['lists nested 100,000 deep', [{ op: 'pickle-nest', pick: 500_000, depth: 100_000, how: 'nested' }]],
  ['an integer of 2**63', [{ op: 'pickle-int', pick: 500_000, value: 0, fixFrame: true }]],
  ['a size of NaN', [{ op: 'pickle-int', pick: 500_000, value: 8, fixFrame: true }]],
];
const textNamed: [string, Mutation[]][] = [
  ['CRLF', [{ op: 'line-ends', style: 'crlf' }]],
  ['a 1 MiB line', [{ op: 'long-line', pick: 500_000, fill: 0 }]],
  ...['1e308', '-1e20', 'NaN', 'Infinity', '-Infinity', '9223372036854775808'].map((v): [string, Mutation[]] => [
    `a number written as ${v}`,
    [{ op: 'number', pick: 700_000, value: NUMBERS.indexOf(v) }],
  ]),
];
const deep = JSON_VALUES.findIndex((v) => v.startsWith('[[[['));
const jsonNamed: [string, Mutation[]][] = [
  ['a value nested 100,000 deep', [{ op: 'json-value', pick: 300_000, value: deep }]],
];

describe.each(targets)('$name', (t) => {
  it('mutated captures exit 0, 1 or 2; an error is one line naming the file and the place', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(t), (c) => runCase(t, c)),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  // The mutations the issue names, each on every seed, read with and without --allow-partial.
  const cuts: Boundary[] =
    t.kind === 'pickle' ? ['any', 'pickle-op'] : ['any', 'line', 'mid-line', 'mid-number', 'mid-utf8'];
  const named: [string, Mutation[]][] = [
    ...cuts.flatMap((boundary) =>
      [0, 500_000, 999_999].map((pick): [string, Mutation[]] => [
        `cut (${boundary}, ${pick})`,
        [{ op: 'truncate', boundary, pick }],
      ]),
    ),
    ['a bit flipped', [{ op: 'flip', at: 500_000, mask: 0x10 }]],
    ['NUL', [{ op: 'insert', at: 400_000, token: 0 }]],
    ['BOM', [{ op: 'bom', utf16: false }]],
    ['invalid UTF-8', [{ op: 'insert', at: 300_000, token: 9 }]],
    ['a spliced tail', [{ op: 'splice', other: 1, at: 600_000, from: 300_000 }]],
    ...(t.kind === 'pickle' ? pickleNamed : textNamed),
    ...(t.kind === 'json' ? jsonNamed : []),
  ];
  it.each(named)('%s', async (_label, mutations) => {
    for (let seed = 0; seed < t.seeds.length; seed++) {
      for (const flags of [[], ['--allow-partial']]) {
        await runCase(t, { seed, mutations, gz: [], command: seed, flags });
      }
    }
  });
});

const target = (name: string): Target => targets.find((t) => t.name === name)!;

describe('hostile pickles', () => {
  const pickle = target('pickle');
  const hostile = pickle.seeds.flatMap((s, seed) => (s.hostile ? [{ name: s.name, seed, ...s.hostile }] : []));

  it.each(hostile)('$name stays refused by every command, naming what it calls, and runs nothing', async (h) => {
    for (let command = 0; command < pickle.commands.length; command++) {
      const b = build(pickle, { seed: h.seed, mutations: [], gz: [], command, flags: [] }, INPUT);
      const path = join(dir, `hostile.${pickle.ext}`);
      writeFileSync(path, b.data);
      const r = await cli(...b.args.map((a) => (a === INPUT ? path : a)));
      expect(r.code).toBe(2);
      expect(r.err).toContain(h.refusal);
      expect(existsSync(join(dir, CANARY))).toBe(false);
    }
  });
});

describe('cut at every byte', () => {
  // A dump and its gzip member end where their writer finished them: every cut is an error naming
  // the byte, or with --allow-partial what was read and a warning.
  it.each(['pickle', 'gzip'])('%s: every cut of a small dump shows', async (name) => {
    const t = target(name);
    const seed = t.seeds.findIndex((s) => s.name.startsWith('fixtures/parity/shared/py311-a.pickle'));
    const whole = t.seeds[seed]!.data;
    for (let cut = 0; cut < whole.length; cut++) {
      for (const flags of [[], ['--allow-partial']]) {
        const b = build(t, { seed, mutations: [], gz: [], command: 0, flags }, INPUT);
        const v = await verdictOf(t, { ...b, data: whole.subarray(0, cut), cutMustShow: true });
        expectPassing(t, v, () => `${t.seeds[seed]!.name} cut at byte ${cut} ${flags.join(' ')}`);
      }
    }
  });
});
