"""RSS and Atom feeds, from bytes already fetched: feedparser never opens a URL or file."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import feedparser

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.web.dates import from_struct
from tasks.ingest.web.safexml import XmlRefused, refuse_unsafe
from tasks.ingest.web.urls import is_web_url


@dataclass(frozen=True)
class FeedEntry:
    url: str
    published: datetime | None  # published, else updated; UTC
    published_raw: str | None  # as the feed printed it
    title: str | None


@dataclass(frozen=True)
class SkippedItem:
    """A feed item with no link newsdesk can fetch: accounted for, not dropped."""

    number: int  # 1-based position in the feed
    title: str | None
    why: str


def why_unusable(link: object) -> str:
    if not isinstance(link, str) or not link.strip():
        return "no link"
    scheme = link.strip().split(":", 1)[0].lower() if ":" in link else ""
    if scheme in {"javascript", "file", "data", "mailto", "ftp"}:
        return f"{scheme}: link"
    return f"not an http(s) link: {link.strip()[:200]!r}"


def read_feed(
    content: bytes, *, url: str, content_type: str | None = None
) -> tuple[list[FeedEntry], list[SkippedItem]]:
    """The entries' links, absolute (relative ones resolved against the feed's URL), and the
    items without a usable one (none, javascript:, file:, …). Raises XmlRefused for an
    unsafe document or one that is not a feed at all."""
    refuse_unsafe(content)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes or str: feedparser opens a str that looks like a URL, and tries
    # any bytes as a file name first.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = parsed.get("bozo_exception") or "no feed version recognised"
        raise XmlRefused(Reason.MALFORMED_XML, f"not a readable feed: {problem}")
    entries: list[FeedEntry] = []
    skipped: list[SkippedItem] = []
    for number, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link")
        if not isinstance(link, str) or not is_web_url(link):
            title = entry.get("title")
            skipped.append(
                SkippedItem(number, title if isinstance(title, str) else None, why_unusable(link))
            )
            continue
        date = entry.get("published_parsed") or entry.get("updated_parsed")
        entries.append(
            FeedEntry(
                url=link.strip(),
                published=from_struct(date),
                published_raw=entry.get("published") or entry.get("updated"),
                title=entry.get("title"),
            )
        )
    return entries, skipped
