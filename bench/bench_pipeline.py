"""`make bench`: docs/second and peak memory of the pipeline's ingest + clean + extract, next
to bare trafilatura.extract on the same pages, with one worker and with N; and the wall time
of a full `newsdesk run` on samples/ into a throw-away warehouse.

    .venv/bin/python -m bench.bench_pipeline                  # 200 pages, 1 and 2 workers
    .venv/bin/python -m bench.bench_pipeline --pages 100 --workers 4

Pages: the first N dev set pages of segments/html, and the w3m text dumps of the same pages.
Each measurement runs in a fresh Python process of its own, so its peak RSS (ru_maxrss) is its
alone: `main` is that process, `worker` the largest of its pool processes. In each:
- pipeline: `newsdesk extract`'s own loop (extract_paths, gates off; W workers, W=1: in
  process): read, decode, learn templates, clean, extract, make records. It starts its pool
  per call, so docs/s = (N - 10) / (time for N pages - time for the first 10), both timed
  after an untimed warm-up call: start-up costs cancel out.
- trafilatura: `trafilatura.extract(html)` (default settings) on the same files' bytes
  (it decodes them itself); W>1: a spawn pool of W processes mapping over the pages in the
  chunks newsdesk's RowMapper uses.
  It first handles 10 pages untimed (imports, worker start-up, first-use caches).
`newsdesk run`: the real command (Prefect flow, gates, DuckDB load) on samples/ with a
temporary --db; its wall time includes Prefect start-up (the local server is reused if up).
Writes .cache/bench/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.runner import DEVSET, OUT, PROJECT, run_newsdesk, write_result

WARM_UP = 10
KINDS = {"html": "html", "text": "text-w3m"}  # input → dev set folder


def page_paths(devset: Path, kind: str, pages: int) -> list[Path]:
    return sorted((devset / "segments" / KINDS[kind]).iterdir())[:pages]


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def measure_pipeline(paths: list[Path], workers: int) -> dict[str, Any]:
    """`newsdesk extract`'s own loop (flows.extract_only.extract_paths, gates off) over
    the pages: ingest, templates, clean, extract, records. It makes its pool per call, so
    docs/s = (N - 10) / (time of N pages - time of 10 pages), both timed after an untimed
    warm-up call: per-call costs (pool start-up) cancel out."""
    from flows.extract_only import extract_paths
    from newsdesk.core.config import load_settings
    from newsdesk.core.registry import load_registry

    settings = load_settings(overrides={"workers": workers})
    registry = load_registry(settings.sources)

    def timed(some: list[Path]) -> tuple[float, list[dict[str, Any]]]:
        started = time.perf_counter()
        records = list(extract_paths(some, settings, registry, gates=False))
        return time.perf_counter() - started, records

    timed(paths[:WARM_UP])
    setup_mb = _peak_mb(resource.RUSAGE_SELF)
    few, _ = timed(paths[:WARM_UP])
    seconds, records = timed(paths)
    return {
        "docs": len(records),
        "seconds": seconds - few,
        "timed_docs": len(records) - WARM_UP,
        "articles": sum(1 for r in records if r["body"]),
        "setup_mb": setup_mb,
    }


def _extract(html: bytes) -> int:
    import trafilatura

    return len(trafilatura.extract(html) or "")


def _import_trafilatura() -> None:
    import trafilatura  # noqa: F401  (worker start-up, kept out of the timed part)


def measure_trafilatura(paths: list[Path], workers: int) -> dict[str, Any]:
    pages = [p.read_bytes() for p in paths]
    extract: Callable[[list[bytes]], list[int]]
    pool = None
    if workers == 1:
        _import_trafilatura()

        def extract(batch: list[bytes]) -> list[int]:
            return [_extract(html) for html in batch]

    else:
        pool = ProcessPoolExecutor(workers, get_context("spawn"), _import_trafilatura)
        chunk = max(1, len(pages) // (workers * 4))  # RowMapper's chunking

        def extract(batch: list[bytes]) -> list[int]:
            return list(pool.map(_extract, batch, chunksize=chunk))

    try:
        extract(pages[:WARM_UP])
        setup_mb = _peak_mb(resource.RUSAGE_SELF)
        started = time.perf_counter()
        sizes = extract(pages)
        seconds = time.perf_counter() - started
    finally:
        if pool is not None:
            pool.shutdown()
    return {
        "docs": len(pages),
        "seconds": seconds,
        "timed_docs": len(pages),
        "articles": sum(1 for n in sizes if n),
        "setup_mb": setup_mb,
    }


SYSTEMS = {"pipeline": measure_pipeline, "trafilatura": measure_trafilatura}


def one(system: str, kind: str, pages: int, workers: int, devset: Path) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    result = SYSTEMS[system](page_paths(devset, kind, pages), workers)
    return {
        **result,
        "docs_per_s": result["timed_docs"] / result["seconds"],
        "peak_main_mb": _peak_mb(resource.RUSAGE_SELF),
        "peak_worker_mb": _peak_mb(resource.RUSAGE_CHILDREN) if workers > 1 else None,
    }


def in_fresh_process(system: str, kind: str, pages: int, workers: int, devset: Path) -> dict:
    command = [sys.executable, "-m", "bench.bench_pipeline", "--one", system, kind]
    command += ["--pages", str(pages), "--workers", str(workers), "--devset", str(devset)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def newsdesk_run(samples: Path) -> dict[str, Any]:
    """The full `newsdesk run` on samples/ into a temporary warehouse: wall time, exit status,
    the largest RSS of the command's process tree, and whether Prefect's server was up."""
    from newsdesk.cli.prefect_server import is_healthy, local_api_url
    from newsdesk.core.config import load_settings

    server_up = is_healthy(os.environ.get("PREFECT_API_URL") or local_api_url(load_settings()))
    with tempfile.TemporaryDirectory() as tmp:
        run = run_newsdesk(["--db", f"{tmp}/warehouse.duckdb", "run", str(samples), "--json"])
    summary = run["summary"]
    return {
        "wall_s": run["wall_s"],
        "peak_mb": run["peak_mb"],
        "prefect_server_was_up": server_up,
        "ingested": summary.get("ingested"),
        "loaded": summary.get("loaded"),
        "quarantined": summary.get("quarantined"),
        "status": summary.get("status"),
    }


def table(rows: list[dict[str, Any]], run: dict[str, Any]) -> str:
    lines = [
        f"{'input':<6} {'system':<28} {'workers':>7} {'docs':>5} {'docs/s':>8} "
        f"{'vs traf.':>8} {'peak main MB':>12} {'peak worker MB':>14}"
    ]
    reference = {
        r["workers"]: r["docs_per_s"]
        for r in rows
        if r["system"] == "trafilatura" and r["kind"] == "html"
    }
    for r in rows:
        name = "newsdesk extract loop" if r["system"] == "pipeline" else "trafilatura.extract"
        ratio = r["docs_per_s"] / reference[r["workers"]]
        worker = f"{r['peak_worker_mb']:>14.0f}" if r["peak_worker_mb"] else f"{'-':>14}"
        lines.append(
            f"{r['kind']:<6} {name:<28} {r['workers']:>7} {r['docs']:>5} "
            f"{r['docs_per_s']:>8.1f} {ratio:>7.2f}x {r['peak_main_mb']:>12.0f} {worker}"
        )
    lines.append(
        f"newsdesk run samples/ ({run['ingested']} docs, {run['status']}): "
        f"{run['wall_s']:.1f} s wall, peak {run['peak_mb']:.0f} MB (largest process), Prefect "
        f"server {'already up' if run['prefect_server_was_up'] else 'started by the run'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="N")
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--samples", type=Path, default=PROJECT / "samples")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--one", nargs=2, metavar=("SYSTEM", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        system, kind = args.one
        print(json.dumps(one(system, kind, args.pages, args.workers, args.devset)))
        return
    rows = []
    for workers in sorted({1, args.workers}):
        # alternate the systems so that a change in machine load hits both
        for system, kind in (("trafilatura", "html"), ("pipeline", "html"), ("pipeline", "text")):
            result = in_fresh_process(system, kind, args.pages, workers, args.devset)
            rows.append({"system": system, "kind": kind, "workers": workers, **result})
            print(
                f"  {system} {kind} x{workers}: {result['docs_per_s']:.1f} docs/s", file=sys.stderr
            )
    run = newsdesk_run(args.samples)
    result = {
        "pages": args.pages,
        "python": platform.python_version(),
        "rows": rows,
        "newsdesk_run": run,
        "measured": __doc__.split("Pages:", 1)[1].split("Writes", 1)[0].strip(),
    }
    write_result(args.out, "latest.json", result)
    print(table(rows, run))
    print(f"(figures in {args.out / 'latest.json'})")


if __name__ == "__main__":
    main()
