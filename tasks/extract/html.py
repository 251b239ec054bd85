"""Article fields of an HTML page, read from the hints clean_html gathered (the page is parsed
again only when the hints are missing or from another version)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time
from typing import Any

from newsdesk.core.contracts.hints import HtmlHints
from tasks.extract.authors import (
    by_lines,
    clean_authors,
    dated_names,
    is_account,
    is_label,
    is_person_name,
)
from tasks.extract.text_dates import LANGUAGE_DATE_ORDER, ambiguous_numeric, find_dates
from tasks.page.fields import PageContext, PageFields
from tasks.page.html import HINTS_VERSION, clean_html
from tasks.page.html_dates import (
    DateEvidence,
    choose_published,
    modified_date,
    parse_datetime,
    plausible,
    url_date,
)
from tasks.page.meta_tags import stated_language
from tasks.page.page_type import classify

# Separators between a headline and the site's name in <title> / og:title.
_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014·:»/-]\s+|\s+::\s+|\s*\|\s*")


def _first(meta: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value and value.strip():
            return " ".join(value.split())
    return None


def _domain_words(url: str | None) -> set[str]:
    from newsdesk.core.registry import host_of

    host = host_of(url) if url else None
    return {part.casefold() for part in host.split(".")[:-1]} if host else set()


def clean_title(raw: str | None, site_names: set[str], h1: str | None, domain: set[str]) -> str:
    """The headline without the " | Site name" part: the part the page's h1 shows, else the
    parts that are not the site's name (nor its domain), else the longest part."""
    if not raw:
        return h1 or ""
    title = " ".join(raw.split())
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) < 2:
        return title
    if h1 and any(h1.casefold() == p.casefold() for p in parts):
        return h1
    if h1 and title.casefold().startswith(h1.casefold()):
        return h1
    names = {n.casefold() for n in site_names}

    def is_site(part: str) -> bool:
        key = part.casefold()
        squashed = re.sub(r"[^a-z0-9]", "", key)
        return (
            key in names
            or any(key in n or n in key for n in names if len(n) > 3)
            or squashed in domain
            or any(squashed == re.sub(r"[^a-z0-9]", "", d) for d in domain)
        )

    kept = [p for p in parts if not is_site(p)]
    if kept and len(kept) < len(parts):
        separator = _TITLE_SEPARATORS.search(title)
        joiner = separator.group(0) if separator else " - "
        return joiner.join(kept)
    # no part names the site: the last short part is the usual suffix
    if len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 3:
        return title[: title.rfind(parts[-1])].rstrip(" |\u2013\u2014·:»/-")
    return title


def _evidence(item: dict | None) -> DateEvidence | None:
    if not item:
        return None
    value = datetime.fromisoformat(item["value"])
    return DateEvidence(item["method"], item["raw"], value, item.get("strong", True))


_NUMERIC_DATE = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}")


def _published(
    dates: dict, ctx: PageContext, order: str | None, year4_order: str | None
) -> DateEvidence | None:
    """The publication date. A date line whose numeric date the source's `order` (or the
    page language's convention, for four-digit years) does not settle is not used: htmldate
    would read 01/02/03 by its own habit, which is a guess."""
    latest = ctx.fetched_at

    def settled(evidence: DateEvidence | None) -> DateEvidence | None:
        if evidence is None or ambiguous_numeric(evidence.raw, order, year4_order):
            return None
        if order or year4_order:  # read a numeric date in the order known, not htmldate's
            own = find_dates(evidence.raw, order, year4_order=year4_order)
            day = own[0].value.date() if own and _NUMERIC_DATE.match(own[0].raw) else None
            if day is not None and day != evidence.value.date():
                return replace(evidence, value=datetime.combine(day, time()))
        return evidence

    for raw in dates.get("rule") or ():
        value = parse_datetime(raw)
        if value and plausible(value, latest):
            return DateEvidence("rules", raw, value)
    structured = [
        e for e in map(_evidence, dates.get("structured") or ()) if e and plausible(e.value, latest)
    ]
    searched = None
    if dates.get("htmldate"):
        searched = DateEvidence(
            "htmldate", dates["htmldate"], datetime.fromisoformat(dates["htmldate"])
        )
    byline = settled(_evidence(dates.get("byline")))
    in_url = url_date(dates.get("url"))
    from_url = DateEvidence("url", dates["url"], in_url) if in_url else None
    after, before = (settled(_evidence(item)) for item in dates.get("header") or (None, None))
    shown = settled(_evidence(dates.get("shown")))
    return choose_published(structured, searched, byline, from_url, (after, before), shown)


def _hints_for(html: str, hints: HtmlHints, ctx: PageContext) -> HtmlHints:
    if hints.get("version") == HINTS_VERSION:
        return hints
    return clean_html(html, ctx).hints


# Meta tags that name the author, in the order they are trusted.
_META_AUTHORS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "citation_author",
)


def _meta_authors(meta: dict) -> list[str]:
    return [
        name
        for key in _META_AUTHORS
        for name in (meta.get(key) or [])
        if not name.startswith("http")
    ]


def _written_by(meta: dict) -> list[str]:
    """The name a page gives as twitter:data1/2 under a "Written by" label (Yoast SEO's)."""
    return [
        meta[f"twitter:data{k}"]
        for k in (1, 2)
        if is_label(meta.get(f"twitter:label{k}") or "") and meta.get(f"twitter:data{k}")
    ]


