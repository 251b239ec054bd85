"""How fast a small run starts: `newsdesk run samples/text/` (the two seeds) with a Prefect
server already up, wall time from the command's start to its exit (interpreter shutdown
included), in three cases:
- fresh: into a new warehouse (its migrations included);
- rescan: `--rescan` on that warehouse (the whole pipeline again, every document a duplicate);
- unchanged: the plain command again (every file unchanged: no pipeline).

    .venv/bin/python -m bench.bench_seeds [--repeat 5]

Starts its own Prefect server on a free port (a throw-away PREFECT_HOME) and stops it at
the end; each case runs `--repeat` times (a fresh warehouse each time for `fresh`) and
prints min and median wall seconds, with the CPU seconds of the command's process and of
its children (the gate process), and the load average before and after: the machine may be
shared, and the minimum is the steadier figure. Writes .cache/bench/seeds.json.

The gates' CPU (`children`) includes the warm gate helper's (expectations/gate_process.py):
a helper already up is ended first, so the first `fresh` run starts it (its GX import
counted in that run, printed apart as `fresh cold`) and the later runs fork from it, as
runs do once the helper is up like the Prefect server. `NEWSDESK_WARM_GATES=0` measures
runs without it.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.runner import OUT, PROJECT, prefect_server, run_newsdesk, warm_processes, write_result

SEEDS = PROJECT / "samples" / "text"
CASES = ("fresh", "rescan", "unchanged")


def end_warm_helper() -> None:
    """End the warm gate helper of this venv and project, if one is up (it ends by itself
    when idle; here the first run must find none)."""
    for pid in warm_processes()[:1]:
        os.kill(pid, signal.SIGTERM)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(repeat: int, env: dict[str, str]) -> dict[str, list[dict[str, float]]]:
    """`repeat` runs of each case, interleaved (fresh, rescan, unchanged, fresh, …) so that a
    burst of load elsewhere falls on all three alike."""
    runs: dict[str, list[dict[str, float]]] = {case: [] for case in CASES}
    end_warm_helper()
    with tempfile.TemporaryDirectory(prefix="newsdesk-seeds-") as tmp:
        for k in range(repeat):
            db = Path(tmp) / f"w{k}" / "warehouse.duckdb"
            db.parent.mkdir()
            for case in CASES:
                args = ["--db", str(db), "run", str(SEEDS), "--json"]
                if case == "rescan":
                    args.append("--rescan")
                result = run_newsdesk(args, env)
                status = result["summary"]["status"]
                if status != "loaded":
                    raise RuntimeError(f"{case}: the run ended {status}")
                runs[case].append(
                    {
                        "wall_s": result["wall_s"],
                        "cpu_main_s": result["cpu_main_s"],
                        "cpu_children_s": result["cpu_children_s"],
                    }
                )
    return runs


def table(runs: dict[str, list[dict[str, float]]]) -> str:
    lines = [
        f"{'case':<10} {'wall min s':>10} {'median s':>9} {'CPU main s':>10} {'children':>8}"
        "   (min / median over the runs)"
    ]
    first = runs["fresh"][0]
    warm = os.environ.get("NEWSDESK_WARM_GATES") != "0"
    lines.append(
        f"{'fresh cold':<10} {first['wall_s']:>10.2f} {'':>9} {first['cpu_main_s']:>10.2f} "
        f"{first['cpu_children_s']:>8.2f}   (the first run"
        + (": the warm gate helper started)" if warm else ")")
    )
    for case, found in runs.items():
        rows = found[1:] if case == "fresh" and len(found) > 1 else found  # warm ones
        wall = [r["wall_s"] for r in rows]
        main = [r["cpu_main_s"] for r in rows]
        kids = [r["cpu_children_s"] for r in rows]
        lines.append(
            f"{case:<10} {min(wall):>10.2f} {statistics.median(wall):>9.2f} "
            f"{statistics.median(main):>10.2f} {statistics.median(kids):>8.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"repeat": args.repeat}
    with prefect_server() as api_url:
        env = {**os.environ, "PREFECT_API_URL": api_url}
        result["load_before"] = load()
        runs = measure(args.repeat, env)
        result["load_after"] = load()
    result["runs"] = runs
    write_result(args.out, "seeds.json", result)
    print(table(runs))
    print(f"load average before {result['load_before']}, after {result['load_after']}")
    print(f"(figures in {args.out / 'seeds.json'})")


if __name__ == "__main__":
    main()
