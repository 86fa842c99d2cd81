// Figures kept beside a capture, for tools whose files do not record them: its time (`.time`),
// tracemalloc's traced peak since the previous capture (`.peak`) and its label (`.label`).

import { readFileSync } from 'node:fs';

/**
 * The capture time in a sidecar file `<capture>.time`: seconds since the epoch, or an ISO 8601
 * date; null when there is none or it cannot be read as a time.
 */
export function sidecarTime(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(`${path}.time`, 'utf8').trim();
  } catch {
    return null;
  }
  const n = Number(text);
  if (text !== '' && Number.isFinite(n)) return n;
  const d = Date.parse(text);
  return Number.isNaN(d) ? null : d / 1000;
}

/**
 * The traced peak in a sidecar file `<capture>.peak`: tracemalloc's peak of traced memory since the
 * previous capture, a whole number of bytes; null when there is none or it is not one.
 */
export function sidecarPeak(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(`${path}.peak`, 'utf8').trim();
  } catch {
    return null;
  }
  const n = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(n) ? n : null;
}

/**
 * The label in a sidecar file `<capture>.label` (one line of UTF-8, as `arenascope run` writes it):
 * the name a capture is shown by; null when there is none or it is empty.
 */
export function sidecarLabel(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(`${path}.label`, 'utf8');
  } catch {
    return null;
  }
  const line = text.split(/\r?\n/)[0]!.trim();
  return line === '' ? null : line;
}
