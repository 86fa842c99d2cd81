// The per-test table of `arenascope run -- pytest …` folders, in words every renderer shares: what a
// test's figures and limit markers say, unescaped (each renderer escapes for its output).

import type { RunInfo, RunTest } from '../model/run.js';
import { shellWord } from '../util/text.js';
import { formatSize } from './format-size.js';

export const TEST_COLUMNS = ['test', 'outcome', 'peak', 'leaked', 'limits', 'over', 'top line'] as const;

/** One row of the table, its cells in TEST_COLUMNS' order. */
export function testCells(t: RunTest): string[] {
  const limits = [
    t.limitMemoryBytes === null ? '' : `limit_memory ${formatSize(t.limitMemoryBytes)}`,
    t.limitLeaksBytes === null ? '' : `limit_leaks ${formatSize(t.limitLeaksBytes)}`,
  ].filter(Boolean);
  const top = t.top[0];
  return [
    t.nodeid,
    t.outcome,
    t.peakBytes === null ? '-' : formatSize(t.peakBytes),
    t.leakedBytes === null ? '-' : formatSize(t.leakedBytes),
    limits.join(', ') || '-',
    t.violations.join(', ') || '-',
    top ? `${top.filename}:${top.lineno} (${formatSize(top.size, true)})` : '-',
  ];
}

/** One line on the run: its folder, status, command and Python. */
export function runLine(r: RunInfo): string {
  const python = r.python ? `, Python ${r.python}` : '';
  // Quoted as a shell reads it back: 'my prog.py' 'a b' c was "my prog.py a b c" (h318).
  const command = r.command.length ? `: ${r.command.map(shellWord).join(' ')}` : '';
  // A test whose teardown failed has a second entry, its error: counted once, as pytest collected it.
  const tests = new Set(r.tests.map((t) => t.nodeid)).size;
  return `run ${r.dir} (${r.status}${python})${command}; ${tests} test${tests === 1 ? '' : 's'}`;
}
