import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { statistics } from '../../src/analysis/statistics.js';
import { type LoadOptions, loadCapture as loadAny } from '../../src/ingest/load-capture.js';
import { LIMITS } from '../../src/ingest/pickle/snapshot-machine.js';
import { readSnapshot } from '../../src/ingest/tracemalloc-pickle.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { statisticLine } from '../../src/report/text/statistics.js';
import { InputError, TruncatedError } from '../../src/util/errors.js';
import { MAX_MESSAGE } from '../fuzz/oracle.js';
import { cli, python3 } from '../helpers.js';

async function loadCapture(path: string, opts?: LoadOptions): Promise<Snapshot> {
  const c = await loadAny(path, opts);
  if (c.kind !== 'snapshot') throw new Error(`${path} is a ${c.kind}`);
  return c;
}

function* chunked(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

function read(data: Buffer, chunk = data.length || 1, allowPartial = false): Promise<Snapshot> {
  return readSnapshot('test.pickle', chunked(data, chunk), { allowPartial });
}

/** Everything a snapshot says, independent of interning order. */
function content(s: Snapshot): unknown {
  const groups: string[] = [];
  for (let i = 0; i < s.groups.length; i++) {
    const frames = s.frames.tracebackFrames(s.groups.traceback[i]!).map((f) => s.frames.frame(f));
    groups.push(JSON.stringify([s.groups.domain[i], s.groups.size[i], s.groups.count[i], frames]));
  }
  return { groups: groups.sort(), limit: s.tracebackLimit, layout: s.layout, total: s.totalSize, traces: s.traceCount };
}

const DUMPS = [
  'py311-inventory-b',
  'py38-tree',
  'py313-domains',
  'py37-shallow',
  'py311-shallow-tuple',
  'py311-shallow-proto2',
];

describe('chunking', () => {
  it.each(DUMPS)('%s reads the same with 1-byte, 7-byte, 1 MiB and whole chunks', async (name) => {
    const data = readFileSync(`fixtures/dumps/${name}.pickle`);
    const whole = content(await read(data));
    for (const size of [1, 7, 1 << 20]) expect(content(await read(data, size))).toEqual(whole);
  });
});

describe('layouts and values', () => {
  it('reads 3-item traces (Python 3.8) and 4-item traces (3.9+)', async () => {
    expect((await loadCapture('fixtures/dumps/py38-tree.pickle')).layout).toBe('3-tuple');
    expect((await loadCapture('fixtures/dumps/py37-tree.pickle')).layout).toBe('3-tuple');
    expect((await loadCapture('fixtures/dumps/py313-tree.pickle')).layout).toBe('4-tuple');
  });

  it('reads a trace container that is a tuple, and protocol 2', async () => {
    const list = content(await loadCapture('fixtures/dumps/py311-shallow.pickle'));
    expect(content(await loadCapture('fixtures/dumps/py311-shallow-tuple.pickle'))).toEqual(list);
    expect(content(await loadCapture('fixtures/dumps/py311-shallow-proto2.pickle'))).toEqual(list);
  });

  it('keeps big integers, other domains, non-ASCII and long file names (PyTraceMalloc_Track in make_dumps.py)', async () => {
    const s = await loadCapture('fixtures/dumps/py311-domains.pickle');
    const seen = new Map<number, number[]>();
    for (let i = 0; i < s.groups.length; i++) {
      const d = s.groups.domain[i]!;
      seen.set(d, [...(seen.get(d) ?? []), s.groups.size[i]!]);
    }
    expect(seen.get(0)).toContain(3 * 2 ** 30);
    expect(seen.get(2 ** 31 + 5)).toEqual([48]);
    expect(seen.get(7)!.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(s.frames.filenames).toContain(
      'fixtures/workloads/\u00fcn\u00efc\u00f6d\u00e9/\u30c7\u30fc\u30bf\u51e6\u7406.py',
    );
    const long = s.frames.filenames.find((f) => f.includes('a_rather_long_package_name_'))!;
    expect(Buffer.byteLength(long)).toBeGreaterThan(255);
  });

  it('reads gzip-compressed dumps transparently', async () => {
    const plain = content(await loadCapture('fixtures/dumps/py311-inventory-b.pickle'));
    const gz = await loadCapture('fixtures/dumps/py311-inventory-b.pickle.gz');
    expect(gz.source.gzip).toBe(true);
    expect(content(gz)).toEqual(plain);
  });

  it('reads an empty snapshot', async () => {
    const s = await loadCapture('fixtures/dumps/py311-empty.pickle');
    expect([s.traceCount, s.totalSize, s.groups.length, s.tracebackLimit]).toEqual([0, 0, 0, 10]);
  });

  it('ignores bytes after STOP with a warning, as pickle.load does', async () => {
    const data = Buffer.concat([readFileSync('fixtures/dumps/py311-tree.pickle'), Buffer.from('junk')]);
    const s = await read(data, 5);
    const end = readFileSync('fixtures/dumps/py311-tree.pickle').length;
    expect(s.warnings.join()).toMatch(new RegExp(`ignored 4 bytes after the end of the pickle at byte ${end}$`));
    // Two dumps in one file (`gzip -c a b > ab.gz`, two dump() calls on one file): the second is said.
    const second = readFileSync('fixtures/dumps/py311-inventory-a.pickle');
    const two = await read(Buffer.concat([readFileSync('fixtures/dumps/py311-tree.pickle'), second]), 5);
    expect(two.warnings.join()).toContain(
      `ignored ${second.length} bytes after the end of the pickle at byte ${end}: they begin another pickle (a second dump in the same file?)`,
    );
  });
});

interface Refused {
  file: string;
  offset: number;
  mentions: string[];
}
const manifest = JSON.parse(readFileSync('fixtures/bad/manifest.json', 'utf8')) as {
  refused: Refused[];
  truncated: { dump: string; bytes: number; cuts: { offset: number; traces: number; size: number; lines: string[] }[] };
};

describe('refusing what is not a snapshot', () => {
  it.each(manifest.refused.map((r) => [r.file, r] as const))('%s', async (_, r) => {
    const err = await loadCapture(r.file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).toContain(r.file);
    expect(msg).toContain(`byte ${r.offset}`);
    for (const m of r.mentions) expect(msg).toContain(m);
  });

  it('bounds the stack: a flood of MARKs is refused, not buffered', async () => {
    const data = Buffer.concat([Buffer.from([0x80, 4]), Buffer.alloc(LIMITS.stack + 10, 0x28)]);
    await expect(read(data, 1 << 16)).rejects.toThrow(/byte \d+: more than \d+ nested MARKs/);
  });

  it('bounds the stack: a flood of values is refused', async () => {
    const data = Buffer.concat([Buffer.from([0x80, 4]), Buffer.alloc(LIMITS.stack + 10, 0x4e)]);
    await expect(read(data, 1 << 16)).rejects.toThrow(/stack deeper than/);
  });

  it('says so for an empty file', async () => {
    await expect(read(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });
});

describe('truncated dumps', () => {
  const t = manifest.truncated;
  const data = readFileSync(t.dump);

  it.each(t.cuts.map((c) => [c.offset, c] as const))(
    'cut at byte %i: an error that says where it stops',
    async (_, c) => {
      const cut = data.subarray(0, c.offset);
      await expect(read(cut, 4096)).rejects.toThrow(TruncatedError);
      await expect(read(cut, 4096)).rejects.toThrow(`the data stops at byte ${c.offset}`);
    },
  );

  it.each(t.cuts.map((c) => [c.offset, c] as const))(
    'cut at byte %i with allowPartial: the traces read before it, as CPython counts them',
    async (_, c) => {
      const s = await read(data.subarray(0, c.offset), 1000, true);
      expect(s.partial).toBe(true);
      expect(s.warnings.join()).toMatch(/truncated/);
      expect([s.traceCount, s.totalSize]).toEqual([c.traces, c.size]);
      expect(statistics(s, { keyType: 'lineno' }).map(statisticLine)).toEqual(c.lines);
    },
  );

  // A file cut short and padded with zeros to its length (a crash after the file system had sized it):
  // its zeros were read as opcodes ('unexpected unknown opcode 0x00', 'memo index 0 stored a second
  // time'), and --allow-partial read nothing, or a trace the zeros made up.
  const padded = join(tmpdir(), `arenascope-zeros-${process.pid}.pickle`);
  afterAll(() => rmSync(padded, { force: true }));

  it.each(t.cuts.map((c) => [c.offset, c] as const))(
    'cut at byte %i and zero-filled: an error that says where the data stops, and the same traces with --allow-partial',
    async (_, c) => {
      writeFileSync(padded, Buffer.concat([data.subarray(0, c.offset), Buffer.alloc(data.length - c.offset)]));
      const err = await loadCapture(padded).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TruncatedError);
      expect(String(err)).toMatch(
        /the data stops at byte \d+.*; then \d+ zero bytes? to its end: zero-filled, as a crash leaves a file cut short/,
      );
      // One line a terminal shows whole (npm run fuzz, seed 77: 303 characters inside LONG_BINPUT).
      expect((err as Error).message.replace(padded, 'FILE').length).toBeLessThanOrEqual(MAX_MESSAGE);
      const s = await loadCapture(padded, { allowPartial: true });
      expect([s.partial, s.traceCount, s.totalSize]).toEqual([true, c.traces, c.size]);
      expect(statistics(s, { keyType: 'lineno' }).map(statisticLine)).toEqual(c.lines);
    },
  );

  it('a whole dump followed by zeros is read whole, the zeros said', async () => {
    writeFileSync(padded, Buffer.concat([data, Buffer.alloc(4096)]));
    const s = await loadCapture(padded);
    expect(s.partial).toBe(false);
    expect(content(s)).toEqual(content(await read(data)));
    expect(s.warnings.join()).toMatch(/ignored 4096 zero bytes after the end of the pickle/);
  });

  // A dump cut right after a whole BININT1 0 ends in its argument's zero byte: it was said to stop a
  // byte early, inside that opcode, "zero-filled" (h232). Where CPython's pickletools puts the opcode.
  it.runIf(python3())('cut right after an argument of 0: stops where the data does, no zero fill said', async () => {
    const end = Number(
      execFileSync(
        python3()!.bin,
        [
          '-c',
          'import pickletools,sys\nb=open(sys.argv[1],"rb").read()\n' +
            'print(next(p+2 for o,a,p in pickletools.genops(b) if o.name=="BININT1" and a==0 and p>len(b)//3))',
          t.dump,
        ],
        { encoding: 'utf8' },
      ).trim(),
    );
    writeFileSync(padded, data.subarray(0, end));
    const err = await loadCapture(padded).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TruncatedError);
    expect(String(err)).toContain(`byte ${end}: truncated tracemalloc dump: the data stops at byte ${end}, before`);
    expect(String(err)).not.toContain('zero-filled');
  });

  it('zeros followed by other bytes are no zero-filled tail: the 0x00 is refused where it stands', async () => {
    const cut = t.cuts[0]!.offset;
    writeFileSync(padded, Buffer.concat([data.subarray(0, cut), Buffer.alloc(100), Buffer.from('x')]));
    await expect(loadCapture(padded)).rejects.toThrow(/unexpected unknown opcode 0x00/);
  });

  it('a truncated gzip file is reported the same way', async () => {
    const gz = gzipSync(data);
    const file = join(tmpdir(), `arenascope-cut-${process.pid}.pickle.gz`);
    writeFileSync(file, gz.subarray(0, gz.length >> 1));
    try {
      await expect(loadCapture(file)).rejects.toThrow(/truncated tracemalloc dump: the data stops at byte \d+/);
      const partial = await loadCapture(file, { allowPartial: true });
      expect(partial.partial).toBe(true);
      expect(partial.traceCount).toBeGreaterThan(0);
    } finally {
      rmSync(file);
    }
  });
});

describe('snapshots carrying attributes a user set before dump() (fixtures/user-attrs, make.py)', () => {
  // A timestamp, a flag or bytes set on a Snapshot were refused ("unexpected BINFLOAT"), which
  // CPython loads: read, and the statistics are CPython's own (expected.json, by the CPython that
  // wrote each dump).
  const DIR = 'fixtures/user-attrs';
  const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<
    string,
    [string, number, number, number][]
  >;
  it.each(Object.keys(expected))('%s: statistics("lineno") as CPython gives them', async (name) => {
    const r = await cli('stats', `${DIR}/${name}`, '--json', '-n', '1000');
    expect(r.code).toBe(0);
    const stats = (
      JSON.parse(r.out) as { stats: { frames: { filename: string; lineno: number }[]; size: number; count: number }[] }
    ).stats;
    expect(stats.map((s) => [s.frames[0]!.filename, s.frames[0]!.lineno, s.size, s.count])).toEqual(expected[name]);
  });
});
