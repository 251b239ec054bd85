"""The extract stage: cleaned documents → article rows, with source and zone resolved."""

from __future__ import annotations

import hashlib
import json
import time
from importlib.metadata import version
from typing import Any
from urllib.parse import urljoin

import polars as pl

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.reasons import split_failures
from newsdesk.core.contracts.run import Stage
from newsdesk.core.hygiene import clean_title
from newsdesk.core.registry import Registry, Source, host_of
from newsdesk.core.version import __version__
from tasks.extract.dates import parse_hint_date, zoned
from tasks.extract.text_dump import extract_text_dump
from tasks.ingest.decode import HTML
from tasks.ingest.web.urls import canonicalize, is_web_url
from tasks.page.fields import PageFields, page_context
from tasks.page.words import count_words
from tasks.parallel import Mapper, mapped_rows, worker_registry

# trafilatura's version from its metadata: a run of text dumps never imports it (nor the
# HTML extractor below, imported at the first HTML page)
PARSER_VERSION = f"newsdesk {__version__}; trafilatura {version('trafilatura')}"


def _same_outlet(registry: Registry, url: str, reference: str) -> bool:
    """A page may name any address as its canonical one; it is taken only when it is on the
    page's own outlet (the same host, or a domain of the same registry source), so a
    syndicated copy pointing at the original stays its own outlet's article."""
    if host_of(url) == host_of(reference):
        return True
    source = registry.by_url(url)
    return source is not None and source is registry.by_url(reference)


def identity(
    row: dict[str, Any], page: PageFields, registry: Registry, body: str
) -> tuple[str, str | None, str | None]:
    """(article_id, canonical URL, URL as given). The article is its canonical URL when one
    is known: the URL the input gave (sidecar, JSON Lines, archive), else the page's own
    (rel=canonical, og:url, JSON-LD url) if it is on the same outlet, else the URL it was
    fetched from; canonicalised (scheme and host case, default port, fragment, tracking
    parameters). A changed page at that URL is a new version of the same article. Without
    any URL the article is its text: the same text twice is one article."""
    given = row.get("url") if is_web_url(row.get("url") or "") else None
    fetched = given if given and is_web_url(row["uri"]) else None
    stated = given if given and not fetched else None
    declared = page.canonical_url
    if declared and (given or row["uri"]) and not is_web_url(declared):
        declared = urljoin(given or row["uri"], declared)
    if declared and not is_web_url(declared):
        declared = None
    if declared and fetched and not _same_outlet(registry, declared, fetched):
        declared = None
    chosen = stated or declared or fetched
    if chosen is None:
        digest = hashlib.sha256(("text:" + " ".join(body.split())).encode()).hexdigest()
        return digest[:32], None, None
    canonical = canonicalize(chosen)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32], canonical, given or declared


def resolve_source(registry: Registry, row: dict[str, Any], page: PageFields) -> Source | None:
    """Known source: from the URL's domain first, then the publisher as named alongside the
    page or printed on it."""
    for url in (row.get("url"), page.canonical_url):
        if found := registry.by_url(url):
            return found
    for name in (row.get("source_hint"), page.site_name):
        if name and (found := registry.get(name)):
            return found
    return None


def article_row(
    row: dict[str, Any], page: PageFields, registry: Registry, extract_ms: float
) -> dict[str, Any]:
    source = resolve_source(registry, row, page)
    published, raw, method = page.published, page.published_raw, page.published_method
    if published is None and row.get("published_hint"):
        published = parse_hint_date(row["published_hint"], source.date_order if source else None)
        raw, method = row["published_hint"], "given"
    when = zoned(published, source.timezone if source else None) if published else None
    modified = zoned(page.modified, source.timezone if source else None) if page.modified else None
    body = (page.body if page.body is not None else row["body"]).strip()
    article_id, canonical, given = identity(row, page, registry, body)
    return {
        "article_id": article_id,
        "doc_id": row["doc_id"],
        "run_id": row["run_id"],
        "uri": row["uri"],
        "url": canonical,
        "url_given": given,
        "source_id": source.name if source else None,
        "site_name": page.site_name,
        "title": clean_title(page.title or row.get("title_hint")),
        "authors": page.authors,
        "published_at": when.utc if when else None,
        "published_local": when.local_iso if when else None,
        "published_raw": raw,
        "published_tz": when.zone if when else None,
        "published_method": method,
        "modified_at": modified.utc if modified else None,
        "section": page.section,
        "tags": page.tags,
        "language": page.language or row.get("language") or (source.language if source else None),
        "description": page.description,
        "image_url": page.image_url,
        "standfirst": page.standfirst,
        "body": body,
        "page_type": page.page_type,
        "word_count": count_words(body),
        "extraction_method": page.extraction_method or row["clean_method"],
        "parser_version": PARSER_VERSION,
        "fetched_at": row["fetched_at"],
        "clean_ms": row["clean_ms"],
        "extract_ms": extract_ms,
    }


def extract_row(row: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        hints = json.loads(row["hints"] or "{}")
        ctx = page_context(row)
        if row["media_type"] == HTML:
            from tasks.extract.html import extract_html

            page = extract_html(row["text"] or "", hints, ctx)
        else:
            page = extract_text_dump(row["text"] or "", hints, ctx, row["body"])
        return article_row(row, page, worker_registry(), (time.perf_counter() - started) * 1000)
    except Exception as exc:  # one bad page must not stop the batch
        return {
            "doc_id": row["doc_id"],
            "run_id": row["run_id"],
            "uri": row["uri"],
            "error": f"{type(exc).__name__}: {exc}",
        }


def extract_batch(clean: pl.DataFrame, mapper: Mapper) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Article rows (ARTICLE_SCHEMA) and the documents whose extraction failed."""
    results = mapper.map(extract_row, mapped_rows(clean, mapper, "text"))
    return split_failures(
        results, ARTICLE_SCHEMA, stage=Stage.EXTRACT, expectation="extractor_completes"
    )
