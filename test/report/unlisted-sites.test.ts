// diff of two logged listings (each a program's top N) where sites leave and enter the top N between
// them (fixtures/text/top-n/make_top_n.sh: CPython 3.8, 3.11 and 3.13, beside every statistic CPython
// computed, not only the N listed): a site one listing does not show is never 0 B nor a change from
// 0, and what is said of it holds for CPython's own figures.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaProblem } from '../../src/ingest/json-schema.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/text/top-n';
const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2 };

type Frames = [string, number][];
interface Truth {
  listings: { frames: Frames; size: number; count: number }[][];
}
interface Entry {
  frames: { filename: string; lineno: number }[];
  size: number | null;
  count: number | null;
  sizeDiff: number | null;
  countDiff: number | null;
  olderSize?: number | null;
  sizeDiffAtLeast?: number | null;
  sizeDiffAtMost?: number | null;
  notListed?: { in: 'older' | 'newer'; sites: number | null; sizeAtMost: number | null };
}

const keyOf = (frames: Frames): string => JSON.stringify(frames);
const entryKey = (e: Entry): string => keyOf(e.frames.map((f) => [f.filename, f.lineno]));

/** CPython's figures of every site (by the listing's key) in the older and the newer capture. */
function truth(stem: string, lineOnly = false): Map<string, number>[] {
  const t = JSON.parse(readFileSync(`${DIR}/${stem}.truth.json`, 'utf8')) as Truth;
  return t.listings.map((stats) => {
    const m = new Map<string, number>();
    for (const s of stats) {
      const k = keyOf(lineOnly ? [s.frames.at(-1)!] : s.frames);
      m.set(k, (m.get(k) ?? 0) + s.size);
    }
    return m;
  });
}

/** A listing as CPython printed it: each site's key, size printed (bytes) and whether it is compare_to's `size=0 B`. */
function printed(log: string, lineOnly = false): { key: string; size: number }[] {
  const out: { key: string; size: number; frames: Frames }[] = [];
  for (const line of readFileSync(`${DIR}/${log}`, 'utf8').split('\n')) {
    const st = /^(.*):(\d+): size=([\d.]+) (\w+)/.exec(line);
    if (st) out.push({ key: '', size: Number(st[3]) * UNIT[st[4]!]!, frames: [[st[1]!, Number(st[2])]] });
    const fr = /^ {2}File "(.*)", line (\d+)$/.exec(line);
    if (fr) {
      const last = out.at(-1)!;
      // Frames printed under a statistic replace its header (its oldest frame), oldest first.
      if (last.key === '') last.frames = [];
      last.key = 'framed';
      last.frames.push([fr[1]!, Number(fr[2])]);
    }
  }
  return out.map((s) => ({ key: keyOf(lineOnly ? [s.frames.at(-1)!] : s.frames), size: s.size }));
}

/** Half a printed figure's last digit (3 significant digits: at most 0.5%), and a byte. */
const slack = (...sizes: number[]): number => sizes.reduce((a, s) => a + 0.005 * Math.abs(s), 1);

/**
 * Checks a diff's JSON against the two logs and CPython's figures: each site both listings show has
 * compare_to's change, in compare_to's order; each one listing leaves out says so, with nulls for what is
 * not known, a bound that is the smallest size that listing printed, and bounds CPython's figures keep.
 */
