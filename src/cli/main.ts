#!/usr/bin/env node
import { fstatSync } from 'node:fs';
import { withoutCiCommands } from '../util/ci-commands.js';
import { EXIT, internalErrorText } from '../util/errors.js';
import { encodeText, forTerminal } from '../util/text.js';
import { setV8Flag } from '../util/v8-flags.js';
import { runCli } from './run.js';

// The first output that could not be written (a full disk): the command then fails, saying so.
let lost: NodeJS.ErrnoException | null = null;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0); // e.g. `arenascope stats x | head`, `... 2>&1 | head`
    lost ??= e;
  });
}

// An error no command caught (thrown from a callback, a promise nobody awaited) is a bug: it exits 3
// as runCli's internal errors do, never Node's 1, which CI reads as a failed gate.
let crashed = false;
const crash = (e: unknown): void => {
  crashed = true;
  process.exitCode = EXIT.internal;
  process.stderr.write(internalErrorText(e), () => process.exit(EXIT.internal));
  setTimeout(() => process.exit(EXIT.internal), 100).unref();
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

let optimising = true;

// V8 doubles its young generation in bursts of allocation, up to semi-spaces of 8 MiB (16 MiB in
// all). The objects the commands make between their typed arrays die young, and keeping the young
// generation at its first size collects them as well: replay of two 1M-block dumps peaked at 88 MiB
// with growth, 74 without, and took 7% less time (each new page is faulted in: ~4.5 ms a MiB on the
// VM of BENCHMARKS.md). A reader that makes an object per value lets it grow (growYoungGeneration):
// stats of a 1M-block arenascope JSON took 16% longer without growth.
setV8Flag('young', '--semi-space-growth-factor=1');

function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

// No top-level await: the command line is bundled as CommonJS (scripts/build-bundle.mjs).
runCli(process.argv.slice(2), {
  // File names that were not UTF-8 go out as their own bytes, as Python prints them; on a terminal,
  // what a name could make it do is shown escaped.
  out: (s) => process.stdout.write(encodeText(process.stdout.isTTY ? forTerminal(s) : s)),
  // A CI runner reads commands on stderr too: none is ever printed there (see withoutCiCommands).
  err: (s) => process.stderr.write(encodeText(process.stderr.isTTY ? forTerminal(s) : withoutCiCommands(s))),
  columns: process.stdout.columns,
  outIsFile: stdoutIsFile(),
  progress: process.stderr.isTTY
    ? (text) => process.stderr.write(text === null ? '\r\x1b[K' : `\r\x1b[K${text}`)
    : undefined,
  optimise: (on) => {
    if (on !== optimising) setV8Flag('opt', on ? '--opt' : '--no-opt');
    optimising = on;
  },
  growYoungGeneration: () => setV8Flag('young', '--semi-space-growth-factor=2'),
}).then((code) => {
  if (!crashed) process.exitCode = code;
  // Exit once the output is out, not after the runtime has drained its tasks: that teardown costs
  // ~10 ms, and on a loaded machine V8 can deadlock in it (a background compile waiting for a
  // collection the exiting main thread never makes: 2 runs of replay in 25 hung for ever).
  // The error that ended a stream may not have been emitted yet: it is held by the stream, or given
  // to the next write's callback.
  const failed = (e?: Error | null): void => {
    lost ??= (e ?? process.stdout.errored ?? process.stderr.errored) as NodeJS.ErrnoException | null;
  };
  failed();
  process.stdout.write('', (e) =>
    process.stderr.write('', () => {
      failed(e);
      if (lost?.code === 'EPIPE') process.exit(0); // the reader left: `... | head`
      if (lost) {
        // stderr may be what failed: this line is a last try.
        process.stderr.write(`arenascope: cannot write the output: ${lost.message}\n`, () => process.exit(2));
        setTimeout(() => process.exit(2), 100).unref();
      } else process.exit(crashed ? EXIT.internal : code);
    }),
  );
});
