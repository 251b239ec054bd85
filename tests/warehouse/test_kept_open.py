"""A warehouse kept open by a process (a small run): its own readers and writers connect to
the open database; other processes wait for it, then get the file, with everything in it."""

import multiprocessing as mp
import threading
import time
from pathlib import Path

import duckdb

from flows.small_runs import SMALL_BATCH, warehouse_kept_open
from warehouse.connection import _kept, kept_open, open_read, open_write, transaction
from warehouse.read import query


def _count_after_waiting(db: str, ready, results: mp.Queue) -> None:
    ready.set()
    started = time.monotonic()
    found = query(db, "SELECT count(*) AS n FROM hold", timeout_s=30)["n"][0]
    results.put((found, time.monotonic() - started))


def test_the_process_reads_and_writes_through_it_and_others_wait(db: Path) -> None:
    ctx = mp.get_context("spawn")
    results, ready = ctx.Queue(), ctx.Event()
    with kept_open(db):
        with open_write(db) as con, transaction(con):
            con.execute("CREATE TABLE hold (a INTEGER)")
            con.execute("INSERT INTO hold VALUES (1), (2)")
        # A reader here: read-only next to the open read-write database would be refused.
        with open_read(db, timeout_s=1) as con:
            assert con.execute("SELECT count(*) FROM hold").fetchone() == (2,)
        with kept_open(db), open_write(db) as con:  # nested: the same database stays open
            con.execute("INSERT INTO hold VALUES (3)")
        reader = ctx.Process(target=_count_after_waiting, args=(str(db), ready, results))
        reader.start()
        assert ready.wait(60)
        time.sleep(1.0)  # the other process is waiting for the file meanwhile
        assert results.empty()
    found, waited = results.get(timeout=60)
    reader.join(10)
    assert found == 3  # every write is in the file once it is closed
    assert waited > 0.5
    assert not _kept
    con = duckdb.connect(str(db), read_only=True)  # closed: anyone may open it now
    con.close()


def test_a_reader_in_another_thread_still_waits_for_the_writer(db: Path) -> None:
    inside, leave = threading.Event(), threading.Event()

    def write() -> None:
        with open_write(db) as con:
            con.execute("CREATE TABLE hold (a INTEGER)")
            inside.set()
            leave.wait(10)
            con.execute("INSERT INTO hold VALUES (1)")

    with kept_open(db):
        thread = threading.Thread(target=write)
        thread.start()
        assert inside.wait(10)
        threading.Timer(0.3, leave.set).start()
        assert query(db, "SELECT a FROM hold").rows() == [(1,)]  # saw the whole write
        thread.join()


def test_only_a_run_counted_small_keeps_the_warehouse_open(db: Path) -> None:
    for documents, kept in ((1, True), (SMALL_BATCH, True), (SMALL_BATCH + 1, False)):
        with warehouse_kept_open(db, documents, timeout_s=10):
            assert bool(_kept) is kept
    for documents in (None, 0):  # not counted (web, replay), or nothing to read
        with warehouse_kept_open(db, documents, timeout_s=10):
            assert not _kept
