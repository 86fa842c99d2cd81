// A statistic line as tracemalloc-text.ts reads it, and what of the text before its file name is a log
// prefix: the fields every statistic of a listing starts with, and the process its prefix names. A
// relative file name with a space ('my script.py') starts with a word a prefix's last field could be.

import type { Frame } from '../model/frames.js';
import { type PrefixCut, prefixCuts, prefixNumbers } from './log-prefix.js';
import type { PrintedFigures } from './printed-size.js';

/** A statistic line as read, before its listing says whether its lines carry a log prefix. */
export interface ReadStatistic {
  readonly inputLine: number;
  /** What comes before ':<lineno>: size=': a log prefix, if any, and the file name. */
  readonly head: string;
  readonly cuts: readonly PrefixCut[];
  readonly lineno: number;
  readonly size: number;
  readonly count: number;
  readonly sizeDiff: number | null;
  readonly countDiff: number | null;
  /** The size and average as printed (the listing's order is by the size printed). */
  readonly printed: PrintedFigures;
  /** The `File "…", line N` lines under it, in the order listed. */
  readonly frames: Frame[];
  /** The process ID its log prefix names (processOf), or null. */
  readonly process: string | null;
}

// A process ID in a log prefix: gunicorn's '[%(process)d]' (a bracket of digits alone), syslog's
// 'app[123]', 'pid=123', 'PID 123'. No more than 7 digits: Linux's pid_max is 2^22 (a thread ID,
// '%(thread)d', is longer, and threads share one process's memory).
const PID = /(?:^|[\s\w])\[(\d{1,7})\](?=[\s:|,-]|$)|\bpid[=: ]\s?(\d{1,7})\b/i;

/** The process a statistic line was logged from, by the PID in its log prefix; null when none is named. */
export function processOf(head: string, cuts: readonly PrefixCut[]): string | null {
  if (!cuts.length) return null;
  const m = PID.exec(head.slice(0, cuts[cuts.length - 1]!.end));
  return m ? (m[1] ?? m[2]!) : null;
}

/**
 * The number a statistic line's log prefix (of the given shape) carries as a field of its own
 * ('%(asctime)s - %(process)d - …'): a process ID, or a line number or a time (statistics-log.ts
 * tells them apart over the series); '' when none.
 */
export function prefixNumber(s: ReadStatistic, shape: string): string {
  const cut = s.cuts.find((c) => c.shape === shape);
  return cut ? prefixNumbers(s.head, cut.end).join(' ') : '';
}

/** A listing's log prefix: its shape, and the words read as the file names' own, with what told. */
export interface ListingPrefix {
  readonly shape: string;
  readonly nameWords?: { readonly words: string; readonly by: 'frames' | 'title' };
  /** Where each statistic's file name starts, when not where its prefix of `shape` ends (listingPrefix). */
  readonly nameAt?: (s: ReadStatistic) => number;
}

/** Where a statistic's file name starts, behind its listing's prefix (of none: 0). */
export function nameStart(s: ReadStatistic, prefix: ListingPrefix | null): number {
  if (prefix === null) return 0;
  return prefix.nameAt?.(s) ?? s.cuts.find((c) => c.shape === prefix.shape)?.end ?? 0;
}

/**
 * The log prefix of a listing's statistic lines: the longest run of log fields (log-prefix.ts) that
 * every one of them starts with, in the same shape (the same fields and separators; times and names
 * differ), less the words of a relative file name with a space (nameWord). One line whose file name
 * merely starts like a log field does not match the others. `title` is the line logged before the
 * listing, if any. Statistics after the first may carry none: listings logged as one message each.
 */
