// Globs as a shell expands them (tinyglobby): '**' across directories, {a,b} alternatives, hidden
// names only when spelled, matches in natural order, patterns that match nothing named.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { naturalCompare, resolveInputs } from '../../src/ingest/resolve-inputs.js';
import { cli } from '../helpers.js';

const A = 'fixtures/dumps/py311-inventory-a.pickle';
const dir = mkdtempSync(join(tmpdir(), 'arenascope-glob-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const f of [
  'run-a/snap-10.pickle',
  'run-a/snap-2.pickle',
  'run-a/snap-1.pickle',
  'run-a/nested/deep/snap-3.pickle',
  'run-b/snap-1.pickle',
  'run-c/snap-1.pickle',
  '.hidden/snap-1.pickle',
]) {
  mkdirSync(join(dir, f, '..'), { recursive: true });
  copyFileSync(A, join(dir, f));
}
writeFileSync(join(dir, 'run-b/notes.txt'), 'not a capture\n');

const names = (paths: string[]): string[] => paths.map((p) => relative(dir, p));

describe('globs', () => {
  it("'**' reaches every depth; hidden directories stay out", () => {
    const r = resolveInputs([join(dir, '**/snap-*.pickle')]);
    expect(names(r.inputs)).toEqual([
      'run-a/nested/deep/snap-3.pickle',
      'run-a/snap-1.pickle',
      'run-a/snap-2.pickle',
      'run-a/snap-10.pickle',
      'run-b/snap-1.pickle',
      'run-c/snap-1.pickle',
    ]);
    expect(r.skipped).toEqual([]);
  });

  it("{a,b} picks alternatives; '*' stays within a directory; other files are skipped by name", () => {
    const r = resolveInputs([join(dir, 'run-{a,b}/*')]);
    expect(names(r.inputs)).toEqual([
      'run-a/snap-1.pickle',
      'run-a/snap-2.pickle',
      'run-a/snap-10.pickle',
      'run-b/snap-1.pickle',
    ]);
    expect(r.skipped).toEqual([`skipping ${join(dir, 'run-b/notes.txt')}: not a capture arenascope reads`]);
  });

  it('a hidden directory when the pattern spells its dot; [seq] classes', () => {
    expect(names(resolveInputs([join(dir, '*/snap-1.pickle')]).inputs)).toEqual([
      'run-a/snap-1.pickle',
      'run-b/snap-1.pickle',
      'run-c/snap-1.pickle',
    ]);
    expect(names(resolveInputs([join(dir, '.hidden/*')]).inputs)).toEqual(['.hidden/snap-1.pickle']);
    expect(names(resolveInputs([join(dir, 'run-[!a]/snap-[0-9].pickle')]).inputs)).toEqual([
      'run-b/snap-1.pickle',
      'run-c/snap-1.pickle',
    ]);
  });

  it('a relative pattern gives paths relative to the working directory', () => {
    const rel = relative(process.cwd(), dir);
    expect(resolveInputs([`${rel}/run-a/snap-?.pickle`]).inputs).toEqual([
      `${rel}/run-a/snap-1.pickle`,
      `${rel}/run-a/snap-2.pickle`,
    ]);
  });

  it('a pattern that matches nothing is named', () => {
    const p = join(dir, 'run-{x,y}/**/*.pickle');
    expect(resolveInputs([p])).toEqual({ inputs: [], skipped: [`no file matches ${p}`], runs: [] });
  });

  it('through the command line: info reads every match', async () => {
    const r = await cli('info', join(dir, '{run-b,run-c}/*'), '--json');
    expect(r.code).toBe(0);
    const infos = JSON.parse(r.out) as { file: string }[];
    expect(infos.map((i) => relative(dir, i.file))).toEqual(['run-b/snap-1.pickle', 'run-c/snap-1.pickle']);
    expect(r.err).toContain('notes.txt: not a capture');
  });
});

describe('natural order', () => {
  it('numbers by value, case after letters, equal numbers shorter first: the same on every machine', () => {
    expect(['snap-10', 'Snap-2', 'snap-1', 'snap-1b'].sort(naturalCompare)).toEqual([
      'snap-1',
      'snap-1b',
      'Snap-2',
      'snap-10',
    ]);
    expect(['snap-02', 'snap-2'].sort(naturalCompare)).toEqual(['snap-2', 'snap-02']);
  });
});
