"""[warehouse] memory_limit reaches every warehouse connection: without it DuckDB keeps every
block a connection reads (up to 80 % of the machine's memory), and the run's process grew
with the warehouse it copies for analysts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from newsdesk.core.config import defaults
from warehouse.connection import open_read, open_write, set_memory_limit


def _as_duckdb_says(limit: str) -> str:
    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '{limit}'")
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def _limit_of(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


@pytest.fixture
def shipped_limit() -> Iterator[str]:
    limit = defaults().warehouse.memory_limit
    yield limit
    set_memory_limit(limit)  # the process-wide setting as the other tests expect it


def test_connections_hold_at_most_the_configured_memory(db: Path, shipped_limit: str) -> None:
    with duckdb.connect() as plain:
        unbounded = _limit_of(plain)
    assert _as_duckdb_says(shipped_limit) != unbounded
    with open_write(db) as con:
        assert _limit_of(con) == _as_duckdb_says(shipped_limit)
    with open_read(db) as con:
        assert _limit_of(con) == _as_duckdb_says(shipped_limit)

    set_memory_limit("300MB")
    with open_read(db) as con:
        assert _limit_of(con) == _as_duckdb_says("300MB")
    with open_write(db) as con:
        assert _limit_of(con) == _as_duckdb_says("300MB")
