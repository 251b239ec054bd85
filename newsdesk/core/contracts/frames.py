"""Frame shapes the warehouse accepts beyond the stage schemas, and making text loadable.

Python strings may hold unpaired surrogates (e.g. from `errors="surrogateescape"` or broken
JSON escapes). Neither Polars, Arrow nor DuckDB accepts them, and one such string fails a
whole batch, so text from Python objects goes through `scrub` before it becomes a frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from newsdesk.core.hygiene import USERINFO_PATTERN

# One row per expectation a gate evaluated on a batch: the dq_results table, as
# expectations.result.GateResult.dq_rows makes it; recorded_at null means "now".
DQ_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "batch_no": pl.Int64,
        "suite": pl.String,  # e.g. after_extract
        "stage": pl.String,  # a Stage value
        "expectation": pl.String,  # GX expectation type, e.g. expect_column_values_to_not_be_null
        "column_name": pl.String,  # the column it checked (comma-joined for multi-column checks)
        "reason": pl.String,  # the Reason code a failure maps to
        "severity": pl.String,  # error | warn
        "evaluated": pl.Int64,  # rows checked
        "failed": pl.Int64,  # rows that failed
        "success": pl.Boolean,
        "threshold": pl.Float64,  # GX `mostly`, when set
        "sample": pl.String,  # JSON list of {"id", "observed"}: a few failing values
        "recorded_at": pl.Datetime("us", "UTC"),
    }
)

# Lines seen on a source's pages in this run: the article each page belongs to, and page
# counts (increments, not totals).
TEMPLATE_LINE_SCHEMA = pl.Schema(
    {"source_id": pl.String, "line": pl.String, "article_id": pl.String, "pages_seen": pl.Int64}
)

# A registry source that went quiet or keeps failing (warehouse/quiet.py, flows/source_watch.py):
# kind is quiet | failing, detail says it in words.
SOURCE_ALERT_SCHEMA = pl.Schema({"source_id": pl.String, "kind": pl.String, "detail": pl.String})

# Domains of pages no registry entry claims, seen in this run.
PROPOSED_SOURCE_SCHEMA = pl.Schema(
    {
        "domain": pl.String,
        "site_name": pl.String,
        "language": pl.String,
        "pages": pl.Int64,
        "sample_uri": pl.String,
    }
)


def merge_proposals(proposals: pl.DataFrame) -> pl.DataFrame:
    """One PROPOSED_SOURCE_SCHEMA row per domain: the first name and language printed, the
    pages added up, the first sample. A run's tally and the warehouse merge alike, so a
    domain proposed over several batches is one proposal with all its pages."""
    return (
        proposals.select(PROPOSED_SOURCE_SCHEMA.names())
        .group_by("domain", maintain_order=True)
        .agg(
            pl.col("site_name").drop_nulls().first(),
            pl.col("language").drop_nulls().first(),
            pl.col("pages").fill_null(1).sum(),
            pl.col("sample_uri").drop_nulls().first(),
        )
        .cast(PROPOSED_SOURCE_SCHEMA)  # type: ignore[arg-type]
    )


def scrub(text: str) -> str:
    """Join valid surrogate pairs and replace unpaired surrogates with U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def rows_to_frame(rows: Iterable[Mapping[str, Any]], schema: pl.Schema) -> pl.DataFrame:
    """A frame of `schema` from Python rows, with every string (in lists too) scrubbed."""
    cleaned = [{name: _scrub_value(row.get(name)) for name in schema} for row in rows]
    return pl.DataFrame(cleaned, schema=schema)


def without_credentials(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The frame with "user:secret@" taken out of every URL in the given text columns: the
    last guard before a row is stored (ingest and the crawler strip them first)."""
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(pl.col(c).str.replace_all(USERINFO_PATTERN, "$1") for c in present)


def conform(frame: pl.DataFrame, schema: pl.Schema, what: str) -> pl.DataFrame:
    """The frame's columns of `schema`, in order and cast; a missing column is an error."""
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks columns {missing}")
    return frame.select(list(schema)).cast(dict(schema))


# What a stage had found in a document its gate quarantined (quarantine_found).
FOUND_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,
        "stage": pl.String,
        "title": pl.String,
        "published_raw": pl.String,
        "site_name": pl.String,
        "url": pl.String,
        "word_count": pl.Int64,
        "body": pl.String,
    }
)
