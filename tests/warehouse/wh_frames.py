"""Builders of stage frames with the real schemas, shared by the warehouse tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import polars as pl

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.frames import DQ_SCHEMA
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA

FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PUBLISHED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def doc_id_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def raw_row(content: bytes, uri: str, run_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "doc_id": doc_id_of(content),
        "run_id": run_id,
        "uri": uri,
        "url": extra.pop("url", uri if uri.startswith("http") else None),
        "fetched_at": FETCHED,
        "media_type": "text/html",
        "encoding": "utf-8",
        "size_bytes": len(content),
        "content": content,
        "text": content.decode(),
        "source_hint": None,
        "title_hint": None,
        "published_hint": None,
        "ingest_ms": 1.5,
        **extra,
    }


def article_row(raw: dict[str, Any], article_id: str, **extra: Any) -> dict[str, Any]:
    body = raw["content"].decode()
    return {
        "article_id": article_id,
        "doc_id": raw["doc_id"],
        "run_id": raw["run_id"],
        "uri": raw["uri"],
        "url": raw["url"],
        "source_id": "Example News",
        "site_name": "Example News",
        "title": f"Title of {article_id}",
        "authors": ["Ann Writer", "Bob Reporter"],
        "published_at": PUBLISHED,
        "published_local": "2025-03-01T11:30:00+02:00",
        "published_raw": "1 March 2025 11:30",
        "published_tz": "Europe/Helsinki",
        "published_method": "meta",
        "modified_at": None,
        "section": "World",
        "tags": ["politics", "europe"],
        "language": "en",
        "description": None,
        "image_url": None,
        "body": body,
        "word_count": len(body.split()),
        "extraction_method": "trafilatura",
        "parser_version": "test-1",
        "fetched_at": FETCHED,
        "clean_ms": 2.0,
        "extract_ms": 3.0,
        **extra,
    }


def reject_row(raw: dict[str, Any], stage: str, expectation: str, reason: str) -> dict[str, Any]:
    return {
        "doc_id": raw["doc_id"],
        "run_id": raw["run_id"],
        "uri": raw["uri"],
        "stage": stage,
        "expectation": expectation,
        "reason": reason,
        "observed": "null",
    }


def dq_row(run_id: str, batch_no: int, failed: int = 0, severity: str = "error") -> dict:
    return {
        "run_id": run_id,
        "batch_no": batch_no,
        "suite": "after_extract",
        "stage": "extract",
        "expectation": "expect_column_values_to_not_be_null",
        "column_name": "published_at",
        "reason": "unparsed_date",
        "severity": severity,
        "evaluated": 10,
        "failed": failed,
        "success": failed == 0,
        "threshold": None,
        "sample": "[]",
    }


def frames(
    raws: list[dict], articles: list[dict], rejects: list[dict] = (), dq: list[dict] = ()
) -> dict[str, pl.DataFrame]:
    """The keyword arguments of load_batch for these rows."""
    return {
        "raw": pl.DataFrame(raws, schema=RAW_SCHEMA),
        "articles": pl.DataFrame(articles, schema=ARTICLE_SCHEMA),
        "rejects": pl.DataFrame(list(rejects), schema=REJECT_SCHEMA),
        "dq": pl.DataFrame(list(dq), schema=DQ_SCHEMA),
    }


def page(n: int, version: int = 1, words: int = 60) -> bytes:
    return (f"Page {n} version {version}. " + "word " * words).encode()


def good_batch(run_id: str, numbers: range, version: int = 1) -> tuple[list, list]:
    """Raw and article rows for pages `numbers`, all passing."""
    raws = [raw_row(page(n, version), f"https://example.com/news/{n}", run_id) for n in numbers]
    return raws, [article_row(r, f"art-{n}") for r, n in zip(raws, numbers, strict=True)]
