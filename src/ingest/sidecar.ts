// Capture times kept beside a capture, for tools whose files do not record one.

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
