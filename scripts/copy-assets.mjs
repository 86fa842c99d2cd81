// Copies the HTML report's static assets (stylesheet, page script) next to the compiled page module,
// where dist/report/html/page.js reads them at run time. Run after tsc: `node scripts/copy-assets.mjs`.
import { cpSync, rmSync } from 'node:fs';

const from = new URL('../src/report/html/assets/', import.meta.url);
const to = new URL('../dist/report/html/assets/', import.meta.url);
// Start empty so that an asset removed from src/ does not linger in dist/.
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
