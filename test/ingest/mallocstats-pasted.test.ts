// Allocator reports as people have them: pasted from an interactive session or a terminal, edited by hand,
// CRLF, mixed with other output. Figures and warnings are checked against pasted/expected-pasted.json,
// which fixtures/mallocstats/make_pasted.py computes from real CPython output and the edits it made.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { importer } from '../../src/ingest/mallocstats.js';
import { type AllocatorStats, endsWithExitReport, type MallocStatsBlock } from '../../src/model/allocator-stats.js';
import { InputError } from '../../src/util/errors.js';

const DIR = 'fixtures/mallocstats/pasted';

interface Row {
  class: number;
  size: number;
  pools: number;
  inUse: number;
  avail: number;
}
interface ExpectedWarning {
  line: number;
  rule: string;
  pools?: number;
  allocatedBytes?: number;
  rowsListed?: number;
  fitsClass?: Row | null;
}
type ExpectedBlock = Record<string, unknown> & { complete: boolean; warnings: ExpectedWarning[] };
interface Entry {
  file: string;
  python: string;
  derivedFrom: string | null;
  edit: ({ kind: string } & Record<string, unknown>) | null;
  reports: number;
  blocks: ExpectedBlock[];
}

const expected = JSON.parse(readFileSync(`${DIR}/expected-pasted.json`, 'utf8')) as Entry[];
const fmt = (n: number): string => n.toLocaleString('en-US');
const tmp = mkdtempSync(join(tmpdir(), 'arenascope-pasted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A block in expected.json's shape (the field names make_fixtures.py and make_pasted.py write). */
function figures({
  inputLine,
  classes,
  complete,
  warnings,
  atNewArena,
  ...rest
}: MallocStatsBlock): Record<string, unknown> {
  return { line: inputLine, classes: classes.map(({ cls, ...c }) => ({ class: cls, ...c })), ...rest };
}

async function read(path: string): Promise<AllocatorStats> {
  const s = await loadCapture(path); // sniffed from content, as a user's file would be
  expect(s.kind).toBe('allocator-stats');
  return s as AllocatorStats;
}

/**
 * Each warning in the capture's list is `file: line N: message`, in block and line order; a
 * PYTHONMALLOCSTATS log (its first report before any arena) then says which report stands for it.
 */
function expectListed(s: AllocatorStats, path: string): void {
  const all = s.blocks.flatMap((b) => b.warnings ?? []);
  const log = endsWithExitReport(s.blocks);
  expect(s.warnings.filter((w) => !log || !w.includes(': a PYTHONMALLOCSTATS log: '))).toEqual(
    all.map((w) => `${path}: line ${w.line}: ${w.message}`),
  );
  expect(s.warnings.length).toBe(all.length + (log ? 1 : 0));
}

describe('pasted and hand-edited reports (pasted/expected-pasted.json)', () => {
  const cases = expected.map((e) => {
    const what = e.derivedFrom ? `${e.edit!.kind}, from ${e.derivedFrom}` : `CPython ${e.python}`;
    return [`${e.file} (${what})`, e] as const;
  });

  it.each(cases)('%s', async (_, e) => {
    const path = `${DIR}/${e.file}`;
    const s = await read(path);
    expect(s.blocks.length).toBe(e.reports);
    expect(s.blocks.map(figures)).toEqual(e.blocks.map(({ complete, warnings, ...rest }) => rest));
    expect(s.blocks.map((b) => b.complete ?? true)).toEqual(e.blocks.map((b) => b.complete));
    expect(s.blocks.map((b) => (b.warnings ?? []).map(({ line, rule }) => ({ line, rule })))).toEqual(
      e.blocks.map((b) => b.warnings.map(({ line, rule }) => ({ line, rule }))),
    );
    expectListed(s, path);
    // What the message says is what the script worked out from the edit.
    const pairs = s.blocks.flatMap((b, i) => (b.warnings ?? []).map((w, j) => [w, e.blocks[i]!.warnings[j]!] as const));
    for (const [w, x] of pairs) {
      if (x.pools !== undefined && x.allocatedBytes !== undefined)
        expect(w.message).toContain(`${fmt(x.pools)} pools and ${fmt(x.allocatedBytes)} bytes in allocated blocks`);
      if (x.rowsListed !== undefined)
        expect(w.message).toContain(`(${x.rowsListed} rows listed, of at most 32 classes)`);
      const f = x.fitsClass;
      if (f)
        expect(w.message).toContain(
          `class ${f.class} (${f.size} bytes), ${fmt(f.pools)} pools, ${fmt(f.inUse)} in use`,
        );
    }
    if (e.edit?.field === 'bytesInAllocatedBlocks') {
      const [printed, edited] = [e.edit.printed as number, e.edit.edited as number];
      const msg = `# bytes in allocated blocks says ${fmt(edited)} but the size-class table adds up to ${fmt(printed)}`;
      expect(s.warnings.join('\n')).toContain(msg);
    }
  });
});

describe('a report whose figures all agree stays silent', () => {
  const real = [
    ...readdirSync('fixtures/mallocstats')
      .filter((f) => /\.(txt|log)$/.test(f))
      .map((f) => `fixtures/mallocstats/${f}`),
    ...expected.filter((e) => !e.derivedFrom).map((e) => `${DIR}/${e.file}`),
  ];
  it.each(real)('%s', async (path) => {
    const s = await read(path);
    // A PYTHONMALLOCSTATS log ending with the report at exit says which of its reports stands for the program.
    const log = endsWithExitReport(s.blocks);
    expect(s.warnings).toEqual(
      log
        ? [
            `${path}: a PYTHONMALLOCSTATS log: its last report (line ${s.blocks.at(-1)!.inputLine}) is printed at ` +
              `exit, after the shutdown; the one at line ${s.blocks.at(-2)!.inputLine} stands for the program (printed ` +
              'before a new arena, when all were full: room freed later does not show)',
          ]
        : [],
    );
    expect(s.blocks.filter((b) => b.warnings !== undefined || b.complete !== undefined)).toEqual([]);
  });
});

describe('each kind of edit gives its warning, with the file and the line', () => {
  const base = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8').split('\n');
  const at = (prefix: string, after = -1): number => base.findIndex((l, i) => i > after && l.startsWith(prefix));
  // printone(): the label padded to 35 columns, '=', the value right-aligned in 21 with commas.
  const plusOne = (l: string): string =>
    `${l.slice(0, 36)}${fmt(Number(l.slice(36).replace(/,/g, '')) + 1).padStart(21)}`;
  // A table row, "%5u %6u %11zu %15zu %13zu", with its numbers changed.
  const row = (f: (cols: number[]) => number[]) => (l: string) =>
    f(l.trim().split(/ +/).map(Number))
      .map((n, k) => String(n).padStart([5, 6, 11, 15, 13][k]!))
      .join(' ');
  const first = at('    0 ');
  const [alloc, avail, headers] = [at('# bytes in allocated'), at('# bytes in available'), at('# bytes lost to pool')];
  const [quant, alignment, total] = [at('# bytes lost to quant'), at('# bytes lost to arena al'), at('Total')];
  const [reclaimed, highwater, arenas] = [at('# arenas reclaimed'), at('# arenas highwater'), at('12 arenas')];
  const [map, mapTotal, unused] = [
    at('arena map counts'),
    at('Total', total),
    base.findIndex((l) => / unused pools \* /.test(l)),
  ];
  const freeList = base.findIndex((l) => l.includes('free PyFloatObjects'));

  // [what, 0-based line edited, the edit (null: delete the line), the warnings as [rule, 0-based line]]
  const cases: [string, number, ((l: string) => string) | null, [string, number][]][] = [
    [
      'a row whose blocks do not fill its pools',
      first + 3,
      row(([c, s, p, u, a]) => [c!, s!, p!, u! + 1, a!]),
      [
        ['row', first + 3],
        ['allocated-bytes', alloc],
      ],
    ],
    [
      'a row with the wrong block size',
      first + 1,
      row(([c, s, p, u, a]) => [c!, s! + 8, p!, u!, a!]),
      [
        ['row', first + 1],
        ['allocated-bytes', alloc],
        ['available-bytes', avail],
      ],
    ],
    ['a class count that does not fit the threshold', 0, (l) => l.replace('32', '30'), [['classes', 0]]],
    ['# arenas reclaimed', reclaimed, plusOne, [['reclaimed', reclaimed]]],
    ['# arenas highwater mark', highwater, (l) => l.replace(/\d+$/, '1'), [['highwater', highwater]]],
    ['the arenas line', arenas, plusOne, [['arenas', arenas]]],
    [
      'the count of unused pools',
      unused,
      (l) => l.replace(/^\d+/, (n) => String(Number(n) - 1)),
      [['unused-pools', unused]],
    ],
    [
      '# bytes lost to pool headers',
      headers,
      plusOne,
      [
        ['pool-headers', headers],
        ['total', total],
      ],
    ],
    [
      '# bytes in available blocks',
      avail,
      plusOne,
      [
        ['available-bytes', avail],
        ['total', total],
      ],
    ],
    [
      '# bytes lost to arena alignment',
      alignment,
      plusOne,
      [
        ['arena-alignment', alignment],
        ['total', total],
      ],
    ],
    [
      '# bytes lost to quantization',
      quant,
      plusOne,
      [
        ['quantization', quant],
        ['total', total],
      ],
    ],
    ['Total', total, plusOne, [['total', total]]],
    [
      'the arena map',
      mapTotal - 1,
      plusOne,
      [
        ['arena-map', mapTotal - 1],
        ['arena-map', mapTotal],
      ],
    ],
    ['the arena map cut short', mapTotal - 2, null, [['arena-map-partial', map]]],
    ['a free-list line', freeList, (l) => `${l.slice(0, -3)}999`, [['free-list', freeList]]],
    ['a table elided with an ellipsis character', first + 4, () => '   \u2026', [['table-elided', first + 4]]],
  ];

  it.each(cases)('%s', async (what, i, edit, want) => {
    expect(i).toBeGreaterThanOrEqual(0);
    const lines = [...base];
    if (edit) lines[i] = edit(lines[i]!);
    else lines.splice(i, 1);
    expect(lines).not.toEqual(base);
    const path = join(tmp, `${what.replace(/\W+/g, '-')}.txt`);
    writeFileSync(path, lines.join('\n'));
    const s = await read(path);
    const b = s.blocks[0]!;
    expect((b.warnings ?? []).map((w) => [w.rule, w.line])).toEqual(want.map(([r, l]) => [r, l + 1]));
    expectListed(s, path);
    const partial = want.some(([r]) => r.endsWith('-elided') || r === 'arena-map-partial');
    expect(b.complete).toBe(partial ? false : undefined);
  });

  it('a threshold no CPython prints (2^32): a warning, and the table checked against 32 classes (fuzz finding)', async () => {
    // Its checks tried 2^28 size classes (8 s, a hang to the fuzzer).
    const real = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8');
    const path = join(tmp, 'threshold.txt');
    writeFileSync(path, real.replace('Small block threshold = 512,', 'Small block threshold = 4294967296,'));
    const b = (await read(path)).blocks[0]!;
    const first = b.warnings?.[0];
    expect([first?.rule, first?.message]).toEqual([
      'classes',
      "a small block threshold of 4294967296 is above any CPython's (512): the table is checked against 32 size classes",
    ]);
    // The figures are the report's own, as read.
    const whole = (await read('fixtures/mallocstats/py311-debugmallocstats.txt')).blocks[0]!;
    expect({ ...b, smallBlockThreshold: 512, warnings: undefined }).toEqual({ ...whole, warnings: undefined });
  });

  it('a log of many damaged reports: the first 20 warnings, then how many more', async () => {
    const log = readFileSync('fixtures/mallocstats/py38-mallocstats-env.log', 'utf8').split('\n');
    const bad = log.map((l) => (l.startsWith('# arenas reclaimed') ? l.replace(/\d+$/, (n) => `${Number(n) + 1}`) : l));
    const path = join(tmp, 'many.log');
    writeFileSync(path, bad.join('\n'));
    const s = await read(path);
    expect(s.blocks.length).toBe(22);
    expect(s.blocks.every((b) => b.warnings?.[0]?.rule === 'reclaimed')).toBe(true);
    expect(s.warnings.length).toBe(22); // and which report stands for the log
    expect(s.warnings[20]).toBe(`${path}: 2 more warnings like these`);
  });
});

describe('reading stays streaming', () => {
  async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let i = 0; i < buf.length; i += size) yield Buffer.from(buf.subarray(i, i + size));
  }

  it.each(['crlf.txt', 'elided.txt', 'py311-interactive-env.txt'])(
    '%s read in 7-byte chunks: the same reports and warnings',
    async (name) => {
      const path = `${DIR}/${name}`;
      const buf = readFileSync(path);
      const input = { label: path, gzip: false, head: buf.subarray(0, 1 << 16), chunks: chunks(buf, 7) };
      const small = (await importer.read(input, {})) as AllocatorStats;
      const whole = await read(path);
      expect(small.blocks).toEqual(whole.blocks);
      expect(small.warnings).toEqual(whole.warnings);
    },
  );
});

