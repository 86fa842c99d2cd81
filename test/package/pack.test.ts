// The package as a user gets it (issue 16): `npm pack`, installed into a fresh npm project, its binary
// run, the library imported from an ES module, and a consumer holding the README's library example
// type-checked with `tsc --strict` and run. One pack and one install, from npm's cache when it can.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtOrBuild } from '../helpers.js';

const ROOT = resolve('.');
const DUMP = resolve('fixtures/dumps/py311-inventory-a.pickle');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
// What CPython 3.11 printed for this dump (fixtures/make_dumps.py): the answer every route must give.
const golden = (
  JSON.parse(readFileSync('fixtures/expected/py311.json', 'utf8')) as {
    cases: { command: string; files: string[]; args: string[]; output: string }[];
  }
).cases.find(
  (c) =>
    c.command === 'stats' &&
    c.files.join() === 'fixtures/dumps/py311-inventory-a.pickle' &&
    c.args.join(' ') === '--group-by lineno',
)!.output;

// A user's shell, not npm's: when vitest runs under `npm test`, npm's own variables (its lifecycle,
// the project's package.json) would leak into the consumer's npm.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function npmVersion(): string | null {
  try {
    return execFileSync('npm', ['--version'], { encoding: 'utf8', env: ENV }).trim();
  } catch {
    return null;
  }
}
const npm = npmVersion();

/** Runs a program (in the consumer project, mostly); fails the test with its output when it fails. */
function run(cwd: string, file: string, args: string[]): string {
  const r = spawnSync(file, args, { cwd, env: ENV, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The ```ts block of the README's Library section. */
function readmeExample(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const m = /```ts\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)));
  if (!m) throw new Error("README.md: no ```ts block in '## Library'");
  return m[1]!;
}

