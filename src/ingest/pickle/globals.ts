// What the snapshot reader says of a global other than tracemalloc's: a refusal when the global could
// run code or reach the system, else (ForeignSkimmer) the name of the library the pickle comes from.
// The list shapes the message, not the safety: no global is ever resolved.

import { excerpt } from '../../util/excerpt.js';

const HOSTILE_MODULES = new Set(
  (
    'os posix nt subprocess sys builtins __builtin__ shutil socket importlib runpy code codeop pty ctypes ' +
    'pickle _pickle marshal types operator functools webbrowser platform commands popen2 multiprocessing ' +
    'asyncio signal io _io tempfile pathlib glob threading _thread gc inspect copyreg copy_reg pdb timeit ' +
    'shelve dbm sqlite3 urllib http ftplib smtplib telnetlib xmlrpc zipimport pkgutil site distutils'
  ).split(' '),
);
const HOSTILE_NAMES = new Set(
  'eval exec compile execfile __import__ system popen spawnl spawnv getattr setattr delattr open apply'.split(' '),
);

export function isHostile(module: string, name: string): boolean {
  return HOSTILE_MODULES.has(module.split('.')[0]!) || HOSTILE_NAMES.has(name.split('.').pop()!);
}

/** A global's name as messages show it: module and name from the input, cut to a short excerpt. */
export const globalName = (module: string, name: string): string => excerpt(`${module}.${name}`, 80);

/** The reader's refusal of a global, word for word wherever it is met. */
export function refusedGlobal(module: string, name: string): string {
  return (
    `refusing the global ${globalName(module, name)}: ` +
    'a tracemalloc dump may only name tracemalloc.Snapshot and tracemalloc._Traces'
  );
}
