// Every command on a capture folder of `arenascope run` (fixtures/run-folder/run, made by
// make_run_folder.py from real tracemalloc dumps, RSS and sys._debugmallocstats()): labels, the per-test
// table, the gate's test limits, and the same verdicts from leaks, replay, report and gate.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gateCheck, leakResultsOf, replayFacts, reportReplayFacts, siteFacts } from '../agreement-facts.js';
import { cli } from '../helpers.js';

const RUN = 'fixtures/run-folder/run';
// What Python said when it made the folder: the planted leak's line, the test over its limit_memory.
const truth = JSON.parse(readFileSync('fixtures/run-folder/truth.json', 'utf8')) as {
  leakLine: number;
  leakFile: string;
  violating: string[];
};
const LABELS = ['start', 'after batch 1', 'after batch 2', 'after batch 3'];

const tmp = mkdtempSync(join(tmpdir(), 'arenascope-run-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the fixture folder whose manifest `edit` changes. */
function copyWith(name: string, edit: (m: Record<string, unknown>) => void): string {
  const dir = join(tmp, name);
  cpSync(RUN, dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}

const json = (r: { out: string }): unknown => JSON.parse(r.out);

describe('commands on a run folder', () => {
  it('leaks finds the planted leak at its line, labels the captures, warns of no folder file', async () => {
    const r = await cli('leaks', RUN, '--json');
    expect(r.code).toBe(0);
    const series = leakResultsOf(json(r)).find((x) => x.kind === 'snapshots')!;
    expect(series.labels).toEqual(expect.arrayContaining([...LABELS, 'tests/test_app.py::test_big', 'exit']));
    const site = siteFacts(series).get(`${truth.leakFile}:${truth.leakLine}`);
    expect(site?.verdict).toBe('leak');
    // The sidecars, events and the allocator run's output are the folder's own; its reports are one line.
    expect(r.err).not.toMatch(/skipping|\.label|\.jsonl|output\.txt/);
    expect(r.err.match(/leaving out/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('replay pairs the allocator reports as the run recorded and shows each capture by its label', async () => {
    const r = await cli('replay', RUN, '--json');
    expect(r.code).toBe(0);
    const out = json(r) as { captures: { label: string; real: unknown }[] };
    expect(out.captures.map((c) => c.label).slice(0, 4)).toEqual(LABELS.slice(0, 4));
    // The reports were taken at the checkpoints: the tests' captures have none.
    const real = out.captures.map((c) => c.real !== null);
    expect(real).toEqual(out.captures.map((c) => !c.label.startsWith('tests/')));
    expect(r.err).toMatch(/paired as the run recorded/);
    expect(r.err).toMatch(/no allocator report for tests\/test_app\.py::test_small/);
  });

  it('report writes the per-test table in every output and the labels in the page', async () => {
    const html = join(tmp, 'r.html');
    const data = join(tmp, 'r.json');
    const md = join(tmp, 'r.md');
    const r = await cli('report', RUN, '-o', html, '--json', data, '--markdown', md);
    expect(r.code).toBe(0);
    const d = JSON.parse(readFileSync(data, 'utf8'));
    expect(d.runs[0].status).toBe('complete');
    expect(d.runs[0].tests.map((t: { nodeid: string }) => t.nodeid)).toEqual([
      'tests/test_app.py::test_small',
      'tests/test_app.py::test_big',
    ]);
    expect(d.snapshots.labels[0]).toBe('start');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section id="tests"');
    expect(page).toContain('tests/test_app.py::test_big');
    expect(page).toContain('after batch 3');
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toMatch(/### Tests/);
    expect(markdown).toMatch(
      /\| tests\/test_app\.py::test_big \| failed \| .* \| limit_memory 1024 KiB \| limit_memory \|/,
    );
    const text = await cli('report', RUN, '--format', 'text');
    expect(text.out).toMatch(/tests\/test_app\.py::test_big {2}failed; peak .*over limit_memory/);
  });

  it('info shows the run, its tests and each capture label', async () => {
    const t = await cli('info', RUN);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^run fixtures\/run-folder\/run \(complete, Python 3\.\d+\.\d+\): python3 app\.py; 2 tests/);
    expect(t.out).toMatch(/label +after batch 1/);
    expect(t.err).toBe('');
    const j = json(await cli('info', RUN, '--json')) as {
      runs: { tests: unknown[] }[];
      captures: { label?: string }[];
    };
    expect(j.runs[0]!.tests).toHaveLength(2);
    expect(j.captures[0]!.label).toBe('start');
  });
});

describe('the gate on a run folder', () => {
  it('fails the test-limits check for the test over its limit_memory, in every output', async () => {
    const junit = join(tmp, 'gate.xml');
    const md = join(tmp, 'gate.md');
    const r = await cli('gate', RUN, '--json', '--junit', junit, '--markdown', md);
    expect(r.code).toBe(1);
    const check = gateCheck(json(r), 'test-limits')!;
    expect(check.passed).toBe(false);
    expect(check.measured).toBe(truth.violating.length);
    expect(check.message).toContain(`${truth.violating[0]}: peak`);
    expect(readFileSync(junit, 'utf8')).toMatch(/name="test-limits".*<failure/s);
    expect(readFileSync(md, 'utf8')).toContain('test-limits');
    const gh = await cli('gate', RUN, '--github');
    expect(gh.code).toBe(1);
    expect(gh.out).toMatch(/::error file=[^,]+,line=\d+,title=arenascope test-limits::.*test_big/);
    expect(gh.out).toMatch(/FAIL test-limits: 1 of 2 tests over their limit markers/);
  });

  it('passes it when no test violated a marker, and says so when the folder has no tests', async () => {
    const fine = copyWith('fine', (m) => {
      for (const t of m.tests as { violations: string[]; outcome: string }[]) {
        t.violations = [];
        t.outcome = 'passed';
      }
    });
    const ok = gateCheck(json(await cli('gate', fine, '--json')), 'test-limits')!;
    expect(ok.passed).toBe(true);
    expect(ok.message).toBe('2 tests, 2 with limit markers, none over its limits');
    const none = copyWith('no-tests', (m) => {
      m.tests = [];
    });
    const r = await cli('gate', none, '--json');
    const c = gateCheck(json(r), 'test-limits')!;
    expect(c.passed).toBe(true);
    expect(c.message).toMatch(/^no tests in /);
  });

  it('baseline DIR writes a baseline the gate reads; the test limits still fail against it', async () => {
    const base = join(tmp, 'base.json');
    expect((await cli('baseline', RUN, '-o', base)).code).toBe(0);
    const r = await cli('gate', RUN, '--baseline', base, '--max-total-growth', '10%', '--json');
    expect(r.code).toBe(1);
    const checks = (json(r) as { checks: { check: string; passed: boolean }[] }).checks;
    expect(checks.find((c) => c.check === 'max-total-growth')?.passed).toBe(true);
    expect(checks.find((c) => c.check === 'test-limits')?.passed).toBe(false);
  });
});

describe('leaks, replay, report and gate agree on the folder', () => {
  it('the same leaks and the same fragmentation verdict', async () => {
    const leaks = siteFacts(leakResultsOf(json(await cli('leaks', RUN, '--json'))).find((x) => x.kind === 'snapshots'));
    const out = join(tmp, 'agree.json');
    await cli('report', RUN, '-o', join(tmp, 'agree.html'), '--json', out);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const fromReport = siteFacts(report.snapshots.leaks);
    const leaking = (m: Map<string, { verdict: string }>) =>
      [...m].filter(([, f]) => f.verdict === 'leak').map(([k]) => k);
    expect(leaking(fromReport)).toEqual(leaking(leaks));
    expect(report.summary.leakSuspects).toBe(leaking(leaks).length);
    const gate = gateCheck(json(await cli('gate', RUN, '--json', '--min-leak-confidence', '0')), 'max-leaks')!;
    expect(gate.measured).toBe(leaking(leaks).length);
    const replay = replayFacts(json(await cli('replay', RUN, '--json')));
    const reportReplay = reportReplayFacts(report.snapshots.replay);
    expect(reportReplay.verdict).toBe(replay.verdict);
    expect(report.summary.fragmentation).toBe(replay.verdict);
  });
});
