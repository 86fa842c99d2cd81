// The HTML report in a real browser (Debian's chromium through playwright-core), opened from
// file:// with every other request blocked: no console error or failed request, every chart drew
// marks, tooltips appear, tables sort and filter, for each kind of input alone and mixed, and an
// injection attempt in a file name stays text. At 1400 and 800 px: nothing wider than the window, no
// chart label over another, the leaks named in the first screen. Screenshots go to test-output/report/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { EVIL, evilSnapshot } from './evil.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUT = resolve('test-output/report');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

const REPORTS: Record<string, string[]> = {
  mixed: [
    'fixtures/leaks/memo_leak',
    'fixtures/leaks/mprof/leak.dat',
    'fixtures/mprof/report-p1.txt',
    'fixtures/mallocstats/py311-debugmallocstats.txt',
  ],
  snapshots: ['fixtures/leaks/registry_leak'],
  mprof: ['fixtures/mprof/multi.dat'],
  'line-report': ['fixtures/mprof/report-p3.txt'],
  'allocator-stats': ['fixtures/mallocstats/py311-mallocstats-env.log'],
  'one-dump': ['fixtures/dumps/py311-inventory-b.pickle'],
  'two-dumps': ['fixtures/dumps/py311-inventory-a.pickle', 'fixtures/dumps/py311-inventory-b.pickle'],
};

// What the workload leaks, as its generator wrote it (fixtures/leaks/make_series.py).
const TRUTH = JSON.parse(readFileSync('fixtures/leaks/truth.json', 'utf8')) as Record<string, { leak: string[] }>;

// CPython 3.11's own statistics('lineno') of inventory-b, and which of its lines are the import
// machinery and tracemalloc that `leaks` leaves out.
function pythonSites(): { all: string[]; machinery: string[] } {
  const cases = (
    JSON.parse(readFileSync('fixtures/expected/py311.json', 'utf8')) as {
      cases: { command: string; files: string[]; args: string[]; output: string }[];
    }
  ).cases;
  const c = cases.find(
    (x) =>
      x.command === 'stats' &&
      x.files.join() === 'fixtures/dumps/py311-inventory-b.pickle' &&
      x.args.join() === '--group-by,lineno',
  )!;
  const all = c.output
    .split('\n')
    .filter((l) => l.includes(': size=') && !l.startsWith('Total:'))
    .map((l) => l.slice(0, l.indexOf(': size=')));
  // The import system, tracemalloc, and setuptools' import hook (_distutils_hack).
  const machinery = all.filter((x) =>
    /^(?:<frozen importlib\._bootstrap(?:_external)?>|<unknown>|.*\/tracemalloc\.py|.*\/_distutils_hack\/__init__\.py):/.test(
      x,
    ),
  );
  return { all, machinery };
}

