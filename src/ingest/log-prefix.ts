// What Python's logging (and the formats people give it) puts before a message: a run of fields
// (asctime, levelname, [name], name:, process, thread, file:line) and separators. tracemalloc-text
// reads a statistic line's message from behind it.

/** Where a line's message may start after a run of log fields, and the shape of the run before it. */
export interface PrefixCut {
  /** Length of the prefix: the message starts here. */
  readonly end: number;
  /** The kinds of fields and separators that make the prefix ('T L [] N:'), equal for lines of one format. */
  readonly shape: string;
}

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
// '%m-%d' only before a clock (the logging cookbook's datefmt '%m-%d %H:%M').
const DATE =
  `(?:\\d{4}-\\d{2}-\\d{2}|\\d{4}/\\d{2}/\\d{2}|\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4}|\\d{1,2}/${MONTH}/\\d{4}|` +
  `${MONTH} +\\d{1,2}(?: \\d{4})?|\\d{2}-\\d{2}(?=[ T]\\d{1,2}:\\d{2}))`;
// A fraction twice: asctime's ',123' then a format's '.%(msecs)03d'. A zone after a space: datefmt '… %z'.
const CLOCK = '\\d{1,2}:\\d{2}:\\d{2}(?:[,.]\\d{1,9}){0,2}(?: ?[AP]M)?(?:Z| ?[+-]\\d{2}:?\\d{2})?';
// asctime with the common datefmts (a date's clock without seconds too: '%H:%M'), or %(created)f; never
// the first digits of a longer number or clock.
const TIME = `(?:${DATE}(?:[ T:](?:${CLOCK}|\\d{1,2}:\\d{2}))?|${CLOCK}|\\d{10}\\.\\d+)(?![\\w.]|:\\d)`;
// logging's level names, and the name of a level without one.
const LEVEL = '(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|NOTSET|Level \\d+)(?![\\w.])';

// Fields in the order they are tried: a time or a level name before the words and numbers they are made of.
const FIELDS: readonly (readonly [string, RegExp])[] = [
  ['T', new RegExp(TIME, 'y')],
  ['L', new RegExp(LEVEL, 'y')],
  // '[…]', '(…)', and '{…}' (a format's '{%(filename)s:%(lineno)d}').
  ['[]', /\[[^[\]\n]{1,200}\]|\([^()\n]{1,200}\)|\{[^{}\n]{1,200}\}/y],
  // loguru's function field ('__main__:<module>:13').
  ['<>', /<[^<>\n]{1,100}>/y],
  ['=', /[A-Za-z_]\w*=[^\s[\]()]+/y],
  ['D', /\d+(?![\w.])/y],
  // A logger, thread, module or file name; 'app[123]' as syslog writes it; '%(module)s.%(funcName)s' at
  // a module's top level ('app.<module>'). Never a drive letter ('C:\').
  ['N', /(?![A-Za-z]:[\\/])[A-Za-z_][\w.-]*(?:<\w+>)?(?:\[\d+\])?/y],
  // '%(pathname)s:%(lineno)d': a file's absolute name and the line that logged ('/srv/app/mem.py:16 INFO '
  // stayed in every file name of a listing, each site new beside the same listing logged plainly; h381).
  ['P', /(?:\/|[A-Za-z]:[\\/])[^\s:]*:\d+(?![\w.])/y],
];
// Between fields: ' - ', '|', ':' (BASIC_FORMAT's 'INFO:app:'), ': ', ',' (asctime,msecs), spaces, and
// absl's '] ' after its file:line.
// '::' too, as one ('%(asctime)s :: %(levelname)s :: %(message)s': a cut at its first ':' left ': INFO ::'
// in every file name; h279).
const SEP = /(?: *- +| *(?:::|[|:,]) *|\] +| +)/y;
// A run counts as a log prefix only with a time or a level name in it: a logger name alone ('app: ')
// cannot be told from the start of a file name.
// A bracket anchors a run when it starts with one: Celery's '[2026-01-02 10:00:00,123: INFO/MainProcess]'.
const ANCHOR = new RegExp(`^(?:${TIME}|${LEVEL})(?:$|[\\s:,/|-])`);
// A logger's name then its level, one name ('%(name)s.%(levelname)s: ': 'app.db.INFO: ', reeyarn/openesef);
// or a name then its process as syslog writes them ('%(name)s[%(process)d]: ': 'app[4279]: '), which
// stayed in every file name, two runs appended to one log judged as one (h272).
const NAMED_ANCHOR = new RegExp(`\\.${LEVEL}$|^[A-Za-z_][\\w.-]*\\[\\d+\\]$`);

