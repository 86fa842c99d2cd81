"""Named checkpoints for `arenascope run` (stdlib only; CPython 3.8-3.13).

Outside `arenascope run` every call is a cheap no-op, so the calls can stay in production code::

    import arenascope_capture

    for n, batch in enumerate(batches, 1):
        process(batch)
        arenascope_capture.checkpoint("after batch %d" % n)

Under `arenascope run` each call takes a snapshot labelled with the text given (and, in the
`--allocator` run, a `sys._debugmallocstats()` report matched to it by label).
"""

__all__ = ["checkpoint"]

# Set by `python -m arenascope_capture` (the bootstrap) in the process it runs the program in, and
# cleared in a forked child: the child must never write to the capture folder.
_controller = None


def checkpoint(label):
    # type: (str) -> None
    """Take a capture labelled `label` when running under `arenascope run`; otherwise do nothing."""
    controller = _controller
    if controller is not None:
        controller.capture(str(label), "checkpoint")
