// Inputs cut short are errors that say where they stop and that --allow-partial gets past them, and
// with it a warning and what was read; never read as shorter data without a word. Values beyond what
// the program holds are input errors, long lines do not hang, messages are one short line. Inputs are
// real fixtures, cut or changed here (issue 12's fuzz findings, each as it was found).
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { captureInfo } from '../../src/analysis/info.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { MemorySeries } from '../../src/model/memory-series.js';
import { renderInfoText } from '../../src/report/text/info.js';
import { excerpt, quoted } from '../../src/util/excerpt.js';
import { type CliResult, cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-truncation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Every message is one line of at most ~300 characters. */
function expectShort(r: CliResult): void {
  for (const line of r.err.split('\n').filter(Boolean)) expect(line.length).toBeLessThanOrEqual(300);
}

/** An error for a cut input: exit 2, the file and place named, --allow-partial offered. */
function expectCut(r: CliResult, path: string, where: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.err).toMatch(new RegExp(`^arenascope: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${where.source}`));
  expect(r.err).toContain('--allow-partial');
  expectShort(r);
}

describe('a text capture cut in the middle of its last line (fuzz findings)', () => {
  it('mprof: a MEM time cut to 8 digits is not a 1970 time', async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8');
    const lines = dat.trimEnd().split('\n');
    const last = lines[lines.length - 1]!;
    const cut = `${lines.slice(0, -1).join('\n')}\n${last.slice(0, last.lastIndexOf(' ') + 9)}`;
    const p = file('plain-cut.dat', cut);
    const r = await cli('info', p);
    expectCut(r, p, new RegExp(`line ${lines.length}: the file ends in the middle of a line`));
    expect(r.err).toContain(JSON.stringify(last.slice(0, last.lastIndexOf(' ') + 9)));
    const partial = await cli('info', p, '--allow-partial', '--json');
    expect(partial.code).toBe(0);
    expect(partial.err).toMatch(new RegExp(`warning: .*line ${lines.length}: .*left out \\(--allow-partial\\)`));
    const whole = await cli('info', file('plain-boundary.dat', `${lines.slice(0, -1).join('\n')}\n`), '--json');
    const facts = (out: string) => {
      const { samples, timeSpan, peakMiB } = JSON.parse(out) as Record<string, unknown>;
      return { samples, timeSpan, peakMiB };
    };
    expect(facts(partial.out)).toEqual(facts(whole.out));
    expect((JSON.parse(partial.out) as { timeSpan: { start: number } }).timeSpan.start).toBeGreaterThan(1.7e9);
  });

  it("tracemalloc text: a log ending 'count=2' (printed count=210) is not a count of 2", async () => {
    const cases = (JSON.parse(readFileSync('fixtures/expected/py37.json', 'utf8')) as { cases: { output: string }[] })
      .cases;
    const printed = cases.find((c) => c.output.includes(', count=210, '))!.output;
    const cut = printed.slice(0, printed.indexOf(', count=210, ') + ', count=2'.length);
    const p = file('printed-cut.log', cut);
    const r = await cli('stats', p);
    expectCut(r, p, new RegExp(`line ${cut.split('\n').length}: the file ends in the middle of a line`));
    const partial = await cli('stats', p, '--allow-partial');
    expect(partial.code).toBe(0);
    expect(partial.out).not.toContain('count=2,');
    expect(partial.out).not.toContain('inventory.py:14');
  });

  it('tracemalloc text: a listing pasted in Markdown, its closing fence with no line end, is whole', async () => {
    const cases = (JSON.parse(readFileSync('fixtures/expected/py37.json', 'utf8')) as { cases: { output: string }[] })
      .cases;
    const printed = cases.find((c) => c.output.includes(', count=210, '))!.output.trimEnd();
    for (const end of ['```', '=====']) {
      const p = file(`fenced-${end.length}.md`, `Top lines:\n\n\`\`\`\n${printed}\n${end}`);
      const r = await cli('stats', p);
      expect([r.code, r.err], end).toEqual([0, expect.not.stringContaining('middle of a line')]);
      expect(r.out).toContain(', count=210, ');
    }
    // A line of no letter that begins a statistic ('/', '<') is no fence: cut.
    for (const start of ['/', '<']) {
      const p = file('cut-start.txt', `${printed}\n${start}`);
      expectCut(await cli('stats', p), p, /line \d+: the file ends in the middle of a line/);
    }
  });

  it('a README or a script whose last line, prose or code below the capture, has no line end is whole', async () => {
    const readme = readFileSync('fixtures/text/found/two-formats-readme.md', 'utf8').trimEnd();
    const windows = readFileSync('fixtures/text/found/windows-readme.md', 'utf8').trimEnd();
    for (const [name, text, args] of [
      ['readme-prose.md', `${windows}\n\nThanks for reading`, ['stats']],
      ['script-call.py', `${windows}\n\nmain()`, ['stats']],
      ['two-prose.md', `${readme}\nThanks for reading`, ['info']],
      ['two-code.md', `${readme}\n\nprint("done")`, ['stats', '--input-format', 'tracemalloc-text']],
    ] as const) {
      const r = await cli(...args, file(name, text));
      expect([r.code, r.err], name).toEqual([0, expect.not.stringContaining('middle of a line')]);
    }
    // What may begin a report's or a listing's line, cut short, is still a cut: a file name, a header.
    for (const [name, text, args] of [
      ['next-stat.md', `${windows}\n\n[ Top 10 ]\nC:\\Program Files\\app`, ['stats']],
      ['next-rel.md', `${windows}\n\nmy app.py:1`, ['stats']],
      ['next-report.md', `${readme}\n\nFilename: /srv/a`, ['info']],
      ['next-header.md', `${readme}\n\nLine #    Mem`, ['info']],
      ['next-word.md', `${readme}\n\nThe profile: Fi`, ['info']],
    ] as const) {
      const p = file(name, text);
      expectCut(await cli(...args, p), p, /line \d+: the file ends in the middle of a line/);
    }
  });

  it("allocator stats: a free-list line ending in 'each =' is not a figure of 0", async () => {
    const text = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8');
    const cut = text.slice(0, text.lastIndexOf(' bytes each =') + ' bytes each ='.length);
    const p = file('stats-cut.txt', cut);
    const r = await cli('info', p);
    expectCut(r, p, new RegExp(`line ${cut.split('\n').length}: the file ends in the middle of a line`));
    const partial = await cli('replay', p, '--allow-partial', '--json');
    expect(partial.err).toMatch(/left out \(--allow-partial\)/);
  });

  it('allocator stats: a report cut inside the leading spaces of a free-list line is cut (fuzz finding)', async () => {
    const text = readFileSync('fixtures/mallocstats/py38-debugmallocstats.txt');
    // The first 2918 bytes stop after the 6 spaces that start a free-list line.
    const cut = text.subarray(0, 2918);
    expect(cut.toString().split('\n').at(-1)).toMatch(/^ +$/);
    const p = file('stats-cut-spaces.txt', cut);
    const r = await cli('info', p);
    expectCut(r, p, /line \d+: the free lists of the allocator report that starts at line 1 stop before/);
    const partial = await cli('info', p, '--allow-partial');
    expect(partial.code).toBe(0);
    expect(partial.err).toMatch(/stop before the 19-sized tuples/);
  });

  it('a series cut before its first snapshot, read with --allow-partial, is an error naming it (fuzz finding)', async () => {
    const p = file('series-cut.json', '{"format":"arenascope-series","version":1,');
    for (const args of [
      ['convert', p, '--to', 'json'],
      ['leaks', p],
      ['stats', p],
    ]) {
      const r = await cli(...args, '--allow-partial');
      expect(r.code).toBe(2);
      expect(r.err).toContain('the JSON stops at byte 42');
      expect(r.err.trim().split('\n').at(-1)).toMatch(new RegExp(`^arenascope: ${p}: `));
    }
  });

  it('a series whose last dump is cut: --allow-partial leaves it out of leaks, replay and report, gate and baseline', async () => {
    // fixtures/leaks/memo_leak leaks at memo_leak.py:9 (truth.json); its last dump cut at 60% would
    // read as a capture where most of the memo was freed.
    const series = join(dir, 'memo-cut');
    mkdirSync(series);
    for (const f of readdirSync('fixtures/leaks/memo_leak'))
      copyFileSync(`fixtures/leaks/memo_leak/${f}`, join(series, f));
    const last = join(series, 'snap-9.pickle');
    const bytes = readFileSync(last);
    writeFileSync(last, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const leak = 'fixtures/leaks/workloads/memo_leak.py:9';
    const left = new RegExp(`warning: leaving out ${last}: it was read cut short \\(--allow-partial\\)`);
    const leaks = await cli('leaks', series, '--allow-partial', '--json');
    expect(leaks.code).toBe(0);
    expect(leaks.err).toMatch(left);
    type Sites = { captures: number; sites: { filename: string; lineno: number; verdict: string }[] };
    const r = JSON.parse(leaks.out) as Sites;
    expect(r.captures).toBe(8);
    expect(r.sites.find((s) => `${s.filename}:${s.lineno}` === leak)?.verdict).toBe('leak');
    const report = await cli('report', series, '--allow-partial', '--format', 'json');
    expect(report.err).toMatch(left);
    expect((JSON.parse(report.out) as { snapshots: { labels: unknown[] } }).snapshots.labels.length).toBe(8);
    const replay = await cli('replay', series, '--allow-partial', '--json');
    expect(replay.err).toMatch(left);
    expect((JSON.parse(replay.out) as { captures: unknown[] }).captures.length).toBe(8);
    const gate = await cli('gate', series, '--allow-partial', '--max-leaks', '0');
    expect(gate.code).toBe(1);
    expect(gate.out).toContain(leak);
    // A gate or a baseline of the cut dump alone has nothing whole to judge.
    for (const args of [
      ['gate', last, '--max-leaks', '0'],
      ['baseline', last, '-o', join(dir, 'b.json')],
    ]) {
      const r = await cli(...args, '--allow-partial');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/a gate and a baseline judge whole captures only/);
    }
  });

  it('memray CSV: a row cut short names its row', async () => {
    const csv = readFileSync('fixtures/memray/memray-app.csv', 'utf8');
    const rows = csv.split('\r\n').filter(Boolean);
    const p = file('memray-cut.csv', csv.slice(0, csv.length - 10));
    expectCut(await cli('stats', p), p, new RegExp(`row ${rows.length}: the file ends in the middle of a row`));
    const partial = await cli('stats', p, '--allow-partial');
    expect(partial.code).toBe(0);
    // Cut between '\r' and '\n', the row is whole.
    expect((await cli('stats', file('memray-cr.csv', csv.slice(0, -1)))).code).toBe(0);
  });

  // Cut in its source line's indentation, or in its '\r\n': the statistic lost its deeper frames and the
  // caller was named as the allocating line, exit 0 (h263). (Cut at the frame line's end, it cannot be
  // told from a whole listing whose last frame has no source line: fixtures/text/no-false-cuts, h266.)
  it('tracemalloc text: a listing by traceback cut after a frame line, before its source line, is cut', async () => {
    const lines = readFileSync('fixtures/text/kinds/t3.log', 'utf8').split('\n');
    // Line 11, the frame of line 7 of make_t3.py, whose frame at line 8 has its source line.
    expect(lines[10]).toMatch(/^ {2}File ".*make_t3\.py", line 7$/);
    const head = lines.slice(0, 11);
    // What --allow-partial reads: the listing without the statistic the cut left its caller of (lines 10-11).
    const before = await cli('stats', file('frame-before.log', `${lines.slice(0, 9).join('\n')}\n`));
    for (const [name, text] of [
      ['frame-spaces.log', `${head.join('\n')}\n    `],
      ['frame-crlf.log', `${head.join('\r\n')}\r`],
    ] as const) {
      const p = file(name, text);
      expectCut(await cli('stats', p), p, /line 11: a traceback stops after a frame, before its source line/);
      const partial = await cli('stats', p, '--allow-partial');
      expect(partial.code, partial.err).toBe(0);
      expect(partial.err).toContain('It is left out (--allow-partial)');
      expect(partial.out).toEqual(before.out);
    }
    // Whole up to the source line: read as it is.
    const whole = await cli('stats', file('frame-source.log', `${lines.slice(0, 12).join('\n')}\n`));
    expect(whole.code, whole.err).toBe(0);
  });

  // Cut at the frame line's end (`head -n 11`): its caller was named as the allocating line, exit 0 (h383).
  // Cut, where the program's file on this machine has a line there that format() prints; else read as
  // whole (h266), and said.
  it("tracemalloc text: a listing by traceback cut at a frame line's end, its source line on disk, is cut", async () => {
    const log = readFileSync('fixtures/text/kinds/t3.log', 'utf8');
    const here = log.replaceAll('/work/main/fixtures/', `${process.cwd()}/fixtures/`).split('\n');
    expect(here[10]).toMatch(/^ {2}File ".*make_t3\.py", line 7$/);
    const before = await cli('stats', file('line-before.log', `${here.slice(0, 9).join('\n')}\n`));
    const p = file('frame-line-end.log', `${here.slice(0, 11).join('\n')}\n`);
    expectCut(await cli('stats', p), p, /line 11: a traceback stops after a frame, before its source line/);
    const partial = await cli('stats', p, '--allow-partial');
    expect([partial.code, partial.out]).toEqual([0, before.out]);
    // The program's file changed after the listing was written (its lines may have moved; h385), or
    // not on this machine: read as whole, and said.
    const older = file('frame-line-end-older.log', `${here.slice(0, 11).join('\n')}\n`);
    utimesSync(older, new Date(0), new Date(0));
    const stale = await cli('stats', older);
    expect(stale.code, stale.err).toBe(0);
    expect(stale.err).toContain('line 11: the listing ends after a frame line with no source line under it');
    const away = log.replaceAll('/work/main/fixtures/', '/nonexistent/fixtures/').split('\n');
    const q = file('frame-line-end-away.log', `${away.slice(0, 11).join('\n')}\n`);
    const r = await cli('stats', q);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      "line 11: the listing ends after a frame line with no source line under it, where that file's other frames have theirs: read as whole",
    );
  });

  // A paste whose last statistic has no line end (an editor's save, a clipboard's copy): it was refused
  // as cut, where mprof's last whole sample is read (h266). Not one whose count has no average after it.
  it('tracemalloc text: a last statistic whole without its line end is read, with a warning', async () => {
    const text = readFileSync('fixtures/text/figures/listing.log', 'utf8').trimEnd();
    const whole = await cli('stats', 'fixtures/text/figures/listing.log');
    const r = await cli('stats', file('no-line-end.log', text));
    expect([r.code, r.out]).toEqual([0, whole.out]);
    expect(r.err).toContain('the file ends without a line end after a whole statistic');
    const cut = file('no-average.log', text.slice(0, text.lastIndexOf(', average=')));
    expectCut(await cli('stats', cut), cut, /line \d+: the file ends in the middle of a line/);
  });

  // Cut right after a sample's last digit or a statistic's average (a killed writer's buffer can end
  // so): an mprof run cut at 48.8 MiB passed `gate --max-peak 50MiB` where the program reached 62.1
  // (h347); left out, one over the limit passed on the files beside it (h355). A gate and a baseline
  // refuse such a file, saying how to end a whole one.
  it('a gate and a baseline refuse an mprof run whose whole-looking last sample has no line end', async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8');
    const mem = dat.split('\n').filter((l) => l.startsWith('MEM '));
    const cutAt = dat.indexOf(mem[Math.floor(mem.length / 2)]!) + mem[Math.floor(mem.length / 2)]!.length;
    for (const p of [file('cut-run.dat', dat.slice(0, cutAt))]) {
      expect((await cli('info', p)).code).toBe(0);
      for (const args of [
        ['gate', p, file('whole-run.dat', dat), '--max-peak', '1GiB'],
        ['baseline', p, '-o', file('b.json', '')],
      ]) {
        const r = await cli(...args);
        expect(r.code, args.join(' ')).toBe(2);
        const line = dat.slice(0, cutAt).split('\n').length;
        expect(r.err).toContain(
          `arenascope: ${p}: line ${line}: it ends without a line end after its last line, where it may have been cut, and a ` +
            `gate and a baseline judge whole captures only: if it is whole, end it with one (echo >> ${p})`,
        );
      }
    }
    // Whole, with its line end: gated. So is a listing without one: `'\n'.join(str(s) for s in top)`
    // writes a whole listing so, and a statistic cut inside reads as cut (it was refused: h358).
    expect((await cli('gate', file('whole-run.dat', dat), '--max-peak', '1GiB')).code).toBe(0);
    const listing = readFileSync('fixtures/text/figures/listing.log', 'utf8').trimEnd();
    const joined = await cli('gate', file('joined.log', listing), '--max-peak', '1GiB');
    expect(joined.err).not.toContain('ends without a line end after its last line');
    expect(joined.code).not.toBe(2);
  });

  // `copy /a` and old DOS editors end a text file with Ctrl-Z (0x1A) after its last line end: a listing,
  // an mprof run and an allocator report were refused as cut in the middle of a line "\x1a" (h349).
  it('a DOS end-of-file mark (Ctrl-Z) after the last line end is the end of the text', async () => {
    for (const [cmd, real] of [
      ['stats', 'fixtures/text/figures/listing.log'],
      ['info', 'fixtures/mprof/plain.dat'],
      ['info', 'fixtures/mallocstats/py312-debugmallocstats.txt'],
    ] as const) {
      const dos = `${readFileSync(real, 'utf8').replaceAll('\n', '\r\n')}\x1a`;
      const [whole, r] = [await cli(cmd, real), await cli(cmd, file(`dos-${real.replace(/.*\//, '')}`, dos))];
      expect(r.code, r.err).toBe(0);
      const facts = (out: string) =>
        out.replace(/\S*(dos-)?(listing\.log|plain\.dat|[\w.-]+\.txt)/g, 'F').replace(/bytes read.*/, '');
      expect(facts(r.out)).toEqual(facts(whole.out));
    }
  });

  // A last row cut inside a character of its source ('é', 2 bytes): read as a row whose source ends
  // there, and a gate passed at the peak before the rows the cut left out (h263).
  it('line report: a last row cut inside a character of its source is cut', async () => {
    const b = readFileSync('fixtures/line-reports/encodings/utf8.txt');
    const p = file('cut-in-char.txt', b.subarray(0, b.indexOf('étiquette = ') + 1));
    expectCut(await cli('info', p), p, /line 8: the report of cafe\.py is cut off in the middle of a row/);
  });

  // A '\r' with no '\n' after a whole sample: said as of an LF file with no line end (it was read silently).
  it("mprof: a CRLF file cut between a sample's '\\r' and '\\n' says so, as an LF one does", async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8').trimEnd().split('\n');
    const lf = await cli('info', file('plain-lf.dat', dat.join('\n')));
    const cr = await cli('info', file('plain-cr.dat', `${dat.join('\r\n')}\r`));
    expect([lf.code, cr.code]).toEqual([0, 0]);
    expect(lf.err).toContain('the file ends without a line end after a whole sample');
    expect(cr.err).toContain('the file ends without a line end after a whole sample');
    const facts = (out: string) => out.replace(/plain-(cr|lf)/, '').replace(/bytes read.*/, '');
    expect(facts(cr.out)).toEqual(facts(lf.out));
  });

  it("line report: IPython's %mprun -T file has no final line end after a whole row, and is read", async () => {
    const t = readFileSync('fixtures/line-reports/real/mp0.61-mprun-T.txt', 'utf8');
    expect(t.endsWith('\n')).toBe(false);
    const r = await cli('info', 'fixtures/line-reports/real/mp0.61-mprun-T.txt');
    expect(r.code).toBe(0);
    const last = t.slice(t.lastIndexOf('\n') + 1);
    const p = file('mprun-T-cut.txt', t.slice(0, t.length - last.length + last.indexOf('MiB') + 1));
    expectCut(await cli('info', p), p, /line \d+: the report of .* is cut off in the middle of a row/);
  });
});

