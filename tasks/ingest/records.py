"""One ingested item, and the batch frame (RAW_SCHEMA) built from many of them."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA, Reason
from newsdesk.core.contracts.run import Stage
from tasks.ingest.decode import decode


@dataclass(frozen=True)
class RawRecord:
    """Bytes from one place, with what the place said about them."""

    uri: str
    content: bytes
    fetched_at: datetime
    size_bytes: int | None = None  # larger than len(content) when the bytes were not kept
    url: str | None = None
    media_type_hint: str | None = None
    charset_hint: str | None = None
    source_hint: str | None = None
    title_hint: str | None = None
    published_hint: str | None = None


@dataclass(frozen=True)
class IngestFailure:
    """Something that was meant to be a document but could not be read as one."""

    uri: str
    reason: Reason
    observed: str


def doc_id_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def failure_id(uri: str, observed: str) -> str:
    # Unreadable items have no content to hash; the place and the error identify them.
    return hashlib.sha256(f"{uri}\n{observed}".encode()).hexdigest()


def raw_row(record: RawRecord, run_id: str, max_bytes: int) -> dict:
    started = time.perf_counter()
    size = record.size_bytes if record.size_bytes is not None else len(record.content)
    kept = record.content if size <= max_bytes else b""
    decoded = (
        decode(kept, media_type_hint=record.media_type_hint, charset_hint=record.charset_hint)
        if kept
        else None
    )
    return {
        "doc_id": doc_id_of(record.content)
        if kept or size == 0
        else failure_id(record.uri, f"size {size}"),
        "run_id": run_id,
        "uri": record.uri,
        "url": record.url,
        "fetched_at": record.fetched_at,
        "media_type": decoded.media_type if decoded else (record.media_type_hint or "text/plain"),
        "encoding": decoded.encoding if decoded else ("utf-8" if size == 0 else None),
        "size_bytes": size,
        "content": kept,
        "text": decoded.text if decoded else ("" if size == 0 else None),
        "source_hint": record.source_hint,
        "title_hint": record.title_hint,
        "published_hint": record.published_hint,
        "ingest_ms": (time.perf_counter() - started) * 1000,
    }


def to_frames(
    items: Iterable[RawRecord | IngestFailure], *, run_id: str, max_bytes: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The batch's raw documents and the items that never became documents."""
    rows: list[dict] = []
    failures: list[dict] = []
    for item in items:
        if isinstance(item, IngestFailure):
            failures.append(
                {
                    "doc_id": failure_id(item.uri, item.observed),
                    "run_id": run_id,
                    "uri": item.uri,
                    "stage": Stage.INGEST.value,
                    "expectation": "readable_record",
                    "reason": str(item.reason),
                    "observed": item.observed,
                }
            )
        else:
            rows.append(raw_row(item, run_id, max_bytes))
    return pl.DataFrame(rows, schema=RAW_SCHEMA), pl.DataFrame(failures, schema=REJECT_SCHEMA)
