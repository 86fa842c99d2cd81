// Reading a capture folder of `arenascope run`: its manifest (order, labels, pairing, tests), a run that
// did not finish (captures.jsonl), `.label` sidecars, and manifests that must be refused.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/analysis/gate.js';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { resolveInputs } from '../../src/ingest/resolve-inputs.js';
import { readRunFolder } from '../../src/ingest/run-folder.js';
import type { FrameTable } from '../../src/model/frames.js';
import { leakResultsOf } from '../agreement-facts.js';
import { BIN, cli } from '../helpers.js';

const RUN = 'fixtures/run-folder/run';
// What the program is known to do (fixtures/run-folder/make_run_folder.py read it from app.py).
const truth = JSON.parse(readFileSync('fixtures/run-folder/truth.json', 'utf8')) as { labels: string[] };
const tmp = mkdtempSync(join(tmpdir(), 'arenascope-run-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copy(name: string): string {
  const dir = join(tmp, name);
  cpSync(RUN, dir, { recursive: true });
  return dir;
}

function withManifest(name: string, text: (m: Record<string, unknown>) => string): string {
  const dir = copy(name);
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'manifest.json'), text(m));
  return dir;
}

const load = (p: string, frames: FrameTable) => loadCapture(p, { frames });

describe('a finished run', () => {
  it('gives the captures in manifest order with their labels, the memory.dat and the tests', () => {
    const run = readRunFolder(RUN)!;
    expect(run.status).toBe('complete');
    const snaps = run.files.filter((f) => f.kind === 'snapshot');
    expect(snaps.map((f) => f.path)).toEqual(
      snaps.map((_, i) => join(RUN, `snapshots/${String(i + 1).padStart(4, '0')}.pickle`)),
    );
    expect(snaps[0]!.label).toBe('start');
    expect(snaps[0]!.tracedPeak).toBeGreaterThan(0);
    expect(run.files.filter((f) => f.kind === 'memory').map((f) => f.path)).toEqual([join(RUN, 'memory.dat')]);
    const reports = run.files.filter((f) => f.kind === 'allocator-stats');
    expect(reports[1]!.matches).toBe(join(RUN, 'snapshots/0002.pickle'));
    expect(snaps.map((f) => f.label)).toEqual(truth.labels);
    // Every allocator report was taken at a labelled capture: each matches its snapshot by label.
    expect(reports.map((f) => f.matches)).toEqual(snaps.map((f) => f.path));
    // app.py is no pytest run: no per-test table (test/capture/end-to-end.test.ts runs a real suite).
    expect(run.tests).toEqual([]);
    expect(run.warnings).toEqual([]);
  });

  it('resolves the folder to its own captures and warns of none of its other files', () => {
    const r = resolveInputs([RUN]);
    expect(r.skipped).toEqual([]);
    expect(r.runs).toHaveLength(1);
    expect(r.inputs.every((p) => /\.(pickle|dat|txt)$/.test(p) && !p.endsWith('output.txt'))).toBe(true);
  });

  it('labels the series, pairs each report with the snapshot it matches, and carries the runs', async () => {
    const set = await loadCaptureSet([RUN], { load });
    expect(set.series.labels.slice(0, 2)).toEqual(['start', 'after batch 1']);
    expect(set.series.snapshots.every((s) => s.tracedPeak !== null)).toBe(true);
    expect(set.allocatorStats[0]!.matches).toBe(join(RUN, 'snapshots/0001.pickle'));
    expect(set.runs).toHaveLength(1);
  });

  it('pairs as the run recorded even where names or times would pair otherwise', async () => {
    // Report 0005 (after batch 4) recorded as taken with snapshot 0002 (after batch 1), and report 0002 with
    // none: names (0002 ~ 0002), labels and times would pair otherwise.
    const dir = withManifest('repaired', (m) => {
      const files = m.files as { path: string; matches?: string | null }[];
      files.find((f) => f.path === 'allocator/0002.txt')!.matches = null;
      files.find((f) => f.path === 'allocator/0005.txt')!.matches = 'snapshots/0002.pickle';
      return JSON.stringify(m);
    });
    const r = await cli('replay', dir, '--json');
    const caps = (JSON.parse(r.out) as { captures: { label: string; real: { arenas: number } | null }[] }).captures;
    const plain = (JSON.parse((await cli('replay', RUN, '--json')).out) as { captures: { real: unknown }[] }).captures;
    expect(caps[1]!.label).toBe('after batch 1');
    // The heap grew between the two reports: they tell apart.
    expect(plain[4]!.real).not.toEqual(plain[1]!.real);
    expect(caps[1]!.real).toEqual(plain[4]!.real);
    expect(caps[4]!.real).toBeNull();
  });
});

