// The replay command as a user runs it: the documented JSON, one capture, bad matching.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const series = [
  'fixtures/leaks/lru_plateau/snap-1.pickle',
  'fixtures/leaks/lru_plateau/snap-5.pickle',
  'fixtures/leaks/lru_plateau/snap-9.pickle',
];

describe('replay', () => {
  it('--json: the documented figures for each order and capture', async () => {
    const r = await cli('replay', ...series, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      python: string;
      arenaSize: number;
      poolSize: number;
      captures: Record<string, Record<string, unknown> | null>[];
    };
    expect([j.python, j.arenaSize, j.poolSize]).toEqual(['3.11', 1 << 20, 16 << 10]);
    expect(j.captures).toHaveLength(3);
    for (const c of j.captures) {
      expect(c.real).toBeNull();
      for (const order of ['compact', 'scattered']) {
        for (const k of [
          'arenas',
          'arenasHighwater',
          'poolsUsed',
          'poolsFull',
          'poolsEmpty',
          'bytesInAllocatedBlocks',
          'utilization',
          'pinnedArenas',
          'pinningSites',
        ]) {
          expect(c[order]).toHaveProperty(k);
        }
      }
    }
  });

  it('one capture: fragmentation cannot be seen from it, and says so', async () => {
    const r = await cli('replay', series[0]!);
    expect(r.out).toContain('Fragmented: unknown (fragmentation cannot be seen from one capture');
  });

  it('--mallocstats prints the model in the layout of sys._debugmallocstats()', async () => {
    const r = await cli('replay', ...series, '--mallocstats', '--python', '3.8');
    expect(r.out).toContain('Small block threshold = 512, in 32 size classes.');
    expect(r.out).toMatch(/\d+ arenas \* 262144 bytes\/arena {2,}=/);
  });

  it('allocator stats that do not match the captures: a clear error', async () => {
    const r = await cli('replay', ...series, '--allocator-stats', 'fixtures/mallocstats/py311-debugmallocstats.txt');
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'no allocator report paired with the 3 captures: 1 allocator-stats file holding 1 report ' +
        '(fixtures/mallocstats/py311-debugmallocstats.txt)',
    );
  });
});

