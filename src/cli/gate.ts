import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { evaluateGate } from '../analysis/gate.js';
import { buildReportData, REPORT_VERSION, type ReportData } from '../analysis/report-data.js';
import { loadCaptureSet } from '../ingest/inputs.js';
import { renderGateMarkdown, renderGateText, renderGithub, renderJunit } from '../report/gate.js';
import { renderJson } from '../report/json.js';
import { VERSION } from '../version.js';
import { BASELINE_SITES } from './baseline.js';
import { type InputArgs, inputOptions, loadAny, UsageError } from './common.js';
import { EXIT } from './exit.js';
import { baselineInputs, type GateFlags, gateLimits, readConfig } from './gate-config.js';

export const command = 'gate <inputs..>';
export const describe =
  'Fail a build on a memory regression: checks against limits and a baseline; exit 1 when one fails';

export function builder(y: Argv) {
  return inputOptions(
    y.positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'The current captures (files, directories, globs)',
    }),
  )
    .option('baseline', {
      type: 'string',
      array: true,
      describe: 'A baseline (report.json from `arenascope baseline` or `report --json`) or captures',
    })
    .option('config', {
      type: 'string',
      describe: `Limits from this file (default: ./arenascope.config.json when it exists); flags win`,
    })
    .option('max-peak', {
      type: 'string',
      describe: 'Peak memory (mprof peak, else the largest traced total), e.g. 512MiB',
    })
    .option('max-peak-growth', { type: 'string', describe: 'Peak growth against the baseline: 5% or a size' })
    .option('max-total-growth', {
      type: 'string',
      describe: 'Growth of traced bytes at the last capture against the baseline: 5% or a size',
    })
    .option('max-leaks', { type: 'number', describe: 'Leaks allowed (default 0 when the input is a series)' })
    .option('min-leak-confidence', {
      type: 'number',
      describe: 'Leaks judged with less confidence do not count (default 0.5)',
    })
    .option('max-site-growth', { type: 'string', describe: 'Growth of any one line against the baseline, e.g. 1MiB' })
    .option('max-fragmentation', {
      type: 'number',
      describe: "Lowest arena utilization allowed (0..1; real with allocator stats, else the model's best case)",
    })
    .option('ignore', {
      type: 'string',
      array: true,
      describe: 'fnmatch patterns of file names the site checks leave out (repeatable)',
    })
    .option('junit', { type: 'string', describe: 'Write JUnit XML here (a testcase per check)' })
    .option('github', {
      type: 'boolean',
      default: false,
      describe: 'Print GitHub Actions annotations (::error file=…,line=… for failures)',
    })
    .option('markdown', { type: 'string', describe: 'Write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
    .epilogue('Exit codes: 0 every check passed, 1 a check failed, 2 usage or input error.')
    .example(
      '$0 gate captures/ --baseline memory-baseline.json --max-total-growth 10% --junit gate.xml',
      'fail when traced memory grew by more than 10%, or anything leaks',
    );
}

interface Args extends InputArgs, GateFlags {
  inputs: string[];
  config?: string;
  junit?: string;
  github: boolean;
  markdown?: string;
  json: boolean;
}

async function reportOf(inputs: string[], a: InputArgs, top: number): Promise<ReportData> {
  const set = await loadCaptureSet(inputs, { load: (p, frames) => loadAny(p, a, frames) });
  for (const s of set.skipped) a.io.err(`arenascope: warning: ${s}\n`);
  return buildReportData(set, inputs, { top });
}

/** A baseline report.json, or null when the file is something else (captures to load instead). */
function readBaseline(file: string): ReportData | null {
  // Sniff the head first: a baseline given as a large dump is never read whole here.
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  const head = Buffer.alloc(256);
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    if (!/^\s*\{\s*"format"\s*:\s*"arenascope-report"/.test(head.toString('utf8', 0, n))) return null;
  } finally {
    closeSync(fd);
  }
  const text = readFileSync(file, 'utf8');
  let d: ReportData;
  try {
    d = JSON.parse(text) as ReportData;
  } catch (e) {
    throw new UsageError(`${file}: not a valid baseline (JSON: ${(e as Error).message})`);
  }
  if (!Array.isArray(d.kinds) || typeof d.summary !== 'object' || d.summary === null) {
    throw new UsageError(
      `${file}: not a complete arenascope report (expected "kinds" and "summary"): write it again with \`arenascope baseline\``,
    );
  }
  if (d.version !== REPORT_VERSION)
    throw new UsageError(
      `${file}: a version ${d.version} report; this arenascope reads version ${REPORT_VERSION}: write the baseline again`,
    );
  const theirs = /arenascope (\d+\.\d+)/.exec(d.generator ?? '')?.[1];
  const ours = /^(\d+\.\d+)/.exec(VERSION)?.[1];
  if (theirs !== ours) {
    throw new UsageError(
      `${file}: written by ${d.generator ?? 'an unknown arenascope'}, this is arenascope ${VERSION}: write the baseline again with \`arenascope baseline\``,
    );
  }
  return d;
}

export async function handler(a: Args): Promise<void> {
  const config = readConfig(a.config);
  const limits = gateLimits(config, a);
  const base = baselineInputs(config, a);
  if (!base?.length) {
    const relative = {
      '--max-peak-growth': limits.maxPeakGrowth,
      '--max-total-growth': limits.maxTotalGrowth,
      '--max-site-growth': limits.maxSiteGrowth,
    };
    const needs = Object.keys(relative).filter((f) => relative[f as keyof typeof relative] !== undefined);
    if (needs.length)
      throw new UsageError(
        `${needs.join(', ')} compare${needs.length > 1 ? '' : 's'} against a baseline: give --baseline (or "baseline" in the config file)`,
      );
  }
  const current = await reportOf(a.inputs, a, 1000);
  let baseline: ReportData | null = null;
  if (base?.length) {
    baseline = (base.length === 1 && readBaseline(base[0]!)) || (await reportOf(base, a, BASELINE_SITES));
    const mine = current.kinds.filter((k) => k !== 'allocator-stats').join(', ');
    const theirs = baseline.kinds.filter((k) => k !== 'allocator-stats').join(', ');
    if (mine !== theirs)
      throw new UsageError(
        `the baseline holds ${theirs || 'nothing'} but the current captures ${mine || 'nothing'}: compare like with like`,
      );
  }
  const result = evaluateGate(current, baseline, limits);
  if (a.junit) writeFileSync(a.junit, renderJunit(result));
  if (a.markdown) writeFileSync(a.markdown, renderGateMarkdown(result));
  if (a.json) a.io.out(renderJson(result));
  else {
    if (a.github) a.io.out(renderGithub(result));
    a.io.out(renderGateText(result));
  }
  if (!result.passed) a.status.code = EXIT.gateFailed;
}
