"""Writing to the warehouse: runs, batches, the registry, learned templates, proposed sources.

Every writer prepares its Arrow tables first and only then opens the write connection, so the
file is locked only for the SQL itself. Frames go in through `register` + `INSERT ... SELECT`
(DuckDB scans Arrow in bulk); values go in as bound parameters, never into the SQL text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from newsdesk.sources import Registry
from tasks.extract.schema import ARTICLE_SCHEMA
from tasks.ingest.schema import RAW_SCHEMA
from tasks.rejects import REJECT_SCHEMA
from warehouse.connection import WRITE_TIMEOUT_S, open_write
from warehouse.frames import (
    DQ_SCHEMA,
    PROPOSED_SOURCE_SCHEMA,
    TEMPLATE_LINE_SCHEMA,
    conform,
    rows_to_frame,
    scrub,
)
from warehouse.migrate import apply as apply_migrations

RUN_STATUSES = frozenset({"started", "gated", "loaded", "failed", "aborted"})

# raw_documents keeps every RAW_SCHEMA column but the decoded text (re-derived from content)
# and run_id (kept as first_run_id / last_run_id).
_RAW_COLUMNS = pl.Schema({k: v for k, v in RAW_SCHEMA.items() if k not in {"run_id", "text"}})
_ARTICLE_COLUMNS = [k for k in ARTICLE_SCHEMA if k not in {"authors", "tags", "run_id"}]


@dataclass(frozen=True)
class LoadResult:
    """What happened to the batch's documents; each lands in exactly one count."""

    ingested: int  # distinct documents in the batch (raw, articles and rejects together)
    loaded: int  # new articles
    updated: int  # existing articles whose page changed
    duplicates: int  # articles already loaded from the same document
    quarantined: int  # documents with a failed check and no article

    @property
    def unaccounted(self) -> int:
        """Documents that reached ingest but left no trace; the load gate wants 0."""
        return self.ingested - self.loaded - self.updated - self.duplicates - self.quarantined


@dataclass(frozen=True)
class _Batch:
    raw: pa.Table
    articles: pa.Table
    authors: pa.Table
    tags: pa.Table
    rejects: pa.Table
    dq: pa.Table


def new_run_id() -> str:
    """An increasing load id: the Unix time with microseconds, as dlt's create_load_id."""
    return f"{time.time():.6f}"


def _list_rows(articles: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    return (
        articles.select("article_id", pl.col(column).alias(name))
        .explode(name)
        .with_columns(position=pl.int_range(pl.len(), dtype=pl.Int32).over("article_id"))
        .filter(pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() != ""))
        .select("article_id", "position", name)
    )


def _prepare(
    run_id: str,
    raw: pl.DataFrame,
    articles: pl.DataFrame,
    rejects: pl.DataFrame,
    dq: pl.DataFrame,
) -> _Batch:
    raw = conform(raw, _RAW_COLUMNS, "raw")
    articles = conform(articles, ARTICLE_SCHEMA, "articles")
    rejects = conform(rejects, REJECT_SCHEMA, "rejects")
    dq = conform(dq, DQ_SCHEMA, "dq")
    if raw["doc_id"].null_count():
        raise ValueError("raw frame has rows without doc_id")
    if articles["article_id"].null_count() or articles["doc_id"].null_count():
        raise ValueError("articles frame has rows without article_id or doc_id")
    if articles["article_id"].n_unique() != articles.height:
        raise ValueError("articles frame repeats an article_id: the load gate should drop them")
    if rejects.select(pl.any_horizontal(pl.col("stage", "reason").is_null()).any()).item():
        raise ValueError("rejects frame has rows without stage or reason")
    rejects = (
        rejects.with_columns(
            # A fetch failure has no bytes and so no doc_id; its URI keys the quarantine row.
            doc_id=pl.coalesce("doc_id", pl.lit("uri:") + pl.col("uri")),
            expectation=pl.coalesce("expectation", "reason"),
        )
        .drop_nulls("doc_id")
        .unique(["doc_id", "stage", "expectation"], keep="last", maintain_order=True)
    )
    return _Batch(
        raw=raw.unique("doc_id", keep="first", maintain_order=True).to_arrow(),
        articles=articles.drop("authors", "tags", "run_id").to_arrow(),
        authors=_list_rows(articles, "authors", "author").to_arrow(),
        tags=_list_rows(articles, "tags", "tag").to_arrow(),
        rejects=rejects.to_arrow(),
        dq=dq.with_columns(run_id=pl.coalesce("run_id", pl.lit(run_id))).to_arrow(),
    )


