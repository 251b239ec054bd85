"""The load stage's pure parts: what is already loaded, and replaying quarantined documents."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from newsdesk.core.config import Settings
from newsdesk.core.contracts.frames import FOUND_SCHEMA, PROPOSED_SOURCE_SCHEMA
from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.contracts.run import Stage
from newsdesk.core.registry import host_of
from tasks.ingest.records import RawRecord
from warehouse.load import loaded_doc_ids, quarantined_doc_ids, quarantined_raw


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


def skip_known(raw: pl.DataFrame, settings: Settings, *, replay: bool) -> tuple[pl.DataFrame, int]:
    """On a replay, quarantined documents are exactly what should run again."""
    if raw.is_empty() or not settings.db.exists():
        return split_known(raw, set())
    doc_ids = raw["doc_id"].to_list()
    known = loaded_doc_ids(settings.db, doc_ids, timeout_s=settings.read_lock_timeout_s)
    if not replay:
        known |= quarantined_doc_ids(settings.db, doc_ids, timeout_s=settings.read_lock_timeout_s)
    return split_known(raw, known)


def replay_records(settings: Settings) -> Iterator[RawRecord]:
    """The quarantined documents whose bytes the warehouse kept, as records to run again."""
    frame = quarantined_raw(settings.db, timeout_s=settings.read_lock_timeout_s)
    for row in frame.iter_rows(named=True):
        yield RawRecord(
            uri=row["uri"],
            content=row["content"],
            fetched_at=row["fetched_at"],
            url=row["url"],
            media_type_hint=row["media_type"],
            source_hint=row["source_hint"],
            title_hint=row["title_hint"],
            published_hint=row["published_hint"],
        )


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
