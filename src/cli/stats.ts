import type { Argv } from 'yargs';
import { statsResult } from '../analysis/statistics.js';
import { renderJson } from '../report/json.js';
import { fileSourceLookup, noSource } from '../report/linecache.js';
import { renderStatsText } from '../report/text.js';
import { loadSnapshot, type QueryArgs, queryFromArgs, queryOptions } from './common.js';

export const command = 'stats <dump>';
export const describe = 'Top allocation sites of a tracemalloc dump, exactly as Snapshot.statistics() ranks them';

export function builder(y: Argv) {
  return queryOptions(
    y.positional('dump', {
      type: 'string',
      demandOption: true,
      describe: "Snapshot.dump() file (gzip ok), or '-' for stdin",
    }),
  ).example('$0 stats app.pickle --limit 10', 'the ten lines that hold the most memory');
}

export async function handler(a: QueryArgs & { dump: string }): Promise<void> {
  const q = queryFromArgs(a);
  const result = statsResult(await loadSnapshot(a.dump, a), q);
  if (q.format === 'json') a.io.out(renderJson(result));
  else if (q.format === 'csv') a.io.out(await (await import('../report/csv.js')).renderStatsCsv(result));
  else a.io.out(renderStatsText(result, a.source ? fileSourceLookup() : noSource));
}
