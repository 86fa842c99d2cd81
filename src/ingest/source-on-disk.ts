// Whether a source file on this machine has a line that Traceback.format() would print: the one
// thing a text listing's reader asks of a program's files (see where tracemalloc-text.ts ends a
// listing after a frame line).

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute } from 'node:path';

// No Python source is larger; a file name in a listing may be any path.
const MAX_BYTES = 64 << 20;

/**
 * True when `filename` (absolute) is a regular file whose line `lineno` holds more than spaces (format()
 * prints it); false when the file is there and the line blank or past its end; null when it cannot be
 * told (no such file, a relative name, a device, FIFO or directory, a file too large or unreadable, or
 * one changed after `printed`, the time the text naming it was last written: an edit since then moved
 * its lines; h385), or when that time is not known (stdin).
 */
export function sourceLineOnDisk(filename: string, lineno: number, printed: number | null): boolean | null {
  if (printed === null || !isAbsolute(filename) || !(lineno >= 1)) return null;
  let fd: number;
  try {
    fd = openSync(filename, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_BYTES || st.mtimeMs > printed) return null;
    const bytes = Buffer.alloc(st.size);
    let n = 0;
    for (let got = 1; got > 0 && n < st.size; n += got) got = readSync(fd, bytes, n, st.size - n, n);
    let start = 0;
    for (let k = 1; k < lineno; k++) {
      const nl = bytes.indexOf(10, start);
      if (nl < 0 || nl >= n) return false;
      start = nl + 1;
    }
    const nl = bytes.indexOf(10, start);
    return /\S/.test(bytes.toString('latin1', start, nl < 0 || nl > n ? n : nl));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
