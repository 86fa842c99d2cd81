// The few lines `arenascope run` prints on stderr at the end: what the folder holds, how the program
// ended (a crash or an interruption said plainly), what capturing cost, and the commands to run next.

import { shellWord } from '../util/text.js';
import type { Manifest } from './manifest.js';
import type { CaptureResult } from './run-capture.js';

const KiB = 1024;

function bytes(n: number): string {
  if (n < KiB) return `${n} B`;
  if (n < KiB ** 2) return `${(n / KiB).toFixed(1)} KiB`;
  if (n < KiB ** 3) return `${(n / KiB ** 2).toFixed(1)} MiB`;
  return `${(n / KiB ** 3).toFixed(2)} GiB`;
}

function ending(m: Manifest, exitCode: number): string {
  const exit = m.exit;
  const status = `exit status ${exit?.code ?? exitCode}`;
  const then = 'the folder holds what was captured until then';
  if (m.status === 'interrupted') {
    return `INTERRUPTED (${exit?.signal ? `stopped by ${exit.signal}` : status}); ${then}`;
  }
  // A status other than 0 is no normal end (`-m nosuchmod`, sys.exit(1) read "ended normally").
  if (m.status !== 'crashed')
    return (exit?.code ?? exitCode) === 0 ? `ended normally (${status})` : `ended with ${status}`;
  if (exit?.signal) return `CRASHED: killed by ${exit.signal} (status ${exitCode}); ${then}`;
  if (exit?.reason === 'exception') return `CRASHED: an uncaught exception (${status}); ${then}`;
  if (exit?.reason === null) return `CRASHED: Python ended (${status}) before the capture started`;
  return `CRASHED: ended (${status}) without Python's cleanup (os._exit or a fatal error); ${then}`;
}

function tests(m: Manifest): string | null {
  if (m.tests.length === 0) return null;
  const count = (o: string): number => m.tests.filter((t) => t.outcome === o).length;
  const parts = [`${count('failed')} failed`, `${count('passed')} passed`];
  for (const o of ['skipped', 'xfailed', 'xpassed']) if (count(o) > 0) parts.push(`${count(o)} ${o}`);
  // pytest's word: a setup or teardown that failed (an error beside a test's own outcome when in teardown).
  if (count('error') > 0) parts.push(`${count('error')} error${count('error') > 1 ? 's' : ''}`);
  return parts.join(', ');
}

/** The text summary of a finished run, for stderr. */
export function renderRunSummary(dir: string, r: CaptureResult): string {
  const m = r.manifest;
  const snapshots = m.files.filter((f) => f.kind === 'snapshot').length;
  const reports = m.files.filter((f) => f.kind === 'allocator-stats').length;
  const o = m.overhead;
  const lines = [`arenascope: capture written to ${dir}`];
  lines.push(`  snapshots:  ${snapshots} (tracemalloc, ${m.options.frames} frames)`);
  // A program shorter than the sample interval is sampled once, as it starts: that is no peak. The
  // program's own peak at exit, above its samples, is the peak report, info and gate give.
  const sampled = r.rssSamples < 2 ? null : r.rssPeakKiB;
  const own = r.exitPeakKiB !== null && r.exitPeakKiB > (sampled ?? 0) ? r.exitPeakKiB : null;
  const rss =
    own !== null
      ? `${(own / KiB).toFixed(1)} MiB (the program's own peak RSS at exit; ${sampled === null ? 'it ended before a second sample' : `its samples in memory.dat reached ${(sampled / KiB).toFixed(1)} MiB`})`
      : sampled === null
        ? `not measured: the program ended before a second sample (--sample-interval ${m.options.sampleInterval})`
        : `${(sampled / KiB).toFixed(1)} MiB (memory.dat)`;
  lines.push(`  RSS peak:   ${rss}`);
  if (m.childrenNotMeasured) {
    lines.push('  children:   the program started child processes, not measured (--include-children measures them)');
  }
  if (r.allocatorRun !== null) {
    const run =
      'skipped' in r.allocatorRun ? `not run: ${r.allocatorRun.skipped}` : `exit status ${r.allocatorRun.exitCode}`;
    lines.push(`  allocator:  ${reports} reports (second run: ${run}; its output in allocator/output.txt)`);
  }
  const t = tests(m);
  if (t !== null) lines.push(`  tests:      ${t}`);
  lines.push(`  program:    ${ending(m, r.exitCode)}`);
  if (o.wall !== null) {
    const share = o.wall > 0 ? ` (${((100 * o.captureSeconds) / o.wall).toFixed(0)}%)` : '';
    lines.push(
      `  overhead:   ${o.wall.toFixed(2)} s wall, ${o.captureSeconds.toFixed(2)} s capturing${share}, ` +
        `${bytes(o.bytesWritten)} written`,
    );
  }
  const d = shellWord(dir);
  lines.push('next:', `  arenascope report ${d}`, `  arenascope leaks ${d}`);
  if (reports > 0) lines.push(`  arenascope replay ${d}`);
  lines.push(
    `  arenascope baseline ${d}   # then, on a later run: arenascope gate DIR --baseline memory-baseline.json`,
  );
  return `${lines.join('\n')}\n`;
}
