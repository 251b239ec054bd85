"""Reading a page's date in the right zone, and parsing dates given by exports and sidecars."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dateparser

from newsdesk.core.isodates import parse_iso
from tasks.extract.text_dates import find_dates


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


# A date made of three numbers ("01/02/03", "5-6-2019"): its order is the source's.
_NUMERIC = re.compile(r"^\d{1,4}([/.\-])\d{1,2}\1\d{1,4}\b")


def parse_hint_date(value: str | None, date_order: str | None = None) -> datetime | None:
    """A date given alongside the page (JSON Lines export, sidecar): ISO first, then any
    form dateparser knows. A numeric date is read in the source's `date_order` (DMY, MDY,
    YMD); without one, a numeric date that more than one order reads is not guessed (None).
    Naive results stay naive (read later in the source's zone)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    iso = parse_iso(text)
    if iso is not None:
        return iso
    if _NUMERIC.match(text):
        found = find_dates(text, date_order)
        if not found:
            return None  # ambiguous without the source's order, or not a date
        return found[0].value
    return dateparser.parse(
        text, settings={"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "past"}
    )
