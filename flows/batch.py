"""One batch through the stages and their gates: the same code for a run (Prefect tasks,
gates that hold documents back) and for `newsdesk extract` (plain functions, every document
carried as far as it goes, nothing loaded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from expectations import GateResult
from newsdesk.core.contracts.run import Stage
from tasks.load.stage import split_versions

Frames = tuple[pl.DataFrame, pl.DataFrame]


@dataclass
class Steps:
    """The stage functions of a batch. `gate` returns None when it checks later or not at
    all. With `preview` (newsdesk extract) a gate's failures go on to the next stage, so that
    each document shows what was extracted from it, and there is no load gate."""

    gate: Callable[[Stage, pl.DataFrame], GateResult | None]
    clean: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]
    extract: Callable[[pl.DataFrame], Frames]
    skip_known: Callable[[pl.DataFrame], tuple[pl.DataFrame, int]] = lambda raw: (raw, 0)
    # fills `access` and `access_evidence` (tasks.ingest.access) before the ingest gate
    access: Callable[[pl.DataFrame], pl.DataFrame] = lambda raw: raw
    preview: bool = False


@dataclass
class Batch:
    """What a batch became: every stage's output, its errors and the gates' results."""

    raw: pl.DataFrame  # the raw batch with its access read
    clean: pl.DataFrame
    clean_errors: pl.DataFrame
    template_lines: pl.DataFrame
    articles: pl.DataFrame
    extract_errors: pl.DataFrame
    to_load: pl.DataFrame
    duplicates: int
    gates: list[GateResult] = field(default_factory=list)
    earlier_versions: pl.DataFrame | None = None  # older texts of an article in this batch


def through_stages(raw: pl.DataFrame, steps: Steps) -> Batch:
    gates: list[GateResult] = []

    def gate(stage: Stage, frame: pl.DataFrame) -> pl.DataFrame:
        result = steps.gate(stage, frame)
        if result is not None:
            gates.append(result)
        if steps.preview or result is None:
            return frame
        return result.passed

    raw = steps.access(raw)
    raw_ok = gate(Stage.INGEST, raw)
    if steps.preview:  # undecodable bytes have no text to clean
        raw_ok = raw_ok.filter(pl.col("text").is_not_null())
    fresh, duplicates = steps.skip_known(raw_ok)
    clean, clean_errors, lines = steps.clean(fresh)
    clean_ok = gate(Stage.CLEAN, clean)
    articles, extract_errors = steps.extract(clean_ok)
    articles_ok = gate(Stage.EXTRACT, articles)
    earlier = None
    if not steps.preview:
        # One article per id: the same text twice is a duplicate, older texts are versions.
        articles_ok, repeats, earlier = split_versions(articles_ok)
        duplicates += repeats
    to_load = articles_ok.clear() if steps.preview else gate(Stage.LOAD, articles_ok)
    return Batch(
        raw,
        clean,
        clean_errors,
        lines,
        articles,
        extract_errors,
        to_load,
        duplicates,
        gates,
        earlier,
    )
