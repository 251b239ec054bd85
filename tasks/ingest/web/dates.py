"""Dates as feeds and sitemaps print them, read into aware UTC datetimes."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime

from newsdesk.core.isodates import parse_iso_utc


def parse_w3c(value: str | None) -> datetime | None:
    """W3C Datetime (sitemaps: 2024-05-01, 2024-05-01T10:00:00+02:00, …Z), in UTC."""
    return parse_iso_utc(value)


def from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed fields: struct_time in UTC."""
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
