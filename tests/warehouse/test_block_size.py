"""A warehouse file is made of small blocks, so what reading a table costs follows its rows,
not the number of loads that wrote them (issue 14's flat memory).

Each load opens the file anew, and DuckDB starts a new row group in every indexed table at
each such open: a table loaded N times is N row groups, each written to blocks of its own.
Reading a column of it pins every one of those blocks, which stay in the connection's memory
until it closes: 256 KB a load with DuckDB's default blocks, whatever the load's size."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.warehouse.wh_frames import frames, good_batch
from warehouse.connection import BLOCK_SIZE, open_read, open_write
from warehouse.load import load_batch, loaded_doc_ids, start_run
from warehouse.migrate import migrate


def _block_size(db: Path) -> int:
    with open_read(db) as con:
        return con.execute("SELECT block_size FROM pragma_database_size() LIMIT 1").fetchone()[0]


def _held_by_a_scan(db: Path) -> int:
    """Bytes of table blocks a read connection holds after reading one column of
    raw_documents and of articles (as a batch's look-ups do: loaded_doc_ids)."""
    with open_read(db) as con:
        con.execute("SELECT count(DISTINCT doc_id) FROM raw_documents").fetchall()
        con.execute("SELECT count(DISTINCT body_sha) FROM articles").fetchall()
        return con.execute(
            "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'"
        ).fetchone()[0]


def _load(db: Path, run: str, first: int, loads: int) -> None:
    for n in range(first, first + loads):
        raws, articles = good_batch(run, range(n * 10, n * 10 + 10))
        load_batch(db, run_id=run, **frames(raws, articles))


def test_a_new_warehouse_has_small_blocks_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    new, old = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    duckdb.connect(str(old)).close()  # a file made by DuckDB itself (or by newsdesk before)
    migrate(new)
    migrate(old)
    assert _block_size(new) == BLOCK_SIZE < 256 * 1024
    assert _block_size(old) == 256 * 1024
    run = start_run(old, command="test")
    raws, articles = good_batch(run, range(3))
    load_batch(old, run_id=run, **frames(raws, articles))
    assert loaded_doc_ids(old, [r["doc_id"] for r in raws]) == {r["doc_id"] for r in raws}


def test_what_a_read_holds_grows_with_the_rows_not_with_the_loads(db: Path) -> None:
    run = start_run(db, command="test")
    _load(db, run, 0, 2)
    few = _held_by_a_scan(db)
    _load(db, run, 2, 10)
    many = _held_by_a_scan(db)
    with open_write(db) as con:  # the premise: one row group per load
        (row_groups,) = con.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('raw_documents')"
        ).fetchone()
    assert row_groups == 12
    # Ten loads of ten pages, two tables read: a block or two per load and table (about
    # 0.5 MB); with DuckDB's 256 KB blocks, 5.5 MB.
    assert many - few <= 10 * 2 * 4 * BLOCK_SIZE
