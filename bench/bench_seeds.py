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
helpers already up are ended first, so the first `fresh` run starts the gate helper (its GX
import counted in that run, printed apart as `fresh cold`) and the warm runner
(newsdesk/cli/warm_run.py), and the later runs fork from them, as runs do once the helpers
are up like the Prefect server. A run the runner took is measured in its fork (`CPU main`:
the command's process and the fork). `NEWSDESK_WARM_GATES=0` / `NEWSDESK_WARM_RUNS=0`
measure runs without them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.runner import OUT, PROJECT, prefect_server, run_newsdesk, write_result
from newsdesk.cli.warm_run import stop_helpers

SEEDS = PROJECT / "samples" / "text"
CASES = ("fresh", "rescan", "unchanged")


def end_warm_helpers() -> None:
    """End the warm gate helper and the warm runner of this venv, if up (they end by
    themselves when idle; here the first run must find none)."""
    stop_helpers()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(repeat: int, env: dict[str, str]) -> dict[str, list[dict[str, float]]]:
    """`repeat` runs of each case, interleaved (fresh, rescan, unchanged, fresh, …) so that a
    burst of load elsewhere falls on all three alike."""
    runs: dict[str, list[dict[str, float]]] = {case: [] for case in CASES}
    end_warm_helpers()
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
        + (": the warm helpers started)" if warm else ")")
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
