"""warehouse.connection.transaction: a block's writes are committed whole or not at all."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.connection import open_read, open_write, transaction


def rows(db: Path) -> list[int]:
    with open_read(db) as con:
        return [a for (a,) in con.execute("SELECT a FROM t ORDER BY a").fetchall()]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.duckdb"
    with open_write(path) as con:
        con.execute("CREATE TABLE t (a INTEGER PRIMARY KEY)")
    return path


def test_a_block_that_ends_is_committed(db: Path) -> None:
    with open_write(db) as con, transaction(con):
        con.execute("INSERT INTO t VALUES (1), (2)")
    assert rows(db) == [1, 2]


@pytest.mark.parametrize("failure", [duckdb.ConstraintException, KeyboardInterrupt])
def test_a_block_that_raises_is_undone_whole_and_the_connection_goes_on(
    db: Path, failure: type[BaseException]
) -> None:
    with open_write(db) as con:
        with pytest.raises(failure), transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
            if failure is KeyboardInterrupt:
                raise KeyboardInterrupt
            con.execute("INSERT INTO t VALUES (1)")
        # rolled back, not left open: the same connection starts the next transaction
        with transaction(con):
            con.execute("INSERT INTO t VALUES (2)")
    assert rows(db) == [2]
