"""Reading the warehouse: ad-hoc SQL (`newsdesk sql`), quarantine listings, export.

Each call opens a read-only connection, fetches its whole result and closes at once, so a
reader holds the file only for its query and a waiting load gets its turn right after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from warehouse.connection import READ_TIMEOUT_S, open_read
from warehouse.publish import read_copy_path
from warehouse.rawstore import RawUnavailable, get, store_root


class ReadOnlyQuery(PermissionError):
    """A statement tried to change the warehouse through a read-only entry point."""


def query(
    db_path: Path | str,
    sql: str,
    params: Sequence[Any] | dict[str, Any] | None = None,
    *,
    timeout_s: float = READ_TIMEOUT_S,
    fts: bool = False,
) -> pl.DataFrame:
    """Run one read-only query and return its whole result (empty frame for no result).
    `fts` loads the full-text search extension first, for match_bm25 (warehouse.search)."""
    with open_read(db_path, timeout_s) as con:
        if fts:
            from warehouse.search import SearchUnavailable, load_fts

            # Plain SQL still works without it; a match_bm25 query then names the problem.
            with contextlib.suppress(SearchUnavailable):
                load_fts(con)
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


def analyst_query(
    db_path: Path | str,
    sql: str,
    params: Sequence[Any] | dict[str, Any] | None = None,
    *,
    timeout_s: float = READ_TIMEOUT_S,
    fts: bool = False,
) -> pl.DataFrame:
    """A query over what analysts read: the read copy published after the last run (never
    written in place, so nothing waits), or the warehouse itself before any copy exists."""
    return query(analyst_path(db_path), sql, params, timeout_s=timeout_s, fts=fts)


def analyst_path(db_path: Path | str) -> Path:
    """The file analysts read: the read copy once one is published, else the warehouse."""
    copy = read_copy_path(db_path)
    return copy if copy.exists() else Path(db_path)


def quarantine_summary(db_path: Path | str, *, timeout_s: float = READ_TIMEOUT_S) -> pl.DataFrame:
    """Open quarantine rows by stage and reason, with an example (the v_quarantine_summary view)."""
    return query(
        db_path,
        "SELECT stage, reason, documents, failed_checks, example_uri, example_observed, "
        "last_seen FROM v_quarantine_summary",
        timeout_s=timeout_s,
    )


def quarantine_rows(
    db_path: Path | str,
    *,
    stage: str | None = None,
    reason: str | None = None,
    include_resolved: bool = False,
    doc: str | None = None,
    limit: int = 50,
    timeout_s: float = READ_TIMEOUT_S,
) -> pl.DataFrame:
    """Quarantine rows with what the pipeline had found in the document, most recently seen
    first; optionally of one stage, one reason, or the documents whose id starts with `doc`."""
    return query(
        db_path,
        """
        SELECT q.stage, q.reason, q.expectation, q.observed, q.uri, q.doc_id, q.status,
               q.times_seen, q.first_run_id, q.last_run_id, q.last_seen, q.resolved_run_id,
               f.title AS found_title, f.published_raw AS found_date,
               f.site_name AS found_site_name, f.word_count AS found_words, f.body AS found_body
        FROM quarantine AS q LEFT JOIN quarantine_found AS f USING (doc_id)
        WHERE ($stage IS NULL OR q.stage = $stage)
          AND ($doc IS NULL OR starts_with(q.doc_id, $doc))
          AND ($reason IS NULL OR q.reason = $reason)
          AND ($include_resolved OR q.status = 'open')
        ORDER BY q.last_seen DESC, q.doc_id, q.stage, q.expectation
        LIMIT $limit
        """,
        {
            "stage": stage,
            "reason": reason,
            "include_resolved": include_resolved,
            "doc": doc,
            "limit": limit,
        },
        timeout_s=timeout_s,
    )


def table_counts(db_path: Path | str, *, timeout_s: float = READ_TIMEOUT_S) -> dict[str, int]:
    """Rows per base table (dlt's assert_table_counts, for tests and `newsdesk status`)."""
    with open_read(db_path, timeout_s) as con:
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


def export_parquet(
    db_path: Path | str, out_dir: Path | str, *, timeout_s: float = READ_TIMEOUT_S
) -> list[Path]:
    """Write each base table to `<out_dir>/<table>.parquet` (for other engines)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with open_read(db_path, timeout_s) as con:
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


def proposed_sources(
    db_path: Path | str, *, include_accepted: bool = False, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """Domains of quarantined unknown_source pages, most pages first."""
    return query(
        db_path,
        """
        SELECT domain, site_name, language, pages, status, sample_uri, last_seen
        FROM proposed_sources WHERE $all OR status = 'proposed'
        ORDER BY pages DESC, domain
        """,
        {"all": include_accepted},
        timeout_s=timeout_s,
    )


class StoredPageError(LookupError):
    """No single document matches, it has no kept bytes, or its raw-store file is lost."""


def stored_page(
    db_path: Path | str, doc_prefix: str, *, timeout_s: float = READ_TIMEOUT_S
) -> tuple[str, bytes]:
    """One document's stored bytes (its doc_id, or a prefix of it), found through what
    analysts read and fetched from the raw store."""
    found = analyst_query(
        db_path,
        "SELECT doc_id, content_sha256, size_bytes, content_size FROM raw_documents "
        "WHERE starts_with(doc_id, ?) ORDER BY doc_id LIMIT 2",
        [doc_prefix],
        timeout_s=timeout_s,
    )
    if found.height != 1:
        what = "no document" if found.is_empty() else "more than one document"
        raise StoredPageError(f"{what} with a doc_id starting {doc_prefix!r}")
    row = found.row(0, named=True)
    if row["content_sha256"] is None:
        raise StoredPageError(
            f"no bytes were kept for {row['doc_id']} (size {row['size_bytes']}, stored "
            f"{row['content_size']}): empty, over max_bytes, or not yet moved to the raw store"
        )
    try:
        return row["doc_id"], get(store_root(db_path), row["content_sha256"])
    except RawUnavailable as exc:
        raise StoredPageError(str(exc)) from exc
