// Which order of the model the real allocator's report points at (fixtures/pymalloc/scattered-hand: real
// dumps and real sys._debugmallocstats() reports of CPython 3.11, made by make_scattered_hand.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const DIR = 'fixtures/pymalloc/scattered-hand';

interface Replay {
  captures: { real: { arenas: number } | null; compact: { arenas: number }; scattered: { arenas: number } }[];
  fragmented: { verdict: string; next: string };
  fragmentation: {
    pinningSitesOrder: string | null;
    pinningSites: { filename: string; lineno: number; arenas: number; madeAfterFrees: boolean }[];
  };
}

describe('the order whose pinning sites are ranked', () => {
  it('is the one nearer the real arenas by ratio (22 real: 42 scattered, not 5 compact), naming the line that pins them', async () => {
    const r = JSON.parse((await cli('replay', '--json', DIR)).out) as Replay;
    const last = r.captures[r.captures.length - 1]!;
    const real = last.real!.arenas;
    // Between the two orders, nearer the compact one by difference, the scattered one by ratio.
    expect(last.compact.arenas).toBeLessThan(real);
    expect(last.scattered.arenas).toBeGreaterThan(real);
    expect(last.scattered.arenas / real).toBeLessThan(real / last.compact.arenas);
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.fragmentation.pinningSitesOrder).toBe('scattered');
    const top = r.fragmentation.pinningSites[0]!;
    expect([top.filename.endsWith('make_scattered_hand.py'), top.lineno]).toEqual([true, 25]);
    expect(r.fragmented.next).toContain('make_scattered_hand.py:25');
  });
});

describe('sites the scattered order spreads over its pinned arenas alike', () => {
  // fixtures/pymalloc/survivors (make_survivors.py): one in twenty of 300,000 objects kept among those
  // freed, then 60,000 ints made after the frees. The scattered order puts every site's blocks in its
  // pinned arenas alike; it named the largest as the one to look at (in a helper's held-out run: a
  // list made after the frees, packed in 6 arenas, where the objects kept pinned 30).
  it('are said to be alike, and none is named as the one pinning them', async () => {
    const r = JSON.parse((await cli('replay', '--json', 'fixtures/pymalloc/survivors')).out) as Replay & {
      fragmentation: { pinningSitesBasis: string };
    };
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.fragmentation.pinningSitesOrder).toBe('scattered');
    const sites = r.fragmentation.pinningSites;
    const alike = sites.filter((s) => s.arenas === sites[0]!.arenas).length;
    expect(alike).toBeGreaterThan(1);
    expect(r.fragmented.next).toMatch(
      new RegExp(
        `^${alike} sites have blocks in .* the model pins \\(scattered order\\), which cannot tell which of them pins them`,
      ),
    );
    expect(r.fragmented.next).not.toMatch(/^look at/);
    expect(r.fragmentation.pinningSitesBasis).toContain(`its first ${alike} are in`);
  });
});

