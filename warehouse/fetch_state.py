"""The crawler's memory in the warehouse: seen_urls read before a crawl, seen_urls and
fetch_log written after the crawl's documents are committed (never before: a page marked
seen whose document never landed would not be fetched again)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import polars as pl

from newsdesk.core.contracts.fetch import FetchState, Seen
from newsdesk.core.contracts.frames import without_credentials
from newsdesk.core.contracts.reasons import Reason
from warehouse.connection import WarehouseMissing, open_read, open_write, transaction
from warehouse.scratch import Scratch

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


# The reasons a fetch itself fails for (tasks/ingest/web), cleared when the URL answers.
_FETCH_FAILURES = tuple(
    str(r)
    for r in (
        Reason.HTTP_STATUS,
        Reason.TIMEOUT,
        Reason.CONNECTION_ERROR,
        Reason.ROBOTS_DISALLOWED,
        Reason.BLOCKED_ADDRESS,
        Reason.REDIRECT_LOOP,
        Reason.TOO_MANY_REDIRECTS,
        Reason.BLOCKED,
    )
)

_SEEN_COLUMNS = "canonical_url, last_fetched_at, etag, last_modified, doc_id, status, final_url"
_COPY_ROWS = 50_000  # rows per record batch copied from the warehouse


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
    try:
        with transaction(con):
            con.register("seen_batch", seen.to_arrow())
            con.register("log_batch", log.to_arrow())
            con.execute("INSERT OR REPLACE INTO seen_urls SELECT * FROM seen_batch")
            con.execute(
                "INSERT INTO fetch_log SELECT run_id, url, status, reason, bytes, elapsed_ms, "
                "fetched_at, final_url, headers::JSON FROM log_batch"
            )
            # A URL that answers now clears the fetch failures it had (a feed refused or
            # down once stayed open in `newsdesk quarantine` for good: a page's clear when
            # it loads, a feed's never did). Only failures of the fetch itself: a feed that
            # answers and then leaves links out (over_limit) or is bad XML keeps its row.
            con.execute(
                f"""
                UPDATE quarantine SET status = 'resolved', resolved_run_id = answered.run_id,
                    resolved_at = now()
                FROM (
                    SELECT url, any_value(run_id) AS run_id FROM log_batch
                    WHERE reason IS NULL AND status BETWEEN 200 AND 399 GROUP BY url
                ) AS answered
                WHERE quarantine.status = 'open' AND quarantine.uri = answered.url
                    AND quarantine.expectation = 'readable_record'
                    AND quarantine.reason IN ({", ".join(f"'{r}'" for r in _FETCH_FAILURES)})
                """
            )
    finally:
        con.unregister("seen_batch")
        con.unregister("log_batch")
    return seen.height, log.height


class _Remembered:
    """seen_urls as a run starts, copied into a scratch DuckDB file sorted by URL (so that a
    look-up reads one row group) and asked one URL at a time, from any thread."""

    def __init__(self, scratch: Scratch) -> None:
        self._scratch = scratch
        self._lock = threading.Lock()

    def __call__(self, canonical_url: str) -> Seen | None:
        with self._lock:
            row = self._scratch.con.execute(
                f"SELECT {_SEEN_COLUMNS} FROM seen WHERE canonical_url = ?", [canonical_url]
            ).fetchone()
        return Seen(*row) if row else None


def load_state(db_path: Path | str) -> FetchState:
    """What the warehouse remembers, looked up per URL in a scratch copy (none of it held in
    memory); an empty memory when there is no warehouse yet."""
    try:
        with open_read(db_path) as con:
            stream = con.execute(f"SELECT {_SEEN_COLUMNS} FROM seen_urls").fetch_record_batch(
                _COPY_ROWS
            )
            scratch = Scratch()
            scratch.con.execute("SET TimeZone = 'UTC'")
            scratch.con.register("on_record", stream)
            scratch.con.execute(
                "CREATE TABLE seen AS SELECT * FROM on_record ORDER BY canonical_url"
            )
            scratch.con.unregister("on_record")
    except WarehouseMissing:
        return FetchState()
    return FetchState(remembered=_Remembered(scratch))


def save_state(db_path: Path | str, state: FetchState) -> tuple[int, int]:
    with open_write(db_path) as con:
        counts = write_changes(con, state)
    state.clear_changes()
    return counts
