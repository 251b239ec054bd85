"""The page's <meta> tags, canonical link and declared language, read once."""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

# Keys that may repeat on a page and are kept as lists (first occurrence order).
_MULTI = {
    "article:tag",
    "article:author",
    "author",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
    "citation_author",
    "news_keywords",
    "keywords",
}


def read_meta_tags(tree: HtmlElement) -> dict[str, Any]:
    """Lower-cased meta name/property/itemprop → content (a list for repeatable keys), plus
    "canonical" (link rel=canonical), "lang" (html lang) and "time_pubdate" (the first
    <time> marked as the publication time)."""
    found: dict[str, Any] = {}
    for meta in tree.iterfind(".//meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().casefold()
            if not key:
                continue
            if key in _MULTI:
                found.setdefault(key, [])
                if content not in found[key]:
                    found[key].append(content)
            else:
                found.setdefault(key, content)
    for link in tree.iterfind(".//link[@rel]"):
        if link.get("rel", "").casefold() == "canonical" and link.get("href"):
            found.setdefault("canonical", link.get("href").strip())
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and lang.strip():
        found["lang"] = lang.strip()
    for time in tree.xpath(
        ".//time[@datetime][@itemprop='datePublished' or @pubdate or contains(@class, 'publish')"
        " or contains(@class, 'entry-date')]"
    ):
        found["time_pubdate"] = time.get("datetime").strip()
        break
    return found


_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.I)


def stated_language(jsonld: dict, meta: dict) -> str | None:
    """The language the page's markup states (JSON-LD inLanguage, html lang, og:locale, …),
    as an ISO 639-1 code; extract's article language, and clean's without reading the text."""
    for raw in (
        jsonld.get("language"),
        meta.get("lang"),
        meta.get("og:locale"),
        meta.get("content-language"),
        meta.get("language"),
        meta.get("dc.language"),
    ):
        match = _LANG.match(raw.strip()) if isinstance(raw, str) else None
        if match:
            return match.group(1).lower()[:2]
    return None