function field(text: string, at: number): { kind: string; end: number; anchor: boolean } | null {
  for (const [kind, re] of FIELDS) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) continue;
    const inner = kind === '[]' ? m[0].slice(1, -1).trim() : m[0];
    const anchor = kind === 'T' || kind === 'L' || (kind === 'N' ? NAMED_ANCHOR.test(inner) : ANCHOR.test(inner));
    return { kind, end: at + m[0].length, anchor };
  }
  return null;
}

/**
 * Every place a run of log fields followed by a separator ends in `text`, leaving something after
 * it, shortest first; only runs holding a time or a level name.
 */
export function prefixCuts(text: string): PrefixCut[] {
  const cuts: PrefixCut[] = [];
  let at = 0;
  let shape = '';
  let anchored = false;
  for (;;) {
    const f = field(text, at);
    if (!f) return cuts;
    SEP.lastIndex = f.end;
    const s = SEP.exec(text);
    if (!s) return cuts;
    at = f.end + s[0].length;
    if (at >= text.length) return cuts;
    anchored ||= f.anchor;
    shape += `${f.kind}${s[0].trim() || ' '}`;
    // Not after a path and line: one ends no run of fields (a file named '/app/w:3 z.py' is no prefix
    // 'INFO /app/w:3 '; '%(pathname)s:%(lineno)d' is followed by a level: h385).
    if (anchored && f.kind !== 'P') cuts.push({ end: at, shape });
  }
}

/**
 * The bare numbers among the log fields before `end` (a cut of prefixCuts): '%(process)d' written
 * between separators ('… - 29583 - INFO - '), never a file's line number after its ':'. At most 7
 * digits: a thread ID is longer.
 */
export function prefixNumbers(text: string, end: number): string[] {
  const numbers: string[] = [];
  let at = 0;
  let sep = '';
  while (at < end) {
    const f = field(text, at);
    if (!f) break;
    if (f.kind === 'D' && sep !== ':' && f.end - at <= 7) numbers.push(text.slice(at, f.end));
    SEP.lastIndex = f.end;
    const s = SEP.exec(text);
    if (!s) break;
    sep = s[0].trim();
    at = f.end + s[0].length;
  }
  return numbers;
}

/** True when all of `text` is a run of log fields (a trailing separator allowed) with a time or level in it. */
export function isLogPrefix(text: string): boolean {
  let at = 0;
  let anchored = false;
  while (at < text.length) {
    const f = field(text, at);
    // ' - ' at the end, its space gone (taken with the indentation before a frame line's `File`).
    if (!f) return anchored && at > 0 && text.slice(at) === '-';
    anchored ||= f.anchor;
    SEP.lastIndex = f.end;
    const s = SEP.exec(text);
    if (!s) return f.end === text.length && anchored;
    at = f.end + s[0].length;
  }
  return anchored;
}

// Where a report's first line starts in a logger's line: memory_profiler's LogFile logs a report line
// by line (`INFO:memory_profile_log:Filename: …` with logging's default format).
const REPORT_START = /Filename: |Line(?: #)? +Mem usage/;

/**
 * Takes off what a logger put before each line of a memory_profiler report (LogFile): the prefix is
 * learnt from each report's `Filename:` or header line (a run of log fields: see prefixCuts), then
 * taken off every line that starts with one of the same shape, with as many spaces after its fields as
 * that line had, so that the rows keep their columns. Other lines are left as they are.
 */
export class LoggedReport {
  private shape: string | null = null;
  private spaces = 0;

  strip(line: string): string {
    // Learnt again at each report: reports logged from other threads carry other names in their prefix.
    const at = REPORT_START.exec(line)?.index ?? 0;
    const start = at > 0 ? prefixCuts(line).find((c) => c.end === at) : undefined;
    if (start) {
      this.shape = start.shape;
      this.spaces = at - line.slice(0, at).trimEnd().length;
      return line.slice(at);
    }
    if (this.shape === null) return line;
    const cut = prefixCuts(line).find((c) => c.shape === this.shape);
    if (!cut) return line;
    // The separator's match took every space after the fields: the report's own spaces are the rest.
    const fields = line.slice(0, cut.end).trimEnd().length;
    return line.slice(Math.min(cut.end, fields + this.spaces));
  }
}

/** Whether `line` holds a report's header (`pattern`) after a logger's prefix. */
export function loggedHeader(line: string, pattern: RegExp): boolean {
  const at = REPORT_START.exec(line)?.index ?? 0;
  return at > 0 && prefixCuts(line).some((c) => c.end === at) && pattern.test(line.slice(at));
}

// What a CI log or a container's output puts before every line of a program's output: terminal
// colours (SGR escapes), GitHub Actions' timestamp (`2024-05-01T12:00:00.1234567Z `), GitLab's job log
// with FF_TIMESTAMPS (`2024-05-01T12:00:00.123456Z 00O `: the stream's number, O or E for stdout or
// stderr, '+' on a line that goes on from the one before), docker compose's service column (`app_1  | `,
// `app-1  | `, padded to align), a Kubernetes node's container log (CRI:
// `2024-05-01T12:00:00.123456789Z stdout F `).
const ESC = '\u001b';
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
const CI_PREFIX =
  /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}) (?:stdout|stderr) [FP]|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z(?: [0-9a-f]{2}[OE]\+?)?|[\w.-]+[-_]\d+ *\|)(?: |$)/;

