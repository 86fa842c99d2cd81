// arenascope's JSON form (written by convert, read back by every command) and series inputs
// (directories, globs, order). Expected outputs are CPython's, for the dumps the JSON came from.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { naturalCompare, resolveInputs } from '../../src/ingest/resolve-inputs.js';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  command: string;
  files: string[];
  args: string[];
  output: string;
}
const golden = (JSON.parse(readFileSync('fixtures/expected/py311.json', 'utf8')) as { cases: Case[] }).cases;
const A = 'fixtures/dumps/py311-inventory-a.pickle';
const B = 'fixtures/dumps/py311-inventory-b.pickle';

describe('convert --to json, read back', () => {
  const json = join(dir, 'b.json');
  const gz = join(dir, 'b.json.gz');

  it('writes the snapshot', async () => {
    expect((await cli('convert', B, '--to', 'json', '-o', json)).code).toBe(0);
    writeFileSync(gz, gzipSync(readFileSync(json)));
    const doc = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    const schema = JSON.parse(readFileSync('schema/arenascope-snapshot.schema.json', 'utf8')) as {
      oneOf: { required: string[]; properties: Record<string, unknown> }[];
    };
    const snapshotSchema = schema.oneOf[0]!;
    for (const k of snapshotSchema.required) expect(doc).toHaveProperty(k);
    for (const k of Object.keys(doc)) expect(snapshotSchema.properties).toHaveProperty(k);
  });

  const cases = golden.filter((c) => c.command === 'stats' && c.files[0] === B);
  it.each(cases.map((c) => [c.args.join(' '), c] as const))(
    'stats %s: as CPython computed it for the dump',
    async (_, c) => {
      for (const f of [json, gz]) {
        const r = await cli('stats', f, ...c.args, '--no-source');
        expect(r.out).toBe(c.output);
      }
    },
  );

  it('a series of two snapshots: each reads back as its dump', async () => {
    const series = join(dir, 'ab.json');
    expect((await cli('convert', A, B, '--to', 'json', '-o', series)).code).toBe(0);
    const info = JSON.parse((await cli('info', series, '--json')).out) as {
      kind: string;
      snapshots: { traces: number }[];
    };
    expect(info.kind).toBe('snapshot-series');
    const diff = golden.find(
      (c) => c.command === 'diff' && c.files[0] === A && c.files[1] === B && c.args.join(' ') === '--group-by lineno',
    )!;
    const one = join(dir, 'a-only.json');
    await cli('convert', A, '--to', 'json', '-o', one);
    expect((await cli('diff', one, json, '--group-by', 'lineno', '--no-source')).out).toBe(diff.output);
    const stats = await cli('stats', series);
    expect(stats.code).toBe(2);
    expect(stats.err).toMatch(/a series of 2 snapshots; this command reads one snapshot/);
  });

  it('--to csv: the per-site table', async () => {
    const r = await cli('convert', B, '--to', 'csv');
    expect(r.out.split('\n')[0]).toBe('rank,filename,lineno,size,count,average,traceback');
  });
});