describe('replay bounds what an input can make it do (fuzz findings)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-replay-bounds-'));

  it('an allocator report whose table claims billions of blocks is not started from: a warning, exit 0', async () => {
    // CPython's own report, with one size class's blocks in use set beyond what its totals allow.
    const text = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8').replace(
      /^( +9 +\d+ +\d+ +)\d+/m,
      (_m, head: string) => `${head}4294967296`,
    );
    const stats = join(dir, 'stats.txt');
    writeFileSync(stats, text);
    const r = await cli('replay', 'fixtures/parity/shared/py311-a.pickle', '--allocator-stats', stats, '--lenient');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('more than its own totals allow: the model starts empty');
  });

  it('a capture of more blocks than the model holds is an input error naming it', async () => {
    const json = join(dir, 'a.json');
    await cli('convert', 'fixtures/dumps/py311-inventory-a.pickle', '--to', 'json', '-o', json);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { traces: number[][] };
    // 2^28 blocks: beyond the model's 2^27, and (of a few bytes each) far below 2^53 bytes in all.
    doc.traces[0]![3] = 2 ** 28;
    writeFileSync(json, JSON.stringify(doc));
    const r = await cli('replay', json);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^arenascope: ${json}: 268\\d{6} blocks: more than the pymalloc model replays`));
  });
});

describe('the pymalloc modelled when none is named: what the dumps say of their CPython', () => {
  const pair = (v: string) => [`fixtures/dumps/${v}-inventory-a.pickle`, `fixtures/dumps/${v}-inventory-b.pickle`];
  type Replay = { python: string; arenaSize: number; assumptions: string[] };
  const replayOf = async (...args: string[]) => JSON.parse((await cli('replay', ...args, '--json')).out) as Replay;

  it('3.8 for dumps of 3.8 and of 3.6-3.7, 3.11 for 3.9 and later; each said as assumed', async () => {
    const py38 = await replayOf(...pair('py38'));
    expect([py38.python, py38.arenaSize]).toEqual(['3.8', 256 * 1024]);
    expect(py38.assumptions[0]).toBe(
      'the pymalloc of CPython 3.8, as its dumps say (3-item traces, pickle protocol 5); --python names another',
    );
    const py37 = await replayOf(...pair('py37'));
    expect(py37.python).toBe('3.8');
    // 3.6.15 and 3.7.16 (the last releases) report 32 size classes of 16 bytes, as 3.8.
    expect(py37.assumptions[0]).toMatch(/for dumps of CPython 3\.6 or 3\.7 .*pickle protocol 4.*have 3\.8.s geometry/);
    const py311 = await replayOf(...pair('py311'));
    expect(py311.python).toBe('3.11');
    expect(py311.assumptions[0]).toBe(
      "the pymalloc of CPython 3.11, as its dumps' tracebacks name its library (lib/python3.11/); --python names another",
    );
    // Tracebacks in the program alone: its layout only.
    const shallow = await replayOf('fixtures/dumps/py313-domains.pickle');
    expect([shallow.python, shallow.assumptions[0]]).toEqual([
      '3.11',
      expect.stringMatching(/for dumps of 3\.9 or later \(4-item traces\)/),
    ]);
    // And tracemalloc.py, which took the snapshot: its CPython's (h382).
    const tree = await replayOf('fixtures/dumps/py313-tree.pickle');
    expect(tree.python).toBe('3.13');
    // (--order given: two interpreters' captures are no series otherwise.)
    const mixed = await replayOf(pair('py38')[0]!, pair('py311')[1]!, '--order', 'given');
    expect(mixed.assumptions[0]).toMatch(/before and after 3\.9/);
    const named = await replayOf(...pair('py38'), '--python', '3.11');
    expect(named.python).toBe('3.11');
    expect(named.assumptions.join()).not.toMatch(/the pymalloc of/);
  });

  // Dumps of 3.9 and later have one layout: a 3.9 run's, modelled as 3.11, had its arenas counted in 1 MiB
  // where 3.9's are 256 KiB ("24 arenas pinned" of a run holding 103 by its own reports; h317). The
  // library its tracebacks name says which (fixtures/pymalloc/library-named: make.sh, CPython 3.9 and 3.12).
  // py39-tracemalloc-only: no library file but tracemalloc.py, the module that took the snapshots,
  // modelled as 3.11's (h382).
  it.each([
    ['py39', '3.9', 256 * 1024],
    ['py312', '3.12', 1024 * 1024],
    ['py39-tracemalloc-only', '3.9', 256 * 1024],
  ])('%s dumps naming lib/pythonX.Y/: that CPython, said as assumed', async (v, python, arenaSize) => {
    const D = 'fixtures/pymalloc/library-named';
    const r = await replayOf(`${D}/${v}-a.pickle`, `${D}/${v}-b.pickle`);
    expect([r.python, r.arenaSize]).toEqual([python, arenaSize]);
    expect(r.assumptions[0]).toContain(`as its dumps' tracebacks name its library (lib/python${python}/)`);
  });

  // A 3.12 program's own package under a folder named lib/python3.9/ (vendored) is no library of 3.9: it
  // was modelled as 3.9's 256 KiB arenas, 4x the 3.12 interpreter's own report (h322). Its tracemalloc.py,
  // which took the snapshot, names its own CPython.
  it("a program's own code under lib/python3.9/ names no library: its tracemalloc.py's CPython", async () => {
    const D = 'fixtures/pymalloc/library-named';
    const r = await replayOf(`${D}/py312-vendored-a.pickle`, `${D}/py312-vendored-b.pickle`);
    expect([r.python, r.arenaSize]).toEqual(['3.12', 1024 * 1024]);
    expect(r.assumptions[0]).toContain('(lib/python3.12/)');
  });

  // `--python 3.6`, which stats, diff and leaks take for 3.6's dumps, was refused by replay with yargs'
  // list of choices (h294): 3.6 and 3.7 are 3.8's geometry, named as asked.
  it('--python 3.6 and 3.7 are taken: the geometry of 3.8, under their name', async () => {
    for (const v of ['3.6', '3.7']) {
      const r = await replayOf(...pair('py37'), '--python', v);
      expect([r.python, r.arenaSize]).toEqual([v, 256 * 1024]);
    }
  });

  // fixtures/pymalloc/kept: CPython 3.8's dumps and reports (256 KiB arenas). With --python 3.12 the
  // reports' 26 arenas stood beside the model's 1 MiB ones, "above" them, and chose its pinning order.
  it("reports of another arena size than --python's model are another build's: an error with the flag, else not used", async () => {
    const dir = 'fixtures/pymalloc/kept';
    const snaps = [1, 2, 3].map((i) => `${dir}/snap-${i}.pickle.gz`);
    for (const command of [['replay'], ['gate', '--max-fragmentation', '0.5']]) {
      const r = await cli(...command, ...snaps, '--allocator-stats', dir, '--python', '3.12');
      expect(r.code).toBe(2);
      expect(r.err).toContain('the allocator reports have 262144-byte arenas, the model of CPython 3.12 1048576');
    }
    const r = await cli('replay', dir, '--python', '3.12', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain("another build's reports, not used; --python 3.9");
    const replay = JSON.parse(r.out) as { arenaSize: number; captures: { real: unknown }[] };
    expect(replay.arenaSize).toBe(1024 * 1024);
    expect(replay.captures.map((c) => c.real)).toEqual([null, null, null]);
  });

  // Reports of another CPython than the dumps' with arenas of the same size (3.13's beside a 3.12 run) or
  // of 256 KiB beside 3.10+ dumps (which took the model to 3.9): another process's figures, printed as the
  // captures' "real report" and failing the gate on them (h338 F2). The free lists tell which CPython
  // printed a report (fixtures/mallocstats/py3X-debugmallocstats.txt, each CPython's own).
  it.each([
    [
      'py312',
      'py313',
      "the allocator reports' free lists are CPython 3.13 or later's, and the dumps' tracebacks name lib/python3.12/",
    ],
    ['py312', 'py310', "free lists are CPython 3.9-3.10's, and the dumps' tracebacks name lib/python3.12/"],
    ['py39', 'py38', "free lists are CPython 3.8's, and the dumps' tracebacks name lib/python3.9/"],
    ['py39', 'py313', 'the allocator reports have 1048576-byte arenas, the model of CPython 3.9 262144'],
    ['py39', 'py310', 'the allocator reports have 1048576-byte arenas, the model of CPython 3.9 262144'],
    ['py312', 'py39', 'the allocator reports have 262144-byte arenas, the model of CPython 3.12 1048576'],
  ])('%s dumps with the report of %s: not used, an error where asked for', async (dumps, report, said) => {
    const D = 'fixtures/pymalloc/library-named';
    const given = ['--allocator-stats', `fixtures/mallocstats/${report}-debugmallocstats.txt`];
    for (const command of [['replay'], ['gate', '--max-fragmentation', '0.5']]) {
      const r = await cli(...command, `${D}/${dumps}-a.pickle`, ...given);
      expect([r.code, r.err]).toEqual([2, expect.stringContaining(said)]);
      expect(r.err).toContain("another build's reports, not used");
    }
  });

  it.each([
    ['py312', 'py312'],
    ['py312', 'py311'], // 3.11 and 3.12 print the same free lists
    ['py39', 'py39'],
  ])('%s dumps with the report of %s: used', async (dumps, report) => {
    const D = 'fixtures/pymalloc/library-named';
    const r = await cli(
      'replay',
      `${D}/${dumps}-a.pickle`,
      '--allocator-stats',
      `fixtures/mallocstats/${report}-debugmallocstats.txt`,
    );
    expect([r.code, r.err]).toEqual([0, expect.not.stringContaining('not used')]);
    expect(r.out).toMatch(/^Real report, /m);
  });

  // CPython 3.6 prints the free lists 3.7 and 3.8 do: its own reports beside its own dumps were refused
  // as "3.8 or earlier's", another build's (h354 F1). The fixture's last two reports are alike, their
  // captures 1,250 blocks of 537 bytes apart (the system allocator's): no report given twice (F2).
  it("CPython 3.6's own reports beside its dumps are used, each capture's real arenas its report's", async () => {
    const dir = 'fixtures/mallocstats/py36-same-run';
    const snaps = [1, 2, 3, 4, 5].map((i) => `${dir}/snap-${i}.pickle`);
    const reports = [1, 2, 3, 4, 5].map((i) => `${dir}/stats-${i}.txt`);
    const arenas = reports.map((p) =>
      Number(/# arenas allocated current +=\s+(\d+)/.exec(readFileSync(p, 'utf8'))![1]),
    );
    const r = await cli('replay', ...snaps, '--allocator-stats', ...reports, '--json');
    expect([r.code, r.err]).toEqual([0, expect.not.stringContaining('not used')]);
    expect(r.err).not.toContain('one report given for two captures');
    const replay = JSON.parse(r.out) as {
      captures: { real: { arenas: number } | null }[];
      fragmented: { verdict: string };
    };
    expect(replay.captures.map((c) => c.real?.arenas)).toEqual(arenas);
    const gate = await cli('gate', ...snaps, '--allocator-stats', ...reports, '--max-fragmentation', '0.5');
    expect(gate.code).toBe(replay.fragmented.verdict === 'yes' ? 1 : 0);
  });

  // Their free lists' sizes tell 3.6 (frames of 384 bytes) from 3.8 (bound methods of 48): 3.8's report
  // beside 3.6's dumps was used as theirs once 3.6's own were (h355 F4).
  it("CPython 3.8's report beside 3.6's dumps is another build's", async () => {
    const r = await cli(
      'replay',
      'fixtures/mallocstats/py36-same-run/snap-2.pickle',
      '--allocator-stats',
      'fixtures/mallocstats/py38-debugmallocstats.txt',
    );
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining(
        "free lists are CPython 3.8's, and the dumps' tracebacks name lib/python3.6/: another build's reports, not used",
      ),
    ]);
  });

  // Cut before its last line (the 20-sized tuples), 3.12's own report read as no CPython's free lists
  // ("3.11-3.10's") and was refused (h340 F5): cut lists tell nothing.
  it("a report cut before its last free list, read with --allow-partial, is still the dumps' CPython's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-cut-lists-'));
    const text = readFileSync('fixtures/mallocstats/py312-debugmallocstats.txt', 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'stats.txt'), `${text.slice(0, -1).join('\n')}\n`);
    const r = await cli(
      'replay',
      'fixtures/pymalloc/library-named/py312-a.pickle',
      '--allocator-stats',
      join(dir, 'stats.txt'),
      '--allow-partial',
    );
    expect([r.code, r.err]).toEqual([0, expect.not.stringContaining('not used')]);
    expect(r.out).toMatch(/^Real report, /m);
  });

  it("a dump converted to arenascope JSON keeps what it said: the same model as the dump's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-conv-model-'));
    for (const v of ['py37', 'py38', 'py311']) {
      const json = pair(v).map((_, i) => join(dir, `${v}-${i}.json`));
      for (const [i, p] of pair(v).entries())
        expect((await cli('convert', p, '--to', 'json', '-o', json[i]!)).code).toBe(0);
      const fromJson = await replayOf(...json);
      const fromDumps = await replayOf(...pair(v));
      expect([fromJson.python, fromJson.assumptions[0]]).toEqual([fromDumps.python, fromDumps.assumptions[0]]);
    }
  });

  it('report and gate model the same one as replay, and gate takes --python as replay does', async () => {
    const report = JSON.parse((await cli('report', ...pair('py38'), '--format', 'json')).out) as {
      summary: { python: string };
      snapshots: { replay: { python: string } };
    };
    expect([report.summary.python, report.snapshots.replay.python]).toEqual(['3.8', '3.8']);
    const gate = await cli('gate', ...pair('py38'), '--max-fragmentation', '0.9', '--python', '3.11', '--json');
    // (Two dumps without a traced peak: not measured, the check fails; its figure is the replay's still.)
    expect(gate.code).toBeLessThanOrEqual(1);
    const replay = await replayOf(...pair('py38'), '--python', '3.11');
    const g = JSON.parse(gate.out) as { checks: { check: string; measured: number }[] };
    const measured = g.checks.find((c) => c.check === 'max-fragmentation')!.measured;
    expect(measured).toBe(
      (replay as unknown as { fragmentation: { measure: { share: number } } }).fragmentation.measure.share,
    );
  });
});

