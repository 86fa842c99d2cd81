// Every test's temporary files go under one folder made for the run and removed after it: tests make
// hundreds of folders (CLI outputs, run folders, CPython's own tempfiles) and need not clean each one.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'arenascope-tests-'));
  // Open to other users as /tmp is: a test runs the CLI as nobody (a capture it cannot read).
  chmodSync(root, 0o755);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
