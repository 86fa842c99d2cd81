"""Capture tracemalloc snapshots of a Python script (or module) for arenascope.

    python3 examples/capture_memory.py OUTDIR path/to/script.py [ARGS...]
    python3 examples/capture_memory.py OUTDIR -m package.module [ARGS...]

Starts tracemalloc (10 frames per traceback), takes snapshot 1 at once, runs the target as
__main__ (runpy), takes snapshot 2, runs it a second time, takes snapshot 3, and writes
OUTDIR/snap-1.pickle .. snap-3.pickle (Snapshot.dump()) with snap-N.pickle.time sidecars holding
time.time() at each snapshot. Memory that is still traced at snapshot 3 but not at snapshot 2
survived a whole extra run of the target: a likely leak (see `arenascope diff`).

A SystemExit raised by the target ends that pass quietly; if any pass exited non-zero, the
snapshots are still written and this script exits with that status.
"""
import os
import runpy
import sys
import time
import tracemalloc

NFRAMES = 10


def run_target(target, args, module):
    saved = sys.argv[:]
    sys.argv = [target] + args
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
        return 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved


def main(argv):
    if len(argv) < 2 or (argv[1] == "-m" and len(argv) < 3):
        sys.exit(__doc__.strip().split("\n\n")[1])
    outdir = argv[0]
    module = argv[1] == "-m"
    target, args = (argv[2], argv[3:]) if module else (argv[1], argv[2:])
    if module and "" not in sys.path:
        sys.path.insert(0, "")              # like `python -m`: modules under the current directory
    elif not module:
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))   # like `python script.py`
    os.makedirs(outdir, exist_ok=True)

    snaps, status = [], 0
    tracemalloc.start(NFRAMES)
    snaps.append((time.time(), tracemalloc.take_snapshot()))
    for _ in range(2):
        status = run_target(target, args, module) or status
        snaps.append((time.time(), tracemalloc.take_snapshot()))
    tracemalloc.stop()

    for n, (t, snap) in enumerate(snaps, 1):
        path = os.path.join(outdir, "snap-%d.pickle" % n)
        snap.dump(path)
        with open(path + ".time", "w") as f:
            f.write("%.6f\n" % t)
        total = sum(trace.size for trace in snap.traces)
        print("%s: %d traces, %d bytes traced" % (path, len(snap.traces), total), file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
