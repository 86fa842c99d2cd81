// The WebAssembly modules `npm run build` compiles from AssemblyScript (scripts/build-wasm.mjs): each
// compiled once a process, where the TypeScript that drives it asks for it.

import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** The module at `url` (`what` names it when it is missing: the build was not run). */
export function compileWasm(url: URL, what: string): WebAssembly.Module {
  // Node.js without WebAssembly (--jitless, --lite-mode, --no-expose-wasm): said so, not 'internal error'.
  if (typeof WebAssembly === 'undefined') {
    throw new UsageError(
      `${what} runs in WebAssembly, which this Node.js process does not have: run node without --jitless, ` +
        '--lite-mode or --no-expose-wasm (in NODE_OPTIONS too)',
    );
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = readFileSync(url);
  } catch (e) {
    throw new Error(`${what} ${url.pathname} is missing: run \`npm run build\` (${String(e)})`);
  }
  return new WebAssembly.Module(bytes);
}
