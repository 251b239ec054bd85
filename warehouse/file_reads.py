"""The local files earlier runs read (table file_reads), read before a run and written in
the transaction of the batch load that holds each file's last record."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from newsdesk.core.contracts.files import FILE_READ_SCHEMA, FileStamp
from warehouse.connection import (
    READ_TIMEOUT_S,
    WRITE_TIMEOUT_S,
    WarehouseMissing,
    open_read,
    open_write,
)


def known_files(db_path: Path | str, *, timeout_s: float = READ_TIMEOUT_S) -> dict[str, FileStamp]:
    """uri → stamp of every file on record; empty when there is no warehouse (or no table)
    yet. One small tuple per file: 100,000 files take about 20 MB."""
    try:
        with open_read(db_path, timeout_s) as con:
            if not con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'file_reads'"
            ).fetchone()[0]:
                return {}
            rows = con.execute(
                "SELECT uri, size_bytes, mtime_ns, sidecar_mtime_ns FROM file_reads"
            ).fetchall()
    except WarehouseMissing:
        return {}
    return {uri: FileStamp(size, mtime, sidecar) for uri, size, mtime, sidecar in rows}


def write_file_reads(con: duckdb.DuckDBPyConnection, run_id: str, files: pl.DataFrame) -> None:
    """Upsert inside the caller's transaction."""
    if files.is_empty():
        return
    con.register("batch_files", files.select(FILE_READ_SCHEMA.names()).to_arrow())
    try:
        con.execute(
            """
            INSERT OR REPLACE INTO file_reads
                (uri, size_bytes, mtime_ns, sidecar_mtime_ns, run_id, read_at)
            SELECT uri, size_bytes, mtime_ns, sidecar_mtime_ns, $run, now() FROM batch_files
            """,
            {"run": run_id},
        )
    finally:
        con.unregister("batch_files")


def record_file_reads(
    db_path: Path | str, run_id: str, files: pl.DataFrame, *, timeout_s: float = WRITE_TIMEOUT_S
) -> int:
    """Files whose records all went into earlier batches (the stream ended on their marks)."""
    if files.is_empty():
        return 0
    with open_write(db_path, timeout_s) as con:
        con.begin()
        try:
            write_file_reads(con, run_id, files)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return files.height
