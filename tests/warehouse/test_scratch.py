"""Scratch folders carry their process's pid; those of processes that are gone (a run killed
with -9 cannot remove its own) are removed by the next process's first scratch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT
from warehouse.scratch import PREFIX, Scratch, sweep

HOLD = """
import sys, time
from warehouse.scratch import Scratch
scratch = Scratch()
scratch.con.execute("CREATE TABLE t AS SELECT 1 AS a")
print(scratch.folder, flush=True)
time.sleep(600)
"""


def test_a_killed_process_leaves_its_scratch_and_the_next_sweep_removes_it(
    tmp_path: Path,
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(PROJECT)},
    )
    assert proc.stdout is not None
    left = Path(proc.stdout.readline().strip())
    assert left.parent == tmp_path and left.name.startswith(f"{PREFIX}{proc.pid}-")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert left.exists()  # nothing ran at its death

    mine = tmp_path / f"{PREFIX}{os.getpid()}-live"  # a live process's folder stays
    mine.mkdir()
    other = tmp_path / "newsdesk-scratch-unnamed"  # not named by a pid: not ours to judge
    other.mkdir()
    assert sweep(tmp_path) == [left]
    assert not left.exists() and mine.exists() and other.exists()


def test_a_scratch_is_named_with_its_pid_and_goes_when_closed() -> None:
    with Scratch() as scratch:
        assert scratch.folder.name.startswith(f"{PREFIX}{os.getpid()}-")
        assert scratch.folder.exists()
    assert not scratch.folder.exists()
