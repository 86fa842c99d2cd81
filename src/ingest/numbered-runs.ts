// Snapshots whose names number several runs apart: 'mem.<pid>.<n>.pickle' of two workers dumping into
// one folder, 'app-py311-<n>' beside 'app-py38-<n>', 'run-a/snap-<n>' beside 'run-b/snap-<n>'. Judged as one series, one process's captures
// followed the other's: a leak of one read as shrinking at the other's first, and the gate passed it.

import { basename, dirname, join } from 'node:path';

/** Runs told apart by the numbers of the snapshots' names, each numbered afresh. */
export interface NumberedRuns {
  /** Per run, in the order of its first snapshot: its names as a glob ('snaps/mem.4935.*.pickle') and how many. */
  readonly runs: readonly { readonly glob: string; readonly count: number }[];
  /** Whether the runs' capture times overlap (two processes at once); null when the times are not known. */
  readonly overlap: boolean | null;
  /** Whether each run is counted from the same first number (else their numbers interleave). */
  readonly afresh: boolean;
  /**
   * Told apart by the text around their numbers ('leaky-<n>' beside 'clean-<n>'), which one process's
   * phases share ('warmup-<n>' then 'steady-<n>'): a doubt, not two runs for certain.
   */
  readonly byName?: true;
  /** Named apart beside a time of day, one run's captures after the other's ('run1-<time>', 'run2-<time>'). */
  readonly apart?: true;
  /**
   * Named by a time of day with no date, with no times to order them, and a gap between two of them
   * (these two names) longer than from the last around the clock to the first: taken across midnight (or
   * noon, by a 12-hour clock), so their names' order is not the captures' (a leak from 23:59:20 to
   * 00:00:30, read 00-00-* first, read "transient" and the gate passed it; h334). No runs then.
   */
  readonly wraps?: readonly [string, string];
  /**
   * With `wraps`: that gap is as long as the one around the clock, names spread evenly over the whole
   * day ('heap-00-00-00' to 'heap-23-00-00' hourly), where the series could start at either.
   */
  readonly evenDay?: true;
}

/**
 * The runs that the names of `paths` number apart: every name the same text around two numbers or
 * more, the last counting the captures of a run and the ones before it naming the run (or, fewer
 * runs so, the last naming the run and the one before it counting: 'snap-<step>-<pid>'), two runs of
 * two captures or more (beside runs of one: a worker that took one task), each counted from the same
 * first number, or their counts interleaved (a shared counter, the task's index: 'snap-<pid>-<task>';
 * 'snap-<pid>-<time.time()>' of workers at once). Null otherwise (one count, a count that goes on from
 * run to run: one run in parts). Names holding a time of day are one run's captures unless something
 * beside the time (a number, a folder) tells runs apart, or their seconds count afresh; across midnight
 * with no times to order them, they are said to wrap (`wraps`). `times`: each snapshot's, when known.
 */
