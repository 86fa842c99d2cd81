// `arenascope run`: how a command is resolved to an interpreter and a program (fake console scripts
// in temporary folders), and real runs of the built CLI on pyenv's CPython 3.8 and 3.11: status and
// stdio passed through, memory.dat read by Debian's memory_profiler, the manifest valid against its
// schema, Ctrl-C, crashes, children, and a folder never overwritten.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCommand } from '../../src/capture/resolve-command.js';
import { builtOrBuild, cli } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const PROGRAMS = join(ROOT, 'fixtures', 'run', 'node');
const BOOTSTRAP = join(ROOT, 'python', 'arenascope_capture', '__main__.py');
const DEBIAN_PYTHON = '/usr/bin/python3';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'arenascope-run-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A new folder under the test's temporary one. */
let folders = 0;
const folder = (name: string): string => {
  const dir = join(tmp, `${name}-${folders++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function executable(file: string, text: string): string {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

describe('resolving the command', () => {
  const setup = () => {
    const dir = folder('resolve');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const python = executable(join(bin, 'python3.11'), '#!/bin/sh\n');
    symlinkSync(python, join(bin, 'python3'));
    const env = { cwd: dir, path: `${join(dir, 'empty')}:${bin}` };
    return { dir, bin, python: join(bin, 'python3'), env };
  };

  it('reads a python command: options before the program, then a script, -m or -c, then its arguments', () => {
    const { python, env } = setup();
    expect(resolveCommand(['python3', '-u', '-X', 'dev', 'app.py', '-v', 'x'], env)).toEqual({
      interpreter: python,
      interpreterOptions: ['-u', '-X', 'dev'],
      target: { kind: 'script', file: 'app.py' },
      args: ['-v', 'x'],
    });
    expect(resolveCommand(['python3', '-Wignore', '-m', 'http.server', '8000'], env)).toMatchObject({
      interpreterOptions: ['-Wignore'],
      target: { kind: 'module', name: 'http.server' },
      args: ['8000'],
    });
    // Joined short options, as CPython reads them: -B then -c with the code in the next word.
    expect(resolveCommand(['python3', '-Bc', 'print(1)', 'a'], env)).toMatchObject({
      interpreterOptions: ['-B'],
      target: { kind: 'code', code: 'print(1)' },
      args: ['a'],
    });
    expect(resolveCommand(['python3', '-mpkg.tool'], env).target).toEqual({ kind: 'module', name: 'pkg.tool' });
    expect(resolveCommand(['python3', '--', '-weird.py'], env).target).toEqual({ kind: 'script', file: '-weird.py' });
  });

  it('finds an interpreter given as a path, relative to the working directory', () => {
    const { dir, env } = setup();
    expect(resolveCommand(['bin/python3.11', 'x.py'], env).interpreter).toBe(join(dir, 'bin', 'python3.11'));
  });

  it('runs a console script by the Python its shebang names: a path, /usr/bin/env, pip long-path form', () => {
    const { dir, bin, python, env } = setup();
    const direct = executable(join(bin, 'tool'), `#!${join(bin, 'python3.11')} -s\nimport sys\n`);
    expect(resolveCommand(['tool', '--flag'], env)).toEqual({
      interpreter: join(bin, 'python3.11'),
      interpreterOptions: ['-s'],
      target: { kind: 'script', file: direct },
      args: ['--flag'],
    });
    const viaEnv = executable(join(bin, 'pytest'), '#!/usr/bin/env python3\nimport pytest\n');
    expect(resolveCommand(['pytest', '-q'], env)).toEqual({
      interpreter: python,
      interpreterOptions: [],
      target: { kind: 'script', file: viaEnv },
      args: ['-q'],
    });
    // A virtualenv's script, run by its path.
    mkdirSync(join(dir, 'venv', 'bin'), { recursive: true });
    const venvPython = executable(join(dir, 'venv', 'bin', 'python'), '#!/bin/sh\n');
    executable(join(dir, 'venv', 'bin', 'foo'), `#!${venvPython}\n# -*- coding: utf-8 -*-\n`);
    expect(resolveCommand(['venv/bin/foo', 'a'], env)).toMatchObject({
      interpreter: venvPython,
      target: { kind: 'script', file: join(dir, 'venv', 'bin', 'foo') },
      args: ['a'],
    });
    executable(join(bin, 'long'), `#!/bin/sh\n'''exec' ${venvPython} "$0" "$@"\n' '''\n`);
    expect(resolveCommand(['long'], env).interpreter).toBe(venvPython);
    // A pyenv shim (bash) stands for the script `pyenv which NAME` names.
    const fakePyenv = executable(
      join(dir, 'pyenv'),
      `#!/bin/sh\n[ "$1 $2" = "which foo" ] && echo ${dir}/venv/bin/foo\n`,
    );
    mkdirSync(join(dir, 'shims'));
    executable(join(dir, 'shims', 'foo'), `#!/usr/bin/env bash\nset -e\nexec "${fakePyenv}" exec "$program" "$@"\n`);
    expect(resolveCommand(['shims/foo'], env)).toMatchObject({
      interpreter: venvPython,
      target: { kind: 'script', file: join(dir, 'venv', 'bin', 'foo') },
    });
  });

  it('refuses what it cannot run, naming the command and what was expected', () => {
    const { bin, env } = setup();
    executable(join(bin, 'shtool'), '#!/bin/sh\necho hi\n');
    executable(join(bin, 'envsh'), '#!/usr/bin/env bash\necho hi\n');
    executable(join(bin, 'gone'), '#!/usr/bin/env python3.99\n');
    const cases: [string[], RegExp][] = [
      [['nosuch', 'x'], /^nosuch: not found on PATH; expected a Python/],
      [['shtool'], /^shtool: not a Python program .*expected python3 app\.py/],
      [['envsh'], /^envsh: not a Python program/],
      [['gone'], /shebang names python3\.99, which is not on PATH/],
      [['python3'], /^python3: no program to run; expected a script, -m module or -c code/],
      [['python3', '-u'], /^python3: no program to run/],
      [['python3', '-'], /stdin cannot be captured/],
      [['python3', '-c'], /^python3 -c: expected code/],
      [['python3', '--version'], /runs no program/],
      [['python3', '-I', 'app.py'], /-E and -I make Python ignore PYTHONPATH/],
      [['python3', '-sE', 'app.py'], /-E and -I/],
      [['python9'], /^python9: not found on PATH$/],
      [[], /no command/],
    ];
    for (const [command, message] of cases) {
      expect(() => resolveCommand(command, env), command.join(' ')).toThrow(message);
    }
    // -W takes a value: an I in it is not the -I flag.
    expect(resolveCommand(['python3', '-WIgnore', 'app.py'], env).interpreterOptions).toEqual(['-WIgnore']);
  });

  it('is a usage error (exit 2) through the CLI, and writes no folder', async () => {
    const dir = join(folder('cli'), 'out');
    const r = await cli('run', '-o', dir, '--', 'no-such-command-here');
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/no-such-command-here: not found on PATH/)]);
    expect(existsSync(dir)).toBe(false);
    const bad = await cli('run', '--frames', '0', '--', 'python3', 'x.py');
    expect([bad.code, bad.err]).toEqual([
      2,
      expect.stringMatching(/--frames 0: expected a whole number from 1 to 65535/),
    ]);
    // tracemalloc.start() takes at most 65535: said here, not by a traceback of the program's run.
    const many = await cli('run', '-o', dir, '--frames', '70000', '--', 'python3', 'x.py');
    expect([many.code, many.err]).toEqual([2, 'arenascope: --frames 70000: expected a whole number from 1 to 65535\n']);
    const long = await cli('run', '-o', dir, '--interval', '1e13', '--', 'python3', 'x.py');
    expect([long.code, long.err]).toEqual([
      2,
      'arenascope: --interval 10000000000000: expected a number from 0 to 31536000\n',
    ]);
    // Without pymalloc, --allocator's reports held free lists only, and every command refused the
    // folder (h304); with its debug hooks, pymalloc is there.
    const was = process.env.PYTHONMALLOC;
    try {
      process.env.PYTHONMALLOC = 'malloc';
      const malloc = await cli('run', '-o', dir, '--allocator', '--', 'python3', 'x.py');
      expect([malloc.code, malloc.err]).toEqual([
        2,
        expect.stringContaining('--allocator: PYTHONMALLOC=malloc runs CPython without pymalloc'),
      ]);
      process.env.PYTHONMALLOC = 'debug';
      expect((await cli('run', '-o', dir, '--allocator', '--', 'no-such-command-here')).err).toMatch(
        /not found on PATH/,
      );
    } finally {
      if (was === undefined) delete process.env.PYTHONMALLOC;
      else process.env.PYTHONMALLOC = was;
    }
    expect(existsSync(dir)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Real runs of the built CLI.

const PYTHONS = ['3.8.18', '3.11.7']
  .map((v) => join(homedir(), '.pyenv', 'versions', v, 'bin', 'python'))
  .filter((p) => existsSync(p));
const CAN_RUN = existsSync(BOOTSTRAP) && PYTHONS.length > 0;
if (!CAN_RUN) console.warn('skipping real runs: no pyenv CPython 3.8/3.11 or no python/arenascope_capture');

const validate = (() => {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'arenascope-run.schema.json'), 'utf8')) as object);
})();

