"""The bootstrap of `arenascope run`: runs a Python program as the plain interpreter would, capturing it.

    python -m arenascope_capture --dir D --mode tracemalloc|allocator --interval S --frames N
        [--index-file F] -- (--script FILE | --module NAME | --code CODE) args...

`arenascope run` starts it with `-c "from arenascope_capture._runner import main; main()"` instead of
`-m`: runpy's frames would sit beneath every allocation of the program (see _execute).

The program sees the sys.argv, sys.path[0] and __main__ module `python FILE|-m NAME|-c CODE args` gives it;
its uncaught exception, SystemExit and KeyboardInterrupt reach the interpreter as they would without us, so
the traceback, the exit status and the death by SIGINT are Python's own. The last capture runs in atexit.
"""

import argparse
import atexit
import builtins
import os
import signal
import sys
import time
import types

# Imported here, before tracing starts: imported while the program ran, its modules' blocks were the
# program's memory (zipfile's lines named as pinning arenas, among a report's top sites).
import zipfile

import arenascope_capture
from arenascope_capture._controller import Controller

PLUGIN = "arenascope_capture.pytest_plugin"


def _parse(argv):
    if "--" not in argv:
        _usage("expected '--' before the program (--script FILE | --module NAME | --code CODE)")
    cut = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m arenascope_capture")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--mode", choices=("tracemalloc", "allocator"), default="tracemalloc")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--index-file", default=None)
    opts = parser.parse_args(argv[:cut])
    rest = argv[cut + 1 :]
    if len(rest) < 2 or rest[0] not in ("--script", "--module", "--code"):
        _usage("expected --script FILE, --module NAME or --code CODE after '--'")
    if opts.interval < 0 or opts.frames < 1:
        _usage("--interval must be >= 0 and --frames >= 1")
    return opts, rest[0], rest[1], rest[2:]


def _usage(message):
    sys.stderr.write("python -m arenascope_capture: %s\n" % message)
    sys.exit(2)


def _main_module(kind, target):
    """A fresh __main__ module, with the attributes the interpreter gives it for -c or a script."""
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    if kind == "--code":
        import importlib.machinery

        main.__loader__ = importlib.machinery.BuiltinImporter
    elif kind == "--script":
        import importlib.machinery

        # 3.9+ makes the script's __file__ (and its code's filename) absolute; 3.8 keeps it as typed.
        filename = os.path.abspath(target) if sys.version_info >= (3, 9) else target
        main.__file__ = filename
        main.__cached__ = None
        main.__loader__ = importlib.machinery.SourceFileLoader("__main__", filename)
    return main


def _prepare(kind, target, args):
    """Sets sys.argv, sys.path[0] and sys.modules['__main__'] as `python` would for the target."""
    # Under -P / PYTHONSAFEPATH (3.11+) or -I the interpreter put nothing in front of sys.path.
    prepended = not (getattr(sys.flags, "safe_path", False) or sys.flags.isolated)
    main = _main_module(kind, target)
    if kind == "--code":
        sys.argv = ["-c"] + args
        if prepended:
            sys.path[0] = ""
    elif kind == "--module":
        sys.argv = ["-m"] + args  # runpy puts the module's file there once it has found it, as python does
        if prepended:
            sys.path[0] = os.getcwd()  # as `python -m`: the working directory, in full
    else:
        sys.argv = [target] + args
        if prepended:
            # Python resolves the script's symbolic links before taking its folder.
            sys.path[0] = os.path.dirname(os.path.realpath(target))
    sys.modules["__main__"] = main
    return main


def _run_target(kind, target, main):
    """Runs the program; the frames after this one are the program's (see _strip)."""
    code = _script_code(kind, target, main)
    if code is not None:  # a script (the usual case first: its exec is early in this frame's code)
        exec(code, main.__dict__)
    elif kind == "--code":
        exec(compile(target, "<string>", "exec", dont_inherit=True), main.__dict__)
    elif kind == "--module":
        import runpy

        runpy._run_module_as_main(target, alter_argv=True)
    else:  # a folder or zip file with __main__.py, or a .pyc: runpy knows them all
        import runpy

        if os.path.isdir(target) or zipfile.is_zipfile(target):
            # As python runs them: the folder or archive in front of sys.path (as typed on 3.8, joined
            # to the working directory from 3.9: a program that changed directory, then read beside
            # its sys.path[0], failed), then its __main__ module, argv[0] as typed.
            if not (getattr(sys.flags, "safe_path", False) or sys.flags.isolated):
                del sys.path[0]
            sys.path.insert(0, target if sys.version_info < (3, 9) else os.path.join(os.getcwd(), target))
            runpy._run_module_as_main("__main__", alter_argv=False)
        else:  # a .pyc: its code, run as python runs it (its folder in front, __file__ in full from 3.9)
            import importlib.machinery
            import importlib.util
            import marshal

            with open(target, "rb") as compiled:
                data = compiled.read()
            if data[:4] != importlib.util.MAGIC_NUMBER:
                raise RuntimeError("Bad magic number in .pyc file")
            try:
                code = marshal.loads(data[16:])
            except (EOFError, ValueError, TypeError):
                code = None
            if not isinstance(code, types.CodeType):
                raise RuntimeError("Bad code object in .pyc file")  # as python says it
            main.__loader__ = importlib.machinery.SourcelessFileLoader("__main__", main.__file__)
            exec(code, main.__dict__)


