// Reading every input of a command into one CaptureSet: captures grouped by kind, the snapshots
// one ordered series sharing a frame table, with their times (and allocator reports') when known.
// Two dumps or more are read as parallel-read.ts says (in worker threads when that pays).

import { basename, dirname, join, resolve } from 'node:path';
import type { AllocatorStats } from '../model/allocator-stats.js';
import type { Capture } from '../model/capture.js';
import { type CaptureSet, type PartialSnapshots, reportsOfKept, type TimeSource } from '../model/capture-set.js';
import { type Frame, FrameTable } from '../model/frames.js';
import type { LineReport } from '../model/line-report.js';
import type { MemorySeries } from '../model/memory-series.js';
import { librariesOf, type Snapshot } from '../model/snapshot.js';
import { isListing, type SourceInfo } from '../model/source.js';
import {
  listingKind,
  listingSnapshot,
  otherKinds,
  type StatisticsLog,
  seriesListings,
} from '../model/statistics-log.js';
import { InputError, NotACaptureError, UsageError } from '../util/errors.js';
import { quoted } from '../util/excerpt.js';
import { shellWord } from '../util/text.js';
import { foreignCaptures } from './foreign-captures.js';
import type { ReadOptions } from './importer.js';
import { namedByTheirTimes, numberedRuns } from './numbered-runs.js';
import { DumpReader, type ParallelOptions } from './parallel-read.js';
import { listingsKey } from './pytest-sections.js';
import { naturalCompare, numbered, type Order, resolveInputs } from './resolve-inputs.js';
import {
  type RunFile,
  type RunFolder,
  readRunFolder,
  realPath,
  runFiles,
  runHolding,
  runMemoryFile,
  withRunFigures,
} from './run-folder.js';
import { peakAtLeastTotal, sidecarLabel, sidecarPeak, sidecarTime } from './sidecar.js';

/**
 * Reads every input (files, directories, globs) and groups the captures by kind. Snapshots keep
 * the input order, unless every one of them records its capture time and no order was asked for:
 * then they are ordered by time. They share one frame table.
 */