describe('series inputs', () => {
  const sdir = mkdtempSync(join(dir, 'series-'));
  for (const [name, src] of [
    ['snap-2.pickle', A],
    ['snap-10.pickle', B],
    ['snap-1.pickle', A],
  ] as const)
    copyFileSync(src, join(sdir, name));
  writeFileSync(join(sdir, 'README.md'), '# what these are\n');
  writeFileSync(join(sdir, 'run.log'), 'INFO started\nINFO done\n');
  copyFileSync('fixtures/mprof/plain.dat', join(sdir, 'mem.dat'));

  it('a directory: captures in natural order, other files skipped with one line each', () => {
    const r = resolveInputs([sdir]);
    expect(r.inputs.map((p) => p.slice(sdir.length + 1))).toEqual([
      'mem.dat',
      'snap-1.pickle',
      'snap-2.pickle',
      'snap-10.pickle',
    ]);
    expect(r.skipped).toEqual([
      `skipping ${sdir}/README.md: a folder's notes (README.md), not a capture`,
      `skipping ${sdir}/run.log: not a capture arenascope reads`,
    ]);
  });

  it('a glob, and --order mtime', () => {
    utimesSync(join(sdir, 'snap-1.pickle'), 3000, 3000);
    utimesSync(join(sdir, 'snap-2.pickle'), 1000, 1000);
    utimesSync(join(sdir, 'snap-10.pickle'), 2000, 2000);
    expect(resolveInputs([join(sdir, 'snap-*.pickle')], 'mtime').inputs.map((p) => p.slice(sdir.length + 1))).toEqual([
      'snap-2.pickle',
      'snap-10.pickle',
      'snap-1.pickle',
    ]);
    expect(resolveInputs([join(sdir, 'nothing-*.pickle')]).skipped).toEqual([
      `no file matches ${sdir}/nothing-*.pickle`,
    ]);
  });

  it('info on a directory: one object per capture, of every kind, and warnings on stderr', async () => {
    const r = await cli('info', sdir, '--json');
    expect(r.code).toBe(0);
    const infos = JSON.parse(r.out) as { format: string; peakMiB?: number }[];
    expect(infos.map((i) => i.format)).toEqual([
      'mprof',
      'tracemalloc-snapshot',
      'tracemalloc-snapshot',
      'tracemalloc-snapshot',
    ]);
    expect(infos[0]!.peakMiB).toBe(89.296875);
    expect(r.err.trim().split('\n')).toHaveLength(2);
  });

  it('natural order', () => {
    expect(['b10', 'a', 'b9', 'b', 'b09x'].sort(naturalCompare)).toEqual(['a', 'b', 'b9', 'b09x', 'b10']);
  });
});

describe('a capture set', () => {
  it('groups a mixed directory by kind, snapshots in order sharing one frame table', async () => {
    const mixed = mkdtempSync(join(dir, 'mixed-'));
    copyFileSync(A, join(mixed, 'snap-1.pickle'));
    copyFileSync(B, join(mixed, 'snap-2.pickle'));
    copyFileSync('fixtures/mprof/multi.dat', join(mixed, 'run.dat'));
    copyFileSync('fixtures/mprof/report-p1.txt', join(mixed, 'report.txt'));
    copyFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', join(mixed, 'stats.txt'));
    copyFileSync('fixtures/text/app.log', join(mixed, 'app.log'));
    writeFileSync(join(mixed, 'notes.md'), 'hello\n');
    const set = await loadCaptureSet([mixed], { load: (p, frames) => loadCapture(p, { frames }) });
    expect(set.series.labels.map((l) => l.slice(mixed.length + 1))).toEqual(['snap-1.pickle', 'snap-2.pickle']);
    expect(set.series.snapshots[0]!.frames).toBe(set.series.snapshots[1]!.frames);
    expect([set.memorySeries.length, set.lineReports.length, set.allocatorStats.length]).toEqual([1, 1, 1]);
    // A log of tracemalloc statistics is not mixed into a series of dumps: it is named, not dropped.
    expect(set.skipped).toEqual([
      `skipping ${mixed}/notes.md: not a capture arenascope reads`,
      `leaving out ${mixed}/app.log: logged tracemalloc statistics are not mixed with dumps; give the log alone`,
    ]);
    // A command names every capture of a kind it does not read.
    const replay = await cli('replay', mixed);
    for (const f of ['run.dat', 'report.txt']) {
      expect(replay.err).toMatch(
        new RegExp(`leaving out ${mixed}/${f}: this command reads snapshots and allocator reports, not `),
      );
    }
    // The allocator report is read, and what it could not be paired with is said.
    expect(replay.err).toContain(`no allocator report paired with the 2 captures`);
    expect(replay.err).toContain(`(${mixed}/stats.txt)`);
    const leaks = await cli('leaks', mixed, '--no-source');
    expect(leaks.err).toContain(
      `leaving out ${mixed}/stats.txt: this command reads snapshots, mprof runs and line reports`,
    );
    expect(leaks.err).not.toContain('run.dat:');
  });
});

