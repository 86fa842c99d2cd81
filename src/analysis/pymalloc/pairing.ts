// Which real allocator report (sys._debugmallocstats) goes with which capture: one rule for replay,
// report and gate, so that they show the same real figures, and say what they paired and left out.

import { type AllocatorStats, type MallocStatsBlock, standingReport } from '../../model/allocator-stats.js';
import { listed } from '../../util/excerpt.js';

/** A capture of the series, as pairing sees it: its label (file name) and capture time. */
export interface PairedCapture {
  readonly label: string;
  readonly time: number | null;
  /** The file it was read from, when that is not its label (a run's label): names pair on it. */
  readonly file?: string;
}

/** Captures as pairing sees them: a dump's file is given where a display label hides it. */
export function pairedCaptures(
  snapshots: readonly { source: { path: string }; time: number | null }[],
  labels: readonly string[],
): PairedCapture[] {
  return snapshots.map((s, i) => ({ label: labels[i] ?? s.source.path, time: s.time, file: s.source.path }));
}

/**
 * The rule that paired them: the run folder's own pairing (`matches`), labels, file names, sidecar times, or
 * order (a report, or a file, per capture).
 */
export type PairingRule = 'run' | 'label' | 'name' | 'time' | 'reports-in-order' | 'files-in-order';

export interface AllocatorPairing {
  /** For each capture, in series order, its report, or null. */
  readonly reports: readonly (MallocStatsBlock | null)[];
  /** null when nothing was given, or nothing paired. */
  readonly rule: PairingRule | null;
  /** True when every capture has a report and every file given was used. */
  readonly complete: boolean;
  /** One line of what was paired, then one per capture or file left without a partner, naming it. */
  readonly notes: readonly string[];
}

const base = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** `snap-3.pickle` -> 'snap-3'; `stats-3.txt.gz` -> 'stats-3'. */
const stem = (p: string): string =>
  base(p)
    .replace(/\.gz$/i, '')
    .replace(/\.[^.]*$/, '');

/**
 * What names pair on: the last part of the stem (after its last '-', '_', '.' or space): its number
 * when it ends in one (snap-03 and stats-3, snap3), else the part (app-start and stats-start;
 * run.pickle and run.txt).
 */
function nameKey(p: string): string {
  // The last part of the stem: its number when it ends in one, else the word (py311-start and
  // stats-start pair on 'start', not on the 311 inside).
  const s = stem(p);
  const last = /[^-_.\s]+$/.exec(s)?.[0] ?? s;
  const n = /(\d+)$/.exec(last);
  return n ? String(Number(n[1])) : last;
}

const last = standingReport;

interface Pairs {
  /** For each capture, the index of its file, or -1. */
  readonly fileOf: readonly number[];
  /** Why the file of this index was left unpaired. */
  readonly why: (file: number) => string;
}

// Labels that occur once on each side pair: a report's `.label` sidecar and a capture's label (a
// run's checkpoints, kept by `convert`), whatever the files are named.
function byLabel(captures: readonly PairedCapture[], files: readonly AllocatorStats[]): Pairs {
  const once = (labels: readonly (string | null | undefined)[], l: string): boolean =>
    labels.filter((x) => x === l).length === 1;
  const fileLabels = files.map((f) => f.label);
  const capLabels = captures.map((c) => c.label);
  const fileOf = capLabels.map((l) => (once(capLabels, l) && once(fileLabels, l) ? fileLabels.indexOf(l) : -1));
  return { fileOf, why: () => 'no capture has its label (its .label sidecar), or another has it too' };
}