export async function loadCaptureSet(
  args: readonly string[],
  opts: {
    order?: Order;
    /** Reads one capture; `read`: what a run folder recorded of it that the file does not say. */
    load: (path: string, frames: FrameTable, read?: Pick<ReadOptions, 'childrenInMem'>) => Promise<Capture>;
    /** The read options and warnings of dumps read in worker threads; without them all reads are here. */
    parallel?: ParallelOptions;
    partial?: PartialSnapshots;
    /** Every capture kept (convert writes them all): a limit that changes is said, nothing left out. */
    whole?: boolean;
  },
): Promise<CaptureSet> {
  const resolved = resolveInputs(args, opts.order);
  // Two runs' snapshots in one series would be judged as one run: each run's start and exit among
  // them, a leak of one read as "rose and fell back" at the other's start (the gate passed it).
  // Runs given as their folders, or by their snapshots/ or allocator/ folders or files.
  const runsOf = new Map<string, string>(); // real path -> as given
  for (const r of resolved.runs) if (r.files.some((f) => f.kind !== 'memory')) runsOf.set(realPath(r.dir), r.dir);
  for (const p of resolved.inputs) {
    // By its real path: a link to another run's snapshots/ folder is that run's (the leak passed).
    const run = p === '-' ? null : runHolding(realPath(p));
    if (run && !runsOf.has(realPath(run))) runsOf.set(realPath(run), run);
  }
  if (runsOf.size > 1) {
    const [a, b] = [...runsOf.values()];
    throw new UsageError(
      `${a} and ${b} are two runs of \`arenascope run\`${runsOf.size > 2 ? ` (of ${runsOf.size})` : ''}: ` +
        "a series is one run's captures, and theirs would be joined into one; give one run at a time, " +
        'or compare a run with another by `gate --baseline`',
    );
  }
  // A run's snapshots/ (or allocator/) folder or files given without the run: read with what the run
  // recorded of them, as its folder is. Without their sidecars (an rsync that left them out) its exit
  // capture was judged as any other, main()'s leak read as given back, and the gate passed it (h232).
  const runs = [...resolved.runs];
  if (runsOf.size === 1 && !runs.length) {
    const inside = resolved.inputs.find((p) => p !== '-' && runHolding(realPath(p)) !== null);
    try {
      const run = inside === undefined ? null : readRunFolder(dirname(dirname(inside)));
      if (run) runs.push(run);
    } catch {
      // a damaged manifest: the files are read as plain ones
    }
  }
  // A gate or a baseline judges a run's whole series: a capture it names deleted since, left out with a
  // warning, left too few to judge a leak, and the gate passed it (h232). (All of them deleted, as a
  // run kept for its memory.dat alone is, leave no series to misjudge: said in a warning.)
  const gone =
    opts.partial === 'never'
      ? resolved.runs.find((r) => r.missing?.length && r.files.some((f) => f.kind === 'snapshot'))
      : undefined;
  if (gone) {
    throw new InputError(
      gone.dir,
      '',
      `the run names ${gone.missing!.join(', ')}, which ${gone.missing!.length > 1 ? 'are' : 'is'} not there (deleted since?): ` +
        "its series judged without it would not be the run's; restore it, or name the captures there are " +
        `(${join(gone.dir, 'snapshots', '*.pickle')}) to judge those`,
    );
  }
  const skipped = [...resolved.skipped];
  const frames = new FrameTable();
  const dumps = DumpReader.plan(resolved.inputs, opts.parallel);
  try {
    const recorded = runFiles(runs);
    for (const p of resolved.inputs) {
      const f = recorded.has(p) ? undefined : runMemoryFile(p);
      if (f) recorded.set(p, f);
    }
    let set = withRuns(
      await collect(resolved.inputs, new Set(resolved.given), skipped, frames, opts, recorded, dumps),
      runs,
      opts.order,
    );
    let snaps = set.series.snapshots;
    refuseMemrayAmongDumps(snaps);
    // One run's records name its every capture: a checkpoint of its own labelled "start" or "exit" is no
    // second run's (a complete run checkpointing "start" then "exit" was refused as two runs joined; h290).
    // (Before the names' runs: two `arenascope run`s copied into one folder say so by their labels.)
    const oneRun = runs.length === 1 && snaps.every((s) => recorded.get(s.source.path)?.kind === 'snapshot');
    if (opts.order !== 'given' && !oneRun) refuseJoinedRuns(set.series.labels, snaps);
    if (opts.order !== 'given') refuseNumberedRuns(snaps, skipped);
    if (opts.order !== 'given') refuseInterpreters(snaps);
    const limited = oneTraceLimit(snaps, opts.order === 'given' ? 'given' : opts.whole ? 'whole' : null);
    if (limited) {
      skipped.push(limited.said);
      const [from, to] = limited.kept;
      const of = snaps.length;
      snaps = snaps.slice(from, to);
      set = { ...set, series: { ...set.series, snapshots: snaps, labels: set.series.labels.slice(from, to) } };
      if (to - from < of) set = { ...set, kept: { from, of } };
      set = { ...set, allocatorStats: reportsOfKept(set, set.allocatorStats) };
    }
    // Times of some snapshots only are no times: say so, and which has none.
    const timed = set.timeSource ? [] : snaps.map((s) => s.time !== null || sidecarTime(s.source.path) !== null);
    const untimed = snaps.filter((_, i) => !timed[i]);
    if (timed.some(Boolean) && untimed.length) {
      skipped.push(
        `${untimed.length} of ${snaps.length} snapshots have no time (${untimed[0]!.source.path}: none recorded, no .time sidecar or an empty one)` +
          ', so the series is ordered and rated by capture, not by time',
      );
    }
    // Times that do not rise at every step are no clock (sidecars to the second, all alike).
    const at = set.timeSource ? snaps.findIndex((s, i) => i > 0 && !(s.time! > snaps[i - 1]!.time!)) : -1;
    if (at > 0) {
      skipped.push(
        `capture times do not rise at every step (${snaps[at - 1]!.source.path} and ${snaps[at]!.source.path}: ` +
          `${snaps[at - 1]!.time} and ${snaps[at]!.time}), so the series is rated by capture, not by time`,
      );
    }
    skipped.push(...unlikeSnapshots(snaps));
    // Snapshots named in a shell's glob order, with no times to order them: say they were put in
    // their names' order (a gate passed a leak on `snap-*.pickle`, snap-9 taken for the last).
    const swapped = set.timeSource ? null : resolved.shell;
    if (swapped && snaps.length > 1) {
      skipped.push(
        `the snapshots are taken in their names' natural order (${swapped[1]} before ${swapped[0]}), not in the ` +
          "order given, a shell's glob order: --order given keeps the order given",
      );
    }
    // Named in no order of their names (numbered all the same), with no times to order them: taken as
    // given, and said (a leak of 11 captures given shuffled read "no leak", and the gate passed).
    const unsorted = set.timeSource ? null : resolved.unsorted;
    if (unsorted && snaps.length > 2) {
      skipped.push(
        `the snapshots are taken in the order given (${unsorted[0]} before ${unsorted[1]}), not in their names' ` +
          'order: if the names count the captures, --order name takes them so (--order mtime: as they were written)',
      );
    }
    // Ordered by their paths across folders, against their own names (z/cap1, y/cap2, x/cap3 read
    // backwards: a leak read "shrinking", and the gate passed): said, with how to choose.
    const folders = set.timeSource ? null : resolved.folders;
    if (folders && snaps.length > 1) {
      skipped.push(
        `the snapshots are in several folders, taken in their paths' order (${folders[0]} before ${folders[1]}), ` +
          "which their file names' order is not: --order given takes them as named (--order mtime: as they were written)",
      );
    }
    return set;
  } finally {
    dumps?.close();
  }
}

/**
 * Leaves out the snapshots of arenascope's JSON converted from a dump that is among the inputs too
 * (`convert snap_*.pickle --to json -o all.json` in the dumps' folder): read twice, every capture came
 * twice and a leak read as transient (the gate passed it). The dump is found by the path the JSON
 * names, or by its name beside the JSON (the folder copied or moved since), and holds as many traces
 * and bytes.
 */
