"""The run process's heap: glibc's allocator held to a few arenas, the memory a batch freed
handed back to the system once it is loaded, and the process's resident size for the run log.

A run's process allocates a batch's pages (bytes, decoded text, rows for the workers) from
three threads at once (the read-ahead, the flow's page pass, the loader). glibc gives each
thread that meets contention an arena of its own (up to eight per core) and keeps what is
freed in an arena for that arena's next allocations: the process's peak then depends on
which threads happened to hold a batch where, and grew with the number of batches that gave
it the chance. Two arenas and a trim after each batch's load make it depend on what is live.
Linux with glibc only; elsewhere these do nothing.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache
from pathlib import Path
from typing import Any

_M_ARENA_MAX = -8  # malloc.h
ARENAS = 2


@cache
def _glibc() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # noqa: B018 (musl and others: no such symbols)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most `arenas` malloc arenas for the threads that need one from now on (threads
    that have one keep it): call it before the run starts its threads. False: not glibc."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(_M_ARENA_MAX, arenas))


def release_freed() -> bool:
    """Hand the free pages of every arena back to the system (malloc_trim(0)): what the
    batch just loaded freed, instead of keeping it for whichever thread comes next. True
    when some memory was released."""
    libc = _glibc()
    return libc is not None and bool(libc.malloc_trim(0))


def resident_mb() -> tuple[float, float]:
    """This process's resident set now and its peak so far (VmRSS, VmHWM), in MB; zeros
    where /proc is not there."""
    found = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key = line.split(maxsplit=1)[0] if line else ""
            if key in found:
                found[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found["VmRSS:"], found["VmHWM:"]
