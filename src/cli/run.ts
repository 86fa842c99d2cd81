// The command line as a function, so tests drive it in-process exactly as a user drives the binary.
// Exit codes: 0 ok, 1 a gate check failed, 2 usage or input error, 3 internal error (a bug).
// Only the command that runs is loaded (issue 14): every invocation pays for what it imports, and
// the commands together import ~0.1 s of modules; `--version` loads neither yargs nor any command.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type YargsFactory from 'yargs';
import type { CommandModule } from 'yargs';
import { ArenascopeError, EXIT, internalErrorText, TruncatedError, UsageError } from '../util/errors.js';
import type { Io } from './io.js';
import { plainArgs } from './plain-args.js';
import { checkDashWords, checkNumbers, checkValues, type DeclaredOptions, withSuggestions } from './usage.js';
import { LITERAL, STDIN_ARG, unmarked } from './words.js';

/** A command as the top-level --help lists it; its module is imported only when it is named. */
export interface CommandEntry {
  /** The module's own `command` and `describe` (test/cli/module-graph.test.ts checks they agree). */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<object>;
}

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'run [command..]',
    describe: 'Run a Python program (python3 app.py, -m pkg, pytest) and capture its memory into a folder',
    load: () => import('./capture.js'),
  },
  {
    command: 'stats <dump>',
    describe: 'Top allocation sites of a tracemalloc dump, exactly as Snapshot.statistics() ranks them',
    load: () => import('./stats.js'),
  },
  {
    command: 'diff <old> <new>',
    describe: 'What changed between two tracemalloc dumps, exactly as new.compare_to(old) reports it',
    load: () => import('./diff.js'),
  },
  {
    command: 'info <inputs..>',
    describe: 'What captures are: format, kind, counts, time span, peak, warnings (files, directories, globs)',
    load: () => import('./info.js'),
  },
  {
    command: 'convert <inputs..>',
    describe: 'Write snapshots as arenascope JSON (one, or a series for several) or a per-site CSV table',
    load: () => import('./convert.js'),
  },
  {
    command: 'leaks <inputs..>',
    describe: 'Does memory keep growing, and where? Over a series of snapshots (3+), an mprof run, a line report',
    load: () => import('./leaks.js'),
  },
  {
    command: 'replay <inputs..>',
    describe: "Replay snapshots through a model of CPython's pymalloc: arenas, pools, fragmentation and who pins it",
    load: () => import('./replay.js'),
  },
  {
    command: 'report <inputs..>',
    describe: 'One self-contained HTML page (and JSON, Markdown) of whatever captures it is given',
    load: () => import('./report.js'),
  },
  {
    command: 'gate <inputs..>',
    describe: 'Fail a build on a memory regression: checks against limits and a baseline; exit 1 when one fails',
    load: () => import('./gate.js'),
  },
  {
    command: 'baseline <inputs..>',
    describe: "Write the small report.json a team commits as the gate's baseline (no dumps in the repository)",
    load: () => import('./baseline.js'),
  },
];

const nameOf = (c: CommandEntry): string => c.command.split(' ')[0]!;

/**
 * The modules of the commands the arguments name. yargs runs the command its first positional
 * names, which is always one of the arguments; any argument that is a command's name loads it
 * (`--title stats info x` loads both), so the one yargs picks is always there whole. The others
 * are registered by name and description only: enough for --help, --strict and "did you mean".
 */
async function commandModules(args: readonly string[]): Promise<CommandModule[]> {
  const named = new Set(args);
  return Promise.all(
    COMMANDS.map(async (c) =>
      named.has(nameOf(c))
        ? ((await c.load()) as CommandModule)
        : {
            command: c.command,
            describe: c.describe,
            handler: () => {
              throw new Error(`command ${nameOf(c)} ran without its module`);
            },
          },
    ),
  );
}

/**
 * Whether the arguments may ask for help: --help, -h alone or among short flags, or the word `help`
 * (yargs prints help when it is the last positional), anywhere. False only when yargs cannot print
 * help; no other output depends on the width.
 */
const mayAskHelp = (args: readonly string[]): boolean =>
  args.some((a) => a === 'help' || /^-(?:-help(?:=|$)|[^-]*h)/.test(a));

/** Widths whose top-level --help scripts/build-help.mjs renders at build time. */
export const HELP_WIDTHS = [100, 110] as const;

/**
 * The top-level --help as yargs renders it, written at build time (scripts/build-help.mjs), or null:
 * another width, a locale yargs would translate into, or no such file (running from src).
 */
function builtHelp(columns: number | undefined): string | null {
  const width = Math.min(110, columns ?? 100);
  const env = process.env;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || 'en';
  if (!(HELP_WIDTHS as readonly number[]).includes(width) || !/^(?:en|C|POSIX)(?:[_.@-]|$)/.test(locale)) return null;
  try {
    return readFileSync(new URL(`./help-${width}.txt`, import.meta.url), 'utf8');
  } catch {
    return null;
  }
}

