// Copies the HTML report's static assets (stylesheet, page script, vega's runtime) next to the compiled page module,
// where dist/report/html/page.js reads them at run time. Run after tsc: `node scripts/copy-assets.mjs`.
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const from = new URL('../src/report/html/assets/', import.meta.url);
const to = new URL('../dist/report/html/assets/', import.meta.url);
// Start empty so that an asset removed from src/ does not linger in dist/.
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
// The vega runtime the page inlines, from the installed package (page.ts reads it here).
const vega = createRequire(import.meta.url).resolve('vega');
cpSync(join(dirname(vega), 'vega.min.js'), new URL('vega.min.js', to));
