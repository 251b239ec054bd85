"""Child processes that must not outlive the process that started them, and what keeps a
process's start and exit cheap (the garbage collector around heavy imports and at exit)."""

from __future__ import annotations

import ctypes
import gc
import importlib.abc
import importlib.machinery
import importlib.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence, Set
from contextlib import contextmanager
from types import ModuleType

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PR_SET_NAME = 15
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


@contextmanager
def imports_without_gc() -> Iterator[None]:
    """Heavy imports (Prefect, Great Expectations) build hundreds of thousands of objects and
    no garbage: the collector's full passes over them as they grow cost about a fifth of the
    import's CPU (GX: 2.9 s → 2.3 s). So the collector waits while they run, and what they
    built is then frozen (gc.freeze): kept out of every later collection, the run's own
    garbage included, which the collector still finds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def _first_on_meta_path(finder: importlib.abc.MetaPathFinder) -> Iterator[None]:
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


class _Deferred(importlib.abc.MetaPathFinder):
    def __init__(self, names: Set[str]) -> None:
        self.names = names

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


@contextmanager
def imports_deferring(names: Set[str]) -> Iterator[None]:
    """The modules named, when a heavy import (GX, Prefect) loads them at its top though a
    run does not use them, are imported lazily (importlib.util.LazyLoader) while the block
    runs: each is loaded the first time anything touches it (an attribute, or an import
    statement naming it again), so code that needs it still gets it."""
    with _first_on_meta_path(_Deferred(names)):
        yield


class _Hidden(importlib.abc.MetaPathFinder):
    def __init__(self, names: Set[str]) -> None:
        self.names = names

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextmanager
def imports_hiding(names: Set[str]) -> Iterator[None]:
    """The top-level packages named look not installed to what is imported while the block
    runs: for a library that imports an optional dependency at its top only if it is there
    (GX and SQLAlchemy), when another package of the environment brought it in and the
    caller never uses it. One already imported is left as it is, and after the block it
    imports as usual. The hiding is process-wide while the block runs (another thread's
    import of it fails too): only for packages no part of newsdesk imports."""
    with _first_on_meta_path(_Hidden(names)):
        yield


def exit_without_collecting() -> None:
    """Called as a process is about to exit: the interpreter's teardown otherwise collects
    over every object the imports built, 0.3-0.5 s on an idle core for a process with Prefect
    or Great Expectations loaded (seconds on a busy machine), to free memory the exit frees
    anyway. Frozen objects are skipped; exit handlers still run."""
    gc.freeze()


def name_process(name: str) -> None:
    """Show the process as `name` (at most 15 bytes) in ps, top and /proc/PID/comm, where a
    spawned child is otherwise one more `python`; a no-op where Linux's prctl is missing."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)
        except (OSError, AttributeError):
            pass
