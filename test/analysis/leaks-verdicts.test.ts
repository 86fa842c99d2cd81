// The leak classifier's errors on 634 real series of workloads with a known truth
// (fixtures/leaks/verdicts: gen.py runs each under CPython's tracemalloc; every figure is
// Snapshot.statistics() of its dumps). Not every series can be told from its captures (a leak that
// only starts, a cache still filling, one trough of a slow sawtooth): the counts are what this
// classifier gets, per kind of workload, pinned so that a change that makes them worse fails here.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analysis/leaks.js';
import { cli } from '../helpers.js';

const M = 64 * 1024;

/** A site of `leaks --json`, as the tests below read it. */
interface Site {
  filename: string;
  lineno: number;
  verdict: string;
  confidence: number;
  spread: { sites: number } | null;
}
const { series } = JSON.parse(readFileSync('fixtures/leaks/verdicts/series.json', 'utf8')) as {
  series: { cfg: string; site: string; bytes: number[]; blocks: number[]; leaked: number }[];
};
// Leaking: over 1.15 x 64 KiB leaked in all; not: nothing leaked. Left out: leaks near the bar, leaks
// that stop before the end, caches still filling when the series ends (either verdict is fair).
const judged = series.filter(
  (s) => (s.leaked >= 1.15 * M || s.leaked === 0) && !/^stop |budget=1000000|ttl=60/.test(s.cfg),
);

function errors(design: (cfg: string) => boolean, withBlocks = false) {
  let falseLeaks = 0;
  let missed = 0;
  let n = 0;
  for (const s of judged.filter((x) => design(x.cfg))) {
    n++;
    const leak = classify(s.bytes, M, null, withBlocks ? s.blocks : null).verdict === 'leak';
    if (leak && s.leaked === 0) falseLeaks++;
    if (!leak && s.leaked > 0) missed++;
  }
  return { n, falseLeaks, missed };
}

describe('leak verdicts on real series of known truth', () => {
  // A floor raised as often as chance raises that of values in no order is no leak unless the values,
  // or their troughs and peaks, rise beyond chance: from 7 false leaks and 22 missed to 4 and 27 (the
  // missed, leaks under sawteeth of 2 or 3 teeth, which the captures cannot tell from noise), where
  // noise read a leak for 10 of 100 series (fixtures/leaks/random_buffer, below).
  it('in all: at most 4 false leaks in 415 series that leak nothing, 27 missed in 180 that leak', () => {
    const all = errors(() => true);
    expect(all.n).toBe(judged.length);
    expect(all.falseLeaks).toBeLessThanOrEqual(4);
    expect(all.missed).toBeLessThanOrEqual(27);
  });

  // What `leaks` judges by: with each site's blocks, a leak of payloads under a cache at the same line
  // (its bytes a plateau of 0.42, its blocks +40 at every capture) is found, and nothing else changes.
  it("with the sites' blocks: no more false leaks, one fewer missed", () => {
    const bytesOnly = errors(() => true);
    const all = errors(() => true, true);
    expect(all.falseLeaks).toBe(bytesOnly.falseLeaks);
    expect(all.missed).toBe(bytesOnly.missed - 1);
  });

  it.each([
    ['a leak that starts late (after half the series or more)', 'late '],
    ['a backlog at the start at the same line, worked off, then a leak', 'spikeone '],
    ['a spike at the start at another line, and a leak', 'spike '],
    ['a slow steady leak', 'slow '],
    ['buffers flushed whole, at any period', 'flush '],
    ['LRU caches, pools, cycles collected, warm-ups, shrinking sets', '(lru|pool|cycles|warmup|shrink|fkeep) '],
  ])('no error: %s', (_, re) => {
    const e = errors((cfg) => new RegExp(`^${re}`).test(cfg));
    expect(e.n).toBeGreaterThan(0);
    expect([e.falseLeaks, e.missed]).toEqual([0, 0]);
  });
});

describe('sawtooth teeth of 1-4 MiB, captured every 1 s (fixtures/leaks/gc_sawtooth, CPython 3.12)', () => {
  // Batches freed every 4 s but for one 16 KiB record: troughs of 16, 32 ... 160 KiB under teeth of
  // 1-4 MiB. (Its series.json, garbage cycles collected every 4 s that keep nothing, still reads as a
  // leak on some lines: rules that passed it also passed real leaks whose troughs repeat, a leak
  // every other batch or one that starts halfway, and were reverted.)
  it('batches freed but for one record each: the record line is a leak', () => {
    const d = JSON.parse(readFileSync('fixtures/leaks/gc_sawtooth/batch.json', 'utf8')) as {
      times: number[];
      lines: Record<string, number[]>;
    };
    expect(classify(d.lines['10']!, M, d.times).verdict).toBe('leak');
  });
});

