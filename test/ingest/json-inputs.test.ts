// Every JSON input against its published schema: baselines (report.json), the gate's config, and
// arenascope's snapshot JSON, read in a stream. Each bug a fuzz campaign found is a case here; a
// problem is one short line naming the file and the JSON path or byte, exit 2, never a crash (3).
// Python's jsonschema, when installed, judges the published schemas independently.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntaxError } from '../../src/ingest/json-file.js';
import { jsonExcerpt, schemaProblem } from '../../src/ingest/json-schema.js';
import { BIN, type CliResult, cli } from '../helpers.js';

const G = 'fixtures/gate';
const dir = mkdtempSync(join(tmpdir(), 'arenascope-json-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The one line a failed command prints: exit 2, short, naming the file. */
function inputError(r: CliResult, path: string): string {
  expect(r.code, r.err).toBe(2);
  expect(r.err.endsWith('\n') && r.err.indexOf('\n') === r.err.length - 1, r.err).toBe(true);
  expect(r.err.length - path.length, r.err).toBeLessThanOrEqual(300);
  expect(r.err.startsWith(`arenascope: ${path}: `), r.err).toBe(true);
  return r.err.slice(`arenascope: ${path}: `.length, -1);
}

type Report = Record<string, unknown> & { snapshots: Record<string, unknown> & { topSites: { frames: unknown[] }[] } };
let baseline: Report;
let baselineText: string;
let reportJson: string;

beforeAll(async () => {
  const b = join(dir, 'memory-baseline.json');
  expect((await cli('baseline', `${G}/steady`, '-o', b)).code).toBe(0);
  baselineText = readFileSync(b, 'utf8');
  baseline = JSON.parse(baselineText) as Report;
  reportJson = join(dir, 'report.json');
  const inputs = [`${G}/steady`, 'fixtures/leaks/mprof/leak.dat', 'fixtures/mprof/report-p1.txt'];
  const r = await cli('report', ...inputs, '-o', join(dir, 'r.html'), '--json', reportJson);
  expect(r.code).toBe(0);
});

/** The baseline written in beforeAll, changed by `edit`, as a file. */
function editedBaseline(name: string, edit: (d: Report) => void): string {
  const d = JSON.parse(baselineText) as Report;
  edit(d);
  return file(name, JSON.stringify(d, null, 2));
}

const gate = (base: string, ...flags: string[]) =>
  cli(
    'gate',
    `${G}/steady2`,
    '--baseline',
    base,
    ...(flags.includes('--max-total-growth') ? [] : ['--max-total-growth', '10%']),
    ...flags,
  );

describe('baseline report.json: checked against schema/arenascope-report.schema.json', () => {
  it('a top site with empty frames: the path, not an internal error', async () => {
    const f = editedBaseline('empty-frames.json', (d) => {
      d.snapshots.topSites[3]!.frames = [];
    });
    expect(inputError(await gate(f, '--max-site-growth', '1MiB'), f)).toBe(
      '/snapshots/topSites/3/frames: must NOT have fewer than 1 items, found []',
    );
  });

  it('gzipped, it is read as it is plain; cut short, the error says so', async () => {
    const plain = file('plain-baseline.json', baselineText);
    const gz = join(dir, 'gz-baseline.json.gz');
    writeFileSync(gz, gzipSync(baselineText));
    const [a, b] = [await gate(plain, '--json'), await gate(gz, '--json')];
    expect(b.code).toBe(a.code);
    expect(JSON.parse(b.out).checks).toEqual(JSON.parse(a.out).checks);
    const cut = join(dir, 'cut-baseline.json.gz');
    writeFileSync(cut, gzipSync(baselineText).subarray(0, 2000));
    // Where it stops, as a capture cut short says it (fuzz seed 63: no place).
    expect(inputError(await gate(cut), cut)).toBe(
      'byte 2000 of the compressed file: cut short: the gzip stream ends before its end',
    );
  });

  it('a line given twice, or a relative root: the path and what a baseline holds', async () => {
    const twice = editedBaseline('line-twice.json', (d) => {
      d.snapshots.topSites.push(d.snapshots.topSites[1]!);
    });
    const n = JSON.parse(readFileSync(twice, 'utf8')).snapshots.topSites.length - 1;
    expect(inputError(await gate(twice, '--max-site-growth', '1MiB'), twice)).toMatch(
      new RegExp(`^/snapshots/topSites/${n}: ".*":\\d+ is given twice \\(first at /snapshots/topSites/1\\)`),
    );
    const relative = editedBaseline('relative-root.json', (d) => {
      d.root = 'checkout';
    });
    expect(inputError(await gate(relative), relative)).toBe('/root: expected an absolute path, found "checkout"');
  });

  it('snapshots without totals, with --max-peak-growth', async () => {
    const f = editedBaseline('no-totals.json', (d) => {
      delete d.snapshots.totals;
    });
    expect(inputError(await gate(f, '--max-peak-growth', '5%'), f)).toBe('/snapshots: missing "totals"');
  });

  it('without its memory or its line reports, with --max-peak-growth: refused, not an internal error (fuzz finding)', async () => {
    for (const key of ['memory', 'lineReports'] as const) {
      const f = editedBaseline(`no-${key}.json`, (d) => {
        delete d[key];
      });
      expect(inputError(await gate(f, '--max-peak-growth', '5%'), f)).toBe(`missing "${key}"`);
    }
  });

  it('100,000-deep nesting in "kinds": refused before parsing, at the byte where it goes too deep', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text = baselineText.replace(/"formats": \[[^\]]*\]/, `"kinds": ${deep}`);
    const f = file('deep-kinds.json', text);
    // The report's object is level 1, so the 2001st level is the 2000th bracket of "kinds".
    const at = text.indexOf('[', text.indexOf('"kinds"')) + 1999;
    expect(inputError(await gate(f, '--max-peak-growth', '5%'), f)).toBe(
      `byte ${at}: nested deeper than 2000 levels; a baseline written by \`arenascope baseline\` is never so deep`,
    );
  });

  it('nesting under the limit where a string belongs: the path and a short excerpt', async () => {
    const text = baselineText.replace(/"formats": \[[^\]]*\]/, `"kinds": ${'['.repeat(1500)}${']'.repeat(1500)}`);
    const f = file('nested-kinds.json', text);
    const msg = inputError(await gate(f, '--max-peak-growth', '5%'), f);
    expect(msg).toBe(`/kinds/0: must be a string, found ${'['.repeat(79)}…`);
  });

  it('an allocation tree 990 frames deep is still read (report --json of deep tracebacks)', async () => {
    const f = editedBaseline('deep-tree.json', (d) => {
      let node = { name: 'leaf.py:1', bytes: 1, children: [] as unknown[] };
      for (let i = 0; i < 990; i++) node = { name: `f.py:${i}`, bytes: 1, children: [node] };
      d.snapshots.tree = node;
    });
    const r = await gate(f, '--max-total-growth', '10%');
    expect(r.code, r.err).toBe(0);
  });

  it('a parse error is one line with the byte, not the JSON engine quoting the input', async () => {
    // V8 says `Unexpected token '}', "…" is not valid JSON`, its quote spanning lines, with no place.
    const text = '{"format": "arenascope-report", "version": 1,\n"generator": "arenascope ½",\n"kinds": [}\n';
    const f = file('broken.json', text);
    const at = Buffer.byteLength(text.slice(0, text.indexOf('}')));
    expect(inputError(await gate(f), f)).toBe(`byte ${at}: not valid JSON: expected a value, found "}\\n"`);
  });

  it('an old baseline naming its formats "kinds" (arenascope 0.1) is still read', async () => {
    const old = JSON.parse(readFileSync('fixtures/baselines/arenascope-0.1.json', 'utf8')) as Record<string, unknown>;
    expect(old.kinds).toEqual(['tracemalloc-snapshot']);
    expect(old.formats).toBeUndefined();
    const r = await gate('fixtures/baselines/arenascope-0.1.json', '--max-total-growth', '100000%', '--json');
    expect(r.code, r.err).toBe(0);
  });

  it('another version, or no generator: named by path, before the schema (a newer report may not fit it)', async () => {
    const v2 = editedBaseline('v2.json', (d) => {
      d.version = 2;
      d.summary = 'a later shape';
    });
    expect(inputError(await gate(v2), v2)).toBe(
      '/version: a version 2 report; this arenascope reads version 1: write the baseline again',
    );
    const none = editedBaseline('no-generator.json', (d) => {
      delete d.generator;
    });
    expect(inputError(await gate(none), none)).toBe('missing "generator"');
    const odd = editedBaseline('odd-generator.json', (d) => {
      d.generator = 'arenascope 9.4\n\u0007';
    });
    expect(inputError(await gate(odd), odd)).toMatch(
      /^\/generator: written by arenascope 9\.4 {2}, this is arenascope /,
    );
  });

  it('a baseline with neither "formats" nor "kinds" names what is missing', async () => {
    const f = editedBaseline('no-formats.json', (d) => {
      delete d.formats;
    });
    expect(inputError(await gate(f), f)).toBe('missing "formats"');
  });

  it('a size beyond 2**53 is an error, not a rounded number', async () => {
    const f = file(
      'huge.json',
      baselineText.replace(/"totals": \[\s*\{\s*"size": \d+/, '"totals": [{"size": 90071992547409931'),
    );
    expect(inputError(await gate(f, '--max-peak-growth', '5%'), f)).toMatch(
      /^\/snapshots\/totals\/0\/size: must be <= 9007199254740991 \(2\*\*53 - 1: larger integers are not held exactly\)/,
    );
  });

  it('a peak in MiB beyond 2**53 bytes is an error (1e308 read as Infinity, and a gate failed at +NaN%; h234)', async () => {
    const f = editedBaseline('huge-peak.json', (d) => {
      (d as unknown as { summary: { peakMiB: number } }).summary.peakMiB = 1e308;
    });
    expect(inputError(await gate(f, '--max-peak-growth', '5%'), f)).toBe(
      '/summary/peakMiB: must be <= 8589934592 (MiB: 2**53 bytes), found 1e+308',
    );
  });
});

describe("what arenascope writes fits its schema (and Python's jsonschema agrees)", () => {
  it('`arenascope baseline` and `report --json` output validate; the broken cases do not', () => {
    const report = JSON.parse(readFileSync(reportJson, 'utf8')) as Report;
    expect(report.memory).not.toEqual([]);
    expect(report.lineReports).not.toEqual([]);
    const emptyFrames = structuredClone(baseline);
    emptyFrames.snapshots.topSites[0]!.frames = [];
    const noTotals = structuredClone(baseline);
    delete noTotals.snapshots.totals;
    const cases: [unknown, boolean][] = [
      [baseline, true],
      [report, true],
      [JSON.parse(readFileSync('examples/memory-baseline.json', 'utf8')), true],
      [emptyFrames, false],
      [noTotals, false],
    ];
    for (const [doc, ok] of cases)
      expect(schemaProblem('report', doc) === null, JSON.stringify(doc).slice(0, 80)).toBe(ok);
    const python = pythonVerdicts(
      'schema/arenascope-report.schema.json',
      cases.map((c) => c[0]),
    );
    if (python) expect(python).toEqual(cases.map((c) => c[1]));
  });

  it('`convert --to json` output (snapshot and series) validates against the snapshot schema', async () => {
    const snap = join(dir, 'snap.json');
    const series = join(dir, 'series.json');
    expect((await cli('convert', `${G}/steady/snap-2.pickle`, '--to', 'json', '-o', snap)).code).toBe(0);
    expect((await cli('convert', `${G}/steady`, '--to', 'json', '-o', series)).code).toBe(0);
    const docs = [snap, series].map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown);
    const python = pythonVerdicts('schema/arenascope-snapshot.schema.json', [
      ...docs,
      { format: 'arenascope-snapshot', version: 1, time: 1e308, frames: [], tracebacks: [], traces: [] },
    ]);
    if (python) expect(python).toEqual([true, true, false]);
  });
});

