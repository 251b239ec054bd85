"""The whole pipeline on pages fetched from local hosts: `newsdesk run` against N hosts x M
pages (per-host delay 0), then the same run again (incremental: feeds answer 304).

    .venv/bin/python -m bench.bench_web_run              # 20 hosts x 50 pages

The hosts are bench.bench_fetch's (robots.txt, an ETag-aware RSS feed, ~20 KB pages) in a
child process. Each run is the real command in a subprocess, into a fresh warehouse, with
the local Prefect server (started on first use); wall time includes its start-up.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_fetch import _serve


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"newsdesk run failed:\n{done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    ports = manager.list([0] * args.hosts)
    hits, ready = context.Value("q", 0), context.Event()
    server = context.Process(target=_serve, args=(ports, args.pages, hits, ready), daemon=True)
    server.start()
    ready.wait(30)
    with tempfile.TemporaryDirectory() as scratch:
        registry = Path(scratch) / "sources.toml"
        feeds = json.dumps([f"http://127.0.0.1:{port}/feed.xml" for port in ports])
        registry.write_text(
            f'[[source]]\nname = "Bench hosts"\ndomains = ["127.0.0.1"]\n'
            f'timezone = "UTC"\nfeeds = {feeds}\n'
        )
        env = {
            **os.environ,
            "NEWSDESK_FETCH_ALLOW": "127.0.0.1:*",
            "NEWSDESK_FETCH_PER_HOST_DELAY_S": "0",
            "NEWSDESK_FETCH_TOTAL_CONCURRENCY": "32",
        }
        command = [
            str(Path(sys.executable).with_name("newsdesk")),
            "--db",
            str(Path(scratch) / "bench.duckdb"),
            "--sources",
            str(registry),
            "run",
            "--source",
            "Bench hosts",
            "--json",
        ]
        rows = []
        for label in ("first run", "same run again"):
            before = hits.value
            elapsed, summary = run_once(command, env)
            requests = hits.value - before
            rows.append(
                (
                    label,
                    requests,
                    summary["loaded"],
                    summary["duplicates"],
                    summary["quarantined"],
                    elapsed,
                )
            )
    server.terminate()
    print(
        f"{args.hosts} hosts x {args.pages} pages, per-host delay 0; wall time of "
        "`newsdesk run` (start-up included)"
    )
    print(
        f"{'run':<16} {'requests':>8} {'loaded':>7} {'dup':>5} {'quar':>5} {'wall s':>7} "
        f"{'pages/s':>8}"
    )
    for label, requests, loaded, dup, quar, elapsed in rows:
        print(
            f"{label:<16} {requests:>8} {loaded:>7} {dup:>5} {quar:>5} {elapsed:>7.1f} "
            f"{loaded / elapsed:>8.1f}"
        )


if __name__ == "__main__":
    main()
