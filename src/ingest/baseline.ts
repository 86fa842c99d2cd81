// Reading a baseline: the report.json that `arenascope baseline` or `report --json` wrote, checked
// against schema/arenascope-report.schema.json before the gate uses it. Its head is sniffed first,
// so that a baseline given as a large dump is never read whole here.

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { REPORT_VERSION, type ReportData } from '../analysis/report-data.js';
import { InputError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { readJsonFile, textHead } from './json-file.js';
import { jsonExcerpt } from './json-schema.js';

// Unicode's control characters (general category Cc), spelled out: `\p{Cc}` initialises ICU (util/text.ts).
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it replaces
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

// A JSON object whose "format" is arenascope-report, wherever the key comes among the first 64 KiB:
// `jq -S` or sort_keys put "allocatorStats" first (a sorted baseline was "not a format arenascope reads").
const OBJECT = /^\s*\{/;
const FORMAT_KEY = /"format"\s*:\s*"arenascope-report"/;

/** Whether a file is a report's JSON (`arenascope baseline`, `report --json-out`), by its first bytes. */
export function isReportJson(file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  const head = Buffer.alloc(64 * 1024);
  const fd = openSync(file, 'r');
  try {
    const text = textHead(head.subarray(0, readSync(fd, head, 0, head.length, 0))).replace(/^\uFEFF/, '');
    return OBJECT.test(text) && FORMAT_KEY.test(text);
  } finally {
    closeSync(fd);
  }
}

// Before the schema: a report of another version or release may not fit this one's schema, and
// what helps then is to write the baseline again.
function checkVersion(file: string, d: { version?: unknown; generator?: unknown }): void {
  // Absent, they are left to the schema, which names what is missing.
  if (d.version !== undefined && d.version !== REPORT_VERSION) {
    throw new InputError(
      file,
      '/version',
      `a version ${jsonExcerpt(d.version ?? null, 20)} report; ` +
        `this arenascope reads version ${REPORT_VERSION}: write the baseline again`,
    );
  }
  const generator = typeof d.generator === 'string' ? d.generator.slice(0, 60).replace(CONTROL, ' ') : null;
  const theirs = /arenascope (\d+\.\d+)/.exec(generator ?? '')?.[1];
  const ours = /^(\d+\.\d+)/.exec(VERSION)?.[1];
  if (d.generator !== undefined && theirs !== ours) {
    throw new InputError(
      file,
      '/generator',
      `written by ${generator ?? 'an unknown arenascope'}, this is arenascope ${VERSION}: ` +
        'write the baseline again with `arenascope baseline`',
    );
  }
}

/**
 * A baseline report.json, or null when the file is something else (captures to load instead).
 * Reports of arenascope 0.1 named their input formats "kinds"; they read as "formats".
 */
export function readBaseline(file: string): ReportData | null {
  if (!isReportJson(file)) return null;
  const d = readJsonFile(file, 'report', {
    hint: '; a baseline written by `arenascope baseline` is never so deep',
    check: (v) => checkVersion(file, v as { version?: unknown; generator?: unknown }),
  }) as ReportData & { kinds?: readonly string[] };
  const { kinds, ...rest } = d;
  checkCaptures(file, d);
  checkRoot(file, d);
  return { ...rest, formats: d.formats ?? kinds! };
}

// What the schema cannot say: a capture per label and total, and `final` one of them (a baseline
// edited by hand: its last capture was another one, or the gate stopped on an internal error).
function checkCaptures(file: string, d: ReportData): void {
  const s = d.snapshots;
  if (!s) return;
  const n = s.totals.length;
  if (!Array.isArray(s.labels) || s.labels.length !== n) {
    throw new InputError(
      file,
      '/snapshots/labels',
      `expected a label for each of the ${n} captures of /snapshots/totals, found ${Array.isArray(s.labels) ? s.labels.length : 'none'}`,
    );
  }
  // `final` is the capture before a run's exit capture, and the exit capture's lines (exitSites) are
  // kept beside its own: an exit leak was judged against no exit capture when they did not match. Of a
  // pytest run, its last test's capture: after the first, before the last.
  const exit = n >= 3 && s.labels[n - 1] === 'exit';
  if (s.finalIsLastTest !== undefined && s.finalIsLastTest !== true) {
    throw new InputError(
      file,
      '/snapshots/finalIsLastTest',
      `expected true or nothing, found ${jsonExcerpt(s.finalIsLastTest, 40)}`,
    );
  }
  if (s.finalIsLastTest) {
    if (!(Number.isInteger(s.final) && s.final! >= 1 && s.final! < n - 1)) {
      throw new InputError(
        file,
        '/snapshots/final',
        `expected the last test's capture of a pytest run (/snapshots/finalIsLastTest): a capture from the second ` +
          `to the one before the last of the ${n}, found ${s.final === undefined ? 'none' : jsonExcerpt(s.final, 40)}`,
      );
    }
  } else if (s.final !== undefined && !(exit && s.final === n - 2)) {
    throw new InputError(
      file,
      '/snapshots/final',
      exit
        ? `expected ${n - 2}, the capture before the exit capture (the last of ${n}), found ${s.final}`
        : n === 0
          ? `expected none (it names the capture before a run's exit capture, and the baseline has no capture), found ${s.final}`
          : `expected none (it names the capture before a run's exit capture, and the last of the ${n} captures ` +
            `is ${jsonExcerpt(String(s.labels[n - 1]), 40)}${n < 3 ? ', with none between it and the first' : ''}), found ${s.final}`,
    );
  }
  if (s.exitSites && s.final === undefined) {
    throw new InputError(
      file,
      '/snapshots/final',
      'expected the capture before exit beside /snapshots/exitSites (the lines of the exit capture), found none',
    );
  }
  // A line given twice has two sizes: which one the site check compared was chance.
  for (const key of ['topSites', 'exitSites'] as const) {
    const seen = new Map<string, number>();
    for (const [i, site] of (s[key] ?? []).entries()) {
      const f = site.frames[0]!;
      const line = `${f.filename}\0${f.lineno}`;
      const first = seen.get(line);
      if (first !== undefined) {
        throw new InputError(
          file,
          `/snapshots/${key}/${i}`,
          `${jsonExcerpt(f.filename, 60)}:${f.lineno} is given twice (first at /snapshots/${key}/${first}): ` +
            'a baseline holds each line once; write it again with `arenascope baseline`',
        );
      }
      seen.set(line, i);
    }
  }
}

// The folder lines are keyed by is absolute as `baseline` writes it: a relative one matches no file.
function checkRoot(file: string, d: ReportData): void {
  for (const [i, r] of [d.root, ...(d.rootAliases ?? [])].entries()) {
    if (r !== undefined && !/^(?:\/|[A-Za-z]:[\\/])/.test(r)) {
      throw new InputError(
        file,
        i ? `/rootAliases/${i - 1}` : '/root',
        `expected an absolute path, found ${jsonExcerpt(r, 60)}`,
      );
    }
  }
}
