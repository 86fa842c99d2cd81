// Where arenascope used to part from CPython, against what CPython itself printed
// (fixtures/parity/make_parity.py ran 3.6, 3.7, 3.8, 3.11 and 3.13): trace tuples a hand-built
// snapshot holds twice, the Traceback order of 3.6, linecache's sys.path search and PEP 263
// decoding, and pickles that are not snapshots at all.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { readSnapshot } from '../../src/ingest/tracemalloc-pickle.js';
import { decodeSource, detectEncoding, fileSourceLookup, pythonCodec } from '../../src/report/linecache.js';
import { InputError } from '../../src/util/errors.js';
import { encodeText } from '../../src/util/text.js';
import { cli } from '../helpers.js';

interface Case {
  python: string;
  command: 'stats' | 'diff';
  files: string[];
  args: string[];
  sourcePath?: string[];
  output?: string;
  error?: string;
}
interface Foreign {
  file: string;
  opcodes: number[];
  globals: [number, string, string][];
  root?: { type: string; keys: string[] | null };
}
const expected = JSON.parse(readFileSync('fixtures/parity/expected.json', 'utf8')) as {
  shared: Case[];
  order: { cases: Case[]; identicalBytes: [string, string] | null; unreadable: { file: string; error: string } };
  tree: {
    sourcePath: string[];
    cases: Case[];
    getline: { filename: string; lineno: number; by: Record<string, { line?: string; error?: string }> }[];
  };
  encodings: {
    detect: { head: string; unsupported: boolean; codec?: string; error?: string }[];
    names: Record<string, string>;
    tables: Record<string, (number | null)[]>;
    aliases: Record<string, string>;
  };
  foreign: Foreign[];
};

// --python comes with the change to src/cli/options.ts and src/analysis/statistics.ts that lets
// stats and diff print as 3.6 does; until then the 3.6 cases whose output depends on it are skipped.
const pythonFlag = (await cli('stats', '--help')).out.includes('--python');
const needsFlag = (c: Case): boolean => c.python === '3.6' && c.args.includes('traceback');

const title = (c: Case): string => `CPython ${c.python}: ${c.command} ${c.files.join(' ')} ${c.args.join(' ')}`;
const sourcePath = (c: Case): string[] => (c.sourcePath ?? []).flatMap((d) => ['--source-path', d]);

