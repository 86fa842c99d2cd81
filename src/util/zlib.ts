// node:zlib, loaded when a gzip or zip input first needs it: loading it costs ~8-15 ms of a command's
// start-up (issue 14), and most inputs are plain files.
import { createRequire } from 'node:module';

type Zlib = typeof import('node:zlib');

let loaded: Zlib | null = null;

export function zlib(): Zlib {
  loaded ??= createRequire(import.meta.url)('node:zlib') as Zlib;
  return loaded;
}
