// The small files read whole beside the captures: sidecars, a gate's config, a baseline's JSON, a run
// folder's manifest and events. Only a regular file is read, and no more of it than such a file holds:
// a sidecar linked to /dev/zero grew to 6.7 GB, a FIFO for a config waited for ever, an unreadable
// manifest was an internal error (exit 3).

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../util/errors.js';

const WHY: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ELOOP: 'a loop of symbolic links',
  ENXIO: 'not a file (a socket or a device)',
  ENAMETOOLONG: 'its name is too long',
};

const mib = (n: number): string => `${Math.round(n / 2 ** 20)} MiB`;

/**
 * The bytes of `file`, a regular file of at most `max` bytes (`what` it is, for the errors); null
 * when there is no such file. Anything else is an InputError naming the file.
 */
export function readSmallFile(file: string, max: number, what: string): Buffer | null {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO waits for a writer otherwise (it is refused below as no file).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(file, '', `cannot be read: ${WHY[code] ?? (code || String(e))}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new InputError(file, '', `not a regular file (a FIFO, a device or a socket): expected ${what}`);
    if (stat.size > max) {
      throw new InputError(file, '', `${stat.size} bytes: larger than ${what} is (${mib(max)} at most)`);
    }
    // Read up to one byte past `max`: a file that grows, or says size 0 (/proc), is still bounded.
    const out: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(Math.min(max + 1, Math.max(stat.size + 1, 1 << 16)));
    for (;;) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, max + 1 - total), null);
      if (n === 0) break;
      out.push(Buffer.from(chunk.subarray(0, n)));
      total += n;
      if (total > max) throw new InputError(file, '', `larger than ${what} is (${mib(max)} at most)`);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out, total);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new InputError(file, '', `cannot be read: ${WHY[code] ?? (code || String(e))}`);
  } finally {
    closeSync(fd);
  }
}
