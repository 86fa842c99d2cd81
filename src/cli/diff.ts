import { fstatSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { diffResult } from '../analysis/statistics.js';
import { refuseMemrayAmongDumps, unlikeSnapshots } from '../ingest/capture-set.js';
import { FrameTable } from '../model/frames.js';
import { isListing } from '../model/source.js';
import { renderDiffCsv } from '../report/csv.js';
import { renderDiffText } from '../report/text/statistics.js';
import { UsageError } from '../util/errors.js';
import { dumpsFirst, emit, listingDiffKey, loadSnapshot, refuseListingQuery, warn } from './command.js';
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
  // A logged listing knows only its top N: against a whole dump, every site it leaves out would read
  // as freed (CPython's compare_to of the two dumps says they did not change).
  const logged = [older, newer].map((s) => isListing(s.source));
  if (logged[0] !== logged[1]) {
    const [log, dump] = logged[0] ? [a.old, a.new] : [a.new, a.old];
    throw new UsageError(
      `${log} is a logged listing (its top N sites only) and ${dump} a whole snapshot: sites the listing ` +
        'leaves out would read as freed; diff two dumps, or two listings',
    );
  }
  refuseMemrayAmongDumps([older, newer]);
  const query = { ...queryFromArgs(a), keyType: listingDiffKey(older, newer, a['group-by'], [a.old, a.new]) };
  // Two interpreters only: of two traceback depths compare_to's answer is the one given (golden tests).
  for (const w of unlikeSnapshots([older, newer], false)) warn(a, w);
  for (const [s, path] of [
    [older, a.old],
    [newer, a.new],
  ] as const) {
    refuseListingQuery(s, a, query, path);
  }
  // A dump read cut short (--allow-partial) lacks the traces after the cut: against the other, they read
  // as freed or new (h258), where leaks, report and gate leave such a capture out.
  for (const [s, path] of [
    [older, a.old],
    [newer, a.new],
  ] as const)
    if (s.partial)
      warn(
        a,
        `${path} was read cut short: the traces after the cut read as ${s === newer ? 'freed' : 'new'} in this diff`,
      );
  const result = diffResult(older, newer, query);
  // One file given twice (after what reading it, the query or the diff refuses): a log of two listings read its
  // last as both, every site "+0 B", exit 0 (h344 F4).
  if (sameFile(a.old, a.new)) {
    throw new UsageError(
      `${a.old} and ${a.new} are the same file: diff compares two captures (of a log holding several ` +
        `listings, \`arenascope report ${a.old}\` diffs its first and last)`,
    );
  }
  emit(a, result, { text: (r) => renderDiffText(r, sourceLookup(a)), csv: renderDiffCsv });
}

// The same file under two names: a path again, a link, or the file on stdin ('-').
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [a, b].map((p) => (p === '-' ? fstatSync(0) : statSync(p)));
    return x!.isFile() && x!.dev === y!.dev && x!.ino === y!.ino;
  } catch {
    return false;
  }
}
