"""Where a `newsdesk run`'s CPU goes, over time: one run on N dev-set pages (built as
`make bench` builds them), each process of it sampled every 0.2 s, printed as a timeline
(CPU seconds per interval of each part) and as totals.

    .venv/bin/python -m bench.bench_timeline --pages 2000 [--step 2.0]

Parts: `main` (the run's own process), `gates` (the gate process), `workers` (the pool),
and `server` (the Prefect server this bench started: the CPU its task runs cost there, on
the same cores, though not the run's own). A core the timeline shows idle while the run
goes is wall time no process used: the start-up before the workers get pages, the tail
after them (on a machine shared with other jobs, other processes fill it). The run's log
lines (its own per-step CPU and wall seconds included) are printed after it.
`--py-spy PATH` (a py-spy binary) also samples the main process's threads
(`py-spy record --format raw`: one line per stack, with its count) into `--out`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench.bench_run import build_pages
from bench.runner import (
    DEVSET,
    NEWSDESK,
    PROJECT,
    children,
    comm,
    cpu_s,
    prefect_server,
    run_env,
    warm_processes,
)
from expectations.gate_process import GATE_PROCESS_NAME, WARM_PROCESS_NAME

_SAMPLE_S = 0.2
_TICK = os.sysconf("SC_CLK_TCK")


def _group(pid: int, main: int, gates: set[int]) -> str:
    if pid == main:
        return "main"
    if pid in gates or comm(pid) in (GATE_PROCESS_NAME, WARM_PROCESS_NAME):
        gates.add(pid)
        return "gates"
    return "workers"


def sample_run(
    args: list[str], env: dict[str, str], py_spy: Path | None = None, out: Path | None = None
) -> tuple[list[tuple[float, dict]], str]:
    """Runs `newsdesk ARGS`; returns [(seconds since start, {part: cpu so far})] and stderr.
    With `py_spy`, the main process's stacks are sampled into `out`."""
    samples: list[tuple[float, dict[str, float]]] = []
    gates: set[int] = set()
    last: dict[int, tuple[str, float]] = {}
    done = threading.Event()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(NEWSDESK), *args], stdout=stdout, stderr=err, cwd=PROJECT, env=env
        )
        spy = (
            subprocess.Popen(
                [
                    str(py_spy),
                    "record",
                    "--pid",
                    str(proc.pid),
                    "--rate",
                    "50",
                    "--threads",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if py_spy is not None and out is not None
            else None
        )

        # the Prefect server (this process's other child processes): its work for the run's
        # task runs is CPU on the same cores, though not the run's own
        ours = {proc.pid, *children(proc.pid), spy.pid if spy else 0}
        servers = [p for p in children(os.getpid()) if p not in ours]
        server_before = sum(cpu_s(p) or 0.0 for p in servers)
        # the warm gate helper and its forks: the gates' CPU, counted from the run's start
        warm_before = {p: cpu_s(p) or 0.0 for p in warm_processes()}

        def sample() -> None:
            while not done.is_set():
                server = sum(cpu_s(p) or 0.0 for p in servers) - server_before
                tree = [proc.pid, *children(proc.pid)]
                for pid in tree:
                    if (seconds := cpu_s(pid)) is not None:
                        last[pid] = (_group(pid, proc.pid, gates), seconds)
                for pid in set(warm_processes()) - set(tree):
                    if (seconds := cpu_s(pid)) is not None:
                        last[pid] = ("gates", seconds - warm_before.get(pid, 0.0))
                parts: dict[str, float] = defaultdict(float)
                for group, seconds in last.values():
                    parts[group] += seconds
                parts["server"] = server
                samples.append((time.perf_counter() - started, dict(parts)))
                done.wait(_SAMPLE_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        done.set()
        sampler.join()
        if spy is not None:
            spy.wait(timeout=60)
        err.seek(0)
        stderr = err.read().decode()
    if proc.returncode:
        raise RuntimeError(f"newsdesk failed ({proc.returncode}):\n{stderr[-3000:]}")
    samples.append((time.perf_counter() - started, samples[-1][1]))
    return samples, stderr


def report(samples: list[tuple[float, dict[str, float]]], step: float, pages: int) -> str:
    total = samples[-1][1]
    parts = ["main", "gates", "workers", "server"]
    lines = [f"{'t s':>6} " + " ".join(f"{p:>8}" for p in parts) + "  busy of 2 cores"]
    previous: dict[str, float] = {}
    edge = step
    for t, cpu in samples:
        if t < edge and t != samples[-1][0]:
            continue
        used = {p: cpu.get(p, 0.0) - previous.get(p, 0.0) for p in parts}
        busy = sum(used.values()) / step  # the server's share included
        lines.append(
            f"{t:>6.1f} "
            + " ".join(f"{used[p]:>8.2f}" for p in parts)
            + f"  {busy:>5.2f} "
            + "#" * round(busy * 10)
        )
        previous = cpu
        edge += step
    wall = samples[-1][0]
    lines.append(f"wall {wall:.1f} s, {pages} pages, {pages / wall:.1f} docs/s")
    for p in parts:
        cpu = total.get(p, 0.0)
        lines.append(f"  {p:<8} {cpu:7.2f} s CPU  {cpu / pages * 1e3:6.2f} ms/doc")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--step", type=float, default=2.0, help="seconds per timeline line")
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--py-spy", type=Path, help="a py-spy binary: sample the main process")
    parser.add_argument("--out", type=Path, default=Path(".cache/bench/main.pyspy.txt"))
    args = parser.parse_args(argv)
    with prefect_server() as api_url, tempfile.TemporaryDirectory(prefix="newsdesk-tl-") as tmp:
        folder = Path(tmp) / "pages"
        registry = build_pages(args.devset, args.pages, folder)
        env = {
            **run_env(api_url, args.workers),
            "NEWSDESK_SOURCES": str(registry),
            "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO",  # the run's log, on stderr
        }
        db = Path(tmp) / "warehouse.duckdb"
        args.out.parent.mkdir(parents=True, exist_ok=True)
        samples, stderr = sample_run(
            ["--db", str(db), "run", str(folder), "--json"], env, args.py_spy, args.out
        )
    print(report(samples, args.step, args.pages))
    for line in stderr.splitlines():
        if "|" in line:  # the run's own log lines, not the server's
            print(line[-600:])


if __name__ == "__main__":
    main()