function check(stem: string, entries: Entry[], o: { lineOnly?: boolean; bounded: boolean }): void {
  const [older, newer] = truth(stem, o.lineOnly);
  const logs = ['older', 'newer'].map((side) => printed(`${stem}.${side}.log`, o.lineOnly));
  const shown = logs.map((l) => new Set(l.map((s) => s.key)));
  const smallest = logs.map((l) => Math.min(...l.filter((s) => s.size > 0).map((s) => s.size)));
  let unlisted = 0;
  for (const e of entries) {
    const k = entryKey(e);
    const [was, now] = [older!.get(k) ?? 0, newer!.get(k) ?? 0];
    const side = !shown[1]!.has(k) ? 'newer' : !shown[0]!.has(k) ? 'older' : null;
    const what = `${k} ${JSON.stringify(e)}`;
    if (side === null) {
      expect(e.notListed, what).toBeUndefined();
      // (Read by line, a listing by traceback knows a line only by its listed tracebacks: not checked.)
      if (!o.lineOnly) expect(Math.abs(e.sizeDiff! - (now - was)), what).toBeLessThanOrEqual(slack(now, was));
      continue;
    }
    unlisted++;
    expect(e.notListed, what).toMatchObject({ in: side, sites: logs[side === 'older' ? 0 : 1]!.length });
    expect([e.sizeDiff, e.countDiff], what).toEqual([null, null]);
    if (side === 'newer') expect([e.size, e.count], what).toEqual([null, null]);
    else expect(e.olderSize, what).toBeNull();
    const bound = e.notListed!.sizeAtMost;
    if (!o.bounded) {
      expect(bound, what).toBeNull();
      continue;
    }
    // The bound is the smallest size the listing printed, and CPython's figure of the site is within it.
    const printedSmallest = smallest[side === 'older' ? 0 : 1]!;
    expect(Math.abs(bound! - printedSmallest), what).toBeLessThanOrEqual(slack(printedSmallest));
    expect(side === 'newer' ? now : was, what).toBeLessThanOrEqual(bound! + slack(bound!));
    expect(now - was, what).toBeGreaterThanOrEqual(e.sizeDiffAtLeast! - slack(now, was, bound!));
    expect(now - was, what).toBeLessThanOrEqual(e.sizeDiffAtMost! + slack(now, was, bound!));
  }
  expect(unlisted).toBeGreaterThan(0);
  // The sites both show keep compare_to's order among themselves (by |size_diff|, then size).
  if (o.lineOnly) return;
  const known = entries.filter((e) => !e.notListed).map(entryKey);
  const cpython = [...new Set([...older!.keys(), ...newer!.keys()])]
    .filter((k) => known.includes(k))
    .map((k) => ({ k, d: (newer!.get(k) ?? 0) - (older!.get(k) ?? 0), s: newer!.get(k) ?? 0 }))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || b.s - a.s)
    .map((x) => x.k);
  // (Sizes as printed tie where CPython's differ by bytes: only sites a printed digit apart are ordered.)
  for (let i = 1; i < known.length; i++) {
    const [a, b] = [cpython.indexOf(known[i - 1]!), cpython.indexOf(known[i]!)];
    if (a > b) {
      const d = (k: string): number => Math.abs((newer!.get(k) ?? 0) - (older!.get(k) ?? 0));
      expect(Math.abs(d(known[i - 1]!) - d(known[i]!)), `${known[i - 1]} before ${known[i]}`).toBeLessThanOrEqual(
        slack(d(known[i]!)),
      );
    }
  }
}

const diffJson = async (stem: string, ...args: string[]): Promise<Entry[]> => {
  const r = await cli('diff', `${DIR}/${stem}.older.log`, `${DIR}/${stem}.newer.log`, '--json', ...args);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { stats: Entry[] }).stats;
};

