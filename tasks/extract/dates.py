"""Reading a page's date in the right zone, and parsing dates given by exports and sidecars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dateparser

from newsdesk.core.isodates import parse_iso


@dataclass(frozen=True)
class ZonedDate:
    utc: datetime  # aware, UTC
    local_iso: str  # wall-clock time as shown, with the offset of the zone used
    zone: str  # IANA name, or the offset the page printed


def zoned(published: datetime, zone_name: str | None) -> ZonedDate:
    """A naive date is read in the source's zone (UTC when the source is unknown); an aware
    date keeps the offset the page gave."""
    if published.tzinfo is None:
        name = zone_name or "UTC"
        local = published.replace(tzinfo=ZoneInfo(name))
    else:
        local = published
        name = getattr(published.tzinfo, "key", None) or local.strftime("%z")
        if len(name) == 5:  # "+0300" → "+03:00"
            name = f"{name[:3]}:{name[3:]}"
    return ZonedDate(utc=local.astimezone(UTC), local_iso=local.isoformat(), zone=name)


def parse_hint_date(value: str | None) -> datetime | None:
    """A date given alongside the page (JSON Lines export, sidecar): ISO first, then any
    form dateparser knows. Naive results stay naive (read later in the source's zone)."""
    if not value or not value.strip():
        return None
    return parse_iso(value) or dateparser.parse(
        value.strip(), settings={"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "past"}
    )
