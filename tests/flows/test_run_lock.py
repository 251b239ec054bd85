"""One run writes the warehouse at a time: a second waits, or ends as Skipped, never failing
the first. The lock is a real flock on a real file; the runs are real Prefect runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from flows.run_lock import lock_path, read_holder, run_lock

HOLD_FOREVER = """
import sys, time
from pathlib import Path
from flows.run_lock import run_lock
with run_lock(Path(sys.argv[1]), timeout_s=5, label="doomed") as turn:
    print("held" if turn.acquired else "missed", flush=True)
    time.sleep(600)
"""


def test_a_second_run_waits_for_the_first_then_goes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    released = threading.Event()

    def first() -> None:
        with run_lock(db, timeout_s=1, label="first") as turn:
            assert turn.acquired
            time.sleep(0.6)
        released.set()

    holder = threading.Thread(target=first)
    holder.start()
    time.sleep(0.1)
    seen: list[dict | None] = []
    with run_lock(db, timeout_s=10, label="second", on_wait=seen.append) as turn:
        assert released.is_set()  # only once the first let go
        assert turn.acquired and turn.waited_s >= 0.4
        assert read_holder(db)["label"] == "second"
    holder.join()
    assert seen and seen[0]["label"] == "first"


def test_a_second_run_gives_up_and_names_what_it_waited_for(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with (
        run_lock(db, timeout_s=1, label="nightly", flow_run_id="abc") as first,
        run_lock(db, timeout_s=0.5, label="second") as second,
    ):
        assert first.acquired and not second.acquired
        message = second.skip_message(db)
        assert (
            "nightly" in message and "flow run abc" in message and "nothing was written" in message
        )
    # The first's release leaves the lock free and the file without a holder.
    assert read_holder(db) is None
    with run_lock(db, timeout_s=0, label="third") as turn:
        assert turn.acquired


def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOREVER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with run_lock(db, timeout_s=0.3, label="x") as turn:
            assert not turn.acquired
    finally:
        holder.kill()
        holder.wait()
    with run_lock(db, timeout_s=2, label="after") as turn:
        assert turn.acquired and turn.waited_s < 1
    assert lock_path(db).exists()


def test_a_run_that_cannot_get_the_warehouse_ends_skipped_and_writes_nothing(
    prefect_api_url: str, seed_dir: Path, warehouse_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    overrides = {
        "db": str(warehouse_path),
        "workers": 1,
        "batch_size": 2,
        "run_lock_timeout_s": 0.5,
    }
    with run_lock(warehouse_path, timeout_s=1, label="a long load"):
        state = newsdesk_run(
            paths=[str(seed_dir)], settings_overrides=overrides, label="second", return_state=True
        )
    assert state.is_completed() and state.name == "Skipped"
    assert "a long load" in state.message
    summary = state.result()
    assert summary["status"] == "skipped" and summary["ingested"] == 0
    assert not warehouse_path.exists()


def test_a_waiting_run_loads_once_the_holder_lets_go(
    prefect_api_url: str, seed_dir: Path, warehouse_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    overrides = {"db": str(warehouse_path), "workers": 1, "batch_size": 2, "run_lock_timeout_s": 60}
    released_at: list[float] = []

    def hold() -> None:
        with run_lock(warehouse_path, timeout_s=1, label="holder"):
            time.sleep(2.0)
            released_at.append(time.time())

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    state = newsdesk_run(
        paths=[str(seed_dir)], settings_overrides=overrides, label="waits", return_state=True
    )
    holder.join()
    assert state.is_completed() and state.name == "Completed"
    assert state.result()["loaded"] == 1
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        [(started,)] = con.execute("SELECT epoch(started_at) FROM runs").fetchall()
    assert started >= released_at[0]
