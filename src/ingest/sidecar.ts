// Figures kept beside a capture, for tools whose files do not record them: its time (`.time`),
// tracemalloc's traced peak since the previous capture (`.peak`) and its label (`.label`).
// A sidecar that is there but cannot be read, or does not hold what its name says, is an input
// error naming it: dropped, a bad time reordered a series and hid a leak, a bad peak passed a gate.

import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.js';

/** A sidecar's first line, trimmed; null when there is no such file or it is empty. */
function sidecarText(file: string): string | null {
  // A capture read from stdin has none (its name holds the NUL that marks stdin).
  if (file.includes('\0')) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(file, '', `cannot be read (${(e as Error).message})`);
  }
  const line = text.split(/\r?\n/)[0]!.trim();
  return line === '' ? null : line;
}

/** A decimal number as Python's float() and time.time() write it (no hex, no Infinity). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** The seconds a calendar date can be: JavaScript's Date range, ±100,000,000 days from 1970. */
const MAX_SECONDS = 8.64e12;

/**
 * The capture time in a sidecar file `<capture>.time`: seconds since the epoch, or an ISO 8601
 * date; null when there is none (no file, or an empty one).
 */
export function sidecarTime(path: string): number | null {
  const file = `${path}.time`;
  const text = sidecarText(file);
  if (text === null) return null;
  const n = DECIMAL.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(n) || Math.abs(n) > MAX_SECONDS) {
    throw new InputError(
      file,
      'line 1',
      `expected the capture time, seconds since 1970 (as time.time() gives) or an ISO 8601 date, found "${text.slice(0, 80)}"`,
    );
  }
  return n;
}

/**
 * The traced peak in a sidecar file `<capture>.peak`: tracemalloc's peak of traced memory since the
 * previous capture, a whole number of bytes; null when there is none.
 */
export function sidecarPeak(path: string): number | null {
  const file = `${path}.peak`;
  const text = sidecarText(file);
  if (text === null) return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new InputError(
      file,
      'line 1',
      `expected tracemalloc's traced peak, a whole number of bytes (as get_traced_memory()[1] gives), found "${text.slice(0, 80)}"`,
    );
  }
  return n;
}

/**
 * The label in a sidecar file `<capture>.label` (one line of UTF-8, as `arenascope run` writes it):
 * the name a capture is shown by; null when there is none or it is empty.
 */
export function sidecarLabel(path: string): string | null {
  return sidecarText(`${path}.label`);
}