async function printed(c: Case): Promise<string> {
  const python = c.python === '3.6' && pythonFlag ? ['--python', '3.6'] : [];
  const r = await cli(c.command, ...c.files, ...c.args, ...sourcePath(c), ...python);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

function* chunked(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const dir = mkdtempSync(join(tmpdir(), 'arenascope-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a trace tuple held twice (CPython test_tracemalloc.create_snapshots) is counted twice', () => {
  it.each(expected.shared.filter((c) => !needsFlag(c)).map((c) => [title(c), c] as const))('%s', async (_, c) => {
    expect(await printed(c)).toBe(c.output);
  });

  it.skipIf(!pythonFlag).each(expected.shared.filter(needsFlag).map((c) => [title(c), c] as const))(
    '%s (--python 3.6)',
    async (_, c) => {
      expect(await printed(c)).toBe(c.output);
    },
  );

  it('reads the same in chunks of any size, the second read included', async () => {
    const data = readFileSync('fixtures/parity/shared/py311-far.pickle');
    const whole = await readSnapshot('far', [data]);
    expect(whole.traceCount).toBe(1100);
    for (const size of [1, 7, 4096]) {
      const s = await readSnapshot('far', chunked(data, size), { reread: () => chunked(data, size) });
      expect([s.traceCount, s.totalSize, s.groups.length]).toEqual([
        whole.traceCount,
        whole.totalSize,
        whole.groups.length,
      ]);
    }
  });

  it('reads a gzip-compressed one (the second read opens it again)', async () => {
    const file = join(dir, 'far.pickle.gz');
    writeFileSync(file, gzipSync(readFileSync('fixtures/parity/shared/py311-far.pickle')));
    const c = expected.shared.find((x) => x.files[0]!.endsWith('py311-far.pickle') && x.args[1] === 'lineno')!;
    expect(await printed({ ...c, files: [file] })).toBe(c.output);
  });

  it('says what to do when the input cannot be read twice (stdin)', async () => {
    const data = readFileSync('fixtures/parity/shared/py37-a.pickle');
    await expect(readSnapshot('-', chunked(data, 64))).rejects.toThrow(
      /^-: byte \d+: the dump holds one trace tuple twice .* read the dump from a file \(not stdin or a pipe\)$/,
    );
  });

  it('says so of a named pipe too (it opened the pipe again and waited for a writer for ever)', async () => {
    const fifo = join(dir, 'dump.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat fixtures/parity/shared/py37-a.pickle > '${fifo}'`]);
    const r = await cli('stats', fifo);
    writer.kill();
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringMatching(
        /the dump holds one trace tuple twice .* read the dump from a file \(not stdin or a pipe\)\n$/,
      ),
    ]);
  });

  it('never fails but with an InputError on damaged copies (fuzz)', async () => {
    const data = readFileSync('fixtures/parity/shared/py311-proto2.pickle');
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const bad = Buffer.from(data.subarray(0, rand(data.length) + 1));
      for (let k = rand(4); k > 0; k--) bad[rand(bad.length)] = rand(256);
      const r = await readSnapshot('fuzz', [bad]).then(
        () => null,
        (e: unknown) => e,
      );
      if (r !== null) expect(r).toBeInstanceOf(InputError);
    }
  });
});

describe("CPython 3.6's Traceback: most recent frame first", () => {
  it('cannot be told from the dump: 3.6 and 3.7 write the same bytes for the same snapshot', () => {
    const [a, b] = expected.order.identicalBytes!;
    expect(readFileSync(a!).equals(readFileSync(b!))).toBe(true);
  });

  it.each(expected.order.cases.filter((c) => c.python === '3.7').map((c) => [title(c), c] as const))(
    '%s (the default)',
    async (_, c) => {
      expect(await printed(c)).toBe(c.output);
    },
  );

  it
    .skipIf(!pythonFlag)
    .each(expected.order.cases.filter((c) => c.python === '3.6').map((c) => [title(c), c] as const))(
    '%s (--python 3.6)',
    async (_, c) => {
      expect(await printed(c)).toBe(c.output);
    },
  );

  it('as 3.6 whatever the spelling of the version (3.6.15), and from the dump converted to JSON', async () => {
    const cases = expected.order.cases.filter((c) => c.python === '3.6' && c.command === 'stats');
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const full = await cli(c.command, ...c.files, ...c.args, ...sourcePath(c), '--python', '3.6.15');
      expect([full.code, full.out]).toEqual([0, c.output]);
      const json = join(dir, 'order36.json');
      expect((await cli('convert', c.files[0]!, '--to', 'json', '-o', json)).code).toBe(0);
      const converted = await cli(c.command, json, ...c.args, ...sourcePath(c), '--python', '3.6');
      expect([converted.code, converted.out]).toEqual([0, c.output]);
    }
    const r = await cli('stats', cases[0]!.files[0]!, '--python', '2.7');
    expect([r.code, r.err]).toEqual([
      2,
      "arenascope: --python takes a CPython version from 3.6 on, such as 3.6 or 3.11; got '2.7'\n",
    ]);
  });

  it('marks the snapshot when asked, and refuses what 3.6 could not read', async () => {
    const twin = readFileSync(expected.order.identicalBytes![0]);
    expect((await readSnapshot('twin', [twin], { python: '3.6' })).tracebackOrder).toBe('most-recent-first');
    expect((await readSnapshot('twin', [twin], { python: '3.7' })).tracebackOrder).toBe('oldest-first');
    const { file, error } = expected.order.unreadable;
    expect(error).toBe('ValueError: unsupported pickle protocol: 5');
    await expect(readSnapshot(file, [readFileSync(file)], { python: '3.6' })).rejects.toThrow(
      /not a dump of CPython 3\.6: it is a protocol 5 pickle, which CPython 3\.6 cannot read/,
    );
    await expect(readSnapshot(file, [readFileSync(file)], { python: '3.8' })).rejects.toThrow(/4 items/);
  });

  it('refuses it alike converted to JSON, which carries its protocol and layout (3.6 read it reversed, exit 0)', async () => {
    const { file } = expected.order.unreadable;
    const json = join(dir, 'unreadable-by-3.6.json');
    expect((await cli('convert', file, '--to', 'json', '-o', json)).code).toBe(0);
    for (const [python, why] of [
      ['3.6', /not converted from a dump of CPython 3\.6: it is a protocol 5 pickle, which CPython 3\.6 cannot read/],
      ['3.8', /not converted from a dump of CPython 3\.8: its traces have 4 items/],
    ] as const) {
      const dump = await cli('stats', file, '--python', python);
      const converted = await cli('stats', json, '--python', python);
      expect([dump.code, converted.code]).toEqual([2, 2]);
      expect(converted.err).toMatch(why);
    }
    expect((await cli('stats', json, '--python', '3.13')).code).toBe(0);
  });
});

