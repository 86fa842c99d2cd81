// Renderings of a gate result: for people (text, Markdown), for CI systems (JUnit XML, GitHub
// Actions workflow commands).

import type { CheckResult, GateResult } from '../analysis/gate.js';
import { cell, esc } from './escape.js';

const where = (c: CheckResult): string => (c.location ? ` (at ${c.location.file}:${c.location.line})` : '');

export function renderGateText(r: GateResult): string {
  const lines = r.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.check}: ${c.message}${c.passed ? '' : where(c)}`);
  const failed = r.checks.filter((c) => !c.passed).length;
  lines.push(r.checks.length ? `gate ${r.passed ? 'passed' : 'failed'}: ${failed} of ${r.checks.length} checks failed` : 'gate passed: no check was asked for');
  return lines.join('\n') + '\n';
}


/** JUnit XML: one testcase per check, a failure element for each failed one. */
export function renderJunit(r: GateResult): string {
  const failures = r.checks.filter((c) => !c.passed).length;
  const cases = r.checks.map((c) => {
    const attrs = `classname="arenascope.gate" name="${esc(c.check)}"${c.location ? ` file="${esc(c.location.file)}" line="${c.location.line}"` : ''}`;
    if (c.passed) return `    <testcase ${attrs}/>`;
    const body = `${c.message}${where(c)}\nmeasured: ${c.measured ?? 'n/a'} ${c.unit}\nlimit: ${c.limit} ${c.unit}`;
    return `    <testcase ${attrs}>\n      <failure message="${esc(c.message)}" type="${esc(c.check)}">${esc(body)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="arenascope" tests="${r.checks.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="arenascope gate" tests="${r.checks.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// GitHub Actions workflow commands: data escapes %, CR and LF; property values also ':' and ','.
const ghData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string): string => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error` for failed checks (with file and line when the check points at a site), `::notice` for the rest. */
export function renderGithub(r: GateResult): string {
  return (
    r.checks
      .map((c) => {
        const title = `title=${ghProp(`arenascope ${c.check}`)}`;
        if (c.passed) return `::notice ${title}::${ghData(c.message)}`;
        const loc = c.location ? `file=${ghProp(c.location.file)},line=${c.location.line},` : '';
        return `::error ${loc}${title}::${ghData(c.message)}`;
      })
      .join('\n') + '\n'
  );
}


export function renderGateMarkdown(r: GateResult): string {
  const rows = r.checks.map(
    (c) => `| ${c.passed ? '✅' : '❌'} | ${c.check} | ${cell(c.message)} | ${c.location ? `\`${cell(c.location.file)}:${c.location.line}\`` : ''} |`,
  );
  return [
    `### arenascope memory gate: ${r.passed ? 'passed' : 'failed'}`,
    '',
    '| | check | result | where |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
