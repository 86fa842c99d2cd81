"""Writes a series of real tracemalloc dumps of a small service for the benchmark (never committed):
the input of `arenascope leaks` and of its Python reference in bench/targets.mjs.

    python3 bench/make_series.py OUTDIR [--captures 11] [--records 60000] [--requests 2000]

The program is traced with tracemalloc.start(10) from its first line, so every dump is CPython's own
Snapshot.dump() of what a real program holds: a catalogue loaded at start (steady, most of the
blocks), an unbounded memo of rendered pages and a listener list (leaks), a bounded LRU of sessions
(plateau) and per-request temporaries (transient). With the defaults (CPython 3.11) the dumps hold
500k traces at the first capture and 609k at the 11th, 5.3 to 6.8 MiB each.
"""
import argparse
import collections
import os
import random
import tracemalloc

p = argparse.ArgumentParser()
p.add_argument("outdir")
p.add_argument("--captures", type=int, default=11)
p.add_argument("--records", type=int, default=60000, help="catalogue records loaded at start")
p.add_argument("--requests", type=int, default=2000, help="requests served between two captures")
a = p.parse_args()
rng = random.Random(5)


def load_catalogue(n):
    # One dict, a few strings and a tuple per record: the bulk of a long-lived process's heap.
    return {
        "sku-%07d" % i: {"name": "item %d" % i, "tags": ("t%d" % (i % 97), "c%d" % (i % 13)), "price": i * 1.25}
        for i in range(n)
    }


class Service:
    def __init__(self, records):
        self.catalogue = load_catalogue(records)
        self.memo = {}  # never evicted: the leak
        self.listeners = []  # one per request, never removed: a slower leak
        self.sessions = collections.OrderedDict()  # bounded: a plateau

    def render(self, request_id, sku):
        item = self.catalogue[sku]
        body = ["<li>%s: %.2f</li>" % (item["name"], item["price"] * q) for q in range(1, 6)]
        return "\n".join(body)

    def session(self, user):
        s = self.sessions.pop(user, None) or {"user": user, "cart": [], "seen": set()}
        self.sessions[user] = s
        if len(self.sessions) > 5000:
            self.sessions.popitem(last=False)
        return s

    def handle(self, request_id):
        sku = "sku-%07d" % rng.randrange(len(self.catalogue))
        s = self.session(rng.randrange(20000))
        s["seen"].add(sku)
        scratch = [bytearray(rng.choice((64, 200, 900))) for _ in range(8)]  # transient
        page = self.memo.setdefault((request_id, sku), self.render(request_id, sku))
        if request_id % 4 == 0:
            self.listeners.append(lambda event, rid=request_id: (rid, event))
        return len(page) + len(scratch)


def main():
    os.makedirs(a.outdir, exist_ok=True)
    tracemalloc.start(10)
    service = Service(a.records)
    request = 0
    for n in range(1, a.captures + 1):
        for _ in range(a.requests):
            service.handle(request)
            request += 1
        snapshot = tracemalloc.take_snapshot()
        snapshot.dump(os.path.join(a.outdir, "capture-%02d.pickle" % n))
        print("capture %d: %d traces" % (n, len(snapshot.traces)))


main()
