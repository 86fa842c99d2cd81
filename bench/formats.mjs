// npm run bench (second part): the JSON importer. The arenascope JSON form of a 1,000,000-block
// snapshot (random sizes, so the traces array really holds ~730,000 groups): `arenascope info` on it
// against the same snapshot as a pickle, and how much of the JSON time is stream-json's tokenizer
// alone. (The mprof reader and replay are rows of bench/targets.mjs.)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { jsonParser } from 'stream-json/core/parser.js';
import { alternate, CLI, input, OUT, RUNS, row } from './lib.mjs';

const dump = input('1000000-random.pickle', ['bench/make_dump.py', '1000000', '--seed', '1', '--random-sizes']);
const json = `${OUT}/1000000-random.json`;
if (!existsSync(json)) execFileSync(CLI[0], [...CLI.slice(1), 'convert', dump, '--to', 'json', '-o', json]);
const groups = execFileSync(CLI[0], [...CLI.slice(1), 'info', dump, '--json'], { encoding: 'utf8' }).match(
  /"groups": (\d+)/,
)[1];
const MiB = (f) => (statSync(f).size / 2 ** 20).toFixed(1);

console.log(`\n${RUNS} alternating runs each; median wall time, largest peak RSS\n`);
console.log('| case | arenascope s | arenascope RSS MiB |');
console.log('|---|---:|---:|');
const [fromJson, fromPickle] = alternate([...CLI, 'info', json], [...CLI, 'info', dump]);
row([
  `JSON snapshot of ${groups} groups (${MiB(json)} MiB): info`,
  fromJson.seconds.toFixed(3),
  fromJson.rssMiB.toFixed(1),
]);
row([
  `the same snapshot as a pickle (${MiB(dump)} MiB): info`,
  fromPickle.seconds.toFixed(3),
  fromPickle.rssMiB.toFixed(1),
]);

// The tokenizer alone on the JSON, in this process: what stream-json costs before arenascope
// does anything with the tokens.
const text = readFileSync(json, 'utf8');
const t0 = performance.now();
const parse = jsonParser({ packValues: true, streamValues: false });
for (let i = 0; i < text.length; i += 1 << 18) parse(text.slice(i, i + (1 << 18)));
const ms = performance.now() - t0;
const size = text.length / 2 ** 20;
console.log(
  `\nstream-json tokenizer alone on the ${size.toFixed(1)} MiB JSON: ${ms.toFixed(0)} ms ` +
    `(${(size / (ms / 1000)).toFixed(1)} MiB/s)`,
);
