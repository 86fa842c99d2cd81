// npm run bench (third part): the HTML report of the largest benchmark inputs: its size, the time
// to write it, and the time chromium takes to open it from file:// and draw every chart.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const PY = process.env.PYTHON ?? 'python3';
const OUT = 'bench/out';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const inputs = [`${OUT}/1000000-s1.pickle`, `${OUT}/1000000-s2.pickle`, `${OUT}/1000000.dat`];
for (const [f, args] of [
  [inputs[0], ['bench/make_dump.py', '1000000', inputs[0], '--seed', '1']],
  [inputs[1], ['bench/make_dump.py', '1000000', inputs[1], '--seed', '2']],
  [inputs[2], ['bench/make_dat.py', '1000000', inputs[2]]],
])
  if (!existsSync(f)) execFileSync(PY, args);

const html = resolve(`${OUT}/report.html`);
const t0 = Date.now();
execFileSync('node', ['dist/cli/main.js', 'report', ...inputs, '-o', html]);
const writeS = (Date.now() - t0) / 1000;
console.log(
  `\nreport of 2 captures of 1M blocks and a 1M-sample mprof run: ${(statSync(html).size / 2 ** 20).toFixed(2)} MiB, written in ${writeS.toFixed(2)} s`,
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
