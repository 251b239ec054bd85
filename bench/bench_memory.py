"""Peak RSS of a `newsdesk run` (main process and workers) at several sizes: issue 14's flat memory.

    .venv/bin/python -m bench.bench_memory --sizes 2000 20000

Pages are built as `bench.bench_run` builds them (dev-set pages copied with a distinct trailing
comment and a `.meta.json` sidecar, a registry that knows every domain, gates at 1.0), each size
into a fresh warehouse with a Prefect server already up. Only the first run is timed and sampled
(no trafilatura pool, no rerun: those are `make bench`'s), so a large size costs one run.
Peak RSS is the largest VmHWM of the command's process (main) and of any child (workers),
sampled every 0.2 s; the main process's CPU (utime + stime) is printed per document beside
it. Writes .cache/bench/memory.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_run import build_pages, newsdesk_run
from bench.runner import DEVSET, OUT, prefect_server, run_env, write_result


def measure(size: int, devset: Path, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    folder = tmp / f"pages-{size}"
    registry = build_pages(devset, size, folder)
    run = newsdesk_run(
        folder, tmp / f"warehouse-{size}.duckdb", {**env, "NEWSDESK_SOURCES": str(registry)}
    )
    summary = run["summary"]
    return {
        "pages": size,
        "wall_s": run["wall_s"],
        "peak_main_mb": run["peak_main_mb"],
        "peak_workers_mb": run["peak_workers_mb"],
        "cpu_main_ms_per_doc": run["cpu_main_s"] / size * 1000,
        "counts": {k: summary.get(k) for k in ("ingested", "loaded", "duplicates", "quarantined")},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--tmp", type=Path, default=None, help="where pages and warehouses go")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="newsdesk-mem-", dir=args.tmp) as tmp,
        prefect_server("newsdesk-mem-prefect-") as api_url,
    ):
        env = run_env(api_url, args.workers)
        for size in args.sizes:
            rows.append(measure(size, args.devset, env, Path(tmp)))
            r = rows[-1]
            print(
                f"{size:>7} pages  main {r['peak_main_mb']:.0f} MB  workers "
                f"{r['peak_workers_mb']:.0f} MB  {r['wall_s']:.0f} s  main CPU "
                f"{r['cpu_main_ms_per_doc']:.2f} ms/doc  {r['counts']}",
                flush=True,
            )
    write_result(args.out, "memory.json", {"workers": args.workers, "rows": rows})
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        for key in ("peak_main_mb", "peak_workers_mb"):
            change = large[key] / small[key] - 1
            print(f"{key}: {change:+.1%} from {small['pages']} to {large['pages']} pages")
    print("(2 cores shared with other jobs: wall times indicative)", file=sys.stderr)


if __name__ == "__main__":
    main()
