// npm run bench (third part): the HTML report of the largest benchmark inputs: its size, the time
// to write it, and the time chromium takes to open it from file:// and draw every chart.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CLI, input, OUT } from './lib.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const inputs = [
  input('1000000-s1.pickle', ['bench/make_dump.py', '1000000', '--seed', '1']),
  input('1000000-s2.pickle', ['bench/make_dump.py', '1000000', '--seed', '2']),
  input('1000000.dat', ['bench/make_dat.py', '1000000']),
];

const html = resolve(`${OUT}/report.html`);
const t0 = Date.now();
execFileSync(CLI[0], [...CLI.slice(1), 'report', ...inputs, '-o', html]);
const writeS = (Date.now() - t0) / 1000;
const pageMiB = statSync(html).size / 2 ** 20;
console.log(
  `\nreport of 2 captures of 1M blocks and a 1M-sample mprof run: ${pageMiB.toFixed(2)} MiB, ` +
    `written in ${writeS.toFixed(2)} s`,
);

if (!existsSync(CHROMIUM)) {
  console.log(`(no chromium at ${CHROMIUM}: load time not measured)`);
} else {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  const times = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage();
    const t = Date.now();
    await page.goto(`file://${html}`);
    await page.evaluate(() => Promise.all(Object.values(window.__charts)).then(() => true));
    times.push((Date.now() - t) / 1000);
    await page.close();
  }
  await browser.close();
  console.log(`opened and drawn in chromium (3 loads): ${times.map((t) => t.toFixed(2)).join(', ')} s`);
}
