// The report: ReportData from real captures, the renderers, and escaping of capture strings.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { internalSite } from '../../src/analysis/filters.js';
import { buildReportData } from '../../src/analysis/report-data.js';
import { downsample } from '../../src/analysis/report-sections.js';
import { statistics } from '../../src/analysis/statistics.js';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { FrameTable } from '../../src/model/frames.js';
import { esc, mdCode, mdText } from '../../src/report/escape.js';
import { formatSize } from '../../src/report/format-size.js';
import { captureTicks, sizeUnit } from '../../src/report/html/axes.js';
import { arenasCaption } from '../../src/report/html/charts.js';
import { renderHtml, scriptJson } from '../../src/report/html/page.js';
import { MEANINGS } from '../../src/report/html/palette.js';
import { summarySection } from '../../src/report/html/sections.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { cli } from '../helpers.js';
import { EVIL, evilSnapshot } from './evil.js';

const dir = mkdtempSync(join(tmpdir(), 'arenascope-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const load = (inputs: string[]) =>
  loadCaptureSet(inputs, { load: (p, frames: FrameTable) => loadCapture(p, { frames }) });

describe('ReportData', () => {
  it("holds every section for a mixed set of captures, with the analyses' figures", async () => {
    const set = await load([
      'fixtures/leaks/memo_leak',
      'fixtures/leaks/mprof/leak.dat',
      'fixtures/mprof/report-p1.txt',
    ]);
    const d = buildReportData(set, ['x']);
    expect([d.format, d.version]).toEqual(['arenascope-report', 1]);
    const last = set.series.snapshots[set.series.snapshots.length - 1]!;
    expect(d.snapshots!.topSites.map(({ traceback: _, internal: __, ...st }) => st)).toEqual(
      statistics(last, { keyType: 'lineno' }).slice(0, 200),
    );
    for (const s of d.snapshots!.topSites) expect(s.traceback[s.traceback.length - 1]).toEqual(s.frames[0]);
    expect(
      d
        .snapshots!.leaks!.sites.filter((s) => s.verdict === 'leak')
        .map((s) => `${s.filename}:${s.lineno}`)
        .sort(),
    ).toEqual(['fixtures/leaks/workloads/memo_leak.py:13', 'fixtures/leaks/workloads/memo_leak.py:9']);
    expect(d.memory[0]!.trends.series[0]!.verdict).toBe('leak');
    expect(d.lineReports).toHaveLength(1);
    expect(d.summary.leakSuspects).toBe(3);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d); // plain data
  });

  it("a line report's findings are the same on the page, in Markdown and in `leaks`; its peak is named for it", async () => {
    const file = 'fixtures/line-reports/exits/mp0.61-p3.txt';
    const leaks = (await cli('leaks', file)).out.trim().split('\n').slice(1);
    expect(leaks.join('\n')).toContain('not judged: its last row (line 92) is inside a block');
    const d = buildReportData(await load([file]), [file]);
    const md = renderMarkdown(d);
    for (const line of leaks) expect(md).toContain(line);
    expect(md).toContain('| peak (memory_profiler) |');
    const html = await renderHtml(d);
    for (const line of leaks) expect(html).toContain(`<li>${esc(line.trim())}</li>`);
    expect(html).toContain('peak RSS (memory_profiler)');
    expect(html).not.toContain('(mprof)');
  });

  it('counts no leak suspects it did not judge: 2 snapshots and no mprof run say none were judged', async () => {
    // `leaks` needs 3 snapshots (it exits 2 on these 2): the summary says '-', not 0.
    const inputs = ['fixtures/dumps/py311-inventory-a.pickle', 'fixtures/dumps/py311-inventory-b.pickle'];
    const d = buildReportData(await load(inputs), inputs);
    expect(d.summary.leakSuspects).toBeNull();
    expect(renderMarkdown(d)).toContain('| — |');
    const text = await cli('report', ...inputs, '--format', 'text');
    expect(text.out).toContain('leak suspects: -;');
    expect((await cli('leaks', ...inputs)).code).toBe(2);
    // With an mprof run beside them, its verdict is counted.
    const withRun = buildReportData(await load([...inputs, 'fixtures/leaks/mprof/leak.dat']), inputs);
    expect(withRun.summary.leakSuspects).toBe(1);
  });

  it("marks the import machinery and tracemalloc's own lines as internal, as `leaks` leaves them out", async () => {
    // CPython 3.11's own statistics('lineno') of the dump: the lines whose file the filters of
    // `leaks` name (the documentation's recipe: importlib's bootstrap, tracemalloc.py, <unknown>).
    const golden = (
      JSON.parse(readFileSync('fixtures/expected/py311.json', 'utf8')) as {
        cases: { command: string; files: string[]; args: string[]; output: string }[];
      }
    ).cases.find(
      (c) =>
        c.command === 'stats' &&
        c.files.join() === 'fixtures/dumps/py311-inventory-b.pickle' &&
        c.args.join() === '--group-by,lineno',
    )!;
    const sites = golden.output
      .split('\n')
      .filter((l) => l.includes(': size=') && !l.startsWith('Total:'))
      .map((l) => l.slice(0, l.indexOf(': size=')));
    // And setuptools' import hook (_distutils_hack), on every import where setuptools is installed.
    const machinery =
      /^(?:<frozen importlib\._bootstrap(?:_external)?>|<unknown>|.*\/tracemalloc\.py|.*\/_distutils_hack\/__init__\.py):\d+$/;
    const d = buildReportData(
      await load(['fixtures/dumps/py311-inventory-a.pickle', 'fixtures/dumps/py311-inventory-b.pickle']),
      ['x'],
    );
    const name = (f: { filename: string; lineno: number }) => `${f.filename}:${f.lineno}`;
    expect(d.snapshots!.topSites.map((s) => name(s.frames[0]!))).toEqual(sites);
    const internal = d.snapshots!.topSites.filter((s) => s.internal).map((s) => name(s.frames[0]!));
    expect(internal).toEqual(sites.filter((s) => machinery.test(s)));
    expect(internal.length).toBeGreaterThan(10);
    const diffInternal = d.snapshots!.diff!.stats.filter((s) => s.internal).map((s) => name(s.frames[0]!));
    expect(diffInternal.length).toBeGreaterThan(0);
    for (const s of diffInternal) expect(s).toMatch(machinery);
    for (const s of d.snapshots!.diff!.stats.filter((x) => !x.internal))
      expect(name(s.frames[0]!)).not.toMatch(machinery);
  });

  it("marks what `arenascope run`'s capture code allocated, but not the program beneath its runner", () => {
    const f = (filename: string, lineno = 1) => ({ filename, lineno });
    const runner = f('/site/arenascope_capture/_runner.py', 100);
    expect(internalSite([runner, f('/app/main.py', 3)])).toBe(false);
    expect(internalSite([runner, f('/app/main.py', 3), f('/usr/lib/python3.11/json/encoder.py', 258)])).toBe(false);
    expect(internalSite([runner])).toBe(true); // the runner's own line: compiling and starting the program
    expect(
      internalSite([f('/site/arenascope_capture/_controller.py', 274), f('/usr/lib/python3.11/json/encoder.py')]),
    ).toBe(true);
    expect(internalSite([runner, f('/app/main.py', 3), f('<frozen importlib._bootstrap>', 241)])).toBe(true);
    // A thread's start, all in threading.py (the capture's interval thread's: replay named it first).
    const threading = (n: number) => f('/usr/lib/python3.11/threading.py', n);
    expect(internalSite([threading(1002), threading(1045), threading(1020)])).toBe(true);
    expect(internalSite([threading(1002), threading(1045), f('/app/worker.py', 7)])).toBe(false);
    expect(internalSite([f('/app/main.py', 3), threading(905)])).toBe(false); // a Thread the program made
  });

  it("marks pytest's own allocations (the reports it keeps for its summary), not a test's line (h273)", () => {
    const f = (filename: string, lineno = 1) => ({ filename, lineno });
    const pytest = '/usr/lib/python3/dist-packages/_pytest';
    expect(internalSite([f('/app/tests/test_x.py', 9), f(`${pytest}/reports.py`, 396)])).toBe(true);
    expect(
      internalSite([f(`${pytest}/python.py`, 194), f('/usr/lib/python3/dist-packages/pluggy/_callers.py', 103)]),
    ).toBe(true);
    // A test that keeps what it made in pytest's objects (request.node.user_properties): its own line.
    expect(internalSite([f(`${pytest}/python.py`, 194), f('/app/tests/test_x.py', 12)])).toBe(false);
  });

  it('names what one dump cannot tell and the capture that would, and shows no card without a value', async () => {
    const d = buildReportData(await load(['fixtures/dumps/py311-inventory-b.pickle']), ['x']);
    expect(d.gaps!.map((g) => g.topic)).toEqual(['leaks', 'changes', 'memory', 'fragmentation']);
    expect(d.gaps![0]!.text).toMatch(/^1 snapshot: leak detection needs 3 or more: take tracemalloc snapshots/);
    const html = await renderHtml(d);
    const summary = html.slice(html.indexOf('<section id="summary"'), html.indexOf('</section>'));
    expect(summary).not.toMatch(/leak suspects|—/);
    expect(summary).toContain('leak detection needs 3 or more');
    expect(html).not.toContain('id="captures"'); // no line chart of one point
    expect(html).not.toContain('id="leaks"');
  });

  it('downsampling keeps every peak and trough', () => {
    const t = Array.from({ length: 10000 }, (_, i) => i);
    const v = t.map((i) => (i === 4321 ? 999 : i === 777 ? -5 : Math.sin(i / 50)));
    const d = downsample(t, v, 200);
    expect(d.t.length).toBeLessThanOrEqual(200);
    expect(Math.max(...d.v)).toBe(999);
    expect(Math.min(...d.v)).toBe(-5);
  });
});

describe('charts that read right (issue 16, item 3)', () => {
  it('sizes are drawn in the unit their range calls for, named on the axis', () => {
    expect(sizeUnit([13_000 * 1024])).toEqual({ unit: 'MiB', bytes: 2 ** 20 });
    expect(sizeUnit([900 * 1024, -5])).toEqual({ unit: 'KiB', bytes: 1024 });
    expect(sizeUnit([1023])).toEqual({ unit: 'B', bytes: 1 });
    expect(sizeUnit([-3 * 2 ** 30])).toEqual({ unit: 'GiB', bytes: 2 ** 30 });
    expect(sizeUnit([])).toEqual({ unit: 'B', bytes: 1 });
  });

  it('captures are named on the axis by their shortest distinct suffix, long ones cut, none alike', () => {
    expect(captureTicks(['runs/a/snap-1.pickle', 'runs/a/snap-2.pickle'])).toEqual(['snap-1.pickle', 'snap-2.pickle']);
    expect(captureTicks(['x/a/s.pickle', 'x/b/s.pickle'])).toEqual(['a/s.pickle', 'b/s.pickle']);
    const long = captureTicks(['a-very-long-capture-name-1.pickle', 'a-very-long-capture-name-2.pickle']);
    for (const t of long) expect(t.length).toBeLessThanOrEqual(18);
    expect(new Set(long).size).toBe(2);
    const same = captureTicks(['p/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x', 'p/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-x']);
    expect(new Set(same).size).toBe(2);
  });

  it('a capture named with U+2028 or U+2029 is drawn (vega failed on its axis: no page, exit 3)', async () => {
    const labels = ['snap\u20280.pickle', 'snap\u20291.pickle', 'snap\x1b[2J2.pickle'];
    expect(captureTicks(labels)).toEqual(['snap\uFFFD0.pickle', 'snap\uFFFD1.pickle', 'snap\uFFFD[2J2.pickle']);
    const series = join(dir, 'separators');
    mkdirSync(series);
    for (const [i, label] of labels.entries()) {
      copyFileSync(`fixtures/leaks/memo_leak/snap-${i + 1}.pickle`, join(series, label));
    }
    const r = await cli('report', series, '-o', join(dir, 'separators.html'));
    expect([r.code, r.err]).toEqual([0, '']);
  });

  it("the arenas caption says where the real line lies against the model's range, as CPython says", async () => {
    // fixtures/pairing: CPython 3.11's own _debugmallocstats() beside each dump.
    const files = [1, 2, 3].flatMap((k) => [`fixtures/pairing/snap-${k}.pickle`, `fixtures/pairing/stats-${k}.txt`]);
    const d = buildReportData(await load(files), files);
    const r = d.snapshots!.replay!;
    const real = [1, 2, 3].map((k) =>
      Number(
        /# arenas allocated current\s+=\s+(\d+)/.exec(readFileSync(`fixtures/pairing/stats-${k}.txt`, 'utf8'))![1],
      ),
    );
    expect(r.captures.map((c) => c.real?.arenas)).toEqual(real);
    const above = r.captures.filter((c) => c.real!.arenas > Math.max(c.compact.arenas, c.scattered.arenas)).length;
    expect(above).toBeGreaterThan(0);
    expect(r.realVsModel).toEqual({ above, within: 3 - above, below: 0 });
    const caption = arenasCaption(r);
    expect(caption).not.toMatch(/truth lies between/);
    expect(caption).toContain(`lie above the model's range at ${above} captures`);
    // Without a real report the caption does not call the model's figures measured.
    const modelOnly = arenasCaption({ ...r, realVsModel: null });
    expect(modelOnly).toMatch(/not measurements/);
  });

  it('one colour per meaning on every chart; the legend states each once; leak charts in table order', async () => {
    const inputs = ['fixtures/leaks/memo_leak', 'fixtures/leaks/mprof/leak.dat'];
    const html = await renderHtml(buildReportData(await load(inputs), inputs));
    const specs = JSON.parse(/<script id="chart-specs" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as {
      id: string;
      spec: unknown;
    }[];
    // The measured colour appears in every chart of measured memory; the model's colours in none of them.
    for (const c of specs.filter((x) => /^(totals|leaks-\d+|memory-\d+|top-sites)$/.test(x.id))) {
      const text = JSON.stringify(c.spec);
      expect(text, c.id).toContain(MEANINGS.measured.colour);
      expect(text, c.id).not.toContain(MEANINGS.worst.colour);
    }
    expect(html.match(/id="chart-legend"/g)).toHaveLength(1);
    const legend = html.slice(html.indexOf('id="chart-legend"'), html.indexOf('</aside>'));
    expect(legend).toContain('data-meaning="measured"');
    expect(html.indexOf('id="chart-legend"')).toBeLessThan(html.indexOf('class="vega"'));
    // The small multiples in the order of the leaks table beside them.
    const charts = [...html.matchAll(/<h4 title="([^"]+)">/g)].map((m) => m[1]);
    const leaksTable = html.slice(html.indexOf('id="leaks-table"'));
    const rows = [...leaksTable.slice(0, leaksTable.indexOf('</table>')).matchAll(/<summary>([^<]+)<\/summary>/g)].map(
      (m) => m[1],
    );
    expect(rows.length).toBeGreaterThan(1);
    expect(charts).toEqual(rows);
  });
});

describe('escaping', () => {
  it('a file name that tries to close the script and inject HTML stays text', async () => {
    const evil = join(dir, 'evil.json');
    evilSnapshot(evil);
    const html = await renderHtml(buildReportData(await load([evil]), [evil]));
    expect(html).not.toContain(EVIL);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(scriptJson(EVIL)).toBe('"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"');
    expect(renderMarkdown(buildReportData(await load([evil]), [evil]))).not.toContain('|x');
  });
});

describe('bidirectional controls in names', () => {
  it('show as their code points in HTML and Markdown, never reordering the name (\\u202egnp.py read yp.png)', () => {
    const name = '\u202egnp.py';
    expect(esc(name)).toBe('{U+202E}gnp.py');
    expect(mdText(name)).toBe('{U+202E}gnp.py');
    expect(mdCode(`a\u2066b\u2069.py`)).toBe('`a{U+2066}b{U+2069}.py`');
  });

  // A real dump's (fixtures/report-bidi/make.py): the page's charts (labels, tooltips) and the gate's
  // GitHub annotations carried the name raw, while its tables showed the code points.
  const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
  it("nowhere raw in the page, charts included, nor in the gate's GitHub annotations", async () => {
    const dir = 'fixtures/report-bidi';
    const html = await renderHtml(buildReportData(await load([dir]), [dir]));
    expect(html).not.toMatch(BIDI);
    const specs = html.slice(html.indexOf('id="chart-specs"'));
    expect(specs).toContain('{U+202E}gnp{U+2066}x{U+2069}.py');
    const gate = await cli('gate', '--github', dir);
    expect(gate.code).toBe(1);
    const annotations = gate.out.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.join('\n')).not.toMatch(BIDI);
    expect(annotations[0]).toContain('file={U+202E}gnp{U+2066}x{U+2069}.py,line=2');
    // The summary lines beside them spelled them '\u202e' (helper h254).
    expect(gate.out).not.toContain('\\u202e');
  });

  // JUnit spelled them '\u202e' while the annotations and the page said '{U+202E}' (helper h254).
  it("spelled in the gate's JUnit as in its annotations and the page", async () => {
    const junit = join(dir, 'bidi-gate.xml');
    expect((await cli('gate', '--junit', junit, 'fixtures/report-bidi')).code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).not.toMatch(BIDI);
    expect(xml).toContain('file="{U+202E}gnp{U+2066}x{U+2069}.py" line="2"');
    expect(xml).not.toContain('\\u202e');
  });
});

describe('Markdown escaping', () => {
  it('a name shows as it reads: no tag, entity, emphasis or link acts, code spans hold backticks', () => {
    expect(mdText('lr_<img src=x onerror=alert(7)>&amp;`|*[x](y)~_a_ b_c\nd')).toBe(
      'lr\\_\\<img src=x onerror=alert(7)>\\&amp;\\`\\|\\*\\[x\\](y)\\~\\_a\\_ b_c d',
    );
    expect(mdCode('m2_`code`|pipe.py:3')).toBe('``m2_`code`|pipe.py:3``');
    expect(mdCode('m2_`code`|pipe.py:3', true)).toBe('``m2_`code`\\|pipe.py:3``');
    expect(mdCode('`a`')).toBe('`` `a` ``');
    expect(mdCode(' a ')).toBe('`  a  `');
  });

  // A heading's trailing run of '#' closes it: '### Line report: mem ##' showed 'Line report: mem' (h314).
  it("a name's '#'s show as written, at a heading's end too", async () => {
    expect(mdText('mem ##')).toBe('mem \\#\\#');
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-md-hash-'));
    const file = join(dir, 'mem ##');
    copyFileSync('fixtures/mprof/report-p1.txt', file);
    const r = await cli('report', file, '-f', 'markdown');
    expect(r.out).toContain(`### Line report: ${dir}/mem \\#\\#\n`);
  });

  it('an @mention or a bare URL in a name is a code span: a forge neither notifies nor links it', () => {
    expect(mdText('/srv/@octocat/app.py grew; see https://evil.example/x?a=1 and www.evil.example')).toBe(
      '/srv/`@octocat/app.py` grew; see `https://evil.example/x?a=1` and `www.evil.example`',
    );
    expect(mdText('@org/team-a: 3 sites')).toBe('`@org/team-a`: 3 sites');
    // An address is linked (mailto:), not a mention; a decorator named in a message reads the same as code.
    expect(mdText('me@example.com, @profile')).toBe('`me@example.com`, `@profile`');
    // After a backtick (shown as one, escaped) or another '@', a mention all the same.
    expect(mdText('`@octocat` @@team')).toBe('\\``@octocat`\\` @`@team`');
    expect(mdText('a|https://x.example|b')).toBe('a\\|`https://x.example`\\|b');
  });

  it("the report's Markdown of a hostile file name holds no raw tag", async () => {
    const evil = join(dir, 'evil-md.json');
    evilSnapshot(evil);
    const md = renderMarkdown(buildReportData(await load([evil]), [evil]));
    // In a code span it is text; anywhere else, escaped.
    const span = mdCode(`${EVIL}:1`, true);
    expect(md).toContain(`| ${span} |`);
    expect(md.replaceAll(span, '')).not.toMatch(/(?<!\\)<img/);
  });
});

describe('the report command', () => {
  it("--format text, markdown and csv print to stdout; --baseline picks the diff's start", async () => {
    const inputs = [
      'fixtures/leaks/memo_leak/snap-1.pickle',
      'fixtures/leaks/memo_leak/snap-5.pickle',
      'fixtures/leaks/memo_leak/snap-9.pickle',
    ];
    expect((await cli('report', ...inputs, '--format', 'text')).out).toMatch(/leak suspects: 2/);
    expect((await cli('report', ...inputs, '--format', 'markdown')).out).toMatch(/^## arenascope report/);
    expect((await cli('report', ...inputs, '--format', 'csv')).out.split('\n')[0]).toBe(
      'rank,filename,lineno,size,count,average,traceback',
    );
    const j = join(dir, 'b.json');
    await cli('report', ...inputs, '--baseline', inputs[1]!, '-o', join(dir, 'b.html'), '--json', j);
    expect(JSON.parse(readFileSync(j, 'utf8')).snapshots.diff.from).toBe(inputs[1]);
    expect((await cli('report', ...inputs, '--baseline', 'nope.pickle')).code).toBe(2);
  });

  it('text and Markdown give each mprof verdict its confidence, as `leaks --json` does; csv of no snapshot is refused', async () => {
    const inputs = ['fixtures/leaks/mprof/leak.dat', 'fixtures/leaks/mprof/sawtooth.dat'];
    const leaks = JSON.parse((await cli('leaks', ...inputs, '--json')).out) as {
      label: string;
      series: { verdict: string; confidence: number }[];
    }[];
    const text = (await cli('report', ...inputs, '--format', 'text')).out;
    const md = (await cli('report', ...inputs, '--format', 'markdown')).out;
    for (const r of leaks) {
      const [t] = r.series;
      const said = `${t!.verdict} (confidence ${t!.confidence.toFixed(2)})`;
      expect(text).toContain(`${r.label} main: ${said}, `);
      expect(md).toContain(` main: ${said}: `);
    }
    const csv = await cli('report', ...inputs, '--format', 'csv');
    expect(csv.code).toBe(2);
    expect(csv.err).toContain('--format csv lists the top sites of the snapshots; none was given');
  });

  it('writes the page, the JSON and the Markdown, and says where', async () => {
    const out = join(dir, 'r.html');
    const r = await cli(
      'report',
      'fixtures/leaks/memo_leak',
      '-o',
      out,
      '--json',
      join(dir, 'r.json'),
      '--markdown',
      join(dir, 'r.md'),
      '--title',
      'memo service',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(out);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>memo service</title>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/); // nothing loaded from elsewhere
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).format).toBe('arenascope-report');
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toContain('## memo service');
  });
});

