// The watchdog of one test process (hang-guard.ts starts it): `node hang-watchdog.mjs PID HEARTBEAT LIMIT_S`.
// Ends when the process does. When the heartbeat file has not changed for LIMIT_S seconds (the process made
// no progress: its event loop is blocked), prints the test it was in, the state of each of its threads
// and its children, then kills them and it, so that vitest fails that file and goes on.
import { readdirSync, readFileSync, statSync } from 'node:fs';

const [pid, beat, limit] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];

const alive = (p) => {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
};
const read = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '?';
  }
};
// The process's descendants, from /proc (Linux); [] elsewhere.
function descendants(root) {
  let stats = [];
  try {
    stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => read(`/proc/${d}/stat`).match(/^(\d+) \(.*\) \S (\d+)/))
      .filter(Boolean)
      .map((m) => [Number(m[1]), Number(m[2])]);
  } catch {}
  const found = [];
  const walk = (p) => {
    for (const [child, parent] of stats) {
      if (parent !== p || child === process.pid) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

function report() {
  const lines = [`hang guard: test process ${pid} made no progress for ${limit} s, in: ${read(beat)}`];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const stat = read(`/proc/${pid}/task/${t}/stat`).replace(/^\d+ /, '');
      lines.push(`  thread ${t}: ${stat.slice(0, 40)} wchan ${read(`/proc/${pid}/task/${t}/wchan`)}`);
    }
  } catch {}
  const children = descendants(pid);
  for (const c of children) lines.push(`  child ${c}: ${read(`/proc/${c}/cmdline`).replaceAll('\0', ' ')}`);
  lines.push('  killing it: vitest fails this file and goes on');
  process.stderr.write(`${lines.join('\n')}\n`);
  for (const c of [...children, pid]) {
    try {
      process.kill(c, 'SIGKILL');
    } catch {}
  }
}

// Progress is the heartbeat file changing, timed by this process's monotonic clock: a wall clock stepped
// forward (NTP, a resumed VM) must not read as a stall.
let seen = -1;
let changed = performance.now();
const timer = setInterval(() => {
  if (!alive(pid)) return clearInterval(timer);
  let mtime;
  try {
    mtime = statSync(beat).mtimeMs;
  } catch {
    return clearInterval(timer); // the run's temporary folder is gone: the run is over
  }
  if (mtime !== seen) {
    seen = mtime;
    changed = performance.now();
  } else if ((performance.now() - changed) / 1000 > limit) {
    report();
    clearInterval(timer);
  }
}, 2_000);
