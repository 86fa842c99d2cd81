// The WebAssembly modules `npm run build` compiles from AssemblyScript (scripts/build-wasm.mjs): each
// compiled once a process, where the TypeScript that drives it asks for it.

import { readFileSync } from 'node:fs';

/** The module at `url` (`what` names it when it is missing: the build was not run). */
export function compileWasm(url: URL, what: string): WebAssembly.Module {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = readFileSync(url);
  } catch (e) {
    throw new Error(`${what} ${url.pathname} is missing: run \`npm run build\` (${String(e)})`);
  }
  return new WebAssembly.Module(bytes);
}