describe('sites made after the largest frees', () => {
  // fixtures/pymalloc/interned (interned-src/make.sh, CPython 3.8 and its real reports): 50,000
  // interned strings, 1 in 13 kept (line 3), then 10,000 more made after the frees (line 8). The
  // scattered order put line 8's in 19 pinned arenas, line 3's in 18, and named line 8; run without
  // line 8 the program held 26 arenas of 28, without the strings kept, 12.
  it('are not named above those kept through the frees', async () => {
    const r = JSON.parse((await cli('replay', '--json', 'fixtures/pymalloc/interned')).out) as Replay;
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.fragmentation.pinningSitesOrder).toBe('scattered');
    const [first, second] = r.fragmentation.pinningSites;
    expect([first!.lineno, second!.lineno]).toEqual([8, 3]);
    // The ranking says why the next step passes over its first site.
    expect([first!.madeAfterFrees, second!.madeAfterFrees]).toEqual([true, false]);
    const text = (await cli('replay', 'fixtures/pymalloc/interned')).out.split('\n');
    const ranked = text.slice(text.findIndex((l) => l.startsWith('Sites whose blocks pin arenas')) + 1);
    expect(ranked[0]).toMatch(
      /^ {2}w_interned\.py:8 .* \(made since the capture before the largest frees: if after them, it fills the room they left\)$/,
    );
    expect(ranked[1]).toMatch(/^ {2}w_interned\.py:3 .*pinned arenas$/);
    expect(r.fragmented.next).not.toMatch(/^look at .*w_interned\.py:8/);
    expect(r.fragmented.next).toMatch(
      new RegExp(
        `^\\d+ sites have blocks in ${second!.arenas} of the ${first!.arenas} arenas the model pins .*w_interned\\.py:3`,
      ),
    );
  });

  it("are named by the gate after those kept through the frees, as replay's next step names them", async () => {
    // (The gate named line 8 first, beside a next step naming line 3; h275.)
    const r = await cli('gate', 'fixtures/pymalloc/interned', '--max-fragmentation', '0.1', '--json');
    type Gate = { checks: { check: string; sites: { line: number; file: string; detail: string }[] }[] };
    const check = (JSON.parse(r.out) as Gate).checks.find((c) => c.check === 'max-fragmentation')!;
    const own = check.sites.filter((s) => s.file.endsWith('w_interned.py'));
    expect(check.sites[0]!.line).toBe(3);
    // Its three are replay's: line 8, made after the frees, after every site alike kept through them.
    const replay = JSON.parse((await cli('replay', '--json', 'fixtures/pymalloc/interned')).out) as Replay;
    const named = [...replay.fragmented.next.matchAll(/(\w+\.py):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(check.sites.map((s) => `${s.file.split('/').at(-1)}:${s.line}`)).toEqual(named.slice(0, 3));
    expect(own.map((s) => s.line)).not.toContain(8);
  });

  it('are named by the gate as replay names them when more than three are alike (made-after-three)', async () => {
    // fixtures/pymalloc/made-after-three (CPython 3.12 and its real reports): lines 35, 33, 50 and 32 in
    // as many pinned arenas, 50 made after the frees. Replay named 35, 33, 32; the gate took the first
    // three and put 50 last, naming 35, 33, 50 (h364 F2: without the kept tuples of line 32, CPython's
    // report held 25 fewer spare arenas of 33; without line 50's lists, 2 more).
    const d = 'fixtures/pymalloc/made-after-three/out';
    const inputs = [1, 2, 3].map((k) => `${d}/snap-${k}.pickle.gz`);
    const reports = [1, 2, 3].map((k) => `${d}/stats-${k}.txt`);
    const r = JSON.parse((await cli('replay', '--json', ...inputs, '--allocator-stats', ...reports)).out) as Replay;
    const named = [...r.fragmented.next.matchAll(/frag\.py:(\d+)/g)].map((m) => Number(m[1]));
    const g = await cli('gate', ...inputs, '--allocator-stats', ...reports, '--max-fragmentation', '0.3', '--json');
    type Gate = { checks: { check: string; sites: { line: number; file: string }[] }[] };
    const check = (JSON.parse(g.out) as Gate).checks.find((c) => c.check === 'max-fragmentation')!;
    expect(check.sites.map((s) => s.line)).toEqual(named.slice(0, 3));
    expect(named.slice(0, 3)).toContain(32);
  });

  // fixtures/pymalloc/kept (kept-src/make.sh, CPython 3.8, tracing started after the imports): 1 in
  // 13 of 50,000 strings kept (line 6), 800 made after (line 11). Real reports of the same program:
  // without the kept strings 9 arenas after the frees, without line 11's 26, as with both. A rule
  // taking sites within a tenth of the first's arenas as alike named none.
  it('leave the site kept through the frees named when it is in the most pinned arenas', async () => {
    const r = JSON.parse((await cli('replay', '--json', 'fixtures/pymalloc/kept')).out) as Replay;
    expect(r.fragmented.verdict).toBe('yes');
    const top = r.fragmentation.pinningSites[0]!;
    expect([top.filename.endsWith('w_kept.py'), top.lineno]).toEqual([true, 6]);
    expect(r.fragmented.next).toMatch(/^look at .*w_kept\.py:6, whose blocks are in the most pinned arenas/);
  });
});

describe('the gate, when no report pairs with the last capture', () => {
  // Reports at the first two captures of fixtures/pymalloc/interned, none at the third: the check
  // judged the model's best case (0%) and said to give --allocator-stats, which was given; the real
  // report of the capture before (stats-2.txt: 27 arenas held) was not said.
  it("says the latest real report's figure beside the model's, and what would give the real one", async () => {
    const d = 'fixtures/pymalloc/interned';
    const r = await cli(
      'gate',
      ...[1, 2, 3].map((k) => `${d}/snap-${k}.pickle.gz`),
      '--allocator-stats',
      `${d}/stats-1.txt`,
      `${d}/stats-2.txt`,
      '--max-fragmentation',
      '0.3',
    );
    const line = r.out.split('\n').find((l) => l.includes('max-fragmentation'))!;
    expect(line).toContain('(model, best case)');
    expect(line).toContain('(a report at the last capture gives the real figure, or `arenascope run --allocator`)');
    expect(line).toMatch(
      new RegExp(`the real report of an earlier capture, ${d}/snap-2\\.pickle\\.gz: [\\d.]+%, \\d+ of 27 arenas spare`),
    );
    expect(line).not.toContain('--allocator-stats gives');
  });

  // The same run: the model's best case there read 0.0% where CPython's report at capture 2 said
  // 63.0%, and the check passed on the model's 0.0% at capture 3, where CPython's report (stats-3.txt)
  // says 53.6%, over the limit: the model misreads this heap, so its figure is no evidence.
  it('fails as not measured when the model read under the limit where an earlier real report was over it', async () => {
    const d = 'fixtures/pymalloc/interned';
    const snaps = [1, 2, 3].map((k) => `${d}/snap-${k}.pickle.gz`);
    const two = await cli(
      'gate',
      ...snaps,
      '--allocator-stats',
      `${d}/stats-1.txt`,
      `${d}/stats-2.txt`,
      '--max-fragmentation',
      '0.3',
    );
    expect(two.code).toBe(1);
    expect(two.out).toContain(`FAIL max-fragmentation: fragmentation 0.0%: 0 of 13 arenas spare (model, best case)`);
    expect(two.out).toContain(
      `not measured: at ${d}/snap-2.pickle.gz the model's best case read 0.0% where CPython's report said 63.0%`,
    );
    const all = await cli('gate', ...snaps, '--allocator-stats', `${d}/stats-*.txt`, '--max-fragmentation', '0.3');
    expect([all.code, all.out]).toEqual([
      1,
      expect.stringContaining('fragmentation 53.6%: 15 of 28 arenas spare (real)'),
    ]);
    // replay asks for the report that is missing, not for --allocator-stats, which was given.
    const replay = JSON.parse(
      (await cli('replay', '--json', ...snaps, '--allocator-stats', `${d}/stats-1.txt`, `${d}/stats-2.txt`)).out,
    ) as Replay;
    expect(replay.fragmented.next).not.toContain('give --allocator-stats');
  });
});

describe('a site made after the largest frees that lost blocks itself', () => {
  // fixtures/pymalloc/after (after-src/make.sh, CPython 3.8 and its real reports): 120,000 strings,
  // 300 made together kept (line 8); then 60,000 more, 1 in 25 kept (line 13). Real reports: 32
  // arenas held at the end, as many without line 8's kept strings, 9 without line 13's. Ranked after
  // the sites kept through the frees, line 13 was passed over for line 8.
  it('is named when it is in the most pinned arenas: it pins arenas of its own', async () => {
    const r = JSON.parse((await cli('replay', '--json', 'fixtures/pymalloc/after')).out) as Replay;
    expect(r.fragmented.verdict).toBe('yes');
    const top = r.fragmentation.pinningSites[0]!;
    expect([top.filename.endsWith('w_after2.py'), top.lineno]).toEqual([true, 13]);
    expect(r.fragmented.next).toMatch(/^look at .*w_after2\.py:13, whose blocks are in the most pinned arenas/);
  });
});

describe("another domain's blocks (fixtures/pymalloc/domain-churn: make_domain_churn.py)", () => {
  // A 512 MiB buffer a C extension tracks in domain 1 counted as bytes of the interval's allocations:
  // the worst case assumed as many bytes of small temporaries and pinned 244 arenas, where the same
  // snapshots filtered to domain 0 (CPython's DomainFilter) replay to 1.
  it('change nothing of the replay: the same as the snapshots filtered to domain 0', async () => {
    const of = async (d: string) =>
      JSON.parse((await cli('replay', '--json', `fixtures/pymalloc/domain-churn/${d}`)).out);
    const [all, dom0] = [await of('all'), await of('dom0')];
    const figures = (r: { captures: { compact: unknown; scattered: { arenas: number }; churn: unknown }[] }) =>
      r.captures.map((c) => [c.scattered.arenas, c.churn]);
    expect(figures(all)).toEqual(figures(dom0));
    expect(all.fragmented.verdict).toBe(dom0.fragmented.verdict);
  });
});

describe('traced peaks of CPython 3.8, which cannot reset them', () => {
  // fixtures/pymalloc/peak38 (make_peak38.py, CPython 3.8): .peak sidecars of get_traced_memory()[1] at
  // each capture; 2 MB of temporaries made and freed before capture 2, then one small object a capture.
  // The same run-so-far peak at captures 3-5 was read as each interval's: MBs of churn, assumed: false.
  it("are an interval's only when they rose in it", async () => {
    const r = JSON.parse((await cli('replay', '--json', 'fixtures/pymalloc/peak38')).out) as {
      captures: { churn: { tracedPeak: number | null; transientBytes: number; assumed: boolean } }[];
      assumptions: string[];
    };
    const churn = r.captures.map((c) => c.churn);
    const peaks = ['2', '3', '4', '5'].map((k) =>
      Number(readFileSync(`fixtures/pymalloc/peak38/snap-${k}.pickle.gz.peak`, 'utf8')),
    );
    expect(new Set(peaks).size).toBe(1); // CPython's own figure did not move after capture 2
    expect(churn[1]).toMatchObject({ tracedPeak: peaks[0], assumed: false });
    expect(churn[1]!.transientBytes).toBeGreaterThan(2_000_000);
    for (const c of churn.slice(2)) {
      expect(c.assumed).toBe(true);
      expect(c.transientBytes).toBeLessThan(10_000); // as many as the interval allocated: a string, a list grown
    }
    expect(r.assumptions.join('\n')).toContain(
      'churn between captures is unknown before 3 of 5 captures (their traced peaks did not rise)',
    );
  });
});

describe('what moving the blocks of pinned arenas would give back', () => {
  interface Figures {
    arenas: number;
    pinnedArenas: number;
    releasableBytes: number;
    bytesInAllocatedBlocks: number;
  }
  type Run = {
    arenaSize: number;
    captures: { compact: Figures; scattered: Figures }[];
    fragmentation: { releasableBytesBestCase: number; releasableBytesWorstCase: number };
  };
  const replay = async (dir: string): Promise<Run> => JSON.parse((await cli('replay', '--json', dir)).out) as Run;

  // fixtures/pymalloc/freed-pools: CPython 3.11 dumps of a heap of one arena, a quarter of it used or less.
  it("is nothing for a heap of one arena, pinned (it was the arena's 1 MiB)", async () => {
    const r = await replay('fixtures/pymalloc/freed-pools');
    const last = r.captures.at(-1)!;
    expect([last.compact.arenas, last.compact.pinnedArenas, last.compact.releasableBytes]).toEqual([1, 1, 0]);
    expect([r.fragmentation.releasableBytesBestCase, r.fragmentation.releasableBytesWorstCase]).toEqual([0, 0]);
  });

  it.each(['after', 'interned', 'kept', 'scattered-hand', 'peak38'])(
    '%s: never more than the pinned arenas, nor than the arenas the live bytes leave over',
    async (name) => {
      const r = await replay(`fixtures/pymalloc/${name}`);
      for (const c of r.captures)
        for (const f of [c.compact, c.scattered]) {
          const spare = f.arenas - Math.ceil(f.bytesInAllocatedBlocks / r.arenaSize);
          expect(f.releasableBytes).toBeLessThanOrEqual(Math.min(f.pinnedArenas, spare) * r.arenaSize);
        }
    },
  );
});
