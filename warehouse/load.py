"""Writing to the warehouse: runs, batches, the registry, learned templates, proposed sources.

Every writer prepares its Arrow tables first and only then opens the write connection, so the
file is locked only for the SQL itself. Frames go in through `register` + `INSERT ... SELECT`
(DuckDB scans Arrow in bulk); values go in as bound parameters, never into the SQL text.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.frames import (
    DQ_SCHEMA,
    FOUND_SCHEMA,
    PROPOSED_SOURCE_SCHEMA,
    TEMPLATE_LINE_SCHEMA,
    conform,
    merge_proposals,
    rows_to_frame,
    scrub,
    without_credentials,
)
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA
from newsdesk.core.contracts.run import new_run_id
from newsdesk.core.hygiene import redact_credentials
from newsdesk.core.registry import Registry
from warehouse.connection import (
    READ_TIMEOUT_S,
    WRITE_TIMEOUT_S,
    open_read,
    open_write,
    transaction,
)
from warehouse.file_reads import write_file_reads
from warehouse.migrate import apply as apply_migrations
from warehouse.migrate import read_state, write_state
from warehouse.rawstore import RawUnavailable, get, put_many, store_root
from warehouse.read import query

RUN_STATUSES = frozenset({"started", "gated", "loaded", "failed", "aborted", "crashed"})
CRASHED_SQL = """
UPDATE runs SET status = 'crashed', finished_at = now(), error = coalesce(error, $error)
WHERE status = 'started'
RETURNING run_id, flow_run_id, pid, host
"""

# raw_documents keeps every RAW_SCHEMA column but the decoded text (re-derived from content)
# and run_id (kept as first_run_id / last_run_id); the bytes themselves go to the raw store
# (warehouse/rawstore.py), the row keeps their hash and size.
_RAW_COLUMNS = pl.Schema({k: v for k, v in RAW_SCHEMA.items() if k not in {"run_id", "text"}})
_RAW_STORED = [*(k for k in _RAW_COLUMNS if k != "content"), "content_sha256", "content_size"]
_ARTICLE_COLUMNS = [
    *(k for k in ARTICLE_SCHEMA if k not in {"authors", "tags", "run_id"}),
    "body_sha",  # computed in _prepare
]


class WarehouseOutdated(RuntimeError):
    """A read-only reader met a warehouse file whose migrations are behind this code."""


@dataclass(frozen=True)
class LoadResult:
    """What happened to the batch's articles and rejected documents."""

    loaded: int  # new articles
    updated: int  # existing articles whose page changed (history kept in article_versions)
    duplicates: int  # already loaded from the same document or text: nothing written
    quarantined: int  # distinct documents with a failed check and no article in this batch


@dataclass(frozen=True)
class _Batch:
    raw: pa.Table
    articles: pa.Table
    authors: pa.Table
    tags: pa.Table
    rejects: pa.Table
    dq: pa.Table
    found: pa.Table
    versions: pa.Table  # earlier texts of the batch's articles: versions only


def _list_rows(articles: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    return (
        articles.select("article_id", pl.col(column).alias(name))
        .explode(name)
        .with_columns(position=pl.int_range(pl.len(), dtype=pl.Int32).over("article_id"))
        .filter(pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() != ""))
        .select("article_id", "position", name)
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _store_bytes(
    raw: pl.DataFrame, root: Path, packed: Mapping[str, bytes] | None = None
) -> pl.DataFrame:
    """The batch's raw bytes written to the store; the frame keeps their hash and size.
    `packed`: by doc_id (the sha256 of the document's bytes), the bytes a run's workers
    packed already: written as they are, neither hashed nor compressed again here."""
    contents = raw["content"].to_list()
    ready = [
        (doc_id, packed[doc_id]) if packed and c and doc_id in packed else None
        for doc_id, c in zip(raw["doc_id"].to_list(), contents, strict=True)
    ]
    stored = put_many(root, (c or None for c in contents), ready)
    return raw.with_columns(
        content_sha256=pl.Series(stored, dtype=pl.String),
        content_size=pl.Series([len(c or b"") for c in contents], dtype=pl.Int64),
    ).drop("content")


def _prepare(
    run_id: str,
    raw: pl.DataFrame,
    articles: pl.DataFrame,
    rejects: pl.DataFrame,
    dq: pl.DataFrame,
    found: pl.DataFrame | None,
    versions: pl.DataFrame | None = None,
    *,
    store: Path,
    packed: Mapping[str, bytes] | None = None,
) -> _Batch:
    versions = without_credentials(
        conform(
            versions if versions is not None else ARTICLE_SCHEMA.to_frame(),
            ARTICLE_SCHEMA,
            "versions",
        ),
        "uri",
        "url",
    )
    raw = without_credentials(conform(raw, _RAW_COLUMNS, "raw"), "uri", "url")
    articles = without_credentials(conform(articles, ARTICLE_SCHEMA, "articles"), "uri", "url")
    rejects = without_credentials(conform(rejects, REJECT_SCHEMA, "rejects"), "uri", "observed")
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
        raw=_store_bytes(
            raw.unique("doc_id", keep="first", maintain_order=True), store, packed
        ).to_arrow(),
        articles=articles.drop("authors", "tags", "run_id")
        .with_columns(body_sha=pl.col("body").map_elements(_sha256, return_dtype=pl.String))
        .with_row_index("batch_pos")
        .to_arrow(),
        authors=_list_rows(articles, "authors", "author").to_arrow(),
        tags=_list_rows(articles, "tags", "tag").to_arrow(),
        rejects=rejects.to_arrow(),
        dq=dq.with_columns(run_id=pl.coalesce("run_id", pl.lit(run_id))).to_arrow(),
        found=without_credentials(
            conform(found if found is not None else FOUND_SCHEMA.to_frame(), FOUND_SCHEMA, "found"),
            "url",
        )
        .unique("doc_id", keep="last", maintain_order=True)
        .to_arrow(),
        versions=versions.select(
            "article_id", "doc_id", "title", "published_at", "word_count", "parser_version", "body"
        )
        .with_columns(body_sha=versions["body"].map_elements(_sha256, return_dtype=pl.String))
        .with_row_index("pos")
        .to_arrow(),
    )