describe('a capture read cut short and converted (--allow-partial)', () => {
  // A series converted with its last dump cut read that dump as whole: its missing traces read as
  // freed, the leak as a plateau, and the gate passed.
  it('stays cut short in the JSON: left out of a series as the dump is, the same verdicts; said alone', async () => {
    const series = join(dir, 'cut-series');
    const names = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `snap-${i}.pickle`);
    cpSync('fixtures/leaks/memo_leak', series, { recursive: true });
    const last = join(series, names[names.length - 1]!);
    writeFileSync(last, readFileSync(last).subarray(0, 9_000));
    const json = join(dir, 'cut-series.json');
    expect((await cli('convert', series, '--to', 'json', '-o', json, '--allow-partial')).code).toBe(0);
    const fromDumps = await cli('leaks', series, '--allow-partial', '--json');
    // As the dumps it was made from, read only with --allow-partial (diff read the traces after the
    // cut as freed, exit 0).
    const refused = await cli('leaks', json, '--json');
    expect([refused.code, refused.err]).toEqual([
      2,
      `arenascope: ${json}: the "partial" field of its snapshot #8: 1 of its snapshots converted from a capture read cut short: ` +
        'the traces after the cut are missing (--allow-partial reads it)\n',
    ]);
    const fromJson = await cli('leaks', json, '--json', '--allow-partial');
    expect(fromJson.code).toBe(0);
    expect(fromJson.err).toContain('1 of its snapshots converted from a capture read cut short');
    expect(fromJson.err).toContain('it was read cut short (--allow-partial)');
    const verdicts = (out: string) =>
      (JSON.parse(out) as { sites: { filename: string; lineno: number; verdict: string }[] }).sites.map(
        (s) => `${s.filename}:${s.lineno} ${s.verdict}`,
      );
    expect(verdicts(fromJson.out)).toEqual(verdicts(fromDumps.out));
    expect(verdicts(fromJson.out).some((v) => v.endsWith(' leak'))).toBe(true);
    expect((await cli('gate', json, '--allow-partial')).code).toBe(1);
    const one = join(dir, 'cut-one.json');
    expect((await cli('convert', last, '--to', 'json', '-o', one, '--allow-partial')).code).toBe(0);
    expect((await cli('diff', names[0] ? join(series, names[0]) : '', one)).code).toBe(2);
    expect((await cli('stats', one, '--allow-partial')).err).toContain(
      `${one}: converted from a capture read cut short (--allow-partial): the traces after the cut are missing`,
    );
  });
});

describe('an empty dump converted to JSON (fixtures/dumps/py311-empty.pickle, a filter that left nothing)', () => {
  // convert wrote "traceLayout": "empty", which no reader of the JSON took: exit 2 on arenascope's own output.
  it('reads back as the dump reads', async () => {
    const json = join(dir, 'empty.json');
    expect((await cli('convert', 'fixtures/dumps/py311-empty.pickle', '--to', 'json', '-o', json)).code).toBe(0);
    const [fromDump, fromJson] = await Promise.all([
      cli('stats', 'fixtures/dumps/py311-empty.pickle'),
      cli('stats', json),
    ]);
    expect(fromJson.code).toBe(0);
    expect(fromJson.out).toBe(fromDump.out);
  });
});

describe('a size that is no whole number of bytes', () => {
  // Read as it was: stats printed sites of 4800.268 bytes, exit 0.
  it('is refused, naming where; a listing converted from a log keeps its printed fractions', async () => {
    const json = join(dir, 'fraction.json');
    expect((await cli('convert', A, '--to', 'json', '-o', json)).code).toBe(0);
    const text = readFileSync(json, 'utf8');
    const damaged = text.replace(/"traces":\[\[(\d+),(\d+),(\d+),/, (_, d, t, s) => `"traces":[[${d},${t},${s}.5,`);
    expect(damaged).not.toBe(text);
    writeFileSync(json, damaged);
    const r = await cli('stats', json);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringMatching(/fraction\.json: \/traces\/0\/2: a size of \d+\.5 bytes: sizes are whole bytes/),
    ]);
    const log = join(dir, 'log.json');
    expect((await cli('convert', 'fixtures/text/app.log', '--to', 'json', '-o', log)).code).toBe(0);
    expect((await cli('stats', log)).code).toBe(0);
  });
});