describe('the same dumps read another way', () => {
  // Gzipped or not (read on the main thread or by a worker), the reader meets a dump's groups in
  // another order; the replay numbered them in that order, and the scattered figures moved.
  it('give the same replay, gzipped or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-replay-gz-'));
    const { gunzipSync } = await import('node:zlib');
    const src = 'fixtures/run-folder/frag-locals/snapshots';
    const names = ['0001', '0002', '0003', '0004'];
    for (const n of names) {
      writeFileSync(join(dir, `${n}.pickle`), gunzipSync(readFileSync(`${src}/${n}.pickle.gz`)));
      for (const side of ['peak', 'time']) copyFileSync(`${src}/${n}.pickle.${side}`, join(dir, `${n}.pickle.${side}`));
    }
    const figures = async (...inputs: string[]) => {
      const r = await cli('replay', '--json', '--order', 'given', ...inputs);
      expect(r.code).toBe(0);
      return (JSON.parse(r.out) as { captures: Record<string, unknown>[] }).captures.map((c) => [
        c.compact,
        c.scattered,
      ]);
    };
    expect(await figures(...names.map((n) => join(dir, `${n}.pickle`)))).toEqual(
      await figures(...names.map((n) => `${src}/${n}.pickle.gz`)),
    );
  });
});