export function numberedRuns(paths: readonly string[], times: readonly (number | null)[]): NumberedRuns | null {
  if (paths.length < 4) return null;
  // A dump gzipped later keeps its shape ('snap-3.pickle.gz' beside 'snap-2.pickle').
  // A date written with no joints, and its clock ('%Y%m%d-%H%M%S'), is read as one with them.
  const parts = jointed(paths.map((p) => basename(p).replace(/\.gz$/i, '').split(NUMBER)));
  const k = clockAt(parts);
  if (k !== null && !countedAfresh(parts, k)) {
    // The clock counts the captures; numbers beside it name the runs ('heap-<pid>-<HH-MM-SS>' of two
    // workers at once were read as one series: the clock hid their pids).
    // A date before it ('2026-12-07T23:59:50') is part of the clock, no run's name.
    const { dated, start, seconds } = clockSeconds(parts, k);
    const collapsed = parts.map((p, i) => [...p.slice(0, start), String(seconds[i]), ...p.slice(k + 5)]);
    // Runs one after the other too ('run1-10-00-*' then 'run2-10-05-*'): the numbers beside the clock
    // name them, which one process's captures do not change.
    // (Or folders apart: each worker's clock-named dumps in its own folder, at once or one after the other.)
    const folders = new Set(paths.map((p) => dirname(p))).size;
    const runs = collapsed[0]!.length > 3 || folders > 1 ? grouped(paths, collapsed, times, start, true) : null;
    if (runs || dated || times.every((t) => t !== null)) return runs;
    const wraps = aroundMidnight(
      collapsed.map((p) => Number(p[start])),
      // %I runs 01..12: an hour 00 is a 24-hour clock's, which no noon turns back.
      parts.every((p) => Number(p[k]) >= 1 && Number(p[k]) <= 12),
    );
    if (!wraps) return null;
    const [a, b, even] = wraps;
    return {
      runs: [],
      overlap: null,
      afresh: false,
      wraps: [paths[a]!, paths[b]!],
      ...(even ? { evenDay: true } : {}),
    };
  }
  const template = (p: readonly string[]): string => p.filter((_, i) => i % 2 === 0).join('#');
  const shape = template(parts[0]!);
  // Two numbers at least (the run's, then the capture's), or one in each of two folders and more (a
  // run a folder, each counted afresh: snap-1 to snap-6 in run-a/ and in run-b/, a leak of each read
  // as transient where run-b's snap-1 followed run-a's snap-6).
  const numbers = (parts[0]!.length - 1) / 2;
  const folders = new Set(paths.map((p) => dirname(p))).size;
  // Names of several shapes in one folder, each counting its own captures afresh ('leaky-<n>' beside
  // 'clean-<n>', 'batch-<n>' beside 'web-<n>'): two programs' dumps, one series of them joined at the
  // other's first capture (a leak of 5 MiB read "no leak" by times, and the gate passed it; h321); or one
  // process's phases ('warmup-<n>' then 'steady-<n>', refused, h322): said, not refused.
  if (parts.some((p) => template(p) !== shape)) {
    // (As many numbers in each, one at least: names of other shapes, 'a-1-1' beside 'b1', are no such runs.)
    if (numbers < 1 || parts.some((p) => p.length !== parts[0]!.length)) return null;
    const at = parts[0]!.length - 2;
    const runs = grouped(paths, parts, times, at);
    if (!runs?.afresh) return null;
    // Numbers besides the count that differ from run to run ('web-<pid>-<n>' beside 'batch-<pid>-<n>')
    // tell processes apart, which one process's phases are not: refused as one shape's runs are.
    const ids = new Set(parts.map((p) => p.filter((_, k) => k % 2 === 1 && k !== at).join('#')));
    return ids.size > 1 ? runs : { ...runs, byName: true };
  }
  return countedRuns(paths, parts, times, folders);
}

/**
 * The runs of names of one shape: counted by their last number, or the one before it. A decimal among
 * them is one number ('snap_%.1f' of the seconds elapsed: snap_0.1s to snap_11.4s read as 5 runs by
 * their tenths, h359; time.perf_counter()'s, 'snap-699.685911563', as 3 runs by its whole seconds): its
 * parts read again as one, so the runs beside it are still told (a process id before it, h365).
 */
function countedRuns(
  paths: readonly string[],
  parts: readonly string[][],
  times: readonly (number | null)[],
  folders: number,
): NumberedRuns | null {
  const numbers = (parts[0]!.length - 1) / 2;
  if (numbers < 1 || (numbers < 2 && folders < 2)) return null;
  const last = grouped(paths, parts, times, parts[0]!.length - 2);
  const before = numbers >= 2 ? grouped(paths, parts, times, parts[0]!.length - 4) : null;
  const found = before && (!last || before.runs.length < last.runs.length) ? before : last;
  if (!found || found.afresh || !decimalAtEnd(parts)) return found;
  const n = parts[0]!.length;
  const merged = parts.map((p) => [...p.slice(0, n - 4), `${p[n - 4]}.${p[n - 2]}`, p[n - 1]!]);
  return countedRuns(paths, merged, times, folders);
}

/**
 * Whether the last two numbers of every name are one decimal: a point between them, and after it 8
 * digits or more (a float's repr: no counter or process id is so long), or as many in every name with
 * a whole part under 3 digits in some ('%.1f'; a process id has 3 or more), or of several widths, 5
 * or more in some (a float's repr dropping its zeros).
 */