export async function runCli(args: readonly string[], io: Io & { cachedHelp?: boolean }): Promise<number> {
  const status = { code: EXIT.ok as number };
  try {
    // The top-level help without loading yargs (~40 ms), when the build wrote it for this width.
    const help = args.length === 1 && (args[0] === '--help' || args[0] === '-h') && io.cachedHelp !== false;
    const built = help ? builtHelp(io.columns) : null;
    if (built !== null) {
      io.out(built);
      return status.code;
    }
    // The output yargs gives, without loading it (~20 ms) to say one line.
    if (args.length === 1 && args[0] === '--version') {
      io.out(`${(await import('../version.js')).VERSION}\n`);
      return status.code;
    }
    // yargs reads a lone '-' as an empty option; carry stdin through it under a name no path can
    // have. Only commands read stdin, and each loads command.js anyway.
    // Captures read from stdin once; `run` hands its words to the program as they are.
    // `run` hands its words to the program as they are; other commands' words yargs would misread are
    // marked (cli/words.ts): a lone '-' (stdin, or stdout after an output option), and every word
    // after `--` (an input, even one that starts with '-').
    // `run`'s words after its own options are the program's (`run -o d python3 p.py -h`: -h was run's
    // help, and the program never ran): a `--` goes before them; its own are checked.
    if (args[0] === 'run') args = programAfterDashes(args);
    const own = args[0] === 'run' ? args : args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
    const writes = new Set(['-o', '--output', '--json-out', '--junit', '--markdown']);
    if (args[0] !== 'run' && args.filter((a, i) => a === '-' && !writes.has(args[i - 1]!)).length > 1)
      throw new UsageError("'-' (stdin) is given twice: it can be read once");
    // The words after `--` go right after the command's name, where no option before them can take
    // them as its values (`--ignore x -- a.pickle`); unmarked() puts them back after the others.
    const stdinOf = (a: string): string => (a === '-' ? STDIN_ARG : a);
    const argv =
      args[0] === 'run'
        ? [...args]
        : [
            ...own.slice(0, 1).map(stdinOf),
            ...args.slice(own.length + 1).map((a) => LITERAL + stdinOf(a)),
            ...own.slice(1).map(stdinOf),
          ];
    checkDashWords(args[0] === 'run' ? args.slice(0, args.indexOf('--')) : own);
    const commands = await commandModules(args);
    // The plain command lines, without yargs: the same argv, ~35 ms sooner (cli/plain-args.ts).
    const named = commands.find((c) => String(c.command).split(' ')[0] === argv[0]);
    const plain = named ? plainArgs(named, argv, { io, status }) : null;
    if (named && plain) {
      checkNumbers(plain, argv);
      await named.handler(plain as Parameters<typeof named.handler>[0]);
      return status.code;
    }
    await parseWithYargs(argv, commands, io, status);
    return status.code;
  } catch (e) {
    if (e instanceof ArenascopeError) {
      // Every input error a flag gets past names the flag (most importers already say it).
      const hint =
        e instanceof TruncatedError && !e.message.includes('--allow-partial') && !args.includes('--allow-partial')
          ? ' (--allow-partial reads what is there)'
          : '';
      io.err(`arenascope: ${e.message}${hint}\n`);
      return e.exitCode;
    }
    // A bug, not bad input: the stack only on request, to keep the message readable.
    io.err(internalErrorText(e));
    return EXIT.internal;
  }
}

// `run`'s options that take a value (src/cli/capture.ts): the word after one is its value.
const RUN_VALUED = new Set(['-o', '--output', '--interval', '--frames', '--sample-interval']);

/** `run`'s words with a `--` before the program's first word, when none was given. */
function programAfterDashes(args: readonly string[]): string[] {
  if (args.includes('--')) return [...args];
  let i = 1;
  while (i < args.length && args[i]!.startsWith('-') && args[i] !== '-') i += RUN_VALUED.has(args[i]!) ? 2 : 1;
  return i < args.length ? [...args.slice(0, i), '--', ...args.slice(i)] : [...args];
}

/**
 * Parses with yargs and runs the command it names (or prints help, version or a usage error): every
 * command line plainArgs leaves alone. Exported so that tests compare the two on the same parser;
 * `commands` are yargs CommandModules (typed `object` here: the package's types do not need yargs').
 */
