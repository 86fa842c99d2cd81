// One meaning per option across commands (issue 16, item 7): -n/--limit is a count everywhere, --json
// prints JSON, old spellings still read with a notice, numbers checked as typed, "did you mean",
// --version is arenascope's wherever it runs, and input errors name the flag that gets past them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers.js';

const DUMP = 'fixtures/dumps/py311-inventory-b.pickle';
const SERIES = 'fixtures/leaks/memo_leak';
const MPROF = 'fixtures/leaks/mprof/leak.dat';
const tmp = mkdtempSync(join(tmpdir(), 'arenascope-options-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('numbers are checked as typed', () => {
  it.each([
    [['stats', DUMP, '-n', 'abc'], '-n expects a whole number, got abc'],
    [['stats', DUMP, '--limit=abc'], '--limit expects a whole number, got abc'],
    [['diff', DUMP, DUMP, '--domain', 'x'], '--domain expects a whole number, got x'],
    [['leaks', SERIES, '-n', 'abc'], '-n expects a whole number, got abc'],
    [['leaks', SERIES, '--limit='], "-n expects a whole number, got ''"],
    [['leaks', MPROF, '--warmup', 'soon'], '--warmup expects a number, got soon'],
    [['leaks', MPROF, '--warmup', '-1'], '--warmup expects seconds, 0 or more, got -1'],
    [['replay', DUMP, '--seed', 'x'], '--seed expects a whole number, got x'],
    // Taken as a 32-bit integer: 1.5 was the seed 1, 2^32 + 1 was 1 too, Infinity was 0.
    [['replay', DUMP, '--seed', '1.5'], '--seed expects a whole number from -2147483648 to 2147483647, got 1.5'],
    [
      ['replay', DUMP, '--seed', '4294967297'],
      '--seed expects a whole number from -2147483648 to 2147483647, got 4294967297',
    ],
    [
      ['replay', DUMP, '--seed', 'Infinity'],
      '--seed expects a whole number from -2147483648 to 2147483647, got Infinity',
    ],
    [['leaks', MPROF, '--warmup', '0x10'], '--warmup expects a number in decimal digits, got 0x10'],
    [
      ['stats', DUMP, '--json', '--format', 'csv'],
      '--json and --format csv: --json is --format json; give one of them',
    ],
    [['replay', DUMP, '-n', 'abc'], '-n expects a whole number, got abc'],
    [['report', SERIES, '--format', 'text', '-n', 'abc'], '-n expects a whole number, got abc'],
    [['gate', SERIES, '--max-leaks', 'x'], '--max-leaks expects a whole number, got x'],
    [['gate', SERIES, '--max-leaks', '1.5'], '--max-leaks expects a whole number, got 1.5'],
    [['gate', SERIES, '--max-fragmentation', 'high'], '--max-fragmentation expects a number, got high'],
    [
      ['gate', SERIES, '--max-fragmentation', '50%'],
      '--max-fragmentation expects a number, got 50% (a ratio from 0 to 1: 0.5 for 50%)',
    ],
    [['info', DUMP, '-n', '0'], '--limit expects a whole number of at least 1, got 0'],
    [['stats', DUMP, '-n', '1.5'], '--limit expects a whole number, got 1.5'],
    // Read by yargs as 1000, 16, 7: written otherwise than in digits, said as typed.
    [['stats', DUMP, '-n', '1e3'], '-n expects a whole number in digits, got 1e3'],
    [['stats', DUMP, '--limit=0x10'], '--limit expects a whole number in digits, got 0x10'],
    [['stats', DUMP, '--domain', '0x7'], '--domain expects a whole number in digits, got 0x7'],
    // Above an unsigned int no trace can match (it matched nothing, unsaid); each flag named as given.
    [
      ['stats', DUMP, '--domain', '4294967296'],
      '--domain expects a whole number from 0 to 4294967295 (a tracemalloc domain), got 4294967296',
    ],
    [
      ['stats', DUMP, '--exclude-domain=-1'],
      '--exclude-domain expects a whole number from 0 to 4294967295 (a tracemalloc domain), got -1',
    ],
  ])('%j', async (args, message) => {
    const r = await cli(...args);
    expect([r.code, r.err.trim()]).toEqual([2, `arenascope: ${message}`]);
    expect(r.err).not.toContain('NaN');
  });
});

