"""Article fields from a page's JSON-LD (schema.org) blocks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

# Types that describe the page's own story, best first; a WebPage only when no article is given.
_ARTICLE_TYPES = (
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "article",
    "blogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "posting",
    "recipe",
    "review",
    "event",
)
_PAGE_TYPES = ("webpage", "itempage", "aboutpage", "collectionpage", "mediaobject", "videoobject")
_ORGANISATION_TYPES = ("corporation", "localbusiness", "website", "brand")
_COMMENTS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x1f]")


def _parse(text: str) -> Any:
    return json.loads(text, strict=False, parse_int=_int)


def _int(digits: str) -> int | str:
    # More than 4,300 digits is a ValueError in int(): a hostile block, kept as text.
    return int(digits) if len(digits) <= 64 else digits


def _loads(text: str) -> Any:
    """Parse a JSON-LD block, forgiving the usual publishing slips (comments, trailing commas,
    raw newlines inside strings). A block nested too deeply (RecursionError) or otherwise
    unreadable is ignored: the page is still read without it."""
    text = _COMMENTS.sub("", text.strip())
    for attempt in (
        text,
        _TRAILING_COMMA.sub(r"\1", text),
        _CONTROL.sub(" ", _TRAILING_COMMA.sub(r"\1", text)),
    ):
        try:
            return _parse(attempt)
        except RecursionError:
            return None
        except ValueError:
            continue
    return None


def _objects(data: Any, depth: int = 0) -> Iterator[dict]:
    """Every dict in a JSON-LD document that has a @type, outer ones first."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _objects(data[key], depth + 1)


def _types(obj: dict) -> list[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.rsplit("/", 1)[-1].casefold() for k in kinds if isinstance(k, str)]


def _rank(obj: dict) -> int:
    """Lower is better: articles before pages; anything else only if it carries a date."""
    for kind in _types(obj):
        if kind in _ARTICLE_TYPES:
            return _ARTICLE_TYPES.index(kind)
    for kind in _types(obj):
        if kind in _PAGE_TYPES:
            return 100 + _PAGE_TYPES.index(kind)
    return 200 if "datePublished" in obj else 1000


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("text")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None


def _is_organisation(obj: dict) -> bool:
    """Organization and its kinds (NewsMediaOrganization, Corporation, a business, a site)."""
    return any(kind.endswith("organization") or kind in _ORGANISATION_TYPES for kind in _types(obj))


def _names(value: Any, nodes: dict[str, dict], *, organisations: bool = False) -> list[str]:
    """Names from a string, an object or a list of either: of the people (and untyped
    entries), or with organisations=True of the Organization objects alone. An object that
    only points at another node ({"@id": …}, as Yoast's @graph does) is that node; a Person
    may give its name in parts (givenName, familyName)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict) and not item.get("name"):
            item = nodes.get(str(item.get("@id")), item)
        if isinstance(item, dict) and _is_organisation(item) != organisations:
            continue
        if not isinstance(item, dict) and organisations:
            continue
        name = _text(item)
        if not name and isinstance(item, dict):
            parts = (_text(item.get("givenName")), _text(item.get("familyName")))
            name = " ".join(part for part in parts if part) or None
        if name:
            names.append(name)
    return names


def _url(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    return value.strip() or None if isinstance(value, str) else None


def _keywords(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        return []
    return [k.strip() for k in items if isinstance(k, str) and k.strip()]


def read_jsonld(tree: HtmlElement) -> dict[str, Any]:
    """The best article-like JSON-LD object of the page, as plain fields (JSON-serialisable).
    Empty when the page has none."""
    candidates: list[dict] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        if script.text:
            candidates.extend(_objects(_loads(script.text)))
    # the nodes a reference ({"@id": …}) may point at, in any of the page's blocks
    nodes = {str(c["@id"]): c for c in candidates if c.get("@id") and len(c) > 2}
    if not candidates:
        return {}
    # every type the page declares, for telling an article from a product or a forum page
    types = sorted({kind for c in candidates for kind in _types(c)})
    best = min(candidates, key=_rank)
    # the page's main object may credit no one while another of its objects does (a WebPage
    # beside its Article, a forum thread's DiscussionForumPosting); never a comment's, an
    # answer's or a review's writer
    credited = (
        best.get("author")
        or best.get("creator")
        or next(
            (
                c.get("author")
                for c in candidates
                if c.get("author") and not {"comment", "answer", "review"} & set(_types(c))
            ),
            None,
        )
    )
    if _rank(best) >= 1000:
        named = {"authors": _names(credited, nodes)} if credited else {}
        return {"types": types, **{k: v for k, v in named.items() if v}}
    publisher = best.get("publisher") or next(
        (c.get("publisher") for c in candidates if c.get("publisher")), None
    )
    site = next((c for c in candidates if "website" in _types(c)), {})
    page = best.get("mainEntityOfPage")
    fields = {
        "type": (_types(best) or [None])[0],
        "headline": _text(best.get("headline")) or _text(best.get("name")),
        "date_published": _text(best.get("datePublished")) or _text(best.get("dateCreated")),
        "date_modified": _text(best.get("dateModified")),
        "authors": _names(credited, nodes),
        # an organisation credited as the author: a fallback when no person is named
        "author_organisations": _names(credited, nodes, organisations=True),
        "body": _text(best.get("articleBody")) or _text(best.get("text")),
        "section": _text(best.get("articleSection")),
        "keywords": _keywords(best.get("keywords")),
        "publisher": _text(publisher) or _text(site.get("name")),
        "image": _url(best.get("image") or best.get("thumbnailUrl")),
        "language": _text(best.get("inLanguage")),
        "url": _url(best.get("url")) or _url(page),
        "description": _text(best.get("description")),
        "types": types,
    }
    return {key: value for key, value in fields.items() if value}
