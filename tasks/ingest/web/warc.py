"""WARC (and ARC) files: each HTML response record becomes a RawRecord.

Only `response` records carrying HTML are documents; requests, metadata, redirects and the
images, scripts and styles of a crawl are not pages and are passed over. A response that
should be a page but cannot be read is an IngestFailure; a file that breaks mid-way ends
with one failure naming the offset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.decode import HTML, sniff_media_type
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.dates import parse_w3c

DEFAULT_MAX_BYTES = 50_000_000  # when the caller gives no cap: bounds memory per record
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_RECORD_TYPES = {
    "warcinfo",
    "response",
    "resource",
    "request",
    "metadata",
    "revisit",
    "conversion",
    "continuation",
}  # WARC 1.1 §6; a garbled type means damage


def _content_type(record: ArcWarcRecord) -> tuple[str | None, str | None]:
    """Media type and charset from the archived HTTP headers."""
    value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    if not value:
        return None, None
    media_type, *params = (part.strip() for part in value.split(";"))
    charset = next(
        (p.split("=", 1)[1].strip("\"' ") for p in params if p.lower().startswith("charset=")), None
    )
    return media_type.lower() or None, charset or None


def _record(path: Path, record: ArcWarcRecord, max_bytes: int) -> RawRecord | IngestFailure | None:
    headers = record.rec_headers
    record_id = (headers.get_header("WARC-Record-ID") or "").strip("<>")
    target = headers.get_header("WARC-Target-URI")
    uri = f"warc:{path.resolve()}#{record_id or target}"
    status = record.http_headers.get_statuscode() if record.http_headers else None
    media_type, charset = _content_type(record)
    if status is None and not (target or "").startswith("dns:"):
        # An HTTP response with no readable status line: a damaged record, not a page to skip.
        return IngestFailure(
            uri,
            Reason.MALFORMED_RECORD,
            f"response record without an HTTP status line (target {target!r})",
        )
    if status is None or not status.startswith("2"):
        return None
    if media_type is not None and media_type not in _HTML_TYPES:
        return None
    fetched_at = parse_w3c(headers.get_header("WARC-Date"))
    if fetched_at is None:
        return IngestFailure(
            uri,
            Reason.MALFORMED_RECORD,
            f"WARC-Date {headers.get_header('WARC-Date')!r} is not a date",
        )
    stream = record.content_stream()
    content = stream.read(max_bytes + 1)
    size = len(content)
    if size > max_bytes:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
        content = b""
    elif media_type is None and sniff_media_type(content) != HTML:
        return None
    truncated = headers.get_header("WARC-Truncated")
    if truncated:
        return IngestFailure(
            uri,
            Reason.TOO_LARGE,
            f"the crawler truncated this record (WARC-Truncated: {truncated})",
        )
    return RawRecord(
        uri=uri,
        content=content,
        size_bytes=size,
        fetched_at=fetched_at,
        url=target,
        media_type_hint=media_type or HTML,
        charset_hint=charset,
    )


def read_warc(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawRecord | IngestFailure]:
    """The HTML responses of a .warc / .warc.gz (or .arc / .arc.gz) file, in file order.
    A record larger than max_bytes keeps its size and drops its bytes, as read_file does."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream, arc2warc=True)
        try:
            for record in records:
                if record.rec_type not in _RECORD_TYPES:
                    yield IngestFailure(
                        f"warc:{path.resolve()}#offset={records.offset}",
                        Reason.MALFORMED_RECORD,
                        f"damaged record at offset {records.offset}: type "
                        f"{str(record.rec_type)[:60]!r}",
                    )
                    continue
                if record.rec_type != "response":
                    continue
                try:
                    item = _record(path, record, max_bytes)
                except Exception as exc:  # one damaged record; the next may be fine
                    record_id = record.rec_headers.get_header("WARC-Record-ID") or "?"
                    item = IngestFailure(
                        f"warc:{path.resolve()}#{record_id.strip('<>')}",
                        Reason.MALFORMED_RECORD,
                        f"{type(exc).__name__}: {exc}",
                    )
                if item is not None:
                    yield item
        # warcio meets damaged bytes with assorted errors (ArchiveLoadFailed, zlib errors,
        # AttributeError on a garbled header line): each ends the file with one failure.
        except Exception as exc:
            yield IngestFailure(
                f"warc:{path.resolve()}#offset={records.offset}",
                Reason.MALFORMED_RECORD,
                f"archive unreadable from offset {records.offset}: {type(exc).__name__}: {exc}",
            )