describe('a run the program did not finish', () => {
  it('says how it ended, once, in every command (the folder is still read)', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['crashed', { code: 1, signal: null, reason: 'exception' }, 'the program crashed (an uncaught exception)'],
      ['crashed', { code: null, signal: 'SIGKILL', reason: 'signal' }, 'the program crashed (killed by SIGKILL)'],
      ['crashed', { code: 3, signal: null, reason: 'os._exit' }, 'the program crashed (os._exit(3))'],
      ['interrupted', { code: null, signal: 'SIGINT', reason: 'interrupted' }, 'the program was interrupted (Ctrl-C)'],
    ];
    for (const [i, [status, exit, said]] of cases.entries()) {
      const dir = withManifest(`ended-${i}`, (m) => JSON.stringify({ ...m, status, exit }));
      expect(readRunFolder(dir)!.warnings).toEqual([`${dir}: ${said}: the captures end where it stopped`]);
    }
    const r = await cli('leaks', join(tmp, 'ended-0'));
    expect([r.code, r.err.match(/the program crashed/g)?.length]).toEqual([0, 1]);
  });
});

describe('a run that did not finish', () => {
  it('is read from captures.jsonl with a warning, its last line cut short left out', async () => {
    const dir = copy('killed');
    rmSync(join(dir, 'manifest.json'));
    const events = join(dir, 'captures.jsonl');
    // Killed: no end record, its last line cut.
    const lines = readFileSync(events, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('{"kind": "end"'));
    writeFileSync(events, `${lines.join('\n')}{"kind":"snapshot","ind`);
    const run = readRunFolder(dir)!;
    expect(run.status).toBe('unfinished');
    expect(run.warnings[0]).toBe(`${dir}: the run did not finish (no manifest.json): read from captures.jsonl`);
    expect(run.warnings[1]).toMatch(/captures\.jsonl: line \d+: cut short/);
    expect(run.files.filter((f) => f.kind === 'snapshot').map((f) => f.label)).toEqual(truth.labels);
    expect(run.files.filter((f) => f.kind === 'allocator-stats')).toHaveLength(truth.labels.length);
    const r = await cli('leaks', dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('the run did not finish (no manifest.json): read from captures.jsonl');
  });
});

describe('a run whose manifest.json was cut (killed as it wrote it)', () => {
  // Refused (exit 2) where a run without one was read from captures.jsonl.
  it('is read from captures.jsonl, as a run that did not finish, the manifest said', async () => {
    const dir = copy('cut-manifest');
    const manifest = join(dir, 'manifest.json');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, text.slice(0, text.length >> 1));
    const run = readRunFolder(dir)!;
    expect(run.status).toBe('unfinished');
    expect(run.warnings[0]).toMatch(
      new RegExp(
        `^${dir}: its manifest.json cannot be read \\(byte \\d+: not valid JSON: .*\\): read from captures.jsonl, as a run that did not finish$`,
      ),
    );
    expect(run.files.filter((f) => f.kind === 'snapshot').map((f) => f.label)).toEqual(truth.labels);
    // Without its captures.jsonl, a cut manifest of a run is an error naming it.
    rmSync(join(dir, 'captures.jsonl'));
    expect(() => readRunFolder(dir)).toThrow(/manifest\.json: byte \d+: not valid JSON/);
  });
});

describe('a .label sidecar', () => {
  it('labels a capture of a plain folder and is not warned about', async () => {
    const dir = join(tmp, 'plain');
    mkdirSync(dir);
    for (const n of ['0001', '0002', '0003']) {
      cpSync(join(RUN, `snapshots/${n}.pickle`), join(dir, `snap-${n}.pickle`));
      writeFileSync(join(dir, `snap-${n}.pickle.label`), `step ${n}\n`);
    }
    const r = await cli('leaks', dir, '--json');
    expect(r.err).toBe('');
    const series = leakResultsOf(JSON.parse(r.out)).find((x) => x.kind === 'snapshots')!;
    expect(series.labels).toEqual(['step 0001', 'step 0002', 'step 0003']);
  });
});