describe('diff of two top N listings: a site one of them leaves out', () => {
  it.each([['top_n_lineno_5'], ['top_n_lineno_5_py38'], ['top_n_lineno_5_py313'], ['top_n_lineno_50']])(
    '%s: is not in that listing, at most its smallest size, never 0 B (CPython: unchanged, or freed)',
    async (stem) => {
      check(stem, await diffJson(stem), { bounded: true });
    },
  );

  it("prints so: the newer listing's smallest size as the bound, never size=0 B (3 sites kept their size)", async () => {
    const stem = 'top_n_lineno_5';
    const r = await cli('diff', `${DIR}/${stem}.older.log`, `${DIR}/${stem}.newer.log`);
    const lines = r.out.split('\n');
    expect(lines.filter((l) => l.includes('size=0 B'))).toEqual([]);
    // The smallest size the newer listing printed (CPython's own figure), line for line.
    const last = readFileSync(`${DIR}/${stem}.newer.log`, 'utf8').trimEnd().split('\n').at(-1)!;
    const smallest = /size=([^,]+),/.exec(last)![1]!;
    const left = lines.filter((l) => l.includes("not in the newer listing's top 5"));
    expect(left.map((l) => /:(\d+): /.exec(l)![1])).toEqual(['25', '26', '27']);
    for (const l of left) expect(l).toContain(`size≤${smallest} (`);
    expect(lines.filter((l) => l.includes("not in the older listing's top 5"))).toHaveLength(3);
    // Its total is each listing's own sum: the sites that entered or left are in one of them only.
    expect(lines.filter((l) => l.startsWith('Total'))).toEqual([
      expect.stringMatching(/^Total of the sites each listing shows: size=/),
    ]);
  });

  it('of a listing by traceback: by its own key, bounded, unless asked (then by traceback too)', async () => {
    const stem = 'top_n_traceback_4';
    const own = await diffJson(stem, '-g', 'traceback');
    check(stem, own, { bounded: true });
    // By line it was the difference of two partial sums (a line gathers tracebacks): by traceback.
    expect(await diffJson(stem)).toEqual(own);
  });

  it("of compare_to's listings: unbounded (ordered by the change), and a site they print as size=0 B is 0", async () => {
    const stem = 'top_n_compare_5';
    const entries = await diffJson(stem);
    check(stem, entries, { bounded: false });
    // Line 29, made at step 2 and freed at step 3: the newer listing prints it `size=0 B (-29.4 KiB)`.
    const [, newer] = truth(stem);
    const gone = entries.filter((e) => e.frames[0]!.lineno === 29);
    expect(gone).toHaveLength(1);
    expect(newer!.has(entryKey(gone[0]!))).toBe(false);
    expect(gone[0]).toMatchObject({ size: 0, count: 0, countDiff: -2 });
  });

  it('in the report: its diff section says so, in JSON the schema takes and on the page', async () => {
    const stem = 'top_n_lineno_5';
    const inputs = [`${DIR}/${stem}.older.log`, `${DIR}/${stem}.newer.log`];
    const r = await cli('report', ...inputs, '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { snapshots: { diff: { stats: Entry[] } } };
    expect(schemaProblem('report', doc)).toBeNull();
    check(stem, doc.snapshots.diff.stats, { bounded: true });
    const page = join(mkdtempSync(join(tmpdir(), 'arenascope-unlisted-')), 'report.html');
    expect((await cli('report', ...inputs, '-o', page)).code).toBe(0);
    const html = readFileSync(page, 'utf8');
    const row = (line: number): string => {
      const at = html.indexOf(`top_n.py:${line} `, html.indexOf('id="diff-table"'));
      return html.slice(at, html.indexOf('</tr>', at));
    };
    for (const line of [25, 26, 27]) {
      expect(row(line)).toContain('not in the newer listing&#39;s top 5');
      expect(row(line)).not.toMatch(/>0 B</);
    }
  });
});

describe('a listing read by a coarser key than its own', () => {
  it('-g filename of a listing by line: a file is its listed lines summed, at least its size, and said so', async () => {
    const stem = 'top_n_lineno_5';
    const r = await cli('stats', '-g', 'filename', '--json', `${DIR}/${stem}.newer.log`);
    const file = (JSON.parse(r.out) as { stats: { frames: { filename: string }[]; size: number }[] }).stats[0]!;
    // CPython's every statistic of the newer capture: the file held more than the lines listed.
    const all = (JSON.parse(readFileSync(`${DIR}/${stem}.truth.json`, 'utf8')) as Truth).listings[1]!;
    const whole = all.filter((s) => s.frames[0]![0] === file.frames[0]!.filename).reduce((t, s) => t + s.size, 0);
    expect(file.size).toBeLessThan(whole);
    expect(r.err).toContain(
      "a listing by line, grouped by file: each file's figures add up the lines it lists, not those its top N leaves out; they are at least these",
    );
    const own = await cli('stats', `${DIR}/${stem}.newer.log`);
    expect(own.err).not.toContain('grouped by');
  });

  it('diff by line of listings by traceback, asked for, is refused: a difference of partial sums bounds nothing', async () => {
    const stem = 'top_n_traceback_4';
    const r = await cli('diff', '-g', 'lineno', `${DIR}/${stem}.older.log`, `${DIR}/${stem}.newer.log`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${DIR}/${stem}.older.log: a listing by traceback, diffed by line: each listing holds its top N tracebacks`,
    );
    expect(r.out).toBe('');
  });
});
