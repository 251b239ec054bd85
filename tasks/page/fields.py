"""What an extractor reads about one page, before the shared resolution of source and zone."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsdesk.core.registry import Registry
from tasks.ingest.web.urls import canonicalize, is_web_url
from tasks.parallel import worker_registry


def article_id_of(url: str | None, uri: str) -> str:
    """A page's article before extraction: its URL canonicalised (as the extract stage's
    identity reads a given URL), else the place it was read from. The clean stage keys a
    source's template lines by it, so the versions of one page are one article."""
    if url and is_web_url(url):
        return hashlib.sha256(canonicalize(url).encode()).hexdigest()[:32]
    return hashlib.sha256(uri.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PageContext:
    """Everything an extractor may know besides the page itself."""

    registry: Registry
    url: str | None = None  # the page's URL when known (never guessed from the file name)
    fetched_at: datetime | None = None  # aware UTC; anchors relative dates ("2 hours ago")
    source_hint: str | None = None


@dataclass
class PageFields:
    """Article fields as found on one page. Dates stay as shown: naive when the page gives
    no zone, so that the extract stage can read them in the source's time zone."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None  # naive = wall-clock time without a zone
    published_raw: str | None = None  # the string the date was read from
    published_method: str | None = None  # json-ld, meta, htmldate, text-byline, url, …
    modified: datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    site_name: str | None = None  # publisher as printed (og:site_name, header/footer line)
    canonical_url: str | None = None
    description: str | None = None
    image_url: str | None = None
    language: str | None = None
    body: str | None = None  # set only when the extractor refines the cleaned body
    standfirst: str | None = None  # the dek / summary paragraph, kept out of the body
    page_type: str = "article"  # tasks.page.page_type (newsdesk.core.registry.PAGE_TYPES)
    extraction_method: str = ""


def page_context(row: Mapping[str, Any]) -> PageContext:
    """What clean and extract know about a batch row's page besides its text."""
    return PageContext(
        registry=worker_registry(),
        url=row.get("url"),
        fetched_at=row.get("fetched_at"),
        source_hint=row.get("source_hint"),
    )
