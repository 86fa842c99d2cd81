import type { Argv } from 'yargs';
import { diffResult } from '../analysis/statistics.js';
import { FrameTable } from '../model/frames.js';
import { renderDiffCsv } from '../report/csv.js';
import { renderDiffText } from '../report/text/statistics.js';
import { dumpsFirst, emit, loadSnapshot } from './command.js';
import { type QueryArgs, queryFromArgs, queryOptions, sourceLookup } from './options.js';

export const command = 'diff <old> <new>';
export const describe = 'What changed between two tracemalloc dumps, exactly as new.compare_to(old) reports it';

export function builder(y: Argv) {
  return queryOptions(
    y
      .positional('old', { type: 'string', demandOption: true, describe: 'The earlier Snapshot.dump() file' })
      .positional('new', { type: 'string', demandOption: true, describe: 'The later Snapshot.dump() file' }),
  ).example('$0 diff before.pickle after.pickle -n 10', 'the ten lines whose memory changed most');
}

export async function handler(a: QueryArgs & { old: string; new: string }): Promise<void> {
  dumpsFirst(a);
  const frames = new FrameTable();
  const older = await loadSnapshot(a.old, a, frames);
  const newer = await loadSnapshot(a.new, a, frames);
  const result = diffResult(older, newer, queryFromArgs(a));
  emit(a, result, { text: (r) => renderDiffText(r, sourceLookup(a)), csv: renderDiffCsv });
}