const COMPOSE =
  /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z(?: [0-9a-f]{2}[OE]\+?)? )?([\w.-]+[-_]\d+) *\|(?: |$)/;

/** A line without its terminal colours (SGR escapes). */
export function withoutColours(line: string): string {
  return line.includes(ESC) ? line.replace(SGR, '') : line;
}

/** The docker compose service a line of its output is from (`app-1`), or null. */
export function composeService(line: string): string | null {
  const plain = line.includes(ESC) ? line.replace(SGR, '') : line;
  return COMPOSE.exec(plain)?.[1] ?? null;
}

/** A line of a program's output as the program printed it, without a CI log's prefix or colours. */
export function withoutCiPrefix(line: string): string {
  let plain = line.includes(ESC) ? line.replace(SGR, '') : line;
  // One inside another: GitHub Actions' timestamp before docker compose's column.
  for (let k = 0; k < 3; k++) {
    const next = plain.replace(CI_PREFIX, '');
    if (next === plain) break;
    plain = next;
  }
  return plain;
}

const CAT_N = /^ *\d+\t$/;
const CAT_N_START = /^ *\d+(?:\t|$)/;

/**
 * What a log, a CI runner or a quote put before every line of a report, learnt from its first line
 * (`prefix`: the text there before the report's own): the same text on each line ('stderr: ', '> '), a
 * CI log's prefix (withoutCiPrefix), or a run of log fields of the same shape (a timestamp that changes).
 */
export class CarriedPrefix {
  private readonly ci: boolean;
  private readonly shape: string | null;

  constructor(readonly text: string) {
    this.ci = withoutCiPrefix(`${text}x`) === 'x';
    this.shape = prefixCuts(`${text}x`).find((c) => c.end === text.length)?.shape ?? null;
  }

  /** The line without the prefix; null when it does not carry it. */
  strip(line: string): string | null {
    if (line.startsWith(this.text)) return line.slice(this.text.length);
    // A blank line of the report: the prefix, whose last blanks an editor or a mailer took off.
    if (line === this.text.trimEnd()) return '';
    if (this.ci) {
      const plain = withoutCiPrefix(line);
      if (plain !== line) return plain;
    }
    // A line number as `cat -n` writes it ('%6d\t'), which changes from line to line.
    if (CAT_N.test(this.text)) {
      const n = CAT_N_START.exec(line);
      return n ? line.slice(n[0].length) : null;
    }
    if (this.shape === null) return null;
    // The prefix's shape first: a size-class row after a time reads as a log prefix whole (its numbers
    // as more fields), and was taken for a blank line.
    const cut = prefixCuts(line).find((c) => c.shape === this.shape);
    if (!cut) return isLogPrefix(line) ? '' : null;
    // The line's own indentation after the prefix is the line's (a size-class row's; taken with the
    // prefix, every row of a journal's report was lost once its time changed): the prefix's blanks only.
    const blanks = (t: string): number => t.length - t.trimEnd().length;
    const head = line.slice(0, cut.end);
    return line.slice(cut.end - Math.max(0, blanks(head) - blanks(this.text)));
  }
}
