// Writes the top-level `arenascope --help` text, as yargs renders it, to dist/cli/help-<width>.txt
// for the widths a terminal usually gives (100 when not a terminal, 110 on a wide one). `--help`
// alone then prints the file instead of loading yargs (~40 ms of a ~100 ms budget; issue 14).
// run.ts falls back to yargs for any other width or a non-English locale, and when the file is missing.
import { writeFileSync } from 'node:fs';
import { HELP_WIDTHS, runCli } from '../dist/cli/run.js';

for (const env of ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE']) delete process.env[env];
for (const width of HELP_WIDTHS) {
  let text = '';
  const code = await runCli(['--help'], {
    out: (s) => (text += s),
    err: () => undefined,
    columns: width,
    cachedHelp: false,
  });
  if (code !== 0 || !text.includes('Commands:')) throw new Error(`--help at width ${width} failed`);
  writeFileSync(new URL(`../dist/cli/help-${width}.txt`, import.meta.url), text);
}