_COUNTS_SQL = """
WITH docs AS (
    SELECT doc_id FROM batch_raw
    UNION SELECT doc_id FROM batch_articles
    UNION SELECT doc_id FROM batch_rejects
),
article_docs AS (SELECT DISTINCT doc_id FROM batch_articles)
SELECT
    (SELECT count(*) FROM docs),
    count(*) FILTER (WHERE kind = 'new'),
    count(*) FILTER (WHERE kind = 'update'),
    count(*) FILTER (WHERE kind = 'duplicate')
        -- documents the pipeline skipped because their article is already loaded from them
        + (SELECT count(*) FROM batch_raw AS r
           WHERE r.doc_id NOT IN (SELECT doc_id FROM article_docs)
             AND r.doc_id NOT IN (SELECT doc_id FROM batch_rejects)
             AND r.doc_id IN (SELECT doc_id FROM articles)),
    (SELECT count(DISTINCT doc_id) FROM batch_rejects
     WHERE doc_id NOT IN (SELECT doc_id FROM article_docs))
FROM batch_kind
"""

_ARTICLE_SELECT = ", ".join(f"b.{c}" for c in _ARTICLE_COLUMNS)
_ARTICLE_SET = ", ".join(f"{c} = b.{c}" for c in _ARTICLE_COLUMNS if c != "article_id")


