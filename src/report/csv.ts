// CSV tables (fast-csv), one row per statistic; frames are oldest first, joined by ' > '.

import { writeToString } from 'fast-csv';
import type { SnapshotLeaks } from '../analysis/leak-results.js';
import type { DiffResult, Statistic, StatsResult } from '../analysis/statistics.js';

function frameColumns(s: Statistic): [string, number, string] {
  const key = s.frames[0]!;
  return [key.filename, key.lineno, s.frames.map((f) => `${f.filename}:${f.lineno}`).join(' > ')];
}

export function renderStatsCsv(r: StatsResult): Promise<string> {
  const rows = r.stats.map((s, i) => {
    const [filename, lineno, traceback] = frameColumns(s);
    return [i + 1, filename, lineno, s.size, s.count, s.count ? s.size / s.count : '', traceback];
  });
  return writeToString(rows, {
    headers: ['rank', 'filename', 'lineno', 'size', 'count', 'average', 'traceback'],
    includeEndRowDelimiter: true,
  });
}

export function renderDiffCsv(r: DiffResult): Promise<string> {
  const rows = r.stats.map((s, i) => {
    const [filename, lineno, traceback] = frameColumns(s);
    return [i + 1, filename, lineno, s.size, s.sizeDiff, s.count, s.countDiff, traceback];
  });
  const headers = ['rank', 'filename', 'lineno', 'size', 'size_diff', 'count', 'count_diff', 'traceback'];
  return writeToString(rows, { headers, includeEndRowDelimiter: true });
}

/** One row per site of a snapshot series (leak verdicts), bytes per capture joined by ';'. */
export function renderLeaksCsv(r: SnapshotLeaks): Promise<string> {
  const rows = r.sites.map((s) => [
    s.verdict,
    s.filename,
    s.lineno,
    s.growthBytes,
    s.growthPerSecond ?? '',
    s.growthPerStep,
    s.confidence,
    s.bytesPerCapture.join(';'),
  ]);
  const headers = [
    'verdict',
    'filename',
    'lineno',
    'growth_bytes',
    'growth_per_second',
    'growth_per_capture',
    'confidence',
    'bytes_per_capture',
  ];
  return writeToString(rows, { headers, includeEndRowDelimiter: true });
}
