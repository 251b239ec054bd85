"""One batch through the stages and their gates: the same code for a run (Prefect tasks,
gates that hold documents back) and for `newsdesk extract` (plain functions, every document
carried as far as it goes, nothing loaded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from expectations import GateResult
from newsdesk.core.contracts.run import Stage
from tasks.load.stage import split_known, split_versions
from tasks.one_pass import Pages
from tasks.parallel import Mapper

Frames = tuple[pl.DataFrame, pl.DataFrame]


@dataclass
class Steps:
    """The stage functions of a batch after its page pass (tasks.one_pass.read_pages): clean
    and extract get the pass's Mapper for their stage. `gate` returns None when it checks
    later or not at all. With `preview` (newsdesk extract) a gate's failures go on to the
    next stage, so that each document shows what was extracted from it, there is no load
    gate, and no document is set aside as known."""

    gate: Callable[[Stage, pl.DataFrame], GateResult | None]
    clean: Callable[[pl.DataFrame, Mapper], tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]
    extract: Callable[[pl.DataFrame, Mapper], Frames]
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


def through_stages(pages: Pages, steps: Steps) -> Batch:
    gates: list[GateResult] = []

    def gate(stage: Stage, frame: pl.DataFrame) -> pl.DataFrame:
        result = steps.gate(stage, frame)
        if result is not None:
            gates.append(result)
        if steps.preview or result is None:
            return frame
        return result.passed

    raw = pages.raw
    raw_ok = gate(Stage.INGEST, raw)
    if steps.preview:  # undecodable bytes have no text to clean
        fresh, duplicates = raw_ok.filter(pl.col("text").is_not_null()), 0
    else:
        fresh, duplicates = split_known(raw_ok, set(pages.known))
    clean, clean_errors, lines = steps.clean(fresh, pages.clean)
    clean_ok = gate(Stage.CLEAN, clean)
    articles, extract_errors = steps.extract(clean_ok, pages.extract)
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
