// The files commands write (cli/output.ts): '-' is stdout, at most one output goes there and none
// where stdout holds the result, and a file that cannot be written is an error naming it, exit 2
// (it was an internal error, and convert crashed with a stack trace and exit code 1, the gate's).

import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers.js';

const DUMP = join(import.meta.dirname, '..', '..', 'fixtures', 'dumps', 'py311-inventory-a.pickle');
const dir = mkdtempSync(join(tmpdir(), 'arenascope-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MISSING = join(dir, 'no-such-folder', 'out');

describe("'-' as an output", () => {
  it('report -o - prints the page; the other files are said on stderr', async () => {
    const json = join(dir, 'report.json');
    const r = await cli('report', DUMP, '-o', '-', '--json-out', json);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('<!doctype html>')).toBe(true);
    expect(r.out.trimEnd().endsWith('</html>')).toBe(true);
    expect(r.err).toBe(`arenascope: wrote ${json}\n`);
    expect(JSON.parse(readFileSync(json, 'utf8')).format).toBe('arenascope-report');
    expect(existsSync('-')).toBe(false);
  });

  it('report --json-out - prints the data beside a page written to a file', async () => {
    const page = join(dir, 'page.html');
    const r = await cli('report', DUMP, '--json-out', '-', '-o', page);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).format).toBe('arenascope-report');
    expect(r.err).toBe(`arenascope: wrote ${page}\n`);
  });

  // `report --json -o report.json` printed the JSON and wrote no file, exit 0 (h332 F1, h333 F4).
  it.each([
    [['--json'], 'json'],
    [['-f', 'markdown'], 'md'],
    [['-f', 'text'], 'txt'],
    [['-f', 'csv'], 'csv'],
  ])('report %j -o FILE writes the report there, as it prints it', async (flags, ext) => {
    const file = join(dir, `o.${ext}`);
    const printed = await cli('report', DUMP, ...flags);
    const r = await cli('report', DUMP, ...flags, '-o', file);
    expect([r.code, r.out, r.err]).toEqual([0, `wrote ${file}\n`, printed.err]);
    expect(readFileSync(file, 'utf8')).toBe(printed.out);
  });

  it('baseline -o - and convert -o - print what they would write', async () => {
    const b = await cli('baseline', DUMP, '-o', '-');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out).title).toBe('arenascope baseline');
    const c = await cli('convert', DUMP, '--to', 'csv', '-o', '-');
    expect(c.code).toBe(0);
    expect(c.out.split('\n')[0]).toBe('rank,filename,lineno,size,count,average,traceback');
  });

  it("reads stdin and writes stdout in one command line ('-' twice is not stdin twice)", () => {
    const r = spawnSync(process.execPath, [BIN, 'report', '-', '-o', '-'], {
      input: readFileSync(DUMP),
      encoding: 'utf8',
    });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.startsWith('<!doctype html>')).toBe(true);
  });

  it('a reader that leaves early (| head) ends the command quietly, exit 0 (it said "cannot write the output: EPIPE")', () => {
    const script = `"${process.execPath}" "${BIN}" report "${DUMP}" -o - | head -c 1 > /dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect([r.stdout, r.stderr]).toEqual(['0\n', '']);
  });

  it('is refused for two outputs, or where stdout holds the result, before anything is read', async () => {
    const two = await cli('report', DUMP, '-o', '-', '--markdown', '-');
    expect([two.code, two.err]).toEqual([
      2,
      'arenascope: -o - and --markdown -: stdout can hold one of them; name files\n',
    ]);
    const text = await cli('report', DUMP, '--format', 'json', '--json-out', '-');
    expect([text.code, text.err]).toEqual([
      2,
      'arenascope: --json-out -: stdout holds the report (--format json); name a file\n',
    ]);
    const gate = await cli('gate', DUMP, '--junit', '-');
    expect([gate.code, gate.err]).toEqual([2, "arenascope: --junit -: stdout holds the gate's summary; name a file\n"]);
  });
});

it('gate --config - says a config is a file (it printed a NUL byte as the name)', async () => {
  const r = await cli('gate', DUMP, '--config', '-');
  expect([r.code, r.err]).toEqual([2, 'arenascope: --config -: a config is read from a file; name one\n']);
});

describe('an output that would write over something', () => {
  it('report --json before the inputs, as "print JSON", never writes over the capture it takes as its value', async () => {
    const snap = join(dir, 'snap.pickle');
    copyFileSync(DUMP, snap);
    const before = readFileSync(snap);
    const r = await cli('report', '--json', snap, DUMP, '-o', join(dir, 'j.html'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--json ${snap}: it exists and is no report's JSON; --json prints JSON`);
    expect(readFileSync(snap).equals(before)).toBe(true);
  });

  it('an output that is one of the inputs, or a file two outputs name, is refused before anything is read', async () => {
    const snap = join(dir, 'input.pickle');
    copyFileSync(DUMP, snap);
    const over = await cli('report', snap, '-o', snap);
    expect([over.code, over.err]).toEqual([
      2,
      `arenascope: -o ${snap}: it is one of the inputs; name another file to write\n`,
    ]);
    const conv = await cli('convert', snap, '--to', 'json', '-o', snap);
    expect(conv.code).toBe(2);
    const same = join(dir, 'same.out');
    const twice = await cli('report', snap, '-o', same, '--markdown', same);
    expect([twice.code, twice.err]).toEqual([
      2,
      `arenascope: -o and --markdown both name ${same}: each would write over the other\n`,
    ]);
    expect(readFileSync(snap).equals(readFileSync(DUMP))).toBe(true);
  });

  it('nor by a link, another spelling, or as a capture in an input folder (each wrote over a dump)', async () => {
    const d = join(dir, 'links');
    mkdirSync(d);
    const snap = join(d, 'a.pickle');
    copyFileSync(DUMP, snap);
    symlinkSync('a.pickle', join(d, 'soft.pickle'));
    linkSync(snap, join(d, 'hard.pickle'));
    for (const out of ['soft.pickle', 'hard.pickle', 'sub/../a.pickle']) {
      const r = await cli('report', snap, '-o', join(d, out));
      expect([r.code, r.err]).toEqual([
        2,
        `arenascope: -o ${join(d, out)}: it is one of the inputs; name another file to write\n`,
      ]);
    }
    const inFolder = await cli('convert', d, '--to', 'json', '-o', snap);
    expect(inFolder.err).toContain(`-o ${snap}: it is a capture in the input folder ${d}; name another file to write`);
    // A page written into the folder it reads, again, is no capture: allowed.
    expect((await cli('report', d, '-o', join(d, 'report.html'))).code).toBe(0);
    expect((await cli('report', d, '-o', join(d, 'report.html'))).code).toBe(0);
    expect(readFileSync(snap).equals(readFileSync(DUMP))).toBe(true);
  });

  it("nor as a glob's match, a hard link of a folder's capture kept elsewhere, a gate's baseline or config", async () => {
    const d = join(dir, 'held');
    mkdirSync(join(d, 'caps'), { recursive: true });
    const snaps = ['a', 'b', 'c'].map((n) => join(d, 'caps', `${n}.pickle`));
    for (const s of snaps) copyFileSync(DUMP, s);
    const glob = await cli('report', join(d, 'caps', '*.pickle'), '-o', snaps[0]!);
    expect(glob.err).toContain(`-o ${snaps[0]}: it is a capture matched by the input ${join(d, 'caps', '*.pickle')};`);
    linkSync(snaps[1]!, join(d, 'hard.pickle'));
    const hard = await cli('report', join(d, 'caps'), '-o', join(d, 'hard.pickle'));
    expect(hard.err).toContain(`-o ${join(d, 'hard.pickle')}: it is a capture in the input folder ${join(d, 'caps')};`);
    const base = join(d, 'base.pickle');
    copyFileSync(DUMP, base);
    const junit = await cli('gate', snaps[2]!, '--baseline', base, '--junit', base);
    expect(junit.err).toContain(`--junit ${base}: it is one of the inputs;`);
    const config = join(d, 'config.json');
    writeFileSync(config, '{"maxLeaks": 1}');
    const md = await cli('gate', snaps[2]!, '--config', config, '--markdown', config);
    expect(md.err).toContain(`--markdown ${config}: it is one of the inputs;`);
    for (const r of [glob, hard, junit, md]) expect(r.code).toBe(2);
    for (const f of [...snaps, base]) expect(readFileSync(f).equals(readFileSync(DUMP))).toBe(true);
    expect(readFileSync(config, 'utf8')).toBe('{"maxLeaks": 1}');
  });

  it('nor the file or pipe stdout goes to (/dev/stdout, or the file of > out.html): "wrote ..." went into the page', () => {
    const page = join(dir, 'stdout.html');
    const r = spawnSync('sh', ['-c', `node "$0" report "$1" -o "$2" > "$2"`, BIN, DUMP, page], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([
      2,
      `arenascope: -o ${page}: it is where stdout goes, which says what was written; write -o - for stdout\n`,
    ]);
    const piped = spawnSync('sh', ['-c', `node "$0" gate "$1" --junit /dev/stdout | cat`, BIN, DUMP], {
      encoding: 'utf8',
    });
    expect(piped.stderr).toContain(
      '--junit /dev/stdout: it is where stdout goes, which says what was written; stdout holds',
    );
    // A device both may go to: still written.
    const devnull = spawnSync('sh', ['-c', `node "$0" report "$1" -o /dev/null > /dev/null`, BIN, DUMP]);
    expect(devnull.status).toBe(0);
  });

  it('an empty file name is refused (it said "its folder does not exist"; --junit \'\' wrote nothing, silently)', async () => {
    const r = await cli('report', DUMP, '-o', '');
    expect([r.code, r.err]).toEqual([2, "arenascope: -o '': an empty file name; name a file, or '-' for stdout\n"]);
    expect((await cli('gate', DUMP, '--junit', '')).err).toContain("--junit '': an empty file name");
  });
});

