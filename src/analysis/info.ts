// What `arenascope info` says about a capture.

import type { Capture } from '../model/capture.js';
import type { TraceLayout } from '../model/snapshot.js';

export interface CaptureInfo {
  readonly file: string;
  readonly format: string;
  readonly gzip: boolean;
  readonly bytes: number;
  /** Which Pythons write this trace layout. */
  readonly pythonLayout: string;
  readonly tracebackLimit: number | null;
  readonly traces: number;
  readonly groups: number;
  readonly tracebacks: number;
  readonly frames: number;
  readonly filenames: number;
  readonly domains: readonly number[];
  readonly totalSize: number;
  /** Tracebacks cut short by the traceback limit (total_nframe > frames), when the dump says. */
  readonly truncatedTracebacks: number | null;
  readonly partial: boolean;
  readonly warnings: readonly string[];
}

const LAYOUTS: Record<TraceLayout, string> = {
  '3-tuple': 'Python 3.6-3.8 (traces are (domain, size, traceback))',
  '4-tuple': 'Python 3.9+ (traces are (domain, size, traceback, total_nframe))',
  mixed: 'mixed 3- and 4-item traces (hand-built)',
  empty: 'unknown (no traces)',
};

export function captureInfo(c: Capture): CaptureInfo {
  const { frames, groups } = c;
  // Only tracebacks that traces use count (a shared frame table may hold more).
  const usedTb = new Set<number>();
  const usedFrames = new Set<number>();
  const domains = new Set<number>();
  for (let i = 0; i < groups.length; i++) {
    usedTb.add(groups.traceback[i]!);
    domains.add(groups.domain[i]!);
  }
  let truncated = 0;
  let known = false;
  for (const tb of usedTb) {
    const depth = frames.tracebackLength(tb);
    for (let j = 0; j < depth; j++) usedFrames.add(frames.tracebackFrame(tb, j));
    const total = frames.totalNframe(tb);
    if (total !== null) {
      known = true;
      if (total > depth) truncated++;
    }
  }
  const files = new Set([...usedFrames].map((f) => frames.frameFilenameId(f)));
  return {
    file: c.source.path,
    format: c.source.format,
    gzip: c.source.gzip,
    bytes: c.source.bytes,
    pythonLayout: LAYOUTS[c.layout],
    tracebackLimit: c.tracebackLimit,
    traces: c.traceCount,
    groups: groups.length,
    tracebacks: usedTb.size,
    frames: usedFrames.size,
    filenames: files.size,
    domains: [...domains].sort((a, b) => a - b),
    totalSize: c.totalSize,
    truncatedTracebacks: known ? truncated : null,
    partial: c.partial,
    warnings: c.warnings,
  };
}