interface Manifest {
  status: string;
  exit: { code: number | null; signal: string | null; reason: string | null };
  python: { version: string } | null;
  files: { path: string; kind: string; label?: string }[];
  command: string[];
  options: Record<string, unknown>;
  end: string | null;
}

function manifestOf(dir: string): Manifest {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as unknown;
  expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
  return m as Manifest;
}

function run(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, 'run', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** memory.dat as Debian's memory_profiler reads it. */
function mprofRead(file: string): { mem: number[]; cmd: string; children: Record<string, number[]> } {
  const code =
    'import json, sys\nfrom mprof import read_mprofile_file\nd = read_mprofile_file(sys.argv[1])\n' +
    'print(json.dumps({"mem": d["mem_usage"], "cmd": d["cmd_line"], ' +
    '"children": {k: [m for m, t in v] for k, v in d["children"].items()}}))';
  return JSON.parse(execFileSync(DEBIAN_PYTHON, ['-c', code, file], { encoding: 'utf8' })) as ReturnType<
    typeof mprofRead
  >;
}
const HAS_MPROF = spawnSync(DEBIAN_PYTHON, ['-c', 'import mprof']).status === 0;

describe.runIf(CAN_RUN)('arenascope run on real programs', { timeout: 120_000 }, () => {
  beforeAll(() => {
    builtOrBuild(MAIN);
  }, 180_000);

  for (const python of PYTHONS) {
    const version = python.split('/').at(-3)!;
    describe(`CPython ${version}`, () => {
      it("passes stdin, stdout and the exit status through; memory.dat is mprof's; the manifest is valid", () => {
        const dir = join(folder('exits'), 'out');
        const r = run(['-o', dir, '--', python, join(PROGRAMS, 'exits.py'), '7', 'two words'], 'from stdin\n');
        expect(r.status).toBe(7);
        expect(r.stdout).toBe("args=['7', 'two words'] stdin=from stdin\n");
        expect(r.stderr).toMatch(/program: +ended with exit status 7\n/);
        const m = manifestOf(dir);
        expect([m.status, m.exit, m.python?.version]).toEqual([
          'complete',
          { code: 7, signal: null, reason: 'exit' },
          version,
        ]);
        const snapshots = m.files.filter((f) => f.kind === 'snapshot');
        expect(snapshots[0]?.label).toBe('start');
        expect(snapshots.at(-1)?.label).toBe('exit');
        for (const f of m.files) expect(existsSync(join(dir, f.path)), f.path).toBe(true);
        if (HAS_MPROF) {
          const dat = mprofRead(join(dir, 'memory.dat'));
          expect(dat.cmd).toBe(`${python} ${join(PROGRAMS, 'exits.py')} 7 'two words'\n`);
          expect(dat.mem.length).toBeGreaterThan(0);
          expect(Math.max(...dat.mem)).toBeGreaterThan(5);
        }
      });

      it("its summary's RSS peak is the one info and gate take: the program's own at exit when above its samples", () => {
        // 64 MiB made and freed between two samples: the summary said the samples' peak (14 MiB), info
        // and gate the program's own (getrusage, 78 MiB).
        const dir = join(folder('spike'), 'out');
        const r = run(['-o', dir, '--', python, join(PROGRAMS, 'spike.py')]);
        expect([r.status, r.stdout]).toEqual([0, 'spiked\n']);
        const said = Number(/^ {2}RSS peak: {3}([\d.]+) MiB/m.exec(r.stderr)?.[1]);
        expect(said).toBeGreaterThan(64);
        const info = spawnSync(process.execPath, [MAIN, 'info', dir], { cwd: ROOT, encoding: 'utf8' }).stdout;
        const program = /^program peak +([\d.]+) MiB/m.exec(info)?.[1] ?? /^peak +([\d.]+) MiB/m.exec(info)?.[1];
        expect(Number(program).toFixed(1)).toBe(said.toFixed(1));
      });

      it('a crash leaves a valid folder that says so, and the exit status is the program’s', () => {
        const dir = join(folder('crash'), 'out');
        const r = run(['-o', dir, '--', python, join(PROGRAMS, 'crash.py')]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/RuntimeError: boom at the end of crash\.py/);
        expect(r.stderr).toMatch(/CRASHED: an uncaught exception/);
        const m = manifestOf(dir);
        expect([m.status, m.exit]).toEqual(['crashed', { code: 1, signal: null, reason: 'exception' }]);
        expect(m.files.filter((f) => f.kind === 'snapshot').length).toBeGreaterThanOrEqual(1);
      });

      it('a program killed by a signal: crashed, status 128 + 9', () => {
        const dir = join(folder('killed'), 'out');
        const r = run(['-o', dir, '--', python, join(PROGRAMS, 'killed.py')]);
        expect(r.status).toBe(137);
        const m = manifestOf(dir);
        expect([m.status, m.exit]).toEqual(['crashed', { code: null, signal: 'SIGKILL', reason: 'signal' }]);
        expect(r.stderr).toMatch(/CRASHED: killed by SIGKILL \(status 137\)/);
      });
    });
  }

  const python = PYTHONS.at(-1)!;

  it('Ctrl-C (SIGINT to the process group) leaves a complete folder with status interrupted', async () => {
    const dir = join(folder('interrupt'), 'out');
    const child = spawn(process.execPath, [MAIN, 'run', '-o', dir, '--', python, join(PROGRAMS, 'sleeper.py')], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    );
    process.kill(-child.pid!, 'SIGINT');
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(status).toBe(130);
    const m = manifestOf(dir);
    expect(m.status).toBe('interrupted');
    expect(m.end).not.toBeNull();
    expect(m.files.filter((f) => f.kind === 'snapshot').at(-1)?.label).toBe('interrupted');
    expect(stderr).toMatch(/INTERRUPTED/);
  });

  it('--include-children writes CHLD lines for a child process, MEM the program alone (mprof run -M)', () => {
    const dir = join(folder('children'), 'out');
    const r = run(['-o', dir, '--include-children', '--', python, join(PROGRAMS, 'parent.py')]);
    expect([r.status, r.stdout]).toEqual([0, 'child done\n']);
    expect(manifestOf(dir).status).toBe('complete');
    const text = readFileSync(join(dir, 'memory.dat'), 'utf8');
    expect(text).toMatch(/^CHLD \d+ \d+\.\d{6} \d+\.\d{4}$/m);
    expect(text).toMatch(/^MEM \d+\.\d{6} \d+\.\d{4}$/m);
    if (HAS_MPROF) {
      const dat = mprofRead(join(dir, 'memory.dat'));
      const child = Math.max(...Object.values(dat.children).flat());
      expect(child).toBeGreaterThan(40); // the child's 40 MB, touched
      // MEM is the parent alone (it counted the child: read outside its folder, as mprof -M files are,
      // memory.dat's peak had the child twice, where the folder's manifest said MEM counted it).
      expect(Math.max(...dat.mem)).toBeLessThan(child);
    }
    expect(manifestOf(dir).options).toMatchObject({ includeChildren: true, memIncludesChildren: false });
    // Read in its folder and on its own, the same peak: the program and its child together.
    const peak = (input: string): number => {
      const g = spawnSync(process.execPath, [MAIN, 'gate', input, '--max-peak', '1TiB', '--json'], {
        encoding: 'utf8',
      });
      const checks = (JSON.parse(g.stdout) as { checks: { check: string; measured: number }[] }).checks;
      return checks.find((c) => c.check === 'max-peak')!.measured;
    };
    const [inFolder, alone] = [peak(dir), peak(join(dir, 'memory.dat'))];
    expect(alone).toBe(inFolder);
    // --mem-includes-children does not override what the run recorded (it halved the peak, and a gate passed).
    const said = spawnSync(
      process.execPath,
      [MAIN, 'gate', dir, '--max-peak', '1TiB', '--json', '--mem-includes-children'],
      {
        encoding: 'utf8',
      },
    );
    const checks = (JSON.parse(said.stdout) as { checks: { check: string; measured: number }[] }).checks;
    expect(checks.find((c) => c.check === 'max-peak')!.measured).toBe(inFolder);
    // Nor when its memory.dat is named on its own: the file is its run's.
    const file = spawnSync(
      process.execPath,
      [MAIN, 'gate', join(dir, 'memory.dat'), '--max-peak', '1TiB', '--json', '--mem-includes-children'],
      { encoding: 'utf8' },
    );
    const fileChecks = (JSON.parse(file.stdout) as { checks: { check: string; measured: number }[] }).checks;
    expect(fileChecks.find((c) => c.check === 'max-peak')!.measured).toBe(inFolder);
    expect(said.stderr).toContain(
      'its run recorded MEM as the program alone (children in CHLD lines): --mem-includes-children is not applied to it',
    );
    if (HAS_MPROF) {
      const dat = mprofRead(join(dir, 'memory.dat'));
      expect(inFolder / 2 ** 20).toBeGreaterThan(Math.max(...Object.values(dat.children).flat()));
    }
    // Without the flag: no CHLD line.
    const plain = join(folder('children'), 'out');
    expect(run(['-o', plain, '--', python, join(PROGRAMS, 'parent.py')]).status).toBe(0);
    expect(readFileSync(join(plain, 'memory.dat'), 'utf8')).not.toMatch(/^CHLD/m);
    // ... and says that the child was not measured, in its manifest and by every command (a child's
    // leak went unsaid, and the gate passed).
    expect((manifestOf(plain) as { childrenNotMeasured?: boolean }).childrenNotMeasured).toBe(true);
    expect(spawnSync(process.execPath, [MAIN, 'leaks', plain], { encoding: 'utf8' }).stderr).toContain(
      'the program started child processes, whose memory the run did not measure (arenascope run --include-children measures it)',
    );
    expect('childrenNotMeasured' in manifestOf(dir)).toBe(false);
  });

  it('--allocator runs the command again for allocator reports, matched to the snapshots by label', () => {
    const dir = join(folder('allocator'), 'out');
    const r = run(['-o', dir, '--allocator', '--interval', '0', '--', python, join(PROGRAMS, 'checkpoints.py')]);
    // The program's output once: the second run's goes to allocator/output.txt.
    expect([r.status, r.stdout]).toEqual([0, 'done\n']);
    expect(readFileSync(join(dir, 'allocator', 'output.txt'), 'utf8')).toBe('done\n');
    const m = manifestOf(dir);
    const labels = ['start', 'batch 0', 'batch 1', 'batch 2', 'exit'];
    expect(m.files.filter((f) => f.kind === 'snapshot').map((f) => f.label)).toEqual(labels);
    const reports = m.files.filter((f) => f.kind === 'allocator-stats') as { label?: string; matches?: string }[];
    expect(reports.map((f) => f.label)).toEqual(labels);
    const snapshotOf = new Map(m.files.filter((f) => f.kind === 'snapshot').map((f) => [f.label, f.path]));
    for (const f of reports) expect(f.matches).toBe(snapshotOf.get(f.label));
    expect(readFileSync(join(dir, reports[1]!.matches!.replace(/$/, '.label')), 'utf8').trim()).toBe('batch 0');
    expect(r.stderr).toMatch(/allocator: {2}5 reports/);
  });

  it('never writes into a folder that holds anything: exit 2, the folder untouched', () => {
    const dir = folder('taken');
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const r = run(['-o', dir, '--', python, join(PROGRAMS, 'exits.py')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the folder exists and is not empty; name a new one with -o\/--output/);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });

  it("--json prints the manifest at the end, alone on stdout (the program's output on stderr)", () => {
    const dir = join(folder('json'), 'out');
    const r = run(['-o', dir, '--json', '--', python, '-c', 'print("hi")']);
    expect(r.status).toBe(0);
    expect(r.stderr.startsWith('hi\n')).toBe(true);
    const printed = JSON.parse(r.stdout) as Manifest;
    expect(printed).toEqual(manifestOf(dir));
    expect(printed.command).toEqual([python, '-c', 'print("hi")']);
  });
});

describe.skipIf(!CAN_RUN)("the program's words", () => {
  it("a '-' among them reaches it as '-' (it got a NUL byte and 'stdin', an internal error)", async () => {
    const dir = folder('dash');
    const seen = join(dir, 'argv.txt');
    const code = 'import sys; open(sys.argv[2], "w").write(repr(sys.argv))';
    const r = await cli('run', '-o', join(dir, 'out'), '--', PYTHONS[0]!, '-c', code, '-', seen);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(seen, 'utf8')).toBe(`['-c', '-', '${seen}']`);
  });

  it("without `--`, its -h and -v are the program's (run's help was printed, exit 0, and the program never ran)", async () => {
    const dir = folder('no-dashes');
    const seen = join(dir, 'argv.txt');
    const code = 'import sys; open(sys.argv[1], "w").write(repr(sys.argv))';
    const r = await cli('run', '-o', join(dir, 'out'), '--interval', '0', PYTHONS[0]!, '-c', code, seen, '-h', '-v');
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(seen, 'utf8')).toBe(`['-c', '${seen}', '-h', '-v']`);
  });
});