function decimalAtEnd(parts: readonly string[][]): boolean {
  const n = parts[0]!.length;
  if (n < 5 || !parts.every((p) => p[n - 3] === '.')) return false;
  const widths = new Set(parts.map((p) => p[n - 2]!.length));
  const longest = Math.max(...widths);
  return (
    longest >= 8 ||
    (widths.size === 1 && parts.some((p) => p[n - 4]!.length < 3 || p[n - 4]![0] === '0')) ||
    (widths.size > 1 && longest >= 5)
  );
}

// A number of a name: a time.time() with its fraction is one ('snap-<pid>-1764800000.12.pickle').
const NUMBER = /(\d{9,}\.\d+|\d+)/;

/** The runs when the number at `at` (an index of each name's parts) counts the captures, the rest naming the run. */
function grouped(
  paths: readonly string[],
  parts: readonly string[][],
  times: readonly (number | null)[],
  at: number,
  named = false,
): NumberedRuns | null {
  const runs = new Map<string, { glob: string; counts: number[]; times: (number | null)[] }>();
  parts.forEach((p, i) => {
    const name = (counted: string): string => p.map((x, k) => (k === at ? counted : x)).join('');
    const key = join(dirname(paths[i]!), name(''));
    let run = runs.get(key);
    if (!run) {
      run = { glob: join(dirname(paths[i]!), name('*')), counts: [], times: [] };
      runs.set(key, run);
    }
    run.counts.push(Number(p[at]!));
    run.times.push(times[i] ?? null);
  });
  const list = [...runs.values()];
  if (list.length < 2 || list.filter((r) => r.counts.length >= 2).length < 2) return null;
  if (list.some((r) => new Set(r.counts).size !== r.counts.length)) return null;
  const first = Math.min(...list[0]!.counts);
  const afresh = list.every((r) => Math.min(...r.counts) === first);
  const interleaved = overlapping(list.map((r) => r.counts));
  if (!afresh && !named && !interleaved) return null;
  return {
    afresh,
    ...(!afresh && !interleaved ? { apart: true as const } : {}),
    runs: list.map((r) => ({ glob: r.glob, count: r.counts.length })),
    overlap: list.some((r) => r.times.some((t) => t === null))
      ? null
      : overlapping(list.map((r) => r.times as number[])),
  };
}

// Whether two runs' spans (of capture times, or of counts) overlap.
function overlapping(runs: readonly (readonly number[])[]): boolean {
  const spans = runs.map((r) => [Math.min(...r), Math.max(...r)] as const).sort((a, b) => a[0] - b[0]);
  return spans.some((s, i) => i > 0 && s[0] < spans[i - 1]![1]);
}

/**
 * The seconds of the clock at `k` of each name (from the day's start, or from 1970 with a date before
 * it: '2026-12-07T23:59:50'), and where in the parts the clock with its date starts.
 */
function clockSeconds(
  parts: readonly string[][],
  k: number,
): { readonly dated: boolean; readonly start: number; readonly seconds: number[] } {
  const dated =
    k >= 5 &&
    parts.every((p) => /^\d{4}$/.test(p[k - 6] ?? '') && /^\d\d$/.test(p[k - 4]!) && /^\d\d$/.test(p[k - 2]!));
  const seconds = parts.map(
    (p) =>
      (dated ? Date.UTC(Number(p[k - 6]), Number(p[k - 4]) - 1, Number(p[k - 2])) / 1000 : 0) +
      3600 * Number(p[k]) +
      60 * Number(p[k + 2]) +
      Number(p[k + 4]),
  );
  return { dated, start: dated ? k - 6 : k, seconds };
}

/**
 * Whether the names hold a time of day (clockAt) whose steps from one capture to the next, around
 * the clock, are the steps of their `times` (in that order, to a second): the names' clock is the
 * capture times', across midnight too, where its order is not the names'.
 */
