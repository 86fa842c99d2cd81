// The command line as a user runs it: exit codes, messages, stdin, --help, and the data formats
// (JSON checked against what CPython's tracemalloc computes for the same dump).
import { execFileSync, spawnSync } from 'node:child_process';
import { linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseString } from 'fast-csv';
import { describe, expect, it } from 'vitest';
import { BIN, cli, python3 } from '../helpers.js';

const DUMP = 'fixtures/dumps/py311-inventory-b.pickle';
const OLD = 'fixtures/dumps/py311-inventory-a.pickle';
const py = python3();

function bin(args: string[], input?: Buffer) {
  return spawnSync('node', [BIN, ...args], { input, encoding: 'utf8' });
}

describe('the binary', () => {
  it('reads a dump from stdin with -', () => {
    const r = bin(['stats', '-', '--limit', '2'], readFileSync(DUMP));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(bin(['stats', DUMP, '--limit', '2']).stdout);
  });

  it('reads a capture piped a byte at a time at first (a JSON whose "{" came alone was not recognised)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-slow-pipe-'));
    try {
      const json = join(dir, 'snap.json');
      execFileSync('node', [BIN, 'convert', OLD, '--to', 'json', '-o', json]);
      // A writer that sends its first byte, waits, then the rest: the reader's first chunk is "{".
      const writer = `process.stdout.write('{'); setTimeout(() => process.stdout.write(require('fs').readFileSync(${JSON.stringify(json)}).subarray(1)), 300);`;
      const out = execFileSync('sh', ['-c', `node -e "$W" | node ${JSON.stringify(BIN)} stats - --limit 2`], {
        env: { ...process.env, W: writer },
        encoding: 'utf8',
      });
      expect(out).toBe(bin(['stats', OLD, '--limit', '2']).stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('convert of stdin writes no label (it wrote the stdin marker, a NUL), alone or in a series', () => {
    const r = bin(['convert', '-', '--to', 'json'], readFileSync(OLD));
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/"label"/);
    const series = bin(['convert', DUMP, '-', '--to', 'json'], readFileSync(OLD));
    expect(series.status).toBe(0);
    expect(series.stdout).not.toContain('\\u0000');
  });

  it("names stdin '-' in messages, tables, reports and baselines (they held the marker '\\0stdin')", () => {
    const wrong = bin(['stats', '-'], readFileSync('fixtures/leaks/mprof/leak.dat'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/^arenascope: -: this is a memory-series/);
    const replay = bin(['replay', '-'], readFileSync(OLD));
    expect(replay.stdout).toMatch(/\n- +\d/);
    const report = JSON.parse(bin(['report', '-', '-f', 'json'], readFileSync(OLD)).stdout);
    expect([report.inputs, report.snapshots.labels]).toEqual([['-'], ['-']]);
    const baseline = JSON.parse(bin(['baseline', '-', '-o', '-'], readFileSync(OLD)).stdout);
    expect(baseline.inputs).toEqual(['-']);
    for (const r of [wrong, replay]) expect(r.stdout + r.stderr).not.toContain('\0');
  });

  it('exits 2 with the file and the problem on bad input, and no stack trace', () => {
    const r = bin(['stats', 'fixtures/bad/os-system.pickle']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^arenascope: fixtures\/bad\/os-system\.pickle: byte \d+: refusing the global posix\.system/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a usage error', () => {
    const r = bin(['stats']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Not enough non-option arguments/);
  });

  it('exits 2 for a missing file', () => {
    const r = bin(['info', 'no/such.pickle']);
    expect([r.status, r.stderr.trim()]).toEqual([2, 'arenascope: no/such.pickle: cannot read: no such file']);
  });

  it('reads the one match of a quoted pattern where one file is read, and says what else it matched', () => {
    // It said "no such file" of a pattern (helper h145). A capture's sidecars are no second match.
    const G = 'fixtures/gate/steady2';
    const one = bin(['diff', `${G}/snap-1*`, `${G}/snap-5*`]);
    expect([one.status, one.stdout]).toEqual([0, bin(['diff', `${G}/snap-1.pickle`, `${G}/snap-5.pickle`]).stdout]);
    const many = bin(['stats', `${G}/*.pickle`]);
    expect([many.status, many.stderr.trim()]).toEqual([
      2,
      `arenascope: ${G}/*.pickle: the pattern matches 5 files, and this command reads one: name it (leaks, report and gate read a series)`,
    ]);
    const none = bin(['stats', `${G}/*.nothing`]);
    expect([none.status, none.stderr.trim()]).toEqual([2, `arenascope: ${G}/*.nothing: no file matches this pattern`]);
  });

  it('reads the one capture of a folder where one file is read, and names the first and last dump of a folder of several', () => {
    // `diff run-a/ run-b/` said "cannot read: is a directory, expected a file".
    const run = 'fixtures/run-folder/run';
    const two = bin(['diff', run, run]);
    expect([two.status, two.stderr.trim()]).toEqual([
      2,
      `arenascope: ${run}: a folder of 17 captures, and this command reads one: name it (its first dump is ` +
        `${run}/snapshots/0001.pickle, its last ${run}/snapshots/0008.pickle); leaks, report and gate read a folder as a series`,
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-one-'));
    writeFileSync(join(dir, 'snap-1.pickle'), readFileSync('fixtures/gate/steady2/snap-1.pickle'));
    writeFileSync(join(dir, 'notes.txt'), 'the run of Tuesday\n');
    const one = bin(['stats', dir]);
    expect([one.status, one.stdout]).toEqual([0, bin(['stats', 'fixtures/gate/steady2/snap-1.pickle']).stdout]);
    expect(one.stderr).toBe(`arenascope: warning: skipping ${dir}/notes.txt: not a capture arenascope reads\n`);
    rmSync(join(dir, 'snap-1.pickle'));
    const none = bin(['stats', dir]);
    expect([none.status, none.stderr.trim()]).toEqual([
      2,
      `arenascope: ${dir}: a folder holding no capture, and this command reads one file`,
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('--help', () => {
  it.each(['stats', 'diff', 'info', 'convert'])('%s --help', async (cmd) => {
    const r = await cli(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`arenascope ${cmd}`);
    expect(r.out).toContain('--help');
  });

  it('lists the commands and the exit codes', async () => {
    const r = await cli('--help');
    for (const s of ['stats <dump>', 'diff <old> <new>', 'info <inputs..>', 'convert <inputs..>', 'Exit codes'])
      expect(r.out).toContain(s);
  });
});

describe('--allow-partial', () => {
  it('turns a truncated dump into a warning and a result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-'));
    const cut = join(dir, 'cut.pickle');
    writeFileSync(cut, readFileSync(DUMP).subarray(0, 20000));
    try {
      const fail = await cli('stats', cut);
      expect(fail.code).toBe(2);
      expect(fail.err).toContain('the data stops at byte 20000');
      const ok = await cli('stats', cut, '--allow-partial');
      expect(ok.code).toBe(0);
      expect(ok.err).toMatch(/warning: .*truncated tracemalloc dump/);
      expect(ok.out).toMatch(/^Total: size=/m);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe.skipIf(!py)('data formats, against CPython', () => {
  const ref = (args: string[]) => execFileSync(py!.bin, ['fixtures/tracemalloc_ref.py', ...args], { encoding: 'utf8' });

  it.each([
    ['stats', DUMP, '--group-by', 'traceback', '--limit', '5'],
    ['stats', DUMP, '--group-by', 'filename', '--cumulative'],
    ['diff', OLD, DUMP, '--group-by', 'lineno', '--limit', '10'],
  ])('%s --json equals CPython figures (%s %s %s)', async (...args) => {
    const ours = await cli(...args, '--json');
    expect(JSON.parse(ours.out)).toEqual(JSON.parse(ref([...args, '--json'])));
  });

  it('keeps a file name as CPython reads it: a leading byte order mark, non-ASCII', async () => {
    // A name starting with U+FEFF lost it to TextDecoder's BOM stripping until 2026-11-30.
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-names-'));
    try {
      const dump = join(dir, 'names.pickle');
      const names = "['\\ufeffbom.py', 'caf\\u00e9.py', '\\u30c7\\u30fc\\u30bf.py']";
      execFileSync(py!.bin, [
        '-c',
        `import sys, tracemalloc\nnames = ${names}\n` +
          'traces = [(0, 10 * (i + 1), ((n, i + 1),), 1) for i, n in enumerate(names)]\n' +
          'tracemalloc.Snapshot(traces, 1).dump(sys.argv[1])',
        dump,
      ]);
      const ours = JSON.parse((await cli('stats', dump, '--no-source', '--json')).out) as {
        stats: { frames: { filename: string }[] }[];
      };
      expect(ours).toEqual(JSON.parse(ref(['stats', dump, '--no-source', '--json'])));
      expect(ours.stats.map((s) => s.frames[0]!.filename)).toContain('\ufeffbom.py');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stats --format csv holds the same figures as --json', async () => {
    const json = JSON.parse((await cli('stats', DUMP, '--json')).out) as {
      stats: { size: number; count: number; frames: { filename: string; lineno: number }[] }[];
    };
    const csv = (await cli('stats', DUMP, '--format', 'csv')).out;
    const rows: Record<string, string>[] = [];
    await new Promise<void>((resolve, reject) =>
      parseString(csv, { headers: true })
        .on('data', (r: Record<string, string>) => rows.push(r))
        .on('end', () => resolve())
        .on('error', reject),
    );
    expect(rows.length).toBe(json.stats.length);
    rows.forEach((r, i) => {
      const s = json.stats[i]!;
      expect([r.filename, Number(r.lineno), Number(r.size), Number(r.count)]).toEqual([
        s.frames[0]!.filename,
        s.frames[0]!.lineno,
        s.size,
        s.count,
      ]);
    });
  });
});

describe('info of line reports', () => {
  it('two real reports pasted into one file: each function with its own precision and peak as printed', async () => {
    // fixtures/mprof/reports.json: what Python read of each report (precision, and every Mem usage).
    const truth = JSON.parse(readFileSync('fixtures/mprof/reports.json', 'utf8')) as Record<
      string,
      { precision: number; blocks: { lines: { mem: number | null }[] }[] }
    >;
    const parts = ['report-p1.txt', 'report-p3.txt'];
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-info-'));
    try {
      const file = join(dir, 'pasted.txt');
      writeFileSync(file, parts.map((p) => readFileSync(`fixtures/mprof/${p}`, 'utf8')).join('\n'));
      // Each function's largest Mem usage as the report printed it (Python's own '%.Nf').
      const peaks = parts.flatMap((p) =>
        truth[p]!.blocks.map((b) => [
          truth[p]!.precision,
          Math.max(...b.lines.map((l) => l.mem).filter((m): m is number => m !== null)),
        ]),
      );
      const printed = execFileSync('python3', ['-c', `for p, m in ${JSON.stringify(peaks)}: print('%.*f' % (p, m))`], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      const expected = peaks.map(([precision], i) => ({ precision, peakMiB: Number(printed[i]) }));
      const j = JSON.parse((await cli('info', file, '--json')).out) as {
        functions: { precision: number; peakMiB: number }[];
      };
      expect(j.functions.map(({ precision, peakMiB }) => ({ precision, peakMiB }))).toEqual(expected);
      const text = (await cli('info', file)).out;
      expect(text).toMatch(/^precision +1, 3 decimals \(by function\)$/m);
      for (const p of printed) expect(text).toContain(`peak ${p} MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('info of allocator reports', () => {
  it("a PYTHONMALLOCSTATS log: the standing report's arenas now, the highwater the most of every report, said so", async () => {
    const log = 'fixtures/mallocstats/py311-mallocstats-env.log';
    const marks = [...readFileSync(log, 'utf8').matchAll(/^# arenas highwater mark += +([\d,]+)$/gm)].map((m) =>
      Number(m[1]!.replace(/,/g, '')),
    );
    const text = (await cli('info', log)).out;
    // Its standing report's own mark is one less than the exit report's: the line said which it is.
    expect(text).toMatch(
      new RegExp(
        `^arenas now +\\d+ \\(highwater ${Math.max(...marks)}, the most of the ${marks.length} reports\\)$`,
        'm',
      ),
    );
  });
});

describe('a Node.js without WebAssembly (node --jitless)', () => {
  // The readers' hot loops run in WebAssembly: without it, every command that read a capture failed with
  // "internal error: WebAssembly is not defined", as a bug to report.
  it.each([
    ['info', 'fixtures/leaks/mprof/leak.dat', 'the mprof line reader'],
    ['stats', 'fixtures/dumps/py311-inventory-a.pickle', 'the trace scanner'],
  ])('%s %s: exit 2, saying what is missing and why', (command, file, what) => {
    const r = spawnSync('node', ['--jitless', BIN, command, file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${what} runs in WebAssembly, which this Node.js process does not have`);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

// One file given twice: a log of two listings read its last as both, "+0 B" at every site, exit 0 (h344 F4).
describe('diff of a file with itself', () => {
  it('is refused, saying how to diff a log of listings', async () => {
    const f = 'fixtures/leaks/memo_leak/snap-1.pickle';
    const r = await cli('diff', f, `./${f}`);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining(`are the same file: diff compares two captures`)]);
    // Under another name: a hard link (h345 F2).
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-same-'));
    try {
      linkSync(f, join(dir, 'link.pickle'));
      const linked = await cli('diff', f, join(dir, 'link.pickle'));
      expect([linked.code, linked.err]).toEqual([2, expect.stringContaining('are the same file')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
