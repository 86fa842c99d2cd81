// The folder a command runs in, as the captures may name it: the kernel's path (process.cwd(), every
// symbolic link resolved) and the shell's ($PWD) where that is a symbolic link's path to the same
// folder. A checkout reached through a link (/ci/link -> /ci/real) and a program run as
// `python3 $PWD/app.py` names its lines under the link: keyed by the kernel's path alone, every line
// of the program read as "not in the baseline", and its annotations pointed at absolute paths.

import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { withSourceText } from '../analysis/gate.js';
import type { ReportData } from '../analysis/report-data.js';
import { sourceFiles } from '../report/linecache.js';

export interface WorkingDirectory {
  readonly root: string;
  /** The same folder as a symbolic link names it ($PWD), when it does. */
  readonly rootAliases: readonly string[];
}

export function workingDirectory(): WorkingDirectory {
  const root = process.cwd();
  const pwd = process.env.PWD;
  if (!pwd || !isAbsolute(pwd) || pwd === root) return { root, rootAliases: [] };
  try {
    const [a, b] = [statSync(pwd), statSync(root)];
    return { root, rootAliases: a.dev === b.dev && a.ino === b.ino ? [pwd.replace(/\/+$/, '')] : [] };
  } catch {
    return { root, rootAliases: [] };
  }
}

/** A path with every symbolic link resolved, as far as it exists (a file gone from the checkout keeps its name). */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}

/**
 * The repository a folder is in: the nearest folder holding `.git` (a worktree's is a file), from it
 * up; null outside one.
 */
export function repositoryRoot(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/**
 * The report's lines of the checkout's own files with their source text, read from the checkout
 * (relative names from the runs' working directories too; the whole repository the command ran in,
 * not its folder alone: from a subfolder, a line moved in the folder above was compared by its number,
 * and a table grown 250 KiB passed): the site check finds moved lines by it.
 */
export function withCheckoutSource(d: ReportData): ReportData {
  const runs = (d.runs ?? []).flatMap((r) => (r.cwd ? [r.cwd] : []));
  // The repository as the kernel names it and as a link to it does ($PWD: /ci/link/sub).
  const repositories = [...(d.root ? [d.root] : []), ...(d.rootAliases ?? [])].flatMap((r) => repositoryRoot(r) ?? []);
  const roots = [...(d.root ? [d.root] : []), ...(d.rootAliases ?? []), ...runs, ...repositories];
  const { lookup, copies } = sourceFiles(runs);
  return withSourceText(d, lookup, roots, copies);
}