describe('manifests that are refused', () => {
  const cases: [string, (m: Record<string, unknown>) => string, RegExp][] = [
    [
      'a path escaping the folder',
      (m) => {
        (m.files as { path: string }[])[0]!.path = '../../etc/passwd';
        return JSON.stringify(m);
      },
      /manifest\.json: \$\.files\[0\]\.path: expected a path inside the run folder, found "\.\.\/\.\.\/etc\/passwd"/,
    ],
    [
      'an absolute path',
      (m) => {
        (m.files as { path: string }[])[1]!.path = '/etc/passwd';
        return JSON.stringify(m);
      },
      /\$\.files\[1\]\.path: expected a path inside the run folder/,
    ],
    [
      'a match escaping the folder',
      (m) => {
        const f = (m.files as { kind: string; matches?: string }[]).find((x) => x.kind === 'allocator-stats')!;
        f.matches = 'snapshots/../../x.pickle';
        return JSON.stringify(m);
      },
      /\.matches: expected a path inside the run folder/,
    ],
    [
      'a wrong type',
      (m) => {
        (m.files as { tracedPeak: unknown }[])[1]!.tracedPeak = '2 MB';
        return JSON.stringify(m);
      },
      /manifest\.json: \$\.files\[1\]\.tracedPeak: expected a whole number of bytes or null, found "2 MB"/,
    ],
    [
      'files not a list',
      (m) => {
        m.files = {};
        return JSON.stringify(m);
      },
      /\$\.files: expected an array, found \{\}/,
    ],
    [
      'a newer version',
      (m) => JSON.stringify({ ...m, version: 2 }),
      /\$\.version: version 2: this arenascope reads run folders of version 1/,
    ],
  ];
  for (const [name, edit, message] of cases) {
    it(`${name}: a clear error naming the file, exit 2`, async () => {
      const dir = withManifest(name.replace(/\W+/g, '-'), edit);
      expect(() => readRunFolder(dir)).toThrow(message);
      const r = await cli('leaks', dir);
      expect(r.code).toBe(2);
      expect(r.err).toContain(join(dir, 'manifest.json'));
      expect(r.out).toBe('');
    });
  }

  it("another tool's manifest.json does not make a folder a run folder", () => {
    const dir = join(tmp, 'other');
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), '{"format": "something-else"}');
    expect(readRunFolder(dir)).toBeNull();
  });
});

describe('a run folder whose dumps were gzipped since (gzip snapshots/*.pickle)', () => {
  // Read as the run named them: all left out ("not there"), leaks judged memory.dat alone and the gate
  // passed; given by a glob, their .time sidecars were not found (rates per capture).
  it('is read as the plain folder: same captures, labels, times and verdicts, by the folder or a glob', async () => {
    const dir = copy('gzipped');
    const snaps = join(dir, 'snapshots');
    for (const f of readdirSync(snaps).filter((x) => x.endsWith('.pickle'))) {
      writeFileSync(join(snaps, `${f}.gz`), gzipSync(readFileSync(join(snaps, f))));
      rmSync(join(snaps, f));
    }
    const facts = async (...args: string[]) => {
      const r = await cli('leaks', '--json', ...args);
      const s = leakResultsOf(JSON.parse(r.out)).find((x) => x.kind === 'snapshots')!;
      return { code: r.code, labels: s.labels, times: s.times, sites: s.sites, err: r.err };
    };
    const plain = await facts(RUN);
    const zipped = await facts(dir);
    expect(zipped.err).not.toMatch(/not there|skipping/);
    expect({ ...zipped, err: '' }).toEqual({ ...plain, err: '' });
    const glob = await facts(join(snaps, '*.gz'));
    expect([glob.labels, glob.times]).toEqual([plain.labels, plain.times]);
    expect(glob.err).not.toMatch(/skipping/);
    // Its allocator reports pair with the gzipped dumps as with the plain ones (none paired: gate passed).
    const real = async (d: string) =>
      (JSON.parse((await cli('replay', d, '--json')).out) as { captures: { real: unknown }[] }).captures.map(
        (c) => c.real,
      );
    // `gzip -k`: each dump beside its copy is read once (twice, the series held two exit captures).
    const kept = copy('gzip-k');
    const keptSnaps = join(kept, 'snapshots');
    for (const f of readdirSync(keptSnaps).filter((x) => x.endsWith('.pickle')))
      writeFileSync(join(keptSnaps, `${f}.gz`), gzipSync(readFileSync(join(keptSnaps, f))));
    const both = await facts(keptSnaps);
    expect([both.labels, both.sites]).toEqual([plain.labels, plain.sites]);
    expect(both.err).toMatch(
      /skipping .*0001\.pickle\.gz and \d+ more: the same capture as the file beside it without \.gz/,
    );
    // However they are named: two globs, one for each, one of them through a link to the folder.
    const globs = await facts(join(keptSnaps, '*.pickle'), join(keptSnaps, '*.gz'));
    expect([globs.labels, globs.sites]).toEqual([plain.labels, plain.sites]);
    const link = join(tmp, 'latest');
    symlinkSync(kept, link);
    const linked = await facts(join(link, 'snapshots', '*.pickle'), join(keptSnaps, '*.gz'));
    expect([linked.labels, linked.sites]).toEqual([plain.labels, plain.sites]);
    const paired = await real(RUN);
    expect(paired.every((x) => x !== null)).toBe(true);
    expect(await real(dir)).toEqual(paired);
  });
  // `gzip -r` of the whole folder: its manifest too was not found, the folder was read as a plain one
  // (snapshots/ skipped as a folder) and leaks judged memory.dat alone, exit 0.
  it('gzipped whole (gzip -r: manifest, events, sidecars, reports) is the same run', async () => {
    const whole = copy('gzip-r');
    const gzipAll = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) gzipAll(p);
        else {
          writeFileSync(`${p}.gz`, gzipSync(readFileSync(p)));
          rmSync(p);
        }
      }
    };
    gzipAll(whole);
    const plain = await cli('leaks', '--json', RUN);
    const zipped = await cli('leaks', '--json', whole);
    expect(zipped.err).not.toMatch(/not there|skipping/);
    const sitesOf = (out: string) => leakResultsOf(JSON.parse(out)).map((x) => [x.kind, x.labels, x.sites]);
    expect(sitesOf(zipped.out)).toEqual(sitesOf(plain.out));
    const real = async (d: string) =>
      (JSON.parse((await cli('replay', d, '--json')).out) as { captures: { real: unknown }[] }).captures.map(
        (c) => c.real,
      );
    expect(await real(whole)).toEqual(await real(RUN));
    // Its snapshots/ folder given alone: the gzipped sidecars are its captures', not unknown files.
    expect((await cli('leaks', join(whole, 'snapshots'))).err).not.toMatch(/skipping/);
    // A run without its manifest: its captures.jsonl.gz is read as its captures.jsonl.
    rmSync(join(whole, 'manifest.json.gz'));
    const events = await cli('leaks', '--json', whole);
    expect(events.err).toMatch(/no manifest\.json: read from captures\.jsonl, whose last record says the run ended/);
    expect(sitesOf(events.out).find((x) => x[0] === 'snapshots')).toEqual(
      sitesOf(plain.out).find((x) => x[0] === 'snapshots'),
    );
  });
});

