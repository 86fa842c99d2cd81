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
// dist/bin/modules.json says which of dist/'s modules each file holds (for the module-graph test).
// Where rolldown cannot run (no native binding for the platform), the entry is a one-line CommonJS file
// that imports dist/cli/main.js: the same command, on Node's ES module loader. Run after tsc:
// `node scripts/build-bundle.mjs`.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const OUT = `${DIST}bin/`;
const ENTRY = 'arenascope.cjs';
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
  writeFileSync(`${OUT}modules.json`, `${JSON.stringify({ [ENTRY]: [] }, null, 2)}\n`);
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
writeFileSync(`${OUT}modules.json`, `${JSON.stringify(modules, null, 2)}\n`);
chmodSync(`${OUT}${ENTRY}`, 0o755);
