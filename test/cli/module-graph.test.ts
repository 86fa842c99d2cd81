// What each command line loads (issue 14): the built CLI runs in a child process under a module hook
// that records every module it loads, ES modules through a loader hook and CommonJS ones (yargs,
// fast-csv, the built validators, the bundle's files) from require's cache at exit. No timing: the
// module graph itself. Both builds of the command line are checked: tsc's modules (dist/cli/main.js)
// and the bundle that package.json's `bin` names (dist/bin/, whose modules.json says which of tsc's
// modules each of its files holds), so that bundling cannot load more than the modules would.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../src/cli/run.js';
import { BIN, builtOrBuild } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const BUILDS = [
  ['the modules tsc writes', MAIN],
  ['the bundle (bin)', BIN],
] as const;
const DUMP = join(ROOT, 'fixtures', 'dumps', 'py311-inventory-b.pickle');
const DAT = join(ROOT, 'fixtures', 'mprof', 'plain.dat');
const MEMRAY = join(ROOT, 'fixtures', 'memray', 'memray-app.csv');

/** The module of report's chart thread, which holds vega-lite. */
const CHART_THREAD = 'report/html/chart-worker.js';
/** The packages no command may load unless it uses them. */
const HEAVY = ['vega', 'vega-lite', 'fast-csv', 'stream-json', 'stream-chain', 'ajv'];
// Each command's module is cli/<name>.js, but `run`'s: cli/run.js is the command line itself.
const COMMAND_MODULES = COMMANDS.map((c) => c.command.split(' ')[0]!).map((n) => (n === 'run' ? 'capture' : n));

// The loader hooks run on their own thread; they append each URL loaded to the log the parent names.
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(log, url + '\\n');
  return next(url, context);
}
`;
const REGISTER = (hooks: string) => `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
const log = process.env.ARENASCOPE_MODULE_LOG;
register(${JSON.stringify(hooks)}, { data: { log } });
// require() of CommonJS does not pass through the loader hooks in Node 20: its cache says what it loaded.
// Node's own modules, as node:<name>.
process.on('exit', () => {
  const files = Object.keys(createRequire(import.meta.url).cache);
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'node:' + m.slice(13));
  appendFileSync(log, files.map((f) => pathToFileURL(f).href + '\\n').join('') + builtins.map((b) => b + '\\n').join(''));
});
`;

let dir = '';
let register = '';
let runs = 0;

beforeAll(() => {
  // `npm test` builds before vitest; a run of this file alone builds when dist/ is missing.
  builtOrBuild(BIN);
  dir = mkdtempSync(join(tmpdir(), 'arenascope-graph-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, HOOKS);
  register = join(dir, 'register.mjs');
  writeFileSync(register, REGISTER(pathToFileURL(hooks).href));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Loaded {
  status: number | null;
  stdout: string;
  /** Packages loaded from node_modules, by name. */
  packages: Set<string>;
  /** arenascope's own modules, relative to dist/ ('cli/stats.js'). */
  own: Set<string>;
  /** Node's own modules, 'zlib' for node:zlib (internal ones too: 'internal/...'). */
  builtins: Set<string>;
}

function packageOf(path: string): string | null {
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const parts = path.slice(at + '/node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** The modules of dist/ that a file loaded holds: itself, or for a file of the bundle those it was made of. */
function modulesOf(path: string): string[] {
  const dist = `${join(ROOT, 'dist')}/`;
  if (!path.startsWith(dist)) return [];
  const bundle = `${dist}bin/`;
  if (!path.startsWith(bundle)) return [path.slice(dist.length)];
  const held = (JSON.parse(readFileSync(`${bundle}modules.json`, 'utf8')) as Record<string, string[]>)[
    path.slice(bundle.length)
  ];
  if (!held) throw new Error(`${path}: not in dist/bin/modules.json`);
  return held;
}

function loadsOf(main: string, ...args: string[]): Loaded {
  const log = join(dir, `modules-${runs++}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, main, ...args], {
    cwd: dir,
    env: { ...process.env, ARENASCOPE_MODULE_LOG: log },
    encoding: 'utf8',
  });
  expect(r.stderr).not.toMatch(/internal error|Error \[ERR_/);
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const paths = lines.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  return {
    status: r.status,
    stdout: r.stdout,
    packages: new Set(paths.map(packageOf).filter((p) => p !== null)),
    own: new Set(paths.flatMap(modulesOf)),
    builtins: new Set(lines.filter((u) => u.startsWith('node:')).map((u) => u.slice(5))),
  };
}

