// Compiles the WebAssembly modules from their AssemblyScript sources into dist/, where the TypeScript
// that drives each one loads it from (the compiled module in dist/, and the source under vitest):
// - the pickle reader's hot loop, src/ingest/pickle/assembly/trace-scanner.ts, for
//   src/ingest/pickle/trace-scanner.ts;
// - the replay's model of pymalloc, src/analysis/pymalloc/assembly/replay-model.ts, for
//   src/analysis/pymalloc/replay-model.ts.
// Part of `npm run build`.
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const MODULES = [
  'ingest/pickle/trace-scanner',
  'ingest/mem-lines',
  'analysis/select',
  'analysis/pymalloc/replay-model',
];
// Another dist/ as the argument: the fuzz campaign builds its own tree (scripts/fuzz.mjs).
const dist = process.argv[2] ?? 'dist';
for (const name of MODULES) {
  const dir = name.slice(0, name.lastIndexOf('/'));
  const file = name.slice(name.lastIndexOf('/') + 1);
  // The stub runtime: the modules allocate no objects, their tables are static memory or laid out
  // by hand. --noAssert: they have no assertions, and must not trap on input bytes.
  const { error, stderr } = await asc.main([
    `src/${dir}/assembly/${file}.ts`,
    '-O3',
    '--runtime',
    'stub',
    '--noAssert',
    '--outFile',
    `${dist}/${name}.wasm`,
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${name}: ${error.message}`);
    process.exit(1);
  }
}
