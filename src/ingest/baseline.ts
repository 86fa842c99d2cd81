// Reading a baseline: the report.json that `arenascope baseline` or `report --json` wrote. Its
// head is sniffed first, so that a baseline given as a large dump is never read whole here.

import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { REPORT_VERSION, type ReportData } from '../analysis/report-data.js';
import { UsageError } from '../util/errors.js';
import { VERSION } from '../version.js';

const HEAD = /^\s*\{\s*"format"\s*:\s*"arenascope-report"/;

function isReportJson(file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  const head = Buffer.alloc(256);
  const fd = openSync(file, 'r');
  try {
    return HEAD.test(head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0)));
  } finally {
    closeSync(fd);
  }
}

/**
 * A baseline report.json, or null when the file is something else (captures to load instead).
 * Reports of arenascope 0.1 named their input formats "kinds"; they read as "formats".
 */
export function readBaseline(file: string): ReportData | null {
  if (!isReportJson(file)) return null;
  let d: ReportData & { kinds?: string[] };
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as ReportData;
  } catch (e) {
    throw new UsageError(`${file}: not a valid baseline (JSON: ${(e as Error).message})`);
  }
  const formats = d.formats ?? d.kinds;
  if (!Array.isArray(formats) || typeof d.summary !== 'object' || d.summary === null) {
    throw new UsageError(
      `${file}: not a complete arenascope report (expected "formats" and "summary"): ` +
        'write it again with `arenascope baseline`',
    );
  }
  if (d.version !== REPORT_VERSION) {
    throw new UsageError(
      `${file}: a version ${d.version} report; ` +
        `this arenascope reads version ${REPORT_VERSION}: write the baseline again`,
    );
  }
  const theirs = /arenascope (\d+\.\d+)/.exec(d.generator ?? '')?.[1];
  const ours = /^(\d+\.\d+)/.exec(VERSION)?.[1];
  if (theirs !== ours) {
    throw new UsageError(
      `${file}: written by ${d.generator ?? 'an unknown arenascope'}, this is arenascope ${VERSION}: ` +
        'write the baseline again with `arenascope baseline`',
    );
  }
  const { kinds: _, ...rest } = d;
  return { ...rest, formats };
}
