// Figures kept beside a capture, for tools whose files do not record them: its time (`.time`),
// tracemalloc's traced peak since the previous capture (`.peak`) and its label (`.label`).
// A sidecar that is there but cannot be read, or does not hold what its name says, is an input
// error naming it: dropped, a bad time reordered a series and hid a leak, a bad peak passed a gate.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../util/errors.js';
import { zlib } from '../util/zlib.js';
import { readSmallFile } from './small-file.js';

// A sidecar holds one line; gunzipped, more than this is no sidecar.
const MAX_SIDECAR = 1 << 20;

function searchable(dir: string): boolean {
  try {
    accessSync(dir, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A sidecar's text (UTF-8, or UTF-16 after its byte-order mark, as Windows tools save it), its
 * byte-order mark left out; null when there is no such file.
 */
function sidecarText(file: string): string | null {
  // A capture read from stdin ('-') has none.
  if (/^-\.(?:time|peak|label)$/.test(file)) return null;
  // A folder this user cannot look into: its capture cannot be opened either, and that read says so
  // (the sidecar was blamed, a file the user never named).
  if (!searchable(dirname(file))) return null;
  let bytes = readSmallFile(file, MAX_SIDECAR, 'a sidecar');
  if (bytes === null) return null;
  if (file.endsWith('.gz')) {
    try {
      bytes = zlib().gunzipSync(bytes, { maxOutputLength: MAX_SIDECAR });
    } catch (e) {
      throw new InputError(file, '', `cannot be gunzipped (${(e as Error).message})`);
    }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * The sidecar `ext` of a capture: `<capture><ext>`, or for a capture gzipped after it was written
 * (`0003.pickle.gz`), the one it had (`0003.pickle.time`) when it has none of its own; either
 * gzipped too (`gzip -r` of a folder: `0003.pickle.time.gz`).
 */
export function sidecarPath(path: string, ext: '.time' | '.peak' | '.label'): string {
  const own = `${path}${ext}`;
  if (path === '-') return own;
  const names = [own, `${own}.gz`];
  if (path.endsWith('.gz')) names.push(`${path.slice(0, -3)}${ext}`, `${path.slice(0, -3)}${ext}.gz`);
  return names.find((n) => existsSync(n)) ?? own;
}

/** The one value a .time or .peak sidecar holds: its text trimmed; null when there is none (empty). */
function sidecarValue(file: string, what: string): string | null {
  const text = sidecarText(file)?.trim();
  // Empty: none (a run stopped while writing it, before arenascope wrote sidecars whole).
  if (!text) return null;
  if (/[\r\n]/.test(text)) throw new InputError(file, '', `expected ${what} alone, found several lines`);
  return text;
}

const found = (text: string): string => JSON.stringify(text.slice(0, 80));

/** A decimal number as Python's float() and time.time() write it (no hex, no Infinity); a comma for the point too. */
const DECIMAL = /^[+-]?(\d+[.,]?\d*|[.,]\d+)([eE][+-]?\d+)?$/;
/** The seconds a calendar date can be: JavaScript's Date range, ±100,000,000 days from 1970. */
const MAX_SECONDS = 8.64e12;
// The year 5138: a time past it is no time.time() (milliseconds since 1970 are).
const LATEST_SECONDS = 1e11;
// ISO 8601 as date(1), Python's isoformat() and people write it: extended or basic, a space or T,
// hours alone or with minutes and seconds, a fraction after a point or a comma, Z or an offset.
const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Seconds since 1970 of an ISO 8601 date, or NaN when it is not one or names no real day. */
function isoSeconds(text: string): number {
  const m = ISO.exec(text);
  if (!m) return Number.NaN;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7) as string[];
  const frac = m[7] ? Number(`0.${m[7]}`) : 0;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const t = new Date(ms);
  // Date.UTC rolls over (February 30 is March 2): a day that is not one is refused.
  if (t.getUTCMonth() !== Number(mo) - 1 || t.getUTCDate() !== Number(d)) return Number.NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return Number.NaN;
  let offset = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')];
    // An offset is less than a day, as Python's fromisoformat requires ('+25:00' moved a capture a day on).
    if (hours > 23 || minutes > 59) return Number.NaN;
    offset = sign * (hours * 3600 + minutes * 60);
  }
  // Without a zone, as Date.parse reads a date and time without one: local time.
  const local = zone ? 0 : new Date(ms).getTimezoneOffset() * 60;
  return ms / 1000 + frac - offset + local;
}

/**
 * The capture time in a sidecar file `<capture>.time`: seconds since the epoch, or an ISO 8601
 * date; null when there is none (no file, or an empty one).
 */
export function sidecarTime(path: string): number | null {
  const file = sidecarPath(path, '.time');
  const text = sidecarValue(file, 'the capture time');
  if (text === null) return null;
  const n = DECIMAL.test(text) ? Number(text.replace(',', '.')) : isoSeconds(text);
  if (!Number.isFinite(n) || Math.abs(n) > MAX_SECONDS) {
    throw new InputError(
      file,
      'line 1',
      `expected the capture time, seconds since 1970 (as time.time() gives) or an ISO 8601 date, found ${found(text)}`,
    );
  }
  // Milliseconds (`int(time.time() * 1000)`) read as seconds made a leak's rate 1000 times too slow (h303).
  if (n >= LATEST_SECONDS) {
    throw new InputError(
      file,
      'line 1',
      `expected the capture time, seconds since 1970 (as time.time() gives) or an ISO 8601 date, found ${found(text)}: ` +
        `as seconds, the year ${new Date(n * 1000).getUTCFullYear()} (milliseconds?)`,
    );
  }
  return n;
}

/**
 * The traced peak in a sidecar file `<capture>.peak`: tracemalloc's peak of traced memory since the
 * previous capture, a whole number of bytes; null when there is none.
 */
export function sidecarPeak(path: string): number | null {
  const file = sidecarPath(path, '.peak');
  const text = sidecarValue(file, "tracemalloc's traced peak");
  if (text === null) return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new InputError(
      file,
      'line 1',
      `expected tracemalloc's traced peak, a whole number of bytes (as get_traced_memory()[1] gives), found ${found(text)}`,
    );
  }
  return n;
}

/**
 * A snapshot's traced peak as given beside it (`.peak`), no lower than the snapshot's own traced total:
 * read before the snapshot was taken, it may miss what was allocated in between (126 B of 122 KiB in
 * fixtures/pymalloc/peak38). One far lower (a hand-edited 1000 B beside 877 KiB; `info` printed it,
 * report and gate took the total unsaid) is no peak of this snapshot's: the total, with a warning.
 */
export function peakAtLeastTotal(
  peak: number | null,
  total: number,
  path: string,
  warned: (w: string) => void,
): number | null {
  if (peak === null || peak >= total) return peak;
  if (peak < 0.9 * total)
    warned(
      `${path}: its traced peak as given beside it, ${peak} B, is below the snapshot's own traced total, ${total} B ` +
        "(tracemalloc's peak never is): read as the total",
    );
  return total;
}

/**
 * The label in a sidecar file `<capture>.label` (one line of UTF-8, as `arenascope run` writes it):
 * the name a capture is shown by; null when there is none or it is empty.
 */
export function sidecarLabel(path: string): string | null {
  const text = sidecarText(sidecarPath(path, '.label'));
  const line = text
    ?.split(/\r?\n/)
    .find((l) => l.trim() !== '')
    ?.trim();
  return line || null;
}
