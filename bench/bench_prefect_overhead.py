"""Two figures for issue 6: how long `newsdesk ui` takes to a healthy Prefect server (fresh
and reused home), and what a Prefect run adds to a run of the samples compared with the same
stage functions called directly in the same process.

    .venv/bin/python -m bench.bench_prefect_overhead [--repeat 3] [--workers 1]

Starts its own server on a free port with a throw-away PREFECT_HOME and stops it at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newsdesk.core.config import PROJECT_DIR, load_settings

SAMPLES = PROJECT_DIR / "samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_healthy(home: Path, port: int) -> tuple[float, float]:
    """Seconds to healthy on a fresh home, then again on the same (migrated) home."""
    from newsdesk.cli.ui import open_ui, stop_local_server

    settings = load_settings().replace(prefect_home=home, prefect_port=port)
    os.environ.pop("PREFECT_API_URL", None)
    fresh = open_ui(settings)
    assert fresh.started
    stop_local_server(settings)
    warm = open_ui(settings)
    os.environ["PREFECT_API_URL"] = warm.api_url
    return fresh.seconds_to_healthy, warm.seconds_to_healthy


@contextlib.contextmanager
def without_prefect() -> Iterator[None]:
    """flows.pipeline with its tasks replaced by their plain functions, no run logger, no
    artifacts: the stage functions called directly, the same code path otherwise."""
    import flows.pipeline as pipeline
    from flows.run_lock import run_lock

    @contextlib.contextmanager
    def plain_turn(db: Path, *, timeout_s: float, label: str) -> Iterator[Any]:
        with run_lock(db, timeout_s=timeout_s, label=label) as turn:
            yield turn

    from prefect import Task

    # Every Prefect task the flow module calls, by whatever name, becomes its plain function.
    swaps: dict[str, Any] = {
        name: value.fn for name, value in vars(pipeline).items() if isinstance(value, Task)
    }
    swaps |= {
        "get_run_logger": lambda: logging.getLogger("bench"),
        "publish_run_artifacts": lambda *args: None,
        "flow_turn": plain_turn,
    }
    saved = {name: getattr(pipeline, name) for name in swaps}
    for name, value in swaps.items():
        setattr(pipeline, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pipeline, name, value)


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "prefect"
        port = free_port()
        os.environ["PREFECT_HOME"] = str(home)
        fresh, warm = time_to_healthy(home, port)
        print(
            f"newsdesk ui → healthy server: {fresh:.1f} s on a fresh home, "
            f"{warm:.1f} s on a used one"
        )
        try:
            from flows.pipeline import newsdesk_run

            def run(name: str, direct: bool) -> float:
                params = {
                    "paths": [str(SAMPLES)],
                    "settings_overrides": {
                        "db": str(Path(scratch) / f"{name}.duckdb"),
                        "workers": args.workers,
                    },
                }
                if direct:
                    with without_prefect():
                        return timed(lambda: newsdesk_run.fn(**params))
                return timed(lambda: newsdesk_run(**params))

            run("warm-up-prefect", direct=False)  # imports (GX, trafilatura), process pool
            run("warm-up-direct", direct=True)
            with_prefect, direct = [], []
            for i in range(args.repeat):
                with_prefect.append(run(f"prefect-{i}", direct=False))
                direct.append(run(f"direct-{i}", direct=True))
        finally:
            from newsdesk.cli.ui import stop_local_server

            stop_local_server(load_settings().replace(prefect_home=home, prefect_port=port))
    p, d = statistics.median(with_prefect), statistics.median(direct)
    print(
        f"samples run, median of {args.repeat}: Prefect flow {p:.2f} s, stage functions "
        f"directly {d:.2f} s → Prefect adds {p - d:.2f} s ({(p - d) / d:.0%})"
    )
    print("  prefect:", " ".join(f"{t:.2f}" for t in with_prefect))
    print("  direct: ", " ".join(f"{t:.2f}" for t in direct))


if __name__ == "__main__":
    main()
