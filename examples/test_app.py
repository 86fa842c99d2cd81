"""A tiny pytest-free test suite: run it directly (python3 examples/test_app.py) or captured
(arenascope run -- python3 examples/test_app.py). It runs every function named test_* PASSES times
over (a short soak: what a pass leaves behind shows as growth from one pass to the next), with an
arenascope checkpoint after each pass; exit status 1 if any test failed.

test_audit_log attaches a log handler to the process-wide "app" logger. With APP_LEAK=1 it never
removes it: a classic test-suite leak. Each further pass then adds one more handler, and every
handler keeps every record it receives, so memory grows from one pass to the next.
"""
import collections
import json
import logging
import os
import sys
import traceback

try:
    import arenascope_capture
except ImportError:  # not under `arenascope run`, which puts its capture package on PYTHONPATH
    arenascope_capture = None

PASSES = 3


class Cart:
    def __init__(self, prices):
        self.prices = dict(prices)
        self.items = collections.Counter()

    def add(self, sku, qty=1):
        if sku not in self.prices:
            raise KeyError(sku)
        self.items[sku] += qty

    def total(self):
        return sum(self.prices[sku] * qty for sku, qty in self.items.items())

    def to_json(self):
        return json.dumps({"items": dict(self.items), "total": self.total()}, sort_keys=True)


PRICES = {"apple": 30, "pear": 45, "melon": 250}
log = logging.getLogger("app")


class AuditHandler(logging.Handler):
    """Keeps every record, like an in-memory audit trail (logging.shutdown() does not empty it)."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_total():
    cart = Cart(PRICES)
    cart.add("apple", 3)
    cart.add("melon")
    assert cart.total() == 340


def test_unknown_sku():
    cart = Cart(PRICES)
    try:
        cart.add("durian")
    except KeyError:
        return
    raise AssertionError("expected KeyError")


def test_round_trip():
    cart = Cart(PRICES)
    for i in range(200):
        cart.add(("apple", "pear", "melon")[i % 3])
    data = json.loads(cart.to_json())
    assert data["total"] == cart.total() and sum(data["items"].values()) == 200


def test_audit_log():
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = AuditHandler()
    log.addHandler(handler)
    for i in range(500):
        log.info("audit %d: %s", i, "x" * 200)
    assert len(handler.records) == 500
    if not os.environ.get("APP_LEAK"):
        log.removeHandler(handler)
        handler.close()


def main():
    tests = [(name, fn) for name, fn in sorted(globals().items())
             if name.startswith("test_") and callable(fn)]
    failed = 0
    for n in range(1, PASSES + 1):
        for name, fn in tests:
            try:
                fn()
                print("PASS", name)
            except Exception:
                failed += 1
                print("FAIL", name)
                traceback.print_exc()
        if arenascope_capture is not None:
            arenascope_capture.checkpoint("pass %d" % n)
    print("%d passed, %d failed" % (PASSES * len(tests) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
