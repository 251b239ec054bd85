"""The local files earlier runs read (table file_reads), read before a run and written in
the transaction of the batch load that holds each file's last record."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from newsdesk.core.contracts.files import FILE_READ_SCHEMA, FileStamp
from warehouse.connection import (
    READ_TIMEOUT_S,
    WRITE_TIMEOUT_S,
    WarehouseMissing,
    open_read,
    open_write,
    transaction,
)
from warehouse.migrate import is_current
from warehouse.scratch import Scratch

_COPY_ROWS = 50_000  # rows per record batch copied from the warehouse


class KnownFiles:
    """The files on record, copied once into a scratch DuckDB file (warehouse.scratch) at the
    start of a run and looked up a chunk of files at a time: the run holds none of them in
    memory (a dict of them took about 200 bytes a file)."""

    def __init__(self, scratch: Scratch | None = None) -> None:
        self._scratch = scratch  # None: nothing on record

    def stamps(self, uris: Sequence[str]) -> dict[str, FileStamp]:
        """uri → stamp of those of `uris` on record."""
        if self._scratch is None or not uris:
            return {}
        con = self._scratch.con
        con.register("wanted", pa.table({"uri": pa.array(list(uris), pa.string())}))
        try:
            rows = con.execute(
                """
                SELECT uri, size_bytes, mtime_ns, sidecar_mtime_ns FROM known
                SEMI JOIN wanted USING (uri)
                """
            ).fetchall()
        finally:
            con.unregister("wanted")
        return {uri: FileStamp(size, mtime, sidecar) for uri, size, mtime, sidecar in rows}

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.close()


class OnRecord:
    """The files on record asked for directly on an open warehouse connection, a chunk of
    URIs per query: for a check that reads a few thousand stamps and stops at the first
    difference (flows/unchanged.py), where copying every file into a scratch first costs
    more than the check."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._any = bool(
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'file_reads'"
            ).fetchone()[0]
        )

    def stamps(self, uris: Sequence[str]) -> dict[str, FileStamp]:
        if not self._any or not uris:
            return {}
        # Literals, not a bound list: DuckDB imports pandas (~0.6 s) to bind any parameter.
        # A quote is doubled; nothing else is special in a SQL string, and a path holds no NUL.
        listed = ", ".join("'" + uri.replace("'", "''") + "'" for uri in uris)
        rows = self._con.execute(
            "SELECT uri, size_bytes, mtime_ns, sidecar_mtime_ns FROM file_reads "
            f"WHERE uri IN ({listed})"
        ).fetchall()
        return {uri: FileStamp(size, mtime, sidecar) for uri, size, mtime, sidecar in rows}


@contextmanager
def files_on_record(
    db_path: Path | str, *, timeout_s: float = READ_TIMEOUT_S
) -> Iterator[OnRecord | None]:
    """The files on record, asked on a read connection held for the block, when a run may
    be recorded without the pipeline (flows/unchanged.py): the schema is current and no run
    is left `started` by a dead process (the flow closes those). None otherwise, or when
    there is no warehouse."""
    with ExitStack() as stack:
        try:
            con = stack.enter_context(open_read(db_path, timeout_s))
        except WarehouseMissing:
            yield None
            return
        ready = (
            is_current(con)
            and not con.execute("SELECT count(*) FROM runs WHERE status = 'started'").fetchone()[0]
        )
        yield OnRecord(con) if ready else None


def known_files(db_path: Path | str, *, timeout_s: float = READ_TIMEOUT_S) -> KnownFiles:
    """Every file on record (none when there is no warehouse, or no table, yet), streamed
    from the warehouse into a scratch file in record batches."""
    try:
        with open_read(db_path, timeout_s) as con:
            if not con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'file_reads'"
            ).fetchone()[0]:
                return KnownFiles()
            stream = con.execute(
                "SELECT uri, size_bytes, mtime_ns, sidecar_mtime_ns FROM file_reads"
            ).fetch_record_batch(_COPY_ROWS)
            scratch = Scratch()
            scratch.con.register("on_record", stream)
            scratch.con.execute("CREATE TABLE known AS SELECT * FROM on_record")
            scratch.con.unregister("on_record")
    except WarehouseMissing:
        return KnownFiles()
    return KnownFiles(scratch)


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
    with open_write(db_path, timeout_s) as con, transaction(con):
        write_file_reads(con, run_id, files)
    return files.height
