// Every capture format, read from real captures and checked against what the producing tool
// printed or computed: mprof peak, memory_profiler's own measurements, CPython's allocator report,
// tracemalloc's Statistic objects, memray's CSV layout.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mprofPeak } from '../../src/analysis/mprof.js';
import { detectFormat } from '../../src/ingest/importers.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { AllocatorStats } from '../../src/model/allocator-stats.js';
import type { LineReport } from '../../src/model/line-report.js';
import type { MemorySeries } from '../../src/model/memory-series.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { StatisticsLog } from '../../src/model/statistics-log.js';
import { formatSize } from '../../src/report/format-size.js';
import { printfFixed } from '../../src/util/printf.js';
import { cli } from '../helpers.js';

const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('mprof .dat', () => {
  const peak = json<{ files: Record<string, { stdout: string }>; func: Record<string, Record<string, string>> }>(
    'fixtures/mprof/peak.json',
  );

  it.each(Object.keys(peak.files))('%s: the peaks `mprof peak` printed', async (name) => {
    const s = (await loadCapture(`fixtures/mprof/${name}`)) as MemorySeries;
    expect(s.kind).toBe('memory-series');
    const p = mprofPeak(s);
    const lines = [
      `${name}\t${printfFixed(p.peakMiB!, 3)} MiB`,
      ...p.children.map((c) => `  Child ${c.pid}\t\t\t${printfFixed(c.peakMiB, 3)} MiB`),
    ];
    expect(`${lines.join('\n')}\n`).toBe(peak.files[name]!.stdout);
  });

  it.each(Object.entries(peak.func['funcs.dat']!))('mprof peak --func %s', async (func, stdout) => {
    const p = mprofPeak((await loadCapture('fixtures/mprof/funcs.dat')) as MemorySeries, func);
    expect(`funcs.dat\t${p.peakMiB === null ? 'NaN' : printfFixed(p.peakMiB, 3)} MiB\n`).toBe(stdout);
  });

  it('reads every line kind: CMDLINE, MEM, FUNC with stack levels, CHLD per pid', async () => {
    const f = (await loadCapture('fixtures/mprof/funcs.dat')) as MemorySeries;
    const text = readFileSync('fixtures/mprof/funcs.dat', 'utf8').split('\n');
    expect(f.samples.t.length).toBe(text.filter((l) => l.startsWith('MEM ')).length);
    expect(f.functions.map((x) => [x.name, x.level])).toEqual(
      text.filter((l) => l.startsWith('FUNC ')).map((l) => [l.split(' ')[1], Number(l.split(' ')[6])]),
    );
    expect(f.cmdline).toBe(text.find((l) => l.startsWith('CMDLINE '))!.slice(8));
    const m = (await loadCapture('fixtures/mprof/multi.dat')) as MemorySeries;
    const chld = readFileSync('fixtures/mprof/multi.dat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('CHLD '));
    expect([...m.children.values()].reduce((n, c) => n + c.t.length, 0)).toBe(chld.length);
  });
});

describe('memory_profiler line-by-line reports', () => {
  type Expected = Record<
    string,
    {
      precision: number;
      blocks: {
        filename: string;
        lines: {
          lineno: number;
          mem: number | null;
          increment: number | null;
          occurrences: number | null;
          source: string;
        }[];
      }[];
    }
  >;
  const expected = json<Expected>('fixtures/mprof/reports.json');

  it.each(Object.keys(expected))('%s: every row as memory_profiler measured and printed it', async (name) => {
    const r = (await loadCapture(`fixtures/mprof/${name}`)) as LineReport;
    const e = expected[name]!;
    expect(r.blocks.map((b) => b.filename)).toEqual(e.blocks.map((b) => b.filename));
    r.blocks.forEach((b, i) => {
      expect(b.precision).toBe(e.precision);
      // The report prints each value with '{:.Nf}' (ties to even): the parsed figure must be that.
      const printed = (v: number | null) => (v === null ? null : Number(printfFixed(v, e.precision)));
      expect(b.lines).toEqual(
        e.blocks[i]!.lines.map((l) => ({
          lineno: l.lineno,
          memMiB: printed(l.mem),
          incrementMiB: printed(l.increment),
          occurrences: l.occurrences,
          source: l.source,
        })),
      );
    });
  });
});

describe('allocator stats (sys._debugmallocstats, PYTHONMALLOCSTATS)', () => {
  type Block = Record<string, unknown> & {
    line: number;
    classes: { class: number; size: number; pools: number; inUse: number; avail: number }[];
  };
  const expected = json<{ file: string; python: string; blocks: Block[]; otherLines: unknown }[]>(
    'fixtures/mallocstats/expected.json',
  );

  it.each(expected.map((e) => [`${e.file} (CPython ${e.python})`, e] as const))('%s', async (_, e) => {
    const s = (await loadCapture(`fixtures/mallocstats/${e.file}`)) as AllocatorStats;
    expect(s.kind).toBe('allocator-stats');
    // Every figure as CPython printed it; which a log printed before a new arena is no figure (below).
    expect(
      s.blocks.map(({ inputLine, classes, atNewArena, ...rest }) => ({
        line: inputLine,
        classes: classes.map(({ cls, ...c }) => ({ class: cls, ...c })),
        ...rest,
      })),
    ).toEqual(e.blocks);
    // A log's (its first report printed before any arena) without free lists and unused pools.
    const log = e.blocks.length >= 2 && e.blocks[0]!.arenasAllocatedTotal === 0;
    expect(s.blocks.map((b) => b.atNewArena === true)).toEqual(
      e.blocks.map((b) => log && !(b.freeLists as unknown[]).length && b.unusedPools === 0),
    );
  });
});

describe('tracemalloc statistics in a log', () => {
  type Stat = {
    frames: { filename: string; lineno: number }[];
    size: number;
    count: number;
    sizeDiff: number | null;
    countDiff: number | null;
  };
  const expected = json<Stat[][]>('fixtures/text/app.expected.json');

  it('finds each listing among the other lines; frames and counts exact, sizes as printed', async () => {
    const log = (await loadCapture('fixtures/text/app.log')) as StatisticsLog;
    expect(log.listings.length).toBe(expected.length);
    log.listings.forEach((l, i) => {
      const e = expected[i]!;
      expect(l.stats.map((s) => [s.frames, s.count, s.countDiff])).toEqual(
        e.map((s) => [s.frames, s.count, s.countDiff]),
      );
      // A printed size is tracemalloc's rounding of the real one; reading it back must print the same.
      expect(l.stats.map((s) => formatSize(s.size))).toEqual(e.map((s) => formatSize(s.size)));
      expect(l.stats.map((s) => (s.sizeDiff === null ? null : formatSize(s.sizeDiff, true)))).toEqual(
        e.map((s) => (s.sizeDiff === null ? null : formatSize(s.sizeDiff, true))),
      );
    });
  });
});

describe('memray CSV', () => {
  const e = json<{
    rows: number;
    blocks: number;
    bytes: number;
    sites: { site: string; size: number; count: number }[];
  }>('fixtures/memray/memray-app.expected.json');

  it('reads sites, counts and bytes (quoted file names included)', async () => {
    const s = (await loadCapture('fixtures/memray/memray-app.csv')) as Snapshot;
    expect([s.traceCount, Math.round(s.totalSize)]).toEqual([e.blocks, e.bytes]);
    const sites = new Map<string, { size: number; count: number }>();
    for (let i = 0; i < s.groups.length; i++) {
      const f = s.frames.tracebackFrame(s.groups.traceback[i]!, 0);
      const key = `${s.frames.frameFilename(f)}:${s.frames.frameLineno(f)}`;
      const v = sites.get(key) ?? { size: 0, count: 0 };
      v.size += s.groups.size[i]! * s.groups.count[i]!;
      v.count += s.groups.count[i]!;
      sites.set(key, v);
    }
    expect(
      [...sites]
        .map(([site, v]) => ({ site, size: Math.round(v.size), count: v.count }))
        .sort((a, b) => (a.site < b.site ? -1 : 1)),
    ).toEqual(e.sites);
  });
});

describe('memray CSV: sizes that do not divide, file names holding ;', () => {
  it('every block a whole number of bytes, the site total exact; stats and diff print as tracemalloc does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-memray-'));
    const csv = (rows: string[]) => `allocator,num_allocations,size,tid,thread_name,stack_trace\n${rows.join('\n')}\n`;
    const old = join(dir, 'old.csv');
    const now = join(dir, 'new.csv');
    writeFileSync(old, csv(['MALLOC,1,10240,1,0x1,f;d.py;1', 'MALLOC,3,300,1,0x1,f;/srv/a;b/app.py;10']));
    writeFileSync(now, csv(['MALLOC,77,10240,1,0x1,f;d.py;1', 'MALLOC,3,300,1,0x1,f;/srv/a;b/app.py;10']));
    const s = (await loadCapture(now)) as Snapshot;
    for (let i = 0; i < s.groups.length; i++) expect(Number.isInteger(s.groups.size[i]!)).toBe(true);
    expect(s.totalSize).toBe(10540);
    // tracemalloc._format_size(10240) is '10.0 KiB'; the size did not change: '+0 B'.
    expect((await cli('stats', now)).out).toContain('d.py:1: size=10.0 KiB, count=77, average=133 B');
    expect((await cli('stats', now)).out).toContain('/srv/a;b/app.py:10: size=300 B, count=3');
    expect((await cli('diff', old, now)).out).toContain('d.py:1: size=10.0 KiB (+0 B), count=77 (+76), average=133 B');
    // No growth is no growth: a gate of 0 passes.
    const g = await cli('gate', now, '--baseline', old, '--max-site-growth', '0', '--max-total-growth', '0');
    expect(g.code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("memray CSV beside tracemalloc's dumps", () => {
  // memray counts every allocation (native ones too), tracemalloc Python's: a series of both was judged
  // as one, and diff compared them, with only the averaged sizes' warning.
  const memray = 'fixtures/memray/memray-app.csv';
  const [a, b] = ['fixtures/dumps/py311-inventory-a.pickle', 'fixtures/dumps/py311-inventory-b.pickle'];
  it.each([
    ['leaks', a, memray, b],
    ['gate', a, memray, b],
    ['report', a, memray, b, '-o', '-'],
    ['diff', a, memray],
  ])('%s refuses them, naming both (exit 2)', async (...args) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${memray} is memray's CSV and ${a} a tracemalloc snapshot`);
  });
});

describe('sniffing', () => {
  const cases: [string, string][] = [
    ...readdirSync('fixtures/dumps').map((f): [string, string] => [`fixtures/dumps/${f}`, 'tracemalloc-snapshot']),
    ...['plain', 'funcs', 'children', 'multi'].map((f): [string, string] => [`fixtures/mprof/${f}.dat`, 'mprof']),
    ...['report-p1.txt', 'report-p3.txt', 'report-mixed.log'].map((f): [string, string] => [
      `fixtures/mprof/${f}`,
      'line-report',
    ]),
    ...readdirSync('fixtures/mallocstats')
      .filter((f) => /\.(txt|log)$/.test(f))
      .map((f): [string, string] => [`fixtures/mallocstats/${f}`, 'allocator-stats']),
    ['fixtures/text/app.log', 'tracemalloc-text'],
    ['fixtures/memray/memray-app.csv', 'memray-csv'],
  ];

  it.each(cases)('%s is %s', async (file, format) => {
    const c = await loadCapture(file);
    expect('source' in c ? c.source.format : 'series').toBe(format);
  });

  it.each([
    ['a README', Buffer.from('# notes\nnothing to see\n')],
    ['random bytes', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256))],
    ['JSON of another tool', Buffer.from('{"traces": []}')],
    // Notes kept next to an mprof run, starting with mprof's word: no MEM line mprof writes.
    ['notes about MEM lines', Buffer.from('MEM usage notes\nThe MEM line format is MEM <MiB> <ts>\n')],
  ])('refuses %s', (_, bytes) => {
    expect(detectFormat(bytes)).toBeNull();
  });

  it('reads an mprof run noted on its first lines, as mprof does, in a folder a gate judges (helper h149)', async () => {
    // Refused as no format, it was skipped in a folder and the gate passed without it.
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-noted-'));
    try {
      const plain = readFileSync('fixtures/mprof/plain.dat', 'utf8');
      writeFileSync(join(dir, 'memory.dat'), `# my notes\nNOTE from the nightly job\n${plain}`);
      writeFileSync(join(dir, 'README.md'), '# notes\nnothing to see\n');
      const peak = JSON.parse(readFileSync('fixtures/mprof/peak.json', 'utf8')).files['plain.dat'].stdout;
      const info = await cli('info', join(dir, 'memory.dat'));
      expect(info.code).toBe(0);
      expect(info.out).toMatch(new RegExp(`^peak +${peak.split('\t')[1].trim().replace('.', '\\.')}`, 'm'));
      const gate = await cli('gate', dir, '--max-peak', '80MiB');
      expect(gate.code).toBe(1);
      expect(gate.out).toMatch(/^FAIL max-peak: /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