/** The newest modification time under a directory. */
async function newest(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Math.max(...entries.filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
}

if (!npm) it('packs and installs the package', (ctx) => ctx.skip('npm is not available on this machine'));

describe.skipIf(!npm)('the package, packed and installed into a fresh project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arenascope-pack-'));
  const proj = join(dir, 'consumer');
  const bin = join(proj, 'node_modules/.bin/arenascope');
  const installed = join(proj, 'node_modules/arenascope');
  let packed: string[] = [];

  beforeAll(async () => {
    // `npm test` builds before vitest; run alone, this file builds when dist/ is missing or older than src/.
    const main = join(ROOT, 'dist/bin/arenascope.cjs');
    const index = join(ROOT, 'dist/index.js');
    builtOrBuild(main, existsSync(index) && (await newest(join(ROOT, 'src'))) > statSync(index).mtimeMs);
  }, 120_000);

  beforeAll(() => {
    // --ignore-scripts: the build above is the one packed (prepare would rebuild dist/ under the other tests).
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      env: ENV,
      encoding: 'utf8',
    });
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    packed = info!.files.map((f) => f.path);
    mkdirSync(proj);
    writeFileSync(
      join(proj, 'package.json'),
      '{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }\n',
    );
    // @types/node at the version arenascope is developed with: a Node project's own types, already in the cache.
    const types = (JSON.parse(readFileSync('node_modules/@types/node/package.json', 'utf8')) as { version: string })
      .version;
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(dir, basename(info!.filename)),
        `@types/node@${types}`,
      ],
      { cwd: proj, env: ENV, stdio: 'pipe', timeout: 55_000 },
    );
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the built code, the JSON Schemas and the Python bootstrap, and no sources or tests', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/bin/arenascope.cjs', 'README.md', 'package.json'])
      expect(packed).toContain(f);
    expect(packed).toContain('schema/arenascope-config.schema.json');
    expect(packed).toContain('python/arenascope_capture/__main__.py');
    expect(packed.filter((f) => /^(src|test|fixtures|bench)\//.test(f) || f.endsWith('.pyc'))).toEqual([]);
    expect(existsSync(join(installed, 'python/arenascope_capture/__main__.py'))).toBe(true);
    // No devDependency came along: the type check below sees what a consumer's project sees.
    expect(['@types/yargs', 'typescript', 'vitest'].filter((p) => existsSync(join(proj, 'node_modules', p)))).toEqual(
      [],
    );
  });

  it("resolves every path the README gives as './node_modules/arenascope/...'", () => {
    const paths = [...readFileSync('README.md', 'utf8').matchAll(/\.\/node_modules\/arenascope\/[\w./-]*\w/g)].map(
      (m) => m[0],
    );
    expect(paths).toContain('./node_modules/arenascope/schema/arenascope-config.schema.json');
    for (const p of paths) expect([p, existsSync(join(proj, p))]).toEqual([p, true]);
  });

  it('its binary prints what CPython printed, and its own version from any directory', () => {
    expect(run(proj, bin, ['stats', DUMP, '--group-by', 'lineno', '--no-source'])).toBe(golden);
    expect(run(proj, bin, ['--version'])).toBe(`${pkg.version}\n`);
    expect(run(proj, bin, ['run', '--help'])).toMatch(/^arenascope run \[options\] -- <command\.\.>\n/);
  });

  it('`arenascope run` finds its Python bootstrap inside the installed package', () => {
    const py = spawnSync('python3', ['--version']);
    if (py.status !== 0) return; // no Python here: the bootstrap's files were checked above
    run(proj, bin, [
      'run',
      '-o',
      'cap',
      '--interval',
      '0',
      '--',
      'python3',
      '-c',
      'x = [bytearray(1000) for _ in range(1000)]',
    ]);
    const exit = run(proj, bin, ['stats', 'cap/snapshots/0002.pickle', '-n', '1']);
    // Each bytearray(1000) is two blocks (the object and its 1001-byte buffer), held by x at exit.
    const count = Number(/^<string>:1: size=[\d.]+ KiB, count=(\d+),/.exec(exit)?.[1]);
    expect([exit, count >= 2000]).toEqual([exit, true]);
  });

  it('imports as an ES module: the library gives the same answer as the binary', () => {
    writeFileSync(
      join(proj, 'use.mjs'),
      `import { loadCapture, renderStatsText, statsResult } from 'arenascope';
const capture = await loadCapture(process.argv[2]);
if (capture.kind !== 'snapshot') throw new Error(capture.kind);
process.stdout.write(renderStatsText(statsResult(capture, { keyType: 'lineno' })));
`,
    );
    expect(run(proj, process.execPath, ['use.mjs', DUMP])).toBe(golden);
  });

  it("type-checks the README's library example and the exported API with tsc --strict, and runs the example", () => {
    writeFileSync(join(proj, 'readme-example.ts'), readmeExample());
    // Every exported declaration is checked (skipLibCheck off): a type that needs a devDependency fails here.
    writeFileSync(
      join(proj, 'api.ts'),
      `import { type Capture, type Io, runCli } from 'arenascope';
import * as arenascope from 'arenascope';

const io: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };
export const code: Promise<number> = runCli(['--version'], io);
export const kinds: Capture['kind'][] = ['snapshot', 'memory-series'];
export const all: (keyof typeof arenascope)[] = ['loadCapture', 'statsResult', 'resolveInputs'];
`,
    );
    writeFileSync(
      join(proj, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
          outDir: 'out',
          noEmitOnError: true,
        },
        files: ['readme-example.ts', 'api.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', proj], {
      cwd: proj,
      env: ENV,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    copyFileSync(DUMP, join(proj, 'app.pickle'));
    // CPython's first ten lines, then its total over all of them (the golden listing's last line).
    const lines = golden.trimEnd().split('\n');
    const top10 = [...lines.slice(0, 10), lines.at(-1)!].join('\n');
    expect(lines.at(-1)).toMatch(/^Total: /);
    expect(run(proj, process.execPath, ['out/readme-example.js'])).toBe(`${top10}\n`);
  });
});