describe.skipIf(!CAN_RUN)('the capture code in the gate', () => {
  it("its interval snapshots' own blocks are no line of the program (an idle run failed --max-site-growth)", async () => {
    // Each snapshot taken from the capture's thread keeps a block at tracemalloc.py: a run that
    // only sleeps, longer than its baseline, grew there. (The short run long enough for interval
    // captures on a busy machine: with none, its baseline is of its exit capture, not compared.)
    const dir = folder('idle');
    const idle = (secs: number, out: string) =>
      cli(
        'run',
        '-o',
        join(dir, out),
        '--interval',
        '0.005',
        '--',
        PYTHONS[0]!,
        '-c',
        `import time; time.sleep(${secs})`,
      );
    expect((await idle(0.6, 'short')).code).toBe(0);
    expect((await idle(2, 'long')).code).toBe(0);
    const base = join(dir, 'base.json');
    expect((await cli('baseline', join(dir, 'short'), '-o', base)).code).toBe(0);
    const r = await cli(
      'gate',
      join(dir, 'long'),
      '--baseline',
      base,
      '--max-site-growth',
      '4KiB',
      '--max-leaks',
      '99',
    );
    expect(r.out).toMatch(/^PASS max-site-growth/m);
    expect(r.out).not.toMatch(/tracemalloc\.py|arenascope_capture/);
  });

  it("a script's captures hold no module the runner imports (zipfile's lines were named as pinning arenas)", async () => {
    const dir = folder('script');
    const script = join(dir, 'alloc.py');
    writeFileSync(script, 'kept = [bytearray(1000) for _ in range(100)]\n');
    expect((await cli('run', '-o', join(dir, 'out'), '--interval', '0', '--', PYTHONS[0]!, script)).code).toBe(0);
    const r = await cli('stats', join(dir, 'out', 'snapshots', '0002.pickle'), '-g', 'filename');
    expect(r.out).toContain(`${script}:0: size=`);
    expect(r.out).not.toMatch(/zipfile/);
  });
});

