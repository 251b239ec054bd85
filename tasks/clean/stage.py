"""The clean stage: raw documents → main text, language and hints for extract."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import polars as pl

from newsdesk.core.contracts.clean import CLEAN_SCHEMA
from newsdesk.core.contracts.frames import TEMPLATE_LINE_SCHEMA
from newsdesk.core.contracts.hints import Cleaned
from newsdesk.core.contracts.reasons import split_failures
from newsdesk.core.contracts.run import Stage
from tasks.clean.language import detect_language
from tasks.clean.templates import LONG_LINE_WORDS, learn_template, merge_template, page_keys
from tasks.clean.text_dump import clean_text_dump
from tasks.ingest.decode import HTML
from tasks.page.fields import page_context
from tasks.page.html import clean_html
from tasks.page.words import count_words
from tasks.parallel import Mapper, worker_registry


def template_source(row: Mapping[str, Any]) -> str | None:
    """The source a page's template is learned under, when it is known before extraction."""
    registry = worker_registry()
    source = registry.by_url(row.get("url")) or (
        registry.get(row["source_hint"]) if row.get("source_hint") else None
    )
    return source.name if source else None


def learn_batch_templates(
    raw: pl.DataFrame,
) -> tuple[dict[str, frozenset[str]], pl.DataFrame]:
    """What this batch teaches about its sources' templates: the lines that recur across the
    batch's text dumps of one source, and each page's short lines (TEMPLATE_LINE_SCHEMA),
    which the warehouse counts across runs so that one page a run still adds up. Long lines
    are left out of the counts: they are story paragraphs, and a template's long lines show
    up within a batch."""
    pages: dict[str, list[str]] = {}
    for row in (
        raw.filter(pl.col("media_type") != HTML)
        .select("url", "source_hint", "text")
        .iter_rows(named=True)
    ):
        key = template_source(row)
        if key and row["text"]:
            pages.setdefault(key, []).append(row["text"])
    learned = {key: learn_template(texts) for key, texts in pages.items() if len(texts) > 1}
    lines = [
        {"source_id": key, "line": line, "pages_seen": 1}
        for key, texts in pages.items()
        for text in texts
        for line in page_keys(text)
        if line.count(" ") + 1 < LONG_LINE_WORDS
    ]
    return {k: v for k, v in learned.items() if v}, pl.DataFrame(lines, schema=TEMPLATE_LINE_SCHEMA)


def clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """Clean one document. Errors become a reject, never a crashed batch."""
    started = time.perf_counter()
    try:
        text = row["text"] or ""
        ctx = page_context(row)
        cleaned: Cleaned
        if row["media_type"] == HTML:
            cleaned = clean_html(text, ctx)
        else:
            cleaned = clean_text_dump(text, ctx, template=frozenset(row.pop("template", ())))
        body = cleaned.body.strip()
        # a text dump's cleaner has named the page's language already, and extract prefers
        # it: the body is read again only where the cleaner could not tell
        language = cleaned.hints.get("language") or detect_language(body)
        return {
            **row,
            "body": body,
            "word_count": count_words(body),
            "language": language,
            "clean_method": cleaned.method,
            "hints": json.dumps(cleaned.hints, ensure_ascii=False, default=str),
            "clean_ms": (time.perf_counter() - started) * 1000,
        }
    except Exception as exc:  # one bad page must not stop the batch
        return {**row, "error": f"{type(exc).__name__}: {exc}"}


def clean_batch(
    raw: pl.DataFrame,
    mapper: Mapper,
    templates: Mapping[str, frozenset[str]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cleaned rows (CLEAN_SCHEMA) and the documents whose cleaning failed (REJECT_SCHEMA)."""
    templates = templates or {}
    rows = []
    for row in raw.drop("content").iter_rows(named=True):
        key = template_source(row) if row["media_type"] != HTML else None
        if key and templates.get(key):
            row["template"] = sorted(templates[key])
        rows.append(row)
    results = mapper.map(clean_row, rows)
    return split_failures(results, CLEAN_SCHEMA, stage=Stage.CLEAN, expectation="cleaner_completes")


def clean_with_templates(
    raw: pl.DataFrame,
    mapper: Mapper,
    templates: dict[str, frozenset[str]],
    *,
    learn: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Clean a batch with its sources' templates: the short lines already seen on another
    page of the source, in an earlier run or batch, and the lines this batch's pages share
    (`templates` is the caller's and grows in place). Also returns the batch's short lines
    for the warehouse to count. With `learn` off (a replay: its pages were counted before,
    so their own lines must not become their template) the batch's lines are not kept."""
    learned, lines = learn_batch_templates(raw)
    for source, template in learned.items():
        templates[source] = merge_template(templates.get(source, ()), template)
    clean, errors = clean_batch(raw, mapper, templates)
    if not learn:
        return clean, errors, lines.clear()
    for (source,), seen in lines.group_by("source_id"):
        templates[source] = merge_template(templates.get(source, ()), seen["line"])
    return clean, errors, lines