describe('a series beyond what the model holds', () => {
  // Five captures of 130M blocks, each of a group of its own: the model holds every group's blocks at
  // its largest count (650M). The WebAssembly model ran out of its memory (exit 3); it is refused first.
  it('is refused, saying why, before any block is placed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-replay-room-'));
    const frames = [0, 1, 2, 3, 4].map((g) => [`/srv/app/g${g}.py`, 1]);
    const inputs = [0, 1, 2, 3, 4].map((k) => {
      const p = join(dir, `room-${k}.json`);
      const capture = { format: 'arenascope-snapshot', version: 1, source: `room-${k}`, time: null, tracebackLimit: 1 };
      const traces = { frames, tracebacks: frames.map((_, g) => [g]), traces: [[0, k, 64, 130_000_000]] };
      writeFileSync(p, JSON.stringify({ ...capture, traceLayout: '4-tuple', ...traces }));
      return p;
    });
    const r = await cli('replay', ...inputs);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringContaining(
        "the captures' blocks, each group at its largest, add up to 650000000: more than the pymalloc model holds (536870912, 2^29)",
      ),
    ]);
    // The gate answers its other checks (they were refused with it), and says why fragmentation has no figure.
    const peak = await cli('gate', ...inputs, '--max-peak', '100GiB');
    expect(peak.code).toBe(0);
    const frag = await cli('gate', ...inputs, '--max-fragmentation', '0.5');
    expect([frag.code, frag.out]).toEqual([
      1,
      expect.stringContaining(
        "could not be replayed through the pymalloc model (the captures' blocks, each group at its largest, add up to 650000000",
      ),
    ]);
  });
  it('a site of one block in the pinning table is "1 block", not "1 blocks"', async () => {
    // memo_leak.py:8 holds one block in the bundled example's pinned arena.
    const r = await cli('replay', 'fixtures/leaks/memo_leak');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/memo_leak\.py:8 {2}1 block in 1 pinned arena\n/);
    expect(r.out).not.toMatch(/ 1 blocks /);
  });
});

