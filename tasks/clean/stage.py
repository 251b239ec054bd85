"""The clean stage: raw documents → main text, language and hints for extract."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from newsdesk.core.contracts.clean import CLEAN_SCHEMA
from newsdesk.core.contracts.frames import TEMPLATE_LINE_SCHEMA
from newsdesk.core.contracts.hints import Cleaned
from newsdesk.core.contracts.reasons import split_failures
from newsdesk.core.contracts.run import Stage
from tasks.clean.templates import BatchLines, TemplateMemory, is_long, page_keys
from tasks.clean.text_dump import clean_text_dump
from tasks.ingest.decode import HTML
from tasks.ingest.jsonl import is_export_line
from tasks.page.fields import article_id_of, page_context
from tasks.page.language import detect_language
from tasks.page.meta_tags import stated_language
from tasks.page.words import count_words
from tasks.parallel import Mapper, mapped_rows, worker_registry

if TYPE_CHECKING:
    from lxml.html import HtmlElement


def template_source(row: Mapping[str, Any]) -> str | None:
    """The source a page's template is learned under, when it is known before extraction.
    None for a JSON Lines export's `text`: it is the article's text, not a page printed in
    the source's template, and records that share their text (or most of it) must not
    teach each other that their story is furniture (it emptied them: 0 words)."""
    if is_export_line(row.get("uri")):
        return None
    registry = worker_registry()
    source = registry.by_url(row.get("url")) or (
        registry.get(row["source_hint"]) if row.get("source_hint") else None
    )
    return source.name if source else None


def page_templates(
    raw: pl.DataFrame, memory: TemplateMemory, *, remember: bool = True
) -> tuple[list[frozenset[str]], pl.DataFrame]:
    """The template lines of each row of the batch (empty for HTML and sourceless pages): the
    lines of the page that another article of its source has shown, in `memory` (earlier
    runs and batches, looked up for this batch's lines only) or in this batch. With
    `remember`, `memory` learns the batch's short lines for the batches after it; they also
    come back (TEMPLATE_LINE_SCHEMA) for the warehouse to keep. Long lines count within the
    batch only: across runs they would be every story paragraph ever printed, and a
    template's long lines recur within a batch."""
    pages = []
    # the text of text dumps only: an HTML page's would be copied into Python for nothing
    dumps = [i for i, media in enumerate(raw["media_type"].to_list()) if media != HTML]
    for i, text, row in zip(
        dumps,
        raw["text"].gather(dumps).to_list(),
        raw.select("url", "uri", "source_hint")[dumps].iter_rows(named=True),
        strict=True,
    ):
        if not text:
            continue
        if (source := template_source(row)) is not None:
            pages.append((i, source, article_id_of(row["url"], row["uri"]), page_keys(text)))
    # A line is template for a page when an earlier batch or run showed it on another
    # article, or another article of this batch shows it: the same as learning the batch
    # first and asking then, without the memory having to hold more than this batch's lines.
    earlier = memory.seen(
        pl.DataFrame(
            [(source, k) for _, source, _, keys in pages for k in keys],
            schema={"source_id": pl.String, "line": pl.String},
            orient="row",
        )
    )
    in_batch = BatchLines()
    lines = []
    for _, source, article, keys in pages:
        in_batch.add(source, article, keys)
        lines += [
            {"source_id": source, "line": k, "article_id": article, "pages_seen": 1}
            for k in keys
            if not is_long(k)
        ]
    found = pl.DataFrame(lines, schema=TEMPLATE_LINE_SCHEMA)
    if remember:
        memory.learn(found.select("source_id", "line", article="article_id"))
    templates = [frozenset[str]()] * raw.height
    for i, source, article, keys in pages:
        templates[i] = frozenset(
            k for k in keys if earlier.get((source, k), article) != article
        ) | in_batch.template_for(source, article, keys)
    return templates, found


def clean_row(row: dict[str, Any], tree: HtmlElement | None = None) -> dict[str, Any]:
    """Clean one document (`tree`: its HTML already parsed, changed here). Errors become a
    reject, never a crashed batch."""
    started = time.perf_counter()
    try:
        text = row["text"] or ""
        ctx = page_context(row)
        cleaned: Cleaned
        if row["media_type"] == HTML:
            # here, not at the top: a run of text dumps never loads the HTML cleaner and
            # trafilatura (0.1 s of CPU)
            from tasks.page.html import clean_html

            cleaned = clean_html(text, ctx, tree)
        else:
            cleaned = clean_text_dump(text, ctx, template=frozenset(row.pop("template", ())))
        body = cleaned.body.strip()
        # a text dump's cleaner has named the page's language already, and extract prefers
        # it, as it prefers what an HTML page's markup states (the article's language): the
        # body is read again only where neither could tell
        hints = cleaned.hints
        stated = (
            stated_language(hints.get("jsonld") or {}, hints.get("meta") or {})
            if row["media_type"] == HTML
            else None
        )
        language = hints.get("language") or stated or detect_language(body)
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


_WITHOUT_TEXT = pl.Schema({k: v for k, v in CLEAN_SCHEMA.items() if k != "text"})


def clean_batch(
    raw: pl.DataFrame, mapper: Mapper, templates: Sequence[frozenset[str]] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cleaned rows (CLEAN_SCHEMA) and the documents whose cleaning failed (REJECT_SCHEMA);
    `templates` holds each row's template lines (page_templates)."""
    rows = mapped_rows(raw.drop("content"), mapper, "text")
    for i, row in enumerate(rows):
        if templates and templates[i]:
            row["template"] = sorted(templates[i])
    results = mapper.map(clean_row, rows)
    # A row comes back with its page's text unchanged (or without it: the page pass's rows,
    # tasks/one_pass.py): the frame takes that column from `raw` as it is, rather than
    # copying each page's text back through Python (0.1 ms a page in the run's process).
    kept = [i for i, r in enumerate(results) if "error" not in r]
    for result in results:
        result.pop("text", None)
    clean, errors = split_failures(
        results, _WITHOUT_TEXT, stage=Stage.CLEAN, expectation="cleaner_completes"
    )
    return clean.with_columns(raw["text"].gather(kept)).select(CLEAN_SCHEMA.names()), errors


def clean_with_templates(
    raw: pl.DataFrame, mapper: Mapper, memory: TemplateMemory, *, learn: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Clean a batch with its sources' templates: the lines another article of the source
    showed, in an earlier run or batch (`memory`, the caller's, grows in place) or in this
    batch. Also returns the batch's short lines for the warehouse to keep, unless `learn` is
    off: a replay's or reprocess's pages were counted when they first came in, so they teach
    only their own batch, and every page of such a run sees what the warehouse holds, in
    whichever batch it comes."""
    templates, lines = page_templates(raw, memory, remember=learn)
    clean, errors = clean_batch(raw, mapper, templates)
    return clean, errors, lines if learn else lines.clear()