export function namedByTheirTimes(paths: readonly string[], times: readonly number[]): boolean {
  if (paths.length < 2) return false;
  const parts = jointed(
    paths.map((p) => basename(p).replace(/\.gz$/i, '').split(NUMBER)),
    true,
  );
  const k = clockAt(parts);
  if (k === null) return false;
  const { seconds } = clockSeconds(parts, k);
  return seconds.every((s, i) => {
    if (i === 0) return true;
    const named = (((s - seconds[i - 1]!) % 86400) + 86400) % 86400;
    return Math.abs(named - (times[i]! - times[i - 1]!)) <= 1;
  });
}

/**
 * Where every name holds a time of day, at the same place ('2026-12-07T09:59:07.dump', '09-59-07.pickle'):
 * hours, minutes and seconds of 2 digits each, under 24, 60 and 61, joined by ':', '-', '.' or '_' alike.
 * Its seconds start again as its minutes step on, which is no new run: one process dumping every 10 s
 * across a minute was refused as 2 runs "each counted afresh" (h333).
 */
function clockAt(parts: readonly string[][]): number | null {
  const at = (k: number): boolean =>
    parts.every((p) => {
      const [h, m, s] = [p[k], p[k + 2], p[k + 4]];
      const [a, b] = [p[k + 1], p[k + 3]];
      return (
        h !== undefined &&
        s !== undefined &&
        m !== undefined &&
        /^\d\d$/.test(h) &&
        /^\d\d$/.test(m) &&
        /^\d\d$/.test(s) &&
        Number(h) < 24 &&
        Number(m) < 60 &&
        Number(s) < 61 &&
        a === b &&
        /^[:._-]$/.test(a ?? '') &&
        // No clock goes on past its seconds by the same joint: 'node-07-10-00-00' is a host's number, then the clock.
        !(p[k + 5] === a && /^\d\d$/.test(p[k + 6] ?? ''))
      );
    });
  for (let k = 1; k + 4 < parts[0]!.length; k += 2) if (at(k)) return k;
  return null;
}

/**
 * Whether the "seconds" of a clock at `k` count 1, 2, 3… (or 0, 1, 2…) afresh under each "minute":
 * a run's captures ('w-<worker>-<run>-<n>': 'w-01-02-03'), which no clock dumping at intervals names.
 */
function countedAfresh(parts: readonly string[][], k: number): boolean {
  const runs = new Map<string, number[]>();
  for (const p of parts) {
    const key = [...p.slice(0, k + 4), ...p.slice(k + 5)].join('');
    runs.set(key, [...(runs.get(key) ?? []), Number(p[k + 4])]);
  }
  if (runs.size < 2) return false;
  // A clock dumping every second fills each minute to :59 and starts the next at :00 (all but the last
  // minute full): one process's captures, no counts afresh. Its minutes follow one another, with nothing
  // else in the names changing; two runs counted 01..60 ('w-01-01-*' beside 'w-02-01-*': 60 minutes
  // apart, a "second" of 60) are no such clock (h337 F4).
  if (filledMinutes(parts, k)) return false;
  return [...runs.values()].every((r) => {
    const sorted = [...r].sort((a, b) => a - b);
    return sorted.length >= 2 && sorted[0]! <= 1 && sorted.every((v, i) => v === sorted[0]! + i);
  });
}

/**
 * Of times of day in seconds (`twelve`: every hour 12 or under, as a 12-hour clock gives), the indices
 * of the two around the largest gap when it is longer than the gap from the last around the clock to
 * the first, or as long over a day (true: the names spread evenly over the whole day, hourly dumps
 * read from 00 where they started at 10); else null.
 */
function aroundMidnight(seconds: readonly number[], twelve: boolean): readonly [number, number, boolean] | null {
  const order = seconds.map((_, i) => i).sort((a, b) => seconds[a]! - seconds[b]!);
  let at = 0;
  for (let i = 1; i < order.length - 1; i++) {
    if (seconds[order[i + 1]!]! - seconds[order[i]!]! > seconds[order[at + 1]!]! - seconds[order[at]!]!) at = i;
  }
  const gap = seconds[order[at + 1]!]! - seconds[order[at]!]!;
  const [first, last] = [seconds[order[0]!]!, seconds[order[order.length - 1]!]!];
  for (const day of twelve ? [86400, 43200] : [86400]) {
    if (gap > first + day - last) return [order[at]!, order[at + 1]!, false];
  }
  return gap > 0 && gap === first + 86400 - last ? [order[at]!, order[at + 1]!, true] : null;
}

