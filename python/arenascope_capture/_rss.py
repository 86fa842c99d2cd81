"""The process's resident memory, read by itself around a capture: what the capture kept of it."""

import os

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes():
    """The process's resident memory now in bytes (Linux's /proc/self/statm), or None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def rss_kept(before, after):
    """What a capture added to the resident memory and kept (negative: gave back), or None unmeasured."""
    return None if before is None or after is None else after - before