// Keys that occur once on each side pair; a key two captures or two files share pairs nothing.
function byName(captures: readonly PairedCapture[], files: readonly AllocatorStats[]): Pairs {
  const count = (keys: string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const fileKeys = files.map((f) => nameKey(f.source.path));
  // A series read from one file shares it: its captures pair on their labels, as always.
  const ownFiles = new Set(captures.map((c) => c.file)).size === captures.length;
  const capKeys = captures.map((c) => nameKey((ownFiles && c.file) || c.label));
  const nf = count(fileKeys);
  const nc = count(capKeys);
  const fileOf = capKeys.map((k) => (nc.get(k) === 1 && nf.get(k) === 1 ? fileKeys.indexOf(k) : -1));
  const why = (fi: number): string => {
    const k = fileKeys[fi]!;
    if ((nf.get(k) ?? 0) > 1) return `another allocator-stats file's name ends in the same number (${k})`;
    if ((nc.get(k) ?? 0) > 1) return `${nc.get(k)} captures' names end in its number (${k})`;
    return "no capture's name ends in the same number or word (stats-3.txt pairs with snap-3.pickle, stats-end.txt with app-end.pickle)";
  };
  return { fileOf, why };
}

// Each file goes to the capture nearest in time; of two files nearest one capture, the nearer wins.
function byTime(captures: readonly PairedCapture[], files: readonly AllocatorStats[]): Pairs {
  const fileOf = captures.map(() => -1);
  const gap = (ci: number, fi: number): number => Math.abs(captures[ci]!.time! - files[fi]!.time!);
  files.forEach((_, fi) => {
    let ci = 0;
    for (let j = 1; j < captures.length; j++) if (gap(j, fi) < gap(ci, fi)) ci = j;
    if (fileOf[ci] === -1 || gap(ci, fi) < gap(ci, fileOf[ci]!)) fileOf[ci] = fi;
  });
  return { fileOf, why: () => 'another report is nearer in time to its nearest capture' };
}

// The snapshot each report was taken with, as the run that wrote both recorded it.
function byRun(captures: readonly PairedCapture[], files: readonly AllocatorStats[]): Pairs {
  const fileOf = captures.map((c) => files.findIndex((f) => f.matches != null && f.matches === c.file));
  // An interval report the run matched by time is the one taken nearest an interval snapshot's moment,
  // but the run without tracemalloc goes faster: one taken after a checkpoint's report, matched with a
  // snapshot before that checkpoint's, is a later moment of the program (all a run's reports were then
  // refused as out of order, and fragmentation not measured). Such a report pairs with nothing.
  const captureOf = files.map((_, fi) => fileOf.indexOf(fi));
  const labelled = files.flatMap((f, fi) =>
    f.matchedBy === 'label' && f.time != null && captureOf[fi]! >= 0 ? [{ time: f.time, capture: captureOf[fi]! }] : [],
  );
  const misplaced = new Map<number, string>();
  files.forEach((f, fi) => {
    const c = captureOf[fi]!;
    if (f.matchedBy !== 'time' || f.time == null || c < 0) return;
    const against = labelled.find((x) => (x.time < f.time! && x.capture > c) || (x.time > f.time! && x.capture < c));
    if (!against) return;
    fileOf[c] = -1;
    misplaced.set(
      fi,
      `the run matched it by time with ${f.matches}, but took it ${against.time < f.time ? 'after' : 'before'} the report of ` +
        `${captures[against.capture]!.label}, a ${against.capture > c ? 'later' : 'earlier'} capture: another moment of the program`,
    );
  });
  return {
    fileOf,
    why: (fi) =>
      misplaced.get(fi) ??
      (files[fi]!.matches === undefined
        ? "it is not one of the run folder's reports, which pair as the run recorded"
        : files[fi]!.matches === null
          ? 'the run matched it with no snapshot'
          : `its snapshot (${files[fi]!.matches}) is not among the captures`),
  };
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Pairs the allocator reports of `files` with `captures`. Reports of an `arenascope run` folder pair
 * with the snapshot the run says they `matches`; others by the first rule that pairs any:
 * 1. names: a capture and a file whose names end in the same number (`snap-3.pickle`, `stats-3.txt`),
 *    or, without one, in the same word (`app-start.pickle`, `stats-start.txt`; `run.pickle`,
 *    `run.txt`); the file's last report;
 * 1. labels: a file whose `.label` sidecar is a capture's label (both unique);
 * 2. times: when every capture and every file has a time (a `.time` sidecar), there is a file per
 *    capture and each is nearest a capture of its own, each file's last report goes to it (other
 *    times pair nothing: another run's, or a report missing, which shifts the rest; order pairs
 *    them when it can);
 * 3. order: one report per capture, or one file per capture (its last report).
 * Captures left without a report get null, and each capture or file left out is a note naming it.
 */
export function pairAllocatorReports(
  captures: readonly PairedCapture[],
  files: readonly AllocatorStats[],
): AllocatorPairing {
  const none = captures.map(() => null);
  files = files.filter((f) => f.blocks.length > 0);
  if (!files.length) return { reports: none, rule: null, complete: false, notes: [] };
  const blocks = files.flatMap((f) => f.blocks);
  const names = files.map((f) => f.source.path);
  const held = `${plural(files.length, 'allocator-stats file')} holding ${plural(blocks.length, 'report')}`;
  // Reports of a run folder pair as the run recorded, whatever their names or times say; with
  // captures not of that run (its snapshots converted to JSON), by the rules after.
  const run = files.some((f) => f.matches !== undefined) ? byRun(captures, files) : null;
  if (run && (run.fileOf.some((i) => i >= 0) || files.every((f) => f.matches === null))) {
    return paired(captures, files, run, 'run', 'as the run recorded');
  }
  // Labels that repeat (a checkpoint reached in a loop) pair nothing one by one; the same labels in
  // the same order, a file per capture, pair in that order.
  const fileLabels = files.map((f) => f.label);
  if (files.length === captures.length && fileLabels.every((l, i) => l != null && l === captures[i]!.label)) {
    return order(captures, files.map(last), 'label', `${held}, their labels those of the captures, in order`);
  }
  const labelled = byLabel(captures, files);
  if (labelled.fileOf.some((i) => i >= 0)) return paired(captures, files, labelled, 'label', 'by label');
  const named = byName(captures, files);
  if (named.fileOf.some((i) => i >= 0)) return paired(captures, files, named, 'name', 'by file name');
  const timed = captures.every((c) => c.time !== null) && files.every((f) => f.time != null);
  const times = timed ? byTime(captures, files) : null;
  // Times pair a file with each capture, or nothing: times that put two reports nearest one capture
  // are another run's (`arenascope run --allocator` takes its reports in a second run), and with a
  // report missing, one taken after a slow dump lies nearer the next capture than its own (every
  // report paired one capture late, the last capture's "real" figure from before it freed).
  const together = times ? files.length - new Set(times.fileOf.filter((i) => i >= 0)).size : 0;
  const untimed = !times
    ? ''
    : together
      ? `; their times left ${plural(together, 'file')} without a capture of its own, so they were not paired by time`
      : files.length !== captures.length
        ? `; times pair a file with each capture or none (${files.length} files for ${plural(captures.length, 'capture')})`
        : '';
  if (times && !untimed) return paired(captures, files, times, 'time', 'by time');
  if (blocks.length === captures.length) {
    return order(captures, blocks, 'reports-in-order', `${held}, one per capture, in order${untimed}`);
  }
  if (files.length === captures.length) {
    return order(
      captures,
      files.map(last),
      'files-in-order',
      `${held}, one file per capture, in order (its last)${untimed}`,
    );
  }
  return {
    reports: none,
    rule: null,
    complete: false,
    notes: [
      `no allocator report paired with the ${plural(captures.length, 'capture')}: ${held} (${listed(names)})` +
        `${untimed}; name them as the captures (snap-3.pickle, stats-3.txt), label them (.label sidecars), ` +
        'add .time sidecars taken with them, or give one report, or one file, per capture',
    ],
  };
}

function order(
  captures: readonly PairedCapture[],
  reports: readonly MallocStatsBlock[],
  rule: PairingRule,
  how: string,
): AllocatorPairing {
  return {
    reports: captures.map((_, i) => reports[i]!),
    rule,
    complete: true,
    notes: [`allocator reports paired with ${plural(captures.length, 'capture')}: ${how}`],
  };
}

function paired(
  captures: readonly PairedCapture[],
  files: readonly AllocatorStats[],
  pairs: Pairs,
  rule: PairingRule,
  how: string,
): AllocatorPairing {
  const used = new Set(pairs.fileOf.filter((i) => i >= 0));
  // A run's label (a test's node id) is shown whole; a file name without its folders.
  const name = (c: PairedCapture): string => (c.file !== undefined && c.file !== c.label ? c.label : base(c.label));
  const lonely = captures.filter((_, i) => pairs.fileOf[i]! < 0).map(name);
  const notes = [
    `allocator reports paired ${how} with ${used.size} of ${plural(captures.length, 'capture')}: ` +
      captures
        .map((c, i) => (pairs.fileOf[i]! >= 0 ? `${name(c)} with ${base(files[pairs.fileOf[i]!]!.source.path)}` : ''))
        .filter(Boolean)
        .slice(0, 3)
        .join(', ') +
      (used.size > 3 ? ', …' : '') +
      (files.some((f, i) => used.has(i) && f.blocks.length > 1) ? ' (the last report of each file)' : ''),
  ];
  if (lonely.length) notes.push(`no allocator report for ${listed(lonely, 5)}`);
  files.forEach((f, i) => {
    if (!used.has(i)) notes.push(`left out ${f.source.path} (${plural(f.blocks.length, 'report')}): ${pairs.why(i)}`);
  });
  return {
    reports: captures.map((_, i) => (pairs.fileOf[i]! >= 0 ? last(files[pairs.fileOf[i]!]!) : null)),
    rule,
    complete: lonely.length === 0 && used.size === files.length,
    notes,
  };
}
