"""Small runs (the two seeds, a trickle from a slow crawl): their batches, up to the first
batch of more than SMALL_BATCH documents, are cleaned and extracted in the run's own process
(flows.pipeline.LazyMapper), where starting workers would cost more than the work. What that
work loads is started early, beside the imports of Prefect."""

from __future__ import annotations

SMALL_BATCH = 20  # documents: a batch this small, before any pool, is cleaned in the run


def prepare(total: int | None) -> None:
    """Called by the command line once it knows how many documents a run has (None: not
    known cheaply), before it imports Prefect: a small run gets its language model loading
    in the background (tasks/page/language.py)."""
    if total is not None and 0 < total <= SMALL_BATCH:
        from tasks.page.language import load_in_background

        load_in_background()
