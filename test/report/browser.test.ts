// The HTML report in a real browser (Debian's chromium through playwright-core), opened from
// file:// with every other request blocked: no console error or failed request, every chart drew
// marks, tooltips appear, tables sort and filter, for each kind of input alone and mixed, and an
// injection attempt in a file name stays text. Screenshots of every section go to test-output/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
};

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

  async function open(name: string, inputs: string[]): Promise<{ page: Page; problems: string[] }> {
    const file = `${OUT}/${name}.html`;
    const r = await cli('report', ...inputs, '-o', file, '--title', `arenascope: ${name}`);
    expect(r.code, r.err).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
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
    expect(await page.getAttribute('#chart-top-sites', 'title')).toMatch(/site: .+\nKiB: /);

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
