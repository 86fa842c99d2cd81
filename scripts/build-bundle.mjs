// Bundles the command line (dist/cli/main.js and what it imports, compiled by tsc) into CommonJS
// files in dist/bin/: the entry arenascope.cjs, which package.json's `bin` names, and one chunk per
// dynamic import (a command's module and what only it uses), so that a command still loads only
// what it uses (test/cli/module-graph.test.ts). Node's ES module loader costs ~25 ms at start-up on
// 33 files (its own modules compiled, each file resolved and read asynchronously); require() of a
// few bundled files does not (issue 14). Packages stay outside, loaded where they are used.
//
// Each module keeps its own location: `import.meta.url` becomes the URL of its file in dist/, so
// that the files it reads beside it (the scanner's WebAssembly, the workers, help texts, assets,
// schemas) are found where tsc and the other build steps put them.
//
// The chart thread of `report` (report/html/chart-worker.js) is bundled too, with vega-lite in it, into
// dist/bin/chart-worker.mjs: vega-lite and vega load as ~270 files (~0.2 s and ~20 MiB on that thread,
// beside the replay on the other core), bundled they load in ~25 ms. vega-lite imports four helpers
// from vega, which re-exports them from vega-util; the bundle takes them from vega-util (rolldown fails
// on a name vega-util lacks, and the bundle then holds vega). test/report/chart-compiler.test.ts checks
// that it compiles a real page's charts to the bytes vega-lite and vega compile them to on the main thread.
//
// dist/bin/modules.json says which of dist/'s modules each file holds (for the module-graph test).
// Where rolldown cannot run (no native binding for the platform), the entry is a one-line CommonJS file
// that imports dist/cli/main.js, and the chart thread's file one that imports its module: the same
// command, on Node's ES module loader. Run after tsc: `node scripts/build-bundle.mjs`.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const OUT = `${DIST}bin/`;
const ENTRY = 'arenascope.cjs';
const CHARTS = 'chart-worker.mjs';
const CHARTS_MODULE = `${DIST}report/html/chart-worker.js`;
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const packages = Object.keys(dependencies);
const builtins = new Set(builtinModules);

/** A package, a subpath of one, or Node's own module: not bundled. */
const external = (id) =>
  id.startsWith('node:') || builtins.has(id) || packages.some((p) => id === p || id.startsWith(`${p}/`));

const ownLocation = {
  name: 'own-location',
  transform(code, id) {
    if (!code.includes('import.meta.url')) return null;
    const path = relative(OUT, id).split(sep).join('/'); // a URL's separators, on Windows too
    const url = `new URL(${JSON.stringify(path)}, import.meta.url).href`;
    return code.replaceAll('import.meta.url', url);
  },
};

// dist/cli/main.js stays a command too (the ES modules' entry, with its #!): it was package.json's `bin`
// before the bundle, and npx keeps the links it made to a project's own bin in its cache, so `npx arenascope`
// in a checkout that npx ran before still runs it (not executable, that link failed with exit 126).
chmodSync(`${DIST}cli/main.js`, 0o755);
rmSync(OUT, { recursive: true, force: true });
let build;
try {
  ({ build } = await import('rolldown'));
} catch (e) {
  console.warn(`build-bundle: rolldown cannot run here (${e.message}); ${ENTRY} loads the ES modules instead`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}${ENTRY}`, "#!/usr/bin/env node\nimport('../cli/main.js');\n");
  writeFileSync(`${OUT}${CHARTS}`, "import '../report/html/chart-worker.js';\n");
  writeFileSync(`${OUT}modules.json`, `${JSON.stringify({ [ENTRY]: [], [CHARTS]: [] }, null, 2)}\n`);
  chmodSync(`${OUT}${ENTRY}`, 0o755);
  process.exit(0);
}
const { output } = await build({
  input: { arenascope: `${DIST}cli/main.js` },
  platform: 'node',
  external,
  plugins: [ownLocation],
  logLevel: 'warn',
  output: { dir: OUT, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
});

const modules = {};
for (const chunk of output) {
  if (chunk.type !== 'chunk') continue;
  const own = chunk.moduleIds.filter((m) => m.startsWith(DIST));
  modules[chunk.fileName] = own.map((m) => relative(DIST, m).split(sep).join('/'));
}
if (!modules[ENTRY]?.includes('cli/main.js')) throw new Error(`${ENTRY} does not hold cli/main.js`);

// The chart thread: everything but Node's own modules in one ES module (vega-canvas, which vega
// loads, awaits at its top level: no CommonJS).
const bundleCharts = (alias) =>
  build({
    input: { [CHARTS.replace(/\.mjs$/, '')]: CHARTS_MODULE },
    platform: 'node',
    external: (id) => id.startsWith('node:') || builtins.has(id),
    resolve: { alias },
    logLevel: 'silent',
    output: { dir: OUT, format: 'es', entryFileNames: '[name].mjs' },
  });
try {
  await bundleCharts({ vega: 'vega-util' });
} catch (e) {
  // rolldown's message, without its colours, first line of the first error (a missing export).
  const plain = stripVTControlCharacters(e.message).split('\n');
  const why = plain.find((l) => l.includes('MISSING_EXPORT')) ?? plain[0];
  console.warn(`build-bundle: vega-lite needs more of vega than vega-util holds (${why.trim()}); ${CHARTS} holds vega`);
  await bundleCharts({});
}
modules[CHARTS] = ['report/html/chart-worker.js'];
writeFileSync(`${OUT}modules.json`, `${JSON.stringify(modules, null, 2)}\n`);
chmodSync(`${OUT}${ENTRY}`, 0o755);
