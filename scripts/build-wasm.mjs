// Compiles the pickle reader's hot loop from AssemblyScript (src/ingest/pickle/assembly/trace-scanner.ts)
// to dist/ingest/pickle/trace-scanner.wasm, where src/ingest/pickle/trace-scanner.ts loads it from
// (the compiled module in dist/, and the source under vitest). Part of `npm run build`.
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const source = 'src/ingest/pickle/assembly/trace-scanner.ts';
// Another output path as the argument: the fuzz campaign builds its own tree (scripts/fuzz.mjs).
const out = process.argv[2] ?? 'dist/ingest/pickle/trace-scanner.wasm';
// The stub runtime: the module allocates nothing, its tables are static memory. --noAssert: it has
// no assertions, and must not trap on input bytes.
const { error, stderr } = await asc.main([source, '-O3', '--runtime', 'stub', '--noAssert', '--outFile', out]);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: ${error.message}`);
  process.exit(1);
}
