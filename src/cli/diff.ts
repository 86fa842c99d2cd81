import type { Argv } from 'yargs';
import { diffResult } from '../analysis/statistics.js';
import { FrameTable } from '../model/frames.js';
import { renderJson } from '../report/json.js';
import { fileSourceLookup, noSource } from '../report/linecache.js';
import { renderDiffText } from '../report/text.js';
import { loadSnapshot, type QueryArgs, queryFromArgs, queryOptions } from './common.js';

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
  const q = queryFromArgs(a);
  const frames = new FrameTable();
  const [older, newer] = [await loadSnapshot(a.old, a, frames), await loadSnapshot(a.new, a, frames)];
  const result = diffResult(older, newer, q);
  if (q.format === 'json') a.io.out(renderJson(result));
  else if (q.format === 'csv') a.io.out(await (await import('../report/csv.js')).renderDiffCsv(result));
  else a.io.out(renderDiffText(result, a.source ? fileSourceLookup() : noSource));
}