describe('the summary of the page counts leaks as the JSON, Markdown and gate do', () => {
  it('rows still growing, and beside them the suspects at confidence 0.5 or more (the page said 2 where the JSON said 1)', async () => {
    const inputs = ['fixtures/leaks/memo_leak'];
    const d = buildReportData(await load(inputs), inputs);
    const rows = d.snapshots!.leaks!.sites.filter((s) => s.verdict === 'leak').length;
    expect(rows).toBe(2);
    expect(summarySection(d).html).toContain(`Still growing at the end: 2 (`);
    // One of them judged below the gate's confidence: said beside the count of rows.
    const weak = { ...d, summary: { ...d.summary, leakSuspects: 1, weakLeakSuspects: 1 } };
    expect(summarySection(weak).html).toContain(
      'Still growing at the end: 2; leak suspects 1 (+1 below confidence 0.5) (',
    );
  });
});

describe('a line report in the Markdown report', () => {
  // Its rows went into a fence as printed: a source line's ESC sequences and U+202E reached a step
  // summary raw, where everything else shows them by their codes.
  it("shows a source line's control characters and bidirectional marks by their codes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arenascope-md-lines-'));
    try {
      const real = readFileSync('fixtures/line-reports/real/mp0.61-p3.txt', 'utf8');
      const file = join(dir, 'hostile.txt');
      writeFileSync(
        file,
        real.replace('# over 1000 MiB', '# \x1b[2J \x1b]8;;http://evil\x07x\x1b]8;;\x07 \u202egnp.py'),
      );
      const md = (await cli('report', file, '-f', 'markdown')).out;
      expect(md).toContain('\\x1b[2J \\x1b]8;;http://evil\\x07x');
      expect(md).toContain('{U+202E}gnp.py');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what a step summary must not hold
      expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the peak's label says whose it is", () => {
  // `mprof peak` and `info` print MEM's peak; the report's is the program's and its children's at one
  // sample (memory_profiler 0.61, mprof run -M): the same words named two figures.
  it.each([
    ['fixtures/mprof/children-total/without-C.dat', 'peak (mprof, with child processes)'],
    ['fixtures/mprof/plain.dat', 'peak (mprof)'],
  ])('%s: %s', async (file, label) => {
    const r = await cli('report', file, '-f', 'markdown');
    expect(r.out.split('\n')[2]).toMatch(new RegExp(`^\\| ${label.replace(/[()]/g, '\\$&')} \\|`));
  });
});

describe("dumps with tracemalloc's traced peaks beside them (.peak sidecars), no mprof run", () => {
  // The page's card and the gate gave the traced peak; text and Markdown said "peak (mprof): -" (h269).
  it('text and Markdown give the traced peak the JSON (and the page) give, named so', async () => {
    const dir = 'fixtures/gate/xver/py311/snapshots';
    const sidecars = readdirSync(dir).filter((f) => f.endsWith('.peak'));
    const peaks = sidecars.map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    const { summary } = JSON.parse((await cli('report', dir, '--json')).out) as {
      summary: { tracedPeakBytes: number; peakMiB: number | null };
    };
    expect(summary.peakMiB).toBeNull();
    expect(summary.tracedPeakBytes).toBeGreaterThanOrEqual(Math.max(...peaks));
    const figure = formatSize(summary.tracedPeakBytes);
    expect((await cli('report', dir, '-f', 'text')).out).toContain(`traced peak: ${figure}; `);
    const md = (await cli('report', dir, '-f', 'markdown')).out.split('\n');
    expect([md[2]!.split(' | ')[0], md[4]!.split(' | ')[0]]).toEqual(['| traced peak', `| ${figure}`]);
    expect((await cli('report', dir, '-f', 'text')).out).not.toContain('mprof');
  });
});

describe('one peak per name across commands (fixtures/mprof/children-total/without-C.dat, mprof run -M)', () => {
  // info --json's peakMiB is MEM's (mprof peak); report's peakMiB the program's with its children:
  // info says that one too, as peakWithChildrenMiB, and the gate checks it.
  it("info's peakWithChildrenMiB is report's peakMiB and gate's peak; its peakMiB is the largest MEM line", async () => {
    const file = 'fixtures/mprof/children-total/without-C.dat';
    const mem = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('MEM '))
      .map((l) => Number(l.split(' ')[1]));
    const info = JSON.parse((await cli('info', file, '--json')).out) as {
      peakMiB: number;
      peakWithChildrenMiB: number;
    };
    expect(info.peakMiB).toBe(Math.max(...mem));
    expect(info.peakWithChildrenMiB).toBeGreaterThan(info.peakMiB);
    const report = JSON.parse((await cli('report', file, '-f', 'json')).out) as {
      summary: { peakMiB: number };
      memory: { peakMiB: number }[];
    };
    expect([report.summary.peakMiB, report.memory[0]!.peakMiB]).toEqual([
      info.peakWithChildrenMiB,
      info.peakWithChildrenMiB,
    ]);
    const gate = JSON.parse((await cli('gate', file, '--max-peak', '1TiB', '--json')).out) as {
      checks: { check: string; measured: number }[];
    };
    expect(gate.checks.find((c) => c.check === 'max-peak')!.measured).toBe(info.peakWithChildrenMiB * 2 ** 20);
    expect((await cli('info', file)).out).toMatch(/^with children +[\d.]+ MiB \(MEM and its CHLD lines/m);
  });
});

describe('empty pools of the two orders', () => {
  // fixtures/pymalloc/freed-pools (make_freed_pools.py): 95% of a list freed. Freeing packed blocks
  // empties whole pools, so the compact order can hold more empty pools than the scattered one: the
  // figures were printed as a range, "1056 KiB .. 32.0 KiB", backwards.
  it('are named by order in the text and the page, not printed as a range', async () => {
    const r = JSON.parse((await cli('replay', 'fixtures/pymalloc/freed-pools', '--json')).out) as {
      fragmentation: { emptyPoolBytesBestCase: number; emptyPoolBytesWorstCase: number };
    };
    const { emptyPoolBytesBestCase: compact, emptyPoolBytesWorstCase: scattered } = r.fragmentation;
    expect(compact).toBeGreaterThan(scattered);
    const said = `empty pools compact ${compact / 1024} KiB, scattered ${scattered} B.`;
    expect((await cli('replay', 'fixtures/pymalloc/freed-pools')).out).toContain(said);
    const page = join(dir, 'freed-pools.html');
    expect((await cli('report', 'fixtures/pymalloc/freed-pools', '-o', page)).code).toBe(0);
    expect(readFileSync(page, 'utf8')).toContain(said);
  });
});

describe('the warnings given while the inputs were read', () => {
  // A page made from a folder with other files in it, or from a line report cut at a row, said so on
  // stderr alone: whoever read the page saw every figure as if the inputs were whole.
  it('are on the page after the summary, each escaped, as printed', async () => {
    const folder = join(dir, 'with-notes');
    mkdirSync(folder);
    for (const n of ['snap-1.pickle', 'snap-2.pickle', 'snap-3.pickle'])
      copyFileSync(join('fixtures/leaks/memo_leak', n), join(folder, n));
    writeFileSync(join(folder, '<b>notes & log.txt'), 'not a capture\n');
    const out = join(dir, 'with-notes.html');
    const r = await cli('report', folder, '-o', out);
    expect(r.code).toBe(0);
    const printed = r.err
      .split('\n')
      .filter((l) => l.startsWith('arenascope: warning: '))
      .map((l) => l.slice('arenascope: warning: '.length));
    expect(printed).toEqual([`skipping ${join(folder, '<b>notes & log.txt')}: not a capture arenascope reads`]);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(`<h3>Read with a warning</h3><ul class="gaps"><li>${esc(printed[0]!)}</li></ul>`);
    expect(html).not.toContain('<b>notes');
    expect(html.indexOf('input-warnings')).toBeGreaterThan(html.indexOf('id="summary"'));
    // Read whole, none.
    const whole = join(dir, 'whole.html');
    expect((await cli('report', 'fixtures/leaks/memo_leak', '-o', whole)).err).toBe('');
    expect(readFileSync(whole, 'utf8')).not.toContain('input-warnings');
  });
});

describe('report --format json and --json-out', () => {
  // The page showed the warnings; the JSON did not, and a logged listing's rounded sizes (712704 B of
  // "696 KiB", 712852 B in CPython) read there as exact figures.
  it('carry the warnings printed while the inputs were read, as the page shows them', async () => {
    const log = 'fixtures/text/service.log';
    const r = await cli('report', '--format', 'json', log);
    const printed = [...r.err.matchAll(/^arenascope: warning: (.*)$/gm)].map((m) => m[1]);
    expect(printed.join('\n')).toContain('sizes as printed');
    expect((JSON.parse(r.out) as { warnings: string[] }).warnings).toEqual(printed);
  });
});

describe('Markdown: the summary table and the limits of its lists', () => {
  // A pytest run's last test id (`test_split[|]`) or a checkpoint's label in the header, unescaped:
  // a cell more than the delimiter row, and GitHub rendered no table at all.
  it("a label with '|', '<img …>' and '@team' keeps the header's five cells", async () => {
    const d = buildReportData(await load(['fixtures/run-folder/run']), ['fixtures/run-folder/run']);
    const s = d.snapshots!;
    expect(s.final).toBeDefined();
    const labels = s.labels.map((l, i) => (i === s.final ? 'test_split[|] <img src=x onerror=alert(1)> @team' : l));
    const md = renderMarkdown({ ...d, snapshots: { ...s, labels } });
    const [header, rule] = md.split('\n').slice(2, 4);
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    expect(cells(header!)).toBe(cells(rule!));
    expect(header).toContain('\\<img'); // shown, not an element
    expect(header).toContain('`@team`');
  });

  it('report -f markdown -n N lists N rows of each table and says how many more', async () => {
    const all = await cli('report', 'fixtures/leaks/memo_leak', '-f', 'markdown', '-n', '100');
    const one = await cli('report', 'fixtures/leaks/memo_leak', '-f', 'markdown', '-n', '1');
    const rows = (md: string, title: string) => {
      const at = md.split('\n').indexOf(title);
      const lines = md.split('\n').slice(at + 4);
      return lines.slice(
        0,
        lines.findIndex((l) => !l.startsWith('| ')),
      );
    };
    const sites = rows(all.out, '### Top allocation sites (last capture)');
    expect(sites.length).toBeGreaterThan(1);
    expect(rows(one.out, '### Top allocation sites (last capture)')).toEqual(sites.slice(0, 1));
    expect(one.out).toContain(`… and ${sites.length - 1} more sites in the report (--limit lists more).`);
  });
});
