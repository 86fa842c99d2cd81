"""Runs a command once and prints its wall time and peak RSS as JSON (bench/lib.mjs runs every
benchmark through it).

    python3 bench/measure.py CMD [ARGS...]
"""
import json
import resource
import subprocess
import sys
import time

start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "rssMiB": rss_kib / 1024, "code": done.returncode}))