describe('source lines as linecache finds and decodes them', () => {
  const t = expected.tree;

  it.each(t.cases.map((c) => [title(c), c] as const))('%s --source-path …', async (_, c) => {
    expect(await printed(c)).toBe(c.output);
  });

  it.each(t.getline.map((g) => [`${g.filename}:${g.lineno}`, g] as const))('getline(%s)', (_, g) => {
    // 3.6-3.9 let a decoding error through (Traceback.format() raises); from 3.10 there is no line.
    expect(g.by['3.11']!.line).toBeDefined();
    expect(fileSourceLookup(t.sourcePath)(g.filename, g.lineno)).toBe(g.by['3.11']!.line);
  });

  it.each(expected.encodings.detect.map((d) => [d.head, d] as const))('tokenize.detect_encoding(%s)', (head, d) => {
    const codec = detectEncoding(Buffer.from(head, 'hex'));
    if (d.unsupported) expect(codec).toBeNull();
    else expect(codec === null ? null : expected.encodings.names[codec]).toBe(d.codec ?? null);
  });

  it.each(Object.keys(expected.encodings.tables).filter((c) => !c.startsWith('utf_8')))(
    '%s: bytes 0x80-0xff',
    (codec) => {
      const got = expected.encodings.tables[codec]!.map((_, i) => {
        const text = decodeSource(Buffer.concat([Buffer.from(`# coding: ${codec}\n`), Buffer.of(0x80 + i)]));
        return text === null ? null : text.split('\n')[1]!.codePointAt(0)!;
      });
      expect(got).toEqual(expected.encodings.tables[codec]);
    },
  );

  it('knows every alias CPython has for those codecs', () => {
    const names = expected.encodings.names;
    for (const [alias, name] of Object.entries(expected.encodings.aliases)) {
      const codec = pythonCodec(alias);
      expect(codec === null ? null : names[codec], alias).toBe(name);
    }
  });
});

describe('a pickle that is not a tracemalloc snapshot is named for what it is', () => {
  it('a cut one by what it opens with', async () => {
    const data = readFileSync('fixtures/parity/foreign/cuda-snapshot.pickle');
    const cut = data.subarray(0, data.length >> 1);
    await expect(readSnapshot('cut.pickle', [cut])).rejects.toThrow(
      `not a tracemalloc snapshot: a pickle that opens with a dict with keys 'segments', cut off at byte ${cut.length},`,
    );
  });

  it.each(expected.foreign.map((f) => [f.file, f] as const))('%s', async (file, f) => {
    const err = await loadCapture(file).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    const msg = err!.message;
    const at = Number(/: byte (\d+): /.exec(msg)?.[1]);
    expect(msg.startsWith(`${file}: byte `)).toBe(true);
    expect(f.opcodes).toContain(at);
    const g = f.globals[0];
    if (g?.[1].startsWith('posix.')) {
      expect(at).toBe(g[0]);
      expect(msg).toContain(`refusing the global ${g[1]}: a tracemalloc dump may only name`);
    } else if (g) {
      expect(at).toBe(g[0]);
      const what = g[2] === 'REDUCE' ? `${g[1]}(…)` : `a ${g[1]} object`;
      expect(msg).toContain(`a pickle of ${what}, not a tracemalloc snapshot`);
    } else {
      const { type, keys } = f.root!;
      const what = keys ? `a ${type} with keys ${keys.map((k) => `'${k}'`).join(', ')}` : `a ${type}`;
      expect(msg).toContain(`a pickle of ${what}`);
      expect(msg).toContain('not a tracemalloc snapshot');
    }
    for (const size of [1, 5]) {
      await expect(readSnapshot(file, chunked(readFileSync(file), size))).rejects.toThrow(msg.slice(file.length));
    }
  });
});

describe('file names a CSV writer may change (fixtures/parity/make_csv_names.py)', () => {
  // U+FDD0 and hex digits (the CSV writer's own mark for a byte that is not UTF-8) came out as other
  // characters ('pre\uFDD0c3\uFDD0a9.py' as 'preé.py'), and fast-csv dropped a NUL: read back with
  // Python's csv module, every row must be CPython's statistics('lineno').
  it("stats -f csv read back by Python's csv module is CPython's statistics", async () => {
    const dump = 'fixtures/parity/csv-names/py311-names.pickle';
    const r = await cli('stats', dump, '-f', 'csv');
    expect(r.code).toBe(0);
    const out = join(dir, 'csv-names.csv');
    writeFileSync(out, r.out);
    const check = [
      'import csv, sys, tracemalloc',
      'rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8", errors="surrogateescape")))[1:]',
      'stats = tracemalloc.Snapshot.load(sys.argv[1]).statistics("lineno")',
      'want = [[str(i + 1), s.traceback[0].filename, str(s.traceback[0].lineno), str(s.size), str(s.count)] for i, s in enumerate(stats)]',
      'print(sum(a[:5] != b for a, b in zip(rows, want)) + abs(len(rows) - len(want)))',
    ].join('\n');
    expect(execFileSync('python3', ['-c', check, dump, out], { encoding: 'utf8' }).trim()).toBe('0');
  });
});

