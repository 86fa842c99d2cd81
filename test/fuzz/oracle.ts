// What a run of arenascope on a fuzzed input must look like, as one verdict: exit 0, 1 or 2; an
// error that is one line naming the file and the place; no long echo of the input; no cut of a
// complete capture accepted silently; no hostile pickle accepted; no file left open. Shared by
// inputs.test.ts and the campaign (scripts/fuzz.mjs), which adds hangs and crashes of the process.

import { readdirSync } from 'node:fs';

export type Outcome =
  | 'ok'
  | 'input-error'
  | 'gate-failed'
  | 'internal-error'
  | 'bad-exit'
  | 'hang'
  | 'crash'
  | 'multi-line'
  | 'long-message'
  | 'long-warning'
  | 'no-file'
  | 'no-place'
  | 'echo'
  | 'silent-truncation'
  | 'hostile-accepted'
  | 'fd-leak';

export const PASSING: ReadonlySet<Outcome> = new Set(['ok', 'input-error', 'gate-failed']);

export interface RunResult {
  /** null when the process was killed (hang, crash). */
  readonly code: number | null;
  readonly err: string;
  readonly timedOut?: boolean;
  readonly signal?: string | null;
  /** File descriptors the run left open (in-process runs), when known. */
  readonly leakedFds?: number;
}

export interface Expect {
  readonly input: Buffer;
  /** Paths the message may name: the files and directories of the command line. */
  readonly names: readonly string[];
  readonly cutMustShow: boolean;
  readonly hostile: boolean;
}

export interface Verdict {
  readonly outcome: Outcome;
  readonly detail: string;
}

/**
 * Limits of a message: one line of this many characters (the file's path counted as 4), quoting at
 * most ECHO characters of the input.
 */
export const MAX_MESSAGE = 300;
// 80 characters of excerpt, and the quotes around it that the input may hold too.
export const ECHO = 82;

const PREFIX = 'arenascope: ';
const WARNING = `${PREFIX}warning: `;
// Where in a file: a byte, line, row or column, a JSON key (its excerpt maybe cut: "abc…), or a JSON
// pointer ('FILE: /traces/3: …').
const PLACE = /\b(?:byte|line|row|column|offset|position)s? \d|"[^"\n]{0,80}(?:"|…)|(?:^|\s)\/[^\s:]*:/;
// A message about another file than those given: one the input names (a config's baseline).
const NAMES_A_PATH = /^(?:\.{0,2}\/|[\w.-]+\/)[^:]*: /;
// Usage errors about the set of inputs a command was given, not about one file.
const ABOUT_THE_INPUTS =
  /needs at least \d+ snapshots|is a logged listing \(its top N sites only\) and|is memray's CSV and .* a tracemalloc snapshot|names number \d+ runs apart|captures of two interpreters/;
// Problems of a file as a whole (or of a baseline against the current captures): no place inside it.
const WHOLE =
  /the input is empty|not a format arenascope reads|no such file|cannot read|is a directory|this command reads|has no snapshot to convert|among the inputs|the current captures none|no allocator report paired|more than the pymalloc model replays|cannot be grouped by traceback/;

/** The longest run of characters of `text` found in `input`, when longer than `limit`. */
export function echoed(text: string, input: string, limit = ECHO): string | null {
  const w = Math.floor(limit / 2);
  // A common run longer than `limit` holds one of these windows whole: look for them, then extend.
  for (let i = 0; i + w + 1 <= text.length; i += w) {
    const window = text.slice(i, i + w + 1);
    let from = 0;
    for (let k = 0; k < 50; k++) {
      const j = input.indexOf(window, from);
      if (j < 0) break;
      let l = 0;
      while (i - l > 0 && j - l > 0 && text[i - l - 1] === input[j - l - 1]) l++;
      let r = w + 1;
      while (i + r < text.length && j + r < input.length && text[i + r] === input[j + r]) r++;
      if (l + r > limit) return text.slice(i - l, i + r);
      from = j + 1;
    }
  }
  return null;
}

const verdict = (outcome: Outcome, detail = ''): Verdict => ({ outcome, detail });

// The message with each path the command was given written as FILE, for measuring it.
const shortened = (msg: string, names: readonly string[]): string =>
  names.reduce((m, n) => m.split(n).join('FILE'), msg);

function judgeError(error: string, e: Expect): Verdict {
  const lines = error.trimEnd().split('\n');
  const msg = lines[0]!.slice(PREFIX.length);
  if (!lines[0]!.startsWith(PREFIX)) return verdict('multi-line', `no '${PREFIX}' line: ${error.slice(0, 200)}`);
  if (lines.length > 1) return verdict('multi-line', error.slice(0, 400));
  const short = shortened(msg, e.names);
  if (short.length > MAX_MESSAGE) return verdict('long-message', `${short.length} characters: ${short.slice(0, 400)}`);
  if (ABOUT_THE_INPUTS.test(msg)) return verdict('input-error', msg);
  if (!e.names.some((n) => msg.includes(n)) && !NAMES_A_PATH.test(msg)) return verdict('no-file', msg);
  if (!PLACE.test(short) && !WHOLE.test(short)) return verdict('no-place', msg);
  return verdict('input-error', msg);
}

// A library reads many captures in one process (loadCapture): each must close its file, error or not.
const leak = (r: RunResult, detail: string): Verdict =>
  verdict('fd-leak', `${r.leakedFds} file descriptor(s) left open, exit ${r.code}${detail ? `: ${detail}` : ''}`);

/** Open file descriptors of this process (Linux's /proc), or null where that cannot be seen. */
export function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

/** The verdict on one run of a command on a fuzzed input. */
export function judge(r: RunResult, e: Expect): Verdict {
  if (r.timedOut) return verdict('hang');
  if (r.code === null) return verdict('crash', `${r.signal ?? ''} ${r.err.slice(-300)}`);
  if (r.code === 3) return verdict('internal-error', r.err.split('\n')[0]!.slice(0, 400));
  if (r.code !== 0 && r.code !== 1 && r.code !== 2)
    return verdict('bad-exit', `exit ${r.code}: ${r.err.slice(0, 300)}`);
  let text = r.err;
  for (const n of e.names) text = text.split(n).join('');
  const echo = echoed(text, e.input.toString('utf8'));
  if (echo) return verdict('echo', `${echo.length} characters of the input: ${echo.slice(0, 120)}…`);
  const all = r.err.split('\n');
  const warnings = all.filter((l) => l.startsWith(WARNING));
  const long = warnings.map((w) => shortened(w.slice(WARNING.length), e.names)).find((w) => w.length > MAX_MESSAGE);
  if (long) return verdict('long-warning', `${long.length} characters: ${long.slice(0, 400)}`);
  if (r.code === 2) {
    const at = all.findIndex((l) => l.startsWith(PREFIX) && !l.startsWith(WARNING));
    const error = judgeError(at < 0 ? r.err : all.slice(at).join('\n'), e);
    return PASSING.has(error.outcome) && r.leakedFds ? leak(r, error.detail) : error;
  }
  if (r.leakedFds) return leak(r, '');
  if (e.cutMustShow && !warnings.length) return verdict('silent-truncation', `exit ${r.code}, no warning`);
  if (e.hostile && !warnings.length) return verdict('hostile-accepted', `exit ${r.code}`);
  return verdict(r.code === 0 ? 'ok' : 'gate-failed');
}