# Documents that reached the load (for the run's progress counters), then the LoadResult.
_COUNTS_SQL = """
SELECT
    (SELECT count(*) FROM (
        SELECT doc_id FROM batch_raw UNION SELECT doc_id FROM batch_articles
        UNION SELECT doc_id FROM batch_rejects
    )),
    count(*) FILTER (WHERE kind = 'new'),
    count(*) FILTER (WHERE kind = 'update'),
    count(*) FILTER (WHERE kind IN ('duplicate', 'copy')),
    (SELECT count(DISTINCT doc_id) FROM batch_rejects
     WHERE doc_id NOT IN (SELECT doc_id FROM batch_articles))
FROM batch_kind
"""

_ARTICLE_SELECT = ", ".join(f"b.{c}" for c in _ARTICLE_COLUMNS)
# What an extraction made of a page, as opposed to where and when it ran: a reprocess that
# changes none of these leaves its article as it was.
_CONTENT_COLUMNS = [
    c
    for c in _ARTICLE_COLUMNS
    if c not in {"article_id", "doc_id", "uri", "fetched_at", "clean_ms", "extract_ms"}
    and c != "parser_version"
]
_CHANGED = " OR ".join(
    [
        *(f"a.{c} IS DISTINCT FROM b.{c}" for c in _CONTENT_COLUMNS),
        "oa.authors IS DISTINCT FROM na.authors",
        "ot.tags IS DISTINCT FROM nt.tags",
    ]
)
# Author and tag lists, old and new, of the batch's articles only (not the whole table).
_LISTS = " ".join(
    f"""
    LEFT JOIN (
        SELECT article_id, list({col} ORDER BY position) AS {col}s FROM {table}
        WHERE article_id IN (SELECT article_id FROM batch_articles) GROUP BY article_id
    ) AS o{col[0]} ON o{col[0]}.article_id = b.article_id
    LEFT JOIN (
        SELECT article_id, list({col} ORDER BY position) AS {col}s FROM batch_{col}s
        GROUP BY article_id
    ) AS n{col[0]} ON n{col[0]}.article_id = b.article_id"""
    for table, col in (("article_authors", "author"), ("article_tags", "tag"))
)
_ARTICLE_SET = ", ".join(f"{c} = b.{c}" for c in _ARTICLE_COLUMNS if c != "article_id")


