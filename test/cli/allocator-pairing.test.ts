// Allocator reports paired with captures the same way by replay, report and gate: real
// sys._debugmallocstats() reports of fixtures/pairing (make_pairing.py), next to real dumps.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const P = 'fixtures/pairing';
const snaps = [1, 2, 3].map((k) => `${P}/snap-${k}.pickle`);

// The truth, from CPython's own report: arenas, and bytes in allocated blocks over arena bytes.
function truth(file: string): { arenas: number; utilization: number } {
  const text = readFileSync(file, 'utf8');
  const figure = (label: RegExp): number => Number(label.exec(text)![1]!.replace(/,/g, ''));
  const arenaBytes = figure(/^\d+ arenas \* \d+ bytes\/arena +=\s+([\d,]+)$/m);
  return {
    arenas: figure(/^# arenas allocated current +=\s+([\d,]+)$/m),
    utilization: figure(/^# bytes in allocated blocks +=\s+([\d,]+)$/m) / arenaBytes,
  };
}
const real = [1, 2, 3].map((k) => truth(`${P}/stats-${k}.txt`));

type Real = { arenas: number; utilization: number } | null;
const realOf = (captures: { real: Real }[]): Real[] =>
  captures.map((c) => c.real && { arenas: c.real.arenas, utilization: c.real.utilization });

function folder(files: string[], extra: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'arenascope-pairing-'));
  for (const f of files) copyFileSync(`${P}/${f}`, join(d, f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(d, name), text);
  return d;
}

describe('allocator reports paired with captures', () => {
  it("--allocator-stats on the captures' own folder: its snapshots left out by the option, said once", async () => {
    // They are the command's inputs too: "leaving out fixtures/pairing/snap-1.pickle: this command reads
    // allocator reports" said of each one the command read (h191).
    const r = await cli('replay', ...snaps, '--allocator-stats', P, '--json');
    expect(r.code, r.err).toBe(0);
    expect(realOf(JSON.parse(r.out).captures)).toEqual(real);
    expect(r.err).toContain(`warning: --allocator-stats ${P}: 3 snapshots left out (it reads allocator reports)\n`);
    expect(r.err).not.toContain('leaving out');
  });

  it('replay, report and gate pair a folder alike: by name; the PYTHONMALLOCSTATS log named as left out', async () => {
    const rp = await cli('replay', P, '--json');
    expect(rp.code).toBe(0);
    expect(realOf(JSON.parse(rp.out).captures)).toEqual(real);
    expect(rp.err).toContain('left out fixtures/pairing/mallocstats.log (8 reports)');

    const dir = mkdtempSync(join(tmpdir(), 'arenascope-pairing-out-'));
    const rr = await cli('report', P, '-o', join(dir, 'r.html'), '--json', join(dir, 'r.json'));
    expect(rr.code).toBe(0);
    const data = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(realOf(data.snapshots.replay.captures)).toEqual(real);
    expect(data.snapshots.replay.allocatorNotes.join('\n')).toContain('left out fixtures/pairing/mallocstats.log');
    expect(rr.err).toContain('left out fixtures/pairing/mallocstats.log (8 reports)');
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('left out fixtures/pairing/mallocstats.log');

    const g = await cli('gate', P, '--max-fragmentation', '0', '--max-leaks', '99', '--json');
    expect(g.code).toBe(0);
    const frag = JSON.parse(g.out).checks.find((c: { check: string }) => c.check === 'max-fragmentation');
    // The gate measures what replay measures: the real report's arenas against the packed need.
    const measure = JSON.parse(rp.out).fragmentation.measure;
    expect(measure.heldArenas).toBe(real[2]!.arenas);
    expect(frag.measured).toBe(measure.share);
    expect(frag.message).toContain(`of ${real[2]!.arenas} arenas spare (real)`);
    expect(g.err).toContain('left out fixtures/pairing/mallocstats.log (8 reports)');
  });

  it("replay's text states the real figures it measures: held - needed = spare, held as CPython's own", async () => {
    const r = await cli('replay', P);
    const m = /Real report, [^:]+: (\d+) arenas held, (\d+) needed by its blocks in use packed: (\d+) arenas?\b/.exec(
      r.out,
    );
    expect(m, r.out).not.toBeNull();
    const [held, needed, spare] = m!.slice(1).map(Number) as [number, number, number];
    expect(held).toBe(real[2]!.arenas);
    expect(held - needed).toBe(spare);
    expect(r.out).toContain(`packed, its blocks in use need ${needed})`);
  });

  it('--allocator-stats: report and gate take it as replay does', async () => {
    const stats = [1, 2, 3].map((k) => `${P}/stats-${k}.txt`);
    const rp = await cli('replay', ...snaps, '--allocator-stats', ...stats, '--json');
    expect(realOf(JSON.parse(rp.out).captures)).toEqual(real);
    expect(rp.err).toBe('');
    const rr = await cli('report', ...snaps, '--allocator-stats', ...stats, '-f', 'text');
    expect(rr.code).toBe(0);
    expect(rr.err).toBe('');
    const g = await cli('gate', ...snaps, '--allocator-stats', `${P}/stats-3.txt`, '--max-fragmentation', '0');
    // One file for three captures: it pairs with snap-3 by name, the last capture the check reads.
    expect(g.out).toContain(`of ${real[2]!.arenas} arenas spare (real)`);
    expect(g.err).toContain('no allocator report for snap-1.pickle, snap-2.pickle');
  });

  it('a partial pairing is used and the capture without a report is named', async () => {
    const d = folder(['snap-1.pickle', 'snap-2.pickle', 'snap-3.pickle', 'stats-1.txt', 'stats-3.txt']);
    const r = await cli('replay', d, '--json');
    expect(r.code).toBe(0);
    expect(realOf(JSON.parse(r.out).captures)).toEqual([real[0], null, real[2]]);
    expect(r.err).toContain('paired by file name with 2 of 3 captures');
    expect(r.err).toContain('no allocator report for snap-2.pickle');
  });

  it('nothing pairs: with --allocator-stats an error naming the file; found in a folder, a warning', async () => {
    const log = `${P}/mallocstats.log`;
    for (const cmd of ['replay', 'report', 'gate']) {
      const r = await cli(cmd, ...snaps, '--allocator-stats', log, ...(cmd === 'report' ? ['-f', 'text'] : []));
      expect(r.code, cmd).toBe(2);
      expect(r.err).toContain(
        'no allocator report paired with the 3 captures: ' +
          '1 allocator-stats file holding 8 reports (fixtures/pairing/mallocstats.log)',
      );
    }
    const d = folder(['snap-1.pickle', 'snap-2.pickle', 'snap-3.pickle', 'mallocstats.log']);
    const r = await cli('report', d, '-f', 'text');
    expect(r.code).toBe(0);
    expect(r.err).toContain('no allocator report paired with the 3 captures');
    expect(r.out).toContain('note: no allocator report paired with the 3 captures');
  });

  it('by .time sidecars when names do not pair: a report per capture, each nearest its own', async () => {
    const d = folder(['snap-1.pickle', 'snap-2.pickle', 'snap-3.pickle'], {
      'snap-1.pickle.time': '100',
      'snap-2.pickle.time': '200',
      'snap-3.pickle.time': '300',
    });
    // Reports named apart from the captures, listed out of their order: only their times pair them.
    const names = { 'late.txt': 3, 'early.txt': 1, 'middle.txt': 2 };
    for (const [name, k] of Object.entries(names)) {
      copyFileSync(`${P}/stats-${k}.txt`, join(d, name));
      writeFileSync(join(d, `${name}.time`), String(k * 100 + 2));
    }
    const r = await cli('replay', d, '--json');
    expect(r.code).toBe(0);
    expect(realOf(JSON.parse(r.out).captures)).toEqual(real);
    expect(JSON.parse(r.out).assumptions.join('\n')).toContain('paired by time with 3 of 3 captures');
  });

  it('with a report missing, times pair nothing: one taken after a slow dump lies nearer the next capture', async () => {
    // A real set's times (a report written right after each dump, the last one missing): the second
    // report came 0.224 s after its snapshot's time and 0.005 s before the next one's.
    const times = ['1796092940.802703', '1796092941.114944', '1796092941.343959', '1796092941.696736'];
    const d = folder([], Object.fromEntries(times.map((t, i) => [`snap-${i + 1}.pickle.time`, t])));
    [0, 1, 2, 2].forEach((s, i) => copyFileSync(snaps[s]!, join(d, `snap-${i + 1}.pickle`)));
    const reportTimes = ['1796092941.025753', '1796092941.339184', '1796092941.576996'];
    reportTimes.forEach((t, i) => {
      const name = `mallocstats-${'xyz'[i]}.txt`; // names that pair on nothing
      copyFileSync(`${P}/stats-${i + 1}.txt`, join(d, name));
      writeFileSync(join(d, `${name}.time`), t);
    });
    const r = await cli('replay', d, '--json');
    expect(r.code).toBe(0);
    expect(realOf(JSON.parse(r.out).captures)).toEqual([null, null, null, null]);
    expect(r.err).toContain('times pair a file with each capture or none (3 files for 4 captures)');
  });

  it('--allocator-stats files pair in the order given, not their names; the pairing is said', async () => {
    // Names that pair on nothing, given in capture order but sorting the other way (z before a).
    const d = folder([]);
    const given = [1, 2, 3].map((k) => {
      const to = join(d, `${'zyx'[k - 1]}.txt`);
      copyFileSync(`${P}/stats-${k}.txt`, to);
      return to;
    });
    const r = await cli('replay', ...snaps, '--allocator-stats', ...given, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(realOf(j.captures)).toEqual(real);
    expect(j.assumptions.join('\n')).toContain('one per capture, in order');
    const t = await cli('replay', ...snaps, '--allocator-stats', ...given);
    expect(t.out).toContain('Assumed: allocator reports paired with 3 captures: 3 allocator-stats files');
  });

  it('names pair on their last part: a word (app-py311-start with stats-start), not a number before it', async () => {
    const d = folder([]);
    const words = ['start', 'middle', 'end'];
    words.forEach((w, i) => {
      // A number before the word (py311) is no key: the word is.
      copyFileSync(snaps[i]!, join(d, `app-py311-${w}.pickle`));
      copyFileSync(`${P}/stats-${i + 1}.txt`, join(d, `stats-${w}.txt`));
    });
    // The captures in their order; the reports given in name order (end, middle, start).
    const caps = words.map((w) => join(d, `app-py311-${w}.pickle`));
    const stats = [...words].sort().map((w) => join(d, `stats-${w}.txt`));
    const r = await cli('replay', ...caps, '--allocator-stats', ...stats, '--json');
    expect(r.code).toBe(0);
    expect(realOf(JSON.parse(r.out).captures)).toEqual(real);
    expect(JSON.parse(r.out).assumptions.join('\n')).toContain('paired by file name with 3 of 3 captures');
  });

  it("a run's reports pair with its snapshots converted to JSON by label, and its allocator/ folder is read", async () => {
    // `arenascope run --allocator` (fixtures/run-folder): the reports were taken in a second run,
    // after the first run's snapshots, so every report's time is nearest the last snapshot: paired by
    // time, 1 of 8 paired and the model started from nothing (a fragmented run read as not).
    const run = 'fixtures/run-folder/run';
    const reports = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => `${run}/allocator/000${k}.txt`);
    const json = join(folder([]), 'series.json');
    expect((await cli('convert', `${run}/snapshots`, '--to', 'json', '-o', json)).code).toBe(0);
    const r = await cli('replay', json, '--allocator-stats', ...reports, '--json');
    expect(r.code).toBe(0);
    expect(realOf(JSON.parse(r.out).captures)).toEqual(reports.map(truth));
    expect(JSON.parse(r.out).assumptions.join('\n')).toContain('their labels those of the captures, in order');
    // The folder, as the run wrote it (with its own captures.jsonl): not a run that "did not finish".
    const f = await cli('replay', `${run}/snapshots`, '--allocator-stats', `${run}/allocator`, '--json');
    expect(f.code).toBe(0);
    expect(f.err).not.toContain('did not finish');
    expect(realOf(JSON.parse(f.out).captures)).toEqual(reports.map(truth));
  });

  it("a pairing by order that cannot be is refused: a later capture's report counts fewer arenas ever allocated", async () => {
    // fixtures/pairing/misordered (make_misordered.py): real reports whose names sort against the
    // captures' order (built before start). Paired in that order, the start report went with the
    // capture of 40,000 blocks, and the last capture read the start's arenas. Arenas allocated in all
    // (CPython's "# arenas allocated total") only grow in a process: 14 then 4 cannot be.
    const M = `${P}/misordered`;
    const caps = [`${M}/phase1.pickle`, `${M}/phase2.pickle`];
    const wrong = await cli('replay', ...caps, '--allocator-stats', M);
    expect(wrong.code).toBe(2);
    const total = (f: string): number =>
      Number(/^# arenas allocated total += +(\d+)$/m.exec(readFileSync(`${M}/${f}`, 'utf8'))![1]);
    expect([total('stats-built.txt'), total('stats-start.txt')]).toEqual([14, 4]);
    expect(wrong.err).toMatch(
      /\S+stats-start\.txt \(line 1\), paired with \S+phase2\.pickle, counts 4 arenas allocated in all where \S+stats-built\.txt \(line 1\), paired with \S+phase1\.pickle, counts 14: a process's counts only grow/,
    );
    const gate = await cli('gate', ...caps, '--allocator-stats', M, '--max-fragmentation', '0.5');
    expect(gate.code).toBe(2);
    // Named or labelled alike, they pair as named, unchecked: a library's raw allocations
    // (liblzma's, through PyMem_RawMalloc) or another interpreter's blocks are traced but no report
    // of the main pymalloc holds them, and such a report is still the one taken with its capture.
    const d = folder([]);
    copyFileSync(`${M}/phase2.pickle`, join(d, 'snap-2.pickle'));
    copyFileSync(`${M}/stats-start.txt`, join(d, 'stats-2.txt'));
    const named = await cli('replay', join(d, 'snap-2.pickle'), '--allocator-stats', join(d, 'stats-2.txt'), '--json');
    expect(named.code).toBe(0);
    expect(JSON.parse(named.out).assumptions.join('\n')).toContain('paired by file name with 1 of 1 capture');
    // ... but not used when it cannot be (fewer than half the arenas the model needs at best): the
    // start's report named as the capture of 40,000 blocks decided the verdict.
    expect(named.err).toMatch(
      /warning: \S*snap-2\.pickle's allocator report holds \d arenas, where the blocks its capture traced need \d\d at least: the reports are not of these captures .*none is used/,
    );
    expect(JSON.parse(named.out).fragmented.reason).not.toContain('the real allocator');
    // And when a report holds more blocks of a size class than its capture traced, beyond what the
    // first report held untraced: the report of the 40,000 blocks named as a capture's before them.
    const later = folder([]);
    copyFileSync(`${M}/phase1.pickle`, join(later, 'snap-1.pickle'));
    copyFileSync(`${M}/stats-start.txt`, join(later, 'stats-1.txt'));
    copyFileSync(`${M}/phase1.pickle`, join(later, 'snap-2.pickle'));
    copyFileSync(`${M}/stats-built.txt`, join(later, 'stats-2.txt'));
    const surplus = await cli(
      'replay',
      ...['snap-1.pickle', 'snap-2.pickle'].map((f) => join(later, f)),
      '--allocator-stats',
      ...['stats-1.txt', 'stats-2.txt'].map((f) => join(later, f)),
    );
    expect(surplus.code).toBe(0);
    expect(surplus.err).toMatch(
      /warning: allocator reports that do not fit their captures \(\S*snap-2\.pickle's has \d+ blocks of 240 bytes in use where the capture traced \d+\)/,
    );
    // Given in their order, they pair.
    const right = await cli(
      'replay',
      ...caps,
      '--allocator-stats',
      `${M}/stats-start.txt`,
      `${M}/stats-built.txt`,
      '--json',
    );
    expect(right.code).toBe(0);
    expect(realOf(JSON.parse(right.out).captures).map((c) => c?.arenas)).toEqual([
      truth(`${M}/stats-start.txt`).arenas,
      truth(`${M}/stats-built.txt`).arenas,
    ]);
  });

  // fixtures/pairing/held-out (make.sh): series nobody shaped for this, real reports at each capture.
  const H = `${P}/held-out`;
  const heldOut = (dir: string, names: Record<string, string>): string => {
    const d = mkdtempSync(join(tmpdir(), 'arenascope-held-out-'));
    for (const [from, to] of Object.entries(names)) copyFileSync(`${H}/${dir}/${from}`, join(d, to));
    return d;
  };
  const sawSnaps = [1, 2, 3, 4].map((k) => `snap-${k}.pickle.gz`);
  const same = (files: string[]) => Object.fromEntries(files.map((f) => [f, f]));

  it('reports named as their captures but of another moment: swapped, refused by the arena counters; numbered from 0, said', async () => {
    // Named right, they pair and decide the verdict; the captures' and the folder's reports read once
    // when the folder is given as both.
    const right = await cli('replay', `${H}/saw`, '--allocator-stats', `${H}/saw`, '--json');
    expect(right.code).toBe(0);
    const captures = JSON.parse(right.out).captures as { real: Real }[];
    expect(realOf(captures).map((c) => c?.arenas)).toEqual(
      [1, 2, 3, 4].map((k) => truth(`${H}/saw/stats-${k}.txt`).arenas),
    );
    expect(right.err).not.toMatch(/fits|do not fit|same figures/);
    // Two swapped (the reports of moments 2 and 4): the later capture's counts fewer arenas ever
    // allocated. Refused by every command.
    const swapped = heldOut('saw', {
      ...same(sawSnaps),
      ...{ 'stats-1.txt': 'stats-1.txt', 'stats-2.txt': 'stats-4.txt', 'stats-3.txt': 'stats-3.txt' },
      'stats-4.txt': 'stats-2.txt',
    });
    for (const args of [
      ['replay'],
      ['gate', '--max-fragmentation', '0.3'],
      ['report', '-o', join(swapped, 'r.html')],
    ]) {
      const r = await cli(args[0]!, swapped, '--allocator-stats', swapped, ...args.slice(1));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /paired by file name .*counts \d+ arenas allocated in all where .*: a process's counts only grow/,
      );
    }
    // Numbered from 0 (the reports of moments 1-4 as stats-0..3): each capture named with the report
    // of the moment after it, in order, so no counter goes back; how far each is from what its capture
    // traced is said, as blocks from before tracing or raw allocations could be that far.
    const shifted = heldOut('saw', {
      ...same(sawSnaps),
      ...Object.fromEntries([1, 2, 3, 4].map((k) => [`stats-${k}.txt`, `stats-${k - 1}.txt`])),
    });
    const r = await cli('replay', shifted, '--allocator-stats', shifted);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /fits that capture far better: a report of another moment \(numbered from 0\? two swapped\?\)/,
    );
    // One report given for two captures.
    const twice = heldOut('saw', { ...same(sawSnaps), ...same(['stats-1.txt', 'stats-2.txt', 'stats-3.txt']) });
    copyFileSync(`${H}/saw/stats-3.txt`, join(twice, 'stats-4.txt'));
    const dup = await cli('replay', twice, '--allocator-stats', twice);
    expect(dup.code).toBe(0);
    expect(dup.err).toMatch(
      /stats-3\.txt \(line 1\) and \S+stats-4\.txt \(line 1\) hold the same figures, class by class/,
    );
  });

  it("a size class short of its traced blocks in every report is raw allocations' (locks): paired, no doubt said", async () => {
    // 30,000 threading.Lock(): their semaphores are traced (domain 0) but served by the system
    // allocator, so no report holds them. Given in order under other names, the reports pair.
    const d = heldOut('locks', {
      ...same([1, 2, 3].map((k) => `snap-${k}.pickle.gz`)),
      'stats-1.txt': 'm_a.txt',
      'stats-2.txt': 'm_b.txt',
      'stats-3.txt': 'm_c.txt',
    });
    const snapsIn = [1, 2, 3].map((k) => join(d, `snap-${k}.pickle.gz`));
    const r = await cli(
      'replay',
      ...snapsIn,
      '--allocator-stats',
      ...['m_a', 'm_b', 'm_c'].map((m) => join(d, `${m}.txt`)),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(realOf(JSON.parse(r.out).captures).map((c) => c?.arenas)).toEqual(
      [1, 2, 3].map((k) => truth(`${H}/locks/stats-${k}.txt`).arenas),
    );
    expect(r.err).not.toMatch(/far better|same figures|counts only grow/);
  });
});

describe('blocks of 0 bytes (fixtures/pymalloc/zero-size, make_zero_size.py)', () => {
  it("are no size class's: a report of the capture's own moment pairs with no doubt said, in every command", async () => {
    // 3000 PyObject_Malloc(0) traced at size 0; pymalloc serves none (the system allocator does), so
    // its report of the same heap holds none of them in its 16-byte class.
    const Z = 'fixtures/pymalloc/zero-size';
    const args = [
      `${Z}/snap-1.pickle.gz`,
      `${Z}/snap-2.pickle.gz`,
      '--allocator-stats',
      `${Z}/stats-1.txt`,
      `${Z}/stats-2.txt`,
    ];
    const r = await cli('replay', ...args, '--json');
    expect(r.code, r.err).toBe(0);
    expect(realOf(JSON.parse(r.out).captures).map((c) => c?.arenas)).toEqual(
      [1, 2].map((k) => truth(`${Z}/stats-${k}.txt`).arenas),
    );
    for (const command of ['replay', 'report', 'gate']) {
      const out = await cli(command, ...args, ...(command === 'report' ? ['-o', join(tmpdir(), 'zero.html')] : []));
      expect(out.err, command).not.toMatch(/another moment|far better|do not fit|the verdict is wrong/);
    }
  });
});

// fixtures/pymalloc/foreign-report: a capture of 4.9 MB in pymalloc's sizes, paired by name with another
// program's report of 21 arenas holding 1.7 MB: enough arenas for the capture's blocks packed, not the
// blocks. Used, it read "Fragmented: yes (21 arenas held, 2 needed)" of a heap it was not (h304).
describe("another program's report, holding under half the bytes its capture traced", () => {
  const F = 'fixtures/pymalloc/foreign-report';
  const args = [
    `${F}/snap-1.pickle`,
    `${F}/snap-2.pickle.gz`,
    '--allocator-stats',
    `${F}/stats-1.txt`,
    `${F}/stats-2.txt`,
  ];

  it('is not used: replay, report and gate judge the model, and say why', async () => {
    const held = Number(
      /^# bytes in allocated blocks += +([\d,]+)$/m
        .exec(readFileSync(`${F}/stats-2.txt`, 'utf8'))![1]!
        .replace(/,/g, ''),
    );
    const said = `snap-2.pickle.gz's allocator report holds ${held} bytes in blocks, where its capture traced`;
    const replay = await cli('replay', ...args, '--json');
    expect(replay.code).toBe(0);
    expect(replay.err).toContain(said);
    expect(replay.err).toContain('the reports are not of these captures');
    expect(JSON.parse(replay.out).fragmented.reason).not.toContain('the real allocator');
    const report = await cli('report', ...args, '--format', 'json');
    expect(report.err).toContain(said);
    const gate = await cli('gate', ...args, '--max-fragmentation', '0.5');
    expect(gate.err).toContain(said);
    expect(gate.out).toContain('not measured');
  });
});

// fixtures/pymalloc/dev-mode: a capture and its own report in one process under `python -X dev`. The
// debug hooks' padding puts requests near the threshold (505 B) past it, served by the system allocator
// though traced as small: the report read as another program's, under half the bytes traced (h307).
describe('a report of the same moment under the debug hooks', () => {
  it('is used: its 505-byte requests are no blocks of pymalloc there', async () => {
    const F = 'fixtures/pymalloc/dev-mode';
    const arenas = Number(/^# arenas allocated current += +(\d+)$/m.exec(readFileSync(`${F}/stats-1.txt`, 'utf8'))![1]);
    const r = await cli('replay', `${F}/snap-1.pickle.gz`, '--allocator-stats', `${F}/stats-1.txt`);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('not of these captures');
    expect(r.out).toContain(`Fragmented: yes (the real allocator holds ${arenas} arenas`);
  });
});
