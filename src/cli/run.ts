// The command line as a function, so tests drive it in-process exactly as a user drives the binary.
// Exit codes: 0 ok, 1 a gate check failed, 2 usage or input error, 3 internal error (a bug).

import { createRequire } from 'node:module';
import type YargsFactory from 'yargs';
import { ArenascopeError, EXIT, UsageError } from '../util/errors.js';
import * as baseline from './baseline.js';
import { type Io, STDIN_ARG } from './command.js';
import * as convert from './convert.js';
import * as diff from './diff.js';
import * as gate from './gate.js';
import * as info from './info.js';
import * as leaks from './leaks.js';
import * as replay from './replay.js';
import * as report from './report.js';
import * as stats from './stats.js';

// yargs' CommonJS build loads in about half the time of its ES module graph (measured: 22 ms
// against 45 ms here), which shows in a command that often runs for a fraction of a second.
const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof YargsFactory;

export async function runCli(args: readonly string[], io: Io): Promise<number> {
  // yargs reads a lone '-' as an empty option; carry stdin through it under a name no path can have.
  const argv = args.map((a) => (a === '-' ? STDIN_ARG : a));
  const status = { code: EXIT.ok as number };
  try {
    await yargs([...argv])
      .scriptName('arenascope')
      .usage(
        '$0 <command> [options]\n\n' +
          'Analyze memory captures of Python programs: ' +
          'tracemalloc dumps, mprof runs, memory_profiler reports, allocator stats.',
      )
      .command(stats)
      .command(diff)
      .command(info)
      .command(convert)
      .command(leaks)
      .command(replay)
      .command(report)
      .command(gate)
      .command(baseline)
      .demandCommand(1, 'Name a command.')
      .strict()
      .recommendCommands()
      .epilogue('Exit codes: 0 ok, 1 gate check failed, 2 usage or input error, 3 internal error.')
      .fail((msg, err) => {
        throw err ?? new UsageError(`${msg}\nRun 'arenascope --help' or 'arenascope <command> --help'.`);
      })
      .help()
      .alias('h', 'help')
      .version()
      .wrap(Math.min(110, io.columns ?? 100))
      .exitProcess(false)
      .parseAsync([...argv], { io, status }, (_err, _argv, output) => {
        if (output) io.out(`${output}\n`); // --help and --version
      });
    return status.code;
  } catch (e) {
    if (e instanceof ArenascopeError) {
      io.err(`arenascope: ${e.message}\n`);
      return e.exitCode;
    }
    // A bug, not bad input: the stack only on request, to keep the message readable.
    const detail = process.env.ARENASCOPE_DEBUG ? (e as Error)?.stack : (e as Error)?.message;
    io.err(
      `arenascope: internal error: ${detail ?? String(e)}\nPlease report this with the command line that caused it.\n`,
    );
    return EXIT.internal;
  }
}
