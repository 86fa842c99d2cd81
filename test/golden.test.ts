// arenascope's stats and diff output, line for line against what CPython's own tracemalloc printed
// for the same dumps (fixtures/generate.py ran CPython 3.7, 3.8, 3.11 and 3.13 to make them).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

interface Case {
  command: 'stats' | 'diff';
  files: string[];
  args: string[];
  output: string;
}

const files = readdirSync('fixtures/expected').filter((f) => /^py\d+\.json$/.test(f));

describe.each(files)('%s', (file) => {
  const { python, cases } = JSON.parse(readFileSync(`fixtures/expected/${file}`, 'utf8')) as {
    python: string;
    cases: Case[];
  };
  it(`has cases from CPython ${python}`, () => expect(cases.length).toBeGreaterThan(100));
  it.each(cases.map((c) => [`${c.command} ${c.files.join(' ')} ${c.args.join(' ')}`, c] as const))(
    '%s',
    async (_, c) => {
      const r = await cli(c.command, ...c.files, ...c.args, '--no-source');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toBe(c.output);
    },
  );
});
