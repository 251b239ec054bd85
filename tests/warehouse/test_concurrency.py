"""Loads and readers in separate processes on one real file: neither may fail the other."""

import multiprocessing as mp
import threading
import time
import traceback
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.wh_frames import article_row, frames, raw_row
from warehouse.connection import WarehouseBusy, open_read, open_write
from warehouse.load import finish_run, load_batch, start_run
from warehouse.read import query

BATCHES = 30
PER_BATCH = 20
# One statement, so one snapshot: every table must agree on how many batches are in.
SNAPSHOT = """
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(*) FROM article_versions) AS versions,
    (SELECT count(*) FROM article_authors) AS authors,
    (SELECT count(*) FROM raw_documents) AS raw,
    (SELECT coalesce(sum(loaded), 0) FROM runs) AS counted,
    (SELECT count(DISTINCT section) FROM articles) AS batches
"""


def _write(db: str, results: mp.Queue) -> None:
    try:
        run = start_run(db, command="concurrency-test")
        for b in range(BATCHES):
            raws = [
                raw_row(f"batch {b} page {i} ".encode() * 50, f"https://example.com/{b}/{i}", run)
                for i in range(PER_BATCH)
            ]
            articles = [
                article_row(r, f"b{b}-{i}", section=f"batch-{b}") for i, r in enumerate(raws)
            ]
            load_batch(db, run_id=run, **frames(raws, articles), timeout_s=60)
        finish_run(db, {"run_id": run, "status": "loaded"})
        results.put(("writer", None))
    except BaseException:
        results.put(("writer", traceback.format_exc()))


def _read(db: str, stop, results: mp.Queue) -> None:
    seen: list[tuple] = []
    try:
        while not stop.is_set():
            seen.append(query(db, SNAPSHOT, timeout_s=30).row(0))
        seen.append(query(db, SNAPSHOT, timeout_s=30).row(0))
        results.put(("reader", seen))
    except BaseException:
        results.put(("reader", traceback.format_exc()))


def test_a_loader_and_a_tight_reader_loop_never_fail_each_other(tmp_path: Path) -> None:
    db = tmp_path / "newsdesk.duckdb"
    start_run(db, command="create")  # the reader needs a file to open
    ctx = mp.get_context("spawn")
    results, stop = ctx.Queue(), ctx.Event()
    reader = ctx.Process(target=_read, args=(str(db), stop, results))
    writer = ctx.Process(target=_write, args=(str(db), results))
    started = time.monotonic()
    reader.start()
    writer.start()
    first = results.get(timeout=120)
    stop.set()
    second = results.get(timeout=60)
    writer.join(10)
    reader.join(10)
    elapsed = time.monotonic() - started
    outcome = dict([first, second])

    assert outcome["writer"] is None, outcome["writer"]
    assert not isinstance(outcome["reader"], str), outcome["reader"]
    snapshots = outcome["reader"]
    for articles, versions, authors, raw, counted, batches in snapshots:
        assert articles % PER_BATCH == 0  # never part of a batch
        assert articles == versions == raw == counted == batches * PER_BATCH
        assert authors == 2 * articles
    assert snapshots[-1][0] == BATCHES * PER_BATCH  # every batch is in
    # the reader really ran alongside the loads: it saw batches come in one by one
    assert len({s[0] for s in snapshots}) > BATCHES // 3, (len(snapshots), elapsed)
    assert elapsed < 60


def _hold_open(db: str, seconds: float, opened) -> None:
    con = duckdb.connect(db, read_only=True)  # a plain DuckDB client, e.g. an analyst's CLI
    opened.set()
    time.sleep(seconds)
    con.close()


def test_a_load_waits_for_a_reader_that_keeps_the_file_open(db: Path) -> None:
    run = start_run(db, command="test")
    raws = [raw_row(b"page", "https://example.com/a", run)]
    ctx = mp.get_context("spawn")
    opened = ctx.Event()
    holder = ctx.Process(target=_hold_open, args=(str(db), 1.5, opened))
    holder.start()
    assert opened.wait(30)
    started = time.monotonic()
    result = load_batch(db, run_id=run, **frames(raws, [article_row(raws[0], "a")]))
    waited = time.monotonic() - started
    holder.join(10)
    assert result.loaded == 1
    assert waited > 0.5  # it really had to wait, and then succeeded


def test_a_writer_that_runs_out_of_patience_says_why(db: Path) -> None:
    ctx = mp.get_context("spawn")
    opened = ctx.Event()
    holder = ctx.Process(target=_hold_open, args=(str(db), 3, opened))
    holder.start()
    try:
        assert opened.wait(30)
        with pytest.raises(WarehouseBusy, match=r"could not open read-write.*lock"):
            start_run(db, command="test", timeout_s=0.3)
    finally:
        holder.join(10)


def test_a_reader_waits_out_a_writer_in_the_same_process(db: Path) -> None:
    # Within one process DuckDB refuses a read-only connection next to a read-write one
    # ("different configuration"); open_read treats that like the file lock and waits.
    writer = duckdb.connect(str(db))
    writer.execute("CREATE TABLE hold (a INTEGER)")
    timer = threading.Timer(0.5, writer.close)
    timer.start()
    started = time.monotonic()
    with open_read(db, timeout_s=10) as reader:
        assert reader.execute("SELECT count(*) FROM hold").fetchone() == (0,)
    assert time.monotonic() - started > 0.3
    timer.join()


def test_a_reader_waits_for_a_load_in_another_thread(db: Path) -> None:
    inside, leave = threading.Event(), threading.Event()

    def write() -> None:
        with open_write(db) as con:
            con.execute("CREATE TABLE hold (a INTEGER)")
            inside.set()
            leave.wait(10)
            con.execute("INSERT INTO hold VALUES (1)")

    thread = threading.Thread(target=write)
    thread.start()
    assert inside.wait(10)
    threading.Timer(0.3, leave.set).start()
    assert query(db, "SELECT a FROM hold").rows() == [(1,)]  # waited, saw the whole write
    thread.join()