describe('two runs given together', () => {
  // Their snapshots were joined into one series: a leak of one read "rose and fell back" at the other's
  // start, and the gate passed it.
  it('are refused by every command that judges a series, naming both; one run and its memory alone are read', async () => {
    for (const cmd of ['leaks', 'replay', 'report', 'gate']) {
      const r = await cli(cmd, RUN, 'fixtures/run-folder/main-locals', ...(cmd === 'report' ? ['-o', '-'] : []));
      expect([cmd, r.code, r.err]).toEqual([
        cmd,
        2,
        expect.stringMatching(
          /fixtures\/run-folder\/run and fixtures\/run-folder\/main-locals are two runs of `arenascope run`/,
        ),
      ]);
    }
    expect((await cli('leaks', 'fixtures/run-folder/main-locals', `${RUN}/memory.dat`)).code).toBe(0);
    // Given by their snapshots/ folders (or files), they are two runs all the same (the leak passed).
    for (const args of [
      [RUN, 'fixtures/run-folder/main-locals/snapshots'],
      [`${RUN}/snapshots`, 'fixtures/run-folder/main-locals/snapshots'],
      [`${RUN}/snapshots/*.pickle`, 'fixtures/run-folder/main-locals'],
    ]) {
      const r = await cli('gate', ...args);
      expect([args, r.code, r.err]).toEqual([args, 2, expect.stringContaining('are two runs of `arenascope run`')]);
    }
    // One run by its folder and its own snapshots/ folder is one run.
    expect((await cli('leaks', RUN, `${RUN}/snapshots`)).code).toBe(0);
    // Through a link to the other run's snapshots/ folder too (the leak passed).
    const link = join(tmp, 'other-snapshots');
    symlinkSync(join(process.cwd(), 'fixtures/run-folder/main-locals/snapshots'), link);
    const linked = await cli('gate', RUN, link);
    expect([linked.code, linked.err]).toEqual([2, expect.stringContaining('are two runs of `arenascope run`')]);
  });

  it("their snapshots copied into one folder under names of their own: refused by the runs' labels (h232)", async () => {
    // No run folder holds them now, and their names number one series: judged as one run, a leak of
    // one passed the gate beside the other's captures. Their .label sidecars say start ... exit twice.
    const joined = join(tmp, 'joined');
    mkdirSync(joined);
    for (const [run, prefix] of [
      [RUN, 'a'],
      ['fixtures/run-folder/main-locals', 'b'],
    ] as const) {
      for (const f of readdirSync(join(run, 'snapshots')))
        copyFileSync(join(run, 'snapshots', f), join(joined, `${prefix}-${f}`));
    }
    for (const cmd of ['leaks', 'gate']) {
      const r = await cli(cmd, joined);
      expect([cmd, r.code, r.err]).toEqual([
        cmd,
        2,
        expect.stringMatching(
          /a-0001\.pickle and .*b-0001\.pickle are both labelled 'start'.*two runs of `arenascope run` joined/,
        ),
      ]);
    }
    expect((await cli('leaks', joined, '--order', 'given')).code).toBe(0);
  });
});

