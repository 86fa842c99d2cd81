// The importer registry: one importer per format, each found from content by one detection, and a
// baseline written before formats had that name still reads.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readBaseline } from '../../src/ingest/baseline.js';
import { detectFormat, FORMATS, IMPORTERS, sniffFile } from '../../src/ingest/importers.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { readHead } from '../../src/ingest/open-input.js';
import { cli } from '../helpers.js';

// A capture written by the real tool, for each format.
const SAMPLES: Record<string, string> = {
  'tracemalloc-snapshot': 'fixtures/dumps/py311-inventory-b.pickle',
  'memray-csv': 'fixtures/memray/memray-app.csv',
  mprof: 'fixtures/leaks/mprof/leak.dat',
  'line-report': 'fixtures/mprof/report-p1.txt',
  'allocator-stats': 'fixtures/mallocstats/py311-debugmallocstats.txt',
  'tracemalloc-text': 'fixtures/text/app.log',
};

const dir = mkdtempSync(join(tmpdir(), 'arenascope-importers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importers', () => {
  it('each format has exactly one importer, with a description for --help and messages', () => {
    expect(new Set(FORMATS).size).toBe(IMPORTERS.length);
    for (const i of IMPORTERS) expect(i.describe.length).toBeGreaterThan(10);
  });

  it.each(Object.entries(SAMPLES))('%s: detected from its content, and read as that format', async (format, file) => {
    expect(sniffFile(file)).toBe(format);
    const c = await loadCapture(file);
    const first = c.kind === 'snapshot-series' ? c.snapshots[0]! : c;
    expect(first.source.format).toBe(format);
  });

  it('the head of a gzip file is its gunzipped content, as a stream of it reads', () => {
    const plain = readHead('fixtures/dumps/py311-inventory-b.pickle')!;
    const gz = readHead('fixtures/dumps/py311-inventory-b.pickle.gz')!;
    expect(gz.subarray(0, 4096).equals(plain.subarray(0, 4096))).toBe(true);
    expect(detectFormat(gz)).toBe('tracemalloc-snapshot');
    // A file that cannot be read says why (a capture in a folder was taken for "not a capture").
    expect(() => readHead(join(dir, 'missing'))).toThrow(`${join(dir, 'missing')}: cannot read: no such file`);
  });

  it('a baseline written with "kinds" (arenascope 0.1 reports) reads with its formats', () => {
    const b = readBaseline('fixtures/baselines/arenascope-0.1.json')!;
    expect(b.formats).toEqual(['tracemalloc-snapshot']);
    expect('kinds' in b).toBe(false);
  });

  it('info names the format of the file and the kind of what it holds', async () => {
    const r = await cli('info', SAMPLES.mprof!, '--json');
    expect(JSON.parse(r.out)).toMatchObject({ format: 'mprof', kind: 'memory-series' });
    const copy = join(dir, 'leak.dat');
    copyFileSync(SAMPLES.mprof!, copy);
    expect((await cli('info', copy)).out).toMatch(/^format +mprof\nkind +memory-series\n/m);
  });
});

describe('inputs that stop early', () => {
  // In a long-lived process (the library, a fuzz worker) a reader that gives up on bad content must
  // not leave its file open: the fuzz campaign ran out of file descriptors before this.
  it.skipIf(!existsSync('/proc/self/fd'))('close their file, plain or gzip', async () => {
    const dump = readFileSync('fixtures/dumps/py311-inventory-b.pickle');
    const bad = join(dir, 'bad.pickle');
    const badGz = join(dir, 'bad.pickle.gz');
    writeFileSync(bad, Buffer.concat([dump.subarray(0, 300), Buffer.from('Z'.repeat(300_000))]));
    writeFileSync(badGz, gzipSync(readFileSync(bad)));
    const open = (): number => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 40; i++) {
      for (const f of [bad, badGz]) await expect(loadCapture(f)).rejects.toThrow(/byte \d+/);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(open()).toBeLessThanOrEqual(before + 2);
  });
});

describe("memray CSV: the allocator column (memray's own names)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-memray-allocators-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const csv = (allocator: string, n: number) =>
    `allocator,num_allocations,size,tid,thread_name,stack_trace\r\n${allocator},${n},${n * 64},1,0x1,f;app.py;3\r\n`;
  const arenas = async (allocator: string) => {
    const [a, b] = [join(dir, `${allocator}-1.csv`), join(dir, `${allocator}-2.csv`)];
    writeFileSync(a, csv(allocator, 200_000));
    writeFileSync(b, csv(allocator, 20_000));
    const r = await cli('replay', a, b, '--json');
    return (JSON.parse(r.out) as { captures: { compact: { arenas: number } }[] }).captures.map((c) => c.compact.arenas);
  };

  it("replays PYMALLOC_* rows into pymalloc's arenas, and the system allocator's (MALLOC, MMAP) not (they made up arenas)", async () => {
    expect((await arenas('PYMALLOC_MALLOC'))[0]).toBeGreaterThan(0);
    expect(await arenas('MALLOC')).toEqual([0, 0]);
    expect(await arenas('MMAP')).toEqual([0, 0]);
  });
});

describe('memray CSV cut inside its last row, at every byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-memray-cut-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('is a file cut short, read as far as it goes with --allow-partial (cut in its first columns: "expected 6 columns")', async () => {
    const text = readFileSync('fixtures/memray/memray-app.csv');
    const lastRow = text.lastIndexOf(0x0a, text.length - 2) + 1;
    for (let at = lastRow + 1; at < text.length - 2; at++) {
      const f = join(dir, 'cut.csv');
      writeFileSync(f, text.subarray(0, at));
      const r = await cli('stats', f);
      expect([r.code, r.err], `cut at byte ${at}`).toEqual([
        2,
        expect.stringContaining('the file ends in the middle of a row'),
      ]);
      expect((await cli('stats', f, '--allow-partial')).code, `cut at byte ${at}`).toBe(0);
    }
  });
});
