// The inputs fuzzing starts from: small real captures of every format arenascope reads (fixtures/),
// the JSON it writes itself (snapshots, series, baselines) made from them, and gate configs; with
// the commands each target is run through. Shared by inputs.test.ts and scripts/fuzz.mjs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FileKind } from './structured.js';

/** When a cut of the seed must show (an error or a warning): the writer always finishes these records. */
export type CutRule =
  /** Every cut: the writer finishes the whole file (a pickle's STOP, a JSON document, a gzip member, a report). */
  | 'whole'
  /** A cut inside a line: the writer finishes each line (mprof, memray CSV). */
  | 'mid-line'
  /** A cut inside a table row of a memory_profiler report. */
  | 'mid-row'
  /**
   * Every cut of a `sys._debugmallocstats()` report but one just after its Total line, where the
   * reports PYTHONMALLOCSTATS prints end (they have no free lists).
   */
  | 'allocator'
  /** A log: nothing is known of how it ends. */
  | 'none';

export interface Seed {
  readonly name: string;
  readonly data: Buffer;
  readonly cut: CutRule;
  /** A hostile pickle, which must stay refused: what refusing it names, and bytes only it holds. */
  readonly hostile?: { readonly refusal: string; readonly marker: string };
  /** For a baseline: the current captures it is compared with. */
  readonly current?: string;
}

export interface Target {
  readonly name: string;
  readonly kind: FileKind;
  /** Its files are gzip-compressed: mutations apply to the content and to gzip's own bytes. */
  readonly gzip: boolean;
  readonly ext: string;
  readonly seeds: readonly Seed[];
  /** Command lines that read the file `f` (of seed `s`). */
  readonly commands: readonly ((f: string, s: Seed) => string[])[];
}

export type Run = (args: string[]) => Promise<{ code: number; out: string; err: string }>;

const file = (path: string, cut: CutRule, hostile?: Seed['hostile']): Seed => ({
  name: path,
  data: readFileSync(path),
  cut,
  hostile,
});
const files = (paths: string[], cut: CutRule): Seed[] => paths.map((p) => file(p, cut));

// Hostile pickles (fixtures/make_bad_inputs.py, fixtures/parity/make_parity.py): what refuses them, and
// the bytes of their call (a mutation that removes them leaves a pickle that is no longer hostile).
const HOSTILE: readonly [string, Seed['hostile']][] = [
  ['fixtures/bad/os-system.pickle', { refusal: 'posix.system', marker: 'system' }],
  ['fixtures/bad/builtins-eval-proto2.pickle', { refusal: '__builtin__.eval', marker: 'eval' }],
  ['fixtures/bad/snapshot-with-eval.pickle', { refusal: 'builtins.eval', marker: 'eval' }],
  ['fixtures/bad/reduce-snapshot.pickle', { refusal: 'REDUCE', marker: ')R' }],
  ['fixtures/parity/foreign/hostile-dict.pickle', { refusal: 'posix.system', marker: 'system' }],
];

const DUMPS = [
  'fixtures/parity/shared/py311-a.pickle',
  'fixtures/parity/shared/py313-b.pickle',
  'fixtures/parity/shared/py311-proto2.pickle',
  'fixtures/parity/shared/py36-a.pickle',
  'fixtures/parity/shared/py38-b.pickle',
  'fixtures/parity/order/twin-py37.pickle',
  'fixtures/dumps/py311-empty.pickle',
  'fixtures/leaks/memo_leak/snap-2.pickle',
  'fixtures/gate/leaky/snap-1.pickle',
  'fixtures/parity/tree/tree.pickle',
];

/** The file a canary pickle's command would create, in the directory inputs are written to. */
export const CANARY = 'pwned';

const u32 = (n: number): Buffer => Buffer.from(new Uint32Array([n]).buffer);
const binunicode = (s: string): Buffer =>
  Buffer.concat([Buffer.from([0x58]), u32(Buffer.byteLength(s)), Buffer.from(s)]);
const short = (s: string): Buffer => Buffer.concat([Buffer.from([0x8c, s.length]), Buffer.from(s)]);
const CALL = Buffer.from([0x85, 0x52, 0x2e]); // TUPLE1 REDUCE STOP