describe('a run killed as it wrote the record of its last capture (h232)', () => {
  // captures.jsonl cut in the line of its last snapshot, no manifest: the snapshot, whole (its sidecars
  // are written after the dump), was skipped as "not recorded", and the gate passed the run's leak.
  it('reads the snapshot its sidecars say is whole, saying so', async () => {
    const cut = join(tmp, 'cut-record');
    cpSync(RUN, cut, { recursive: true });
    rmSync(join(cut, 'manifest.json'));
    const events = readFileSync(join(cut, 'captures.jsonl'), 'utf8').split('\n');
    const last = events.findIndex((l) => l.includes('"snapshots/0008.pickle"'));
    writeFileSync(join(cut, 'captures.jsonl'), `${events.slice(0, last).join('\n')}\n${events[last]!.slice(0, 40)}`);
    const [whole, read] = [await cli('leaks', RUN, '--json'), await cli('leaks', cut, '--json')];
    const labels = (out: string) => (JSON.parse(out) as { labels: string[] }[])[0]!.labels;
    expect(labels(read.out)).toEqual(labels(whole.out));
    expect(read.err).toMatch(/read .*cut-record\/snapshots\/0008\.pickle, which its captures\.jsonl does not record/);
  });
});

describe('a run folder missing a capture it names (h232)', () => {
  // Left out with a warning, a crashed run's 3 captures became 2, too few to judge a leak: the gate
  // passed. A gate (and a baseline) judges the run's whole series, or is told which captures to judge.
  it('is refused by gate and baseline, naming it; read by leaks with a warning; its files named are judged', async () => {
    const dir = join(tmp, 'missing-capture');
    cpSync(RUN, dir, { recursive: true });
    rmSync(join(dir, 'snapshots', '0004.pickle'));
    for (const cmd of ['gate', 'baseline']) {
      const r = await cli(cmd, dir, ...(cmd === 'baseline' ? ['-o', join(tmp, 'missing.json')] : []));
      expect([cmd, r.code, r.err]).toEqual([
        cmd,
        2,
        expect.stringContaining(`the run names ${dir}/snapshots/0004.pickle, which is not there (deleted since?)`),
      ]);
    }
    const leaks = await cli('leaks', dir);
    expect([leaks.code, leaks.err]).toEqual([0, expect.stringContaining('which is not there: left out')]);
    const named = await cli(
      'gate',
      ...readdirSync(join(dir, 'snapshots'))
        .filter((f) => f.endsWith('.pickle'))
        .map((f) => join(dir, 'snapshots', f)),
    );
    expect(named.code).not.toBe(2);
  });
});

