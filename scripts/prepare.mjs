// npm's `prepare`: runs `npm run build` unless dist/ is already built from the sources as they are.
// npm runs `prepare` on `npm ci` and `npm install` in the checkout, and also when `npx arenascope`, run in
// the checkout with a fresh npm cache (a new machine's first), links the checkout into npx's cache. A
// build there removed dist/bin/ for seconds under whatever was running the command meanwhile: the test
// files beside the one that ran examples/memory-gate.sh failed with "Cannot find module
// dist/bin/arenascope.cjs" (CI, twice). `node scripts/prepare.mjs --check` only says whether a build is due
// (exit 0: up to date, 1: due).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the build reads: the sources, the build's scripts, the schemas, and the installed packages' versions. */
const INPUTS = ['src', 'scripts', 'schema', 'tsconfig.json', 'package.json', 'package-lock.json'];
/** What the build writes last (scripts/build-bundle.mjs), and what it writes first (tsc). */
const LAST = join(ROOT, 'dist', 'bin', 'arenascope.cjs');
const FIRST = join(ROOT, 'dist', 'index.js');

/** The latest modification time of `path` and of every file under it; 0 when it is missing. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let latest = s.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

/** Why a build is due, or null when dist/ was built after every input last changed. */
function due() {
  if (!existsSync(LAST) || !existsSync(FIRST)) return 'dist/ is not built';
  const built = Math.min(statSync(LAST).mtimeMs, statSync(FIRST).mtimeMs);
  const changed = Math.max(...INPUTS.map((p) => newest(join(ROOT, p))));
  return changed > built ? 'the sources changed since dist/ was built' : null;
}

const why = due();
if (process.argv.includes('--check')) {
  console.log(why ?? 'dist/ is up to date');
  process.exit(why ? 1 : 0);
}
if (why === null) {
  console.error('prepare: dist/ is up to date with its sources (`npm run build` rebuilds it anyway)');
} else {
  console.error(`prepare: ${why}: npm run build`);
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