/** False where the build could not run rolldown (dist/bin/'s files then import the ES modules). */
function bundled(): boolean {
  const modules = JSON.parse(readFileSync(join(ROOT, 'dist', 'bin', 'modules.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  return modules['arenascope.cjs']!.length > 0;
}

const commandModules = (l: Loaded): string[] => COMMAND_MODULES.filter((c) => l.own.has(`cli/${c}.js`));
const heavy = (l: Loaded): string[] => HEAVY.filter((p) => l.packages.has(p));

describe.each(BUILDS)('the module graph of a command line: %s', { timeout: 120_000 }, (_, main) => {
  const loads = (...args: string[]): Loaded => loadsOf(main, ...args);

  it('--version loads neither yargs nor any command, and prints the package version', () => {
    const l = loads('--version');
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect([l.status, l.stdout]).toEqual([0, `${version}\n`]);
    expect(commandModules(l)).toEqual([]);
    expect(l.packages).toEqual(new Set());
    expect(l.own.has('cli/command.js')).toBe(false);
  });

  it('--help prints what yargs renders, written at build time: no package, no command module', async () => {
    // English, as the build renders it (another locale goes to yargs, which translates).
    const locale = ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE'].map((k) => [k, process.env[k]] as const);
    for (const [k] of locale) delete process.env[k];
    try {
      const l = loads('--help');
      const parts: string[] = [];
      const io = { out: (s: string) => void parts.push(s), err: () => undefined, columns: 100, cachedHelp: false };
      expect(await runCli(['--help'], io)).toBe(0);
      expect([l.status, l.stdout]).toEqual([0, parts.join('')]);
      expect(l.stdout).toContain('arenascope baseline <inputs..>');
      expect(l.packages).toEqual(new Set());
      expect(commandModules(l)).toEqual([]);
    } finally {
      for (const [k, v] of locale) if (v !== undefined) process.env[k] = v;
    }
  });

  it('a command loads its own module only, and no chart, CSV, JSON streaming or schema library', () => {
    const cases: [string[], string][] = [
      [['stats', DUMP], 'stats'],
      [['info', DAT], 'info'],
      [['gate', DAT, '--max-peak', '10GiB'], 'gate'],
      [['leaks', DAT], 'leaks'],
      [['stats', '--help'], 'stats'],
    ];
    for (const [args, command] of cases) {
      const l = loads(...args);
      expect([args.join(' '), l.status]).toEqual([args.join(' '), 0]);
      expect(commandModules(l)).toEqual([command]);
      expect(heavy(l)).toEqual([]);
    }
  });

  it('a plain command line loads no yargs (cli/plain-args.ts); help and a typo do', () => {
    for (const args of [
      ['stats', DUMP],
      ['stats', DUMP, '-n', '3', '--format', 'json'],
      ['info', DAT],
      ['leaks', DAT],
    ]) {
      const l = loads(...args);
      expect([args.join(' '), l.status, l.packages.has('yargs')]).toEqual([args.join(' '), 0, false]);
    }
    for (const args of [
      ['stats', DUMP, '--help'],
      ['stats', DUMP, '--limt', '3'],
      ['stats', DUMP, '-n', 'abc'],
    ]) {
      const l = loads(...args);
      expect([args.join(' '), l.packages.has('yargs')]).toEqual([args.join(' '), true]);
    }
  });

  it('the dump reader is loaded to read a dump, not to detect another format', () => {
    const reader = ['ingest/tracemalloc-pickle.js', 'ingest/pickle/snapshot-machine.js'];
    for (const args of [
      ['info', DAT],
      ['leaks', DAT],
    ]) {
      const l = loads(...args);
      expect([args.join(' '), l.status]).toEqual([args.join(' '), 0]);
      expect(reader.filter((m) => l.own.has(m))).toEqual([]);
    }
    const dump = loads('info', DUMP);
    expect(reader.filter((m) => dump.own.has(m))).toEqual(reader);
  });

  it("loads node:zlib for a gzipped input only (its loading is ~10 ms of a command's start)", () => {
    const plain = loads('stats', DUMP);
    expect([plain.status, plain.builtins.has('zlib'), plain.builtins.has('fs')]).toEqual([0, false, true]);
    const gz = loads('stats', `${DUMP}.gz`);
    expect([gz.status, gz.stdout, gz.builtins.has('zlib')]).toEqual([0, plain.stdout, true]);
  });

  it('loads each library where it is used: vega-lite for a page, fast-csv for CSV, stream-json for JSON', () => {
    const page = join(dir, 'report.html');
    const report = loads('report', DAT, '-o', page);
    expect(report.status).toBe(0);
    // vega-lite is bundled into the chart thread's file (scripts/build-bundle.mjs): a page loads that
    // file and no package of vega's (but where the build could not bundle); the text report, the same
    // command without the page, neither.
    expect(report.own.has(CHART_THREAD)).toBe(true);
    expect(heavy(report)).toEqual(bundled() ? [] : ['vega', 'vega-lite']);
    const text = loads('report', DAT, '--format', 'text');
    expect([text.own.has(CHART_THREAD), heavy(text)]).toEqual([false, []]);

    const csv = loads('stats', DUMP, '--format', 'csv');
    expect(heavy(csv)).toEqual(['fast-csv']);
    expect(heavy(loads('info', MEMRAY))).toEqual(['fast-csv']);

    const json = join(dir, 'snapshot.json');
    expect(heavy(loads('convert', DUMP, '--to', 'json', '-o', json))).toEqual([]);
    const info = loads('info', json);
    expect(info.status).toBe(0);
    expect(heavy(info)).toEqual(['stream-json', 'stream-chain']);
  });
});

describe("the chart thread's bundle", () => {
  it("holds vega-lite and imports only Node's own modules", () => {
    const code = readFileSync(join(ROOT, 'dist', 'bin', 'chart-worker.mjs'), 'utf8');
    if (!bundled()) {
      // The build could not run rolldown: the file imports the thread's module, as the entry imports main.js.
      expect(code).toBe("import '../report/html/chart-worker.js';\n");
      return;
    }
    // An ES module bundle's static imports head the file, a line each; dynamic ones are calls.
    const imported = [
      ...code.matchAll(/^import\b[^;\n]*?["']([^"']+)["'];?$|\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/gm),
    ].map((m) => m[1] ?? m[2]);
    expect(imported).toContain('node:worker_threads');
    expect(imported.filter((id) => !id!.startsWith('node:'))).toEqual([]);
    expect(code).toContain('node_modules/vega-lite/');
  });
});

describe('the table of commands', () => {
  it('says of each command what its module says', async () => {
    for (const entry of COMMANDS) {
      const m = (await entry.load()) as { command: string; describe: string };
      expect({ command: entry.command, describe: entry.describe }).toEqual({
        command: m.command,
        describe: m.describe,
      });
    }
  });
});

describe('each build is a command a shell runs', () => {
  // dist/cli/main.js was package.json's `bin` before the bundle, and npx's cache keeps the link it made to a
  // project's own bin: `npx arenascope` in a checkout npx ran before runs that file, which must be executable.
  it.each(BUILDS)('%s: executable, with its #!, printing the version', (_, main) => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(execFileSync(main, ['--version'], { encoding: 'utf8' })).toBe(`${version}\n`);
  });
});
