// Renderings of a gate result: for people (text, Markdown), for CI systems (JUnit XML, GitHub
// Actions workflow commands).

import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CheckResult, GateResult, GateSite } from '../analysis/gate.js';
import { namesNoFile } from '../model/frames.js';
import { withoutCiCommands } from '../util/ci-commands.js';
import { escapedBytes, forTerminal } from '../util/text.js';
import { esc, mdCode, mdText, shownBidi } from './escape.js';

/**
 * Where a failed check points, each place once: those its message already names are not repeated,
 * and at most `limit` are listed (text only; JSON, JUnit and annotations keep every site).
 */
function where(c: CheckResult, limit: number): string {
  // A site of a listing by file has no line: its file, unless the message names it (as CPython does, `…/leak.py:0`).
  const places = [...new Set(c.sites.map((p) => (p.line ? `${p.file}:${p.line}` : p.file)))].filter(
    (p) => !names(c.message, p) && !c.message.includes(`${p}:0`),
  );
  if (!places.length) return '';
  const more = places.length > limit ? `, … ${places.length - limit} more (use --limit ${places.length})` : '';
  return ` (at ${places.slice(0, limit).join(', ')}${more})`;
}

/** Whether `message` names `place` (`m.py:1` is not named by `m.py:12`, nor `a.py:4` by `ba.py:4`). */
function names(message: string, place: string): boolean {
  for (let i = message.indexOf(place); i >= 0; i = message.indexOf(place, i + 1)) {
    const before = i === 0 || /[\s(`'"]/.test(message[i - 1]!);
    const after = message[i + place.length];
    if (before && (after === undefined || !/\d/.test(after))) return true;
  }
  return false;
}

// A line break in a name (a file called "x.py\nPASS max-leaks: no leak") would print a line of its own
// in a CI log, one that reads as a check's: each check is one line, its breaks shown as \n.
const BREAKS: Readonly<Record<string, string>> = {
  '\r\n': '\\r\\n',
  '\r': '\\r',
  '\n': '\\n',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
const oneLine = (s: string): string => s.replace(/\r\n|[\r\n\u2028\u2029]/g, (b) => BREAKS[b]!);

export function renderGateText(r: GateResult, limit = 10): string {
  const lines = r.checks.map((c) =>
    oneLine(`${c.passed ? 'PASS' : 'FAIL'} ${c.check}: ${c.message}${c.passed ? '' : where(c, limit)}`),
  );
  const failed = r.checks.filter((c) => !c.passed).length;
  lines.push(...(r.notices ?? []).map((n) => oneLine(`note: ${n}`)));
  lines.push(`gate ${r.passed ? 'passed' : 'failed'}: ${failed} of ${r.checks.length} checks failed`);
  return `${lines.join('\n')}\n`;
}

/**
 * Text for a CI log, which renders ANSI escapes and shows bytes that are not UTF-8 as U+FFFD: what a
 * capture's names would make it do or garble is shown as its code ('\x1b', '\xff'), as on a terminal;
 * bidirectional controls by their code points, as in the annotations beside it.
 */
export const forCiLog = (s: string): string => forTerminal(escapedBytes(shownBidi(s)));

/**
 * Text for XML content: what XML 1.0 forbids (control characters but tab and line ends, half of a
 * surrogate pair, U+FFFE and U+FFFF) is shown as its code ('\x1b', '\ufffe'), as a terminal shows
 * it: a name holding ESC made the file no XML. A whole pair (an emoji) is the character it is.
 * Bidirectional controls by their code points, as in the annotations and the page ('\u202e' here was
 * a third spelling of one name). A CR is a line end XML allows, kept as its reference (a parser reads
 * a raw one as LF); shown by its code, 'cr\rx.py' named the file 'cr\\x0dx.py' (h314).
 */
const xmlText = (s: string): string =>
  s
    .split('\r')
    .map((part) =>
      esc(
        forTerminal(escapedBytes(shownBidi(part))).replace(
          /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16)}`,
        ),
      ),
    )
    .join('&#13;');
// An attribute's line ends and tabs kept (a parser turns them into spaces).
const xmlAttr = (s: string): string => xmlText(s).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
// A figure as the body says it: whole bytes (an mprof peak in bytes is a fraction of MiB); growth from
// nothing as the message says it (JSON's null: 'Infinity percent' was written; h384).
const figure = (v: number | null, unit: CheckResult['unit']): string =>
  v === null ? 'n/a' : v === Infinity ? 'grown from nothing' : String(unit === 'bytes' ? Math.round(v) : v);

/** JUnit XML: one testcase per check, a failure element for each failed one. */
export function renderJunit(r: GateResult): string {
  const failures = r.checks.filter((c) => !c.passed).length;
  const cases = r.checks.map((c) => {
    const at = c.sites[0];
    const location = at ? ` file="${xmlAttr(at.file)}"${at.line ? ` line="${at.line}"` : ''}` : '';
    const attrs = `classname="arenascope.gate" name="${xmlAttr(c.check)}"${location}`;
    if (c.passed) return `    <testcase ${attrs}/>`;
    const body = [
      c.message,
      `measured: ${figure(c.measured, c.unit)}${c.measured === Infinity ? '' : ` ${c.unit}`}`,
      `limit: ${figure(c.limit, c.unit)} ${c.unit}`,
      ...c.sites.map((p) => `at ${p.file}:${p.line}: ${p.detail}`),
    ].join('\n');
    const failure = `<failure message="${xmlAttr(c.message)}" type="${xmlAttr(c.check)}">${xmlText(body)}</failure>`;
    return `    <testcase ${attrs}>\n      ${failure}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="arenascope" tests="${r.checks.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="arenascope gate" tests="${r.checks.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    ...(r.notices?.length
      ? [`    <system-out>${xmlText(r.notices.map((n) => `note: ${n}`).join('\n'))}</system-out>`]
      : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// GitHub Actions workflow commands: data escapes %, CR and LF; property values also ':' and ','. What a
// log viewer would act on (ESC's colours) or cannot show (a byte that is not UTF-8) is shown as its code.
// Other runners' commands in a name (TeamCity's `##teamcity[…]`, Azure's `##vso[…]`) are marked too.
// Bidirectional controls and line separators (a file name's) are shown by their code points, as in the
// page: a log viewer drew them raw.
const ghEscaped = (s: string): string =>
  forCiLog(
    shownBidi(s)
      .replace(/[\u2028\u2029]/g, (c) => `{U+${c.charCodeAt(0).toString(16).toUpperCase()}}`)
      .replace(/%/g, '%25')
      .replace(/\r/g, '%0D')
      .replace(/\n/g, '%0A'),
  );
const ghData = (s: string): string => withoutCiCommands(ghEscaped(s));
// Marked once its ':' are escaped: a file named '::add-mask::x.py' holds no command then, and is named as it is.
const ghProp = (s: string): string => withoutCiCommands(ghEscaped(s).replace(/:/g, '%3A').replace(/,/g, '%2C'));

/**
 * A file as GitHub names it in an annotation: relative to the repository's root (GITHUB_WORKSPACE),
 * where the gate's files are relative to the folder it ran in (a step's `working-directory:` below the
 * root: its annotations named `app.py` for `svc/app.py`, and GitHub attached them to no file). Null for
 * code given to compile() under a name of its own ('<string>', or a bare word that is no file here:
 * 'generated_rules'), which GitHub attaches to no file either.
 */
export function workspaceFile(
  workspace: string,
  cwd: string,
  real: (path: string) => string = (p) => p,
  exists: (path: string) => boolean = () => true,
): (file: string) => string | null {
  const within = (root: string, file: string): string | null => {
    const rel = relative(root, file);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : null;
  };
  return (file) => {
    const path = resolve(cwd, file);
    // A name as a file of the repository has (a folder, or a source file's extension) is one, there or
    // not (a job that downloaded the captures alone has no checkout); a bare word no file has is none.
    const fileLike = /[\\/]|\.pyw?$/.test(file);
    if (namesNoFile(file) || (!fileLike && !exists(path) && !exists(resolve(workspace, file)))) return null;
    // The workspace or the file reached through a symbolic link (`real` resolves them): compared as resolved.
    return within(resolve(workspace), path) ?? within(real(resolve(workspace)), real(path)) ?? file;
  };
}

/** `::error` for failed checks (one at each site the check points at), `::notice` for the rest. */
export function renderGithub(r: GateResult, fileOf?: (file: string) => string | null): string {
  const lines = r.checks.flatMap((c) => {
    const title = `title=${ghProp(`arenascope ${c.check}`)}`;
    if (c.passed) return [`::notice ${title}::${ghData(c.message)}`];
    if (!c.sites.length) return [`::error ${title}::${ghData(c.message)}`];
    // In a workspace, from the path the capture gave where there is one: `file` is relative to the root
    // it lies under, which need not be the gate's working directory (a gate run in ci/ named ci/app/x.py).
    const where = (p: GateSite): string | null => (fileOf ? fileOf(p.path ?? p.file) : p.file);
    // A file outside the repository (a site of the standard library's alone), or none ('<string>'), is
    // no file GitHub can attach an annotation to: the error is the job's, its detail naming the place.
    return c.sites.map((p) => {
      const file = where(p);
      return file === null || namesNoFile(file) || /^(?:\/|[A-Za-z]:[\\/])/.test(file)
        ? `::error ${title}::${ghData(p.detail)}`
        : `::error file=${ghProp(file)},${p.line ? `line=${p.line},` : ''}${title}::${ghData(p.detail)}`;
    });
  });
  for (const n of r.notices ?? []) lines.push(`::notice title=${ghProp('arenascope gate')}::${ghData(n)}`);
  return `${lines.join('\n')}\n`;
}

export function renderGateMarkdown(r: GateResult): string {
  const rows = r.checks.map((c) => {
    // Each place once (a line that grew at the capture before exit and at the exit capture is one place).
    const sites = [...new Set(c.sites.map((p) => `${p.file}:${p.line}`))].map((p) => mdCode(p, true)).join(' ');
    return `| ${c.passed ? '✅' : '❌'} | ${c.check} | ${mdText(c.message)} | ${sites} |`;
  });
  return [
    `### arenascope memory gate: ${r.passed ? 'passed' : 'failed'}`,
    '',
    '| | check | result | where |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...(r.notices ?? []).flatMap((n) => [`> Note: ${mdText(n)}`, '']),
  ].join('\n');
}
