// Renderings of a gate result: for people (text, Markdown), for CI systems (JUnit XML, GitHub
// Actions workflow commands).

import type { CheckResult, GateResult } from '../analysis/gate.js';
import { esc, mdCode, mdText } from './escape.js';

/**
 * Where a failed check points, each place once: those its message already names are not repeated,
 * and at most `limit` are listed (text only; JSON, JUnit and annotations keep every site).
 */
function where(c: CheckResult, limit: number): string {
  const places = [...new Set(c.sites.map((p) => `${p.file}:${p.line}`))].filter((p) => !c.message.includes(p));
  if (!places.length) return '';
  const more = places.length > limit ? `, … ${places.length - limit} more (use --limit ${places.length})` : '';
  return ` (at ${places.slice(0, limit).join(', ')}${more})`;
}

export function renderGateText(r: GateResult, limit = 10): string {
  const lines = r.checks.map(
    (c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.check}: ${c.message}${c.passed ? '' : where(c, limit)}`,
  );
  const failed = r.checks.filter((c) => !c.passed).length;
  lines.push(...(r.notices ?? []).map((n) => `note: ${n}`));
  lines.push(
    r.checks.length
      ? `gate ${r.passed ? 'passed' : 'failed'}: ${failed} of ${r.checks.length} checks failed`
      : 'gate passed: no check was asked for',
  );
  return `${lines.join('\n')}\n`;
}

/** JUnit XML: one testcase per check, a failure element for each failed one. */
export function renderJunit(r: GateResult): string {
  const failures = r.checks.filter((c) => !c.passed).length;
  const cases = r.checks.map((c) => {
    const at = c.sites[0];
    const location = at ? ` file="${esc(at.file)}" line="${at.line}"` : '';
    const attrs = `classname="arenascope.gate" name="${esc(c.check)}"${location}`;
    if (c.passed) return `    <testcase ${attrs}/>`;
    const body = [
      c.message,
      `measured: ${c.measured ?? 'n/a'} ${c.unit}`,
      `limit: ${c.limit} ${c.unit}`,
      ...c.sites.map((p) => `at ${p.file}:${p.line}: ${p.detail}`),
    ].join('\n');
    const failure = `<failure message="${esc(c.message)}" type="${esc(c.check)}">${esc(body)}</failure>`;
    return `    <testcase ${attrs}>\n      ${failure}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="arenascope" tests="${r.checks.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="arenascope gate" tests="${r.checks.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    ...(r.notices?.length
      ? [`    <system-out>${esc(r.notices.map((n) => `note: ${n}`).join('\n'))}</system-out>`]
      : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// GitHub Actions workflow commands: data escapes %, CR and LF; property values also ':' and ','.
const ghData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string): string => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error` for failed checks (one at each site the check points at), `::notice` for the rest. */
export function renderGithub(r: GateResult): string {
  const lines = r.checks.flatMap((c) => {
    const title = `title=${ghProp(`arenascope ${c.check}`)}`;
    if (c.passed) return [`::notice ${title}::${ghData(c.message)}`];
    if (!c.sites.length) return [`::error ${title}::${ghData(c.message)}`];
    return c.sites.map((p) => `::error file=${ghProp(p.file)},line=${p.line},${title}::${ghData(p.detail)}`);
  });
  for (const n of r.notices ?? []) lines.push(`::notice title=${ghProp('arenascope gate')}::${ghData(n)}`);
  return `${lines.join('\n')}\n`;
}

export function renderGateMarkdown(r: GateResult): string {
  const rows = r.checks.map((c) => {
    const sites = c.sites.map((p) => mdCode(`${p.file}:${p.line}`, true)).join(' ');
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