def _script_code(kind, target, main):
    """The compiled code of a plain source script, else None (-c, -m, a folder, a zip or a .pyc)."""
    if kind != "--script":
        return None
    with open(target, "rb") as source:
        return compile(source.read(), main.__file__, "exec", dont_inherit=True)


def _plain_source(target):
    return os.path.isfile(target) and not _compiled(target) and not zipfile.is_zipfile(target)


def _compiled(target):
    """A .pyc, by its name or, as python tells one, by its magic number (a .pyc renamed)."""
    if target.endswith(".pyc"):
        return True
    import importlib.util

    with open(target, "rb") as f:
        return f.read(4) == importlib.util.MAGIC_NUMBER


def _strip(tb):
    """The traceback from the program's first frame on, as python prints it without the bootstrap."""
    cur = tb
    while cur is not None:
        if cur.tb_frame.f_code is _run_target.__code__:
            return cur.tb_next
        cur = cur.tb_next
    return tb


def _pass_through(exc):
    """Lets the interpreter report `exc` (printed without our frames) when it leaves the bootstrap."""
    hook = sys.excepthook

    def excepthook(kind, value, tb):
        if value is exc:
            # The built-in hook prints value.__traceback__, not its tb argument: strip both.
            tb = _strip(tb)
            value.__traceback__ = tb
        hook(kind, value, tb)

    sys.excepthook = excepthook


def _status(code):
    """The exit status SystemExit(code) gives, as Python computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def _die_with_parent():
    # `arenascope run` killed outright (SIGKILL, an OOM kill) must not leave the program running,
    # traced and writing snapshots, with nothing sampling its RSS: on Linux ask the kernel for a
    # SIGTERM when the parent dies (the handler below takes the last capture and stops).
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        parent = os.getppid()
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # it died before the call
            os.kill(os.getpid(), signal.SIGTERM)
    except Exception:
        pass


def main():
    _execute(*_setup())


def _setup():
    started = time.perf_counter()
    opts, kind, target, args = _parse(sys.argv[1:])
    if kind == "--script" and not os.path.exists(target):
        # As python: nothing runs, nothing is captured.
        sys.stderr.write("%s: can't open file %r: [Errno 2] No such file or directory\n" % (sys.executable, target))
        sys.exit(2)
    index_file = opts.index_file
    if opts.mode == "allocator" and index_file is None:
        candidate = os.path.join(opts.dir, "captures.jsonl")
        index_file = candidate if os.path.exists(candidate) else None
    controller = Controller(opts.dir, opts.mode, opts.interval, opts.frames, index_file, started)
    _die_with_parent()
    main_module = _prepare(kind, target, args)
    # Told before tracing starts: zipfile's check keeps blocks (struct's cache), the program's in a capture.
    if kind == "--script" and not _plain_source(target):
        kind = "--path"
    controller.saved_pytest_plugins = os.environ.get("PYTEST_PLUGINS")
    plugins = controller.saved_pytest_plugins
    os.environ["PYTEST_PLUGINS"] = plugins + "," + PLUGIN if plugins else PLUGIN
    # SIGHUP (a closed terminal, an ssh session dropped, `arenascope run` passing it on) ends the
    # program as SIGTERM does: each takes the last capture first.
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, controller.on_signal)
    arenascope_capture._controller = controller
    # Registered first, so it runs last: after the program's own atexit handlers.
    atexit.register(controller.at_exit)
    controller.start(sys.argv)
    return controller, kind, target, main_module


# The frames beneath the program (main, _execute, _run_target) are kept short, with their calls
# early: tracemalloc works out the line of every frame of each allocation's traceback by reading the
# frame's line table from its start, so a long function beneath a shallow program made every
# allocation of it up to twice as slow.
def _execute(controller, kind, target, main_module):
    try:
        _run_target(kind, target, main_module)
    except SystemExit as exc:
        controller.reason = ("exit", _status(exc.code))
        raise
    except KeyboardInterrupt as exc:
        # Python prints the traceback and then kills itself with SIGINT: no exit status.
        controller.reason = ("interrupted", None)
        _pass_through(exc)
        raise
    except BaseException as exc:
        controller.reason = ("exception", 1)
        _pass_through(exc)
        raise
    controller.reason = ("exit", 0)