describe('file names that are not UTF-8 (fixtures/parity/make_undecodable.py)', () => {
  it('print as CPython writes them with surrogateescape: their own bytes, told apart from U+FFFD', async () => {
    const expected = readFileSync('fixtures/parity/undecodable/stats-lineno.txt');
    const r = await cli('stats', 'fixtures/parity/undecodable/py311-names.pickle');
    expect(r.code).toBe(0);
    const lines = expected.toString('latin1').split('\n').filter(Boolean).length;
    const printed = encodeText(`${r.out.split('\n').slice(0, lines).join('\n')}\n`);
    expect(Buffer.from(printed).equals(expected)).toBe(true);
  });

  it('the HTML report is UTF-8, each such name shown by its bytes, apart from U+FFFD (they showed alike)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-bytes-html-'));
    try {
      const page = join(dir, 'r.html');
      expect((await cli('report', 'fixtures/parity/undecodable/py311-names.pickle', '-o', page)).code).toBe(0);
      const html = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(page));
      for (const name of ['tie\\xff.py:2', 'tie\\x80.py:2', 'tie\ufffd.py:2'])
        expect(html).toContain(`<summary>${name}</summary>`);
      // The charts' data spells them as the tables do: as lone surrogates ('\udcff' in the JSON) they
      // read otherwise in the labels, and a browser's DOM held text that is no Unicode (h254).
      expect(html).not.toMatch(/\\udc[89a-f][0-9a-f]/i);
      expect(html).toMatch(/"[^"]*tie\\\\xff\.py/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CSV too: the names go out as their bytes', async () => {
    const r = await cli('stats', 'fixtures/parity/undecodable/py311-names.pickle', '-f', 'csv');
    const names = Buffer.from(encodeText(r.out))
      .toString('latin1')
      .split('\n')
      .slice(1, 5)
      .map((row) => row.split(',')[1]);
    expect(names).toEqual(['tie.py', 'tie\xef\xbf\xbd.py', 'tie\xff.py', 'tie\x80.py']);
  });

  it('written to a file (convert -o FILE) as to stdout: their bytes (they were U+FFFD in files)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-bytes-out-'));
    try {
      const file = join(dir, 'names.csv');
      const dump = 'fixtures/parity/undecodable/py311-names.pickle';
      expect((await cli('convert', dump, '--to', 'csv', '-o', file)).code).toBe(0);
      const names = readFileSync(file)
        .toString('latin1')
        .split('\n')
        .slice(1, 5)
        .map((row) => row.split(',')[1]);
      expect(names).toEqual(['tie.py', 'tie\xef\xbf\xbd.py', 'tie\xff.py', 'tie\x80.py']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('their source is found by those bytes, as linecache finds it (os.fsencode of the name)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-bytes-'));
    try {
      const name = Buffer.from([...Buffer.from('tie'), 0xff, ...Buffer.from('.py')]);
      writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), 'x = 1\n    y = [0] * 10  \n');
      const escaped = 'tie\uDCFF.py'; // os.fsdecode(b'tie\xff.py'), as the dump holds it
      expect(fileSourceLookup([dir])(escaped, 2)).toBe('y = [0] * 10');
      expect(fileSourceLookup()(`${dir}/${escaped}`, 1)).toBe('x = 1');
      // U+FFFD is another name: not that file.
      expect(fileSourceLookup([dir])('tie\uFFFD.py', 1)).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('only an unpaired low surrogate of U+DC80-U+DCFF is a byte; pairs and other text are UTF-8', () => {
    expect(encodeText('plain')).toBe('plain');
    expect(encodeText('a\u{1F600}b\uFFFD')).toBe('a\u{1F600}b\uFFFD');
    expect(encodeText('tie\uDCFF.py \uDC80')).toEqual(
      Buffer.from([...Buffer.from('tie'), 0xff, ...Buffer.from('.py '), 0x80]),
    );
  });
});