def _write_batch(con: duckdb.DuckDBPyConnection, run_id: str, batch: _Batch) -> LoadResult:
    if not con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]:
        raise ValueError(f"run {run_id} was never started: call start_run first")
    for name in ("raw", "articles", "authors", "tags", "rejects", "dq"):
        con.register(f"batch_{name}", getattr(batch, name))
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE batch_kind AS
        SELECT b.article_id, b.doc_id, CASE
            WHEN a.article_id IS NULL THEN 'new'
            WHEN a.doc_id = b.doc_id THEN 'duplicate'
            ELSE 'update' END AS kind
        FROM batch_articles AS b LEFT JOIN articles AS a ON a.article_id = b.article_id
        """
    )
    counts = LoadResult(*con.execute(_COUNTS_SQL).fetchone())
    raw_columns = ", ".join(_RAW_COLUMNS)
    con.execute(
        f"""
        INSERT INTO raw_documents ({raw_columns}, first_run_id, last_run_id)
        SELECT {raw_columns}, $run, $run FROM batch_raw
        ON CONFLICT (doc_id) DO UPDATE SET last_run_id = excluded.last_run_id, last_seen = now()
        """,
        {"run": run_id},
    )
    con.execute(
        f"""
        INSERT INTO articles ({", ".join(_ARTICLE_COLUMNS)}, first_run_id, last_run_id)
        SELECT {_ARTICLE_SELECT}, $run, $run
        FROM batch_articles AS b JOIN batch_kind AS k USING (article_id)
        WHERE k.kind = 'new'
        """,
        {"run": run_id},
    )
    con.execute(
        f"""
        UPDATE articles SET {_ARTICLE_SET}, last_run_id = $run, updated_at = now()
        FROM batch_articles AS b JOIN batch_kind AS k USING (article_id)
        WHERE articles.article_id = b.article_id AND k.kind = 'update'
        """,
        {"run": run_id},
    )
    for table, column in (("article_authors", "author"), ("article_tags", "tag")):
        con.execute(
            f"DELETE FROM {table} WHERE article_id IN "
            "(SELECT article_id FROM batch_kind WHERE kind = 'update')"
        )
        con.execute(
            f"""
            INSERT INTO {table} (article_id, position, {column})
            SELECT article_id, position, {column} FROM batch_{column}s
            WHERE article_id IN (SELECT article_id FROM batch_kind WHERE kind <> 'duplicate')
            """
        )
    con.execute(
        """
        INSERT INTO article_versions
            (article_id, doc_id, run_id, title, published_at, word_count, body_sha)
        SELECT b.article_id, b.doc_id, $run, b.title, b.published_at, b.word_count, sha256(b.body)
        FROM batch_articles AS b JOIN batch_kind AS k USING (article_id)
        WHERE k.kind <> 'duplicate'
        ON CONFLICT DO NOTHING
        """,
        {"run": run_id},
    )
    con.execute(
        """
        INSERT INTO quarantine
            (doc_id, stage, expectation, uri, reason, observed, first_run_id, last_run_id)
        SELECT doc_id, stage, expectation, uri, reason, observed, $run, $run FROM batch_rejects
        ON CONFLICT (doc_id, stage, expectation) DO UPDATE SET
            uri = excluded.uri,
            reason = excluded.reason,
            observed = excluded.observed,
            last_run_id = excluded.last_run_id,
            last_seen = now(),
            times_seen = quarantine.times_seen + 1,
            status = 'open',
            resolved_run_id = NULL,
            resolved_at = NULL
        """,
        {"run": run_id},
    )
    # A loaded document clears its own failures, and those of older versions of its page.
    con.execute(
        """
        UPDATE quarantine SET status = 'resolved', resolved_run_id = $run, resolved_at = now()
        WHERE status = 'open' AND (
            doc_id IN (SELECT doc_id FROM batch_articles)
            OR uri IN (SELECT uri FROM batch_articles WHERE uri IS NOT NULL)
        )
        """,
        {"run": run_id},
    )
    con.execute(
        """
        DELETE FROM dq_results
        WHERE (run_id, batch_no) IN (SELECT DISTINCT run_id, batch_no FROM batch_dq)
        """
    )
    dq_columns = ", ".join(DQ_SCHEMA)
    con.execute(f"INSERT INTO dq_results ({dq_columns}) SELECT {dq_columns} FROM batch_dq")
    con.execute(
        """
        UPDATE runs SET
            ingested = ingested + $ingested, loaded = loaded + $loaded,
            updated = updated + $updated, duplicates = duplicates + $duplicates,
            quarantined = quarantined + $quarantined, batches = batches + 1
        WHERE run_id = $run
        """,
        {
            "run": run_id,
            "ingested": counts.ingested,
            "loaded": counts.loaded,
            "updated": counts.updated,
            "duplicates": counts.duplicates,
            "quarantined": counts.quarantined,
        },
    )
    con.execute("DROP TABLE batch_kind")
    return counts


def load_batch(
    db_path: Path | str,
    *,
    run_id: str,
    raw: pl.DataFrame,
    articles: pl.DataFrame,
    rejects: pl.DataFrame,
    dq: pl.DataFrame,
    lock_timeout_s: float = WRITE_TIMEOUT_S,
) -> LoadResult:
    """Load one gated batch in one transaction; loading the same batch again adds nothing.

    raw: RAW_SCHEMA rows of every document of the batch that reached ingest (text unused);
    articles: ARTICLE_SCHEMA rows that passed every gate, article_id unique;
    rejects: REJECT_SCHEMA rows; dq: DQ_SCHEMA rows (run_id may be null: this run).
    The run's counters in `runs` grow by the returned counts in the same transaction.
    """
    batch = _prepare(run_id, raw, articles, rejects, dq)
    with open_write(db_path, lock_timeout_s) as con:
        con.begin()
        try:
            result = _write_batch(con, run_id, batch)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return result


def start_run(
    db_path: Path | str,
    *,
    command: str,
    params: Mapping[str, Any] | None = None,
    flow_run_id: str | None = None,
    run_id: str | None = None,
    lock_timeout_s: float = WRITE_TIMEOUT_S,
) -> str:
    """Bring the schema up to date and record a started run; returns its run id."""
    run_id = run_id or new_run_id()
    params_json = scrub(json.dumps(dict(params or {}), default=str, sort_keys=True))
    with open_write(db_path, lock_timeout_s) as con:
        apply_migrations(con)
        con.execute(
            "INSERT INTO runs (run_id, flow_run_id, command, params) VALUES (?, ?, ?, ?)",
            [run_id, flow_run_id and scrub(flow_run_id), scrub(command), params_json],
        )
    return run_id


def finish_run(
    db_path: Path | str,
    *,
    run_id: str,
    status: str,
    error: str | None = None,
    lock_timeout_s: float = WRITE_TIMEOUT_S,
) -> None:
    """Close a run: its final status (gated, loaded, failed, aborted) and any error text."""
    if status not in RUN_STATUSES - {"started"}:
        raise ValueError(f"a run finishes as one of {sorted(RUN_STATUSES - {'started'})}")
    with open_write(db_path, lock_timeout_s) as con:
        found = con.execute(
            "UPDATE runs SET status = ?, finished_at = now(), error = ? WHERE run_id = ?",
            [status, error and scrub(error), run_id],
        ).fetchone()[0]
    if not found:
        raise ValueError(f"run {run_id} was never started")


_SOURCE_SCHEMA = pl.Schema(
    {
        "name": pl.String,
        "aliases": pl.List(pl.String),
        "domains": pl.List(pl.String),
        "timezone": pl.String,
        "language": pl.String,
        "feeds": pl.List(pl.String),
        "sitemaps": pl.List(pl.String),
    }
)


def sync_sources(
    db_path: Path | str, registry: Registry, *, lock_timeout_s: float = WRITE_TIMEOUT_S
) -> int:
    """Make `sources` match the registry; returns how many rows were added or changed.

    Entries gone from the registry stay, with in_registry = false, so their articles keep a
    source. Proposed domains the registry now claims become 'accepted'.
    """
    rows = [
        {
            "name": s.name,
            "aliases": list(s.aliases),
            "domains": list(s.domains),
            "timezone": s.timezone,
            "language": s.language,
            "feeds": list(s.feeds),
            "sitemaps": list(s.sitemaps),
        }
        for s in registry.sources
    ]
    table = rows_to_frame(rows, _SOURCE_SCHEMA).to_arrow()
    columns = ", ".join(_SOURCE_SCHEMA)
    changes = ", ".join(f"{c} = excluded.{c}" for c in _SOURCE_SCHEMA if c != "name")
    differs = " OR ".join(
        f"sources.{c} IS DISTINCT FROM excluded.{c}" for c in _SOURCE_SCHEMA if c != "name"
    )
    with open_write(db_path, lock_timeout_s) as con:
        con.register("registry", table)
        con.begin()
        changed = con.execute(
            f"""
            INSERT INTO sources ({columns}) SELECT {columns} FROM registry
            ON CONFLICT (name) DO UPDATE SET {changes}, in_registry = true, updated_at = now()
            WHERE {differs} OR NOT sources.in_registry
            """
        ).fetchone()[0]
        changed += con.execute(
            """
            UPDATE sources SET in_registry = false, updated_at = now()
            WHERE in_registry AND name NOT IN (SELECT name FROM registry)
            """
        ).fetchone()[0]
        con.execute(
            """
            UPDATE proposed_sources SET status = 'accepted'
            WHERE status = 'proposed' AND EXISTS (
                SELECT 1 FROM (SELECT unnest(domains) AS domain FROM registry) AS r
                WHERE proposed_sources.domain = r.domain
                   OR ends_with(proposed_sources.domain, '.' || r.domain)
            )
            """
        )
        con.commit()
    return changed


def record_proposed_sources(
    db_path: Path | str,
    *,
    run_id: str,
    proposals: pl.DataFrame,
    lock_timeout_s: float = WRITE_TIMEOUT_S,
) -> int:
    """Add this run's unclaimed domains (PROPOSED_SOURCE_SCHEMA); returns distinct domains."""
    table = (
        conform(proposals, PROPOSED_SOURCE_SCHEMA, "proposals")
        .with_columns(pl.col("domain").str.to_lowercase().str.strip_prefix("www."))
        .drop_nulls("domain")
        .group_by("domain", maintain_order=True)
        .agg(
            pl.col("site_name").drop_nulls().first(),
            pl.col("language").drop_nulls().first(),
            pl.col("pages").fill_null(1).sum(),
            pl.col("sample_uri").drop_nulls().first(),
        )
        .to_arrow()
    )
    with open_write(db_path, lock_timeout_s) as con:
        con.register("proposals", table)
        con.execute(
            """
            INSERT INTO proposed_sources
                (domain, site_name, language, pages, sample_uri, first_run_id, last_run_id)
            SELECT domain, site_name, language, pages, sample_uri, $run, $run FROM proposals
            ON CONFLICT (domain) DO UPDATE SET
                site_name = coalesce(excluded.site_name, proposed_sources.site_name),
                language = coalesce(excluded.language, proposed_sources.language),
                pages = proposed_sources.pages + excluded.pages,
                sample_uri = coalesce(proposed_sources.sample_uri, excluded.sample_uri),
                last_run_id = excluded.last_run_id,
                last_seen = now()
            """,
            {"run": run_id},
        )
    return table.num_rows


def save_template_lines(
    db_path: Path | str,
    *,
    run_id: str,
    lines: pl.DataFrame,
    lock_timeout_s: float = WRITE_TIMEOUT_S,
) -> int:
    """Add this run's line counts (TEMPLATE_LINE_SCHEMA, increments) to the learned totals."""
    table = (
        conform(lines, TEMPLATE_LINE_SCHEMA, "template lines")
        .drop_nulls(["source_id", "line"])
        .group_by("source_id", "line", maintain_order=True)
        .agg(pl.col("pages_seen").fill_null(1).sum())
        .to_arrow()
    )
    with open_write(db_path, lock_timeout_s) as con:
        con.register("lines", table)
        con.execute(
            """
            INSERT INTO source_template_lines
                (source_id, line, pages_seen, first_run_id, last_run_id)
            SELECT source_id, line, pages_seen, $run, $run FROM lines
            ON CONFLICT (source_id, line) DO UPDATE SET
                pages_seen = source_template_lines.pages_seen + excluded.pages_seen,
                last_run_id = excluded.last_run_id
            """,
            {"run": run_id},
        )
    return table.num_rows
