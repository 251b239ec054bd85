"""The load stage's pure parts: what is already loaded, and replaying quarantined documents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import polars as pl

from newsdesk.core.config import Settings
from newsdesk.core.contracts.frames import FOUND_SCHEMA, PROPOSED_SOURCE_SCHEMA
from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.contracts.run import Stage
from newsdesk.core.registry import Registry, host_of
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.page.fields import article_id_of
from warehouse.load import (
    loaded_doc_ids,
    quarantined_doc_ids,
    quarantined_raw,
    reprocess_candidates,
    stored_raw,
)


def split_known(raw: pl.DataFrame, known: set[str]) -> tuple[pl.DataFrame, int]:
    """Documents to process, and how many are duplicates: loaded or quarantined before with
    the same bytes, or repeated within the batch."""
    fresh = raw.unique("doc_id", keep="first", maintain_order=True).filter(
        ~pl.col("doc_id").is_in(sorted(known))
    )
    return fresh, raw.height - fresh.height


def split_versions(articles: pl.DataFrame) -> tuple[pl.DataFrame, int, pl.DataFrame]:
    """One row per article id for the load, how many rows repeated another's id and text
    (one page under two spellings of its URL: duplicates), and the earlier versions: rows of
    an id with other text than its newest (by fetched_at, then batch order), which become
    versions of that article, not articles."""
    unique = articles.unique(["article_id", "body"], keep="first", maintain_order=True)
    repeats = articles.height - unique.height
    ordered = unique.with_row_index("_pos").sort(["fetched_at", "_pos"], nulls_last=False)
    latest = ordered.unique("article_id", keep="last", maintain_order=True)
    earlier = ordered.join(latest.select("_pos"), on="_pos", how="anti")
    return latest.sort("_pos").drop("_pos"), repeats, earlier.sort("_pos").drop("_pos")


def known_doc_ids(doc_ids: list[str], settings: Settings, *, mode: str) -> set[str]:
    """The documents a batch sets aside after its ingest gate (split_known): already loaded,
    or quarantined past the ingest stage. On a replay, quarantined documents are exactly what
    should run again; a reprocess runs every document it was given again, loaded or not."""
    if not doc_ids or not settings.db.exists() or mode == "reprocess":
        return set()
    known = loaded_doc_ids(settings.db, doc_ids, timeout_s=settings.read_lock_timeout_s)
    if mode != "replay":
        known |= quarantined_doc_ids(settings.db, doc_ids, timeout_s=settings.read_lock_timeout_s)
    return known


def _stored_record(
    row: dict[str, Any], charset_hint: str | None = None
) -> RawRecord | IngestFailure:
    """A stored raw document (a `raw_documents` row) as a record to run again; a page whose
    bytes the raw store lost or damaged is a `raw_missing` failure of that page alone."""
    if row.get("raw_error"):
        return IngestFailure(uri=row["uri"], reason=Reason.RAW_MISSING, observed=row["raw_error"])
    return RawRecord(
        uri=row["uri"],
        content=row["content"],
        fetched_at=row["fetched_at"],
        url=row["url"],
        media_type_hint=row["media_type"],
        charset_hint=charset_hint,
        source_hint=row["source_hint"],
        title_hint=row["title_hint"],
        published_hint=row["published_hint"],
    )


def replay_records(settings: Settings) -> Iterator[RawRecord | IngestFailure]:
    """The quarantined documents whose bytes the warehouse kept, as records to run again."""
    frame = quarantined_raw(settings.db, timeout_s=settings.read_lock_timeout_s)
    for row in frame.iter_rows(named=True):
        yield _stored_record(row)


def reprocess_plan(
    settings: Settings, registry: Registry, *, source: str | None, since: str | None
) -> tuple[list[str], list[str]]:
    """The documents a reprocess runs again: the current pages of the loaded articles, and the
    quarantined pages. Of the latter, only the newest page of an article, and none older than
    the page the article is loaded from: a reprocess must not bring back an old version.
    With `source`, only the pages of that registry source (the article's source; for a
    quarantined page, the one its URL, its given publisher or the publisher printed on it
    names, as the registry reads them now)."""
    frame = reprocess_candidates(settings.db, since=since, timeout_s=settings.read_lock_timeout_s)
    if frame.is_empty():
        return [], []
    loaded: list[str] = []
    current: dict[str, datetime] = {}
    newest: dict[str, dict] = {}
    for row in frame.iter_rows(named=True):
        if row["article_id"] is not None:
            current[row["article_id"]] = row["first_seen"]
            if source is None or row["source_id"] == source:
                loaded.append(row["doc_id"])
            continue
        if source is not None and _source_of(registry, row) != source:
            continue
        article = article_id_of(row["url"], row["uri"])
        if article not in newest or row["first_seen"] >= newest[article]["first_seen"]:
            newest[article] = row
    held = [
        row["doc_id"]
        for article, row in newest.items()
        if article not in current or row["first_seen"] > current[article]
    ]
    return loaded, held


def _source_of(registry: Registry, row: dict) -> str | None:
    for found in (
        registry.by_url(row["url"]),
        *(registry.get(name) for name in (row["source_hint"], row["site_name"]) if name),
    ):
        if found:
            return found.name
    return None


def stored_records(settings: Settings, doc_ids: list[str]) -> Iterator[RawRecord | IngestFailure]:
    """The stored bytes of the given documents as records to run again, read a batch at a
    time so that a reprocess of the whole warehouse does not hold every page in memory."""
    for start in range(0, len(doc_ids), settings.batch_size):
        chunk = doc_ids[start : start + settings.batch_size]
        frame = stored_raw(settings.db, chunk, timeout_s=settings.read_lock_timeout_s)
        for row in frame.iter_rows(named=True):
            yield _stored_record(row, charset_hint=row["encoding"])


def found_in_quarantined(
    rejects: pl.DataFrame, clean: pl.DataFrame, articles: pl.DataFrame
) -> pl.DataFrame:
    """What clean and extract had found in the documents a later gate quarantined: the
    article as extracted where it got that far, else the cleaned body (FOUND_SCHEMA)."""
    held = rejects.filter(pl.col("stage").is_in([Stage.CLEAN, Stage.EXTRACT, Stage.LOAD]))["doc_id"]
    extracted = articles.filter(pl.col("doc_id").is_in(held.implode())).select(
        "doc_id",
        pl.lit(Stage.EXTRACT.value).alias("stage"),
        "title",
        "published_raw",
        "site_name",
        "url",
        "word_count",
        "body",
    )
    cleaned = clean.filter(
        pl.col("doc_id").is_in(held.implode())
        & ~pl.col("doc_id").is_in(extracted["doc_id"].implode())
    ).select(
        "doc_id",
        pl.lit(Stage.CLEAN.value).alias("stage"),
        pl.col("title_hint").alias("title"),
        pl.lit(None, pl.String).alias("published_raw"),
        pl.lit(None, pl.String).alias("site_name"),
        "url",
        "word_count",
        "body",
    )
    return pl.concat([extracted, cleaned], how="vertical").cast(dict(FOUND_SCHEMA))


def proposed_sources(rejects: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    """A registry entry to propose for each page quarantined as unknown_source whose domain
    is known: the domain, the publisher's name as printed, the language
    (PROPOSED_SOURCE_SCHEMA)."""
    unknown = rejects.filter(pl.col("reason") == Reason.UNKNOWN_SOURCE)["doc_id"].implode()
    pages = articles.filter(pl.col("doc_id").is_in(unknown))
    rows = [
        {
            "domain": host,
            "site_name": page["site_name"],
            "language": page["language"],
            "pages": 1,
            "sample_uri": page["uri"],
        }
        for page in pages.iter_rows(named=True)
        if (host := host_of(page["url"] or ""))
    ]
    return pl.DataFrame(rows, schema=PROPOSED_SOURCE_SCHEMA)
