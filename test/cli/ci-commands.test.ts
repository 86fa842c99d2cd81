// File names are data: one holding a line break and a CI runner's workflow command (GitHub Actions
// `::error …`, `##[…]`, Azure `##vso[…]`), or one mid-line, was printed raw, and the runner of the
// job took it for its own (fixtures/bad/ci-commands/make.py: CPython's dumps of such names).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';
import { ciCommandStream, jsonWithoutCiCommands, withoutCiCommands } from '../../src/util/ci-commands.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/bad/ci-commands';
const SNAPS = [1, 2, 3, 4, 5].map((k) => `${DIR}/snap-${k}.pickle`);

// What a runner takes for a command: a line, trimmed (.NET's whitespace, U+0085 among it), starting
// with `::`; `##[`, `##vso[` or TeamCity's `##teamcity[` anywhere in it (a lone CR ends a line too).
const commands = (out: string): string[] =>
  out.split(/\r\n|\r|\n/).filter((l) => /^[\s\u0085]*::/.test(l) || /##(\[|vso\[|teamcity\[)/i.test(l));

describe('workflow commands in file names', () => {
  it.each([
    ['stats', SNAPS[4]!],
    ['stats', '--format', 'csv', SNAPS[4]!],
    ['stats', '--json', SNAPS[4]!],
    ['diff', SNAPS[0]!, SNAPS[4]!],
    ['leaks', ...SNAPS],
    ['report', '--format', 'text', ...SNAPS],
    ['report', '--format', 'markdown', ...SNAPS],
    ['report', '-o', '-', ...SNAPS],
    ['gate', ...SNAPS],
    ['convert', '--to', 'csv', SNAPS[4]!],
    ['convert', '--to', 'json', SNAPS[4]!],
  ])('%s: no line of the output is a command', async (...args) => {
    const r = await cli(...args);
    expect(r.out).toContain('pwn.py'); // the name is printed, marked
    expect(commands(r.out)).toEqual([]);
    expect(commands(r.err)).toEqual([]);
  });

  it('gate --github prints its annotations, each one line with the names escaped, and no other command', async () => {
    const r = await cli('gate', '--github', ...SNAPS);
    expect(r.code).toBe(1);
    // The log renders ANSI escapes: a name's, in the annotations and the summary alike, is shown as its code.
    expect(r.out).not.toContain('\x1b');
    expect(r.out).toContain('\\x1b[31mred\\x1b[0m.py');
    const lines = commands(r.out);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^::(error|notice) (file=[^,\r\n]*,line=\d+,)?title=[^:\r\n]*::[^\r\n]*$/);
    // The name's own line break is escaped in the annotation, never a line of its own.
    expect(lines.some((l) => l.includes('a.py%0A%3A%3Aerror file=pwn.py'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('::error file=pwn.py'))).toEqual([]);
  });

  it('JSON on stdout holds the names exactly (its # written \\u0023): a baseline printed there is the one written to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-ci-json-'));
    const file = join(dir, 'base.json');
    expect((await cli('baseline', ...SNAPS, '-o', file)).code).toBe(0);
    const printed = await cli('baseline', ...SNAPS, '-o', '-');
    expect(commands(printed.out)).toEqual([]);
    expect(JSON.parse(printed.out)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    // Marked with ⏎, the names differed, and a gate against the printed baseline failed.
    writeFileSync(join(dir, 'printed.json'), printed.out);
    const gate = await cli('gate', ...SNAPS, '--baseline', join(dir, 'printed.json'), '--max-site-growth', '0');
    expect(gate.out).toMatch(/^PASS max-site-growth: largest site growth .* \+0 B/m);
    const stats = await cli('stats', '--json', SNAPS[4]!);
    const converted = await cli('convert', '--to', 'json', SNAPS[4]!);
    const names = (out: string) =>
      JSON.stringify(JSON.parse(out))
        .match(/[^"]*##vso\[[^"]*/g)
        ?.sort();
    expect(names(stats.out)).toEqual(names(converted.out));
    expect(names(stats.out)?.length).toBeGreaterThan(0);
    expect(jsonWithoutCiCommands('{"f": "a##vso[x]##[y]## z"}')).toBe('{"f": "a\\u0023#vso[x]\\u0023#[y]## z"}');
  });

  it('stdout that is a regular file (`> out.csv`) gets the text exactly, as a file named with -o does', async () => {
    let out = '';
    const io = { out: (s: string) => (out += s), err: () => undefined, outIsFile: true };
    expect(await runCli(['stats', '--format', 'csv', SNAPS[4]!], io)).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-ci-csv-'));
    expect((await cli('convert', '--to', 'csv', SNAPS[4]!, '-o', join(dir, 'c.csv'))).code).toBe(0);
    expect(out).toContain('##vso[');
    expect(out).toBe(readFileSync(join(dir, 'c.csv'), 'utf8'));
  });

  it('marks the commands and leaves every other text alone', () => {
    expect(withoutCiCommands('a.py\n::error x\n  ##vso[task]\r::notice y\n## heading')).toBe(
      'a.py\n\u23ce::error x\n  #\u23ce#vso[task]\r\u23ce::notice y\n## heading',
    );
    expect(withoutCiCommands('lib##[add-mask]x.py:2')).toBe('lib#\u23ce#[add-mask]x.py:2');
    expect(withoutCiCommands('a\n\u0085\t::error z')).toBe('a\n\u0085\t\u23ce::error z');
    expect(withoutCiCommands('x:: y ::z # a ## b [c]')).toBe('x:: y ::z # a ## b [c]');
    // A TeamCity service message forged the build's status (its runner reads them from stdout).
    expect(withoutCiCommands("x.py\n##teamcity[buildStatus status='SUCCESS']")).toBe(
      "x.py\n#\u23ce#teamcity[buildStatus status='SUCCESS']",
    );
  });

  it('marks what is written piece by piece, a command cut between two pieces too', () => {
    const out: string[] = [];
    const s = ciCommandStream((t) => out.push(t));
    for (const piece of ['a.py\n:', ':error x\n#', '#vso[t]\nend']) s.write(piece);
    s.close();
    expect(out.join('')).toBe('a.py\n\u23ce::error x\n#\u23ce#vso[t]\nend');
  });
});