describe('random damage to a pasted session (seeded)', () => {
  const lines = readFileSync(`${DIR}/py313-terminal.txt`, 'utf8').split('\n');
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  it('gives reports with warnings at lines of the file, or an input error: never anything else', async () => {
    for (let k = 0; k < 60; k++) {
      const bad = [...lines];
      for (let j = 0; j < 1 + rand(4); j++) {
        const i = rand(bad.length);
        const op = rand(4);
        if (op === 0) bad.splice(i, 1);
        else if (op === 1) bad.splice(i, 0, bad[rand(bad.length)]!);
        else if (op === 2) bad[i] = bad[i]!.replace(/\d/, String(rand(10)));
        else bad[i] = '...';
      }
      const path = join(tmp, `random-${k}.txt`);
      writeFileSync(path, bad.join('\n'));
      const r = await loadCapture(path, { format: 'allocator-stats' }).catch((e: Error) => e);
      if (r instanceof Error) {
        expect(r).toBeInstanceOf(InputError);
        continue;
      }
      const s = r as AllocatorStats;
      for (const w of s.blocks.flatMap((b) => b.warnings ?? [])) {
        expect(w.line).toBeGreaterThan(0);
        expect(w.line).toBeLessThanOrEqual(bad.length);
      }
    }
  });
});

