"""The check a team would otherwise script with tracemalloc (the reference for bench/gate.mjs):
load the baseline and current dumps, compare them by line, fail on total growth above 10% or any
line growing more than 1 MiB.

    python3 bench/gate_reference.py BASELINE.pickle CURRENT.pickle
"""
import sys
import tracemalloc

old = tracemalloc.Snapshot.load(sys.argv[1])
new = tracemalloc.Snapshot.load(sys.argv[2])
diffs = new.compare_to(old, "lineno")
before = sum(d.size - d.size_diff for d in diffs)
after = sum(d.size for d in diffs)
worst = max((d.size_diff for d in diffs), default=0)
failed = after - before > before * 0.10 or worst > 1024 * 1024
print("gate", "failed" if failed else "passed", after - before, worst)
sys.exit(1 if failed else 0)