def _write_articles(con: duckdb.DuckDBPyConnection, run_id: str, *, updates: bool) -> None:
    """New and changed articles, their authors and tags, and a version row for each."""
    con.execute(
        f"""
        INSERT INTO articles ({", ".join(_ARTICLE_COLUMNS)}, first_run_id, last_run_id)
        SELECT {_ARTICLE_SELECT}, $run, $run
        FROM batch_articles AS b JOIN batch_kind AS k USING (article_id)
        WHERE k.kind = 'new'
        """,
        {"run": run_id},
    )
    if updates:
        # the version being superseded keeps its body (the current one lives in articles)
        con.execute(
            """
            UPDATE article_versions SET body = a.body
            FROM articles AS a JOIN batch_kind AS k USING (article_id)
            WHERE k.kind = 'update' AND article_versions.article_id = a.article_id
              AND article_versions.doc_id = a.doc_id AND article_versions.run_id = a.last_run_id
            """
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
        if updates:
            con.execute(
                f"DELETE FROM {table} WHERE article_id IN "
                "(SELECT article_id FROM batch_kind WHERE kind = 'update')"
            )
        con.execute(
            f"""
            INSERT INTO {table} (article_id, position, {column})
            SELECT article_id, position, {column} FROM batch_{column}s
            WHERE article_id IN (SELECT article_id FROM batch_kind WHERE kind IN ('new', 'update'))
            """
        )
    con.execute(
        """
        INSERT INTO article_versions (
            article_id, doc_id, run_id, title, published_at, word_count, body_sha, parser_version
        )
        SELECT b.article_id, b.doc_id, $run, b.title, b.published_at, b.word_count, b.body_sha,
            b.parser_version
        FROM batch_articles AS b JOIN batch_kind AS k USING (article_id)
        WHERE k.kind IN ('new', 'update')
        ON CONFLICT DO NOTHING
        """,
        {"run": run_id},
    )


# What each article of the batch is: new; an update (its page changed); a duplicate (the
# same document, or the same text, as its article has); or a copy: a new URL whose text is
# already an article of the same source (in the warehouse, or earlier in the batch).
_KIND_SQL = """
CREATE OR REPLACE TEMP TABLE batch_kind AS
WITH first_in_batch AS (
    SELECT source_id, body_sha, arg_min(article_id, batch_pos) AS article_id
    FROM batch_articles WHERE source_id IS NOT NULL
    GROUP BY ALL
),
existing AS (
    SELECT source_id, body_sha, arg_min(article_id, loaded_at) AS article_id
    FROM articles
    WHERE body_sha IN (SELECT body_sha FROM batch_articles) AND source_id IS NOT NULL
    GROUP BY ALL
)
SELECT b.article_id, b.doc_id, CASE
        WHEN a.article_id IS NOT NULL AND (a.doc_id = b.doc_id OR a.body_sha = b.body_sha)
            THEN 'duplicate'
        WHEN a.article_id IS NOT NULL THEN 'update'
        WHEN e.article_id IS NOT NULL OR f.article_id <> b.article_id THEN 'copy'
        ELSE 'new' END AS kind,
    coalesce(e.article_id, f.article_id) AS original_id
FROM batch_articles AS b
LEFT JOIN articles AS a ON a.article_id = b.article_id
LEFT JOIN existing AS e ON e.source_id = b.source_id AND e.body_sha = b.body_sha
LEFT JOIN first_in_batch AS f ON f.source_id = b.source_id AND f.body_sha = b.body_sha
"""


def _write_dq(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the (run, batch, suite) window: a retried batch does not record its checks twice."""
    con.execute(
        """
        DELETE FROM dq_results WHERE (run_id, batch_no, suite) IN
            (SELECT DISTINCT run_id, batch_no, suite FROM batch_dq)
        """
    )
    columns = ", ".join(c for c in DQ_SCHEMA if c != "recorded_at")
    con.execute(
        f"INSERT INTO dq_results ({columns}, recorded_at) "
        f"SELECT {columns}, coalesce(recorded_at, now()) FROM batch_dq"
    )


def _write_batch(con: duckdb.DuckDBPyConnection, run_id: str, batch: _Batch) -> LoadResult:
    if not con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]:
        raise ValueError(f"run {run_id} was never started: call start_run first")
    for name in ("raw", "articles", "authors", "tags", "rejects", "dq", "found", "versions"):
        con.register(f"batch_{name}", getattr(batch, name))
    con.execute(_KIND_SQL)
    # The same page again is a duplicate, unless its extraction changed (a reprocess with
    # newer code): then the article is updated and the change is a new version. Runs skip
    # known pages before they get here, so this comparison is a reprocess's cost only.
    (same_page,) = con.execute(
        "SELECT count(*) FROM batch_kind WHERE kind = 'duplicate'"
    ).fetchone()
    if same_page:
        con.execute(
            f"""
            UPDATE batch_kind SET kind = 'update' WHERE kind = 'duplicate' AND article_id IN (
                SELECT b.article_id
                FROM batch_articles AS b JOIN articles AS a ON a.article_id = b.article_id
                {_LISTS}
                WHERE b.article_id IN (SELECT article_id FROM batch_kind WHERE kind = 'duplicate')
                  AND a.doc_id = b.doc_id AND ({_CHANGED})
            )
            """
        )
    ingested, loaded, updated, duplicates, quarantined = con.execute(_COUNTS_SQL).fetchone()
    # an earlier text of an article in this batch is a version of it (updated)
    counts = LoadResult(loaded, updated + batch.versions.num_rows, duplicates, quarantined)
    raw_columns = ", ".join(_RAW_STORED)
    con.execute(
        f"""
        INSERT INTO raw_documents ({raw_columns}, first_run_id, last_run_id)
        SELECT {raw_columns}, $run, $run FROM batch_raw
        ON CONFLICT (doc_id) DO UPDATE SET last_run_id = excluded.last_run_id, last_seen = now(),
            -- the same doc_id is the same bytes: just written again to the store, so a row
            -- whose store file went missing has it back
            content_sha256 = coalesce(raw_documents.content_sha256, excluded.content_sha256),
            content_size = coalesce(raw_documents.content_size, excluded.content_size),
            -- read again on every pass (a replay after a rule changed); unread keeps the old
            access = coalesce(excluded.access, raw_documents.access),
            access_evidence = CASE WHEN excluded.access IS NULL
                THEN raw_documents.access_evidence ELSE excluded.access_evidence END
        """,
        {"run": run_id},
    )
    if counts.loaded or counts.updated:
        _write_articles(con, run_id, updates=counts.updated > 0)
    # Earlier texts of an article within the batch: versions, dated just before its current
    # one; superseded, so they keep their body
    con.execute(
        """
        INSERT INTO article_versions (
            article_id, doc_id, run_id, title, published_at, word_count, body_sha, valid_from,
            parser_version, body
        )
        SELECT article_id, doc_id, $run, title, published_at, word_count, body_sha,
               now() - to_microseconds((SELECT count(*) FROM batch_versions) - pos),
               parser_version, body
        FROM batch_versions
        ON CONFLICT DO NOTHING
        """,
        {"run": run_id},
    )
    con.execute(
        """
        INSERT INTO article_duplicates
            (doc_id, article_id, url, url_given, uri, source_id, body_sha, first_run_id)
        SELECT b.doc_id, if(k.kind = 'copy', k.original_id, b.article_id), b.url, b.url_given,
               b.uri, b.source_id, b.body_sha, $run
        FROM batch_articles AS b JOIN batch_kind AS k USING (article_id)
        -- also new bytes with the article's own text (a page's ads changed): a rerun skips them
        WHERE k.kind = 'copy'
           OR (k.kind = 'duplicate' AND b.doc_id NOT IN (SELECT doc_id FROM articles))
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
    con.execute(
        """
        INSERT OR REPLACE INTO quarantine_found
            (doc_id, stage, title, published_raw, site_name, url, word_count, body, run_id)
        SELECT doc_id, stage, title, published_raw, site_name, url, word_count, body, $run
        FROM batch_found
        """,
        {"run": run_id},
    )
    # A loaded document clears its own failures, and those of older versions of its page.
    con.execute(
        """
        UPDATE quarantine SET status = 'resolved', resolved_run_id = $run, resolved_at = now()
        WHERE status = 'open' AND (
            doc_id IN (SELECT doc_id FROM batch_articles)
            OR doc_id IN (SELECT doc_id FROM batch_versions)
            OR uri IN (SELECT uri FROM batch_articles WHERE uri IS NOT NULL)
        )
        """,
        {"run": run_id},
    )
    _write_dq(con)
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
            "ingested": ingested,
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
    found: pl.DataFrame | None = None,
    versions: pl.DataFrame | None = None,
    files: pl.DataFrame | None = None,
    checks: Callable[[LoadResult], pl.DataFrame] | None = None,
    packed: Mapping[str, bytes] | None = None,
    timeout_s: float = WRITE_TIMEOUT_S,
) -> LoadResult:
    """Load one gated batch in one transaction; loading the same batch again adds nothing.

    raw: RAW_SCHEMA rows of every document of the batch that reached ingest (text unused);
    articles: ARTICLE_SCHEMA rows that passed every gate, article_id unique;
    rejects: REJECT_SCHEMA rows; dq: DQ_SCHEMA rows (run_id may be null: this run);
    found: FOUND_SCHEMA rows, what the stages had found in the quarantined documents;
    versions: ARTICLE_SCHEMA rows, earlier texts of the batch's articles (versions only);
    files: FILE_READ_SCHEMA rows, the local files whose last record is in this batch.
    checks: given the batch's counts, DQ_SCHEMA rows of checks made on them (the run's
    accounting), written in the same transaction: no second connection per batch.
    packed: by doc_id, raw bytes already packed for the raw store (rawstore.pack, by the
    run's workers): stored as they are.
    The run's counters in `runs` grow by the returned counts in the same transaction.
    """
    # the bytes go to the store first, outside the lock: a committed row never names a file
    # that is not there (a rollback leaves files no row names, for maintenance to prune)
    batch = _prepare(
        run_id,
        raw,
        articles,
        rejects,
        dq,
        found,
        versions,
        store=store_root(db_path),
        packed=packed,
    )
    with open_write(db_path, timeout_s) as con, transaction(con):
        result = _write_batch(con, run_id, batch)
        if files is not None:
            write_file_reads(con, run_id, files)
        if checks is not None:
            con.register("batch_dq", conform(checks(result), DQ_SCHEMA, "dq").to_arrow())
            _write_dq(con)
    return result


