"""Child processes that must not outlive the process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_WATCH_S = 1.0


def die_with(parent: int) -> None:
    """A worker must not outlive the run that started it (a kill -9 of the run would leave
    it, and the resource tracker it holds open, behind). Linux: the kernel sends SIGKILL
    when the parent dies. Elsewhere, and for a parent that died before this ran, a thread
    watches the parent id."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_S)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="newsdesk-parent-watch", daemon=True).start()
