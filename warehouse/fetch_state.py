"""The crawler's memory in the warehouse: seen_urls read before a crawl, seen_urls and
fetch_log written after the crawl's documents are committed (never before: a page marked
seen whose document never landed would not be fetched again)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl

from newsdesk.core.contracts.fetch import FetchState, Seen
from newsdesk.core.contracts.frames import without_credentials
from warehouse.connection import WarehouseMissing, open_read, open_write

_SEEN_SCHEMA = pl.Schema(
    {
        "canonical_url": pl.String,
        "last_fetched_at": pl.Datetime("us", "UTC"),
        "etag": pl.String,
        "last_modified": pl.String,
        "doc_id": pl.String,
        "status": pl.Int32,
        "final_url": pl.String,
    }
)
_LOG_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "url": pl.String,
        "status": pl.Int32,
        "reason": pl.String,
        "bytes": pl.Int64,
        "elapsed_ms": pl.Float64,
        "fetched_at": pl.Datetime("us", "UTC"),
        "final_url": pl.String,
        "headers": pl.String,
    }
)


def read_seen(con: duckdb.DuckDBPyConnection) -> FetchState:
    rows = con.execute(
        "SELECT canonical_url, last_fetched_at, etag, last_modified, doc_id, status, final_url "
        "FROM seen_urls"
    ).fetchall()
    return FetchState(Seen(*row) for row in rows)


def write_changes(con: duckdb.DuckDBPyConnection, state: FetchState) -> tuple[int, int]:
    """Upsert the pages fetched and append the fetch log, in one transaction; returns the
    row counts (seen_urls, fetch_log)."""
    seen = without_credentials(
        pl.DataFrame([vars(item) for item in state.changes()], schema=_SEEN_SCHEMA),
        "canonical_url",
        "final_url",
    )
    log = without_credentials(
        pl.DataFrame(
            [{**vars(e), "headers": json.dumps(e.headers)} for e in state.log_entries()],
            schema=_LOG_SCHEMA,
        ),
        "url",
        "final_url",
        "headers",
    )
    con.begin()
    try:
        con.register("seen_batch", seen.to_arrow())
        con.register("log_batch", log.to_arrow())
        con.execute("INSERT OR REPLACE INTO seen_urls SELECT * FROM seen_batch")
        con.execute(
            "INSERT INTO fetch_log SELECT run_id, url, status, reason, bytes, elapsed_ms, "
            "fetched_at, final_url, headers::JSON FROM log_batch"
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("seen_batch")
        con.unregister("log_batch")
    return seen.height, log.height


def load_state(db_path: Path | str) -> FetchState:
    """Everything the warehouse remembers; an empty memory when there is no warehouse yet."""
    try:
        with open_read(db_path) as con:
            return read_seen(con)
    except WarehouseMissing:
        return FetchState()


def save_state(db_path: Path | str, state: FetchState) -> tuple[int, int]:
    with open_write(db_path) as con:
        counts = write_changes(con, state)
    state.clear_changes()
    return counts
