"""Small runs (the two seeds, a trickle from a slow crawl): their batches, up to the first
batch of more than SMALL_BATCH documents, are cleaned and extracted in the run's own process
(flows.pipeline.LazyMapper), where starting workers would cost more than the work. What that
work loads is started early, beside the imports of Prefect, and a run known to be small keeps
the warehouse open throughout."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

SMALL_BATCH = 20  # documents: a batch this small, before any pool, is cleaned in the run


def prepare(total: int | None) -> None:
    """Called by the command line once it knows how many documents a run has (None: not
    known cheaply), before it imports Prefect: a small run gets its language model loading
    in the background (tasks/page/language.py)."""
    if total is not None and 0 < total <= SMALL_BATCH:
        from tasks.page.language import load_in_background

        load_in_background()


def warehouse_kept_open(
    db: Path, documents: int | None, timeout_s: float
) -> AbstractContextManager[None]:
    """A run of at most SMALL_BATCH documents (counted by the command line) keeps the
    warehouse open from its start to its end (warehouse.connection.kept_open): ~35 openings
    of the file at ~20 ms of CPU each become one, and other processes wait a few seconds,
    as for one batch's load. A larger run, or one not counted, opens it per batch and query,
    so that readers get their turn between batches."""
    if documents is not None and 0 < documents <= SMALL_BATCH:
        from warehouse.connection import kept_open

        return kept_open(db, timeout_s)
    return nullcontext()