/** Pickles that would create the canary if anything unpickled them: protocol 0, 2 (GLOBAL) and 4 (STACK_GLOBAL). */
function canaries(dir: string): Seed[] {
  const cmd = `touch ${join(dir, CANARY)}`;
  const p4 = Buffer.concat([
    short('builtins'),
    short('exec'),
    Buffer.from([0x93]),
    binunicode(`__import__('os').system('${cmd}')`),
    CALL,
  ]);
  const frame = Buffer.alloc(8);
  frame.writeBigUInt64LE(BigInt(p4.length));
  const data = [
    Buffer.from(`cos\nsystem\n(S'${cmd}'\ntR.`),
    Buffer.concat([Buffer.from('\x80\x02cposix\nsystem\n', 'latin1'), binunicode(cmd), CALL]),
    Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), frame, p4]),
  ];
  // Protocol 0 is not read at all; the others are refused at their global.
  const hostile = [
    { refusal: 'not a format arenascope reads', marker: 'system' },
    { refusal: 'posix.system', marker: 'system' },
    { refusal: 'builtins.exec', marker: 'exec' },
  ];
  return data.map((d, i) => ({ name: `canary-${i}.pickle`, data: d, cut: 'whole', hostile: hostile[i] }));
}

/** A companion every command may name: the valid baseline gate configs point at. */
export const BASELINE_NAME = 'base.json';

/** Writes what configs refer to (BASELINE_NAME) into the directory fuzzed inputs are written to. */
export async function prepareDir(dir: string, run: Run): Promise<void> {
  const r = await run(['baseline', 'fixtures/gate/steady', '-o', join(dir, BASELINE_NAME)]);
  if (r.code !== 0) throw new Error(`cannot write the baseline: ${r.err}`);
}

async function made(run: Run, dir: string, name: string, args: string[], cut: CutRule): Promise<Seed> {
  const out = join(dir, name);
  const r = await run([...args, '-o', out]);
  if (r.code !== 0) throw new Error(`cannot make seed ${name}: ${r.err}`);
  return { name, data: readFileSync(out), cut };
}

const CONFIGS = [
  {
    maxTotalGrowth: '10%',
    maxSiteGrowth: '256KiB',
    maxLeaks: 0,
    ignore: ['*/site-packages/*'],
    baseline: BASELINE_NAME,
  },
  {
    $schema: './node_modules/arenascope/schema/arenascope-config.schema.json',
    maxPeak: '512MiB',
    maxPeakGrowth: '5%',
    minLeakConfidence: 0.5,
    maxFragmentation: 0.1,
    baseline: [BASELINE_NAME],
  },
  { maxPeak: 1073741824, maxLeaks: 3, minLeakConfidence: 0.9 },
];