describe('a PYTHONMALLOCSTATS log beside a progress line (fixtures/mallocstats/progress: make.sh, CPython 3.11)', () => {
  it('reads every report, each printed after the progress text on its line (20 of 24 were passed over)', async () => {
    const text = readFileSync('fixtures/mallocstats/progress/progress.log', 'latin1');
    const reports = text.split('Small block threshold = ').length - 1;
    const arenas = [...text.matchAll(/# arenas allocated current += +([\d,]+)/g)].map((m) =>
      Number(m[1]!.replace(/,/g, '')),
    );
    const c = (await loadCapture('fixtures/mallocstats/progress/progress.log')) as AllocatorStats;
    expect(c.blocks).toHaveLength(reports);
    expect(c.blocks.map((b) => b.arenasCurrent)).toEqual(arenas);
  });
});

describe('a report after more output than detection reads at first (2,500 log lines)', () => {
  it('is found further in, by name or in a folder (it was "not a format arenascope reads")', async () => {
    const real = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8');
    const log = `${Array.from({ length: 2500 }, (_, i) => `INFO processing item ${i + 1}`).join('\n')}\n${real}`;
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-late-report-'));
    try {
      writeFileSync(join(dir, 'app.log'), log);
      const late = (await loadCapture(join(dir, 'app.log'))) as AllocatorStats;
      const plain = (await loadCapture('fixtures/mallocstats/py311-debugmallocstats.txt')) as AllocatorStats;
      expect(late.blocks.map((b) => b.arenasCurrent)).toEqual(plain.blocks.map((b) => b.arenasCurrent));
      expect(late.blocks.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("mimalloc's report (CPython 3.13, PYTHONMALLOC=mimalloc: fixtures/mallocstats/make_mimalloc.sh)", () => {
  it("is refused as mimalloc's, not as a pymalloc report missing its figures", async () => {
    const e = await loadCapture('fixtures/mallocstats/refused/refused-py313-mimalloc.txt').catch((x: Error) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/line 2: a report of mimalloc \(CPython 3\.13\+ with PYTHONMALLOC=mimalloc/);
  });
});

describe('_debugmallocstats() while tracemalloc traces (fixtures/mallocstats/make_tracing.sh)', () => {
  it('is refused saying the report was left out, not "not a format"', async () => {
    const e = await loadCapture('fixtures/mallocstats/refused/refused-py311-tracemalloc.txt').catch((x: Error) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(
      /output of free lists only: CPython leaves pymalloc's report out while tracemalloc traces/,
    );
  });
});

describe('a report logged line by line, each record timed to the millisecond (fixtures/mallocstats/logged, CPython 3.12)', () => {
  // Once the time changed, a size-class row behind it was read as a log prefix whole (its numbers as
  // more fields) and taken for a blank line: "rows are missing", no figures, and the gate failed.
  it('reads every row as the report printed alone does, with the prefix named once', async () => {
    const logged = (await loadCapture('fixtures/mallocstats/logged/logged.log')) as AllocatorStats;
    const plain = (await loadCapture('fixtures/mallocstats/logged/plain.txt')) as AllocatorStats;
    const figures = (a: AllocatorStats) => a.blocks.map((b) => ({ ...b, line: 0 }));
    expect(figures(logged)).toEqual(figures(plain));
    expect(logged.warnings.join('\n')).not.toMatch(/rows are missing/);
    expect(logged.warnings.join('\n')).toMatch(/carry '2026-\d\d-\d\d [\d:.]+ \| ' before CPython's text/);
  });
});

describe("pymemtrace's difference of two reports (fixtures/mallocstats/found, public pages)", () => {
  const F = 'fixtures/mallocstats/found';

  it('beside a whole report: the report is read, the difference passed over with a warning (the page was refused)', async () => {
    const page = readFileSync(`${F}/pymemtrace-page.rst`, 'utf8').split('\n');
    // The report's own figures, as CPython printed them.
    const figure = (label: string): number =>
      Number(/=\s*([\d,]+)\s*$/.exec(page.find((l) => l.trim().startsWith(label))!)![1]!.replace(/,/g, ''));
    const r = (await loadCapture(`${F}/pymemtrace-page.rst`)) as AllocatorStats;
    expect(r.blocks.map((b) => [b.arenasCurrent, b.bytesInAllocatedBlocks])).toEqual([
      [figure('# arenas allocated current'), figure('# bytes in allocated blocks')],
    ]);
    const diffLine = page.findIndex((l) => /^\s+1\s+32\s+\+1\s/.test(l)) - 1;
    expect(r.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`line ${diffLine}: a size-class table of signed figures`)),
    );
  });

  it('alone: refused as what it is, not as a report missing its first line', async () => {
    const e = await loadCapture(`${F}/pymemtrace-diff.rst`).then(
      () => null,
      (x: Error) => x,
    );
    expect(e).toBeInstanceOf(InputError);
    expect(e!.message).toMatch(/pymemtrace's difference of two reports/);
    expect(e!.message).not.toMatch(/missing its first line/);
  });
});

// A report pasted without its last line end (fixtures/mallocstats/py312-debugmallocstats.txt, CPython
// 3.12's own): its last row, a free list whose bytes are its count times its size, is whole (it was
// refused as cut, and --allow-partial warned of free lists stopping before their last: h344 F3). Cut
// in its figure, it is still cut.
describe('a report with no line end after its last free list', () => {
  const text = readFileSync('fixtures/mallocstats/py312-debugmallocstats.txt', 'utf8').trimEnd();
  it('is read whole, with the same figures', async () => {
    const f = join(tmp, 'no-line-end.txt');
    writeFileSync(f, text);
    const read = (await loadCapture(f)) as AllocatorStats;
    const whole = (await loadCapture('fixtures/mallocstats/py312-debugmallocstats.txt')) as AllocatorStats;
    expect(read.warnings).toEqual([]);
    expect(read.blocks).toEqual(whole.blocks.map((b) => ({ ...b })));
  });
  it('cut in its figure, is cut', async () => {
    const f = join(tmp, 'cut-in-figure.txt');
    writeFileSync(f, text.replace(/ 0$/, ''));
    await expect(loadCapture(f)).rejects.toThrow(/line \d+: the file ends in the middle of a line/);
  });
});