describe('a gzip stream cut short', () => {
  const gz = readFileSync('fixtures/dumps/py311-inventory-b.pickle.gz');

  it('a dump without its 8-byte trailer: an error naming where the compressed data stops', async () => {
    const p = file('no-trailer.pickle.gz', gz.subarray(0, gz.length - 8));
    const r = await cli('stats', p);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `arenascope: ${p}: byte ${gz.length - 8} of the compressed file: the gzip stream stops before the end of ` +
        'its 8-byte trailer (the data it holds may be whole): was it still being written? ' +
        '(--allow-partial reads what it holds)\n',
    );
    expectShort(r);
    const partial = await cli('stats', p, '--allow-partial');
    expect(partial.code).toBe(0);
    expect(partial.err).toContain('What it holds is read (--allow-partial)');
  });

  it('a dump cut inside its compressed data: the dump reader says where the pickle stops', async () => {
    const p = file('half.pickle.gz', gz.subarray(0, gz.length >> 1));
    const r = await cli('stats', p);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/truncated tracemalloc dump: the data stops at byte \d+/);
    expect((await cli('stats', p, '--allow-partial')).code).toBe(0);
  });

  it.each([1, 8, 9, 40])(
    'a text capture without its last %i bytes: an error, and with --allow-partial what it holds',
    async (n) => {
      const dat = readFileSync('fixtures/mprof/runs.dat');
      const packed = gzipSync(dat);
      const p = file(`runs-${n}.dat.gz`, packed.subarray(0, packed.length - n));
      const r = await cli('info', p);
      expectCut(r, p, new RegExp(`byte ${packed.length - n} of the compressed file: the gzip stream stops`));
      const partial = await cli('info', p, '--allow-partial');
      expect(partial.code).toBe(0);
      expect(partial.err).toMatch(/the gzip stream stops .* What it holds is read \(--allow-partial\)/);
    },
  );

  it('a stream of many chunks: whole, read as it is; cut in the middle, an error', async () => {
    // 4.5 MB of samples: several chunks of compressed data (the pump waits for the gunzip between them).
    const head = readFileSync('fixtures/mprof/plain.dat', 'utf8').split('\n')[0]!;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const mem = Array.from(
      { length: 150_000 },
      (_, i) => `MEM ${rand() % 1000}.${rand() % 999999} ${1795308421 + i / 100}`,
    );
    const dat = `${head}\n${mem.join('\n')}\n`;
    const packed = gzipSync(dat, { level: 1 });
    expect(packed.length).toBeGreaterThan(3 << 18);
    const whole = await cli('info', file('big.dat.gz', packed), '--json');
    expect([whole.code, whole.err]).toEqual([0, '']);
    expect((JSON.parse(whole.out) as { samples: number }).samples).toBe(150_000);
    const p = file('big-cut.dat.gz', packed.subarray(0, packed.length >> 1));
    expectCut(await cli('info', p), p, new RegExp(`byte ${packed.length >> 1} of the compressed file`));
  });

  it('whole streams, several members and zero padding after them, are read without a word', async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8');
    const at = dat.indexOf('\n', dat.length >> 1) + 1;
    const members = Buffer.concat([gzipSync(dat.slice(0, at)), gzipSync(dat.slice(at)), Buffer.alloc(5)]);
    const r = await cli('info', file('members.dat.gz', members));
    expect([r.code, r.err]).toEqual([0, '']);
    expect((await cli('stats', 'fixtures/dumps/py311-inventory-b.pickle.gz')).err).toBe('');
  });
});

