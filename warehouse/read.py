"""Reading the warehouse: ad-hoc SQL and the pipeline's look-ups, all read-only.

Each call opens a read-only connection, fetches its whole result and closes at once, so a
reader holds the file only for its query and a waiting load gets its turn right after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from tasks.ingest.schema import RAW_SCHEMA
from warehouse.connection import READ_TIMEOUT_S, open_read
from warehouse.frames import TEMPLATE_LINE_SCHEMA


class ReadOnlyQuery(PermissionError):
    """A statement tried to change the warehouse through a read-only entry point."""


def query(
    db_path: Path | str,
    sql: str,
    params: Sequence[Any] | dict[str, Any] | None = None,
    *,
    timeout_s: float = READ_TIMEOUT_S,
) -> pl.DataFrame:
    """Run one read-only query and return its whole result (empty frame for no result)."""
    with open_read(db_path, timeout_s) as con:
        try:
            result = con.execute(sql, params)
        except duckdb.InvalidInputException as exc:
            if "read-only mode" in str(exc):
                raise ReadOnlyQuery(
                    f"the warehouse is open read-only here; this statement would change it "
                    f"(DuckDB: {exc}). Writes go through the pipeline (warehouse.load)."
                ) from exc
            raise
        return result.pl() if result.description else pl.DataFrame()


def loaded_doc_ids(db_path: Path | str, doc_ids: Iterable[str]) -> set[str]:
    """The given documents whose article is already loaded from them (a rerun skips them)."""
    wanted = sorted(set(doc_ids))
    if not wanted or not Path(db_path).exists():
        return set()
    found = query(
        db_path,
        "SELECT DISTINCT doc_id FROM articles WHERE doc_id IN (SELECT unnest($ids))",
        {"ids": wanted},
    )
    return set(found["doc_id"].to_list())


def quarantined_raw(db_path: Path | str, stage: str | None = None) -> pl.DataFrame:
    """RAW_SCHEMA rows rebuilt from the stored bytes of documents with open quarantine rows.

    `text` is left null (ingest decodes `content` again); run_id is the last run that saw the
    document. Documents without stored bytes (fetch failures) are not included.
    """
    if not Path(db_path).exists():
        return pl.DataFrame(schema=RAW_SCHEMA)
    columns = [
        "NULL::VARCHAR AS text"
        if name == "text"
        else "last_run_id AS run_id"
        if name == "run_id"
        else name
        for name in RAW_SCHEMA
    ]
    frame = query(
        db_path,
        f"""
        SELECT {", ".join(columns)} FROM raw_documents
        WHERE doc_id IN (
            SELECT doc_id FROM quarantine
            WHERE status = 'open' AND ($stage IS NULL OR stage = $stage)
        )
        ORDER BY doc_id
        """,
        {"stage": stage},
    )
    return frame.cast(dict(RAW_SCHEMA))


def load_template_lines(
    db_path: Path | str, source_id: str | None = None, *, min_pages: int = 1
) -> pl.DataFrame:
    """Learned template lines (TEMPLATE_LINE_SCHEMA, totals) seen on at least `min_pages`."""
    if not Path(db_path).exists():
        return pl.DataFrame(schema=TEMPLATE_LINE_SCHEMA)
    frame = query(
        db_path,
        """
        SELECT source_id, line, pages_seen FROM source_template_lines
        WHERE ($source IS NULL OR source_id = $source) AND pages_seen >= $min_pages
        ORDER BY source_id, pages_seen DESC, line
        """,
        {"source": source_id, "min_pages": min_pages},
    )
    return frame.cast(dict(TEMPLATE_LINE_SCHEMA))


def table_counts(db_path: Path | str) -> dict[str, int]:
    """Rows per base table (dlt's assert_table_counts, for tests and `newsdesk status`)."""
    with open_read(db_path) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND NOT temporary ORDER BY table_name"
            ).fetchall()
        ]
        return {
            name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables
        }


def export_parquet(db_path: Path | str, out_dir: Path | str) -> list[Path]:
    """Write each base table to `<out_dir>/<table>.parquet` (for other engines)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with open_read(db_path) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND NOT temporary ORDER BY table_name"
        ).fetchall()
        for (name,) in tables:
            target = out / f"{name}.parquet"
            # Table names come from the catalog, not from the caller; the path is bound.
            con.execute(f'COPY "{name}" TO ? (FORMAT parquet, COMPRESSION zstd)', [str(target)])
            written.append(target)
    return written
