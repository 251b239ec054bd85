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


def _write(db: str, reading, results: mp.Queue) -> None:
    try:
        # The loads start once the reader has read: a process that is slow to start on a
        # loaded machine must not find the load over (the test is about the two together).
        if not reading.wait(120):
            raise AssertionError("the reader never read")
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


def _read(db: str, reading, stop, results: mp.Queue) -> None:
    seen: list[tuple] = []
    try:
        while not stop.is_set():
            seen.append(query(db, SNAPSHOT, timeout_s=30).row(0))
            reading.set()
        seen.append(query(db, SNAPSHOT, timeout_s=30).row(0))
        results.put(("reader", seen))
    except BaseException:
        results.put(("reader", traceback.format_exc()))


def test_a_loader_and_a_tight_reader_loop_never_fail_each_other(tmp_path: Path) -> None:
    db = tmp_path / "newsdesk.duckdb"
    start_run(db, command="create")  # the reader needs a file to open
    ctx = mp.get_context("spawn")
    results, reading, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    reader = ctx.Process(target=_read, args=(str(db), reading, stop, results))
    writer = ctx.Process(target=_write, args=(str(db), reading, results))
    reader.start()
    writer.start()
    # generous: these only stop a hang (pytest-timeout would, later and with less to say)
    first = results.get(timeout=240)
    stop.set()
    second = results.get(timeout=240)
    writer.join(10)
    reader.join(10)
    outcome = dict([first, second])

    assert outcome["writer"] is None, outcome["writer"]
    assert not isinstance(outcome["reader"], str), outcome["reader"]
    snapshots = outcome["reader"]
    for articles, versions, authors, raw, counted, batches in snapshots:
        assert articles % PER_BATCH == 0  # never part of a batch
        assert articles == versions == raw == counted == batches * PER_BATCH
        assert authors == 2 * articles
    assert snapshots[0][0] == 0  # the reader read before the first load
    assert snapshots[-1][0] == BATCHES * PER_BATCH  # every batch is in
    # The reader was not held off for the whole load: it saw batches come in. How many it
    # saw depends on how the two processes are scheduled (on a loaded machine, few), so
    # that is not counted; a loader that kept readers out until it was done (the
    # turnstile lets waiting readers in between batches) would leave none.
    partial = {s[0] for s in snapshots} - {0, BATCHES * PER_BATCH}
    assert len(partial) >= 2, (len(snapshots), sorted(partial))


def _hold_open(db: str, opened, release) -> None:
    con = duckdb.connect(db, read_only=True)  # a plain DuckDB client, e.g. an analyst's CLI
    opened.set()
    release.wait(120)  # until the test is done with it (the bound only stops a hang)
    con.close()


def test_a_load_waits_for_a_reader_that_keeps_the_file_open(db: Path) -> None:
    run = start_run(db, command="test")
    raws = [raw_row(b"page", "https://example.com/a", run)]
    ctx = mp.get_context("spawn")
    opened, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_open, args=(str(db), opened, release))
    holder.start()
    assert opened.wait(60)
    # The file is held when the load starts and until half a second later at least, however
    # late this process is scheduled: the load cannot have got in before that.
    started = time.monotonic()
    threading.Timer(0.5, release.set).start()
    result = load_batch(db, run_id=run, **frames(raws, [article_row(raws[0], "a")]))
    waited = time.monotonic() - started
    holder.join(10)
    assert result.loaded == 1
    assert waited >= 0.5  # it really had to wait, and then succeeded


def test_a_writer_that_runs_out_of_patience_says_why(db: Path) -> None:
    ctx = mp.get_context("spawn")
    opened, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_open, args=(str(db), opened, release))
    holder.start()
    try:
        assert opened.wait(60)
        with pytest.raises(WarehouseBusy, match=r"could not open read-write.*lock"):
            start_run(db, command="test", timeout_s=0.3)
    finally:
        release.set()  # held until then, however long the wait took on a loaded machine
        holder.join(10)


def test_a_wait_on_a_client_outside_newsdesk_is_told_once(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by hand: with a notebook holding the warehouse, `newsdesk run` waited
    write_lock_timeout_s (300 s) without a word, then failed. The run's terminal is told who
    holds it, once, and how long the wait may last."""
    import os

    from warehouse import connection

    monkeypatch.setattr(connection, "_NOTICE_AFTER_S", 0.2)
    told: list[str] = []
    connection.on_lock_wait(told.append)
    ctx = mp.get_context("spawn")
    opened, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_open, args=(str(db), opened, release))
    holder.start()
    try:
        assert opened.wait(60)
        with pytest.raises(WarehouseBusy):
            start_run(db, command="test", timeout_s=1.5)
    finally:
        connection.on_lock_wait(None)
        release.set()
        holder.join(10)
    [message] = told
    assert f"{db} is held open by" in message and "write_lock_timeout_s" in message
    assert f"(PID {holder.pid})" in message and holder.pid != os.getpid()


def test_a_reader_waits_out_a_writer_in_the_same_process(db: Path) -> None:
    # Within one process DuckDB refuses a read-only connection next to a read-write one
    # ("different configuration"); open_read treats that like the file lock and waits.
    writer = duckdb.connect(str(db))
    writer.execute("CREATE TABLE hold (a INTEGER)")
    started = time.monotonic()  # before the timer: the writer is open for 0.5 s of this
    timer = threading.Timer(0.5, writer.close)
    timer.start()
    with open_read(db, timeout_s=30) as reader:
        assert reader.execute("SELECT count(*) FROM hold").fetchone() == (0,)
    assert time.monotonic() - started >= 0.5
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