export async function parseWithYargs(
  argv: readonly string[],
  commands: readonly object[],
  io: Io,
  status: { code: number },
): Promise<void> {
  // yargs' CommonJS build loads in about half the time of its ES module graph (measured: 22 ms
  // against 45 ms here), which shows in a command that often runs for a fraction of a second.
  const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof YargsFactory;
  // yargs' own --version reads the package.json of the directory it runs in: arenascope's is given.
  const { VERSION } = await import('../version.js');
  let y = yargs([...argv])
    .scriptName('arenascope')
    .usage(
      '$0 <command> [options]\n\n' +
        'Analyze memory captures of Python programs: ' +
        'tracemalloc dumps, mprof runs, memory_profiler reports, allocator stats.',
    );
  for (const c of commands) y = y.command(c as CommandModule);
  await y
    .demandCommand(1, 'Name a command.')
    .strict()
    .recommendCommands()
    .epilogue('Exit codes: 0 ok, 1 gate check failed, 2 usage or input error, 3 internal error.')
    .fail((msg, err) => {
      // The options of the command that failed (yargs has set them up by now), for "did you mean".
      // (getOptions is yargs' own, missing from its types.)
      const options = Object.keys((y as unknown as { getOptions(): { key: object } }).getOptions().key);
      // Words after `--` are named as given, without their mark; they went before the others, so an
      // input too many is said as such, not as the word yargs found last.
      const fixed = (commands as readonly CommandModule[]).find((c) => String(c.command).split(' ')[0] === argv[0]);
      const takes =
        fixed && !String(fixed.command).includes('..') ? (String(fixed.command).match(/<[^>]+>/g) ?? []) : null;
      const late = argv.some((w) => w.startsWith(LITERAL));
      // A choice with no value (`--order` last) is a flag yargs read as `true`: said as usage.ts says it.
      const bare = /Argument: ([\w-]+), Given: true,/.exec(msg ?? '');
      if (bare) throw new UsageError(`--${bare[1]} expects a value, and none follows it`);
      // A list option given last with nothing after it, or as `--include=` (an empty value).
      const none = /^Not enough arguments following: ([\w-]+)$/.exec(msg ?? '');
      if (none) {
        const empty = argv.includes(`--${none[1]}=`);
        throw new UsageError(`--${none[1]} expects a value, ${empty ? "got ''" : 'and none follows it'}`);
      }
      // `gate --baseline b.json caps/`: a list option takes every word after it, the inputs too.
      if (msg?.startsWith('Not enough non-option')) {
        const lists = (y as unknown as { getOptions(): { array: string[] } }).getOptions().array;
        const at = argv.findIndex((w) => lists.includes(w.replace(/^--/, '')) && w.startsWith('--'));
        const taken: string[] = [];
        for (let k = at + 1; at > 0 && k < argv.length && !argv[k]!.startsWith('-'); k++) taken.push(argv[k]!);
        if (taken.length >= 2) {
          throw new UsageError(
            `${argv[at]} took every word after it (${taken.join(' ')}) and left no input: name the inputs first ` +
              `(arenascope ${argv[0]} ${taken.slice(1).join(' ')} ${argv[at]} ${taken[0]})`,
          );
        }
      }
      // `stats --bogus app.pickle`: an option the command does not know took the input for its value.
      if (msg?.startsWith('Not enough non-option')) {
        const known = new Set(options);
        const at = argv.findIndex((w, k) => k > 0 && /^--?[A-Za-z]/.test(w) && !known.has(optionName(w)));
        if (at > 0) {
          const name = argv[at]!;
          const took = !argv[at]!.includes('=') && argv[at + 1] && !argv[at + 1]!.startsWith('-');
          throw new UsageError(
            `${withSuggestions(`Unknown argument: ${optionName(name)}`, options, argv)}` +
              (took ? ` (it took ${argv[at + 1]} for its value, and left no input)` : '') +
              `\nRun 'arenascope --help' or 'arenascope <command> --help'.`,
          );
        }
      }
      // `report --json app.dat`: the deprecated `--json FILE` took the only input for the file to write.
      const j = argv.indexOf('--json');
      if (
        argv[0] === 'report' &&
        msg?.startsWith('Not enough non-option') &&
        j > 0 &&
        argv[j + 1] &&
        !argv[j + 1]!.startsWith('-')
      ) {
        throw new UsageError(
          `report --json ${argv[j + 1]}: --json before an input takes it for the JSON file to write (deprecated); ` +
            `print JSON with the input first (report ${argv[j + 1]} --json) or --format json`,
        );
      }
      const text =
        msg === null
          ? (err?.message ?? msg)
          : late && takes && msg.startsWith('Unknown argument')
            ? `${argv[0]} takes ${takes.join(' ')}: too many inputs (every word after \`--\` is an input)`
            : withSuggestions(msg.replaceAll(LITERAL, ''), options, argv);
      // yargs' own errors (a value missing after an option that requires one) are usage errors too.
      throw err && err.name !== 'YError'
        ? err
        : new UsageError(`${text}\nRun 'arenascope --help' or 'arenascope <command> --help'.`);
    })
    .middleware((a) => {
      checkValues(a, argv, (y as unknown as { getOptions(): DeclaredOptions }).getOptions());
      checkNumbers(a, argv);
      unmarked(a);
    })
    .help()
    .alias('h', 'help')
    .version(VERSION)
    // yargs renders the command's help after starting its handler, in case it fails (we print no
    // help on failure): unwrapped, that costs half as much (~4 ms of ~10 measured).
    .wrap(mayAskHelp(argv) ? Math.min(110, io.columns ?? 100) : null)
    .exitProcess(false)
    .parseAsync([...argv], { io, status }, (_err, _argv, output) => {
      if (output) io.out(`${output}\n`); // --help and --version
    });
}

// An option as yargs keys it: its name without dashes, value or negation (`--no-source` is `source`).
function optionName(word: string): string {
  const name = word.split('=')[0]!.replace(/^-+/, '');
  return name.startsWith('no-') ? name.slice(3) : name;
}