describe('values beyond what the program holds are input errors, not exit 3', () => {
  it('an mprof MEM time of -1e20 (beyond a Date): exit 2 naming the line', async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8').split('\n');
    const at = dat.findIndex((l) => l.startsWith('MEM ')) + 3;
    dat[at] = `MEM ${dat[at]!.split(' ')[1]} -1e20`;
    const p = file('time.dat', dat.join('\n'));
    const r = await cli('info', p);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `arenascope: ${p}: line ${at + 1}: the time "-1e20" is beyond what a date holds (±8.64e+12 s from 1970); --lenient skips it\n`,
    );
  });

  it("an mprof run's times in milliseconds since the epoch: exit 2 naming the line (its rate read 1000 times too slow, h300)", async () => {
    // A real run (memory_profiler 0.61), its MEM and CHLD times times 1000.
    const dat = readFileSync('fixtures/mprof/funcs.dat', 'utf8').split('\n');
    const ms = (t: string): string => (Number(t) * 1000).toFixed(1);
    const edited = dat.map((l) => {
      const f = l.split(' ');
      if (f[0] === 'MEM' || f[0] === 'CHLD') f[f.length - 1] = ms(f.at(-1)!);
      return f.join(' ');
    });
    const at = edited.findIndex((l) => l.startsWith('MEM '));
    const p = file('ms.dat', edited.join('\n'));
    for (const command of ['info', 'leaks', 'report', 'gate']) {
      const r = await cli(command, p, ...(command === 'report' ? ['--format', 'json'] : []));
      expect(r.code, command).toBe(2);
      expect(r.err, command).toContain(
        `${p}: line ${at + 1}: the time "${edited[at]!.split(' ')[2]}" is in the year ${new Date(Number(edited[at]!.split(' ')[2]) * 1000).getUTCFullYear()} as seconds since the epoch, which mprof writes (time.time()): milliseconds?`,
      );
    }
  });

  it('counts and line numbers beyond 2^53 in text captures: exit 2 naming the line', async () => {
    const log = readFileSync('fixtures/text/service.log', 'utf8').split('\n');
    const at = log.findIndex((l) => l.includes(', count='));
    const big = [...log];
    big[at] = big[at]!.replace(/count=\d+/, 'count=9007199254740993');
    const r = await cli('stats', file('count.log', big.join('\n')));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`line ${at + 1}: the count "9007199254740993" is beyond 2\\^53`));
    const csv = readFileSync('fixtures/memray/memray-app.csv', 'utf8').split('\r\n');
    csv[2] = csv[2]!.replace(/^(\w+),\d+,/, '$1,99999999999999999999,');
    const m = await cli('stats', file('count.csv', csv.join('\r\n')));
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/row 3: .*beyond 2\^53/);
    const stats = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8');
    const s = await cli(
      'info',
      file('figure.txt', stats.replace(/(# arenas allocated total += +)[\d,]+/, `$1${'9'.repeat(30)}`)),
    );
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/line \d+: the figure "9+…?" is beyond 2\^53/);
    const dat = readFileSync('fixtures/mprof/multi.dat', 'utf8').replace(/^CHLD \d+ /m, 'CHLD 123456789012345678901 ');
    expect((await cli('info', file('pid.dat', dat))).code).toBe(2);
  });
});

