"""pytest under `arenascope run`: a capture after each test, and pytest-memray's limit markers.

The test's capture, the one of the leak series, is taken once the test is over (torn down, and its fixture
values let go of by pytest): what its function-scoped fixtures held is gone by then, as it is for the next test. (Taken after the body, a fixture sized by its parameter read
as a leak over the tests, and the gate failed.) The markers and a test's figures are the body's alone.

Loaded only by the bootstrap (through PYTEST_PLUGINS); without a capture controller in the process (a child
pytest that inherited the variable) it does nothing at all. The markers keep pytest-memray's meaning and size
syntax, measured with tracemalloc:

- `@pytest.mark.limit_memory("24 MB", *, current_thread_only=False)`: fails the test when its body's traced
  peak, above the memory traced when the body started, is >= the limit. On 3.9+ the peak is reset when the
  body starts. 3.8 has only the peak since tracing started: the body's peak is known when it rose past every
  earlier peak; otherwise it is at most that earlier peak, the test is not failed, a warning says so and the
  `test` event's `peak` is null.
- `@pytest.mark.limit_leaks("1 MB", *, filter_fn=None, current_thread_only=False)`: fails the test when any
  distinct traceback holds >= the limit more after the body (and a gc.collect()) than before it, counting only
  tracebacks for which `filter_fn(stack)` is true; `stack.frames` are (function, filename, lineno), most recent
  first, the function being "???" (tracemalloc does not record it).

tracemalloc traces every thread alike, so `current_thread_only` is accepted and has no effect. A test may
carry both markers. When pytest-memray is loaded it enforces the markers itself: this plugin only records.
"""

import collections
import gc
import inspect
import os
import re
import sys
import time
import tracemalloc

import pytest

import arenascope_capture
from arenascope_capture._rss import rss_bytes, rss_kept

if arenascope_capture._controller is not None:
    # The bootstrap added this plugin to PYTEST_PLUGINS for this process only: pytest has read it by now,
    # and the program's child processes see the user's own value again.
    _saved = arenascope_capture._controller.saved_pytest_plugins
    if _saved is None:
        os.environ.pop("PYTEST_PLUGINS", None)
    else:
        os.environ["PYTEST_PLUGINS"] = _saved

