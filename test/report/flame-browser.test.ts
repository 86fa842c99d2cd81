// The flame graph in a real browser (Debian's chromium through playwright-core), from file:// with
// every other request blocked: it draws, a click on a box zooms it to the full width, typing in the
// search box highlights the frames that match, and a tooltip holds the frame's source line.
// Screenshots go to test-output/report/ for people to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUT = resolve('test-output/report');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

/** The boxes drawn: where they are on the page (px), their fill and opacity. */
const FRAMES = '#chart-flame .mark-rect.frame path';
const boxes = (page: Page) =>
  page.$$eval(FRAMES, (ps) =>
    ps.map((p) => {
      const r = p.getBoundingClientRect();
      return {
        x: r.left,
        y: r.top,
        w: r.width,
        h: r.height,
        fill: p.getAttribute('fill'),
        opacity: p.getAttribute('fill-opacity'),
      };
    }),
  );

describe.skipIf(!hasChromium)('the flame graph in chromium', () => {
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

  async function open(width: number): Promise<{ page: Page; problems: string[] }> {
    const file = `${OUT}/flame-${width}.html`;
    const r = await cli('report', 'fixtures/dumps/py311-inventory-b.pickle', '-o', file);
    expect(r.code, r.err).toBe(0);
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${file}`);
    await page.evaluate(() =>
      Promise.all(Object.values((window as unknown as { __charts: Record<string, Promise<unknown>> }).__charts)).then(
        () => true,
      ),
    );
    return { page, problems };
  }

  it.each([1400, 800])('at %i px: draws within the page, zooms on a click, highlights what is searched', async (w) => {
    const { page, problems } = await open(w);
    const chart = (await page.$('#chart-flame'))!;
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    const before = await boxes(page);
    expect(before.length).toBeGreaterThan(3);
    for (const b of before) expect(b.x + b.w).toBeLessThanOrEqual(box.x + box.width + 1);
    await chart.screenshot({ path: `${OUT}/flame-${w}.png` });

    // Click a narrow box (playwright scrolls to it): its row then holds one box across the chart.
    const target = before
      .map((b, i) => ({ ...b, i }))
      .filter((b) => b.w >= 8 && b.w < box.width / 2)
      .sort((a, b) => a.w - b.w)[0]!;
    expect(target).toBeDefined();
    const across = (bs: typeof before) => bs.filter((b) => Math.abs(b.y - target.y) < 1 && b.w > box.width - 2);
    expect(across(before)).toHaveLength(0);
    await (await page.$$(FRAMES))[target.i]!.click();
    await page.waitForTimeout(200);
    expect(across(await boxes(page))).toHaveLength(1);
    await chart.screenshot({ path: `${OUT}/flame-${w}-zoomed.png` });
    await page.keyboard.press('Escape');
    await page.waitForTimeout(200);
    // Zoomed out: the boxes as before (across, not down: the click may have scrolled the page).
    const xs = (bs: typeof before) => bs.map((b) => `${b.x.toFixed(1)} ${b.w.toFixed(1)}`).sort();
    expect(xs(await boxes(page))).toEqual(xs(before));

    // Typing in the search box: the boxes of inventory.py line 12 turn purple (their labels white), the rest dim.
    await page.fill('#chart-flame input[type="text"]', 'inventory.py:12');
    await page.waitForTimeout(400);
    const after = await boxes(page);
    const hits = after.filter((b) => b.fill === '#8e44ad');
    expect(hits.length).toBeGreaterThan(0);
    expect(after.filter((b) => b.opacity === '0.3')).toHaveLength(after.length - hits.length);
    const white = await page.$$eval('#chart-flame .mark-text.label text[fill="white"][opacity="1"]', (ts) =>
      ts.map((t) => t.textContent),
    );
    expect(white.length).toBeGreaterThan(0);
    for (const t of white) expect(t).toBe('inventory.py:12');
    await chart.screenshot({ path: `${OUT}/flame-${w}-search.png` });
    expect(problems).toEqual([]);
    await page.close();
  });
});
