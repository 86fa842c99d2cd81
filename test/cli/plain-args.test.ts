// The command lines runCli parses without yargs (src/cli/plain-args.ts) must reach the handler as
// exactly the argv yargs gives: every command's declared options, in every form a user types them,
// mixed with positionals, stdin, help words, unknown flags, odd values. Where plainArgs answers,
// yargs (the same parser runCli uses, parseWithYargs) must accept the line and give an equal argv.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import { STDIN_ARG } from '../../src/cli/command.js';
import { declaredOptions, plainArgs } from '../../src/cli/plain-args.js';
import { COMMANDS, parseWithYargs } from '../../src/cli/run.js';
import { checkNumbers } from '../../src/cli/usage.js';

const io = { out: () => {}, err: () => {}, columns: 100 };
const status = { code: 0 };

async function viaYargs(mod: CommandModule, line: readonly string[]): Promise<Record<string, unknown> | Error> {
  let seen: Record<string, unknown> | null = null;
  const capture: CommandModule = {
    ...mod,
    handler: (a) => {
      seen = a as Record<string, unknown>;
    },
  };
  try {
    await parseWithYargs(line, [capture], io, status);
  } catch (e) {
    return e as Error;
  }
  return seen ?? new Error('no handler ran (help or version)');
}

const ODD_VALUES = ['-3', '', 'true', 'false', '1e3', '0x10', ' 5', '007', 'a.pickle', 'help', '--help'];
const WORDS = ['a.pickle', 'dir/x.dat', STDIN_ARG, 'b c.pickle', 'help', '12', '-', '--', '--help', '-h', '--bogus'];

/**
 * Tokens a user may type for each option of a command, in every form (--key v, --key=v, -k v,
 * --no-key): `good` with values of the option's type, `odd` with values yargs may read otherwise.
 */
function tokensOf(mod: CommandModule): { good: string[][]; odd: string[][] } {
  const good: string[][] = [];
  const odd: string[][] = [];
  for (const o of declaredOptions(mod)?.recorder.options ?? []) {
    const values = o.choices?.map(String) ?? (o.type === 'number' ? ['5', '0', '12', '1.5'] : ['abc', 'x.json']);
    const flags = [`--${o.key}`, ...o.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
    for (const f of flags) {
      if (o.type === 'boolean') good.push([f], [`--no-${o.key}`]);
      for (const v of values) good.push([f, v], [`${f}=${v}`]);
      if (o.array) good.push([f, ...values]);
      for (const v of ODD_VALUES) odd.push([f, v], [`${f}=${v}`]);
      if (o.type !== 'boolean') odd.push([f], [`--no-${o.key}`]);
    }
  }
  return { good, odd };
}

const plainCommands = COMMANDS.filter((c) => !c.command.startsWith('run '));

describe('plain command lines: the argv yargs gives', () => {
  for (const entry of plainCommands) {
    const name = entry.command.split(' ')[0]!;
    it(`${name}: every line plainArgs takes, yargs takes the same way`, async () => {
      const mod = (await entry.load()) as CommandModule;
      expect(declaredOptions(mod), `${name} declares only plain options`).not.toBeNull();
      const { good, odd } = tokensOf(mod);
      const word = fc.constantFrom(...WORDS.slice(0, 4).map((w) => [w]));
      const anything = fc.oneof(fc.constantFrom(...good, ...odd), fc.constantFrom(...WORDS.map((w) => [w])));
      // Lines of words and well-typed options, and lines of anything at all.
      const lines = fc.oneof(
        fc.array(fc.oneof(word, fc.constantFrom(...good)), { maxLength: 6 }),
        fc.array(anything, { maxLength: 6 }),
      );
      let plain = 0;
      await fc.assert(
        fc.asyncProperty(lines, async (parts) => {
          const line = [name, ...parts.flat()];
          const fast = plainArgs(mod, line, { io, status });
          if (fast === null) return;
          plain++;
          const slow = await viaYargs(mod, line);
          // A value yargs' middleware refuses (checkNumbers: `-n 0x10`), runCli refuses after plainArgs too.
          if (slow instanceof Error && slow.name === 'UsageError') {
            expect(() => checkNumbers(fast, line), line.join(' ')).toThrow(slow.message);
            return;
          }
          expect(slow, line.join(' ')).not.toBeInstanceOf(Error);
          expect(fast, line.join(' ')).toEqual(slow);
        }),
        { numRuns: 1000, seed: 14 },
      );
      // Enough lines taken to compare (the share falls as a command's options grow: convert's 22 of 1,000).
      expect(plain, 'lines parsed without yargs').toBeGreaterThan(15);
    });
  }

  it('the run command (arguments after --) is always yargs', async () => {
    const mod = (await COMMANDS.find((c) => c.command.startsWith('run '))!.load()) as CommandModule;
    expect(plainArgs(mod, ['run', '--', 'python3', 'app.py'], { io, status })).toBeNull();
    expect(plainArgs(mod, ['run', 'python3'], { io, status })).toBeNull();
  });

  // The lines of the benchmark and the README: the path that must be fast is taken.
  const COMMON = [
    ['stats', 'a.pickle'],
    ['stats', 'a.pickle', '-n', '5', '--format', 'json'],
    ['diff', 'a.pickle', 'b.pickle'],
    ['info', 'run.dat'],
    ['leaks', 'a', 'b', 'c', '--no-source'],
    ['replay', 'a.pickle', 'b.pickle'],
    ['report', 'a.pickle', 'b.pickle', 'run.dat', '-o', 'out.html'],
    ['gate', 'new.pickle', '--baseline', 'base.json'],
  ];
  for (const line of COMMON) {
    it(`${line.join(' ')}: without yargs, as yargs reads it`, async () => {
      const mod = (await COMMANDS.find((c) => c.command.split(' ')[0] === line[0])!.load()) as CommandModule;
      const fast = plainArgs(mod, line, { io, status });
      expect(fast).not.toBeNull();
      expect(fast).toEqual(await viaYargs(mod, line));
    });
  }

  it('help, version, unknown options and -- go to yargs', async () => {
    const mod = (await COMMANDS.find((c) => c.command.startsWith('stats '))!.load()) as CommandModule;
    for (const extra of [['--help'], ['-h'], ['help'], ['--version'], ['--limt', '5'], ['--'], ['-n5'], ['-n', '-5']]) {
      expect(plainArgs(mod, ['stats', 'a.pickle', ...extra], { io, status }), extra.join(' ')).toBeNull();
    }
    expect(plainArgs(mod, ['stats'], { io, status }), 'the dump missing').toBeNull();
    expect(plainArgs(mod, ['stats', 'a', 'b'], { io, status }), 'one word too many').toBeNull();
    expect(plainArgs(mod, ['diff', 'a'], { io, status }), 'another command').toBeNull();
  });
});
