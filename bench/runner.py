"""What the benches that run the real `newsdesk` command share: where things are, a Prefect
server of their own, the run's environment, and one `newsdesk` subprocess measured (wall
time, its JSON summary, peak memory and CPU of the command and of its children).

Peak RSS: the largest VmHWM seen of the command's process (main) and of its child processes
(workers and the gate process), sampled every 0.2 s, and the kernel's ru_maxrss of the tree
(the largest process, children included, once all have exited); CPU seconds of main and of
the children likewise (utime + stime from /proc, the last value seen of each process): on a
shared machine the CPU figures are the steadier ones. A command the warm runner took
(newsdesk/cli/warm_run.py) ran in the runner's fork: its figures are main's, and its
children's the children's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations.gate_process import GATE_PROCESS_NAME, warm_dir, warm_key, warm_paths
from newsdesk.cli.warm_run import RUNNER_PROCESS_NAME

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
OUT = PROJECT / ".cache" / "bench"
NEWSDESK = Path(sys.executable).with_name("newsdesk")  # the installed command of this venv

_TICK = os.sysconf("SC_CLK_TCK")
_SAMPLE_S = 0.2


def hwm_mb(pid: int) -> float:
    """The process's peak resident set so far (VmHWM), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_s(pid: int) -> float | None:
    """utime + stime of the process so far; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def comm(pid: int) -> str:
    """The process's name (/proc/PID/comm): the gate process names itself newsdesk-gates."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """Every descendant of the process, children first."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return found
    return found + [g for c in found for g in children(c)]


def warm_processes() -> list[int]:
    """The warm gate helper this venv and project's runs use (expectations/gate_process.py),
    if one is up, and the gate processes it forked: not the run's children, though their CPU
    is the run's gates'."""
    folder = warm_dir()
    if folder is None:
        return []
    try:
        helper = int(warm_paths(folder, warm_key())[1].read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [helper, *children(helper)] if helper and cpu_s(helper) is not None else []


def runner_forks() -> list[int]:
    """The runs the warm runners (newsdesk/cli/warm_run.py) of this user have forked: a
    command handed to one is its fork's run (the bench runs one command at a time)."""
    folder = warm_dir()
    found: list[int] = []
    for lock in folder.glob("runs-*.lock") if folder is not None else ():
        try:
            runner = int(lock.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if comm(runner) == RUNNER_PROCESS_NAME:
            found += children(runner)
    return found


def run_newsdesk(args: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`newsdesk ARGS` (which must print its summary with --json) from the project folder:
    wall_s, summary, cpu_main_s, cpu_children_s (cpu_gates_s of them: the gate process),
    peak_main_mb, peak_workers_mb (sampled) and peak_mb (ru_maxrss of the tree). Raises
    RuntimeError with its stderr's end if it fails."""
    peaks = {"main": 0.0, "workers": 0.0}
    cpu: dict[int, float] = {}
    # The warm helper's CPU (its GX import, when this run started it) and its forks' for
    # this run are the gates' CPU: counted from what they had before the run.
    warm_before = {pid: cpu_s(pid) or 0.0 for pid in warm_processes()}
    warm: dict[int, float] = {}
    handed: dict[int, float] = {}  # the runner's fork that ran the command, and its children
    earlier = set(runner_forks())  # an earlier command's fork, still exiting
    gates: set[int] = set()
    done = threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(NEWSDESK), *args], stdout=out, stderr=err, cwd=PROJECT, env=env
        )

        def sample() -> None:
            while not done.is_set():
                peaks["main"] = max(peaks["main"], hwm_mb(proc.pid))
                for child in children(proc.pid):
                    peaks["workers"] = max(peaks["workers"], hwm_mb(child))
                for pid in [proc.pid, *children(proc.pid)]:
                    if (seconds := cpu_s(pid)) is not None:
                        cpu[pid] = seconds
                        if pid not in gates and comm(pid) == GATE_PROCESS_NAME:
                            gates.add(pid)
                for pid in warm_processes():
                    if (seconds := cpu_s(pid)) is not None:
                        warm[pid] = seconds - warm_before.get(pid, 0.0)
                for fork in set(runner_forks()) - earlier:
                    peaks["main"] = max(peaks["main"], hwm_mb(fork))
                    for child in children(fork):
                        peaks["workers"] = max(peaks["workers"], hwm_mb(child))
                    for pid in [fork, *children(fork)]:
                        if (seconds := cpu_s(pid)) is not None:
                            handed[pid] = seconds
                            if pid not in gates and comm(pid) == GATE_PROCESS_NAME:
                                gates.add(pid)
                done.wait(_SAMPLE_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode:
        raise RuntimeError(f"newsdesk {args[0]} failed ({proc.returncode}):\n{stderr[-3000:]}")
    main_cpu = cpu.pop(proc.pid, 0.0)
    if handed:  # the fork, then its children
        main_cpu += handed.pop(next(iter(handed)))
    cpu.update({pid: v for pid, v in handed.items() if pid not in cpu})
    # a helper this run started is its child (and its forks its grandchildren) until it exits
    warm_cpu = sum(v for pid, v in warm.items() if pid not in cpu)
    return {
        "wall_s": wall,
        "summary": json.loads(stdout),
        "cpu_main_s": main_cpu,
        "cpu_children_s": sum(cpu.values()) + warm_cpu,
        "cpu_gates_s": sum(v for pid, v in cpu.items() if pid in gates) + warm_cpu,
        **{f"peak_{k}_mb": v for k, v in peaks.items()},
        "peak_mb": usage.ru_maxrss / 1024,  # Linux: kilobytes
    }


@contextmanager
def prefect_server(prefix: str = "newsdesk-bench-prefect-") -> Iterator[str]:
    """A temporary Prefect server on a free port, with a throw-away PREFECT_HOME; yields its
    API URL. Analytics off: nothing leaves the machine."""
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix=prefix)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())


def run_env(api_url: str, workers: int) -> dict[str, str]:
    """The environment of a measured run: this Prefect server, W workers, and every gate's
    threshold at 1.0, so that no gate stops the run."""
    return {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "NEWSDESK_PIPELINE_WORKERS": str(workers),
        **{f"NEWSDESK_GATES_{s}_THRESHOLD": "1.0" for s in ("INGEST", "CLEAN", "EXTRACT", "LOAD")},
    }


def write_result(out: Path, name: str, result: Mapping[str, Any]) -> Path:
    """`result` as OUT/name, stamped with when and on how many cores; returns the path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    stamped = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        **result,
    }
    path.write_text(json.dumps(stamped, indent=1) + "\n", encoding="utf-8")
    return path
