"""`make bench`: the whole `newsdesk run` at two sizes next to bare trafilatura, one table.

    .venv/bin/python -m bench.bench_run                 # 1,000 and 10,000 pages
    .venv/bin/python -m bench.bench_run --quick         # 100 and 300 pages, under 2 minutes
    .venv/bin/python -m bench.bench_run --sizes 500 2000 --workers 2   # one size or more

Pages: the dev set's segments/html pages (about 128 KB each), copied as often as a size
needs, each copy with one distinct trailing comment and a `.meta.json` sidecar (the page's
URL with `?copy=K`, its domain as source), and a registry with one source per domain, so
that every page goes through all four stages and the load.
- trafilatura: `trafilatura.extract(html, with_metadata=True, include_comments=False)` on a
  warm spawn pool of W processes over the same files' bytes (read before timing).
- newsdesk: `newsdesk run DIR --json` into a fresh warehouse (W workers, gate thresholds at
  1.0 so that no gate stops the run), with a Prefect server already up (a temporary one on
  a free port); docs/s = pages / wall time of the command. Peak RSS and CPU seconds of the
  command's process (main) and of its children (workers, the gate process; CPU ms/doc
  shows all of them together, then main's and the gate process's own) as bench/runner.py
  samples them: on a shared machine the CPU figures are the steadier ones.
- rerun: the same command again on the unchanged folder; its share = rerun / first run.
Writes .cache/bench/run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.runner import DEVSET, OUT, cpu_s, prefect_server, run_env, run_newsdesk, write_result


def build_pages(devset: Path, pages: int, folder: Path) -> Path:
    """`pages` copies of the dev set pages in `folder`, with sidecars; returns the registry."""
    truth = [
        json.loads(line)
        for line in (devset / "segments" / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    originals = [(f"{item['id']}.html", item["url"]) for item in truth]
    domains: set[str] = set()
    folder.mkdir(parents=True)
    for k in range(pages):
        name, url = originals[k % len(originals)]
        domain = (urlsplit(url).hostname or "unknown.example").removeprefix("www.")
        domains.add(domain)
        html = (devset / "segments" / "html" / name).read_bytes()
        target = folder / f"{k:06d}-{name}"
        target.write_bytes(html + f"\n<!-- copy {k} -->\n".encode())
        sep = "&" if "?" in url else "?"
        sidecar = {"url": f"{url}{sep}copy={k}", "source": domain}
        (folder / f"{target.name}.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    registry = folder.parent / "sources.toml"
    registry.write_text(
        "".join(
            f'[[source]]\nname = "{d}"\ndomains = ["{d}"]\ntimezone = "UTC"\n\n'
            for d in sorted(domains)
        ),
        encoding="utf-8",
    )
    return registry


def _extract(html: bytes) -> int:
    import trafilatura

    text = trafilatura.extract(html, with_metadata=True, include_comments=False)
    return len(text or "")


def _warm(started: Queue[int]) -> None:
    import trafilatura  # noqa: F401

    started.put(os.getpid())  # the pool's workers, for their CPU seconds


def trafilatura_rate(folder: Path, workers: int) -> tuple[float, float]:
    """docs/s, and the pool's CPU seconds per document."""
    pages = [p.read_bytes() for p in sorted(folder.glob("*.html"))]
    context = get_context("spawn")
    started: Queue[int] = context.Queue()
    with ProcessPoolExecutor(workers, context, _warm, (started,)) as pool:
        list(pool.map(_extract, pages[: workers * 2]))  # warm: workers start when work comes
        pids = [started.get(timeout=600) for _ in range(workers)]  # every one of them up
        cpu_before = sum(cpu_s(pid) or 0.0 for pid in pids)
        started = time.perf_counter()
        list(pool.map(_extract, pages, chunksize=max(1, len(pages) // (workers * 4))))
        wall = time.perf_counter() - started
        cpu = sum(cpu_s(pid) or 0.0 for pid in pids) - cpu_before
        return len(pages) / wall, cpu / len(pages)


def newsdesk_run(folder: Path, db: Path, env: dict[str, str]) -> dict[str, Any]:
    """One `newsdesk run`: wall time, its summary, peak RSS and CPU of main and of the workers."""
    return run_newsdesk(["--db", str(db), "run", str(folder), "--json"], env)


def measure(size: int, workers: int, devset: Path, env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        folder = Path(tmp) / "pages"
        registry = build_pages(devset, size, folder)
        env = {**env, "NEWSDESK_SOURCES": str(registry)}
        traf, traf_cpu = trafilatura_rate(folder, workers)
        db = Path(tmp) / "warehouse.duckdb"
        first = newsdesk_run(folder, db, env)
        rerun = newsdesk_run(folder, db, env)
        shutil.rmtree(folder)
    s, again = first["summary"], rerun["summary"]
    return {
        "pages": size,
        "workers": workers,
        "trafilatura_docs_s": traf,
        "trafilatura_cpu_ms_per_doc": traf_cpu * 1000,
        "newsdesk_cpu_ms_per_doc": (first["cpu_main_s"] + first["cpu_children_s"]) / size * 1000,
        "cpu_main_s": first["cpu_main_s"],
        "cpu_children_s": first["cpu_children_s"],
        "cpu_gates_s": first["cpu_gates_s"],
        "rerun_cpu_main_s": rerun["cpu_main_s"],
        "newsdesk_docs_s": size / first["wall_s"],
        "ratio": size / first["wall_s"] / traf,
        "first_s": first["wall_s"],
        "peak_main_mb": first["peak_main_mb"],
        "peak_workers_mb": first["peak_workers_mb"],
        "rerun_s": rerun["wall_s"],
        "rerun_share": rerun["wall_s"] / first["wall_s"],
        "first": {k: s.get(k) for k in ("ingested", "loaded", "duplicates", "quarantined")},
        "rerun": {k: again.get(k) for k in ("ingested", "files_read", "unchanged_files")},
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'pages':>6} {'traf. docs/s':>12} {'newsdesk docs/s':>15} {'ratio':>6} "
        f"{'RSS main MB':>11} {'RSS workers MB':>14} {'first s':>8} {'rerun s':>8} {'share':>6} "
        f"{'CPU ms/doc traf.':>16} {'newsdesk':>8} {'(main)':>6} {'(gates)':>7}"
    ]
    for r in rows:
        lines.append(
            f"{r['pages']:>6} {r['trafilatura_docs_s']:>12.1f} {r['newsdesk_docs_s']:>15.1f} "
            f"{r['ratio']:>6.2f} {r['peak_main_mb']:>11.0f} {r['peak_workers_mb']:>14.0f} "
            f"{r['first_s']:>8.1f} {r['rerun_s']:>8.1f} {r['rerun_share']:>6.1%} "
            f"{r['trafilatura_cpu_ms_per_doc']:>16.1f} {r['newsdesk_cpu_ms_per_doc']:>8.1f} "
            f"{r['cpu_main_s'] / r['pages'] * 1000:>6.1f} "
            f"{r['cpu_gates_s'] / r['pages'] * 1000:>7.1f}"
        )
    for r in rows:
        lines.append(f"  {r['pages']} pages: first run {r['first']}, rerun {r['rerun']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=(1000, 10_000))
    parser.add_argument("--quick", action="store_true", help="100 and 300 pages")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sizes = (100, 300) if args.quick else tuple(args.sizes)
    if not (args.devset / "segments" / "truth.jsonl").exists():
        raise SystemExit(f"make bench needs the dev set at {args.devset}")

    rows = []
    with prefect_server() as api_url:
        env = run_env(api_url, args.workers)
        for size in sizes:
            rows.append(measure(size, args.workers, args.devset, env))
            print(f"  {size} pages done", file=sys.stderr)
    measured = __doc__.split("Pages:", 1)[1].split("Writes", 1)[0].strip()
    write_result(args.out, "run.json", {"rows": rows, "measured": measured})
    print(table(rows))
    print(f"(figures in {args.out / 'run.json'}; 2 cores shared with other jobs: indicative)")


if __name__ == "__main__":
    main()