describe('an unknown option gets the nearest of the command', () => {
  it.each([
    [['stats', DUMP, '--limt', '3'], '--limt: did you mean --limit?'],
    [['leaks', SERIES, '--min-grwth', '1MiB'], '--min-grwth: did you mean --min-growth?'],
    [['report', SERIES, '--json-ot', 'x.json'], '--json-ot: did you mean --json-out?'],
    [['gate', SERIES, '--max-leak', '0'], '--max-leak: did you mean --max-leaks?'],
    // The start of one option alone (it got no hint: 3 letters were too far from 6).
    [['report', SERIES, '--out', 'x.html'], '--out: did you mean --output?'],
  ])('%j', async (args, hint) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Unknown argument: ${args[2]!.slice(2)} (${hint})`);
  });

  it('--no-X of a command without X is named as typed (it said "Unknown argument: source")', async () => {
    const r = await cli('replay', SERIES, '--no-source');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^arenascope: Unknown argument: --no-source \(--no-source: there is no --source to turn off\)\n/,
    );
    expect((await cli('leaks', SERIES, '--no-source')).code).toBe(0);
    const near = await cli('leaks', SERIES, '--no-keep-internal');
    expect(near.err).toContain(
      '--no-keep-internal: there is no --keep-internal to turn off; did you mean --no-keep-internals?',
    );
  });

  it('an unknown option before the only input: named, not "Not enough non-option arguments"', async () => {
    const r = await cli('stats', '--limt', DUMP);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^arenascope: Unknown argument: limt \(--limt: did you mean --limit\?\) \(it took \S+ for its value, and left no input\)\n/,
    );
  });

  it('says nothing more when no option is near', async () => {
    const r = await cli('stats', DUMP, '--frobnicate');
    expect(r.err).toMatch(/^arenascope: Unknown argument: frobnicate\n/);
  });
});

describe('-n/--limit is a count in every command that lists', () => {
  it('leaks -n 1 shows one leak and counts the rest', async () => {
    const r = await cli('leaks', SERIES, '-n', '1', '--no-source');
    expect(r.code).toBe(0);
    expect(r.out.match(/^ {2}leak {2}/gm)).toHaveLength(1);
    expect(r.out).toContain('  … 1 more (use --limit 2)');
    expect((await cli('leaks', SERIES, '--limit', '2', '--no-source')).out.match(/^ {2}leak {2}/gm)).toHaveLength(2);
  });

  it('report --format text -n 2 lists two top sites', async () => {
    const r = await cli('report', SERIES, '--format', 'text', '-n', '2');
    const top = r.out.slice(r.out.indexOf('top sites'));
    expect(top.split('\n').filter((l) => /^ {2}\S+:\d+: size=/.test(l))).toHaveLength(2);
    expect(top).toMatch(/… \d+ more \(use --limit \d+\)/);
  });
});

describe('a question the capture cannot answer is not answered as if it could', () => {
  it('leaks --warmup past the end of the run is an error, not a stable run', async () => {
    const r = await cli('leaks', MPROF, '--warmup', '100000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^arenascope: --warmup 100000 leaves \d of the \d+ samples of main to judge \(the run lasts [\d.]+ s; 3 or more are needed\)\n$/,
    );
  });

  it('leaks --memory-limit below a peak already reached says so', async () => {
    const r = await cli('leaks', MPROF, '--memory-limit', '1MiB');
    expect(r.code).toBe(0);
    expect(r.out).toContain('the peaks are already at the limit or over it');
    expect(r.out).not.toContain('reach the limit in');
  });
});

describe('old spellings still work for one version, with a notice', () => {
  it('leaks --limit SIZE is --memory-limit SIZE', async () => {
    const old = await cli('leaks', MPROF, '--limit', '2GiB');
    const now = await cli('leaks', MPROF, '--memory-limit', '2GiB');
    expect(old.code).toBe(0);
    expect(old.out).toBe(now.out);
    expect(now.out).toContain('the peaks reach the limit in');
    expect(old.err).toContain('warning: --limit 2GiB: a size given to --limit is deprecated; use --memory-limit 2GiB');
    expect(now.err).not.toContain('deprecated');
  });

  it('report --json FILE is --json-out FILE; --json alone prints the report data', async () => {
    const old = join(tmp, 'old.json');
    const r = await cli('report', SERIES, '-o', join(tmp, 'old.html'), '--json', old);
    expect(r.code).toBe(0);
    expect(r.err).toContain('deprecated; use --json-out');
    expect(JSON.parse(readFileSync(old, 'utf8')).format).toBe('arenascope-report');
    const printed = await cli('report', SERIES, '--json');
    expect(JSON.parse(printed.out).format).toBe('arenascope-report');
    expect(printed.err).not.toContain('deprecated');
  });

  it('report --baseline LABEL is --diff-from LABEL (--baseline is the gate reference run)', async () => {
    const label = 'fixtures/leaks/memo_leak/snap-3.pickle';
    const old = await cli('report', SERIES, '--format', 'json', '--baseline', label);
    const now = await cli('report', SERIES, '--format', 'json', '--diff-from', label);
    expect(old.err).toContain("report's --baseline is deprecated; use --diff-from");
    const diffOf = (out: string) => (JSON.parse(out) as { snapshots: { diff: unknown } }).snapshots.diff;
    expect(diffOf(old.out)).toEqual(diffOf(now.out));
    expect(diffOf(now.out)).not.toEqual(diffOf((await cli('report', SERIES, '--format', 'json')).out));
  });

  it('--diff-from a label no snapshot has: the error names --diff-from and the labels there are', async () => {
    const r = await cli('report', SERIES, '--format', 'json', '--diff-from', 'snap-50.pickle');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--diff-from snap-50.pickle is not one of the snapshots given');
    expect(r.err).toContain('fixtures/leaks/memo_leak/snap-1.pickle');
    expect(r.err).not.toContain('--baseline');
  });
});

// A folder's captures are labelled by their paths as given: the file's own name, which a user types,
// was refused (h317). Its name, or its path from elsewhere, names the one capture it ends.
describe('report --diff-from names a capture by its file name too', () => {
  const diffOf = async (...args: string[]) => {
    const r = await cli('report', SERIES, '--format', 'json', ...args);
    expect(r.code, r.err).toBe(0);
    return (JSON.parse(r.out) as { snapshots: { diff: { from: string } } }).snapshots.diff;
  };

  it('snap-3.pickle, ./ and absolute paths: the diff from fixtures/leaks/memo_leak/snap-3.pickle', async () => {
    const want = await diffOf('--diff-from', 'fixtures/leaks/memo_leak/snap-3.pickle');
    expect(want.from).toBe('fixtures/leaks/memo_leak/snap-3.pickle');
    for (const name of ['snap-3.pickle', 'memo_leak/snap-3.pickle', './fixtures/leaks/memo_leak/snap-3.pickle'])
      expect(await diffOf('--diff-from', name)).toEqual(want);
    expect(await diffOf('--diff-from', join(process.cwd(), 'fixtures/leaks/memo_leak/snap-3.pickle'))).toEqual(want);
  });

  it("a name that ends no label, or a part of a file's name, is refused", async () => {
    for (const name of ['nap-3.pickle', 'snap-3'])
      expect((await cli('report', SERIES, '--format', 'json', '--diff-from', name)).code).toBe(2);
  });

  // Another run's file of the same name is no capture given: it was taken for this run's (h320).
  it("another folder's file of the same name is refused, not taken for the capture of that name", () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-diff-from-'));
    for (const run of ['run1', 'run2']) cpSync(SERIES, join(dir, run), { recursive: true });
    const files = Array.from({ length: 9 }, (_, i) => `snap-${i + 1}.pickle`);
    for (const path of [join('..', 'run1', 'snap-3.pickle'), join(dir, 'run1', 'snap-3.pickle')]) {
      const r = spawnSync(process.execPath, [BIN, 'report', ...files, '--format', 'json', '--diff-from', path], {
        cwd: join(dir, 'run2'),
        encoding: 'utf8',
      });
      expect([r.status, r.stderr]).toEqual([
        2,
        expect.stringContaining(`--diff-from ${path} is not one of the snapshots given`),
      ]);
    }
    // Its own file by its path: that capture.
    const own = spawnSync(
      process.execPath,
      [BIN, 'report', ...files, '--format', 'json', '--diff-from', join(dir, 'run2', 'snap-3.pickle')],
      { cwd: join(dir, 'run2'), encoding: 'utf8' },
    );
    expect(own.status, own.stderr).toBe(0);
    expect((JSON.parse(own.stdout) as { snapshots: { diff: { from: string } } }).snapshots.diff.from).toBe(
      'snap-3.pickle',
    );
  });
});

describe('report writes every file it is asked for', () => {
  it('--format text --json-out FILE prints the text and writes the JSON', async () => {
    const file = join(tmp, 'text.json');
    const r = await cli('report', SERIES, '--format', 'text', '--json-out', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^arenascope report\n/);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('arenascope-report');
    expect(r.err).toContain(`wrote ${file}`);
  });
});

describe('--version', () => {
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  // From a folder whose own package.json says otherwise: yargs alone would print that one.
  const elsewhere = mkdtempSync(join(tmpdir(), 'arenascope-elsewhere-'));
  writeFileSync(join(elsewhere, 'package.json'), '{"name": "other", "version": "1.0.0"}');
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

  it.each([[['--version']], [['stats', '--version']], [['leaks', '--version']]])(
    'arenascope %j prints arenascope version from another folder',
    (args) => {
      const r = spawnSync('node', [BIN, ...args], { cwd: elsewhere, encoding: 'utf8' });
      expect([r.status, r.stdout.trim()]).toEqual([0, version]);
    },
  );
});

describe('input errors name the flag that gets past them', () => {
  it('a truncated dump: --allow-partial', async () => {
    const cut = join(tmp, 'cut.pickle');
    writeFileSync(cut, readFileSync(DUMP).subarray(0, 20000));
    const r = await cli('stats', cut);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/the data stops at byte 20000 .*\(--allow-partial reads what is there\)$/);
  });
});

describe('words yargs would misread', () => {
  it("after `--` every word is an input, even one that starts with '-' (they were dropped: leaks read 3 of 5)", async () => {
    const snaps = [1, 2, 3, 4, 5].map((k) => `${SERIES}/snap-${k}.pickle`);
    const r = await cli('leaks', ...snaps.slice(0, 3), '--', ...snaps.slice(3));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Leaks over 5 captures/);
    const dash = join(tmp, '-dash.pickle');
    writeFileSync(dash, readFileSync(DUMP));
    const s = await cli('stats', '-n', '1', '--', dash);
    expect([s.code, s.out.split('\n').length]).toEqual([0, 3]);
    // Not taken by a list option just before `--` (the gate passed with 2 of 9 captures).
    const listed = await cli('leaks', ...snaps.slice(0, 2), '--source-path', '/x', '--', ...snaps.slice(2));
    expect(listed.out).toMatch(/^Leaks over 5 captures/);
    const one = await cli('stats', '--include', '*inventory*', '--', DUMP, '-n', '1');
    expect(one.err).toContain('stats takes <dump>: too many inputs (every word after `--` is an input)');
    const extra = await cli('stats', DUMP, '--', DUMP);
    expect(extra.code).toBe(2);
    expect(extra.err).toContain('stats takes <dump>: too many inputs (every word after `--` is an input)');
  });

  it('an option that takes one value, given twice, is a usage error (--python twice was an internal error)', async () => {
    const r = await cli('replay', SERIES, '--python', '3.8', '--python', '3.11');
    expect([r.code, r.err]).toEqual([2, 'arenascope: --python is given 2 times (3.8, 3.11): it takes one value\n']);
    const title = await cli('report', SERIES, '-f', 'markdown', '--title', 'a', '--title', 'b');
    expect(title.code).toBe(2);
    // Lists and flags may be given again.
    expect((await cli('stats', DUMP, '--include', '*', '--include', '*.py', '--json', '--json')).code).toBe(0);
  });

  it("an empty number is refused, not read as 0; '-' as a value that names no input stays '-'", async () => {
    expect((await cli('stats', DUMP, '-n', '')).err).toBe("arenascope: -n expects a number, got ''\n");
    expect((await cli('stats', DUMP, '--limit=')).err).toBe("arenascope: --limit expects a number, got ''\n");
    const md = await cli('report', SERIES, '-f', 'markdown', '--title', '-');
    expect(md.out.split('\n')[0]).toBe('## -');
  });

  it("a value that starts with '-' and letters is no cluster of flags: `--ignore -hidden*.py` printed the help, exit 0", async () => {
    for (const [args, message] of [
      [
        ['gate', SERIES, '--max-leaks', '0', '--ignore', '-hidden*.py'],
        "-hidden*.py is not an option; a value that starts with '-' is written --ignore=-hidden*.py",
      ],
      [
        ['report', SERIES, '--title', '-nightly'],
        "-nightly is not an option; a value that starts with '-' is written --title=-nightly",
      ],
      [['stats', DUMP, '--exclude', '-*'], "-* is not an option; a value that starts with '-' is written --exclude=-*"],
      [
        ['stats', DUMP, '-hx'],
        "-hx is not an option; a value that starts with '-' is written after '=' (--option=-value), an input after `--`",
      ],
    ] as const) {
      const r = await cli(...args);
      expect([r.code, r.out, r.err]).toEqual([2, '', `arenascope: ${message}\n`]);
    }
    // A word that starts with a digit is no number unless it is one: `-2hooks*.py` printed the help too;
    // and --version after a command answered it (exit 0, nothing checked).
    for (const [args, message] of [
      [
        ['gate', SERIES, '--max-leaks', '0', '--ignore', '-2hooks*.py'],
        "-2hooks*.py is not an option; a value that starts with '-' is written --ignore=-2hooks*.py",
      ],
      [
        ['gate', SERIES, '--max-leaks', '0', '--version'],
        "--version goes alone (arenascope --version): given with gate's inputs or options, nothing would run",
      ],
    ] as const) {
      const r = await cli(...args);
      expect([r.code, r.out, r.err]).toEqual([2, '', `arenascope: ${message}\n`]);
    }
    // A value joined to its one-letter flag, a negative number, '-' and words after `--` are left alone.
    expect((await cli('stats', DUMP, '-n5')).code).toBe(0);
    expect((await cli('gate', SERIES, '--max-leaks=0', '--ignore=-hidden*.py')).out).toMatch(/^FAIL max-leaks/m);
    expect((await cli('stats', '--', '-missing.pickle')).err).toMatch(/-missing\.pickle: cannot read: no such file/);
  });

  it('report --json FILE with no input after it says the input was taken for the file to write', async () => {
    const r = await cli('report', '--json', 'fixtures/mprof/plain.dat');
    expect([r.code, r.err]).toEqual([
      2,
      'arenascope: report --json fixtures/mprof/plain.dat: --json before an input takes it for the JSON file to write (deprecated); print JSON with the input first (report fixtures/mprof/plain.dat --json) or --format json\n',
    ]);
  });

  it('gate --baseline B DIR: the list option took the input too, and the error says so (it said "got 0")', async () => {
    const r = await cli(
      'gate',
      '--baseline',
      'fixtures/gate/steady',
      'fixtures/gate/leaky',
      '--max-total-growth',
      '10%',
    );
    expect([r.code, r.err]).toEqual([
      2,
      'arenascope: --baseline took every word after it (fixtures/gate/steady fixtures/gate/leaky) and left no input: ' +
        'name the inputs first (arenascope gate fixtures/gate/leaky --baseline fixtures/gate/steady)\n',
    ]);
  });

  it('an option whose value is missing (`--max-leaks $N`, N unset) is a usage error: its check was dropped, exit 0', async () => {
    const cases: [string[], string][] = [
      [['--max-fragmentation'], '--max-fragmentation expects a number, and none follows it'],
      [['--max-leaks', '--max-peak', '1GiB'], '--max-leaks expects a number, and none follows it'],
      [['--config', ''], '--config expects a value, and none was given (an empty word: an unset variable?)'],
      [['--config'], '--config expects a value, and none follows it'],
      [['--ignore'], '--ignore expects a value, and none follows it'],
      [['--baseline', '--max-total-growth', '10%'], '--baseline expects a value, and none follows it'],
      [['--order'], '--order expects a value, and none follows it'],
      [['-f'], '-f expects a value, and none follows it'],
      [['--max-leaks', '0', '--max-leaks', '1'], '--max-leaks is given 2 times: it takes one value'],
      [['--baseline', ''], '--baseline expects a value, and none was given (an empty word: an unset variable?)'],
      [
        ['--max-peak-growth', '-5%'],
        "--max-peak-growth -5%: a value that starts with '-' is read as options; write --max-peak-growth=-5%",
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli('gate', SERIES, ...args);
      expect([r.code, r.err.split('\n')[0]]).toEqual([2, `arenascope: ${message}`]);
    }
    // yargs' own "Not enough arguments following" was an internal error (exit 3).
    const bare = await cli('replay', SERIES, '--allocator-stats');
    expect([bare.code, bare.err.split('\n')[0]]).toEqual([
      2,
      'arenascope: --allocator-stats expects a value, and none follows it',
    ]);
    // `--include=` kept every trace; `-o` last took the default file; `--no-baseline` was an internal error.
    for (const [args, message] of [
      [['stats', DUMP, '--include='], "--include expects a value, got ''"],
      [['report', SERIES, '-o'], '-o expects a value, and none follows it'],
      [
        ['gate', SERIES, '--no-baseline'],
        '--no-baseline: --baseline takes a value; there is nothing to turn off (leave it out)',
      ],
    ] as const) {
      const r = await cli(...args);
      expect([r.code, r.err]).toEqual([2, `arenascope: ${message}\n`]);
    }
    // A list with no value kept every trace (`--include` last); '-' is a value (stdout).
    const include = await cli('stats', DUMP, '--include');
    expect([include.code, include.err]).toEqual([2, 'arenascope: --include expects a value, and none follows it\n']);
    expect((await cli('report', SERIES, '--json-out', '-', '-o', join(tmp, 'stdout-json.html'))).code).toBe(0);
    // A negative number is still a value.
    expect((await cli('gate', SERIES, '--max-leaks', '-1')).err).toBe(
      'arenascope: --max-leaks expects a whole number, got -1\n',
    );
  });
});

it('report --diff-from a label several captures share is refused (it took the first, silently)', async () => {
  const d = join(tmp, 'labels');
  mkdirSync(d);
  for (const k of [1, 2, 3]) {
    writeFileSync(join(d, `snap-${k}.pickle`), readFileSync(`${SERIES}/snap-${k}.pickle`));
    writeFileSync(join(d, `snap-${k}.pickle.label`), k === 1 ? 'start\n' : 'interval\n');
  }
  const r = await cli('report', d, '--format', 'json', '--diff-from', 'interval');
  expect([r.code, r.err]).toEqual([
    2,
    "arenascope: --diff-from interval: 2 captures have that label (captures 2, 3); name one that only one has (a file's path, or a .label sidecar)\n",
  ]);
  expect((await cli('report', d, '--format', 'json', '--diff-from', 'start')).code).toBe(0);
});

describe('filters given before the inputs', () => {
  // Each filter takes one value each time (nargs 1): taking every word up to the next option,
  // `stats --include '*src*' app.pickle` took the dump for a second pattern ("Not enough non-option
  // arguments: got 0"), and `diff a --exclude '<frozen*' b` took b.
  it('take one value each, and read as they do after the inputs', async () => {
    const B = 'fixtures/dumps/py311-inventory-a.pickle';
    const same = async (before: string[], after: string[]) => {
      const [x, y] = [await cli(...before), await cli(...after)];
      expect([x.code, x.out, x.err]).toEqual([0, y.out, y.err]);
      expect(x.out).not.toBe('');
    };
    await same(['stats', '--include', '*inventory*', DUMP], ['stats', DUMP, '--include', '*inventory*']);
    await same(
      ['stats', '--include', '*inventory*', '--include', '*json*', DUMP],
      ['stats', DUMP, '--include', '*inventory*', '--include', '*json*'],
    );
    await same(['stats', '--domain', '0', DUMP], ['stats', DUMP, '--domain', '0']);
    await same(['diff', DUMP, '--exclude', '<frozen*', B], ['diff', DUMP, B, '--exclude', '<frozen*']);
    await same(
      ['stats', '--exclude-domain', '1', DUMP, '-n', '3'],
      ['stats', DUMP, '-n', '3', '--exclude-domain', '1'],
    );
  });

  it("a word after a filter's value is said to have been read as an input", async () => {
    // "Unknown argument: app.pickle" said nothing of why (`--include a b app.pickle`: b was the input).
    const r = await cli('stats', '--include', 'a', 'b', DUMP);
    expect([r.code, r.err.split('\n')[0]]).toEqual([
      2,
      `arenascope: Unknown argument: ${DUMP} (--include takes one value each time, and b after it was read as an ` +
        'input: write --include b to give another (a glob the shell expanded? quote it))',
    ]);
  });

  it("but gate's --ignore takes every word up to the next option (a glob the shell expanded)", async () => {
    // `gate cur --ignore old/*` unquoted: one value each, old/run2 became the series' last capture.
    const g = await cli(
      'gate',
      SERIES,
      '--ignore',
      'fixtures/leaks/memo_leak/snap-1.pickle',
      'fixtures/dumps/py311-empty.pickle',
    );
    expect(g.err).not.toContain('py311-empty');
    expect([g.code, g.out]).toEqual([1, (await cli('gate', SERIES)).out]);
  });
});
