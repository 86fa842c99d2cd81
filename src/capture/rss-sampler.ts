// The RSS of a running program, sampled into memory.dat in `mprof run`'s line formats (FORMATS.md 2.1),
// so that `mprof plot` and arenascope's mprof reader read it: CMDLINE once, MEM per sample and, with
// children, one CHLD line per child, MEM the program alone (as `mprof run -M` writes them: the file
// means the same to every reader, in its folder or not). Linux reads /proc; macOS asks ps.

import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';

/** RSS in KiB of each process, and each process's parent. */
interface ProcessTable {
  readonly rssKiB: ReadonlyMap<number, number>;
  readonly parent: ReadonlyMap<number, number>;
}

/**
 * mprof's CMDLINE: the words joined by spaces, a word holding a space or tab in single quotes. It is one line:
 * a line break (`python3 -c` with code of several lines) becomes a space, or the readers stop at the next line.
 */
export function mprofCmdline(words: readonly string[]): string {
  return words
    .map((w) => (/[ \t\r\n]/.test(w) ? `'${w}'` : w))
    .join(' ')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

/** A time as time.time() prints in mprof's `{:.4f}`. */
const seconds = (ms: number): string => (ms / 1000).toFixed(4);
const mib = (kib: number): string => (kib / 1024).toFixed(6);

/** VmRSS of /proc/PID/status in KiB, or null when the process is gone (or a zombie, which has none). */
function linuxRss(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Every process's parent, from /proc/*\/stat (the name in parentheses may hold spaces and ')'). */
function linuxParents(): Map<number, number> {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return parent;
}

/** Whether a process has a child now: /proc/PID/task/TID/children of each of its threads. */
function linuxHasChild(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim() !== '';
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

function linuxTable(root: number, children: boolean): ProcessTable {
  const rssKiB = new Map<number, number>();
  const parent = children ? linuxParents() : new Map<number, number>();
  for (const pid of children ? descendants(root, parent, true) : [root]) {
    const rss = linuxRss(pid);
    if (rss !== null) rssKiB.set(pid, rss);
  }
  return { rssKiB, parent };
}

/** `ps -A -o pid=,ppid=,rss=` (RSS in KiB), as macOS has no /proc. */
function psTable(): Promise<ProcessTable> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' }, (error, stdout) => {
      const rssKiB = new Map<number, number>();
      const parent = new Map<number, number>();
      if (!error) {
        for (const line of stdout.split('\n')) {
          const [pid, ppid, rss] = line.trim().split(/\s+/).map(Number);
          if (pid === undefined || ppid === undefined || rss === undefined || Number.isNaN(rss)) continue;
          rssKiB.set(pid, rss);
          parent.set(pid, ppid);
        }
      }
      resolve({ rssKiB, parent });
    });
  });
}

/** The root's descendants (recursively, in pid order), with the root first when asked. */
function descendants(root: number, parent: ReadonlyMap<number, number>, withRoot = false): number[] {
  const kids = new Map<number, number[]>();
  for (const [pid, ppid] of parent) {
    if (pid !== ppid) kids.set(ppid, [...(kids.get(ppid) ?? []), pid]);
  }
  const out: number[] = withRoot ? [root] : [];
  const seen = new Set([root]);
  const walk = (pid: number): void => {
    for (const k of (kids.get(pid) ?? []).sort((a, b) => a - b)) {
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(k);
      walk(k);
    }
  };
  walk(root);
  return out;
}

export interface SamplerOptions {
  /** memory.dat's path; created (appending, as mprof opens it). */
  readonly file: string;
  /** The command line written as CMDLINE. */
  readonly command: readonly string[];
  readonly intervalSeconds: number;
  readonly includeChildren: boolean;
  /**
   * Whether the program has started (the bootstrap's start event): a launcher's own processes before
   * it (pyenv's shim runs `pyenv version-name` and others, then execs the interpreter) are not the
   * program's children. Without it, every child counts.
   */
  readonly started?: () => boolean;
}

/** Samples a process until stopped; each sample is written when taken, so a killed parent leaves them. */
export class RssSampler {
  private readonly fd: number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  /** The largest MEM written, in KiB (0 before any). */
  peakKiB = 0;
  samples = 0;
  /** Without includeChildren: a child process was seen at a sample, its memory not measured. */
  childrenSeen = false;

  constructor(
    private readonly pid: number,
    private readonly options: SamplerOptions,
  ) {
    this.fd = openSync(options.file, 'a');
    writeSync(this.fd, `CMDLINE ${mprofCmdline(options.command)}\n`);
  }

  private startedSeen = false;

  private isStarted(): boolean {
    if (!this.startedSeen) this.startedSeen = this.options.started?.() ?? true;
    return this.startedSeen;
  }

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), Math.max(1, this.options.intervalSeconds * 1000));
  }

  /** One sample now: MEM of the process, then CHLD per child. */
  async sample(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const children = this.options.includeChildren;
      const table = process.platform === 'linux' ? linuxTable(this.pid, children) : await psTable();
      if (this.stopped) return;
      const own = table.rssKiB.get(this.pid);
      if (own === undefined) return;
      const program = this.isStarted();
      const kids = children && program ? descendants(this.pid, table.parent).filter((p) => table.rssKiB.has(p)) : [];
      const total = kids.reduce((sum, p) => sum + table.rssKiB.get(p)!, own);
      let text = `MEM ${mib(own)} ${seconds(Date.now())}\n`;
      for (const p of kids) text += `CHLD ${p} ${mib(table.rssKiB.get(p)!)} ${seconds(Date.now())}\n`;
      writeSync(this.fd, text);
      this.peakKiB = Math.max(this.peakKiB, total);
      if (!children && !this.childrenSeen && program) {
        this.childrenSeen =
          process.platform === 'linux' ? linuxHasChild(this.pid) : [...table.parent.values()].includes(this.pid);
      }
      this.samples++;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    closeSync(this.fd);
  }
}