export function listingPrefix(stats: readonly ReadStatistic[], title: string | null): ListingPrefix | null {
  const first = stats[0]!.cuts;
  for (let i = first.length - 1; i >= 0; i--) {
    if (!stats.every((s) => s.cuts.some((c) => c.shape === first[i]!.shape))) continue;
    let k = i;
    let by: 'frames' | 'title' | null = null;
    for (let told = nameWord(stats, title, k); told; told = nameWord(stats, title, k)) {
      k--;
      by ??= told;
    }
    const shape = first[k]!.shape;
    if (by === null) return { shape };
    const at = (c: readonly PrefixCut[], sh: string): number => c.find((x) => x.shape === sh)!.end;
    const words = stats[0]!.head.slice(at(first, shape), at(first, first[i]!.shape));
    return { shape, nameWords: { words, by } };
  }
  // Listings logged as one message each ('\n'.join(…)): the first line of each alone carries the prefix,
  // the others none (kept in its first file name, the leaking line was a site of its own in every
  // listing, and a gate passed it). The longest run of fields they all have, and the line logged
  // before them too when it has one.
  const logged = stats.filter((s) => s.cuts.length);
  if (!first.length || logged.length === stats.length) return null;
  const shared = first.filter((c) => logged.every((s) => s.cuts.some((d) => d.shape === c.shape)));
  const titled = new Set(title === null ? [] : prefixCuts(title).map((c) => c.shape));
  const cut = [...shared].reverse().find((c) => titled.has(c.shape)) ?? shared.at(-1);
  if (!cut) return null;
  // A message's first file name is one its other lines name, whole, where one ends the line past its log
  // prefix: 'INFO my script.py' is 'my script.py' (the run of fields took 'my ' for a logger's name, and
  // the leak read as script.py's), 'msg=gen.py' is 'gen.py', 'msg=C:\Users\me\my app\svc.py' that path.
  const names = stats.filter((s) => !s.cuts.length).map((s) => s.head);
  const nameAt = (s: ReadStatistic): number => {
    const own = s.cuts.find((c) => c.shape === cut.shape)?.end ?? 0;
    if (!s.cuts.length) return 0;
    // Whole: after a separator, not inside a longer name ('data.py' is no 'a.py', read as one line of two).
    const whole = (n: string): boolean => !/[\w.\-/\\]/.test(s.head[s.head.length - n.length - 1] ?? ' ');
    const known = names.filter((n) => s.head.endsWith(n) && whole(n) && s.head.length - n.length >= s.cuts[0]!.end);
    const longest = known.reduce((a, n) => (n.length > a.length ? n : a), '');
    return longest ? s.head.length - longest.length : own;
  };
  return { shape: cut.shape, nameAt };
}

/** The text between the cuts of two shapes, when a line has both. */
function between(text: string, cuts: readonly PrefixCut[], shorter: string, longer: string): string | null {
  const [a, b] = [cuts.find((c) => c.shape === shorter), cuts.find((c) => c.shape === longer)];
  return a && b ? text.slice(a.end, b.end) : null;
}

/**
 * Whether the last field of the k-th prefix (a name: one word and a space) is the first word of the
 * statistics' file names ('INFO my script.py:6': CPython 3.8 names a script as it was run), and what
 * tells: frames printed under the statistics that name the file with it, or the line logged before the
 * listing, in the same format, holding another word there (a logger's name would be in it too; not
 * logging's root logger, 'root', nor a logger of the same tree: 'app' before 'app.db'). Else null: the
 * word stays in the prefix, as a logger's name.
 */
function nameWord(stats: readonly ReadStatistic[], title: string | null, k: number): 'frames' | 'title' | null {
  const cuts = stats[0]!.cuts;
  if (k === 0) return null;
  const [shorter, longer] = [cuts[k - 1]!.shape, cuts[k]!.shape];
  if (longer !== `${shorter}N `) return null;
  const words = stats.map((s) => between(s.head, s.cuts, shorter, longer) ?? '');
  if (words.some((w) => !/^\S+ $/.test(w))) return null;
  const framed = stats.filter((s) => s.frames.length);
  if (framed.length) {
    const named = (s: ReadStatistic): boolean => {
      const name = s.head.slice(s.cuts.find((c) => c.shape === shorter)!.end);
      return s.frames.some((f) => f.lineno === s.lineno && f.filename === name);
    };
    return framed.every(named) ? 'frames' : null;
  }
  const t = title === null ? null : between(title, prefixCuts(title), shorter, longer);
  if (t === null || !/^\S+ $/.test(t)) return null;
  const other = t.trimEnd();
  const kin = (word: string): boolean => {
    const w = word.trimEnd();
    return w === other || w.startsWith(`${other}.`) || other.startsWith(`${w}.`);
  };
  return other !== 'root' && !words.some(kin) ? 'title' : null;
}
