"""The capture controller of `arenascope run`: numbers, files and events of one capture folder.

tracemalloc mode writes snapshots/NNNN.pickle (+ .time, .peak, .label) and captures.jsonl; allocator mode
writes allocator/NNNN.txt (+ .time, .label) and allocator/captures.jsonl (the run contract of issue 15).
"""

import json
import os
import sys
import threading
import time
import tracemalloc

import arenascope_capture
from arenascope_capture._matching import Matcher
from arenascope_capture._rss import rss_bytes, rss_kept

# 3.9+: the peak is reset after each capture, so it is the interval's; 3.8 has only the peak since start.
HAS_RESET_PEAK = hasattr(tracemalloc, "reset_peak")
_take_snapshot = tracemalloc.take_snapshot
_get_traced_memory = tracemalloc.get_traced_memory
_reset_peak = getattr(tracemalloc, "reset_peak", None)


def _file_id(fd):
    """The file a descriptor is open on (device, inode), or None when it is closed."""
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def one_line(label):
    """A label as the one line of text its .label sidecar holds (line breaks become spaces)."""
    return " ".join(str(label).splitlines()) if label else ""



def _max_rss_kib():
    """The process's own peak RSS so far in KiB (getrusage: Linux counts KiB, macOS bytes), or None
    where there is no resource module (Windows). The RSS samples can miss it: a program done within one
    sample interval was sampled once, before Python started."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak

def _wait_thread_end(thread, timeout=1.0):
    """Waits until a joined thread has ended to the system too. Before 3.13, join() returns once the
    thread's state is cleared; the thread then frees that state with PyMem_RawFree(), without the GIL,
    and under tracemalloc that takes tracemalloc's tables lock. A fork in that moment left the lock
    taken in the child, which CPython never resets there: the child hung at its first allocation, in
    PyOS_AfterFork_Child (helper h225, gdb: 3.11.7 and 3.12.1). Linux lists a thread until it has ended
    (/proc/self/task); elsewhere a millisecond covers those last steps, as a rule."""
    native_id = getattr(thread, "native_id", None)  # 3.8+
    task = "/proc/self/task/%d" % native_id if native_id is not None else None
    if task is None or not os.path.isdir("/proc/self/task"):
        time.sleep(0.001)
        return
    deadline = time.monotonic() + timeout
    while os.path.exists(task) and time.monotonic() < deadline:
        time.sleep(0.0002)


class Controller:
    """Takes the captures of one process; every public method is safe to call from any thread."""

    def __init__(self, folder, mode, interval, frames, index_file=None, started=None):
        self.folder = folder
        self.mode = mode
        self.interval = interval
        self.frames = frames
        self.started = time.perf_counter() if started is None else started
        self.reason = None  # ("exit" | "exception" | "interrupted", status) once the program has ended
        self.saved_pytest_plugins = None  # the user's PYTEST_PLUGINS, restored by the plugin
        # Reentrant: a SIGTERM handler runs on the main thread, possibly in the middle of its own capture.
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._disabled = False
        self._program_traces = False  # the program called tracemalloc.start() itself
        self._finished = False
        self._count = 0
        self._pending_peak = 0  # 3.9+: the peak seen before a reset made between captures (pytest plugin)
        self._peak_mark = 0  # 3.8: the global peak after the previous capture (its own dump included)
        self._watch = None  # 3.9+: the highest peak since begin_watch(), across the captures' resets
        self._warned = False
        self._last_took = 0.0  # seconds the latest snapshot took (the interval thread spaces them by it)
        sub = "allocator" if mode == "allocator" else "snapshots"
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        jsonl = os.path.join(folder, "allocator", "captures.jsonl") if mode == "allocator" else os.path.join(
            folder, "captures.jsonl"
        )
        # Unbuffered appends: one os.write per event, nothing left in a buffer for a forked child to flush.
        self._jsonl = jsonl
        self._fd = os.open(jsonl, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._file_id = _file_id(self._fd)
        self._matcher = Matcher(index_file, interval) if mode == "allocator" else None
        self._ticker = None  # (thread, its halt event) while interval captures are taken
        self._due = 0.0  # time.monotonic() of the next interval capture
        self._resume = False  # the interval thread was halted for a fork, to start again after it
        self._fork_filter = None  # the warnings filter that hides CPython 3.13's fork warning of that thread
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(
                before=self._before_fork, after_in_parent=self._after_fork, after_in_child=self._forked
            )

    # -- life cycle -------------------------------------------------------------------------------------------

    def start(self, argv):
        """Starts tracing (tracemalloc mode), writes the start event and capture, starts the interval thread."""
        if self.mode == "tracemalloc":
            tracemalloc.start(self.frames)
            self._watch_tracemalloc()
        self._event(
            {
                "kind": "start",
                "pid": os.getpid(),
                "python": "%d.%d.%d" % sys.version_info[:3],
                "implementation": sys.implementation.name,
                "executable": sys.executable,
                "platform": sys.platform,
                "argv": list(argv),
                "mode": self.mode,
                "frames": self.frames,
                "interval": self.interval,
                "time": time.time(),
            }
        )
        self.capture("start", "start")
        if self.interval > 0:
            self._due = time.monotonic() + self.interval
            self._start_ticking()

    def finish(self, label, source, reason, status):
        """The last capture and the end event; later captures are no-ops."""
        if self._disabled:
            return
        self._stop.set()
        self._halt_ticking()
        with self._lock:
            if self._finished or self._disabled:
                return
            self.capture(label, source)
            self._finished = True
            end = {"kind": "end", "status": status, "reason": reason, "time": time.time()}
            peak = _max_rss_kib()
            if peak is not None:
                end["maxRssKiB"] = peak
            self._event(end)

    def at_exit(self):
        """atexit: runs after the program's own atexit handlers and after its non-daemon threads ended."""
        reason, status = self.reason or ("exit", None)
        label = reason if reason in ("exception", "interrupted") else "exit"
        self.finish(label, label, reason, status)

    def on_signal(self, signum, frame):
        """SIGTERM: the last capture, then death by the same signal, as without a handler."""
        import signal

        self.finish("signal", "signal", "signal", None)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def _watch_tracemalloc(self):
        """Records the program's own calls of tracemalloc.clear_traces() and stop() (a `tracemalloc` event
        with the number of captures before it): what was traced before either is in no later capture, and
        after stop() no capture is taken. Read without it, a list kept since the start read as freed."""
        clear, stop, start = tracemalloc.clear_traces, tracemalloc.stop, tracemalloc.start
        self._tracemalloc_stop = stop

        def note(call):
            if self.active and not self._disabled:
                try:
                    self._event({"kind": "tracemalloc", "call": call, "after": self._count, "time": time.time()})
                except OSError:
                    pass

        def clear_traces():
            note("clear_traces")
            clear()

        def stop_tracing():
            note("stop")
            stop()

        def start_tracing(*args, **kwargs):
            # The program traces for itself: its forked children keep tracing (see _forked).
            self._program_traces = True
            return start(*args, **kwargs)

        clear_traces.__doc__, stop_tracing.__doc__, start_tracing.__doc__ = clear.__doc__, stop.__doc__, start.__doc__
        tracemalloc.clear_traces, tracemalloc.stop, tracemalloc.start = clear_traces, stop_tracing, start_tracing
        if HAS_RESET_PEAK:
            # The program's own reset_peak() (a phase it measures): the peak so far still counts for the
            # next capture and a test's watch. Lost, a capture's peak read 0.6 MiB where CPython measured
            # 20 MB, and a gate passed.
            def reset_peak():
                with self._lock:
                    peak = _get_traced_memory()[1]
                    self._pending_peak = max(self._pending_peak, peak)
                    if self._watch is not None:
                        self._watch = max(self._watch, peak)
                    _reset_peak()

            reset_peak.__doc__ = _reset_peak.__doc__
            tracemalloc.reset_peak = reset_peak

    def _before_fork(self):
        # The interval thread ends before a fork and starts again after it, in the parent: CPython 3.12+
        # warns of fork() in a process with threads (a DeprecationWarning in the program's output, and
        # in pytest's summary, that it did not have without arenascope), and a thread in the middle of a
        # capture at the fork could leave a lock held in the child.
        self._quiet_fork(False)
        thread = self._halt_ticking()
        self._resume = thread is not None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
            _wait_thread_end(thread)
        # The thread may still be counted: 3.12's join() returns before the thread's end (the system's
        # count of threads still holds it), and 3.13.0 counts after the hooks, the thread started again
        # among them. The warning is hidden when the program has no thread of its own (its own threads
        # are warned of, as without arenascope); the next fork asks again.
        if self._resume and threading.active_count() == 1:
            self._quiet_fork(True)

    def _after_fork(self):
        if self._resume and self.active:
            self._start_ticking()
        self._resume = False

    def _quiet_fork(self, on):
        import warnings

        if on and self._fork_filter is None:
            message = r"This process \(pid=%d\) is multi-threaded, use of fork\(\)" % os.getpid()
            warnings.filterwarnings("ignore", message=message, category=DeprecationWarning)
            self._fork_filter = warnings.filters[0]
        elif not on and self._fork_filter is not None:
            if self._fork_filter in warnings.filters:
                warnings.filters.remove(self._fork_filter)
                getattr(warnings, "_filters_mutated", lambda: None)()
            self._fork_filter = None

    def _forked(self):
        # The child of os.fork() belongs to the program, not to this run: it never writes to the folder.
        self._disabled = True
        self._stop.set()
        arenascope_capture._controller = None
        try:
            os.close(self._fd)
        except OSError:
            pass
        # Tracing stops there, unless the program started it itself (its workers take their own snapshots).
        if self.mode == "tracemalloc" and tracemalloc.is_tracing() and not self._program_traces:
            getattr(self, "_tracemalloc_stop", tracemalloc.stop)()

    def _start_ticking(self):
        halt = threading.Event()
        thread = threading.Thread(target=self._tick, args=(halt,), name="arenascope-capture", daemon=True)
        self._ticker = (thread, halt)
        thread.start()

    def _halt_ticking(self):
        """Tells the interval thread to end; returns it (None when there is none)."""
        ticker, self._ticker = self._ticker, None
        if ticker is None:
            return None
        ticker[1].set()
        return ticker[0]

    def _tick(self, halt):
        # A snapshot of a large heap takes seconds (take_snapshot, and the dump's own allocations are traced):
        # interval snapshots wait at least nine times the last one's duration, so that capturing takes at most
        # about a tenth of the run instead of starving the program. The next one's time is kept across a
        # fork's restart of the thread (a program forking more often than the interval still gets them).
        while not halt.wait(max(0.0, self._due - time.monotonic())):
            if self._stop.is_set():
                return
            self.capture("interval", "interval")
            self._due = time.monotonic() + max(self.interval, 9 * self._last_took)

    @property
    def active(self):
        return not (self._disabled or self._finished)

    # -- captures ---------------------------------------------------------------------------------------------

    def capture(self, label, source):
        """One capture; returns its file, relative to the folder (None when none was written)."""
        if not self.active:
            return None
        with self._lock:
            if not self.active:
                return None
            try:
                if self.mode == "allocator":
                    return self._allocator_report(one_line(label), source)
                return self._snapshot(one_line(label), source)
            except Exception as exc:  # a failed capture must never break the program
                if not self._warned:
                    self._warned = True
                    sys.stderr.write("arenascope_capture: capture %r failed: %s\n" % (label, exc))
                return None

    def _snapshot(self, label, source):
        if not tracemalloc.is_tracing():  # the program stopped tracemalloc itself
            if not self._warned:
                self._warned = True
                sys.stderr.write("arenascope_capture: the program stopped tracemalloc: snapshot %r and later ones not taken\n" % label)
            return None
        began = time.perf_counter()
        now = time.time()
        # The memory the capture itself keeps (the snapshot's objects freed into arenas other objects pin, the
        # heap grown): a rise of the RSS samples is judged against it.
        rss0 = rss_bytes()
        traced, peak = _get_traced_memory()
        snapshot = _take_snapshot()
        self._count += 1
        rel = "snapshots/%04d.pickle" % self._count
        path = os.path.join(self.folder, rel)
        try:
            snapshot.dump(path + ".tmp")
            os.replace(path + ".tmp", path)
        finally:
            if os.path.exists(path + ".tmp"):
                os.unlink(path + ".tmp")
        traces = len(snapshot.traces)
        snapshot = None
        # The dump's pickle memo is traced: measure before it and reset (or mark) after it.
        if HAS_RESET_PEAK:
            traced_peak = max(peak, self._pending_peak)
            self._pending_peak = 0
            if self._watch is not None:
                self._watch = max(self._watch, peak)
            _reset_peak()
        else:
            traced_peak = peak if peak > self._peak_mark else None
            self._peak_mark = _get_traced_memory()[1]
        kept_rss = rss_kept(rss0, rss_bytes())
        self._write(path + ".time", "%.6f\n" % now)
        if traced_peak is not None:
            self._write(path + ".peak", "%d\n" % traced_peak)
        self._write(path + ".label", label + "\n")
        self._event(
            {
                "kind": "snapshot",
                "index": self._count,
                "file": rel,
                "label": label,
                "source": source,
                "time": now,
                "elapsed": round(time.perf_counter() - self.started, 6),
                "tracedPeak": traced_peak,
                "traced": traced,
                "traces": traces,
                "took": round(time.perf_counter() - began, 6),
                **({} if kept_rss is None else {"rssKept": kept_rss}),
            }
        )
        self._last_took = time.perf_counter() - began
        return rel

    def _allocator_report(self, label, source):
        now = time.time()
        elapsed = round(time.perf_counter() - self.started, 6)
        number, matches, by = self._matcher.match(label, source, elapsed)
        rel = "allocator/%04d.txt" % number
        path = os.path.join(self.folder, rel)
        # sys._debugmallocstats() prints to the C-level stderr: point fd 2 at the file for the call.
        try:
            sys.stderr.flush()
        except Exception:
            pass
        saved = os.dup(2)
        try:
            with open(path + ".tmp", "wb") as out:
                os.dup2(out.fileno(), 2)
                try:
                    sys._debugmallocstats()
                finally:
                    os.dup2(saved, 2)
            os.replace(path + ".tmp", path)
        finally:
            os.close(saved)
            if os.path.exists(path + ".tmp"):
                os.unlink(path + ".tmp")
        self._write(path + ".time", "%.6f\n" % now)
        self._write(path + ".label", label + "\n")
        event = {"kind": "allocator", "index": number, "file": rel, "label": label, "matches": matches}
        if by is not None:  # no "by" for a report that matched nothing
            event["by"] = by
        event.update({"time": now, "elapsed": elapsed})
        self._event(event)
        return rel

    # -- the peak of a test body (pytest plugin) --------------------------------------------------------------

    def begin_watch(self):
        """Starts measuring a peak from now; returns (traced now, the peak since start before now)."""
        with self._lock:
            traced, peak = _get_traced_memory()
            if HAS_RESET_PEAK:
                self._pending_peak = max(self._pending_peak, peak)
                _reset_peak()
                self._watch = 0
            return traced, max(peak, self._peak_mark)

    def end_watch(self, base_peak):
        """The peak since begin_watch(), or None when 3.8 cannot know it (it never rose past `base_peak`)."""
        with self._lock:
            peak = _get_traced_memory()[1]
            if HAS_RESET_PEAK:
                watched = max(self._watch or 0, peak)
                self._watch = None
                return watched
            return peak if peak > max(base_peak, self._peak_mark) else None

    # -- files ------------------------------------------------------------------------------------------------

    def event(self, obj):
        """Appends one event (e.g. the pytest plugin's `test` event) unless this process may not write."""
        with self._lock:
            if not self._disabled:
                self._event(obj)

    def _event(self, obj):
        # The program may have closed the descriptor (daemon code's os.closerange(3, ...)) and opened a
        # file of its own on the same number: events went into the program's file, and the run lost them.
        if _file_id(self._fd) != self._file_id:
            self._fd = os.open(self._jsonl, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._file_id = _file_id(self._fd)
        os.write(self._fd, (json.dumps(obj, allow_nan=False) + "\n").encode("utf-8"))

    @staticmethod
    def _write(path, text):
        # Whole or not at all: a run stopped between the open and the write (Ctrl-C, kill -9) left an
        # empty sidecar. Written beside it, then renamed over it (atomic on one file system).
        part = path + ".part"
        with open(part, "w", encoding="utf-8", errors="replace") as out:
            out.write(text)
        os.replace(part, path)
