"""Columns of a raw-document batch, the output of the ingest stage."""

from enum import StrEnum

import polars as pl


class Access(StrEnum):
    """Why a page gave nothing, or that it did not (tasks/ingest/access.py decides)."""

    OPEN = "open"
    PAYWALLED = "paywalled"
    BLOCKED = "blocked"
    JS_REQUIRED = "js_required"


RAW_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,  # sha256 of the raw bytes (hex): the content-addressed id
        "run_id": pl.String,
        "uri": pl.String,  # where the bytes came from: file:///…, https://…, warc://…#record
        "url": pl.String,  # the page's own URL when known (sidecar, JSONL, fetch), else null
        "fetched_at": pl.Datetime("us", "UTC"),
        "media_type": pl.String,  # text/html or text/plain (after sniffing)
        "encoding": pl.String,  # the codec the text was decoded with; null = undecodable
        "size_bytes": pl.Int64,
        "content": pl.Binary,  # the raw bytes, kept for replay
        "text": pl.String,  # the decoded text (null when undecodable)
        "source_hint": pl.String,  # publisher named by a sidecar / export / registry feed
        "title_hint": pl.String,  # title given by an export (JSONL) or sidecar
        "published_hint": pl.String,  # date string given by an export or sidecar
        "ingest_ms": pl.Float64,
        # open | paywalled | blocked | js_required (tasks/ingest/access.py); null until read
        "access": pl.String,
        "access_evidence": pl.String,  # what decided a non-open access, e.g. the JSON-LD flag
    }
)