_SIZE = re.compile(r"\+?(\d*\.\d+|\d+)\s*([KMGTP]?B)", re.IGNORECASE)
_UNITS = {"B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4, "PB": 5}
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# What no test allocates itself (judged by the most recent frame): tracemalloc's own work, the import
# machinery and this package.
_SKIP_FILES = frozenset(
    (tracemalloc.__file__, "<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
)
_TOP = 10
_STACK_FRAMES = 5
_results = {}  # node id -> what the test body measured, until its call report is made
# node id -> the test's events (its own, None in a run measuring the allocator; then a teardown's error),
# until its run is over and its capture taken
_events = {}


def parse_size(text):
    """Bytes in a pytest-memray size ("24 MB", "1.5kb", "100 B"; units are powers of 1024)."""
    found = _SIZE.match(text)
    if found is None:
        raise ValueError("Invalid memory size format: %s" % text)
    return float(found.group(1)) * 1024 ** _UNITS[found.group(2).upper()]


def format_size(num):
    """A size the way pytest-memray prints it: 1.5MiB, 512.0B."""
    for unit in ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi"):
        if abs(num) < 1024.0:
            return "%3.1f%sB" % (num, unit)
        num /= 1024.0
    return "%.1fYiB" % num


class StackFrame:
    """One frame given to a limit_leaks `filter_fn`."""

    __slots__ = ("function", "filename", "lineno")

    def __init__(self, function, filename, lineno):
        self.function, self.filename, self.lineno = function, filename, lineno

    def __iter__(self):
        return iter((self.function, self.filename, self.lineno))

    def __repr__(self):
        return "StackFrame(%r, %r, %r)" % (self.function, self.filename, self.lineno)


class Stack:
    """The traceback of a leaking location, `frames` most recent first."""

    __slots__ = ("frames",)

    def __init__(self, frames):
        self.frames = frames


def _limit_memory(limit, *, current_thread_only=False):
    return parse_size(limit)


def _limit_leaks(location_limit, *, filter_fn=None, current_thread_only=False):
    return parse_size(location_limit), filter_fn


def _limits(item):
    """(limit_memory bytes | None, (limit_leaks bytes, filter_fn) | None); bad sizes raise ValueError."""
    memory = item.get_closest_marker("limit_memory")
    leaks = item.get_closest_marker("limit_leaks")
    return (
        _limit_memory(*memory.args, **memory.kwargs) if memory else None,
        _limit_leaks(*leaks.args, **leaks.kwargs) if leaks else None,
    )


def pytest_configure(config):
    if arenascope_capture._controller is None:
        return
    config.addinivalue_line(
        "markers",
        "limit_memory(limit, *, current_thread_only=False): fail when the test body's traced peak reaches limit",
    )
    config.addinivalue_line(
        "markers",
        "limit_leaks(location_limit, *, filter_fn=None, current_thread_only=False): "
        "fail when one traceback keeps location_limit or more after the test body",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session):
    """When the tests begin, collection done (a `tests` event): pytest's start-up and collection (plugins,
    the test modules' imports) are the run's warm-up, not the tests' memory."""
    controller = arenascope_capture._controller
    if controller is not None and controller.active and session.testscollected and not session.config.option.collectonly:
        controller.event({"kind": "tests", "time": time.time()})
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    yield from _measured(pyfuncitem, pyfuncitem.obj)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A test that pytest runs without pytest_pyfunc_call (a unittest.TestCase method, a doctest) is
    measured around its whole call: such tests were in no table, and their leaks were no test's."""
    if type(item).runtest is pytest.Function.runtest:
        yield
        return
    yield from _measured(item, getattr(item, "obj", None))


def _measured(item, function):
    """Measures a test body around its one yield, where the body runs (a hook wrapper's yield)."""
    controller = arenascope_capture._controller
    if controller is None or not controller.active:
        yield
        return
    limits = _limits(item)
    if controller.mode == "allocator":
        yield
        _events[item.nodeid] = [None]  # no event: a capture after the teardown
        return
    if not tracemalloc.is_tracing():
        yield
        return
    # The resident memory the measurement itself keeps (its snapshots, the statistics of their growth),
    # the test body apart: a rise of the RSS samples is judged against it.
    rss0 = rss_bytes()
    before = tracemalloc.take_snapshot()
    rss1 = rss_bytes()
    traced0, base_peak = controller.begin_watch()
    watch = _PeakWatch(traced0, limits[0], function) if limits[0] is not None else None
    try:
        yield
    finally:
        if watch is not None:
            watch.stop()
    peak = controller.end_watch(base_peak)
    gc.collect()
    traced1 = tracemalloc.get_traced_memory()[0]
    rss2 = rss_bytes()
    after = tracemalloc.take_snapshot()
    result = _measure(item, limits, before, after, traced0, traced1, peak, watch)
    del before, after, watch
    body = rss_kept(rss1, rss2)
    measured = rss_kept(rss0, rss_bytes())
    if body is not None and measured is not None:
        result["rssKept"] = measured - body
        result["rssBody"] = body
    _results[item.nodeid] = result


class _PeakWatch:
    """Snapshots of a limit_memory test body near its peak, so that a failure names what made the peak.

    tracemalloc keeps no record of freed blocks: what a body allocated and freed before it returned (the usual
    cause of a peak) is gone from a snapshot taken after it. While a body with the marker runs, a profile hook
    (sys.setprofile, the test's thread) looks at the traced memory at every call and return, and on CPython
    3.12+ (sys.monitoring, a tool of its own beside a debugger's or coverage's) at every line of the test
    function itself: a statement that allocates and frees with no call between (`x = bytearray(n)`, then
    `del x`) is seen there. From half the limit on, each time the body's growth passes 1.25 times the growth
    of the last snapshot it takes another. The last one holds at least 80% of the body's peak growth unless
    the peak rose and fell between two looks (`seen` says whether it did). Only tests with the marker pay.
    """

    _TOOL = "arenascope limit_memory"

    def __init__(self, traced0, limit, function=None):
        self.traced0 = traced0
        self.next = traced0 + max(limit / 2, 1)
        self.snapshot = None
        self.grown = 0
        self.previous = sys.getprofile()
        self.code = None
        self.tool = None
        sys.setprofile(self._hook)
        self._watch_lines(function)

    def _look(self):
        traced = tracemalloc.get_traced_memory()[0]
        if traced >= self.next:
            self.snapshot = tracemalloc.take_snapshot()
            self.grown = traced - self.traced0
            self.next = self.traced0 + self.grown * 1.25

    def _hook(self, frame, event, arg):
        if event in ("return", "c_return", "call", "c_call"):
            self._look()

    def _watch_lines(self, function):
        monitoring = getattr(sys, "monitoring", None)
        code = getattr(inspect.unwrap(function), "__code__", None) if function is not None else None
        if monitoring is None or code is None:
            return
        for tool in (3, 4):  # the ids CPython leaves free (debugger, coverage, profiler and optimizer have theirs)
            try:
                monitoring.use_tool_id(tool, self._TOOL)
            except ValueError:
                continue
            monitoring.register_callback(tool, monitoring.events.LINE, self._line)
            monitoring.set_local_events(tool, code, monitoring.events.LINE)
            self.tool, self.code = tool, code
            return

    def _line(self, code, line):
        self._look()

    def stop(self):
        sys.setprofile(self.previous)
        if self.tool is not None:
            monitoring = sys.monitoring
            monitoring.set_local_events(self.tool, self.code, 0)
            monitoring.register_callback(self.tool, monitoring.events.LINE, None)
            monitoring.free_tool_id(self.tool)
            self.tool = None

    def seen(self, body_peak):
        """Whether the last snapshot holds 80% of the body's peak growth: its lines are what made the peak."""
        return self.snapshot is not None and self.grown >= 0.8 * body_peak


def _growth(before, after):
    """Bytes gained per traceback (frames most recent first) between two snapshots.

    Equal to `after.compare_to(before, "traceback")` sizes, computed only over the traces that differ: the
    unchanged ones cancel, and tracemalloc's own grouping of every trace takes seconds on a large heap.
    """
    old = collections.Counter(before.traces._traces)
    new = collections.Counter(after.traces._traces)
    growth = collections.defaultdict(int)
    for trace, count in (new - old).items():
        growth[trace[2]] += trace[1] * count
    for trace, count in (old - new).items():
        growth[trace[2]] -= trace[1] * count
    return {frames: size for frames, size in growth.items() if frames and not _ignored(frames[0][0])}


def _ignored(filename):
    return filename in _SKIP_FILES or filename.startswith(_PACKAGE + os.sep)


def _top_lines(growth):
    """The lines that grew, largest first: {filename, lineno, size}."""
    by_line = collections.defaultdict(int)
    for frames, size in growth.items():
        by_line[frames[0]] += size
    grown = sorted(((size, line) for line, size in by_line.items() if size > 0), reverse=True)
    return [{"filename": line[0], "lineno": line[1], "size": size} for size, line in grown]


def _measure(item, limits, before, after, traced0, traced1, peak, watch=None):
    growth = _growth(before, after)
    top = _top_lines(growth)
    body_peak = None if peak is None else max(peak - traced0, 0)
    # What was live near the peak names what made it; what is left at the end may not (it was freed).
    # A peak the watch did not see (it rose and fell between two looks) has no lines: the ones left at
    # the end would be named for it (pytest's own, 2 KiB, for a 3 MiB bytearray freed in the body).
    at_peak = top
    if watch is not None and body_peak is not None:
        at_peak = _top_lines(_growth(before, watch.snapshot)) if watch.seen(body_peak) else []
    memory_limit, leaks_limit = limits
    failures = []
    if memory_limit is not None:
        if body_peak is None:
            item.warn(
                pytest.PytestWarning(
                    "limit_memory not checked: Python 3.8 cannot tell this test's peak (it stayed under an earlier one)"
                )
            )
        elif body_peak >= memory_limit:
            failures.append(("limit_memory", _memory_failure(memory_limit, body_peak, at_peak)))
    if leaks_limit is not None:
        limit, filter_fn = leaks_limit
        leaking = [(size, frames) for frames, size in growth.items() if size >= limit and _passes(frames, filter_fn)]
        if leaking:
            leaking.sort(reverse=True)
            failures.append(("limit_leaks", _leak_failure(limit, leaking)))
    return {
        "peak": body_peak,
        "leaked": traced1 - traced0,
        "limitMemory": None if memory_limit is None else int(memory_limit),
        "limitLeaks": None if leaks_limit is None else int(leaks_limit[0]),
        "failures": failures,
        "top": at_peak[:_TOP],
    }


def _passes(frames, filter_fn):
    if filter_fn is None:
        return True
    return bool(filter_fn(Stack(tuple(StackFrame("???", filename, lineno) for filename, lineno in frames))))


def _memory_failure(limit, peak, top):
    lines = [
        "    - %s allocated here:\n        %s:%d" % (format_size(t["size"]), t["filename"], t["lineno"])
        for t in top[:_TOP]
    ]
    if len(top) > _TOP:
        lines.append("    ...and %d more" % (len(top) - _TOP))
    if not top:
        lines.append(
            "    (not seen: the peak rose and fell between two looks of the watch, inside one call or statement;"
            " on CPython 3.12+ every line of the test function is looked at)"
        )
    message = "Test was limited to %s but allocated %s" % (format_size(limit), format_size(peak))
    return message, ("arenascope-max-memory", "List of allocations:\n" + "\n".join(lines))


def _leak_failure(limit, leaking):
    lines = []
    for size, frames in leaking:
        lines.append("    - %s allocated here:" % format_size(size))
        for filename, lineno in frames[:_STACK_FRAMES]:
            lines.append("        %s:%d" % (filename, lineno))
        if len(frames) > _STACK_FRAMES:
            lines.append("        ...")
    message = "Test was allowed to leak %s per location but at least one location leaked more" % format_size(limit)
    return message, ("arenascope-leaked-memory", "List of leaked allocations:\n" + "\n".join(lines))


def _defined(item):
    """Where the test function is defined (its code's file and first line, a decorator's when it has one):
    where CI points for a test whose own lines the run did not see allocate (it pointed at line 1).
    None for a test that is no Python function (a doctest, a YAML item)."""
    code = getattr(getattr(item, "function", None), "__code__", None)
    return None if code is None else {"filename": code.co_filename, "lineno": code.co_firstlineno}


def _unmeasured(item, report, when):
    """The `test` event of a test pytest counts whose body was not measured: skipped or failed in its setup
    (a skip marker, a fixture's error), or failed in its teardown (pytest counts an error beside its outcome).
    """
    if when == "setup" and report.skipped:
        outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.failed and when in ("setup", "teardown"):
        outcome = "error"
    else:
        return None
    return {
        "kind": "test",
        "nodeid": item.nodeid,
        "outcome": outcome,
        "snapshot": None,
        "function": _defined(item),
        "peak": None,
        "leaked": None,
        "limitMemory": None,
        "limitLeaks": None,
        "violations": [],
        "top": [],
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "call":
        controller = arenascope_capture._controller
        # As the bodies are measured: only where tracemalloc traces (not a run measuring the allocator alone).
        if controller is not None and controller.active and controller.mode != "allocator" and tracemalloc.is_tracing():
            event = _unmeasured(item, outcome.get_result(), call.when)
            if event is not None and item.nodeid in _events:
                _events[item.nodeid].append(event)  # after the test's own
            elif event is not None:
                controller.event(event)
        return
    result = _results.pop(item.nodeid, None)
    controller = arenascope_capture._controller
    if result is None or controller is None:
        return
    report = outcome.get_result()
    failures = result.pop("failures")
    # pytest-memray, when loaded, judges its own markers: failing the test twice would say it twice.
    judged_by_memray = item.config.pluginmanager.get_plugin("memray_manager") is not None
    if failures and report.passed and not judged_by_memray:
        report.outcome = "failed"
        report.longrepr = "\n".join(message for _, (message, _section) in failures)
        for _, (_message, section) in failures:
            report.sections.append(section)
    # An expected failure is no skip, nor an unexpected pass a pass (pytest's own words for them).
    outcome = report.outcome
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    event = {"kind": "test", "nodeid": item.nodeid, "outcome": outcome, "snapshot": None, "function": _defined(item)}
    event.update(result)
    event["violations"] = [name for name, _ in failures]
    _events[item.nodeid] = [event]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Once a test whose body was measured has run, torn down and been let go of: its capture, then its
    events (its own naming the capture). Not in pytest_runtest_teardown: pytest holds the test's fixture
    values (item.funcargs) until its teardown hooks have all returned (h270)."""
    yield
    events = _events.pop(item.nodeid, None)
    controller = arenascope_capture._controller
    if events is None or controller is None or not controller.active:
        return
    gc.collect()  # as after the body: what a cycle held is no test's
    file = controller.capture(item.nodeid, "test")
    if events[0] is not None:
        events[0]["snapshot"] = file
    for event in events:
        if event is not None:
            controller.event(event)


def pytest_sessionfinish(session):
    """The events of tests whose run never ended (the session was stopped): recorded, with no capture."""
    controller = arenascope_capture._controller
    while _events:
        _, events = _events.popitem()
        for event in events:
            if event is not None and controller is not None and controller.active:
                controller.event(event)
