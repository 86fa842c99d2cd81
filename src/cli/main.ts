#!/usr/bin/env node
import { fstatSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { withoutCiCommands } from '../util/ci-commands.js';
import { encodeText, forTerminal } from '../util/text.js';
import { runCli } from './run.js';

// The first output that could not be written (a full disk): the command then fails, saying so.
let lost: NodeJS.ErrnoException | null = null;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0); // e.g. `arenascope stats x | head`, `... 2>&1 | head`
    lost ??= e;
  });
}

let optimising = true;

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
    if (on !== optimising) setFlagsFromString(on ? '--opt' : '--no-opt');
    optimising = on;
  },
}).then((code) => {
  process.exitCode = code;
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
      } else process.exit(code);
    }),
  );
});