def _authors(
    hints: HtmlHints, rules: dict, jsonld: dict, meta: dict, site_names: set[str], title: str | None
) -> list[str]:
    """The page's authors, from the most to the least explicit evidence: the registry's
    rules, structured data (JSON-LD, meta tags), the first post's user name on a forum, the
    byline the page shows, a byline among the lines around the headline, a name under an
    author label, a name by the date, the first user name printed, a byline opening the
    description; then the desk or organisation credited."""
    structured = (
        rules.get("authors") or jsonld.get("authors") or _meta_authors(meta) or _written_by(meta)
    )
    authors = clean_authors(list(structured), handles=True)
    poster = clean_authors([hints["poster"]], handles=True) if hints.get("poster") else []
    shown = clean_authors(hints.get("bylines") or [], exclude=site_names)[:4]
    if authors and not poster and all(is_account(name) for name in authors):
        # a CMS account name ("andrew.keaveney", "KatieS") where the byline or an author
        # label shows a person
        labelled = clean_authors(hints.get("labelled") or [], exclude=site_names)[:1]
        authors = [name for name in [*shown, *labelled] if is_person_name(name)] or authors
    linked = _linked_names(hints.get("linked") or [], site_names)
    if authors and linked and not poster and all(is_site(name, site_names) for name in authors):
        # the publisher credited as the author where the page links a person's author page
        return linked
    if authors:
        return authors
    authors = poster or shown or linked
    lines = hints.get("headline_lines") or []
    if not authors and lines:
        # a byline without markup, among the lines around the headline
        authors = by_lines(lines)
    if not authors:
        # the first name set under an author label (later ones credit books, quotes, images)
        authors = clean_authors(hints.get("labelled") or [], exclude=site_names)[:1]
    if not authors and lines:
        dated = {line for line in lines if line and find_dates(line, keep_ambiguous=True)}
        authors = dated_names(lines, dated, title)
    if not authors and hints.get("username"):
        authors = clean_authors([hints["username"]], handles=True)
    description = _first(meta, "og:description", "description")
    if not authors and description:
        authors = by_lines([description])  # "By Jane Roe RAJSHAHI, Dec 20 (BSS) - …"
    if not authors:
        # no person named: the desk, team or organisation the page's own markup credits
        credited = [*structured, *(jsonld.get("author_organisations") or [])]
        authors = (
            clean_authors(credited, handles=True, credits=True)
            or clean_authors(hints.get("bylines") or [], credits=True)[:4]
            or by_lines(lines, credits=True)
        )
    return authors


def _linked_names(texts: list[str], site_names: set[str]) -> list[str]:
    """The people the first link to an author's page names ("/author/jane-roe/": the story's
    byline comes before the teasers' links): persons' names ("Jane Roe", "Jane Roe and John
    Doe"), not the publisher nor what such links also say ("Full bio", "View author page")."""
    names = clean_authors(texts[:1], handles=True)
    if all(is_person_name(name) and not is_site(name, site_names) for name in names):
        return names
    return []


def is_site(name: str, site_names: set[str]) -> bool:
    """The name is the publisher's (og:site_name, JSON-LD publisher)."""
    return name.casefold() in {site.casefold() for site in site_names}


def extract_html(html: str, hints: HtmlHints, ctx: PageContext) -> PageFields:
    """Title, authors, dates and the other article fields of one page."""
    hints = _hints_for(html, hints, ctx)
    jsonld: dict = hints.get("jsonld") or {}
    meta: dict = hints.get("meta") or {}
    rules: dict = hints.get("rules") or {}
    source = ctx.registry.by_url(ctx.url)

    site_name = jsonld.get("publisher") or _first(meta, "og:site_name", "application-name")
    if not site_name and source:
        site_name = source.name
    site_names = {
        n for n in (site_name, _first(meta, "og:site_name"), jsonld.get("publisher")) if n
    }
    if source:
        site_names.update(source.names)
    canonical = _first(meta, "canonical", "og:url") or jsonld.get("url")
    raw_title = (
        (rules.get("title") or [None])[0]
        or jsonld.get("headline")
        or _first(meta, "og:title", "twitter:title")
        or hints.get("title_tag")
    )
    title = (
        clean_title(raw_title, site_names, hints.get("h1"), _domain_words(canonical or ctx.url))
        or None
    )

    authors = _authors(hints, rules, jsonld, meta, site_names, title)
    language = stated_language(jsonld, meta)
    published = _published(
        hints.get("dates") or {},
        ctx,
        source.date_order if source else None,
        LANGUAGE_DATE_ORDER.get(language or ""),
    )
    tags = jsonld.get("keywords") or meta.get("article:tag") or meta.get("news_keywords") or []
    if len(tags) == 1 and "," in tags[0]:
        tags = [t.strip() for t in tags[0].split(",") if t.strip()]
    return PageFields(
        title=title,
        authors=authors,
        published=published.value if published else None,
        published_raw=published.raw if published else None,
        published_method=published.method if published else None,
        modified=modified_date(jsonld, meta),
        section=jsonld.get("section") or _first(meta, "article:section"),
        tags=list(dict.fromkeys(tags)),
        site_name=site_name,
        canonical_url=canonical,
        description=_first(meta, "og:description", "description", "twitter:description")
        or jsonld.get("description"),
        image_url=_first(meta, "og:image", "og:image:url", "twitter:image") or jsonld.get("image"),
        language=language,
        standfirst=hints.get("standfirst"),
        # clean_html decided it; hints of this version gathered before it did are classified
        page_type=(hints.get("page") or {}).get("type") or classify(hints.get("page")),
        extraction_method=hints.get("method") or "html",
    )