describe('times beyond a Date, from an input that let one through', () => {
  it('info shows the seconds they are, and exits 0', async () => {
    const s = (await loadCapture('fixtures/mprof/plain.dat')) as MemorySeries;
    s.samples.t[0] = -1e20;
    const text = renderInfoText(captureInfo(s));
    expect(text).toMatch(/time span +\S+ s from -100000000000000000000 s since 1970 \(no calendar date\)/);
  });
});

describe('long lines take time in proportion to their length', () => {
  const header = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8').split('\n')[0]!;
  const MiB = ' '.repeat(1 << 20);

  it.each([
    ['allocator stats: 1 MiB of spaces after the header', `${header}\n${MiB}\n`],
    ['allocator stats: 1 MiB of spaces between two words', `${header}\nx${MiB}y\n`],
    ['allocator stats: 1 MiB of spaces before an =', `${header}\nx${MiB}= 12\n`],
    [
      'a line report: 1 MiB of spaces in a row',
      `Line #    Mem usage    Increment  Occurrences   Line Contents\n${'='.repeat(62)}\n     1${MiB}1\n`,
    ],
    ['tracemalloc text: 1 MiB of spaces and colons', `a.py:1: size=1 B, count=1\n${' :1:'.repeat(1 << 18)}\n`],
    ['mprof: 1 MiB of spaces in a MEM line', `MEM 1.0 2.0\nMEM${MiB}1\n`],
    // A fuzz finding: a run of digits then a line separator (U+2028) made a row pattern retry each split.
    [
      'a line report: 1 MiB of digits then U+2028',
      `Line #    Mem usage    Increment  Occurrences   Line Contents\n${'='.repeat(62)}\n${'9'.repeat(1 << 20)}\u2028x\n`,
    ],
    [
      'tracemalloc text: a frame of 1 MiB then U+2028',
      `a.py:1: size=1 B, count=1\n  File "${'9'.repeat(1 << 20)}\u2028\n`,
    ],
    // Fuzz findings (seed 76): a run of spaces tried as a log prefix before a wrapped frame's 'File', and
    // as the blank line number of a damaged row, each split every way (a minute and more).
    ['tracemalloc text: 1 MiB of spaces then a word', `a.py:1: size=1 B, count=1\n${MiB}x\ny\n`],
    [
      'a line report: a last line of 1 MiB of spaces, cut short',
      `Line #    Mem usage    Increment  Occurrences   Line Contents\n${'='.repeat(62)}\n     1    1.0 MiB    1.0 MiB  1   x = 1\n${MiB}`,
    ],
  ])('%s', async (_name, text) => {
    const p = file('long.txt', text);
    const start = performance.now();
    const r = await cli('info', p);
    expect(performance.now() - start).toBeLessThan(5000);
    expect(r.code).not.toBe(3);
    expectShort(r);
  });
});

