"""`newsdesk extract`: ingest, clean and extract with no warehouse writes, in batches, for
looking at what the pipeline makes of pages and for measuring it. The batch code is a run's
(flows.batch), with plain functions in place of Prefect tasks."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import polars as pl

from flows.batch import Steps, through_stages
from newsdesk.core.config import Settings
from newsdesk.core.contracts.run import Stage, new_run_id
from newsdesk.core.registry import Registry
from tasks.clean.stage import clean_with_templates
from tasks.clean.templates import TemplateMemory
from tasks.extract.stage import extract_batch
from tasks.gate_params import gate_params
from tasks.ingest.files import batched, iter_items
from tasks.ingest.records import to_frames
from tasks.one_pass import read_pages
from tasks.parallel import run_mapper


def warm_up_gates() -> threading.Thread:
    """Great Expectations takes seconds to import: start it while the first batch is cleaned."""
    from expectations import warm_up

    thread = threading.Thread(target=warm_up, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def path_of(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return uri
    return unquote(parts.path) + (f"#{parts.fragment}" if parts.fragment else "")


def _failures(rejects: pl.DataFrame) -> dict[str, list[dict[str, str]]]:
    by_doc: dict[str, list[dict[str, str]]] = {}
    for row in rejects.iter_rows(named=True):
        by_doc.setdefault(row["uri"], []).append(
            {
                "stage": row["stage"],
                "reason": row["reason"],
                "expectation": row["expectation"],
                "observed": row["observed"],
            }
        )
    return by_doc


def record(
    article: dict[str, Any] | None, raw: dict[str, Any], failures: list[dict[str, str]]
) -> dict[str, Any]:
    article = article or {}
    return {
        "path": path_of(raw["uri"]),
        "url": article.get("url") or raw.get("url"),
        "title": article.get("title"),
        "published": article.get("published_local"),
        "published_tz": article.get("published_tz"),
        "published_method": article.get("published_method"),
        "authors": article.get("authors") or [],
        "source": article.get("source_id"),
        "site_name": article.get("site_name"),
        "section": article.get("section"),
        "tags": article.get("tags") or [],
        "language": article.get("language") or raw.get("language"),
        "word_count": article.get("word_count", raw.get("word_count") or 0),
        "extraction_method": article.get("extraction_method") or raw.get("clean_method"),
        "media_type": raw.get("media_type"),
        "encoding": raw.get("encoding"),
        "page_type": article.get("page_type"),
        "standfirst": article.get("standfirst"),
        "access": raw.get("access"),
        "access_evidence": raw.get("access_evidence"),
        "body": article.get("body") if article else (raw.get("body") or ""),
        "gate_failures": failures,
    }


def warehouse_templates(db: Path, settings: Settings) -> TemplateMemory:
    """What a warehouse's runs learned of their sources' templates, as a run on it starts
    with (raises warehouse.load.WarehouseOutdated for a file older than this code)."""
    return TemplateMemory(db, timeout_s=settings.read_lock_timeout_s).check()


def extract_paths(
    paths: Iterable[Path],
    settings: Settings,
    registry: Registry,
    *,
    gates: bool = True,
    templates: TemplateMemory | None = None,
) -> Iterator[dict[str, Any]]:
    """One record per document, batch by batch, through the run's batch code
    (flows.batch) in preview: every document is carried as far as it can go, so a page that
    a gate would quarantine still shows what was extracted from it. Text dumps are cleaned
    with their sources' templates as a run cleans them: learned from the pages before and,
    with `templates` (warehouse_templates), from what a warehouse's runs kept (without, as a
    run on an empty warehouse)."""
    warm = warm_up_gates() if gates else None
    now = datetime.now(UTC)
    memory = templates or TemplateMemory()
    run_id = new_run_id(now)
    to_gate: list[tuple[Stage, pl.DataFrame]] = []

    def gate_later(stage: Stage, frame: pl.DataFrame) -> None:
        to_gate.append((stage, frame))  # checked once the batch is through: GX loads meanwhile

    with run_mapper(registry, settings) as mapper:
        steps = Steps(
            gate=gate_later,
            clean=lambda raw, ready: clean_with_templates(raw, ready, memory),
            extract=extract_batch,
            preview=True,
        )

        items = iter_items(
            paths,
            max_bytes=settings.max_bytes,
            read_timeout_s=settings.read_timeout_s,
            follow_links=settings.follow_links,
        )
        for batch in batched(items, settings.batch_size):
            raw, unreadable = to_frames(batch, run_id=run_id, max_bytes=settings.max_bytes)
            to_gate.clear()
            # a batch's pages parsed and sent to a worker once (tasks/one_pass.py)
            done = through_stages(read_pages(raw, mapper), steps)
            rejects = [unreadable, done.clean_errors, done.extract_errors]
            if warm is not None:
                from expectations import run_gate

                warm.join()
                for stage, frame in to_gate:
                    params = gate_params(stage, settings, registry, now)
                    rejects.append(run_gate(stage, frame, params=params, threshold=1.0).rejects)
            failures = _failures(pl.concat(rejects, how="vertical"))
            by_uri = {a["uri"]: a for a in done.articles.iter_rows(named=True)}
            cleaned = {c["uri"]: c for c in done.clean.iter_rows(named=True)}
            for row in done.raw.drop("content", "text").iter_rows(named=True):
                uri = row["uri"]
                yield record(
                    by_uri.get(uri), {**row, **cleaned.get(uri, {})}, failures.get(uri, [])
                )
            for row in unreadable.iter_rows(named=True):
                yield record(None, {"uri": row["uri"]}, failures.get(row["uri"], []))
