"""The analysts' copy: a second DuckDB file, published after every run, that analysts,
notebooks, the DuckDB CLI and `newsdesk sql` open instead of the warehouse.

Why: DuckDB locks a file across processes, so a reader that keeps the warehouse open (a
notebook, for hours) stops every load. The copy is written to a new file next to it and
renamed over the old one in one step (os.replace): nobody ever writes the file readers
open, so a reader never blocks a load and a load never blocks a reader. A reader that keeps
a connection sees the runs that were whole when it opened; opening the file again shows the
newest. The copy holds every table and view; raw page bytes are in neither file but in the
raw store beside the warehouse (warehouse/rawstore.py), and the `content` column of a
warehouse from before migration 0050 is left out. What a publish costs is copying what
analysts read (10,000 synthetic articles: a 20 MB copy in 0.7 s CPU; 100,000: 176 MB in
about 4 s CPU, 24-33 s wall on a loaded machine; bench/bench_read_copy.py).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connection import READ_TIMEOUT_S, open_read, transaction
from warehouse.migrate import VIEWS_DIR
from warehouse.search import copy_index, load_fts

# Columns that stay in the warehouse only: raw bytes, for replay.
_LEFT_OUT = {("raw_documents", "content")}


@dataclass(frozen=True)
class Published:
    path: Path
    tables: int
    rows: int
    bytes: int
    seconds: float


def read_copy_path(db_path: Path | str) -> Path:
    """`warehouse.duckdb` → `warehouse.read.duckdb`, next to it."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.read{db_path.suffix or '.duckdb'}")


def _quoted(path: Path) -> str:
    # ATTACH takes no bound parameter for its path: a literal with quotes doubled.
    return "'" + str(path).replace("'", "''") + "'"


def _copy(con: duckdb.DuckDBPyConnection, target: Path, views_dir: Path) -> tuple[int, int]:
    con.execute(f"ATTACH {_quoted(target)} AS read_copy (READ_WRITE)")
    try:
        # One commit (one sync of the file) for the whole copy, not one per table: 46 syncs
        # became 5.
        with transaction(con):
            return _fill(con, views_dir)
    finally:
        con.execute("DETACH read_copy")  # checkpoints it: the file is complete, no WAL left


def _fill(con: duckdb.DuckDBPyConnection, views_dir: Path) -> tuple[int, int]:
    (main,) = con.execute("SELECT current_database()").fetchone()
    tables = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
        ).fetchall()
    ]
    # Every table's columns in one query, and each copy's row count from its own statement:
    # three statements per table were most of a small run's publish.
    columns: dict[str, list[str]] = {table: [] for table in tables}
    for table, name in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall():
        if table in columns and (table, name) not in _LEFT_OUT:
            columns[table].append(name)
    rows = 0
    for table in tables:
        # Names come from the catalog, not from a caller.
        select = ", ".join(f'"{c}"' for c in columns[table])
        (copied,) = con.execute(
            f'CREATE TABLE read_copy."{table}" AS SELECT {select} FROM "{table}"'
        ).fetchone()
        rows += copied
    # The views as the warehouse has them, bound to the copy's own tables.
    con.execute("USE read_copy")
    try:
        for view in sorted(views_dir.glob("*.sql")):
            con.execute(view.read_text(encoding="utf-8"))
    finally:
        con.execute(f'USE "{main}"')
    # The full-text index too, so that match_bm25 and `newsdesk search` work on the copy.
    load_fts(con)
    copy_index(con, "read_copy")
    return len(tables), rows


def publish_read_copy(
    db_path: Path | str,
    *,
    timeout_s: float = READ_TIMEOUT_S,
    views_dir: Path = VIEWS_DIR,
) -> Published:
    """Copy the warehouse to its read copy and swap it in atomically. Reads the warehouse
    through one read-only connection (one consistent state; newsdesk's other readers go on
    meanwhile); call it where no load can write, as a run's end does under the run lock."""
    db_path = Path(db_path)
    target = read_copy_path(db_path)
    scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (scratch, Path(f"{scratch}.wal")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        with open_read(db_path, timeout_s) as con:
            tables, rows = _copy(con, scratch, views_dir)
        os.replace(scratch, target)  # a reader holding the old file keeps it
    finally:
        for leftover in (scratch, Path(f"{scratch}.wal")):
            leftover.unlink(missing_ok=True)
    return Published(target, tables, rows, target.stat().st_size, time.perf_counter() - started)
