"""The program of bench/capture.mjs: a small service's work for a few seconds under `arenascope run`.

Requests build and parse JSON documents, keep a bounded LRU of results and a slowly growing index, with a
checkpoint every 200 requests (a no-op without `arenascope run`).
"""
import json
import sys
from collections import OrderedDict

try:
    from arenascope_capture import checkpoint
except ImportError:  # run plainly, as the reference

    def checkpoint(label):
        pass


REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
cache = OrderedDict()
index = {}

for n in range(REQUESTS):
    doc = {"id": n, "items": [{"k": i, "v": "x" * (i % 50)} for i in range(60)], "tags": ["a", "b", str(n)]}
    text = json.dumps(doc)
    parsed = json.loads(text)
    cache[n] = parsed
    if len(cache) > 300:
        cache.popitem(last=False)
    if n % 10 == 0:
        index[n] = text[:64]
    if n % 200 == 199:
        checkpoint("request %d" % (n + 1))
print("handled", REQUESTS, "requests")
