"""One line of a JSON Lines export → a RawRecord, or a failure of that line alone.

Whatever a line holds, parsing it raises nothing past this module: nesting deeper than the
interpreter's recursion limit, integers too long to convert, invalid UTF-8 and unpaired
surrogates each become a `malformed_record` row naming the line and what was wrong."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.hygiene import (
    has_lone_surrogate,
    scrub_surrogates,
    strip_controls,
    strip_credentials,
)
from newsdesk.core.isodates import parse_iso_utc
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.urls import is_web_url

# What json.loads raises on hostile input: JSONDecodeError / UnicodeDecodeError (both
# ValueError) and RecursionError for deep nesting (the C scanner checks the recursion limit
# at each level, so it raises instead of overflowing the stack).
JSON_ERRORS: tuple[type[BaseException], ...] = (ValueError, RecursionError)
_MAX_INT_DIGITS = 64
# The URI of a record read from line N of an export: file:///…/export.jsonl#LN.
_LINE_URI = re.compile(r"^file:.*#L\d+$")


def is_export_line(uri: str | None) -> bool:
    """True for a record that came from a line of a JSON Lines export."""
    return bool(uri and _LINE_URI.match(uri))


def _int(digits: str) -> int | str:
    # Python refuses to convert more than 4,300 digits (and converting is quadratic): no
    # field newsdesk reads is a number, so a long one is kept as its digits.
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else digits


def loads(data: bytes | str) -> Any:
    return json.loads(data, parse_int=_int)


def _text(item: dict, key: str) -> str | None:
    """A text field as it may go on: a JSON string is text by construction, so NUL and other
    control characters are dropped here (left in, they would make the bytes look binary)."""
    value = item.get(key)
    if not isinstance(value, str):
        return None
    value = strip_controls(scrub_surrogates(value))
    return value if value.strip() else None


def parse_record_line(
    line: bytes, uri: str, number: int, fetched_default: datetime
) -> RawRecord | IngestFailure:
    def failed(why: str) -> IngestFailure:
        return IngestFailure(uri, Reason.MALFORMED_RECORD, f"line {number}: {why}"[:500])

    try:
        item = loads(line)
    except RecursionError:
        return failed("nested too deeply to read (more than ~1,000 levels)")
    except ValueError as exc:
        return failed(f"{type(exc).__name__}: {exc}")
    if not isinstance(item, dict):
        return failed(f"not an object but {type(item).__name__}")
    url = item.get("url")
    if url is not None and not isinstance(url, str):
        return failed(f"'url' is {type(url).__name__}, not text")
    if url is not None and url.strip():
        if has_lone_surrogate(url):
            return failed("'url' holds an unpaired surrogate")
        url = strip_credentials(url.strip())
        if not is_web_url(url) or any(c.isspace() or ord(c) < 32 for c in url):
            return failed(f"'url' is not an http(s) URL: {url[:200]!r}")
    else:
        url = None
    html, text = _text(item, "html"), _text(item, "text")
    body = html if html is not None else text
    if body is None:
        return failed("no 'html' or 'text' field with content")
    date = next((item[k] for k in ("date", "published", "published_at") if item.get(k)), None)
    return RawRecord(
        uri=uri,
        content=body.encode("utf-8"),
        fetched_at=parse_iso_utc(item.get("fetched_at")) or fetched_default,
        url=url,
        media_type_hint="text/html" if html is not None else "text/plain",
        source_hint=_text(item, "source"),
        title_hint=_text(item, "title"),
        published_hint=scrub_surrogates(str(date)) if isinstance(date, str | int) else None,
    )
