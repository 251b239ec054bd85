"""Small runs (the two seeds, a trickle from a slow crawl): their batches, up to the first
batch of more than SMALL_BATCH documents, are cleaned and extracted in the run's own process
(flows.pipeline.LazyMapper), where starting workers would cost more than the work. What that
work loads is started early, beside the imports of Prefect; a run known to be small keeps the
warehouse open throughout, and its bookkeeping steps are no task runs of their own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect import Task

SMALL_BATCH = 20  # documents: a batch this small, before any pool, is cleaned in the run


def prepare(total: int | None) -> None:
    """Called by the command line once it knows how many documents a run has (None: not
    known cheaply), before it imports Prefect: a small run gets its language model loading
    in the background (tasks/page/language.py)."""
    if total is not None and 0 < total <= SMALL_BATCH:
        from tasks.page.language import load_in_background

        load_in_background()


def is_small(documents: int | None) -> bool:
    """A run the command line counted (`documents`; None: not counted) at SMALL_BATCH or
    fewer documents."""
    return documents is not None and 0 < documents <= SMALL_BATCH


def warehouse_kept_open(
    db: Path, documents: int | None, timeout_s: float
) -> AbstractContextManager[None]:
    """A run of at most SMALL_BATCH documents (counted by the command line) keeps the
    warehouse open from its start to its end (warehouse.connection.kept_open): ~35 openings
    of the file at ~20 ms of CPU each become one, and other processes wait a few seconds,
    as for one batch's load. A larger run, or one not counted, opens it per batch and query,
    so that readers get their turn between batches."""
    if is_small(documents):
        from warehouse.connection import kept_open

        return kept_open(db, timeout_s)
    return nullcontext()


def step(task: Task[..., Any], small: bool) -> Callable[..., Any]:
    """How a run calls a bookkeeping step (start and finish the run, known documents and
    files, accounting, stories, search index, read copy): a task run of its own, or, in a
    small run, a plain call whose logs go to the flow run. A task run costs ~15 ms of CPU
    here and ~40 ms on the Prefect server (its state events), the server sharing the cores:
    a run of two pages had 21 task runs. The stages (ingest, clean, extract, load and the
    gates) are task runs in every run, so the UI shows them."""
    return task.fn if small else task


def without_heartbeats(documents: int | None) -> AbstractContextManager[Any]:
    """Around a small run's flow call: its flow run sends no heartbeats. Prefect's heartbeat
    thread sleeps a second at a time between beats (every 180 s), and the flow run's end
    joins it: a run of seconds waited 0-1 s (0.5 on average) doing nothing at its end, for
    one heartbeat event sent at its start. A larger run keeps them (Prefect automations can
    tell a crashed long run by its missing heartbeats); a small run that crashes is marked
    crashed by the next run (flows.run_lock), as any run is."""
    if not is_small(documents):
        return nullcontext()
    from prefect.context import SettingsContext
    from prefect.settings import get_current_settings

    current = get_current_settings()
    flows = current.flows.model_copy(update={"heartbeat_frequency": None})
    settings = current.model_copy(update={"flows": flows})
    return SettingsContext(profile=SettingsContext.get().profile, settings=settings)
