// A fuzz case: a seed of a target, the mutations applied to it (to its content, and to gzip's own
// bytes for gzip targets), the command it is run through and the options; and what building it
// produces: the bytes, the command line, and whether a cut of it must show.

import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { gzipArb, type Mutation, mutate, mutationArb } from './mutate.js';
import type { CutRule, Seed, Target } from './seeds.js';

export interface Case {
  readonly seed: number;
  readonly mutations: readonly Mutation[];
  /** gzip targets: mutations of the compressed bytes. */
  readonly gz: readonly Mutation[];
  readonly command: number;
  readonly flags: readonly string[];
}

export interface Built {
  readonly seed: Seed;
  readonly data: Buffer;
  readonly args: string[];
  /** The input is a cut of its seed that the importer must report (an error or a warning). */
  readonly cutMustShow: boolean;
  /** The input still holds the call of a hostile pickle: it must stay refused. */
  readonly hostile: boolean;
}

const FLAGS = ['--allow-partial', '--lenient', '--json'];

export function caseArb(t: Target, maxMutations = 3): fc.Arbitrary<Case> {
  return fc.record({
    seed: fc.nat(t.seeds.length - 1),
    mutations: fc.array(mutationArb(t.kind), { minLength: t.gzip ? 0 : 1, maxLength: maxMutations }),
    gz: t.gzip ? fc.array(gzipArb(), { minLength: 0, maxLength: 2 }) : fc.constant([]),
    command: fc.nat(t.commands.length - 1),
    flags: fc.subarray(FLAGS),
  });
}

const blank = (b: Buffer): boolean => /^[ \t\r\n\f\v]*$/.test(b.toString('latin1'));

// A row of a memory_profiler report up to the end of its figures.
const ROW_FIGURES = /^(\s*\d+ +)(-?\d+(?:\.\d*)? (?:MiB|MB)(?: +-?\d+(?:\.\d*)? (?:MiB|MB))*)/;

/** Whether cutting `full` to its first `cut` bytes must be reported, by the seed's rule. */
export function cutMustShow(full: Buffer, cut: number, rule: CutRule): boolean {
  if (cut >= full.length || blank(full.subarray(cut))) return false;
  if (rule === 'whole') return true;
  if (rule === 'allocator') return !/\nTotal +=[ \d,]+\n[ \t\r\n]*$/.test(full.toString('latin1', 0, cut));
  if (rule === 'none' || cut === 0 || full[cut - 1] === 0x0a) return false;
  if (rule === 'mid-line') return true;
  const start = full.lastIndexOf(0x0a, cut - 1) + 1;
  const end = full.indexOf(0x0a, cut);
  const line = full.toString('latin1', start, end < 0 ? full.length : end);
  const head = line.slice(0, cut - start);
  const m = ROW_FIGURES.exec(line);
  // Inside the figures (a number or a unit cut), not just after a whole one: that reads as a row.
  return !!m && head.length > m[1]!.length && head.length < m[0].length && !/(MiB|MB)\s*$/.test(head);
}

const isPrefix = (of: Buffer, b: Buffer): boolean => b.length < of.length && of.subarray(0, b.length).equals(b);

/** The bytes and command line of a case; `path` is where the input will be written. */
export function build(t: Target, c: Case, path: string): Built {
  const seed = t.seeds[c.seed % t.seeds.length]!;
  const others = t.seeds.map((s) => s.data);
  const content0 = t.gzip ? gunzipSync(seed.data) : seed.data;
  let content = content0;
  for (const m of c.mutations) content = mutate(content, m, t.gzip ? others.map((o) => gunzipSync(o)) : others);
  let must = isPrefix(content0, content) && cutMustShow(content0, content.length, seed.cut);
  let data = content;
  if (t.gzip) {
    const packed = c.mutations.length ? gzipSync(content) : seed.data;
    data = packed;
    for (const m of c.gz) data = mutate(data, m, others);
    // gzip always finishes its member (the CRC and length close it): any cut of it must show.
    if (isPrefix(packed, data)) must = true;
    else if (data !== packed) must = false;
  }
  const command = t.commands[c.command % t.commands.length]!(path, seed);
  // convert has no --json: it writes JSON when asked with --to.
  const args = [...command, ...c.flags.filter((f) => command[0] !== 'convert' || f !== '--json')];
  const hostile = !!seed.hostile && data.includes(seed.hostile.marker);
  return { seed, data, args, cutMustShow: must, hostile };
}

/** What a saved input of a seed must show, judged again from its bytes alone (for --replay). */
export function expectOf(t: Target, seed: Seed, data: Buffer): { cutMustShow: boolean; hostile: boolean } {
  const cut = isPrefix(seed.data, data) && (t.gzip || cutMustShow(seed.data, data.length, seed.cut));
  return { cutMustShow: cut, hostile: !!seed.hostile && data.includes(seed.hostile.marker) };
}
