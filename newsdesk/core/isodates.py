"""ISO 8601 dates as exports, sidecars, feeds and sitemaps give them: one parser for all."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_iso(value: object) -> datetime | None:
    """`2024-05-01`, `2024-05-01T10:00:00+02:00`, `…Z`; the offset kept, a naive value
    left naive. None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_iso_utc(value: object) -> datetime | None:
    """parse_iso, as an aware UTC datetime (a naive value is taken to be UTC)."""
    parsed = parse_iso(value)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