describe.runIf(CAN_RUN)('a program done before the RSS sampler sampled it', { timeout: 120_000 }, () => {
  beforeAll(() => {
    builtOrBuild(MAIN);
  }, 180_000);

  // Sampled once, as the process started (before Python: 0.02 MiB), a program that held 30 MB passed
  // `gate --max-peak 2MiB`. The program's own peak RSS, measured by getrusage as it exits, is its peak.
  it("gate --max-peak judges the program's own peak RSS at exit, naming where it is from", () => {
    const python = PYTHONS[0]!;
    const dir = join(folder('quick'), 'out');
    const r = run(['-o', dir, '--sample-interval', '60', '--', python, '-c', 'x = bytearray(30_000_000)']);
    expect(r.status).toBe(0);
    const mem = readFileSync(join(dir, 'memory.dat'), 'utf8').match(/^MEM .*/gm)!;
    expect(mem).toHaveLength(1);
    const end = readFileSync(join(dir, 'captures.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; maxRssKiB?: number })
      .find((e) => e.kind === 'end')!;
    expect(end.maxRssKiB!).toBeGreaterThan(30_000_000 / 1024);
    const g = spawnSync(process.execPath, [MAIN, 'gate', dir, '--max-peak', '20MiB', '--json'], { encoding: 'utf8' });
    const check = (
      JSON.parse(g.stdout) as { checks: { check: string; passed: boolean; measured: number; message: string }[] }
    ).checks.find((c) => c.check === 'max-peak')!;
    expect([check.passed, check.measured]).toEqual([false, end.maxRssKiB! * 1024]);
    // info gives the same peak: what report and gate take.
    const info = spawnSync(process.execPath, [MAIN, 'info', dir, '--json'], { encoding: 'utf8' });
    const captures = (JSON.parse(info.stdout) as { captures: { kind: string; programPeakMiB?: number }[] }).captures;
    expect(captures.find((c) => c.kind === 'memory-series')!.programPeakMiB).toBe(end.maxRssKiB! / 1024);
    // So do info, report and gate of its memory.dat named alone (info read its samples: h246).
    const alone = join(dir, 'memory.dat');
    const one = spawnSync(process.execPath, [MAIN, 'info', alone, '--json'], { encoding: 'utf8' });
    expect((JSON.parse(one.stdout) as { programPeakMiB: number }).programPeakMiB).toBe(end.maxRssKiB! / 1024);
    const gateAlone = spawnSync(process.execPath, [MAIN, 'gate', alone, '--max-peak', '20MiB', '--json'], {
      encoding: 'utf8',
    });
    expect((JSON.parse(gateAlone.stdout) as { checks: { measured: number }[] }).checks[0]!.measured).toBe(
      end.maxRssKiB! * 1024,
    );
    const sampled = Number(mem[0]!.split(' ')[1]).toFixed(1);
    expect(check.message).toContain(`the program's own peak RSS at exit; its samples reached ${sampled} MiB`);
    // And the report's label says so (it said "peak (mprof)", a figure `mprof peak` does not print).
    const md = spawnSync(process.execPath, [MAIN, 'report', dir, '-f', 'markdown'], { encoding: 'utf8' }).stdout;
    expect(md.split('\n')[2]).toMatch(/^\| peak \(the program's own, at exit\) \|/);
  });

  it('without that peak (a run of an older arenascope, or Windows), a sample before the program began is no peak of it', () => {
    const dir = join(folder('quick-old'), 'out');
    const r = run(['-o', dir, '--sample-interval', '60', '--', PYTHONS[0]!, '-c', 'x = bytearray(30_000_000)']);
    expect(r.status).toBe(0);
    const events = join(dir, 'captures.jsonl');
    writeFileSync(events, readFileSync(events, 'utf8').replace(/, "maxRssKiB": \d+/, ''));
    const g = spawnSync(process.execPath, [MAIN, 'gate', dir, '--max-peak', '1TiB'], { encoding: 'utf8' });
    expect(g.stdout).toMatch(
      /^FAIL max-peak: .*; but no peak of .*memory\.dat: no MEM sample measured the program, only Python starting, before the program began/m,
    );
  });
});
