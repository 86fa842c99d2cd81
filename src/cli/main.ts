#!/usr/bin/env node
// The arenascope command line. Exit codes: 0 ok, 1 a gate check failed, 2 usage or input error,
// 3 internal error (a bug: please report it with the command line).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../ingest/errors.js';
import { UsageError } from './common.js';
import * as diff from './diff.js';
import * as info from './info.js';
import * as stats from './stats.js';

export const EXIT = { ok: 0, gateFailed: 1, usage: 2, internal: 3 } as const;

function fail(message: string, code: number): never {
  process.stderr.write(`arenascope: ${message}\n`);
  process.exit(code);
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok); // e.g. `arenascope stats x | head`
  throw e;
});

try {
  await yargs(hideBin(process.argv))
    .scriptName('arenascope')
    .usage('$0 <command> [options]\n\nAnalyze memory captures of Python programs (tracemalloc dumps).')
    .command(stats)
    .command(diff)
    .command(info)
    .demandCommand(1, 'Name a command.')
    .strict()
    .recommendCommands()
    .epilogue('Exit codes: 0 ok, 1 gate check failed, 2 usage or input error, 3 internal error.')
    .fail((msg, err) => {
      if (err) throw err;
      fail(`${msg}\nRun 'arenascope --help' or 'arenascope <command> --help'.`, EXIT.usage);
    })
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .parseAsync();
} catch (e) {
  if (e instanceof InputError || e instanceof UsageError) fail(e.message, EXIT.usage);
  if (e instanceof RangeError && !/call stack|Invalid array length/.test(e.message)) fail(e.message, EXIT.usage);
  // A bug, not bad input: the stack only on request, to keep the message readable.
  const detail = process.env.ARENASCOPE_DEBUG ? (e as Error)?.stack : (e as Error)?.message;
  fail(`internal error: ${detail ?? String(e)}\nPlease report this with the command line that caused it.`, EXIT.internal);
}
