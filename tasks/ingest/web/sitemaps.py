"""Sitemaps (sitemaps.org 0.9): URL sets, sitemap indexes, Google News sitemaps, plain-text
sitemaps and their .gz files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.web.dates import parse_w3c
from tasks.ingest.web.feeds import SkippedItem, why_unusable
from tasks.ingest.web.safexml import XmlRefused, gunzip, local_name, parse
from tasks.ingest.web.urls import is_web_url


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None  # <lastmod>, else <news:publication_date>; UTC
    published_raw: str | None = None  # <news:publication_date> as printed
    title: str | None = None  # <news:title>


@dataclass(frozen=True)
class Sitemap:
    is_index: bool  # entries are sitemaps, not pages
    entries: tuple[SitemapEntry, ...]
    # entries without a usable <loc> (none, empty, javascript:, file:, …), or a line of a
    # text sitemap that is no URL: accounted for by a row each, not dropped
    skipped: tuple[SkippedItem, ...] = ()


def _text(element: object) -> str | None:
    text = getattr(element, "text", None)
    return text.strip() if isinstance(text, str) and text.strip() else None


def parse_sitemap(content: bytes, *, max_bytes: int) -> Sitemap:
    """Raises XmlRefused for unsafe, malformed or unrecognised documents."""
    if content[:2] == b"\x1f\x8b":
        content = gunzip(content, max_bytes)
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head and head != b"<":
        lines = [line.strip() for line in content.decode("utf-8", "replace").splitlines()]
        return Sitemap(
            False,
            tuple(SitemapEntry(line, None) for line in lines if is_web_url(line)),
            tuple(
                SkippedItem(number, None, why_unusable(line))
                for number, line in enumerate(lines, 1)
                if line and not is_web_url(line)
            ),
        )
    root = parse(content)
    kind = local_name(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise XmlRefused(Reason.MALFORMED_XML, f"not a sitemap: root element <{kind}>")
    entries: list[SitemapEntry] = []
    skipped: list[SkippedItem] = []
    items = (item for item in root if isinstance(item.tag, str))  # not comments
    for number, item in enumerate(items, 1):
        fields = {local_name(child.tag): child for child in item}  # loc, lastmod
        news: dict[str, object] = {}  # news:publication_date, news:title; never image:loc
        for child in item.iter():
            news.setdefault(local_name(child.tag), child)
        loc = _text(fields.get("loc"))
        if not loc or not is_web_url(loc):
            skipped.append(SkippedItem(number, _text(news.get("title")), why_unusable(loc)))
            continue
        published_raw = _text(news.get("publication_date"))
        entries.append(
            SitemapEntry(
                url=loc,
                lastmod=parse_w3c(_text(fields.get("lastmod"))) or parse_w3c(published_raw),
                published_raw=published_raw,
                title=_text(news.get("title")),
            )
        )
    return Sitemap(kind == "sitemapindex", tuple(entries), tuple(skipped))