describe.skipIf(!hasChromium)('the report in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
  });
  afterAll(async () => browser?.close());

  async function open(name: string, inputs: string[], width = 1100): Promise<{ page: Page; problems: string[] }> {
    const file = `${OUT}/${name}.html`;
    const r = await cli('report', ...inputs, '-o', file, '--title', `arenascope: ${name}`);
    expect(r.code, r.err).toBe(0);
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (q) => problems.push(`request failed: ${q.url()}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    // The network is blocked: anything but the file itself would fail loudly.
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${file}`);
    await page.evaluate(() =>
      Promise.all(Object.values((window as unknown as { __charts: Record<string, Promise<unknown>> }).__charts)).then(
        () => true,
      ),
    );
    return { page, problems };
  }

  it.each(Object.entries(REPORTS))(
    '%s: opens offline, every chart draws, screenshots of every section',
    async (name, inputs) => {
      const { page, problems } = await open(name, inputs);
      const marks = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.vega')).map(
          (d) =>
            [
              d.id,
              d.querySelectorAll('.mark-line path, .mark-rect path, .mark-symbol path, .mark-text text').length,
            ] as const,
        ),
      );
      for (const [id, n] of marks) expect(n, id).toBeGreaterThan(0);
      const sections = await page.$$('section');
      expect(sections.length).toBeGreaterThan(1);
      let i = 0;
      for (const s of sections)
        await s.screenshot({
          path: `${OUT}/${name}-${String(i++).padStart(2, '0')}-${(await s.getAttribute('id')) ?? 'section'}.png`,
        });
      expect(problems).toEqual([]);
      await page.close();
    },
  );

  it('a tooltip appears on hover, and tables sort and filter', async () => {
    const { page } = await open('interaction', REPORTS.mixed!);
    const bar = (await page.$('#chart-top-sites .mark-rect path'))!;
    await bar.scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + box.height / 2);
    await page.waitForFunction(() => document.querySelector('#chart-top-sites')?.getAttribute('title'));
    expect(await page.getAttribute('#chart-top-sites', 'title')).toMatch(/site: .+\n(?:B|KiB|MiB|GiB): /);

    const sizes = () =>
      page.$$eval('#sites-table tbody tr:not([style*="none"]) td:nth-child(2) span', (xs) =>
        xs.map((x) => Number((x as HTMLElement).dataset.v)),
      );
    await page.click('#sites-table th[data-col="1"]'); // descending first
    const desc = await sizes();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await page.click('#sites-table th[data-col="1"]');
    const asc = await sizes();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.fill('input.filter[data-table="sites-table"]', 'memo_leak.py:9');
    const visible = await page.$$eval('#sites-table tbody tr', (rows) =>
      rows.filter((r) => (r as HTMLElement).style.display !== 'none').map((r) => r.textContent),
    );
    expect(visible.length).toBeGreaterThan(0);
    for (const v of visible) expect(v).toContain('memo_leak.py:9');
    await page.close();
  });

  // The first screen: what shows at 1400 x 900 without scrolling.
  const inFirstScreen = (page: Page, selector: string) =>
    page.$$eval(selector, (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { text: e.textContent ?? '', visible: r.height > 0 && r.top >= 0 && r.bottom <= 900 };
      }),
    );

  it('at 1400 px the first screen names the leaks, their next step and the fragmentation verdict', async () => {
    const { page, problems } = await open('first-screen-memo_leak', ['fixtures/leaks/memo_leak'], 1400);
    await page.screenshot({ path: `${OUT}/first-screen-memo_leak-1400.png` });
    const rows = await inFirstScreen(page, '#summary-leaks tbody tr');
    const leaks = TRUTH.memo_leak!.leak;
    expect(rows.length).toBe(leaks.length);
    for (const name of leaks) {
      const row = rows.find((r) => r.text.includes(name));
      expect(row, name).toBeDefined();
      expect(row!.visible, name).toBe(true);
      expect(row!.text).toMatch(/^leak/);
      expect(row!.text).toMatch(/\+\d.*B\d\.\d\dopen /); // growth, confidence, next step
    }
    const frag = await inFirstScreen(page, '#summary-fragmentation');
    expect(frag[0]!.visible).toBe(true);
    expect(frag[0]!.text).toMatch(/^Fragmented: (no|yes|possibly|unknown) .*pinned arenas.*Next: /);
    // The leak section itself comes right after the summary, before any long table.
    const order = await page.$$eval('section', (xs) => xs.map((x) => x.id));
    expect(order.slice(0, 2)).toEqual(['summary', 'leaks']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('one dump: no leak card, every card has a value, one line says what capture would tell the rest', async () => {
    const { page, problems } = await open('first-screen-one-dump', REPORTS['one-dump']!, 1400);
    await page.screenshot({ path: `${OUT}/first-screen-one-dump-1400.png` });
    const cards = await page.$$eval('#summary .card', (xs) => xs.map((x) => x.textContent ?? ''));
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c).not.toMatch(/leak suspects|—/);
    const gaps = await inFirstScreen(page, '#summary ul.gaps li');
    const leakGap = gaps.find((g) => /^1 snapshot: leak detection needs 3 or more/.test(g.text));
    expect(leakGap?.visible).toBe(true);
    for (const g of gaps) expect(g.visible, g.text).toBe(true);
    expect(await page.$('#leaks')).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tables show 20 rows, "show all" the rest (by keyboard too); machinery is folded until asked for', async () => {
    const { page, problems } = await open('tables', REPORTS['two-dumps']!, 1400);
    const python = pythonSites();
    const shown = (id: string) =>
      page.$$eval(`#${id} tbody tr`, (rows) =>
        rows
          .filter((r) => (r as HTMLElement).style.display !== 'none')
          .map((r) => (r.querySelector('td summary') ?? r.querySelector('td'))!.textContent!),
      );
    const ownSites = python.all.filter((x) => !python.machinery.includes(x));
    expect(python.machinery.length).toBeGreaterThan(10);
    // Python's order (largest first), without the machinery, capped at 20.
    expect(await shown('sites-table')).toEqual(ownSites.slice(0, 20));
    expect(await page.textContent('.count[data-table="sites-table"]')).toContain(`20 of ${ownSites.length} rows`);
    await page.locator('#sites-table').screenshot({ path: `${OUT}/tables-sites-top20.png` });

    const button = page.locator('button.show-all[data-table="sites-table"]');
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await shown('sites-table')).toEqual(ownSites);
    await page.check('input.show-internal[data-table="sites-table"]');
    expect(await shown('sites-table')).toEqual(python.all);
    await page.uncheck('input.show-internal[data-table="sites-table"]');
    await page.click('button.show-all[data-table="sites-table"]');
    expect(await shown('sites-table')).toHaveLength(20);

    // Sorting and filtering keep the cap: the top 20 of the new order, of the rows the filter keeps.
    await page.click('#sites-table th[data-col="1"]');
    await page.click('#sites-table th[data-col="1"]'); // ascending
    const asc = await page.$$eval('#sites-table tbody tr:not([style*="none"]) td:nth-child(2) span', (xs) =>
      xs.map((x) => Number((x as HTMLElement).dataset.v)),
    );
    expect(asc).toHaveLength(20);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    // The filter matches a row's whole text, its traceback included; 20 of the matching rows show.
    await page.fill('input.filter[data-table="sites-table"]', 'json/');
    const json = await page.$$eval('#sites-table tbody tr', (rows) =>
      rows.filter((r) => (r as HTMLElement).style.display !== 'none').map((r) => r.textContent!),
    );
    expect(json).toHaveLength(20);
    for (const x of json) expect(x).toContain('json/');
    expect(await page.textContent('.count[data-table="sites-table"]')).toMatch(/^20 of \d+ rows/);
    await page.fill('input.filter[data-table="sites-table"]', '');

    // The diff folds the same machinery: every row shown is the program's, and the toggle shows the rest.
    const diff = await shown('diff-table');
    expect(diff).toHaveLength(20);
    for (const x of diff) expect(python.machinery.some((m) => m.startsWith(x.split(':')[0]!))).toBe(false);
    // A header sorts from the keyboard too.
    await page.focus('#diff-table th[data-col="2"]');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('#diff-table th[data-col="2"]', 'aria-sort')).toBe('descending');
    await page.click('button.show-all[data-table="diff-table"]');
    await page.check('input.show-internal[data-table="diff-table"]');
    expect((await shown('diff-table')).some((x) => x.startsWith('<frozen importlib._bootstrap'))).toBe(true);
    await page.screenshot({ path: `${OUT}/tables-1400-full.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  // Issue 16 item 6: the page at a wide and a narrow window, on a leaking series (snapshots and an mprof
  // run), a fragmentation series with the real allocator's reports, and one big dump.
  const WIDTHS = [1400, 800] as const;
  const AT_WIDTHS: Record<string, string[]> = {
    'leaking-series': ['fixtures/leaks/memo_leak', 'fixtures/leaks/mprof/leak.dat'],
    'fragmentation-with-allocator-stats': [1, 2, 3].flatMap((k) => [
      `fixtures/pairing/snap-${k}.pickle`,
      `fixtures/pairing/stats-${k}.txt`,
    ]),
    'one-big-dump': ['fixtures/dumps/py311-inventory-b.pickle'],
  };
  const cases = Object.entries(AT_WIDTHS).flatMap(([name, inputs]) => WIDTHS.map((w) => [name, w, inputs] as const));

  // Text of each chart that vega drew visibly (labels it left out for lack of room have opacity 0),
  // with its box; and the chart's own box.
  const chartTexts = (page: Page) =>
    page.$$eval('.vega', (charts) =>
      charts.map((c) => {
        const svg = c.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const texts = Array.from(c.querySelectorAll('svg text'))
          .filter((t) => {
            const style = getComputedStyle(t);
            let hidden = style.display === 'none' || style.visibility === 'hidden';
            for (let e: Element | null = t; e && e !== svg; e = e.parentElement)
              if (Number(getComputedStyle(e).opacity) === 0 || e.getAttribute('opacity') === '0') hidden = true;
            return !hidden && (t.textContent ?? '').trim() !== '';
          })
          .map((t) => {
            const r = t.getBoundingClientRect();
            return { text: t.textContent ?? '', x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
          });
        const marks = c.querySelectorAll('.mark-line path, .mark-rect path, .mark-area path, .mark-symbol path').length;
        return { id: c.id, width: box?.width ?? 0, height: box?.height ?? 0, marks, texts };
      }),
    );

  it.each(cases)(
    '%s at %i px: no sideways scroll, every chart drawn, no label over another',
    async (name, w, inputs) => {
      const { page, problems } = await open(`${name}-${w}`, [...inputs], w);
      await page.screenshot({ path: `${OUT}/width-${name}-${w}.png`, fullPage: true });
      const [scroll, inner] = await page.evaluate(() => [document.scrollingElement!.scrollWidth, window.innerWidth]);
      expect(scroll, 'page width').toBeLessThanOrEqual(inner);
      const wider = await page.evaluate(() =>
        Array.from(document.querySelectorAll('body *'))
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.scroll'))
          .map((e) => `${e.tagName} ${e.id} ${e.className}`),
      );
      expect(wider, 'elements past the right edge').toEqual([]);
      const charts = await chartTexts(page);
      expect(charts.length).toBeGreaterThan(0);
      for (const c of charts) {
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.width, c.id).toBeLessThanOrEqual(w);
        expect(c.marks, c.id).toBeGreaterThan(0);
        expect(c.texts.length, c.id).toBeGreaterThan(0); // axis labels at least: the check below has text to check
        // Boxes of text overlap when they share more than half a pixel both ways.
        const overlaps: string[] = [];
        c.texts.forEach((a, i) => {
          for (const b of c.texts.slice(i + 1))
            if (Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0.5 && Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 0.5)
              overlaps.push(`${a.text} / ${b.text}`);
        });
        expect(overlaps, c.id).toEqual([]);
      }
      if (name === 'leaking-series') {
        // The leaks by name in the first screen (900 px high), at both widths.
        const rows = await inFirstScreen(page, '#summary-leaks tbody tr');
        for (const leak of TRUTH.memo_leak!.leak) {
          const row = rows.find((r) => r.text.includes(leak));
          expect(row?.visible, leak).toBe(true);
        }
      }
      expect(problems).toEqual([]);
      await page.close();
    },
  );

  it('a file name that tries to inject HTML is shown as text', async () => {
    const evil = `${OUT}/evil.json`;
    evilSnapshot(evil);
    const { page, problems } = await open('injection', [evil]);
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.textContent('#sites-table')).toContain(EVIL);
    await page.close();
    writeFileSync(`${OUT}/README.txt`, 'Screenshots and pages written by test/report/browser.test.ts.\n');
  });
});