/** Every target: a format (or gzip, or a JSON file the gate reads) with its seeds and commands. */
export async function loadTargets(run: Run, dir: string): Promise<Target[]> {
  const pickles = [...files(DUMPS, 'whole'), ...HOSTILE.map(([p, h]) => file(p, 'whole', h)), ...canaries(dir)];
  const json = await Promise.all([
    made(run, dir, 'snap-a.json', ['convert', DUMPS[0]!, '--to', 'json'], 'whole'),
    made(run, dir, 'snap-b.json', ['convert', 'fixtures/leaks/memo_leak/snap-3.pickle', '--to', 'json'], 'whole'),
    made(run, dir, 'series.json', ['convert', 'fixtures/leaks/cycles_transient', '--to', 'json'], 'whole'),
  ]);
  const baselines = await Promise.all([
    made(run, dir, 'baseline-a.json', ['baseline', 'fixtures/gate/steady'], 'whole'),
    made(run, dir, 'baseline-b.json', ['baseline', 'fixtures/mprof/plain.dat'], 'whole'),
  ]);
  const mprof = files(
    ['fixtures/mprof/plain.dat', 'fixtures/mprof/funcs.dat', 'fixtures/mprof/children.dat', 'fixtures/mprof/multi.dat'],
    'mid-line',
  );
  const gzipped = [
    {
      name: 'fixtures/dumps/py311-inventory-b.pickle.gz',
      data: readFileSync('fixtures/dumps/py311-inventory-b.pickle.gz'),
      cut: 'whole' as const,
    },
    ...[pickles[0]!, pickles[2]!, json[0]!, mprof[0]!].map((s) => ({
      ...s,
      name: `${s.name}.gz`,
      data: gzipSync(s.data),
      cut: 'whole' as const,
    })),
  ];
  const snapshotCommands = [
    (f: string) => ['stats', f],
    (f: string) => ['info', f],
    (f: string) => ['stats', f, '-g', 'traceback', '--no-source'],
    (f: string) => ['diff', DUMPS[0]!, f],
    (f: string) => ['leaks', DUMPS[0]!, DUMPS[1]!, f, '--no-source'],
    (f: string) => ['convert', f, '--to', 'json'],
    // The pymalloc model: every block of the input becomes work (bounded: compare.ts, replay.ts).
    (f: string) => ['replay', DUMPS[0]!, f],
  ];
  return [
    { name: 'pickle', kind: 'pickle', gzip: false, ext: 'pickle', seeds: pickles, commands: snapshotCommands },
    { name: 'gzip', kind: 'pickle', gzip: true, ext: 'gz', seeds: gzipped, commands: snapshotCommands },
    { name: 'arenascope-json', kind: 'json', gzip: false, ext: 'json', seeds: json, commands: snapshotCommands },
    {
      name: 'memray-csv',
      kind: 'text',
      gzip: false,
      ext: 'csv',
      seeds: [file('fixtures/memray/memray-app.csv', 'mid-line')],
      commands: snapshotCommands,
    },
    {
      name: 'mprof',
      kind: 'text',
      gzip: false,
      ext: 'dat',
      seeds: mprof,
      commands: [(f) => ['info', f], (f) => ['leaks', f], (f) => ['gate', f, '--max-peak', '1GiB']],
    },
    {
      name: 'line-report',
      kind: 'text',
      gzip: false,
      ext: 'txt',
      seeds: files(
        [
          'fixtures/mprof/report-p1.txt',
          'fixtures/line-reports/real/mp0.10-py27.txt',
          'fixtures/line-reports/real/mp0.4-py27.txt',
          'fixtures/line-reports/real/mp0.61-mprun-T.txt',
          'fixtures/line-reports/variants/table-only-0.58-p2.txt',
          'fixtures/line-reports/variants/tabs-0.48-p5.txt',
          'fixtures/line-reports/variants/crlf-0.61-p5.txt',
          'fixtures/line-reports/wrapped/fold70.txt',
        ],
        'mid-row',
      ),
      commands: [(f) => ['info', f], (f) => ['leaks', f]],
    },
    {
      name: 'allocator-stats',
      kind: 'text',
      gzip: false,
      ext: 'txt',
      seeds: [
        ...files(
          ['fixtures/mallocstats/py311-debugmallocstats.txt', 'fixtures/mallocstats/py38-debugmallocstats.txt'],
          'allocator',
        ),
        ...files(
          ['fixtures/mallocstats/pasted/py313-terminal.txt', 'fixtures/mallocstats/py313-mallocstats-env.log'],
          'none',
        ),
      ],
      commands: [
        (f) => ['info', f],
        (f) => ['gate', f, '--max-fragmentation', '0.1'],
        (f) => ['replay', DUMPS[0]!, f],
        (f) => ['replay', f], // reports alone: their own measure
      ],
    },
    {
      name: 'tracemalloc-text',
      kind: 'text',
      gzip: false,
      ext: 'log',
      seeds: files(['fixtures/text/app.log', 'fixtures/text/service.log', 'fixtures/text/logging/py313.log'], 'none'),
      commands: [(f) => ['info', f], (f) => ['stats', f], (f) => ['leaks', f, '--no-source']],
    },
    {
      name: 'baseline',
      kind: 'json',
      gzip: false,
      ext: 'json',
      seeds: [
        { ...baselines[0]!, current: 'fixtures/gate/leaky' },
        { ...baselines[1]!, current: 'fixtures/leaks/mprof/leak.dat' },
      ],
      commands: [
        (f, s) => ['gate', s.current!, '--baseline', f, '--max-total-growth', '10%', '--max-site-growth', '1MiB'],
        (f, s) => ['gate', s.current!, '--baseline', f, '--max-peak-growth', '5%', '--max-leaks', '9'],
      ],
    },
    {
      name: 'gate-config',
      kind: 'json',
      gzip: false,
      ext: 'json',
      seeds: CONFIGS.map((c, i) => ({
        name: `config-${i}.json`,
        data: Buffer.from(JSON.stringify(c, null, 2)),
        cut: 'whole',
      })),
      commands: [
        (f) => ['gate', 'fixtures/gate/steady', '--config', f],
        (f) => ['gate', 'fixtures/gate/leaky', '--config', f, '--json'],
      ],
    },
  ];
}