describe('dumps of a heap in its steady state only (fixtures/pymalloc/steady, CPython 3.8)', () => {
  // A cache filled and 29 in 30 evicted before the first dump: the model packs the first capture's
  // blocks as if into an empty heap, and said "Fragmented: no" of a heap CPython holds in 45 arenas
  // its blocks would fill 11 of.
  const dumps = [1, 2, 3, 4].map((k) => `fixtures/pymalloc/steady/snap-${k}.pickle`);

  it("CPython's own report at the last dump: fragmented", async () => {
    const r = await cli('replay', 'fixtures/pymalloc/steady/steady.truth.txt', '--json');
    expect((JSON.parse(r.out) as { fragmented: { verdict: string } }).fragmented.verdict).toBe('yes');
  });

  it('replay and report say unknown, not no, and why', async () => {
    const r = await cli('replay', ...dumps, '--json');
    const f = (JSON.parse(r.out) as { fragmented: { verdict: string; reason: string } }).fragmented;
    expect(f.verdict).toBe('unknown');
    expect(f.reason).toContain('the first capture already holds');
    const report = await cli('report', ...dumps, '-f', 'json');
    expect((JSON.parse(report.out) as { summary: { fragmentation: string } }).summary.fragmentation).toBe('unknown');
  });
});

describe('a temporary of 300,000 tuples freed between two plain dumps, every 100th kept (fixtures/pymalloc/temporary, CPython 3.12)', () => {
  // No traced peak: the temporary is in no dump. The model packs what is kept into 1 arena and said
  // "Fragmented: no", the gate passed 0.0%, where CPython's report at the same moment held 40 arenas.
  const dumps = [1, 2, 3, 4].map((k) => `fixtures/pymalloc/temporary/snap-${k}.pickle`);

  it("CPython's own report at the last dump: fragmented", async () => {
    const r = await cli('replay', 'fixtures/pymalloc/temporary/temporary.truth.txt', '--json');
    expect((JSON.parse(r.out) as { fragmented: { verdict: string } }).fragmented.verdict).toBe('yes');
  });

  it('replay and report say unknown, not no, and why; the gate fails it as not measured', async () => {
    const r = await cli('replay', ...dumps, '--json');
    const f = (JSON.parse(r.out) as { fragmented: { verdict: string; reason: string } }).fragmented;
    expect(f.verdict).toBe('unknown');
    expect(f.reason).toContain('no capture records its traced peak');
    const report = JSON.parse((await cli('report', ...dumps, '-f', 'json')).out) as {
      summary: { fragmentation: string };
    };
    expect(report.summary.fragmentation).toBe('unknown');
    const gate = await cli('gate', ...dumps, '--max-fragmentation', '0.5');
    expect(gate.code).toBe(1);
    expect(gate.out).toMatch(/FAIL max-fragmentation: fragmentation 0\.0%.*; not measured: /);
  });
});