describe('a leak that starts late, then a small early buffer freed (fixtures/leaks/late_drop, CPython 3.12)', () => {
  // make_late_drop.py: 4 batches of 50,000 bytes kept at line 17 from batch 9 on, then one 16-byte
  // buffer of batch 0 freed before the last capture. It read as a plateau of confidence 0; gate passed.
  it('is a leak that leaks, report and gate count', async () => {
    const dir = 'fixtures/leaks/late_drop';
    const leaks = JSON.parse((await cli('leaks', dir, '--json')).out) as {
      sites: { filename: string; lineno: number; verdict: string; confidence: number }[];
    };
    const site = leaks.sites.find((x) => x.filename.endsWith('make_late_drop.py') && x.lineno === 17)!;
    expect(site.verdict).toBe('leak');
    expect(site.confidence).toBeGreaterThanOrEqual(0.5);
    const gate = await cli('gate', dir);
    expect(gate.code).toBe(1);
    expect(gate.out).toMatch(/^FAIL max-leaks: 1 leak \(limit 0\): \S*make_late_drop\.py:17 /m);
    const report = await cli('report', dir, '--format', 'text');
    expect(report.out).toContain('leak suspects: 1;');
  });
});

describe('a leak spread over many lines, each under the growth that counts (fixtures/leaks/spread, CPython 3.12)', () => {
  // make_spread.py: 40 orders a batch, each of 12 strings made on its own line, all kept (~22 KiB a
  // line, 54 KiB at most, ~314 KiB in all); beside it a window of 60 receipts made the same way,
  // bounded. It read "No leak found" and the gate passed (helper h138).
  const dir = 'fixtures/leaks/spread';

  it('is a leak of the file, judged as the sum of its lines; the bounded window is none', async () => {
    const { sites } = JSON.parse((await cli('leaks', dir, '--json')).out) as { sites: Site[] };
    const leaks = sites.filter((s) => s.verdict === 'leak');
    expect(leaks.map((s) => [s.filename.replace(/.*\//, ''), s.lineno])).toEqual([['make_spread.py', 0]]);
    expect(leaks[0]!.confidence).toBeGreaterThanOrEqual(0.5);
    // The 12 attribute lines and the line that makes and keeps each order; no receipt line.
    expect(leaks[0]!.spread!.sites).toBe(13);
    expect(sites.filter((s) => s.lineno > 0 && s.verdict === 'leak')).toEqual([]);
  });

  it('leaks, gate and report say the same', async () => {
    expect((await cli('leaks', dir)).out).toMatch(
      /leak {2}make_spread\.py:0 .*\n.*\n.*\n {4}spread: it grew over 13 sites of this file, each by less than the growth that counts/,
    );
    const gate = await cli('gate', dir);
    expect(gate.code).toBe(1);
    expect(gate.out).toMatch(/^FAIL max-leaks: 1 leak \(limit 0\): \S*make_spread\.py:0 /m);
    expect((await cli('report', dir, '--format', 'text')).out).toContain('leak suspects: 1;');
    // Annotated at the line of its largest growing allocation: CI has no line 0 (helper h140). In the
    // workspace the captures were made in (the fixture's absolute names); outside it no file is named.
    const made = (await cli('leaks', dir, '--json')).out.match(
      /"filename": ?"([^"]*\/)fixtures\/leaks\/make_spread\.py"/,
    )![1]!;
    const github = async (workspace: string): Promise<string> => {
      const was = process.env.GITHUB_WORKSPACE;
      process.env.GITHUB_WORKSPACE = workspace;
      try {
        return (await cli('gate', dir, '--github')).out;
      } finally {
        if (was === undefined) delete process.env.GITHUB_WORKSPACE;
        else process.env.GITHUB_WORKSPACE = was;
      }
    };
    expect(await github(made)).toMatch(/^::error file=fixtures\/leaks\/make_spread\.py,line=62,/m);
    expect(await github('/nowhere/else')).toMatch(
      /^::error title=arenascope max-leaks::leak at \S*make_spread\.py:0 /m,
    );
  });

  it('by file, it is the same leak, a site of its own', async () => {
    const { sites } = JSON.parse((await cli('leaks', dir, '--json', '-g', 'filename')).out) as { sites: Site[] };
    const leaks = sites.filter((s) => s.verdict === 'leak');
    expect(leaks.map((s) => [s.filename.replace(/.*\//, ''), s.lineno, s.spread])).toEqual([
      ['make_spread.py', 0, null],
    ]);
  });
});

describe("another tester's spread leaks and noise (fixtures/leaks/spread-h140, CPython 3.12)", () => {
  // gen.py runs sc/<scenario>.py a step per capture, 8 captures; sc/rec.py makes a record on 12 lines.
  const leaksOf = async (dir: string) =>
    (JSON.parse((await cli('leaks', `fixtures/leaks/spread-h140/${dir}`, '--json')).out) as { sites: Site[] }).sites
      .filter((s) => s.verdict === 'leak' && s.confidence >= 0.5)
      .map((s) => `${s.filename.replace(/.*\//, '')}:${s.lineno}${s.spread ? ` spread over ${s.spread.sites}` : ''}`);

  it('records kept at every other capture (each line grew in 3 of 7 steps) are a leak; it was missed', async () => {
    // rec.py by CPython: 43, 43, 82, 82, 122, 122, 162, 162 KiB.
    expect(await leaksOf('halfrate')).toEqual(['rec.py:0 spread over 12']);
    expect((await cli('gate', 'fixtures/leaks/spread-h140/halfrate')).code).toBe(1);
  });

  // xml.dom.minidom imported before the last of 4 captures (fixtures/leaks/late-import, CPython 3.8): its
  // 250 sites each grew once, and their sum read a leak of 0.33 (helper h265).
  it('a module imported once, late, is no spread leak: its sites grew at 1 step of 3', async () => {
    const sites = (JSON.parse((await cli('leaks', 'fixtures/leaks/late-import', '--json')).out) as { sites: Site[] })
      .sites;
    expect(sites.filter((s) => s.verdict === 'leak')).toEqual([]);
  });

  // A one-shot program's checkpoints (fixtures/pymalloc/kept, CPython 3.8): 50,000 strings made, 1 in 13
  // kept, the rest dropped, then a list of 300 made; each of w_kept.py's lines grew at one step of the 2,
  // none again, and their sum read a leak of 0.50.
  it('lines that each grew once are no spread leak over 2 steps either: twice at least', async () => {
    const sites = (JSON.parse((await cli('leaks', 'fixtures/pymalloc/kept', '--json')).out) as { sites: Site[] }).sites;
    expect(sites.filter((s) => s.verdict === 'leak')).toEqual([]);
  });

  // functools.lru_cache(maxsize=1500) filled, then evicting (fixtures/leaks/make_lru_resize.py, CPython
  // 3.11): its line flat at 197 KiB for 8 captures, then its table resized once before the last 2, its
  // blocks the same (2,876) from 10 captures before: read a leak of 0.86, and the gate failed (h283).
  it('a full lru_cache resized once in its last captures, no block made, is no leak', async () => {
    const truth = JSON.parse(readFileSync('fixtures/leaks/lru_resize.truth.json', 'utf8')) as Record<string, number>;
    expect(truth.currsize).toBe(truth.maxsize);
    const sites = (JSON.parse((await cli('leaks', 'fixtures/leaks/lru_resize', '--json')).out) as { sites: Site[] })
      .sites;
    expect(sites.filter((s) => s.verdict === 'leak')).toEqual([]);
    expect((await cli('gate', 'fixtures/leaks/lru_resize')).code).toBe(0);
  });

  // A global bytearray appended to in work phases (fixtures/leaks/make_phased_buffer.py, CPython 3.11):
  // one block all along, as the cache's step made none, but no object made while it filled (h289).
  it('one object growing in phases, a step after its pause and one capture after it, is a leak', async () => {
    const sites = (JSON.parse((await cli('leaks', 'fixtures/leaks/phased_buffer', '--json')).out) as { sites: Site[] })
      .sites;
    expect(sites.filter((s) => s.verdict === 'leak').map((s) => s.lineno)).toEqual([32]);
    expect((await cli('gate', 'fixtures/leaks/phased_buffer')).code).toBe(1);
  });

  // Work in phases, idle steps between them (fixtures/leaks/make_periodic_batch.py, CPython 3.12, .time
  // sidecars): a batch job's kept work read "grew, then stopped" when its last third held a pause and one
  // step, and the gate passed (h289); so did idle gaps of 3 and 5 steps, and a temporary freed at each
  // pause (h293). A dict cache full after two bursts stays a plateau; a cache emptied between bursts, a
  // first rule's leak in 5 phases (h293), is none.
  it('growth again after each of two pauses is a leak in phases; a cache full after two phases is not', async () => {
    const leaking = async (kind: string) =>
      (
        JSON.parse((await cli('leaks', `fixtures/leaks/periodic_batch/${kind}`, '--json')).out) as {
          sites: (Site & { phases: number })[];
        }
      ).sites
        .filter((s) => s.verdict === 'leak')
        .map((s) => [s.lineno, s.phases]);
    expect(await leaking('records')).toEqual([[52, 3]]);
    expect(await leaking('buffer')).toEqual([[54, 3]]);
    expect(await leaking('gaps')).toEqual([[52, 3]]);
    expect(await leaking('temporary')).toEqual([[41, 3]]);
    expect(await leaking('bounded')).toEqual([]);
    expect(await leaking('ttl')).toEqual([]);
    const text = (await cli('leaks', 'fixtures/leaks/periodic_batch/records')).out;
    expect(text).toContain('grew in 3 phases: it grew again after each of 2 pauses');
    expect((await cli('gate', 'fixtures/leaks/periodic_batch/records')).code).toBe(1);
    expect((await cli('gate', 'fixtures/leaks/periodic_batch/bounded')).code).toBe(0);
    expect((await cli('gate', 'fixtures/leaks/periodic_batch/ttl')).code).toBe(0);
  });

  // A leak under a gc sawtooth whose capture times put its last third at a low (fixtures/leaks/
  // gc_sawtooth_timed, CPython 3.12, h292): by its bytes a leak of 0.49, and the gate passed it; by what
  // it kept (its lows rising by 266,400 B a cycle, CPython's statistics), 0.60, as without the times.
  it('a leak by its bytes is as sure as what it kept says, when that is surer', async () => {
    const sites = (
      JSON.parse((await cli('leaks', 'fixtures/leaks/gc_sawtooth_timed', '--json')).out) as { sites: Site[] }
    ).sites;
    expect(sites.filter((s) => s.verdict === 'leak').map((s) => [s.lineno, s.confidence])).toEqual([[8, 0.6]]);
    expect((await cli('gate', 'fixtures/leaks/gc_sawtooth_timed')).code).toBe(1);
  });

  it('records alive in flight, a random number at each capture and none kept, are no leak; the sum read 0.51', async () => {
    // rec.py by CPython: 94, 389, 522, 45, 176, 82, 339, 520 KiB.
    expect(await leaksOf('inflight')).toEqual([]);
    expect((await cli('gate', 'fixtures/leaks/spread-h140/inflight')).code).toBe(0);
  });
});

describe('held-out workloads (fixtures/leaks/held_out/make.py, CPython 3.11)', () => {
  const held = JSON.parse(readFileSync('fixtures/leaks/held_out/series.json', 'utf8')) as {
    series: { workload: string; seed: number; times: number[]; bytes: number[] }[];
  };
  const leaks = (workload: string) =>
    held.series.filter((s) => s.workload === workload && classify(s.bytes, M, s.times).verdict === 'leak');

  // Its lowest from each capture on rose 3 times in 12 captures by chance: leaks "kept" of 0.60 on 6
  // of these 20, each failing the gate; 2 are left, whose values rise in the order of the captures.
  it('a queue refilled to a random length at each capture: at most 2 leaks of 20', () => {
    expect(held.series.filter((s) => s.workload === 'backlog')).toHaveLength(20);
    expect(leaks('backlog').length).toBeLessThanOrEqual(2);
  });

  // A leak in 3 or 4 bursts under the same noise: told from it by the order of its values.
  it('a leak in bursts every 3rd to 5th capture under that noise: found in 15 of 20', () => {
    expect(leaks('bursts').length).toBeGreaterThanOrEqual(15);
  });

  // Filled in two slow steps, then flat for 7 fast captures: the last third by the clock began before
  // its last growth, and it read a leak of 0.50 (the gate failed).
  it('a cache that stopped filling, captured fast after slow: a plateau', () => {
    expect(leaks('warmcache')).toEqual([]);
    const s = held.series.find((x) => x.workload === 'warmcache')!;
    expect(classify(s.bytes, M, s.times).verdict).toBe('plateau');
  });
});

describe('a steady leak under a working set of random size (fixtures/leaks/noisy_leak, CPython 3.11)', () => {
  const { series: all } = JSON.parse(readFileSync('fixtures/leaks/noisy_leak/series.json', 'utf8')) as {
    series: { workload: string; seed: number; bytes: number[]; blocks: number[] }[];
  };
  const of = (workload: string) => all.filter((s) => s.workload === workload);
  const leaking = (workload: string, withBlocks: boolean) =>
    of(workload).filter((s) => {
      const c = classify(s.bytes, M, null, withBlocks ? s.blocks : null);
      return c.verdict === 'leak' && c.confidence >= 0.5;
    }).length;

  // 12 KiB kept at each of 12 captures beside a buffer of 0-48 KiB: by bytes, 37 of 200 read a plateau,
  // uneven, or a leak under the gate's 0.5 (helper h255); its blocks rose by 2 at every capture. (By its
  // bytes, 18 since a leak by them is as sure as what it kept says, when that is surer: h292.)
  it('is a leak in 198 of 200 seeds by its blocks (182 by its bytes alone)', () => {
    expect(of('noisy')).toHaveLength(200);
    expect(leaking('noisy', false)).toBeLessThanOrEqual(185);
    expect(leaking('noisy', true)).toBeGreaterThanOrEqual(198);
  });

  // 100 bytes kept at each capture beside a buffer of 0-4 MB: its blocks rise at every capture too, but
  // the bytes' rise is noise, far from a line: no leak that counts more often than by bytes alone.
  it('a leak of 100 bytes a capture under a buffer of 0-4 MB is no more a leak by its blocks', () => {
    expect(of('tiny')).toHaveLength(200);
    expect(leaking('tiny', true)).toBeLessThanOrEqual(leaking('tiny', false) + 1);
  });

  // 300 floats kept a step beside a dict of 3000 keys filling early at the same line: the cache's blocks
  // made the series' rate 420 a step against the leak's 300 over the last third, which a rule asking
  // three quarters of it missed (h260: a plateau of 0.45, and the gate passed).
  it('a leak beside a cache filling early at the same line: a leak by its blocks in 15 of 20 seeds', () => {
    expect(of('filling')).toHaveLength(20);
    expect(leaking('filling', false)).toBe(0);
    expect(leaking('filling', true)).toBeGreaterThanOrEqual(15);
  });

  // Helper h261's fill.py under CPython 3.11 (`leaks --json` of its 16 dumps, fill.py:6): a cache of 500
  // entries of 1 KiB, full at capture 11, and 60 stamps of 35 bytes kept a step, made at one line. Its
  // last third's blocks carry 35 bytes each; on the second half alone, the cache's last fills passed for
  // the leak's (a leak of 0.88, and the gate failed).
  it('a cache full just past the middle beside 35 bytes kept a step at one line: no leak by its blocks', () => {
    const bytes = [
      49665, 99330, 148995, 198660, 248325, 297990, 347655, 397320, 446985, 496650, 546315, 553700, 555800, 557900,
      560000, 562100,
    ];
    const blocks = [105, 210, 315, 420, 525, 630, 735, 840, 945, 1050, 1155, 1220, 1280, 1340, 1400, 1460];
    expect(classify(bytes, M, null, blocks).verdict).toBe('plateau');
  });

  it('the dumps of seed 50: leaks, report and gate find the leak (it read a plateau of 0.50), by its blocks', async () => {
    const dir = 'fixtures/leaks/noisy_leak/dumps';
    const r = await cli('leaks', dir, '--json');
    const sites = (JSON.parse(r.out) as { sites: (Site & { blocksRose: boolean })[] }).sites;
    expect(sites.map((s) => [s.filename, s.lineno, s.verdict, s.blocksRose])).toEqual([
      ['noisy_leak.py', 2, 'leak', true],
    ]);
    expect((await cli('leaks', dir)).out).toContain('blocks: rose at every capture (4 to 26)');
    const report = JSON.parse((await cli('report', dir, '--format', 'json')).out) as {
      summary: { leakSuspects: number };
    };
    expect(report.summary.leakSuspects).toBe(1);
    const gate = await cli('gate', dir);
    expect(gate.code).toBe(1);
    expect(gate.out).toContain('FAIL max-leaks: 1 leak (limit 0): noisy_leak.py:2');
  });

  // A cache full at capture 7 and 32 bytes kept at each request, made at one line: its blocks rose at
  // every capture, its bytes flat for 6 captures; read a leak of 0.85 by its blocks, and the gate failed
  // (helper h259). The blocks after it filled carry 65 bytes each.
  it('a full cache beside 32 bytes kept at each capture at one line: a plateau, by lineno as by traceback', async () => {
    const dir = 'fixtures/leaks/noisy_leak/cache_audit';
    for (const by of ['lineno', 'traceback']) {
      const sites = (JSON.parse((await cli('leaks', dir, '--json', '--group-by', by)).out) as { sites: Site[] }).sites;
      expect(sites.filter((s) => s.verdict === 'leak')).toEqual([]);
    }
    expect((await cli('gate', dir)).code).toBe(0);
  });
});

describe('a buffer of random size replaced at each capture (fixtures/leaks/random_buffer, CPython 3.11)', () => {
  const { series: buffers } = JSON.parse(readFileSync('fixtures/leaks/random_buffer/series.json', 'utf8')) as {
    series: { workload: string; captures: number; times: number[]; bytes: number[] }[];
  };
  const leaking = (workload: string) =>
    buffers.filter((s) => s.workload === workload && classify(s.bytes, M, s.times).verdict === 'leak');

  // Its lowest from each capture on rises towards the end by chance: 10 of these 100 read a leak, most
  // by what they "kept" (helper h222: the gate failed for 16 seeds of 100 at 20 captures).
  it('keeps nothing: at most 2 leaks in 100 series of 12 and 20 captures', () => {
    expect(buffers.filter((s) => s.workload === 'buffer')).toHaveLength(100);
    expect(leaking('buffer').length).toBeLessThanOrEqual(2);
  });

  // Its first capture before the first buffer, 0 bytes, is below every later value whatever their
  // order: 13 of these 50 read a leak.
  it('first captured before it was made: at most 5 leaks in 50 series of 12 captures', () => {
    expect(buffers.filter((s) => s.workload === 'after0')).toHaveLength(50);
    expect(leaking('after0').length).toBeLessThanOrEqual(5);
  });

  // 7 captures of 1 KB bytearrays, random.Random(28).randint(0, 500) of them each, the list replaced
  // (helper h306's run, CPython 3.11): by its bytes 0 B first, then up, down and up again; told from
  // chance with its 0 B (below every later value whatever their order) it read a leak of 0.60, and
  // without it by its last third's steps alone, and the gate failed.
  it('first captured before it was made, 7 captures: by its bytes no leak (it read 0.60)', () => {
    const bytes = [0, 60761, 404860, 70370, 297367, 324849, 387948];
    const blocks = [0, 115, 761, 133, 559, 611, 729];
    expect(classify(bytes, M, null, blocks).verdict).not.toBe('leak');
  });

  it('the same noise over 200,000 bytes kept at each capture: a leak in 20 of 20', () => {
    expect(leaking('leak')).toHaveLength(20);
  });

  it("the dumps of one seed: leaks, report and gate find no leak (it read a leak 'kept' of 0.71)", async () => {
    const dir = 'fixtures/leaks/random_buffer/dumps';
    const sites = (JSON.parse((await cli('leaks', dir, '--json')).out) as { sites: Site[] }).sites;
    expect(sites.filter((s) => s.verdict === 'leak')).toEqual([]);
    const report = JSON.parse((await cli('report', dir, '--format', 'json')).out) as {
      summary: { leakSuspects: number };
    };
    expect(report.summary.leakSuspects).toBe(0);
    expect((await cli('gate', dir)).code).toBe(0);
  });
});

describe('ups and downs, and a leak captured fast at its end (fixtures/leaks/ups_and_downs/make.py, CPython 3.12)', () => {
  const { series: held } = JSON.parse(readFileSync('fixtures/leaks/ups_and_downs/series.json', 'utf8')) as {
    series: { workload: string; times: number[]; bytes: number[] }[];
  };
  const of = (workload: string) => {
    const s = held.find((x) => x.workload === workload)!;
    return classify(s.bytes, M, s.times);
  };

  // Its last third added 2.6 times a steady rise: it did not stop. It read "grew, then stopped" at 0.
  it('a leak under a sawtooth at the same line, and an outbox keeping 10% of each flush: uneven, not a plateau', () => {
    for (const w of ['mixcallers', 'flushed']) expect(of(w).verdict, w).toBe('uneven');
  });

  // Its last 5 captures 4 ms apart each added crumbs, at the same rate per second as before.
  it('a leak at a steady rate whose last captures come fast: a leak (it read a plateau of 0.01)', () => {
    expect(of('quickend')).toMatchObject({ verdict: 'leak', stepsGrowing: 10 });
    // helper h235's dumps of quickend (CPython 3.12.1), its last 5 captures 6 ms apart: the line's
    // statistics and the dumps' .time sidecars.
    const bytes = [322, 17851, 35478, 53230, 70918, 88350, 89222, 89710, 90198, 90686, 91174];
    const times = [0, 0.15783, 0.31135, 0.4648, 0.62023, 0.77658, 0.78341, 0.7897, 0.79607, 0.80272, 0.80905];
    const c = classify(bytes, M, times);
    expect(c.verdict).toBe('leak');
    expect(c.confidence).toBeGreaterThanOrEqual(0.5);
  });

  // A functools.lru_cache(maxsize=2700) fed 100 new keys a step: full at capture 28, flat for its last
  // 13 captures (a third of the clock's span). Its dict's table grew a few KiB at every step before the
  // fill, each step under m/4, and those 13 steps counted as a pause as long as the last: a leak of
  // 0.93 ("+210 KiB kept" when that was mended alone), and the gate failed.
  it('a bounded lru_cache, full, then flat for a third of the run: a plateau, not a leak', () => {
    // helper h252's dumps (CPython 3.9.18): the calling line's statistics and the .time sidecars.
    const bytes = [
      10232,
      20448,
      26048,
      40856,
      46456,
      52056,
      76096,
      81696,
      87296,
      92896,
      98496,
      104096,
      109696,
      152152,
      157752,
      163352,
      168952,
      174552,
      180152,
      185752,
      191352,
      196952,
      202552,
      208152,
      213752,
      219352,
      224952,
      ...Array<number>(13).fill(298688),
    ];
    const times = [
      0, 0.0522, 0.1066, 0.1589, 0.2154, 0.2778, 0.3306, 0.383, 0.4393, 0.4957, 0.5588, 0.6121, 0.6707, 0.7242, 0.7845,
      0.842, 0.8974, 0.9509, 1.0078, 1.0765, 1.1311, 1.1944, 1.2488, 1.3082, 1.3699, 1.4251, 1.4887, 1.5477, 1.6122,
      1.6673, 1.7286, 1.7988, 1.8575, 1.9129, 1.9753, 2.034, 2.0938, 2.1548, 2.218, 2.2928,
    ];
    expect(classify(bytes, M, times).verdict).toBe('plateau');
  });

  // 8 KB kept at every step under a working set of 0-24 KB at the same line: its last 3 steps net under
  // m/4 by chance. Counted against runs within a band of m/4 alone (a noisy series has none longer than
  // 2), those 3 steps were a stop: a plateau, and the gate passed (h253).
  it('a steady leak under a random working set, its last steps netting little by chance: a leak', () => {
    // helper h253's dumps (CPython 3.11, gen.py): the line's statistics, seeds 16 and 34.
    for (const bytes of [
      [20083, 32767, 41223, 43337, 56021, 58135, 73990, 67648, 89845, 106757, 116270, 109928, 117327],
      [25368, 28539, 44394, 33824, 49679, 50736, 71876, 79275, 78218, 98301, 102529, 112042, 113099],
    ])
      expect(classify(bytes, M).verdict).toBe('leak');
  });

  it('three bursts kept for ever, a 48-byte temporary at each burst: no step shrank (0.44 before, the gate passed)', () => {
    // helper h235's dumps of bursts under CPython 3.12.1, statistics("traceback") of the line.
    const bytes = [0, 0, 120137, 120089, 120089, 120089, 240194, 240146, 240146, 240146, 360251, 360203];
    const times = bytes.map((_, i) => i * 0.2);
    const c = classify(bytes, M, times);
    expect([c.verdict, c.stepsNotShrinking]).toEqual(['leak', 11]);
    expect(c.confidence).toBeGreaterThanOrEqual(0.5);
    expect(of('bursts').verdict).toBe('leak');
  });

  it('every command says the same of the site under the sawtooth; by traceback, its leaking caller is a leak', async () => {
    const dir = 'fixtures/leaks/ups_and_downs/mixcallers';
    const sites = (JSON.parse((await cli('leaks', dir, '--json')).out) as { sites: Site[] }).sites;
    expect(sites.filter((s) => s.verdict !== 'stable').map((s) => [s.lineno, s.verdict])).toEqual([[4, 'uneven']]);
    const report = await cli('report', dir, '--format', 'text');
    expect(report.out).toMatch(/uneven\s+\S*mixcallers\.py:4/);
    const gate = await cli('gate', dir);
    expect(gate.code).toBe(0);
    expect(gate.out).toMatch(/not counted, still growing with ups and downs .*mixcallers\.py:4/);
    const byTraceback = (JSON.parse((await cli('leaks', dir, '-g', 'traceback', '--json')).out) as { sites: Site[] })
      .sites;
    expect(byTraceback.filter((s) => s.verdict === 'leak' && s.confidence >= 0.5)).toHaveLength(1);
    // The same question through report and gate (-g traceback, or the config's groupBy) gets the same
    // answer, naming the caller: they had no --group-by, and the gate passed the leak leaks finds.
    const caller = /mixcallers\.py:4 from \S*mixcallers\.py:7/;
    const reportByTraceback = await cli('report', dir, '-g', 'traceback', '--format', 'text');
    expect(reportByTraceback.out).toMatch(new RegExp(`leak\\s+\\S*${caller.source}`));
    // leaks' text names it so too (two callers' leaks read as two leaks of one name, h292).
    const leaksByTraceback = await cli('leaks', dir, '-g', 'traceback');
    expect(leaksByTraceback.out).toMatch(new RegExp(`leak\\s+\\S*${caller.source}`));
    const gateByTraceback = await cli('gate', dir, '--group-by', 'traceback');
    expect(gateByTraceback.code).toBe(1);
    expect(gateByTraceback.out).toMatch(new RegExp(`FAIL max-leaks: 1 leak .*${caller.source}`));
    const config = join(mkdtempSync(join(tmpdir(), 'arenascope-')), 'gate.json');
    writeFileSync(config, '{"maxLeaks": 0, "groupBy": "traceback"}');
    expect((await cli('gate', dir, '--config', config)).code).toBe(1);
    expect((await cli('gate', dir, '--config', config, '-g', 'lineno')).code).toBe(0);
  });
});

describe('a working set of random size, few captures (helper h237, CPython 3.12)', () => {
  // Each capture's list of 0-1500 new 200-char strings, nothing kept: Snapshot.statistics() of the line.
  it('is no leak judged after a spike at the start with 3 captures left (it read 0.50, and the gate failed)', () => {
    for (const bytes of [
      [204898, 726, 81386, 121890],
      [260843, 162638, 198994, 233642],
      [292938, 222418, 55766, 99686, 124574],
    ])
      expect(classify(bytes, M).verdict, bytes.join(' ')).not.toBe('leak');
  });
});

describe('a bounded cache whose table is resized once after it filled (helper h237, CPython 3.12)', () => {
  // An OrderedDict evicting at 1500 entries: filled, flat, then one step as its table grew, flat since
  // (the same loop run 46 times longer stays at ~297 KB). Snapshot.statistics() of the line, and times.
  const every = (n: number, dt: number) => Array.from({ length: n }, (_, i) => i * dt);
  it('is a plateau, not a leak (it read 0.82-0.91, and the gate failed it)', () => {
    const s1 = [17500, 55665, 76646, 120111, 142413, 205044, 209031, 209025, 209013, 209011, 293677, 293677, 293671];
    const s4 = [15091, 29754, 50358, 59397, 67021, 75641, 104025, 112067, 118862, 128475, 136517, 145635, 153767];
    const flat = (v: number, n: number) => Array<number>(n).fill(v);
    expect(classify([...s1, 293674, 293682], M, every(15, 0.6)).verdict).toBe('plateau');
    const many = [...s4, 205789, ...flat(209040, 12), 293683, 293678, 293671, 293677];
    expect(classify(many, M, every(30, 0.24)).verdict).toBe('plateau');
  });

  it('a leak in bursts, its last pause no longer than twice the ones before it, stays a leak', () => {
    const bursts = [
      0, 36139, 36091, 89858, 89810, 168147, 168099, 168099, 168099, 214691, 214643, 214643, 284547, 284499, 352693,
      352645, 410974, 410926, 410926, 410926, 410926, 493700, 493652, 493652, 493652, 493652, 493652, 548204, 548156,
      548156,
    ];
    expect(classify(bursts, M, every(30, 0.24)).verdict).toBe('leak');
  });

  // functools.lru_cache(maxsize) of 873 and 4039 entries, new keys at every call, a capture every 300
  // or 800 calls (CPython 3.11, tracemalloc.start(1)): the call line holds the cache's links and its
  // table, which doubled once 2 captures after the cache filled, as evictions used up its free slots.
  it('a functools.lru_cache that filled, flat for 2 captures, then one resize, is a plateau (it read 0.71-0.80)', () => {
    const s1 = [0, 23520, 46896, 79616, 85776, 85776, 122632, 122632, 122632, 122632];
    const t1 = [0, 0.002, 0.007, 0.012, 0.019, 0.024, 0.028, 0.033, 0.036, 0.039];
    const s5 = [0, 55576, 111200, 185520, 221920, 333400, 369968, 373664, 373664, 521112, 521112, 521112];
    const t5 = [0, 0.01, 0.021, 0.033, 0.053, 0.071, 0.093, 0.118, 0.134, 0.154, 0.18, 0.194];
    for (const [bytes, times] of [
      [s1, t1],
      [s5, t5],
    ] as const) {
      expect(classify(bytes, M, times).verdict, bytes.join(' ')).toBe('plateau');
      expect(classify(bytes, M).verdict, bytes.join(' ')).toBe('plateau');
    }
  });

  it('a pause of 2 is no stop after fewer than 3 growing steps, or after a pause before it', () => {
    // Two growing steps, 2 flat, a step, 2 flat: a leak in bursts as much as a cache.
    expect(classify([0, 100000, 200000, 200000, 200000, 300000, 300000, 300000], M).verdict).toBe('leak');
    // Grew at every step but one before the pause: that pause of 1 is as long as half of this one.
    const paused = [0, 40000, 80000, 80000, 120000, 160000, 160000, 160000, 240000, 240000, 240000];
    expect(classify(paused, M).verdict).toBe('leak');
  });
});

describe('memory given back below where it was first caught (fixtures/leaks/given_back/make.py, CPython 3.11)', () => {
  const { series: held } = JSON.parse(readFileSync('fixtures/leaks/given_back/series.json', 'utf8')) as {
    series: { workload: string; times: number[]; bytes: number[] }[];
  };
  // Rows kept from the start then all cleared, and a sawtooth ending at a trough: each rose 64 KiB or
  // more above its first capture and fell back below it. They read "shrinking" (helper h235).
  it('is transient, as every command says, not shrinking', async () => {
    for (const s of held) expect(classify(s.bytes, M, s.times).verdict, s.workload).toBe('transient');
    for (const w of ['freeall', 'trough']) {
      const dir = `fixtures/leaks/given_back/${w}`;
      const sites = (JSON.parse((await cli('leaks', dir, '--json')).out) as { sites: Site[] }).sites;
      expect(
        sites.filter((s) => s.verdict !== 'stable').map((s) => [s.lineno, s.verdict]),
        w,
      ).toEqual([[4, 'transient']]);
      expect((await cli('gate', dir)).code).toBe(0);
    }
  });

  it('a site that never rose above its first capture and fell is shrinking', () => {
    expect(
      classify(
        [800, 700, 600, 500, 400, 300, 200, 100, 0].map((v) => v * 1024),
        M,
      ).verdict,
    ).toBe('shrinking');
    // A bump under the growth that counts does not make it transient.
    expect(
      classify(
        [800, 850, 600, 500, 400, 300, 200, 100, 0].map((v) => v * 1024),
        M,
      ).verdict,
    ).toBe('shrinking');
  });
});

describe('a steady leak whose first step is smaller (fixtures/leaks/small_ints, helper h239, CPython 3.11)', () => {
  // A new int kept at every call, 3000 calls between captures: the ints up to 256 are CPython's
  // cached ones, so the first step allocates fewer. Snapshot.statistics("lineno") of gen.py:45 and the
  // dumps' .time sidecars (intervals growing from 13 to 60 ms as the heap grew).
  const bytes = [0, 69504, 146336, 223136, 300608, 377408, 453248, 528992, 605856, 682304];
  const times = [0, 0.013, 0.027, 0.047, 0.065, 0.085, 0.106, 0.14, 0.18, 0.24];
  it('is a leak judged per capture (it read "slowing", and the gate passed)', async () => {
    expect(classify(bytes, M, times)).toMatchObject({ verdict: 'leak', perCapture: true });
    const gate = await cli('gate', 'fixtures/leaks/small_ints/dumps');
    expect(gate.code).toBe(1);
    // gen.py:31, the list the ints are kept in (`# true leak`), grows 18-32 KiB a capture: not alike
    // within 1.1 times, it read "slowing" by the clock and went unnamed, until steps that vary half as
    // much as their rates per second were judged per capture too (h390).
    expect(gate.out).toMatch(/FAIL max-leaks: 3 leaks .*gen\.py:45 .*gen\.py:31 .*gen\.py:47/);
  });

  it('a first step larger than the rest, then steady per capture: a leak per capture (h390)', () => {
    const steady = [0, 90000, 166800, 243600, 321100, 397900, 473700, 549500, 626300, 702700];
    expect(classify(steady, M, times)).toMatchObject({ verdict: 'leak', perCapture: true });
  });
});

describe('a steady leak after a backlog burst, a few records held before it (helper h334, CPython 3.11)', () => {
  // Snapshot.statistics("lineno") of the leaking line: 3 requests kept before capture 1, a backlog of
  // 30000 drained before capture 3, then 1000 a capture. Its 395 bytes before the burst hid the rule that
  // judges a site from where it was made: "plateau", and the gate passed it; by file, the file's other
  // lines' constant bytes did the same.
  const pre = [395, 395, 3876795, 4028643, 4149643, 4270643, 4391643, 4547331];
  it.each([
    ['a few records before', pre],
    ['a file of it and a constant', pre.map((b) => b + 700)],
    ['nothing before', pre.map((b) => Math.max(0, b - 395))],
  ])('%s: a leak judged from capture 3', (_, bytes) => {
    expect(classify(bytes, M)).toMatchObject({ verdict: 'leak', judgedFrom: 2 });
  });
});