/** Python's jsonschema's verdict on each document, or null when it is not installed. */
function pythonVerdicts(schema: string, docs: unknown[]): boolean[] | null {
  const docsFile = file(`docs-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(docs));
  const code =
    'import json, sys, jsonschema\nv = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\nfor d in json.load(open(sys.argv[2])): print(v.is_valid(d))';
  try {
    const out = execFileSync('python3', ['-c', code, schema, docsFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .trim()
      .split('\n')
      .map((l) => l === 'True');
  } catch {
    console.warn('python3 jsonschema not installed: the schema is checked by ajv only');
    return null;
  }
}

describe('gate config: checked by ajv against schema/arenascope-config.schema.json', () => {
  const config = (name: string, body: unknown): string => file(name, JSON.stringify(body));

  it('gzipped and damaged: where it stops decoding, at or after the damage (fuzz seed 64: no place)', async () => {
    const text = JSON.stringify({ maxTotalGrowth: '5%', maxPeak: '1GiB', maxLeaks: 0 }, null, 2);
    const bytes = gzipSync(text);
    bytes.fill(0xff, 12, 16); // the deflate stream's first bytes: no valid block
    const f = join(dir, 'damaged-config.json.gz');
    writeFileSync(f, bytes);
    const said = inputError(await cli('gate', `${G}/steady`, '--config', f), f);
    const at = /^byte (\d+) of the compressed file: not a whole gzip file \(.*\): cut short or damaged$/.exec(said);
    expect(said).toMatch(/^byte \d+ of the compressed file: /);
    expect(Number(at![1])).toBeGreaterThanOrEqual(12);
    // A wrong checksum: the trailer's.
    const sum = gzipSync(text);
    sum[sum.length - 6]! ^= 0xff;
    writeFileSync(f, sum);
    expect(inputError(await cli('gate', `${G}/steady`, '--config', f), f)).toMatch(
      new RegExp(`^the gzip trailer at byte ${sum.length - 8}: `),
    );
  });

  it('an unknown key: named, with the known keys', async () => {
    const f = config('typo.json', { maxTotalGrowth: '5%', maxPeek: '1MiB' });
    expect(inputError(await cli('gate', `${G}/steady`, '--config', f), f)).toBe(
      'unknown key "maxPeek"; known keys: baseline, maxPeak, maxPeakGrowth, maxTotalGrowth, maxLeaks, ' +
        'minLeakConfidence, minGrowth, groupBy, keepInternals, warmup, maxSiteGrowth, maxFragmentation, ignore',
    );
  });

  it.each([
    [
      { maxTotalGrowth: 'ten' },
      '/maxTotalGrowth: must be a percentage such as "5%", or a size such as "64KiB" or a whole number of bytes, found "ten"',
    ],
    [{ ignore: ['*/x.py', 1] }, '/ignore/1: must be a string, found 1'],
    [{ maxLeaks: 1.5 }, '/maxLeaks: must be a whole number, found 1.5'],
    [{ baseline: { path: 'x' } }, '/baseline: must be a path, or a list of paths, found {"path":"x"}'],
    [['maxPeak'], 'byte 0: expected a JSON object at the top, found ["maxPeak"]'],
    [1e308, 'byte 0: expected a JSON object at the top, found 1e+308'],
  ])('a bad value %j: its path and what it must be', async (body, message) => {
    const f = config('bad.json', body);
    expect(inputError(await cli('gate', `${G}/steady`, '--config', f), f)).toBe(message);
  });

  it('a baseline the config names that is not there: said of the config, unless --baseline wins', async () => {
    const f = config('missing-baseline.json', {
      baseline: ['memory-baseline.json', 'gone.json'],
      maxTotalGrowth: '10%',
    });
    expect(inputError(await cli('gate', `${G}/steady`, '--config', f), f)).toMatch(
      /^\/baseline: no such file or directory: ".*\/gone\.json"$/,
    );
    const r = await cli('gate', `${G}/steady`, '--config', f, '--baseline', join(dir, 'memory-baseline.json'));
    expect(r.code, r.err).toBe(0);
  });

  it('numbers for sizes are bytes, as before; a relative baseline is relative to the file', async () => {
    const sub = join(dir, 'conf');
    mkdirSync(sub, { recursive: true });
    const f = join(sub, 'arenascope.config.json');
    writeFileSync(f, JSON.stringify({ baseline: '../memory-baseline.json', maxTotalGrowth: 0 }));
    const r = await cli('gate', `${G}/bigger`, '--config', f, '--json');
    expect(r.code, r.err).toBe(1);
    const check = (JSON.parse(r.out) as { checks: { check: string; limit: number }[] }).checks.find(
      (c) => c.check === 'max-total-growth',
    )!;
    expect(check.limit).toBe(0);
  });
});

describe('snapshot JSON: streamed, each item checked against its definition in the schema', () => {
  const head = '{"format":"arenascope-snapshot","version":1,';
  const body = '"frames":[["a.py",1]],"tracebacks":[[0]],"traces":[[0,0,16,1]]}';

  it('a time of 1e308 (outside a Date): info exits 2 naming the path', async () => {
    const f = file('time.json', `${head}"time":1e308,${body}`);
    expect(inputError(await cli('info', f), f)).toBe(
      '/time: must be <= 8640000000000 (seconds: the furthest time a date holds), found 1e+308',
    );
  });

  it('a key given twice in one object is refused at its path (the lists were merged; JSON.parse keeps the last)', async () => {
    const twice = file('twice.json', `${head}${body.slice(0, -1)},"traces":[[0,0,999999,1]]}`);
    for (const command of ['stats', 'info', 'convert']) {
      const args = command === 'convert' ? [twice, '--to', 'json', '-o', join(dir, 'out.json')] : [twice];
      expect(inputError(await cli(command, ...args), twice), command).toBe(
        '/traces: the key "traces" is given twice in one object: say it once',
      );
    }
    const inSnapshot = file(
      'twice-series.json',
      `{"format":"arenascope-series","version":1,"snapshots":[{"frames":[],"frames":[],"tracebacks":[],"traces":[]}]}`,
    );
    expect(inputError(await cli('info', inSnapshot), inSnapshot)).toBe(
      '/snapshots/0/frames: the key "frames" is given twice in one object: say it once',
    );
  });

  it('in a series, the path names the snapshot', async () => {
    const snap = '{"frames":[],"tracebacks":[],"traces":[]}';
    const f = file(
      'series.json',
      `{"format":"arenascope-series","version":1,"snapshots":[${snap},{"time":"noon",${snap.slice(1)}]}`,
    );
    expect(inputError(await cli('info', f), f)).toBe('/snapshots/1/time: must be a number or null, found "noon"');
  });

  it('a cut-off file read with --allow-partial is checked as far as it goes', async () => {
    const f = file(
      'cut.json',
      `${head}"time":1e308,"frames":[["a.py",1]],"tracebacks":[[0]],"traces":[[0,0,16,1],[0,0`,
    );
    expect(inputError(await cli('info', f, '--allow-partial'), f)).toMatch(/^\/time: must be <= 8640000000000/);
  });

  it('an over-long item quotes at most 80 characters of it', async () => {
    const long = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => i));
    const f = file('long.json', `${head}"frames":[["a.py",1]],"tracebacks":[[0]],"traces":[[0,0,16,1],${long}]}`);
    const msg = inputError(await cli('info', f), f);
    expect(msg.startsWith('/traces/1: must NOT have more than 4 items, found [0,1,2,3,')).toBe(true);
    expect(msg.slice(msg.indexOf('found ') + 6).length).toBeLessThanOrEqual(80);
  });

  it.each([
    ['"frames":[["a.py","x"]],"tracebacks":[],"traces":[]}', '/frames/0/1: must be a whole number, found "x"'],
    [
      '"frames":[["a.py",1]],"tracebacks":[[]],"traces":[]}',
      '/tracebacks/0: must NOT have fewer than 1 items, found []',
    ],
    [
      '"frames":[["a.py",1]],"tracebacks":[[0,1]],"traces":[]}',
      '/tracebacks/0/1: traceback refers to frame 1, which is not defined before it (write "frames" before "tracebacks")',
    ],
    ['"frames":[],"tracebacks":[],"totalNframe":[-1],"traces":[]}', '/totalNframe/0: must be >= 0, found -1'],
    ['"frames":[["a.py",1]],"tracebacks":[[0]],"traces":[[0,0,-16,1]]}', '/traces/0/2: must be >= 0, found -16'],
    [
      '"frames":[["a.py",1]],"tracebacks":[[0]],"traces":[[0,0,16,9007199254740993]]}',
      '/traces/0/3: must be <= 9007199254740991 (2**53 - 1: larger integers are not held exactly), found 9007199254740992',
    ],
    [
      '"frames":[["a.py",1]],"tracebacks":[[0]],"traces":{"0":[0,0,16,1]}}',
      '/traces: must be an array, found {"0":[0,0,16,1]}',
    ],
    ['"frames":[["a.py",1]],"tracebacks":[[0]]}', 'missing "traces"'],
    [
      '"tracebackLimit":2.5,"frames":[],"tracebacks":[],"traces":[]}',
      '/tracebackLimit: must be a whole number or null, found 2.5',
    ],
  ])('%s: %s', async (rest, message) => {
    const f = file('item.json', head + rest);
    expect(inputError(await cli('info', f), f)).toBe(message);
  });
});

describe('small tricky units', () => {
  it('the syntax walk agrees with JSON.parse on what is JSON', () => {
    const texts = [
      '{"a": }',
      '{"a": 1,}',
      '[1,\n2,\n]',
      '{"a":1} x',
      '{a:1}',
      '{"a":"\n"}',
      '[1 2]',
      '[tru]',
      '[-]',
      '[1.]',
      '[01]',
      '{"a" 1}',
      '"\\q"',
      '["abc',
      '',
      '  ',
      '[]',
      '{}',
      '[[], {}, [{}]]',
      '{"a": [1, -2.5e+3, true, false, null, "x\\u00e9\\n"]}',
      ' 12 ',
      '"\u2028"',
    ];
    for (const t of texts) {
      let ok = true;
      try {
        JSON.parse(t);
      } catch {
        ok = false;
      }
      expect(syntaxError(t) === null, JSON.stringify(t)).toBe(ok);
    }
    // And on strings made of JSON's pieces, well formed or not (a fixed pseudo-random sequence).
    const atoms = ['{', '}', '[', ']', ',', ':', '"a"', '"\\u12"', '"\\n"', '"\\x"', '1', '-', '-0', '01', '1.'];
    atoms.push('1.5', '1e', '1e+5', 'true', 'tru', 'null', ' ', '\n', '"', 'x');
    let seed = 12;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 20_000; k++) {
      const t = Array.from({ length: 1 + next(8) }, () => atoms[next(atoms.length)]).join('');
      let ok = true;
      try {
        JSON.parse(t);
      } catch {
        ok = false;
      }
      if ((syntaxError(t) === null) !== ok) expect.fail(`the walk and JSON.parse disagree on ${JSON.stringify(t)}`);
    }
    expect(syntaxError('{"a": }')).toEqual({ at: 6, expected: 'a value' });
    expect(syntaxError('[1 2]')).toEqual({ at: 3, expected: "',' or ']'" });
    // No regular expression walks a string: one of 10 million characters is no harder than a short one.
    expect(syntaxError(`["${'x'.repeat(10_000_000)}" x]`)).toEqual({ at: 10_000_004, expected: "',' or ']'" });
  });

  it('an excerpt of a value 100,000 levels deep, or of a long string, is at most 80 characters', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonExcerpt(deep)).toBe(`${'['.repeat(79)}…`);
    expect(jsonExcerpt('x'.repeat(10_000)).length).toBe(80);
    expect(jsonExcerpt({ a: [1, 'b\nc'], d: null })).toBe('{"a":[1,"b\\nc"],"d":null}');
  });
});

describe('start-up: commands that read no JSON do not load ajv', () => {
  const main = BIN;
  const standalone = resolve('dist/ingest/json-validators.cjs');
  // Lists, at exit, the modules of ajv and the built validators that the process loaded.
  const hook = file(
    'loaded.cjs',
    "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)" +
      ".filter((k) => k.includes('/node_modules/ajv/') || k.endsWith('json-validators.cjs'))) + '\\n'));",
  );
  const loaded = (...args: string[]): string[] => {
    const r = spawnSync('node', ['--require', hook, main, ...args], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBeLessThan(2);
    return JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]!) as string[];
  };

  it.skipIf(!existsSync(main))('stats on a pickle loads neither ajv nor the validators', () => {
    expect(loaded('stats', `${G}/steady/snap-2.pickle`)).toEqual([]);
  });

  it.skipIf(!existsSync(standalone))('gate with a config and a baseline loads the built validators, not ajv', () => {
    const cfg = file('startup.json', JSON.stringify({ maxTotalGrowth: '10%' }));
    const modules = loaded('gate', `${G}/steady2`, '--config', cfg, '--baseline', join(dir, 'memory-baseline.json'));
    expect(modules).toEqual([standalone]);
  });
});
