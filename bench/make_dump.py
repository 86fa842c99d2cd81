"""Writes a large tracemalloc dump for the benchmark (never committed).

    python3 bench/make_dump.py BLOCKS OUT [--seed N] [--tracebacks N] [--depth N] [--random-sizes]

The snapshot is built with tracemalloc.Snapshot and written by Snapshot.dump(), so the bytes are
CPython's own pickle of a snapshot. As in _tracemalloc._get_traces(), traces that share a
traceback share one tuple object, and file names are shared strings. Sizes follow a mix typical of
Python programs: mostly small objects, some buffers above pymalloc's 512-byte threshold.
"""
import argparse
import random
import tracemalloc

p = argparse.ArgumentParser()
p.add_argument("blocks", type=int)
p.add_argument("out")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--tracebacks", type=int, default=300)
p.add_argument("--depth", type=int, default=10)
p.add_argument("--random-sizes", action="store_true", help="sizes uniform in 1..100000 (many groups)")
a = p.parse_args()

rng = random.Random(a.seed)
files = ["/srv/app/service_%d/module_%d.py" % (i % 7, i) for i in range(60)]
files += ["/usr/lib/python3.11/json/decoder.py", "/usr/lib/python3.11/collections/__init__.py"]
tracebacks = []
for _ in range(a.tracebacks):
    frames = tuple((rng.choice(files), rng.randint(1, 900)) for _ in range(a.depth))
    tracebacks.append((frames, a.depth + rng.randint(0, 20)))
weights = [rng.paretovariate(1.2) for _ in tracebacks]
SIZES = [16, 24, 32, 48, 56, 64, 72, 96, 120, 184, 232, 256, 376, 512, 1040, 4096, 65536]
size_weights = [30, 20, 40, 25, 15, 30, 10, 12, 8, 6, 5, 4, 3, 2, 1.5, 0.6, 0.05]
picks = rng.choices(range(len(tracebacks)), weights, k=a.blocks)
if a.random_sizes:
    sizes = [rng.randint(1, 100000) for _ in range(a.blocks)]
else:
    sizes = rng.choices(SIZES, size_weights, k=a.blocks)
traces = [(0, size, tracebacks[i][0], tracebacks[i][1]) for i, size in zip(picks, sizes)]
tracemalloc.Snapshot(traces, a.depth).dump(a.out)