describe('an output that cannot be written', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'stdout on a full disk: an error and exit 2 (it exited 0, the output lost)',
    () => {
      const full = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [BIN, 'stats', DUMP], {
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
        });
        expect([r.status, r.stderr]).toEqual([
          2,
          'arenascope: cannot write the output: ENOSPC: no space left on device, write\n',
        ]);
      } finally {
        closeSync(full);
      }
    },
  );

  it.each([
    ['report', [DUMP, '-o', MISSING]],
    ['report', [DUMP, '-o', join(dir, 'p.html'), '--json-out', MISSING]],
    ['baseline', [DUMP, '-o', MISSING]],
    ['convert', [DUMP, '--to', 'json', '-o', MISSING]],
    ['gate', [DUMP, '--max-peak', '1GiB', '--junit', MISSING]],
    ['gate', [DUMP, '--max-peak', '1GiB', '--markdown', MISSING]],
  ])('%s %j: an error naming the file, exit 2', async (command, args) => {
    const r = await cli(command, ...args);
    expect(r.err).toBe(`arenascope: ${MISSING}: cannot write it: its folder does not exist\n`);
    expect(r.code).toBe(2);
  });

  it('a folder named as the file', async () => {
    const r = await cli('report', DUMP, '-o', dir);
    expect([r.code, r.err]).toEqual([2, `arenascope: ${dir}: cannot write it: it is a folder\n`]);
  });
});

