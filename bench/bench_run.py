"""`make bench`: the whole `newsdesk run` at two sizes next to bare trafilatura, one table.

    .venv/bin/python -m bench.bench_run                 # 1,000 and 10,000 pages
    .venv/bin/python -m bench.bench_run --quick         # 100 and 300 pages, under 2 minutes
    .venv/bin/python -m bench.bench_run --sizes 500 2000 --workers 2

Pages: the dev set's segments/html pages (about 128 KB each), copied as often as a size
needs, each copy with one distinct trailing comment and a `.meta.json` sidecar (the page's
URL with `?copy=K`, its domain as source), and a registry with one source per domain, so
that every page goes through all four stages and the load.
- trafilatura: `trafilatura.extract(html, with_metadata=True, include_comments=False)` on a
  warm spawn pool of W processes over the same files' bytes (read before timing).
- newsdesk: `newsdesk run DIR --json` into a fresh warehouse (W workers, gate thresholds at
  1.0 so that no gate stops the run), with a Prefect server already up (a temporary one on
  a free port); docs/s = pages / wall time of the command. Peak RSS: the largest VmHWM seen
  of the command's process (main) and of its child processes (workers and the gate process),
  sampled every 0.2 s; CPU seconds of main and of the children likewise (utime + stime from
  /proc, the last value seen of each process): on a shared machine the CPU figures are the
  steadier ones.
- rerun: the same command again on the unchanged folder; its share = rerun / first run.
Writes .cache/bench/run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
OUT = PROJECT / ".cache" / "bench"


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


def _warm() -> None:
    import trafilatura  # noqa: F401


def trafilatura_rate(folder: Path, workers: int) -> tuple[float, float]:
    """docs/s, and the pool's CPU seconds per document."""
    pages = [p.read_bytes() for p in sorted(folder.glob("*.html"))]
    with ProcessPoolExecutor(workers, get_context("spawn"), _warm) as pool:
        list(pool.map(_extract, pages[: workers * 2]))  # every worker up and importing
        pids = [p.pid for p in getattr(pool, "_processes", {}).values()]
        cpu_before = sum(_cpu_s(pid) or 0.0 for pid in pids)
        started = time.perf_counter()
        list(pool.map(_extract, pages, chunksize=max(1, len(pages) // (workers * 4))))
        wall = time.perf_counter() - started
        cpu = sum(_cpu_s(pid) or 0.0 for pid in pids) - cpu_before
        return len(pages) / wall, cpu / len(pages)


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return found
    return found + [g for c in found for g in _children(c)]


def newsdesk_run(folder: Path, db: Path, env: dict[str, str]) -> dict[str, Any]:
    """One `newsdesk run`: wall time, its summary, peak RSS of main and of the workers."""
    script = Path(sys.executable).with_name("newsdesk")
    command = [str(script), "--db", str(db), "run", str(folder), "--json"]
    peaks = {"main": 0.0, "workers": 0.0}
    cpu: dict[int, float] = {}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=PROJECT, env=env)

        def sample() -> None:
            while proc.poll() is None:
                peaks["main"] = max(peaks["main"], _hwm_mb(proc.pid))
                for child in _children(proc.pid):
                    peaks["workers"] = max(peaks["workers"], _hwm_mb(child))
                for pid in [proc.pid, *_children(proc.pid)]:
                    if (seconds := _cpu_s(pid)) is not None:
                        cpu[pid] = seconds
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        wall = time.perf_counter() - started
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode:
        raise RuntimeError(f"newsdesk run failed ({proc.returncode}):\n{stderr[-3000:]}")
    summary = json.loads(stdout)
    main_cpu = cpu.pop(proc.pid, 0.0)
    return {
        "wall_s": wall,
        "summary": summary,
        "cpu_main_s": main_cpu,
        "cpu_children_s": sum(cpu.values()),
        **{f"peak_{k}_mb": v for k, v in peaks.items()},
    }


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
        f"{'CPU ms/doc traf.':>16} {'newsdesk':>8} {'(main)':>6}"
    ]
    for r in rows:
        lines.append(
            f"{r['pages']:>6} {r['trafilatura_docs_s']:>12.1f} {r['newsdesk_docs_s']:>15.1f} "
            f"{r['ratio']:>6.2f} {r['peak_main_mb']:>11.0f} {r['peak_workers_mb']:>14.0f} "
            f"{r['first_s']:>8.1f} {r['rerun_s']:>8.1f} {r['rerun_share']:>6.1%} "
            f"{r['trafilatura_cpu_ms_per_doc']:>16.1f} {r['newsdesk_cpu_ms_per_doc']:>8.1f} "
            f"{r['cpu_main_s'] / r['pages'] * 1000:>6.1f}"
        )
    for r in rows:
        lines.append(f"  {r['pages']} pages: first run {r['first']}, rerun {r['rerun']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 10_000))
    parser.add_argument("--quick", action="store_true", help="100 and 300 pages")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sizes = (100, 300) if args.quick else tuple(args.sizes)
    if not (args.devset / "segments" / "truth.jsonl").exists():
        raise SystemExit(f"make bench needs the dev set at {args.devset}")

    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="newsdesk-bench-prefect-")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # no address but 127.0.0.1
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    rows = []
    with prefect_test_harness(server_startup_timeout=180):  # a server up, on a free port
        env = {
            **os.environ,
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "NEWSDESK_PIPELINE_WORKERS": str(args.workers),
            **{f"NEWSDESK_GATES_{s}_THRESHOLD": "1.0" for s in ("INGEST", "CLEAN", "EXTRACT")},
            "NEWSDESK_GATES_LOAD_THRESHOLD": "1.0",
        }
        for size in sizes:
            rows.append(measure(size, args.workers, args.devset, env))
            print(f"  {size} pages done", file=sys.stderr)
    result = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "rows": rows,
        "measured": __doc__.split("Pages:", 1)[1].split("Writes", 1)[0].strip(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "run.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(rows))
    print(f"(figures in {args.out / 'run.json'}; 2 cores shared with other jobs: indicative)")


if __name__ == "__main__":
    main()