describe('a finished run whose manifest.json was deleted (h232)', () => {
  // Read from captures.jsonl, it was "a run that did not finish", though its last record says it ended
  // (and how: a crash went unsaid).
  it('ends as its last record says', async () => {
    const lost = join(tmp, 'lost-manifest');
    cpSync(RUN, lost, { recursive: true });
    rmSync(join(lost, 'manifest.json'));
    const r = await cli('info', lost);
    expect(r.err).toContain(
      `${lost}: no manifest.json: read from captures.jsonl, whose last record says the run ended`,
    );
    expect(r.err).not.toContain('did not finish');
    expect(r.out).toMatch(/^run .*lost-manifest \(complete/m);
    // Its end record a crash's: said as a crashed run's manifest is.
    const crashed = join(tmp, 'lost-manifest-crash');
    cpSync(lost, crashed, { recursive: true });
    const events = readFileSync(join(crashed, 'captures.jsonl'), 'utf8').replace(
      /"kind": "end", "status": 0, "reason": "exit"/,
      '"kind": "end", "status": 1, "reason": "exception"',
    );
    writeFileSync(join(crashed, 'captures.jsonl'), events);
    const c = await cli('info', crashed);
    expect(c.err).toContain('the program crashed (an uncaught exception): the captures end where it stopped');
    expect(c.out).toMatch(/^run .*lost-manifest-crash \(crashed/m);
  });
});

describe("a run's snapshots/ folder given without its sidecars (h232)", () => {
  // Copied without its .time/.label/.peak files (an rsync that left them out), its snapshots/ folder
  // alone read as plain dumps: the exit capture judged as any other (a leak held by main() read as
  // given back, and the gate passed it). The run's manifest, one folder up, says what they are.
  it('is read with what the run recorded, as the whole folder is', async () => {
    const copy = join(tmp, 'bare-run');
    cpSync(RUN, copy, { recursive: true, filter: (p) => !/\.(time|label|peak)$/.test(p) });
    const labels = async (...args: string[]): Promise<string[]> => {
      const out = JSON.parse((await cli('leaks', ...args, '--json')).out) as
        | { labels: string[] }
        | { labels: string[] }[];
      return (Array.isArray(out) ? out[0]! : out).labels;
    };
    // Its labels, the exit capture left out as judged.
    const whole = await labels(RUN);
    expect([whole[0], whole.length]).toEqual(['start', 7]);
    for (const given of [
      join(copy, 'snapshots'),
      `${join(copy, 'snapshots')}/`,
      join(copy, 'snapshots', '0003.pickle'),
    ]) {
      const got = await labels(
        ...(given.endsWith('0003.pickle')
          ? readdirSync(join(copy, 'snapshots')).map((f) => join(copy, 'snapshots', f))
          : [given]),
      );
      expect([given, got]).toEqual([given, whole]);
    }
  });
});

describe('links in a run folder (h234)', () => {
  it('a file the manifest names that links out of the folder is refused; links within it, or to the folder, are read', async () => {
    const run = join(tmp, 'linked-run');
    cpSync(RUN, run, { recursive: true });
    const third = join(run, 'snapshots', '0003.pickle');
    // Another program's dump, linked in: read as this run's capture, unsaid.
    rmSync(third);
    symlinkSync(resolve('fixtures/dumps/py311-inventory-a.pickle'), third);
    const out = await cli('info', run);
    expect(out.err).toBe(
      `arenascope: ${join(run, 'manifest.json')}: $.files[2].path: expected a file inside the run folder, found "snapshots/0003.pickle", a link out of it\n`,
    );
    expect(out.code).toBe(2);
    // A link to the run's own copy of it, and the folder given by a link: read.
    rmSync(third);
    cpSync(join(RUN, 'snapshots', '0003.pickle'), join(run, 'kept-0003.pickle'));
    symlinkSync('../kept-0003.pickle', third);
    const via = join(tmp, 'linked-run-link');
    symlinkSync(run, via);
    for (const given of [run, via]) {
      const r = await cli('info', given);
      expect([given, r.code]).toEqual([given, 0]);
      expect(r.err).not.toContain('link out');
    }
  });
});

describe('a run folder without its records (h232)', () => {
  // manifest.json and captures.jsonl deleted (or left out of a copy): its snapshots/ was passed over as
  // a subfolder and its memory.dat alone judged, "stable", where its snapshots hold a leak at app.py:14.
  it('reads its snapshots/ and allocator/ with their sidecars, and answers as the whole run does', async () => {
    const bare = join(tmp, 'recordless-run');
    cpSync(RUN, bare, { recursive: true, filter: (p) => !/(manifest\.json|captures\.jsonl)$/.test(p) });
    const leaks = await cli('leaks', bare, '--json');
    expect(leaks.code).toBe(0);
    expect(leaks.err).toContain(
      `${bare}: no manifest.json or captures.jsonl (the records of \`arenascope run\`): its snapshots/ and allocator/ read as plain folders`,
    );
    expect(leaks.err).toContain(`leaving out the 8 allocator reports of ${join(bare, 'allocator')}`);
    expect(leaks.err).not.toContain('skipping');
    type Leaks = { labels: string[]; sites: { filename: string; lineno: number; verdict: string }[] };
    const sites = (out: string): Leaks => (JSON.parse(out) as Leaks[])[0]!;
    const [whole, read] = [sites((await cli('leaks', RUN, '--json')).out), sites(leaks.out)];
    expect(read.labels).toEqual(whole.labels);
    const leaking = (s: typeof read) =>
      s.sites.filter((x) => x.verdict === 'leak').map((x) => `${x.filename}:${x.lineno}`);
    expect(leaking(read)).toEqual(leaking(whole));
    expect(leaking(read).some((x) => x.endsWith('app.py:14'))).toBe(true);
    // The replay pairs its allocator reports with the same captures and gives the same figures.
    const figures = (out: string) =>
      out.split('\n').filter((l) => /^\S.*\s\d+\s+\d+\s+\d+/.test(l) || l.startsWith('Fragmented:'));
    const [r1, r2] = [await cli('replay', RUN), await cli('replay', bare)];
    expect(r2.code).toBe(0);
    expect(figures(r2.out)).toEqual(figures(r1.out));
    expect(figures(r2.out).length).toBeGreaterThan(8);
  });
});

describe("fragmentation of a run whose survivors are main()'s locals (fixtures/run-folder/make_frag_locals.py)", () => {
  // The real reports: 17 arenas at "later" for 5 needed; 6 at exit, once main() had returned. Judged at
  // exit, replay said "not fragmented" and the gate passed.
  it('is judged at the capture before exit by replay, report and gate, as the real report there says', async () => {
    const dir = 'fixtures/run-folder/frag-locals';
    const r = JSON.parse((await cli('replay', '--json', dir)).out) as {
      fragmented: { verdict: string; reason: string };
      captures: { label: string; real: { arenas: number } | null }[];
      assumptions: string[];
    };
    const real = r.captures.map((c) => c.real?.arenas ?? null);
    const later = r.captures.findIndex((c) => c.label === 'later');
    expect(real[later]!).toBeGreaterThan(2 * real[real.length - 1]!);
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.fragmented.reason).toContain(`holds ${real[later]} arenas`);
    expect(r.assumptions.join(' ')).toMatch(/judged at later, the capture before the run's exit capture/);
    const report = JSON.parse((await cli('report', '--format', 'json', dir)).out) as {
      summary: { fragmentation: string };
    };
    expect(report.summary.fragmentation).toBe('yes');
    const gate = await cli('gate', dir, '--max-fragmentation', '0.5');
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining(`of ${real[later]} arenas spare (real)`)]);
    // Its allocator reports alone say the same (they judged the exit report: passed).
    const alone = await cli('gate', `${dir}/allocator`, '--max-fragmentation', '0.5');
    expect([alone.code, alone.out]).toEqual([1, expect.stringContaining(`of ${real[later]} arenas spare`)]);
  });
});