def start_run(
    db_path: Path | str,
    *,
    command: str,
    params: Mapping[str, Any] | None = None,
    flow_run_id: str | None = None,
    run_id: str | None = None,
    registry: Registry | None = None,
    timeout_s: float = WRITE_TIMEOUT_S,
) -> str:
    """Migrate, sync the registry when given, and record a started run; returns its run id."""
    run_id = run_id or new_run_id()
    params_json = redact_credentials(
        scrub(json.dumps(dict(params or {}), default=str, sort_keys=True))
    )
    synced = _registry_digest(registry) if registry is not None else None
    with open_write(db_path, timeout_s) as con:
        apply_migrations(con)
        with transaction(con):
            # Synced only when the registry differs from the one last synced: the sync (an
            # Arrow table registered in DuckDB, which imports pandas) is most of a start's
            # cost.
            if (
                registry is not None
                and synced is not None
                and read_state(con, "registry") != synced
            ):
                _sync_sources(con, _registry_table(registry))
                write_state(con, "registry", synced)
            con.execute(
                "INSERT INTO runs (run_id, flow_run_id, command, params, pid, host) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    flow_run_id and scrub(flow_run_id),
                    redact_credentials(scrub(command)),
                    params_json,
                    os.getpid(),
                    socket.gethostname(),
                ],
            )
    return run_id