function withoutConvertedCopies<T extends { s: Snapshot }>(snaps: T[], skipped: string[]): T[] {
  // The dumps among the inputs, by path: a JSON is a copy of the one it names only if it holds what
  // that dump holds (a dump written again under the same name, each time converted, is no copy).
  const dumps = new Map(
    snaps
      .filter(({ s }) => s.source.format !== 'arenascope-json' && s.source.path !== '-')
      .map((x) => [resolve(x.s.source.path), x.s]),
  );
  const copies = snaps.filter(({ s }) => {
    const from = s.source.fromFile;
    if (s.source.format !== 'arenascope-json' || from === undefined) return false;
    const json = s.source.path.replace(/#\d+$/, '');
    const dump =
      dumps.get(resolve(from)) ?? (json === '-' ? undefined : dumps.get(resolve(dirname(json), basename(from))));
    return dump !== undefined && dump.traceCount === s.traceCount && dump.totalSize === s.totalSize;
  });
  if (!copies.length) return snaps;
  for (const json of new Set(copies.map(({ s }) => s.source.path.replace(/#\d+$/, '')))) {
    const of = copies.filter(({ s }) => s.source.path.replace(/#\d+$/, '') === json);
    skipped.push(
      `leaving out ${json}: ${of.length === 1 ? 'a snapshot' : `${of.length} snapshots`} converted from ` +
        `${of[0]!.s.source.fromFile}${of.length > 1 ? ' and others' : ''}, read from ${of.length === 1 ? 'that dump' : 'those dumps'} among the inputs already`,
    );
  }
  return snaps.filter((x) => !copies.includes(x));
}

async function collect(
  inputs: readonly string[],
  /** The files named one by one: a file found in a folder or by a glob that is no capture is passed over. */
  named: ReadonlySet<string>,
  skipped: string[],
  frames: FrameTable,
  opts: {
    order?: Order;
    load: (path: string, frames: FrameTable, read?: Pick<ReadOptions, 'childrenInMem'>) => Promise<Capture>;
    partial?: PartialSnapshots;
  },
  recorded: ReadonlyMap<string, RunFile>,
  dumps: DumpReader | null,
): Promise<CaptureSet> {
  let snaps: { s: Snapshot; label: string }[] = [];
  const memorySeries: MemorySeries[] = [];
  const lineReports: LineReport[] = [];
  const allocatorStats: AllocatorStats[] = [];
  const statisticsLogs: StatisticsLog[] = [];
  for (const [i, path] of inputs.entries()) {
    let c: Capture;
    try {
      c = dumps?.isDump(i)
        ? await dumps.read(i, frames, opts.load)
        : await opts.load(path, frames, { childrenInMem: recorded.get(path)?.childrenInMem });
    } catch (e) {
      if (!(e instanceof NotACaptureError) || named.has(path)) throw e;
      skipped.push(`skipping ${path}: ${e.where ? `${e.where}: ` : ''}${e.detail}`);
      continue;
    }
    if (c.kind === 'snapshot') snaps.push({ s: c, label: path });
    else if (c.kind === 'snapshot-series') c.snapshots.forEach((s, i) => snaps.push({ s, label: c.labels[i]! }));
    // A run's memory.dat, in its folder or named on its own: when the program's code began.
    else if (c.kind === 'memory-series') memorySeries.push(withRunFigures(c, recorded.get(path)));
    else if (c.kind === 'memory-runs') memorySeries.push(...c.runs.map((r) => withRunFigures(r, recorded.get(path))));
    else if (c.kind === 'line-report') lineReports.push(c);
    // A report's time and label, like a dump's, may be kept in sidecars: they pair it with its capture.
    else if (c.kind === 'allocator-stats') {
      allocatorStats.push({ ...c, time: sidecarTime(path), label: sidecarLabel(path) });
    } else if (c.kind === 'statistics-log') statisticsLogs.push(c);
  }
  // A gate and a baseline judge whole captures only: runs, reports and logs read cut short are left
  // out as snapshots are (wholeSnapshots). An mprof run cut mid-write passed --max-peak at 20 MiB where
  // the program reached 67.
  // Those whose last line, with no line end, may be where they were cut (SourceInfo.unended) are an
  // error: left out, a run cut at 48.8 MiB passed `--max-peak 50MiB` where the program reached 62.1
  // (h347), and one over the limit left out passed on the files beside it (h355).
  if (opts.partial === 'never') {
    const lists = [memorySeries, lineReports, allocatorStats, statisticsLogs] as { source: SourceInfo }[][];
    const unended = lists.flat().find((c) => c.source.unended !== undefined);
    if (unended) {
      const path = unended.source.path;
      throw new InputError(
        path,
        `line ${unended.source.unended}`,
        'it ends without a line end after its last line, where it may have been cut, and a gate and a baseline ' +
          `judge whole captures only: if it is whole, end it with one (echo >> ${shellWord(path)})`,
      );
    }
    for (const list of lists) {
      const cut = list.filter((c) => c.source.partial);
      for (const path of new Set(cut.map((c) => c.source.path))) skipped.push(leftOutCut(path, 'never'));
      list.splice(0, list.length, ...list.filter((c) => !c.source.partial));
    }
  }
  snaps = withoutConvertedCopies(snaps, skipped);
  // Logged statistics form a series of their own: mixed with dumps they would stand for captures
  // they are only the top of.
  const anyDump = snaps.length > 0;
  statisticsLogs.splice(0, statisticsLogs.length, ...spelledAlike(statisticsLogs, skipped));
  const series = statisticsLogs.map((log) => seriesListings(log));
  const copies = copiedLogs(statisticsLogs, series);
  const kinds = otherKinds(statisticsLogs, series);
  if (copies.size && !anyDump) {
    const [b, a] = [...copies][0]!;
    skipped.push(
      `skipping ${statisticsLogs[b]!.source.path}: its listings are ${statisticsLogs[a]!.source.path}'s, statistic ` +
        `for statistic: the same captures printed twice, read once${copies.size > 1 ? ` (and ${copies.size - 1} more files)` : ''}`,
    );
  }
  for (const [k, log] of statisticsLogs.entries()) {
    if (anyDump) {
      skipped.push(
        `leaving out ${log.source.path}: logged tracemalloc statistics are not mixed with dumps; give the log alone`,
      );
      continue;
    }
    if (copies.has(k)) continue;
    if (kinds.left.has(k)) {
      skipped.push(
        `leaving out ${log.source.path}: its listings are ${listingKind(log, series[k]!.indices[0]!)}, most of ` +
          `the others' ${kinds.kept}: a series is of one kind`,
      );
      continue;
    }
    const { indices, leftOut } = series[k]!;
    skipped.push(...leftOut);
    for (const i of indices) {
      snaps.push({ s: listingSnapshot(log, i, frames), label: `${log.source.path}:${log.listings[i]!.inputLine}` });
    }
  }
  // So are listings converted to JSON (their top N only): where whole snapshots are, they are left out.
  if (snaps.some((x) => !isListing(x.s.source))) {
    const listings = snaps.filter((x) => isListing(x.s.source) && x.s.source.format !== 'tracemalloc-text');
    for (const file of new Set(listings.map((x) => x.s.source.path.replace(/#\d+$/, '')))) {
      skipped.push(
        `leaving out ${file}: logged tracemalloc statistics converted to JSON (a top N) are not mixed with dumps; give them alone`,
      );
    }
    snaps = snaps.filter((x) => !listings.includes(x));
  }
  const read = snaps;
  snaps = wholeSnapshots(snaps, opts.partial ?? 'keep', skipped);
  const cutShort = read.filter((x) => !snaps.includes(x)).map((x) => x.s.source.path);
  // Times: recorded in the captures, else sidecar files, else none (never file modification times).
  // Each capture's own: a series of converted JSON (times inside) and dumps with sidecars has them all.
  let timeSource: TimeSource = null;
  const side = snaps.map((x) => (x.s.time === null ? sidecarTime(x.label) : null));
  if (snaps.length && snaps.every((x, i) => x.s.time !== null || side[i] !== null)) {
    const recorded = snaps.filter((x) => x.s.time !== null).length;
    timeSource = recorded === snaps.length ? 'capture' : recorded === 0 ? 'sidecar' : 'both';
    snaps = snaps.map((x, i) => (x.s.time !== null ? x : { ...x, s: { ...x.s, time: side[i]! } }));
  }
  // Traced peaks (churn between captures): recorded in the capture, else a sidecar, per capture.
  snaps = snaps.map((x) => {
    if (x.s.tracedPeak != null) return x;
    const peak = peakAtLeastTotal(sidecarPeak(x.label), x.s.totalSize, x.label, (w) => skipped.push(w));
    return peak === null ? x : { ...x, s: { ...x.s, tracedPeak: peak } };
  });
  if (!opts.order && snaps.length > 1 && timeSource) snaps = byTime(snaps, skipped);
  for (const i of foreignCaptures(snaps.map((x) => x.s))) {
    skipped.push(
      `${snaps[i]!.label} holds none of the files of the captures beside it: ` +
        "another program's capture? Read as one of this series, its sites fall to nothing there; leave it out",
    );
  }
  return {
    timeSource,
    series: {
      kind: 'snapshot-series',
      snapshots: snaps.map((x) => x.s),
      labels: snaps.map((x) => x.label),
      warnings: [],
    },
    memorySeries,
    lineReports,
    allocatorStats,
    skipped,
    ...(cutShort.length ? { cutShort } : {}),
  };
}

// Leaves out the snapshots read cut short, as `partial` says (PartialSnapshots), one line each.
function wholeSnapshots<T extends { s: Snapshot; label: string }>(
  snaps: T[],
  partial: PartialSnapshots,
  skipped: string[],
): T[] {
  if (partial === 'keep' || (partial === 'series' && snaps.length < 2)) return snaps;
  // (A listing is cut by its own flag: the listings before a log's cut are whole.)
  const cut = (x: T): boolean => x.s.partial || (x.s.source.partial === true && x.s.listing === undefined);
  for (const x of snaps.filter(cut)) skipped.push(leftOutCut(x.label, partial));
  return snaps.filter((x) => !cut(x));
}

/**
 * The logs with the file names some of their listings printed in bytes that are not UTF-8 (read as
 * U+FFFD: a Windows run's cp1252 console) spelled as other listings spell them, where exactly one name
 * there matches with a non-ASCII character at each U+FFFD: two runs, one in UTF-8 mode, logged
 * `München/plain.py` and `M\uFFFDnchen/plain.py`, two sites of half a leak each, and a leak of 3
 * sites passed a gate (h349). Said once.
 */
function spelledAlike(logs: readonly StatisticsLog[], said: string[]): StatisticsLog[] {
  const names = new Set<string>();
  for (const log of logs)
    for (const l of log.listings) for (const st of l.stats) for (const f of st.frames) names.add(f.filename);
  const spelled = new Map<string, string>();
  for (const name of names) {
    if (!name.includes('\uFFFD')) continue;
    const matches = [...names].filter((n) => !n.includes('\uFFFD') && spelledAs(name, n));
    if (matches.length === 1) spelled.set(name, matches[0]!);
  }
  if (!spelled.size) return [...logs];
  const [from, to] = [...spelled][0]!;
  said.push(
    `file names printed in bytes that are not UTF-8 (a cp1252 console's?) read as the other listings spell them: ` +
      `${quoted(from, 60)} as ${quoted(to, 60)}${spelled.size > 1 ? ` (and ${spelled.size - 1} more)` : ''}`,
  );
  const frame = (f: Frame): Frame => (spelled.has(f.filename) ? { ...f, filename: spelled.get(f.filename)! } : f);
  return logs.map((log) => ({
    ...log,
    listings: log.listings.map((l) => ({
      ...l,
      stats: l.stats.map((st) => ({ ...st, frames: st.frames.map(frame) })),
    })),
  }));
}

/**
 * Whether `other` is `name` with a non-ASCII character at each U+FFFD of it, the rest alike (character
 * by character: a regular expression of a name of 100,000 characters was too large; fuzz seed 113).
 */
function spelledAs(name: string, other: string): boolean {
  const [a, b] = [[...name], [...other]];
  return a.length === b.length && a.every((c, i) => c === b[i] || (c === '\uFFFD' && b[i]!.codePointAt(0)! > 0x7f));
}

/**
 * The logs whose listings another log holds too, statistic for statistic and in order, by index of the
 * log holding them: a program printing each capture's top N to its log and writing it to top-N.txt as
 * well (its 6 captures read as 12, and a steady leak as transient: h357). Only where the other log holds
 * more listings, or as many, 2 or more, and comes first, and each of them once: two files of one
 * listing alike may be two moments of a program that did not change.
 */
function copiedLogs(
  logs: readonly StatisticsLog[],
  series: readonly { indices: readonly number[] }[],
): Map<number, number> {
  const keys = logs.map((log, k) => series[k]!.indices.map((i) => listingsKey([log.listings[i]!])));
  // Each of the part's listings once in the whole: a held state repeats (a rotated log's first listing
  // the same as the last ones before it, the program idle, was read as their copy: h358).
  const within = (part: readonly string[], whole: readonly string[]): boolean => {
    if (part.some((x) => whole.indexOf(x) !== whole.lastIndexOf(x))) return false;
    for (let at = 0; at + part.length <= whole.length; at++) if (part.every((x, j) => whole[at + j] === x)) return true;
    return false;
  };
  const copies = new Map<number, number>();
  for (const [b, part] of keys.entries()) {
    if (!part.length) continue;
    const of = keys.findIndex(
      (whole, a) =>
        a !== b &&
        !copies.has(a) &&
        (whole.length > part.length || (whole.length === part.length && part.length >= 2 && a < b)) &&
        within(part, whole),
    );
    if (of >= 0) copies.set(b, of);
  }
  // A file of one listing is a copy only beside another such file of the same log: one alone may be the
  // next capture of a program held still, its rotated log's first listing the same as the last before.
  for (const [b, a] of copies) {
    if (keys[b]!.length === 1 && [...copies].filter(([c, o]) => o === a && keys[c]!.length === 1).length < 2)
      copies.delete(b);
  }
  return copies;
}

const leftOutCut = (label: string, partial: 'series' | 'never'): string =>
  `leaving out ${label}: it was read cut short (--allow-partial), and ${
    partial === 'series'
      ? 'in a series the traces it lacks would read as freed'
      : 'a gate and a baseline judge whole captures only'
  }`;

/**
 * Captures in the order of their times; but numbered ones whose times go back against their numbers
 * (other than all of them turned round) in the order of the numbers, with a warning: a program numbers
 * its captures as it takes them, while a .time sidecar can be damaged or copied from elsewhere (one of
 * 1970 moved a capture first, and the leak read as a plateau).
 */
function byTime<T extends { readonly s: Snapshot; readonly label: string }>(
  snaps: readonly T[],
  skipped: string[],
): T[] {
  const timed = [...snaps].sort((a, b) => a.s.time! - b.s.time!);
  const names = snaps.map((x) => x.label);
  if (!numbered(names)) return timed;
  const counted = [...snaps].sort((a, b) => naturalCompare(a.label, b.label));
  const back = counted.findIndex((x, i) => i > 0 && x.s.time! < counted[i - 1]!.s.time!);
  // The numbers' order turned round is the times' (slots of a ring of dumps, 'snap-{i % 5}'; hours
  // of the day past midnight): the numbers are no count, and the times order them.
  const even = evenly(timed.map((x) => x.s.time!));
  if (back < 0) return timed;
  // Names by the time of day taken across midnight ('heap-23-59-50' then 'heap-00-00-05'): their clock
  // is the times', no ring and no clock set back.
  if (
    namedByTheirTimes(
      timed.map((x) => x.label),
      timed.map((x) => x.s.time!),
    )
  )
    return timed;
  if (rotated(counted, timed) && even) {
    const wrap = wrapStep(timed, counted[0]!);
    const [last, first] = [timed[timed.indexOf(counted[0]!) - 1]!, counted[0]!];
    if (!wrap) {
      // Said: a clock set back past the series with a step there under 100 times the others reads the
      // same, its leak's later half first, with nothing said (h313).
      skipped.push(
        `capture numbers start again at ${first.label} (at ${first.s.time}, after ${last.label} at ${last.s.time}): ` +
          'ordered by their times, a ring of dumps written over in turn; --order name reads them by their numbers (a clock set back)',
      );
      return timed;
    }
    // A ring paused where its numbers start again, or a clock set back past the whole series: the
    // times cannot tell them apart, and each order reads the other's leak as a transient (h303, h308).
    // Turned round by one place: one end capture's sidecar out of place is as likely (h312).
    const one = timed[0] === counted.at(-1) ? counted.at(-1)! : timed.at(-1) === counted[0] ? counted[0]! : null;
    const sidecar = one ? `, a .time sidecar of ${one.label} damaged or copied from elsewhere,` : ',';
    throw new UsageError(
      `${first.label}: the capture times turn round where the numbers start again (${last.label} at ${last.s.time}, ` +
        `then ${first.label} at ${first.s.time}), a step ${wrap.times} times their median step: a ring of dumps ` +
        `written over in turn that paused there${sidecar} or a clock set back past the whole series? The times cannot ` +
        "tell; give --order mtime to read them by their files' times (a ring whose files kept them; copied, list " +
        `them in their .time order with --order given), or --order name by their numbers (${one ? 'a sidecar out of place, ' : ''}a clock set back)`,
    );
  }
  const [a, b] = [counted[back - 1]!, counted[back]!];
  // More than one capture out of place by its number, the times going back at 3 steps or more, those
  // of one run: the numbers are no count (captures renamed or copied as cap-N in another order, or
  // numbered newest first; ordered by them, two leaks read as a transient and the gate passed, h252).
  // One damaged sidecar moves one capture, going back at 2 steps at most; a clock set back once goes
  // back at one step (ordered by its times, a leak read transient and the gate passed, h253).
  const times = counted.map((x) => x.s.time!);
  const moved = snaps.length - increasingRun(times);
  const backs = times.filter((t, i) => i > 0 && t < times[i - 1]!).length;
  if (moved > 1 && backs >= 3 && even) {
    skipped.push(
      `capture times go against the captures' numbers (${b.label} at ${b.s.time}, before ${a.label} at ${a.s.time}; ` +
        `${moved} of ${snaps.length} out of place by number): ordered by their times (captures renamed?); --order given keeps the order given`,
    );
    return timed;
  }
  skipped.push(
    `capture times go back against the captures' numbers (${b.label} at ${b.s.time}, before ${a.label} at ${a.s.time}): ` +
      'ordered by their numbers (a clock set back, or a .time sidecar out of place?)',
  );
  return counted;
}

/** The length of the longest strictly increasing subsequence of `xs` (patience sorting). */
function increasingRun(xs: readonly number[]): number {
  const tails: number[] = [];
  for (const x of xs) {
    let [lo, hi] = [0, tails.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = x;
  }
  return tails.length;
}

/**
 * Times of one run: no interval 1000 times the median one and an hour or more (a sidecar of 1970, or
 * of another day, put first or last looks like a ring turned round by one).
 */
function evenly(times: readonly number[]): boolean {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const median = [...gaps].sort((a, b) => a - b)[gaps.length >> 1] ?? 0;
  return gaps.every((g) => g <= Math.max(1000 * median, 3600));
}

/**
 * Of a ring of dumps, turned round where its numbers start again: null when its times step there as a
 * program's pauses do, under 100 times its other steps' median (or twice the longest); else how many
 * times the median that step is. A clock set back a minute, past the series' length, turns its numbers
 * round too, with a step 290 times the others (read as a ring, a leak's later half came first, and the
 * gate passed, h303); an idle program's ring paused 12 times its step there (h307), and one idle 25 s
 * between two jobs 125 times (read by its numbers, its leak was a transient, h308).
 */
function wrapStep<T extends { readonly s: Snapshot }>(timed: readonly T[], first: T): { times: number } | null {
  const at = timed.indexOf(first);
  const gaps = timed.slice(1).map((x, i) => x.s.time! - timed[i]!.s.time!);
  const join = gaps.splice(at - 1, 1)[0];
  if (join === undefined || !gaps.length) return null;
  const median = [...gaps].sort((a, b) => a - b)[gaps.length >> 1]!;
  if (join <= Math.max(2 * Math.max(...gaps), 100 * median)) return null;
  return { times: median > 0 ? Math.round(join / median) : Infinity };
}

/** Whether `b` is `a` turned round: the same sequence, started elsewhere. */
function rotated<T>(a: readonly T[], b: readonly T[]): boolean {
  const at = a.indexOf(b[0]!);
  return at >= 0 && b.every((x, i) => a[(at + i) % a.length] === x);
}

/**
 * Refuses a run folder's snapshot holding far more traced memory than tracemalloc's peak the run
 * recorded as it took it (read just before; other threads may allocate in between): not the capture
 * the run wrote there (two swapped, one copied over: read in the manifest's order, a leak read as a
 * plateau).
 */
function notTheRunsCapture(path: string, total: number, peak: number | null): void {
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (peak === null || total <= 2 * peak + 2 ** 20) return;
  throw new UsageError(
    `${path}: holds ${mib(total)} of traced memory, where the run recorded tracemalloc's peak at this ` +
      `capture as ${mib(peak)}: not the snapshot the run wrote there (files swapped or copied over?); ` +
      "give its snapshots/ folder to read the files as they are, in their names' order",
  );
}

/**
 * What a run folder recorded, and `.label` sidecars: each snapshot's display label (the run's label,
 * else its sidecar's, else its path as read); the run's traced peaks and times where no sidecar gave
 * them; each allocator report's snapshot; the runs' per-test tables. Sidecars are looked up on the
 * capture's path, never on its display label.
 */
function withRuns(set: CaptureSet, runs: readonly RunFolder[], order: Order | undefined): CaptureSet {
  const recorded = runFiles(runs);
  const { snapshots, labels } = set.series;
  let snaps = snapshots.map((s, i) => {
    const f = recorded.get(labels[i]!);
    notTheRunsCapture(labels[i]!, s.totalSize, f?.tracedPeak ?? null);
    const tracedPeak = s.tracedPeak ?? f?.tracedPeak ?? null;
    return { s: tracedPeak === s.tracedPeak ? s : { ...s, tracedPeak }, path: labels[i]!, f };
  });
  let timeSource = set.timeSource;
  // Times the run recorded stand in for missing sidecars only when every snapshot then has one.
  if (!timeSource && snaps.length && snaps.every((x) => x.s.time !== null || x.f?.time != null)) {
    snaps = snaps.map((x) => (x.s.time !== null ? x : { ...x, s: { ...x.s, time: x.f!.time! } }));
    timeSource = 'sidecar';
    if (!order && snaps.length > 1) snaps = [...snaps].sort((a, b) => a.s.time! - b.s.time!);
  }
  const allocatorStats = set.allocatorStats.map((a) => {
    const f = recorded.get(a.source.path);
    return f
      ? {
          ...a,
          matches: f.matches,
          ...(f.matchedBy ? { matchedBy: f.matchedBy } : {}),
          ...(f.progressGap === undefined ? {} : { progressGap: f.progressGap }),
          time: a.time ?? f.time,
          label: a.label ?? f.label,
        }
      : a;
  });
  return {
    ...set,
    timeSource,
    series: {
      ...set.series,
      snapshots: snaps.map((x) => x.s),
      labels: snaps.map((x) => x.f?.label ?? sidecarLabel(x.path) ?? x.path),
    },
    allocatorStats,
    memorySeries: set.memorySeries.map((m) =>
      recorded.get(m.source.path)?.childrenInMem
        ? { ...m, ...(m.children.size ? { mainIncludesChildren: true } : { childrenUnlisted: true }) }
        : m,
    ),
    runs: runs.map(({ dir, status, command, python, cwd, tests }) => ({ dir, status, command, python, cwd, tests })),
  };
}

/**
 * memray's CSV beside tracemalloc's snapshots in one series is refused: memray counts every allocation,
 * native ones too, where tracemalloc counts Python's (a series of both was judged as one, silently).
 */
export function refuseMemrayAmongDumps(snaps: readonly Snapshot[]): void {
  const memray = snaps.find((s) => s.source.format === 'memray-csv');
  const other = snaps.find((s) => s.source.format !== 'memray-csv' && !isListing(s.source));
  if (!memray || !other) return;
  throw new UsageError(
    `${memray.source.path} is memray's CSV and ${other.source.path} a tracemalloc snapshot: memray counts every ` +
      "allocation, native ones too, and tracemalloc Python's, so their changes are no program's; give one kind",
  );
}

/**
 * Snapshots whose names number several runs apart (numbered-runs.ts) are refused: judged as one series,
 * a leak in each run read as a sawtooth, or one run's leak as shrinking at the next one's start.
 */
function refuseNumberedRuns(snaps: readonly Snapshot[], skipped: string[]): void {
  const dumps = snaps.filter((s) => !isListing(s.source));
  const found = numberedRuns(
    dumps.map((s) => s.source.path),
    dumps.map((s) => s.time),
  );
  if (!found) return;
  if (found.wraps) {
    const [before, after] = found.wraps;
    throw new UsageError(
      `the snapshots' names hold a time of day and no date, and from ${before} to ${after} is ` +
        (found.evenDay
          ? 'as long as from the last around the clock to the first: spread over the whole day, the series may ' +
            "start after either gap, and their names' order may not be the order they were taken; "
          : 'longer than from the last around the clock to the first: taken across midnight (or noon, by a ' +
            "12-hour clock), their names' order is not the order they were taken; ") +
        'give them .time sidecars, or take them as written with ' +
        '--order mtime, or as listed with --order given',
    );
  }
  const [a, b] = found.runs;
  const others = found.runs.length > 2 ? ` and ${found.runs.length - 2} more` : '';
  // Phases of one process are one after the other, in times known: names alone cannot order them (read
  // by name, 'steady-*' came before 'warmup-*'), and runs whose times overlap are processes at once.
  if (found.byName && found.overlap === false) {
    skipped.push(
      `the snapshots' names have ${found.runs.length} shapes, each counted from the same first number ` +
        `(${a!.glob}: ${a!.count}, ${b!.glob}: ${b!.count}${others}): read as one process's captures, by their ` +
        `times; if they are runs of two programs, give one at a time ('${a!.glob}')`,
    );
    return;
  }
  const when = found.overlap ? ', and their capture times overlap: processes running at once' : '';
  throw new UsageError(
    `the snapshots' names number ${found.runs.length} runs apart, ` +
      `${found.afresh ? 'each counted afresh' : found.apart ? 'one after the other' : 'their numbers interleaved'} (${a!.glob}: ${a!.count}, ` +
      `${b!.glob}: ${b!.count}${others})${when}; a series is one run's captures: give one run at a time ` +
      `('${a!.glob}'), or list them in the order they were taken with --order given to take them as one series`,
  );
}

/**
 * The captures of one trace table, when the traceback limit changes in a series: tracemalloc changes it
 * only by stop() and start(N), and stop() clears every trace, so what was traced before is in no later
 * capture (a steady leak across such changes read "no leak", and the gate passed it; h333). The longest
 * run of captures with one limit is kept (the later of two alike), the others are left out, said; taken
 * `asGiven` (--order given), all are kept, and that is said. Null when the limit never changes.
 */
function oneTraceLimit(
  snaps: readonly Snapshot[],
  asGiven: 'given' | 'whole' | null,
): { kept: readonly [number, number]; said: string } | null {
  const cuts: number[] = [];
  for (let i = 1; i < snaps.length; i++) {
    const [a, b] = [snaps[i - 1]!.tracebackLimit, snaps[i]!.tracebackLimit];
    if (a !== null && b !== null && a !== b) cuts.push(i);
  }
  if (!cuts.length) return null;
  const first = cuts[0]!;
  const why = limitChanged(
    snaps[first - 1]!,
    snaps[first]!,
    cuts.length > 1 ? ` (it changes ${cuts.length} times)` : '',
  );
  if (asGiven) {
    const how = asGiven === 'given' ? 'judged as one series, as --order given asks' : 'every capture is written';
    return { kept: [0, snaps.length], said: `${why}; ${how}` };
  }
  const bounds = [0, ...cuts, snaps.length];
  let best = 0;
  for (let r = 1; r < bounds.length - 1; r++)
    if (bounds[r + 1]! - bounds[r]! >= bounds[best + 1]! - bounds[best]!) best = r;
  const [from, to] = [bounds[best]!, bounds[best + 1]!];
  const others = snaps.length - (to - from);
  return {
    kept: [from, to],
    said:
      `${why}: ${to - from === 1 ? `capture ${to} alone (it changes at every capture) is` : `captures ${from + 1} to ${to}, the most with one limit, are`} judged and the ` +
      `${others === 1 ? 'other is' : `${others} others are`} left out`,
  };
}

/**
 * Two dumps in a row as tracemalloc.clear_traces() (or stop() and start()) leaves them: 95% or more of
 * the tracebacks holding memory at the first, 20 or more, hold none at the next, and the traced memory
 * fell. What was traced before such a call is in no later capture: a steady leak, the
 * traces cleared after every dump, read "no leak" (h333 F1). Said, not judged: a program may free so much.
 */
function clearedBetween(snaps: readonly Snapshot[]): string | null {
  const dump = (s: Snapshot): boolean => !isListing(s.source) && s.layout !== null;
  for (let i = 1; i < snaps.length; i++) {
    const [a, b] = [snaps[i - 1]!, snaps[i]!];
    if (!dump(a) || !dump(b) || b.totalSize >= a.totalSize || a.groups.length < 20) continue;
    // Tracebacks are indices of the series' one frame table: marked in an array, not hashed.
    let top = 0;
    for (const s of [a, b]) for (let g = 0; g < s.groups.length; g++) top = Math.max(top, s.groups.traceback[g]!);
    const mark = new Uint8Array(top + 1);
    for (let g = 0; g < b.groups.length; g++) mark[b.groups.traceback[g]!] = 1;
    let [held, gone] = [0, 0];
    for (let g = 0; g < a.groups.length; g++) {
      const tb = a.groups.traceback[g]!;
      if (mark[tb]! & 2) continue;
      held++;
      if (!(mark[tb]! & 1)) gone++;
      mark[tb] = mark[tb]! | 2;
    }
    if (held >= 20 && gone >= 0.95 * held) {
      const fell = Math.round((100 * (a.totalSize - b.totalSize)) / a.totalSize);
      return (
        `from ${a.source.path} to ${b.source.path} the traced memory fell by ${fell}% and ${gone} of ${held} ` +
        'tracebacks holding memory hold none, as after tracemalloc.clear_traces() or stop(): if the program called ' +
        'one, what it held before is in no later capture'
      );
    }
  }
  return null;
}

// Said of two captures in a row whose traceback limits differ.
function limitChanged(a: Snapshot, b: Snapshot, more = ''): string {
  return (
    `${a.source.path} keeps tracebacks of ${a.tracebackLimit} frames, the next, ${b.source.path}, of ` +
    `${b.tracebackLimit}${more}: the limit changes only by stop() and start(N), which clear every trace (or ` +
    'they are two processes)'
  );
}

/**
 * Why snapshots do not line up as captures of one run: traces of 3 items (CPython up to 3.8) beside
 * traces of 4 (3.9 on) are two interpreters (CPython's compare_to refuses the pair); tracebacks of
 * different depths group apart by whole traceback (`byTraceback`), not by line or file.
 */
export function unlikeSnapshots(snaps: readonly Snapshot[], byTraceback = true): string[] {
  const found: string[] = [];
  const layout = (l: string) => snaps.find((s) => s.layout === l);
  const [old, recent] = [layout('3-tuple'), layout('4-tuple')];
  if (old && recent) {
    found.push(
      `the snapshots come from CPython versions before and after 3.9 (${old.source.path}: 3-item traces, ` +
        `${recent.source.path}: 4-item): not one run of one program, so what changed between them is no change of its ` +
        '(and 3.9 on names the script by its absolute path, so even its lines do not line up)',
    );
  }
  const limits = [...new Set(snaps.map((s) => s.tracebackLimit).filter((l) => l !== null))].sort((a, b) => a - b);
  // (Not of two captures compared, diff's: two runs' are compared as well as one run's.)
  const cleared = byTraceback ? clearedBetween(snaps) : null;
  if (cleared) found.push(cleared);
  if (byTraceback && limits.length > 1) {
    found.push(
      `the snapshots keep tracebacks of ${limits.length} depths (traceback limits ${limits.join(', ')}): ` +
        'grouped by whole traceback their sites do not line up; by line or file they do',
    );
  }
  return found;
}

/**
 * Refuses a series whose captures name the libraries of two CPython versions, none in common: two
 * interpreters' captures, not one run. A 3.12 run's capture among a 3.11 run's read a leak as a
 * plateau, and the gate passed it, with no word (h274; the 3-item and 4-item traces of 3.8 and 3.9 on
 * only warn, unlikeSnapshots).
 */
function refuseInterpreters(snaps: readonly Snapshot[]): void {
  // (Dumps only: a listing's top N names what was largest, the library of one and a PYTHONPATH's
  // package of another, listings of one run refused; h276.)
  const named = snaps
    .filter((s) => !isListing(s.source))
    .map((s) => ({ s, versions: librariesOf(s) }))
    .filter((n) => n.versions.length > 0);
  const kinds = [...new Map(named.map((n) => [n.versions.join(' '), n])).values()];
  for (const a of kinds) {
    const b = kinds.find((k) => !k.versions.some((v) => a.versions.includes(v)));
    if (!b) continue;
    const of = (n: (typeof kinds)[number]): string => n.versions.map((v) => `python${v}`).join(', ');
    throw new UsageError(
      `${a.s.source.path} names the library of ${of(a)} and ${b.s.source.path} that of ${of(b)} (lib/pythonX.Y/ in ` +
        'their tracebacks): captures of two interpreters, not one run of one program, whose changes between them are ' +
        "no program's; give one run's captures, compare two runs with `arenascope diff` or `gate --baseline`, or " +
        '--order given to take them as one series',
    );
  }
}

// What `arenascope run` labels the captures it takes at a run's start and end.
const RUN_ENDS = new Set(['exit', 'exception', 'interrupted']);

/**
 * Refuses a series holding two runs' captures by their labels (the `.label` sidecars `arenascope run`
 * writes): two captures labelled `start`, and two run ends, or a run's end before the later start. Two
 * runs' snapshots copied into one folder under names of their own (`leak-0001.pickle` beside
 * `noleak-0001.pickle`) were judged as one run, and the gate passed the leak (h232).
 */
function refuseJoinedRuns(labels: readonly string[], snaps: readonly Snapshot[]): void {
  const starts = labels.flatMap((l, i) => (l === 'start' ? [i] : []));
  if (starts.length < 2) return;
  const ends = labels.flatMap((l, i) => (RUN_ENDS.has(l) ? [i] : []));
  if (ends.length < 2 && !ends.some((e) => e < starts[1]!)) return;
  const [a, b] = [snaps[starts[0]!]!.source.path, snaps[starts[1]!]!.source.path];
  throw new UsageError(
    `${a} and ${b} are both labelled 'start', and ${ends.length} captures a run's end: two runs of \`arenascope run\` ` +
      "joined into one series (their snapshots copied into one folder?); a series is one run's captures: give one " +
      "run's at a time, or compare a run with another by `gate --baseline` (`--order given` takes them as one series)",
  );
}