describe('fragmentation made after the last checkpoint and kept by a global (fixtures/run-folder/frag-global)', () => {
  // Only the exit capture holds it (17 real arenas for 5 needed): judged before exit alone, replay said
  // "not fragmented" and the gate passed.
  it('is judged at the exit capture, the more fragmented, by replay, report and gate alike', async () => {
    const dir = 'fixtures/run-folder/frag-global';
    const r = JSON.parse((await cli('replay', '--json', dir)).out) as {
      fragmented: { verdict: string };
      captures: { label: string; real: { arenas: number } | null }[];
      assumptions: string[];
    };
    const exit = r.captures.at(-1)!;
    expect(exit.label).toBe('exit');
    expect(r.fragmented.verdict).toBe('yes');
    expect(r.assumptions.join(' ')).toContain("judged at the run's exit capture, more fragmented");
    const report = JSON.parse((await cli('report', '--format', 'json', dir)).out) as {
      summary: { fragmentation: string };
    };
    expect(report.summary.fragmentation).toBe('yes');
    const gate = await cli('gate', dir, '--max-fragmentation', '0.5');
    expect([gate.code, gate.out]).toEqual([1, expect.stringContaining(`of ${exit.real!.arenas} arenas spare (real)`)]);
    // Its allocator reports alone say the same.
    const alone = await cli('gate', `${dir}/allocator`, '--max-fragmentation', '0.5');
    expect(alone.code).toBe(1);
  });
});

describe('fragmentation at both moments (fixtures/run-folder/frag-both)', () => {
  // Spare arenas at the last checkpoint, more at exit: the run chose by verdict, its reports alone by
  // share, and a limit between the two shares passed one and failed the other.
  it('the run and its allocator reports alone measure the same capture, whatever the limit', async () => {
    const dir = 'fixtures/run-folder/frag-both';
    const measured = async (...args: string[]) => {
      const g = JSON.parse((await cli('gate', '--json', ...args)).out) as {
        checks: { check: string; measured: number; passed: boolean }[];
      };
      return g.checks.find((c) => c.check === 'max-fragmentation')!;
    };
    for (const limit of ['0.5', '0.7', '0.8']) {
      const run = await measured(dir, '--max-fragmentation', limit);
      const alone = await measured(`${dir}/allocator`, '--max-fragmentation', limit);
      expect([limit, run.measured, run.passed]).toEqual([limit, alone.measured, alone.passed]);
    }
  });
});