describe('a line longer than any capture holds (64 MiB)', () => {
  it.each([
    ['mprof', (long: string) => `MEM 1.0 2.0\nMEM ${long} 2\n`],
    ['allocator stats', (long: string) => `Small block threshold = 512, in 32 size classes.\n${long}\n`],
  ])('%s: an input error at its line, not a string too long for the program', async (_name, text) => {
    const r = await cli('info', file('huge.txt', text('1'.repeat(65 << 20))));
    expect(r.err).toBe(`arenascope: ${join(dir, 'huge.txt')}: line 2: a line longer than 64 MiB: not a text capture\n`);
  });
});

describe('more blank lines in a row than any capture holds (h234)', () => {
  // A few MB of gzip holding GBs of line ends took minutes, read at ~1 us a line, and exited 0.
  it.each([
    ['tracemalloc text', 'a.py:1: size=10 KiB, count=1, average=10 KiB\nb.py:2: size=5 KiB, count=1, average=5 KiB\n'],
    ['allocator stats', 'Small block threshold = 512, in 32 size classes.\n'],
    ['a line report', `Line #    Mem usage    Increment  Occurrences   Line Contents\n${'='.repeat(62)}\n`],
  ])('%s: an input error at the first of them', async (_name, head) => {
    const first = head.split('\n').length;
    const p = join(dir, 'blank.txt.gz');
    writeFileSync(p, gzipSync(`${head}${'\n'.repeat((1 << 20) + 1)}`));
    const r = await cli('info', p);
    expect(r.err).toContain(`line ${first}: more than 1,048,576 blank lines in a row: no text capture is that long`);
    expect(r.code).toBe(2);
  });
});