it('convert of a run folder converts its snapshots, leaving out its other captures with a warning (it refused the folder for its memory.dat)', async () => {
  const out = join(dir, 'run.json');
  const r = await cli('convert', 'fixtures/run-folder/run', '--to', 'json', '-o', out);
  expect(r.code).toBe(0);
  expect(r.err).toContain('leaving out the mprof run of fixtures/run-folder/run: this command reads snapshots');
  expect(JSON.parse(readFileSync(out, 'utf8')).snapshots.length).toBe(8);
});

// A report written into the folder of its captures is read with them on the next run: the page's replay
// section shows the model's size-class table as sys._debugmallocstats() prints it, and it was taken for
// the real allocator's report (the gate judged the model by itself: "0 of 1 arenas spare (real)").
describe('arenascope reports beside their captures', () => {
  it('a page or a text report in the folder is passed over with a warning; named alone, refused', async () => {
    const caps = join(dir, 'caps');
    mkdirSync(caps);
    const LEAK = join(import.meta.dirname, '..', '..', 'fixtures', 'leaks', 'memo_leak');
    for (const k of [1, 2, 3, 4]) copyFileSync(join(LEAK, `snap-${k}.pickle`), join(caps, `snap-${k}.pickle`));
    expect((await cli('report', caps, '-o', join(caps, 'snap-4.html'))).code).toBe(0);
    const text = await cli('report', caps, '-f', 'text');
    writeFileSync(join(caps, 'report.txt'), text.out);
    const gate = await cli('gate', caps, '--max-fragmentation', '0', '--json');
    expect(gate.err).toContain(`skipping ${join(caps, 'snap-4.html')}: not a capture arenascope reads`);
    expect(gate.err).toContain(`skipping ${join(caps, 'report.txt')}: not a capture arenascope reads`);
    expect(gate.out).not.toContain('(real');
    // Saved by a browser (its mark on the first line), or behind an XML declaration: a page still.
    const page = readFileSync(join(caps, 'snap-4.html'), 'utf8');
    writeFileSync(join(caps, 'saved.html'), `<!-- saved from url=(0040)file:///tmp/report.html -->\n${page}`);
    writeFileSync(join(caps, 'x.html'), `<?xml version="1.0" encoding="UTF-8"?>\n${page}`);
    for (const [file, what] of [
      ['saved.html', 'an HTML page (an arenascope report?), not a capture'],
      ['x.html', 'an HTML page (an arenascope report?), not a capture'],
      ['snap-4.html', 'an HTML page (an arenascope report?), not a capture'],
      ['report.txt', "arenascope's text report, not a capture"],
    ]) {
      const r = await cli('info', join(caps, file!));
      expect([r.code, r.err]).toEqual([
        2,
        `arenascope: ${join(caps, file!)}: byte 0: ${what}: give the captures it was made from\n`,
      ]);
    }
  });
});
