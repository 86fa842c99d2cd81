"""Writes an mprof .dat of N samples for the benchmark (never committed), with the line formats of
memory_profiler 0.61 (mprof.py run_action / memory_usage): "MEM {:.6f} {:.4f}".

    python3 bench/make_dat.py SAMPLES OUT
"""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(3)
t, mem = 1795300000.0, 20.0
with open(out, "w") as f:
    f.write("CMDLINE python3 service.py --workers 4\n")
    for i in range(n):
        mem = max(5.0, mem + rng.gauss(0.001, 0.5))
        t += 0.1
        f.write("MEM {0:.6f} {1:.4f}\n".format(mem, t))