def _sql_text(value: str | None) -> str:
    """A SQL string literal (a quote doubled; nothing else is special in one)."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def record_unchanged_run(
    db_path: Path | str,
    *,
    run_id: str,
    flow_run_id: str | None,
    params: Mapping[str, Any],
    registry: Registry,
    files: int,
    timeout_s: float = WRITE_TIMEOUT_S,
) -> None:
    """Record a finished run that read nothing: its `files` unchanged files are its
    documents, each a duplicate (flows/unchanged.py). start_run and finish_run in one
    write, its values written as literals: DuckDB imports pandas (~0.6 s, most of such a
    run's cost) to bind a parameter."""
    params_json = redact_credentials(scrub(json.dumps(dict(params), default=str, sort_keys=True)))
    digest = _registry_digest(registry)
    with open_write(db_path, timeout_s) as con:
        apply_migrations(con)
        with transaction(con):
            if read_state(con, "registry") != digest:
                _sync_sources(con, _registry_table(registry))
                write_state(con, "registry", digest)
            values = ", ".join(
                [
                    _sql_text(run_id),
                    _sql_text(flow_run_id and scrub(flow_run_id)),
                    "'run'",
                    _sql_text(params_json),
                    "'loaded'",
                    "now()",
                    *[str(int(files))] * 2,
                    "0",
                    str(os.getpid()),
                    _sql_text(socket.gethostname()),
                ]
            )
            con.execute(
                "INSERT INTO runs (run_id, flow_run_id, command, params, status, finished_at, "
                f"ingested, duplicates, batches, pid, host) VALUES ({values})"
            )


def close_crashed_runs(
    db_path: Path | str, *, timeout_s: float = WRITE_TIMEOUT_S
) -> list[dict[str, Any]]:
    """Mark every run still `started` as `crashed`; returns them (run_id, flow_run_id, pid,
    host). Call it only while holding the run lock (flows): then no live run is `started`."""
    if not Path(db_path).exists():
        return []
    with open_write(db_path, timeout_s) as con:
        apply_migrations(con)
        rows = con.execute(
            CRASHED_SQL, {"error": "its process died before the run finished"}
        ).fetchall()
    return [dict(zip(("run_id", "flow_run_id", "pid", "host"), row, strict=True)) for row in rows]


_FINAL_COUNTS = ("ingested", "loaded", "updated", "duplicates", "quarantined", "batches")


def finish_run(
    db_path: Path | str, summary: Mapping[str, Any], *, timeout_s: float = WRITE_TIMEOUT_S
) -> None:
    """Close a run from the flow's summary (RunSummary.as_dict()).

    Needs run_id and status (gated, loaded, failed, aborted; a summary still "started" is
    recorded as aborted); error and the counts
    ingested / loaded / updated / duplicates / quarantined / batches, when present, replace
    the progress counters load_batch kept; other keys are ignored.
    """
    run_id, status = summary["run_id"], summary["status"]
    if status == "started":
        status = "aborted"  # the flow ended (e.g. interrupted) before reaching a verdict
    if status not in RUN_STATUSES - {"started"}:
        raise ValueError(f"a run finishes as one of {sorted(RUN_STATUSES - {'started'})}")
    counts = {k: int(summary[k]) for k in _FINAL_COUNTS if summary.get(k) is not None}
    error = summary.get("error")
    sets = "".join(f", {k} = ${k}" for k in counts)
    with open_write(db_path, timeout_s) as con:
        (found,) = con.execute(
            f"UPDATE runs SET status = $status, finished_at = now(), error = $error{sets} "
            "WHERE run_id = $run_id",
            {"status": status, "error": error and scrub(str(error)), "run_id": run_id, **counts},
        ).fetchone()
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


def _registry_rows(registry: Registry) -> list[dict[str, Any]]:
    return [
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


def _registry_digest(registry: Registry) -> str:
    text = json.dumps(_registry_rows(registry), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _registry_table(registry: Registry) -> pa.Table:
    return rows_to_frame(_registry_rows(registry), _SOURCE_SCHEMA).to_arrow()


def _sync_sources(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    con.register("registry", table)
    columns = ", ".join(_SOURCE_SCHEMA)
    changes = ", ".join(f"{c} = excluded.{c}" for c in _SOURCE_SCHEMA if c != "name")
    differs = " OR ".join(
        f"sources.{c} IS DISTINCT FROM excluded.{c}" for c in _SOURCE_SCHEMA if c != "name"
    )
    (changed,) = con.execute(
        f"""
        INSERT INTO sources ({columns}) SELECT {columns} FROM registry
        ON CONFLICT (name) DO UPDATE SET {changes}, in_registry = true, updated_at = now()
        WHERE {differs} OR NOT sources.in_registry
        """
    ).fetchone()
    (retired,) = con.execute(
        """
        UPDATE sources SET in_registry = false, updated_at = now()
        WHERE in_registry AND name NOT IN (SELECT name FROM registry)
        """
    ).fetchone()
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
    con.unregister("registry")
    return changed + retired


def sync_sources(
    db_path: Path | str, registry: Registry, *, timeout_s: float = WRITE_TIMEOUT_S
) -> int:
    """Make `sources` match the registry; returns how many rows were added or changed.

    Entries gone from the registry stay, with in_registry = false, so their articles keep a
    source. Proposed domains the registry now claims become 'accepted'.
    """
    table = _registry_table(registry)
    with open_write(db_path, timeout_s) as con, transaction(con):
        changed = _sync_sources(con, table)
        write_state(con, "registry", _registry_digest(registry))
    return changed


def record_proposed_sources(
    db_path: Path | str,
    *,
    run_id: str,
    proposals: pl.DataFrame,
    timeout_s: float = WRITE_TIMEOUT_S,
) -> int:
    """Add this run's unclaimed domains (PROPOSED_SOURCE_SCHEMA); returns distinct domains."""
    table = merge_proposals(
        conform(proposals, PROPOSED_SOURCE_SCHEMA, "proposals")
        .with_columns(pl.col("domain").str.to_lowercase().str.strip_prefix("www."))
        .drop_nulls("domain")
    ).to_arrow()
    with open_write(db_path, timeout_s) as con:
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
    timeout_s: float = WRITE_TIMEOUT_S,
) -> int:
    """Add this run's lines (TEMPLATE_LINE_SCHEMA) to what the source's pages have shown: the
    page counts add up, and a line keeps its article only while every page showing it is a
    version of that one article (article_id becomes NULL: seen on two or more)."""
    table = (
        conform(lines, TEMPLATE_LINE_SCHEMA, "template lines")
        .drop_nulls(["source_id", "line", "article_id"])
        .group_by("source_id", "line", maintain_order=True)
        .agg(
            pl.when(pl.col("article_id").n_unique() == 1)
            .then(pl.col("article_id").first())
            .alias("article_id"),
            pl.col("pages_seen").fill_null(1).sum(),
        )
        .to_arrow()
    )
    with open_write(db_path, timeout_s) as con:
        con.register("lines", table)
        con.execute(
            """
            INSERT INTO source_template_lines
                (source_id, line, article_id, pages_seen, first_run_id, last_run_id, last_seen)
            SELECT source_id, line, article_id, pages_seen, $run, $run, now() FROM lines
            ON CONFLICT (source_id, line) DO UPDATE SET
                article_id = CASE WHEN source_template_lines.article_id = excluded.article_id
                    THEN excluded.article_id END,
                pages_seen = source_template_lines.pages_seen + excluded.pages_seen,
                last_run_id = excluded.last_run_id,
                last_seen = excluded.last_seen
            """,
            {"run": run_id},
        )
    return table.num_rows


# Look-ups the pipeline makes (read-only connections, see warehouse.read).


def _doc_ids_found(
    db_path: Path | str, doc_ids: Iterable[str], sql: str, timeout_s: float
) -> set[str]:
    """The given documents that `sql` (a `doc_id` column, the ids bound as `$ids`) finds;
    none without asking when there are none or no warehouse yet."""
    wanted = sorted(set(doc_ids))
    if not wanted or not Path(db_path).exists():
        return set()
    found = query(db_path, sql, {"ids": wanted}, timeout_s=timeout_s)
    return set(found["doc_id"].to_list())


def loaded_doc_ids(
    db_path: Path | str, doc_ids: Iterable[str], *, timeout_s: float = READ_TIMEOUT_S
) -> set[str]:
    """The given documents whose article is already loaded from them (a rerun skips them)."""
    return _doc_ids_found(
        db_path,
        doc_ids,
        "SELECT doc_id FROM articles WHERE doc_id IN (SELECT unnest($ids)) "
        "UNION SELECT doc_id FROM article_duplicates WHERE doc_id IN (SELECT unnest($ids)) "
        "UNION SELECT doc_id FROM article_versions WHERE doc_id IN (SELECT unnest($ids))",
        timeout_s,
    )


def quarantined_doc_ids(
    db_path: Path | str, doc_ids: Iterable[str], *, timeout_s: float = READ_TIMEOUT_S
) -> set[str]:
    """The given documents that are in quarantine, unchanged, past the ingest stage (a rerun
    skips them; `newsdesk replay` is how they run again once their cause is fixed)."""
    return _doc_ids_found(
        db_path,
        doc_ids,
        "SELECT DISTINCT doc_id FROM quarantine WHERE status = 'open' AND stage <> 'ingest' "
        "AND doc_id IN (SELECT unnest($ids))",
        timeout_s,
    )


def with_stored_bytes(frame: pl.DataFrame, db_path: Path | str) -> pl.DataFrame:
    """Rows of raw_documents with `content` filled from the raw store (or, for a row not yet
    moved out, from the table), and `raw_error`: why the bytes could not be read (a missing
    or damaged store file), null when they were."""
    root = store_root(db_path)
    contents: list[bytes | None] = []
    errors: list[str | None] = []
    for sha, inline in zip(frame["content_sha256"], frame["content"], strict=True):
        try:
            contents.append(get(root, sha) if sha is not None else (inline or b""))
            errors.append(None)
        except RawUnavailable as exc:
            contents.append(None)
            errors.append(str(exc))
    return frame.with_columns(
        content=pl.Series(contents, dtype=pl.Binary),
        raw_error=pl.Series(errors, dtype=pl.String),
    ).drop("content_sha256")


def quarantined_raw(
    db_path: Path | str, stage: str | None = None, *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """RAW_SCHEMA rows rebuilt from the stored bytes of documents with open quarantine rows,
    plus `raw_error` (see with_stored_bytes).

    `text` is left null (ingest decodes `content` again); run_id is the last run that saw the
    document. Documents without stored bytes (fetch failures) are not included.
    """
    if not Path(db_path).exists():
        return pl.DataFrame(schema={**RAW_SCHEMA, "raw_error": pl.String})
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
        SELECT {", ".join(columns)}, content_sha256 FROM raw_documents
        WHERE doc_id IN (
            SELECT doc_id FROM quarantine
            WHERE status = 'open' AND ($stage IS NULL OR stage = $stage)
        )
        ORDER BY doc_id
        """,
        {"stage": stage},
        timeout_s=timeout_s,
    )
    frame = frame.cast({**dict(RAW_SCHEMA), "content_sha256": pl.String})
    return with_stored_bytes(frame, db_path)


def reprocess_candidates(
    db_path: Path | str, *, since: str | None = None, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """The stored pages a reprocess runs again, without their bytes: each article's current
    page (`article_id` set), then the pages with open quarantine rows (`article_id` null),
    oldest first within each part; only pages whose bytes were kept whole, and with `since`
    (an ISO date or time) only pages first ingested from then on. Columns: doc_id, url, uri,
    first_seen, article_id, source_id (the article's), source_hint, site_name (as found in
    the quarantined page)."""
    if not Path(db_path).exists():
        return pl.DataFrame()
    return query(
        db_path,
        """
        WITH current AS (
            SELECT doc_id, min(article_id) AS article_id, min(source_id) AS source_id
            FROM articles GROUP BY doc_id
        ), held AS (
            SELECT DISTINCT doc_id FROM quarantine WHERE status = 'open'
        )
        SELECT r.doc_id, r.url, r.uri, r.first_seen, c.article_id, c.source_id, r.source_hint,
               f.site_name
        FROM raw_documents AS r
        LEFT JOIN current AS c USING (doc_id)
        LEFT JOIN quarantine_found AS f USING (doc_id)
        WHERE (c.doc_id IS NOT NULL OR r.doc_id IN (SELECT doc_id FROM held))
          AND coalesce(r.content_size, octet_length(r.content)) = r.size_bytes
          AND ($since IS NULL OR r.first_seen >= CAST($since AS TIMESTAMPTZ))
        ORDER BY c.doc_id IS NULL, r.first_seen, r.doc_id
        """,
        {"since": since},
        timeout_s=timeout_s,
    )


def stored_raw(
    db_path: Path | str, doc_ids: Iterable[str], *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """The raw_documents rows (with their bytes, from the raw store, and `raw_error`: see
    with_stored_bytes) of the given documents, in the given order."""
    wanted = list(doc_ids)
    if not wanted:
        return pl.DataFrame()
    frame = query(
        db_path,
        """
        SELECT r.* FROM raw_documents AS r
        JOIN (SELECT unnest($ids) AS doc_id, generate_subscripts($ids, 1) AS i) AS w
        USING (doc_id) ORDER BY w.i
        """,
        {"ids": wanted},
        timeout_s=timeout_s,
    )
    return with_stored_bytes(frame, db_path)


def load_template_lines(
    db_path: Path | str, source_id: str | None = None, *, timeout_s: float = READ_TIMEOUT_S
) -> dict[str, dict[str, str]]:
    """What each source's pages have shown: line → the one article it was seen on, or ""
    (tasks.clean.templates.MANY) for a line seen on two or more articles."""
    if not Path(db_path).exists():
        return {}
    try:
        frame = _template_lines(db_path, source_id, timeout_s)
    except (duckdb.BinderException, duckdb.CatalogException) as exc:  # readers never migrate
        raise _outdated(db_path) from exc
    return {
        source: dict(zip(lines, articles, strict=True))
        for source, lines, articles in frame.iter_rows()
    }


def _outdated(db_path: Path | str) -> WarehouseOutdated:
    return WarehouseOutdated(
        f"the warehouse at {db_path} predates this newsdesk (its template lines name no "
        "article): a `newsdesk run` or `newsdesk reprocess` on it brings it up to date"
    )


def template_lines_for(
    db_path: Path | str, pairs: pl.DataFrame, *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """Of the given (source_id, line) pairs, those the warehouse keeps, with the one article
    each was seen on or "" (MANY): a batch's look-up, so that no run holds every source's
    lines in memory. Empty when there is no warehouse yet; raises WarehouseOutdated as
    load_template_lines does."""
    empty = pl.DataFrame(schema={"source_id": pl.String, "line": pl.String, "article": pl.String})
    if pairs.is_empty() or not Path(db_path).exists():
        return empty
    try:
        with open_read(db_path, timeout_s) as con:
            con.register("wanted", pairs.select("source_id", "line").to_arrow())
            return con.execute(
                """
                SELECT t.source_id, t.line, coalesce(t.article_id, '') AS article
                FROM source_template_lines t
                SEMI JOIN wanted w ON t.source_id = w.source_id AND t.line = w.line
                """
            ).pl()
    except (duckdb.BinderException, duckdb.CatalogException) as exc:  # readers never migrate
        raise _outdated(db_path) from exc


def _template_lines(db_path: Path | str, source_id: str | None, timeout_s: float) -> pl.DataFrame:
    return query(
        db_path,
        """
        SELECT source_id, list(line) AS lines, list(coalesce(article_id, '')) AS articles
        FROM source_template_lines
        WHERE $source IS NULL OR source_id = $source
        GROUP BY source_id
        """,
        {"source": source_id},
        timeout_s=timeout_s,
    )


def accept_proposed_source(
    db_path: Path | str, domain: str, *, timeout_s: float = WRITE_TIMEOUT_S
) -> bool:
    """Mark a proposal as taken into the registry; False when there was none for the domain."""
    with open_write(db_path, timeout_s) as con:
        found = con.execute(
            "UPDATE proposed_sources SET status = 'accepted' WHERE domain = ? RETURNING domain",
            [domain],
        ).fetchall()
    return bool(found)