describe('messages quote a short excerpt of the input', () => {
  it('a pickle naming a global of 10 KB: one short line', async () => {
    const name = 'x'.repeat(10_000);
    for (const [what, pickle] of [
      ['foreign', Buffer.concat([Buffer.from('\x80\x02cfoo.', 'latin1'), Buffer.from(name), Buffer.from('\nBar\n.')])],
      ['refused', Buffer.concat([Buffer.from('\x80\x02cos\n', 'latin1'), Buffer.from(name), Buffer.from('\n.')])],
    ] as const) {
      const r = await cli('stats', file(`${what}.pickle`, pickle));
      expect(r.code).toBe(2);
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
      expectShort(r);
      expect(r.err).toContain('xxx…');
    }
  });

  it('a malformed line of 10 KB in a capture: quoted in part', async () => {
    const dat = readFileSync('fixtures/mprof/plain.dat', 'utf8').split('\n');
    dat[3] = `MEM 1.0 ${'9'.repeat(10_000)}x`;
    const r = await cli('info', file('long-line.dat', dat.join('\n')));
    expect(r.code).toBe(2);
    expectShort(r);
  });

  it('excerpt: at most the length asked, escapes counted, one line', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(excerpt('a\nb\u0000', 10)).toBe('a\\nb\\x00');
    expect(excerpt('\n'.repeat(50), 9)).toBe(`${'\\n'.repeat(4)}…`);
    expect(excerpt(`${'x'.repeat(8)}😀`, 10)).toBe(`${'x'.repeat(8)}😀`);
    expect(excerpt(`${'x'.repeat(9)}😀y`, 10)).toBe(`${'x'.repeat(9)}…`);
    expect(quoted('say "hi" \\ \n')).toBe(JSON.stringify('say "hi" \\ \n'));
  });
});

