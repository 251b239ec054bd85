"""The gate process's launcher: what the run's process needs to start it, call it and end it.

Standard library only (the package's `__init__` loads nothing until asked): the CLI starts
the gate process right after reading its arguments, before its own heavy imports (Polars,
pyarrow, DuckDB: ~0.4 s of CPU), so that GX's import in it (~2.4 s of CPU) begins that much
earlier on the other core. What runs in the process is `expectations.runner.serve`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_STOP_GRACE_S = 2.0
GATE_PROCESS_NAME = "newsdesk-gates"  # what ps and top show (bench/runner.py tells it apart)


# The gate process's program: the runner's `serve`, with the caller's import path.
_SERVE = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from expectations.runner import serve; serve(int(sys.argv[2]), int(sys.argv[3]))"
)


class _GateProcess:
    """A fresh interpreter and a socket to it (no executor: one call at a time is all gates
    need, and a plain process can be ended without waiting for anything). Started as
    `python -c`, not as a multiprocessing spawn: a spawned child imports the parent's main
    module first (the `newsdesk` command: its CLI, 0.2 s of CPU) and comes with a resource
    tracker process, neither of which the gates need."""

    def __init__(self) -> None:
        self.conn, child = multiprocessing.Pipe()
        fd = child.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, json.dumps(sys.path), str(fd), str(os.getpid())],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
        )  # its GX import starts now
        child.close()  # the socket ends (EOFError here) when the process dies
        self.lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self.process.pid

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) there; GateProcessDied when the process is gone."""
        with self.lock:
            try:
                self.conn.send((fn, args))
                ok, value = self.conn.recv()
            except (EOFError, OSError) as exc:
                raise GateProcessDied(str(exc)) from exc
        if ok:
            return value
        raise value

    def stop(self) -> None:
        # Hanging up lets a process that has finished its import return and clean up; one
        # still importing GX is not waited for.
        self.conn.close()
        try:
            self.process.wait(timeout=_STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)


class GateProcessDied(RuntimeError):
    """The gate process ended (killed, out of memory) before it answered."""


_gate_process: _GateProcess | None = None
_gate_lock = threading.Lock()


def start_gate_process() -> None:
    """Start the process that validates (idempotent; it lives as long as this process). Its
    GX import begins at once, so a caller starts it as early as it knows gates will run."""
    global _gate_process
    with _gate_lock:
        if _gate_process is not None:
            return
        _gate_process = _GateProcess()
        atexit.register(stop_gate_process)


def stop_gate_process() -> None:
    """End the gate process without waiting for its import to finish."""
    global _gate_process
    with _gate_lock:
        gate, _gate_process = _gate_process, None
    if gate is not None:
        gate.stop()


def gate_process_pid() -> int | None:
    gate = _gate_process
    return gate.pid if gate is not None else None


def in_gate_process(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in the gate process when one is started, else here. A gate process that
    died (killed, out of memory) is not started again: this process validates from then on."""
    gate = _gate_process
    if gate is None:
        return fn(*args)
    try:
        return gate.call(fn, *args)
    except GateProcessDied:
        stop_gate_process()
        return fn(*args)