/** Whether the clock at `k` reads as a dump every second: minutes one after the other, each but the last full to :59 from :00. */
function filledMinutes(parts: readonly string[][], k: number): boolean {
  const minutes = new Map<string, { at: number; seconds: number[] }>();
  for (const p of parts) {
    const rest = [...p.slice(0, k), ...p.slice(k + 5)].join('');
    const key = `${p[k]}:${p[k + 2]}`;
    const m = minutes.get(key) ?? { at: 60 * Number(p[k]) + Number(p[k + 2]), seconds: [] };
    m.seconds.push(Number(p[k + 4]));
    minutes.set(key, m);
    // Names alike but for the clock: else something beside it names runs.
    if (rest !== [...parts[0]!.slice(0, k), ...parts[0]!.slice(k + 5)].join('')) return false;
  }
  const list = [...minutes.values()].sort((a, b) => a.at - b.at);
  return list.every((m, i) => {
    const [lo, hi] = [Math.min(...m.seconds), Math.max(...m.seconds)];
    const next = list[i + 1];
    return (
      hi <= 59 && (i === 0 || lo === 0) && (next === undefined || (hi === 59 && (next.at - m.at + 1440) % 1440 === 1))
    );
  });
}

/**
 * The parts of names with the joints put into a date of 8 digits ('%Y%m%d') before a time of day, and
 * into that time of day when it is 6 digits ('20261207-235950' to '2026/12/07-23:59:50'), so that clockAt
 * and the dated clock read them. Each was one number: two runs one after the other
 * ('heap-%Y%m%d-%H%M%S-<pid>') read as one series with its leak restarting, and the gate passed it (h337
 * F2); a date before a clock across midnight read as two runs. Six digits with no date before them stay
 * a number: a step count '%06d' ('step000500', 'snap-030000') is as often a valid time of day, and was
 * refused as names across midnight or runs apart (h340 F1, F4); `undated`: read as a time of day all the
 * same (where capture times tell whether it is one).
 */
function jointed(parts: readonly string[][], undated = false): string[][] {
  const date = (x: string | undefined): boolean =>
    x !== undefined &&
    /^(19|20)\d{6}$/.test(x) &&
    Number(x.slice(4, 6)) >= 1 &&
    Number(x.slice(4, 6)) <= 12 &&
    Number(x.slice(6)) >= 1 &&
    Number(x.slice(6)) <= 31;
  const clock = (x: string | undefined): boolean =>
    x !== undefined &&
    /^\d{6}$/.test(x) &&
    Number(x.slice(0, 2)) < 24 &&
    Number(x.slice(2, 4)) < 60 &&
    Number(x.slice(4)) < 61;
  const split = (x: string, at: readonly number[], joint: string): string[] =>
    at.flatMap((from, i) => [...(i > 0 ? [joint] : []), x.slice(from, at[i + 1])]);
  let out = parts.map((p) => [...p]);
  const dated = (p: readonly string[], j: number): boolean =>
    p.length === out[0]!.length && date(p[j - 2]) && /^[-_T.]$/.test(p[j - 1]!);
  const j = out[0]!.findIndex(
    (_, j) =>
      j % 2 === 1 &&
      (undated ? out.every((p) => p.length === out[0]!.length) : j >= 3 && out.every((p) => dated(p, j))) &&
      out.every((p) => clock(p[j])) &&
      // A date and time of day name one moment each: where two names share both, the six digits are a
      // process id ('heap-%Y%m%d-<pid>-<n>': runs were told apart by their counter, h343 F3).
      (undated || new Set(out.map((p) => `${p[j - 2]}-${p[j]}`)).size === out.length),
  );
  if (j > 0) out = out.map((p) => [...p.slice(0, j), ...split(p[j]!, [0, 2, 4], ':'), ...p.slice(j + 1)]);
  const k = clockAt(out);
  if (k !== null && k >= 3 && out.every((p) => dated(p, k))) {
    out = out.map((p) => [...p.slice(0, k - 2), ...split(p[k - 2]!, [0, 4, 6], '/'), ...p.slice(k - 1)]);
  }
  return out;
}
