"""A run's gate process forked by the warm helper: the same results as a gate process of its
own, GX imported once for many runs, and a helper that ends (idle, or asked to) without
leaving its socket behind; a run that finds no usable helper starts one or goes without."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from expectations import gate_process
from tests.expectations.test_gate_process import SCRIPT
from tests.fresh_python import run_python

# One run: the clean gate through start_gate_process, and who validated it.
RUN = (
    SCRIPT.replace('if __name__ == "__main__":', "def unused():")
    + """
import json, os, sys
from expectations.gate_process import warm_helper_pid
start_gate_process()
found = clean_gate()
pid = gate_process_pid()
with open(f"/proc/{pid}/stat") as stat:
    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
print(json.dumps({
    "gate": found, "pid": pid, "parent": parent, "helper": warm_helper_pid(),
    "gx_here": "great_expectations" in sys.modules, "me": os.getpid(),
}))
stop_gate_process()
"""
)


def _run(tmp_path: Path, folder: Path, idle_s: float = 120.0) -> dict:
    script = tmp_path / "warm_run.py"
    script.write_text(RUN, encoding="utf-8")
    env = {
        "NEWSDESK_WARM_GATES": "1",
        "NEWSDESK_RUNTIME_DIR": str(folder),
        "NEWSDESK_WARM_IDLE_S": str(idle_s),
    }
    done = run_python(str(script), env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        assert time.monotonic() < deadline, f"process {pid} still up"
        time.sleep(0.05)


@pytest.fixture
def folder(tmp_path: Path):
    """The helpers' folder of one test; any helper still up at its end is ended."""
    found = tmp_path / "rt"
    yield found
    for lock in found.glob("*.lock"):
        pid = int(lock.read_text().split()[0])
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_runs_fork_their_gate_processes_from_one_warm_helper(tmp_path: Path, folder: Path):
    first = _run(tmp_path, folder)  # starts the helper
    second = _run(tmp_path, folder)  # forks from it
    helper = first["helper"]
    assert helper and second["helper"] == helper
    assert Path(f"/proc/{helper}/comm").read_text().strip() == "newsdesk-warm"
    for run in (first, second):
        assert run["parent"] == helper  # forked there, not started by the run
        assert run["gx_here"] is False
    assert first["pid"] != second["pid"]  # a gate process per run
    # the same verdict as a gate process of the run's own (test_gate_process.py)
    own: dict = {"__name__": "here"}
    exec(SCRIPT, own)
    assert first["gate"] == second["gate"] == json.loads(json.dumps(own["clean_gate"]()))
    wait_gone(second["pid"])  # hung up on, it ended
    os.kill(helper, signal.SIGTERM)
    wait_gone(helper)
    assert list(folder.glob("*.sock")) == []  # ended without leaving its socket


def test_an_idle_helper_ends_and_a_dead_ones_socket_is_taken_over(tmp_path: Path, folder: Path):
    first = _run(tmp_path, folder, idle_s=1.0)
    wait_gone(first["helper"])  # idle for a second: ended, socket removed
    assert list(folder.glob("*.sock")) == []
    second = _run(tmp_path, folder)
    os.kill(second["helper"], signal.SIGKILL)  # no chance to remove its socket
    wait_gone(second["helper"])
    assert len(list(folder.glob("*.sock"))) == 1
    third = _run(tmp_path, folder)  # a new helper takes the stale socket's name
    assert third["helper"] not in (None, second["helper"])
    assert third["parent"] == third["helper"]
    assert third["gate"] == second["gate"]


def test_without_a_private_folder_a_run_starts_its_own_gate_process(tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)  # others could connect: no helper there
    run = _run(tmp_path, shared)
    assert run["helper"] is None
    assert run["parent"] == run["me"]  # a gate process of its own
    assert list(shared.iterdir()) == []


def test_the_helper_key_follows_the_gate_code(tmp_path: Path, monkeypatch):
    # A changed module of the gate code is another key (another helper): a helper never
    # forks gate processes with code older than the run's.
    project = tmp_path / "project"
    for package in ("expectations", "newsdesk"):
        shutil.copytree(
            gate_process._PROJECT / package,
            project / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    monkeypatch.setattr(gate_process, "_PROJECT", project)
    before = gate_process.warm_key()
    assert gate_process.warm_key() == before
    module = project / "expectations" / "after_clean.py"
    module.write_text(module.read_text() + "\n", encoding="utf-8")
    assert gate_process.warm_key() != before


def test_a_stuck_helper_leaves_the_run_a_gate_process_of_its_own(tmp_path: Path, folder: Path):
    first = _run(tmp_path, folder)
    os.kill(first["helper"], signal.SIGSTOP)  # up, ready, and answering nobody
    try:
        second = _run(tmp_path, folder)  # waits _WARM_REPLY_S for it, then goes without
    finally:
        os.kill(first["helper"], signal.SIGCONT)
    assert second["parent"] == second["me"]
    assert second["gate"] == first["gate"]


def test_a_helper_takes_connections_of_its_own_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Anyone who can connect to a helper can have it run code: besides the folder's mode,
    # a connection whose process is another user's (as the system tells, SO_PEERCRED) is
    # closed unread. Another user here: this process's, to a helper that takes its user
    # for another (a process of another user needs root to start).
    path = tmp_path / "helper.sock"
    monkeypatch.setenv("NEWSDESK_WARM_IDLE_S", "1")
    with gate_process.listen_unix(path, 4) as listener:
        own = path.stat().st_ino
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as ours:
            ours.connect(str(path))
            (conn,) = itertools.islice(gate_process.accept_until_idle(listener, path, own), 1)
            with conn:
                conn.sendall(b"taken")
                assert ours.recv(16) == b"taken"
        me = os.getuid()
        monkeypatch.setattr(gate_process.os, "getuid", lambda: me + 1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
            other.connect(str(path))
            # closed unread; the helper then ends idle (1 s), no connection taken
            assert list(gate_process.accept_until_idle(listener, path, own)) == []
            other.settimeout(30)
            assert other.recv(16) == b""