// Every text fixture, cut at each line boundary and in the middle of its last lines.
const TEXT = [
  'fixtures/mprof',
  'fixtures/leaks/mprof',
  'fixtures/line-reports',
  'fixtures/mallocstats',
  'fixtures/text',
  'fixtures/memray',
]
  .flatMap(function walk(d: string): string[] {
    return readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      if (statSync(p).isDirectory()) return n === 'programs' ? [] : walk(p);
      // 'refused-': made to be refused whole (line-reports/wrapped/refused-fold50.txt).
      return /\.(dat|txt|log|csv|md)$/.test(n) && n !== 'README.md' && !n.startsWith('refused-') ? [p] : [];
    });
  })
  .sort();

// What a shorter capture is allowed to say instead of being read: the format's own "stops before"
// errors, and "not a capture at all" when the cut leaves none.
const SHORTER = new RegExp(
  [
    'stops before its rows',
    // A report cut right after a traceback between its rows cannot tell the traceback from a stop.
    'stops at a Python traceback',
    // A report cut at a row end, its profiled file here: the function goes on after its last row.
    'and its function goes on to line \\d+ in that file',
    // A statistic a word wrap broke before its average (words80), cut there: its figures are no statistic's.
    'a statistic that cannot be read',
    // A statistic a terminal wrapped, cut after its first part: its figures end early.
    'a statistic cut short',
    // A listing by traceback cut after a frame line, before its source line.
    'a traceback stops after a frame, before its source line',
    'stop before the \\d+-sized tuples',
    'stops before the end of the arena map section',
    'has no ',
    'no MEM or CHLD samples',
    'no (allocation rows|line-by-line report found|allocator report found|tracemalloc statistics found)',
    'the input is empty',
    'not a format arenascope reads',
  ].join('|'),
);

// Last lines below a capture that hold none of it: cut in the middle, the file is read whole.
const WHOLE_BELOW: readonly (readonly [string, string])[] = [
  ['found/two-formats-readme.md', ''],
  ['pytest/failed.log', 'FAILED '],
  ['pytest/progress-tee.log', 'PASSED '],
  ['repl/ipython.txt', 'In [6]: Do you'],
];

describe.each(TEXT)('%s', (path) => {
  const text = readFileSync(path, 'utf8');
  const format = path.includes('/mprof/') && path.endsWith('.dat') ? 'mprof' : undefined;
  // What was read, without where from, how much, and what was said of it.
  const facts = (out: string): unknown =>
    JSON.parse(out, (k, v) => (['file', 'bytes', 'warnings', 'partial'].includes(k) ? undefined : v));
  const info = (p: string, ...args: string[]) =>
    cli('info', p, '--json', ...(format ? ['--input-format', format] : []), ...args);

  it('cut at every line boundary: read, or the shorter capture is refused for what it lacks', async () => {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
      const r = await info(file('boundary.txt', text.slice(0, at + 1)));
      expect(r.code, `${path} cut after byte ${at + 1}: ${r.err}`).not.toBe(3);
      if (r.code !== 0) expect(r.err, `${path} cut after byte ${at + 1}`).toMatch(SHORTER);
      expect(r.err).not.toMatch(/in the middle of/);
    }
  });

  it('cut in the middle of each of its last lines: an error, or with --allow-partial the lines before it', async () => {
    const starts = [...text.matchAll(/^/gm)].map((m) => m.index).filter((i) => i < text.length);
    // (Not a line of a quote's marks alone, '> ': like a blank line, it holds nothing to cut.)
    const last = starts.filter((i) => !/^[\s>]*$/.test(text.slice(i).split('\n')[0]!)).slice(-3);
    for (const start of last) {
      const line = text.slice(start).split('\n')[0]!.replace(/\r$/, '');
      const indent = line.length - line.trimStart().length;
      const cut = start + indent + Math.max(1, Math.floor((line.length - indent) / 2));
      const p = file('middle.txt', text.slice(0, cut));
      const r = await info(p);
      const row = path.includes('line-reports') || path.includes('/report-');
      if (r.code === 0) {
        // Only a row whole up to its source (an IPython -T file ends so) is read as it is, and a line
        // of prose or a command below the capture (a README's, pytest's summary, IPython's exit prompt).
        const below = WHOLE_BELOW.some(([p, start]) => path.endsWith(p) && line.startsWith(start));
        expect(row || below, `${path} cut at byte ${cut}`).toBe(true);
        continue;
      }
      // Cut inside the header of its one report (an %mprun -T file of a one-line function): no report.
      if (row && !/Line(?: #)?\s+Mem usage[^\n]*\n/.test(text.slice(0, cut))) {
        expect(r.err).toMatch(/not a format arenascope reads/);
        continue;
      }
      // Cut inside the first statistic of a listing (fixtures/text/found/notes-filename.md): nothing
      // before the cut says what the file is.
      if (path.startsWith('fixtures/text/') && !/: size=/.test(text.slice(0, start))) {
        expect(r.err).toMatch(/not a format arenascope reads/);
        continue;
      }
      expect(r.err, `${path} cut at byte ${cut}`).toMatch(/in the middle of (a line|a row)/);
      expect(r.err).toContain('--allow-partial');
      const partial = await info(p, '--allow-partial');
      const before = await info(file('before.txt', text.slice(0, start)), '--allow-partial');
      expect(partial.code, `${path} cut at byte ${cut}: ${partial.err}`).toBe(before.code);
      if (before.code !== 0) continue;
      expect(partial.err).toMatch(/left out \(--allow-partial\)/);
      expect(facts(partial.out)).toEqual(facts(before.out));
    }
  });
});

