"""One ingested item, and the batch frame (RAW_SCHEMA) built from many of them."""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA, Reason
from newsdesk.core.contracts.run import Stage
from newsdesk.core.hygiene import (
    clean_title,
    redact_credentials,
    scrub_surrogates,
    strip_credentials,
)
from tasks.ingest.decode import PLAIN, decode


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


# A text dump that names its own address near its top ("URL: https://…", as copy-paste and
# text-browser tools print it). Further down such a line belongs to a list of links.
_URL_LINE = re.compile(
    r"^[ \t]*(?:url|source url|original url)[ \t]*:[ \t]*(https?://\S+)[ \t]*$", re.I
)
_URL_LINE_WITHIN = 10  # first non-blank lines
# Rows turned into a frame at a time by to_frames (their pages' bytes plus text length).
_PART_BYTES = 8 << 20


def stated_url(text: str) -> str | None:
    """The URL a text dump states on a `URL:` line among its first lines, if any."""
    from tasks.ingest.web.urls import is_web_url

    lines = (line for line in text[:4096].splitlines() if line.strip())
    for line in itertools.islice(lines, _URL_LINE_WITHIN):
        found = _URL_LINE.match(line)
        if found and is_web_url(found.group(1)):
            return strip_credentials(found.group(1))
    return None


def doc_id_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def failure_id(uri: str, reason: str) -> str:
    """Unreadable items have no content to hash; the place and the reason identify them, so
    a URL that fails the same way run after run keeps one quarantine row (times_seen grows)
    however its observed text (attempts, run id) changes."""
    return hashlib.sha256(f"{uri}\n{reason}".encode()).hexdigest()


def _safe(text: str | None) -> str | None:
    """Text from an input, as it may be stored: no credentials, no lone surrogates."""
    return None if text is None else redact_credentials(scrub_surrogates(text))


def _safe_url(url: str | None) -> str | None:
    return None if url is None else strip_credentials(scrub_surrogates(url))


def raw_row(record: RawRecord, run_id: str, max_bytes: int) -> dict:
    started = time.perf_counter()
    size = record.size_bytes if record.size_bytes is not None else len(record.content)
    kept = record.content if size <= max_bytes else b""
    decoded = (
        decode(kept, media_type_hint=record.media_type_hint, charset_hint=record.charset_hint)
        if kept
        else None
    )
    url = record.url
    if url is None and decoded is not None and decoded.text and decoded.media_type == PLAIN:
        url = stated_url(decoded.text)
    return {
        "doc_id": doc_id_of(record.content)
        if kept or size == 0
        else failure_id(_safe_url(record.uri) or "", f"size {size}"),
        "run_id": run_id,
        "uri": _safe_url(record.uri),
        "url": _safe_url(url),
        "fetched_at": record.fetched_at,
        "media_type": decoded.media_type if decoded else (record.media_type_hint or "text/plain"),
        "encoding": decoded.encoding if decoded else ("utf-8" if size == 0 else None),
        "size_bytes": size,
        "content": kept,
        "text": decoded.text if decoded else ("" if size == 0 else None),
        "source_hint": _safe(record.source_hint),
        "title_hint": clean_title(_safe(record.title_hint)),
        "published_hint": _safe(record.published_hint),
        "ingest_ms": (time.perf_counter() - started) * 1000,
        "access": None,  # read by access_task, in the worker pool
        "access_evidence": None,
    }


def _raw_frame(rows: list[dict]) -> pl.DataFrame:
    """RAW_SCHEMA rows as a frame, built column by column: from a list of dicts, polars
    took two to four times as long (0.1-0.4 ms a page of the run's process)."""
    return pl.DataFrame(
        {name: [row[name] for row in rows] for name in RAW_SCHEMA}, schema=RAW_SCHEMA
    )


def to_frames(
    items: Iterable[RawRecord | IngestFailure], *, run_id: str, max_bytes: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The batch's raw documents and the items that never became documents.

    The documents' frame is built a part at a time (`_PART_BYTES` of bytes and text): a
    row holds its page twice as Python objects (the bytes, and the decoded text at up to
    four bytes a character), and polars building one frame from a whole batch of rows held
    about three times the frame's size at once; a part's rows are dropped once copied."""
    parts: list[pl.DataFrame] = []
    rows: list[dict] = []
    held = 0
    failures: list[dict] = []
    for item in items:
        if isinstance(item, IngestFailure):
            uri = _safe_url(item.uri) or ""
            failures.append(
                {
                    "doc_id": failure_id(uri, str(item.reason)),
                    "run_id": run_id,
                    "uri": uri,
                    "stage": Stage.INGEST.value,
                    "expectation": "readable_record",
                    "reason": str(item.reason),
                    "observed": _safe(item.observed),
                }
            )
        else:
            try:
                row = raw_row(item, run_id, max_bytes)
            except Exception as exc:  # one record's bytes must not fail the batch
                uri = _safe_url(item.uri) or ""
                reason = str(Reason.UNDECODABLE)
                failures.append(
                    {
                        "doc_id": failure_id(uri, reason),
                        "run_id": run_id,
                        "uri": uri,
                        "stage": Stage.INGEST.value,
                        "expectation": "readable_record",
                        "reason": reason,
                        "observed": _safe(f"{type(exc).__name__}: {exc}"[:500]),
                    }
                )
                continue
            rows.append(row)
            held += len(row["content"]) + len(row["text"] or "")
            if held >= _PART_BYTES:
                parts.append(_raw_frame(rows))
                rows, held = [], 0
    parts.append(_raw_frame(rows))
    # No rechunk: that would copy the whole frame once more; the stages read chunked columns.
    raw = pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]
    return raw, pl.DataFrame(failures, schema=REJECT_SCHEMA)
