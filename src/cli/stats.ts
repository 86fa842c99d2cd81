import type { Argv } from 'yargs';
import { statsResult } from '../analysis/statistics.js';
import { renderStatsCsv } from '../report/csv.js';
import { renderStatsText } from '../report/text/statistics.js';
import { coarserThanListing, dumpsFirst, emit, loadSnapshot, refuseListingQuery, warn } from './command.js';
import { type QueryArgs, queryFromArgs, queryOptions, sourceLookup } from './options.js';

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
  dumpsFirst(a);
  const snapshot = await loadSnapshot(a.dump, a);
  const query = queryFromArgs(a);
  refuseListingQuery(snapshot, a, query, a.dump);
  const coarser = coarserThanListing(snapshot, query.keyType, a.dump);
  if (coarser) warn(a, coarser);
  const result = statsResult(snapshot, query);
  emit(a, result, { text: (r) => renderStatsText(r, sourceLookup(a)), csv: renderStatsCsv });
}
