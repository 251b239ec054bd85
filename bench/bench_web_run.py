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
import os
import tempfile
from pathlib import Path

from bench.bench_fetch import local_hosts
from bench.runner import run_newsdesk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    with (
        local_hosts(args.hosts, args.pages) as (ports, hits),
        tempfile.TemporaryDirectory() as scratch,
    ):
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
            run = run_newsdesk(command, env)
            elapsed, summary = run["wall_s"], run["summary"]
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
