// tracemalloc statistics printed in a log are a capture like a dump, within what they hold: each
// listing is a snapshot of its top N, a log of several listings (a service logging its top 10 at
// every checkpoint) is a series. Expected values: fixtures/text/make_logs.py, from the Statistic
// objects CPython computed for the real run of fixtures/leaks/memo_leak, and its '# truth: leak' lines.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSize } from '../../src/report/format-size.js';
import { cli } from '../helpers.js';

const LOG = 'fixtures/text/service.log';
type Stat = { frames: { filename: string; lineno: number }[]; size: number; count: number };
const expected = JSON.parse(readFileSync('fixtures/text/service.expected.json', 'utf8')) as {
  listings: Stat[][];
  leaks: { filename: string; lineno: number }[];
};
const dir = mkdtempSync(join(tmpdir(), 'arenascope-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (s: { filename: string; lineno: number }): string => `${s.filename}:${s.lineno}`;
const leakSites = (out: string): string[] =>
  (JSON.parse(out) as { sites: { filename: string; lineno: number; verdict: string }[] }).sites
    .filter((s) => s.verdict === 'leak')
    .map(key)
    .sort();

describe('tracemalloc statistics in a log', () => {
  it('stats prints the last listing: sites and counts as CPython computed them, sizes as printed', async () => {
    const r = await cli('stats', LOG, '--json');
    expect(r.code).toBe(0);
    const last = expected.listings[expected.listings.length - 1]!;
    const stats = (JSON.parse(r.out) as { stats: Stat[] }).stats;
    expect(stats.map((s) => [key(s.frames[0]!), s.count])).toEqual(last.map((s) => [key(s.frames[0]!), s.count]));
    expect(stats.map((s) => formatSize(s.size))).toEqual(last.map((s) => formatSize(s.size)));
    expect(r.err).toContain(`the log holds ${expected.listings.length} listings; this reads the last`);
    expect(r.err).toContain('sites a top N leaves out count as 0');
  });

  it('leaks over the listings finds the lines the program marks as leaking, and only them', async () => {
    const r = await cli('leaks', LOG, '--json');
    expect(r.code).toBe(0);
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
  });

  it('several logs form one series, in the order given', async () => {
    const lines = readFileSync(LOG, 'utf8').split('\n');
    const cut = lines.findIndex((l, i) => i > 0 && l.includes('INFO handled 4000 requests'));
    writeFileSync(join(dir, 'a.log'), `${lines.slice(0, cut).join('\n')}\n`);
    writeFileSync(join(dir, 'b.log'), lines.slice(cut).join('\n'));
    const r = await cli('leaks', join(dir, 'a.log'), join(dir, 'b.log'), '--json');
    expect(leakSites(r.out)).toEqual(expected.leaks.map(key).sort());
    expect((JSON.parse(r.out) as { captures: number }).captures).toBe(expected.listings.length);
  });

  it('report and gate say what leaks says; replay refuses a top N of average sizes', async () => {
    const report = await cli('report', LOG, '--format', 'text');
    expect(report.out).toContain(`leak suspects: ${expected.leaks.length}; fragmented: -`);
    const gate = await cli('gate', LOG);
    expect(gate.code).toBe(1);
    for (const site of expected.leaks) expect(gate.out).toContain(key(site));
    const replay = await cli('replay', LOG);
    expect(replay.code).toBe(2);
    expect(replay.err).toContain('cannot be replayed through the allocator');
  });
});

describe('sizes read from a listing', () => {
  // '62.5 KiB' over 372 blocks was read as 372 blocks of 171.9 B, summed to 63,999.99999999999 B, and
  // the JSON said so; sizes from the averages were fractions of bytes too (helper h147).
  it('are whole bytes in every JSON output', async () => {
    for (const args of [
      ['stats', 'fixtures/text/app.log', '--json'],
      ['report', 'fixtures/text/app.log', '--format', 'json'],
      ['report', 'fixtures/text/service.log', '--format', 'json'],
      ['leaks', 'fixtures/text/service.log', '--json'],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      const fractional = [...r.out.matchAll(/"(\w*(?:size|Size|Bytes))": (-?\d+\.\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
      expect(fractional, args.join(' ')).toEqual([]);
    }
    const stats = JSON.parse((await cli('stats', 'fixtures/text/app.log', '--json')).out) as {
      stats: { frames: { filename: string; lineno: number }[]; size: number }[];
    };
    const line = stats.stats.find((s) => s.frames[0]!.filename === '<frozen importlib._bootstrap_external>')!;
    expect(line.size).toBe(64000);
  });
});