describe('a run of CPython 3.9 (fixtures/run-folder/frag-locals-py39)', () => {
  // Modelled as 3.11 without its allocator reports, its arenas were counted in 1 MiB where 3.9's are
  // 256 KiB: "1 of 3 arenas spare" for "1 of 6".
  it("is modelled with 3.9's pymalloc, with or without its allocator reports, by replay, report and gate alike", async () => {
    const src = 'fixtures/run-folder/frag-locals-py39';
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-py39-'));
    cpSync(src, dir, { recursive: true });
    // The same run as `arenascope run` without --allocator writes it: no reports.
    rmSync(join(dir, 'allocator'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.python.version).toBe('3.9.18');
    manifest.options.allocator = false;
    manifest.files = manifest.files.filter((f: { kind: string }) => f.kind !== 'allocator-stats');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    for (const input of [src, dir]) {
      const r = JSON.parse((await cli('replay', '--json', input)).out) as { python: string; assumptions: string[] };
      expect(r.python).toBe('3.9');
      const report = JSON.parse((await cli('report', '--format', 'json', input)).out) as {
        snapshots: { replay: { python: string } };
      };
      expect(report.snapshots.replay.python).toBe('3.9');
    }
    const replay = await cli('replay', dir);
    expect(replay.out).toContain('pymalloc model of CPython 3.9 (256 KiB arenas, 4096 B pools)');
    expect(replay.err).not.toContain('not there');
    const fragmentation = async (...extra: string[]) =>
      (
        JSON.parse((await cli('gate', dir, '--max-fragmentation', '0.99', '--json', ...extra)).out) as GateResult
      ).checks.find((c) => c.check === 'max-fragmentation')!.message;
    expect(await fragmentation()).toBe(await fragmentation('--python', '3.9'));
    expect(await fragmentation()).not.toBe(await fragmentation('--python', '3.11'));
    rmSync(dir, { recursive: true });
  });
});

describe('a run folder holding a capture this user cannot read', () => {
  // Left out with a warning, a series one capture short passed a gate (exit 0): it is read, and
  // fails naming it, as in its snapshots/ folder read alone. Run as nobody (setpriv), which root's tests can.
  const asNobody = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
  it.runIf(asNobody)('fails naming it (exit 2), as its snapshots/ folder does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-locked-'));
    chmodSync(dir, 0o755);
    const run = join(dir, 'run');
    cpSync(RUN, run, { recursive: true });
    const locked = readdirSync(join(run, 'snapshots')).find((f) => f.endsWith('.pickle'))!;
    chmodSync(join(run, 'snapshots', locked), 0o000);
    const nobody = (...args: string[]) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], {
        encoding: 'utf8',
      });
    try {
      for (const input of [run, join(run, 'snapshots')]) {
        const r = nobody('leaks', input);
        expect([r.status, r.stderr], input).toEqual([
          2,
          expect.stringContaining(`${locked}: cannot read: permission denied`),
        ]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a run folder whose snapshot files are not the run's (two swapped: h202)", () => {
  // Read in the manifest's order, the swapped files made a leak a plateau. The manifest records
  // tracemalloc's peak as each capture was taken: a snapshot holding far more is not that capture.
  it("is refused naming the file, its traced memory and the run's peak; its snapshots/ folder reads the files as they are", async () => {
    const d = mkdtempSync(join(tmpdir(), 'arenascope-swapped-'));
    cpSync('fixtures/run-folder/parent-leak', d, { recursive: true });
    const [a, b] = ['0001.pickle', '0002.pickle'].map((n) => join(d, 'snapshots', n));
    const kept = readFileSync(a!);
    copyFileSync(b!, a!);
    writeFileSync(b!, kept);
    const [r, gate] = await Promise.all([cli('leaks', d), cli('gate', d)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /0001\.pickle: holds 2\d\.\d MiB of traced memory, where the run recorded tracemalloc's peak at this capture as 0\.0 MiB: not the snapshot the run wrote there/,
    );
    expect(gate.code).toBe(2);
    expect((await cli('info', join(d, 'snapshots'))).code).toBe(0);
    expect((await cli('leaks', 'fixtures/run-folder/parent-leak')).code).toBe(0);
  });
});