describe('a gzipped dump cut inside its compressed data', () => {
  // Its byte was the content's, unsaid, where the README promises the compressed file's for a cut
  // gzip stream: the place is now named for what it counts.
  it('names the byte of the gunzipped content where the dump stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-gz-cut-'));
    try {
      const whole = gzipSync(readFileSync('fixtures/dumps/py311-inventory-a.pickle'));
      const file = join(dir, 'cut.pickle.gz');
      writeFileSync(file, whole.subarray(0, 3000));
      const r = await cli('stats', file);
      expect([r.code, r.err]).toEqual([
        2,
        expect.stringMatching(/cut\.pickle\.gz: byte \d+ of the gunzipped content: truncated tracemalloc dump/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an allocator report of CPython 3.11 cut after its figures (fixtures/mallocstats/py311-debugmallocstats.txt)', () => {
  // Its 1 MiB arenas are a radix tree's, whose arena map section always follows: cut before it, at a
  // line's end, the report was read as whole (a cut inside the map said so, a cut before it nothing).
  it('is refused as cut, or read with --allow-partial and a warning', async () => {
    const lines = readFileSync('fixtures/mallocstats/py311-debugmallocstats.txt', 'utf8').split('\n');
    const total = lines.findIndex((l) => l.startsWith('Total'));
    const p = file('py311-figures.txt', `${lines.slice(0, total + 1).join('\n')}\n`);
    const r = await cli('info', p);
    expect([r.code, r.err]).toEqual([
      2,
      `arenascope: ${p}: line ${total + 1}: the allocator report that starts at line 1 stops before the end of the arena map section CPython 3.10+ prints after its figures: cut off? (--allow-partial reads the report)\n`,
    ]);
    const partial = await cli('info', p, '--allow-partial');
    expect(partial.code).toBe(0);
    expect(partial.err).toContain('The report is read without the rest (--allow-partial)');
  });
});

describe('a gzipped dump whose trailer does not match its content (a bit flipped in its checksum or length)', () => {
  // zlib names no byte for it: the message said "after byte 0 of the compressed file".
  it.each([
    ['checksum', 8],
    ['length', 4],
  ])('%s: an error at the trailer, by its byte', async (what, back) => {
    const gz = Buffer.from(gzipSync(readFileSync('fixtures/dumps/py311-inventory-a.pickle')));
    gz[gz.length - back]! ^= 0x01;
    const p = file(`bad-${what}.pickle.gz`, gz);
    const r = await cli('stats', p);
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringMatching(
        new RegExp(
          `^arenascope: ${p}: the gzip trailer at byte ${gz.length - 8}: corrupt gzip data \\(incorrect ${what === 'checksum' ? 'data' : 'length'} check\\)`,
        ),
      ),
    ]);
  });
});

describe('a gzipped dump followed by bytes that are not gzip (trailing garbage)', () => {
  // zlib reads them as another member's header and names no byte: the message said "after byte 0".
  const one = Buffer.from(gzipSync(readFileSync('fixtures/dumps/py311-inventory-a.pickle')));
  // A dump of more than a chunk (256 KiB): the pickle reader met the error, and said its place was
  // "byte 1258 of the compressed file of the gunzipped content" (h190).
  const large = Buffer.from(gzipSync(readFileSync('fixtures/pairing/misordered/phase2.pickle')));
  it.each([
    ['after one member', Buffer.concat([one, Buffer.from('garbage')]), one.length, ['stats', 'info']],
    ['after a member of more than a chunk', Buffer.concat([large, Buffer.from('garbage')]), large.length, ['stats']],
    // stats stops reading at the end of the first member's pickle (a warning says what it left).
    ['after two members', Buffer.concat([one, one, Buffer.from('zz')]), 2 * one.length, ['info']],
    // A member's header that is not gzip's (an unknown method): zlib named no byte ("after byte 0").
    ['before a damaged header', Buffer.concat([one, Buffer.from([0x1f, 0x8b, 0x58, 0x58])]), one.length, ['stats']],
  ])('%s: an error at the byte where the gzip data ends', async (name, gz, at, commands) => {
    const p = file(`stray-${name.replace(/\W+/g, '-')}.pickle.gz`, gz);
    for (const args of commands.map((c) => [c, p])) {
      const r = await cli(...args);
      expect([r.code, r.err]).toEqual([
        2,
        `arenascope: ${p}: byte ${at} of the compressed file: the gzip data ends there and bytes that are not gzip data follow (trailing garbage, or a damaged member: \`gzip -dc\` reads what comes before)\n`,
      ]);
    }
  });
});

describe('diff --allow-partial of a dump cut short', () => {
  // Its traces after the cut read as freed in the diff, said only as "using the N traces read before it"
  // (helper h258); leaks, report and gate leave such a capture out.
  it('says the traces after the cut read as freed (or new, for the older dump)', async () => {
    const whole = 'fixtures/dumps/py311-inventory-a.pickle';
    const bytes = readFileSync(whole);
    const cut = join(dir, 'diff-cut.pickle');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r = await cli('diff', '--allow-partial', whole, cut);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`${cut} was read cut short: the traces after the cut read as freed in this diff`);
    const back = await cli('diff', '--allow-partial', cut, whole);
    expect(back.err).toContain(`${cut} was read cut short: the traces after the cut read as new in this diff`);
  });
});
