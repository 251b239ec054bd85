"""Prefect wrappers of the ingest stage."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from newsdesk.core.config import Settings
from newsdesk.core.contracts.fetch import FetchState
from tasks.ingest.access import classify_batch
from tasks.ingest.batches import TimedBatches
from tasks.ingest.records import IngestFailure, RawRecord, to_frames
from tasks.parallel import RowMapper
from warehouse.fetch_state import load_state, save_state


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(
    batches: TimedBatches[RawRecord | IngestFailure], run_id: str, max_bytes: int
) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """The next batch: full, or what came within `flush_s` of its first item (waited for
    inside this task, so a slow fetch shows in the UI). Returns how many items it took, the
    raw documents and the failures."""
    batch = batches.next_batch()
    raw, failures = to_frames(batch, run_id=run_id, max_bytes=max_bytes)
    return len(batch), raw, failures


@task(name="access", cache_policy=NO_CACHE)
def access_task(raw: pl.DataFrame, mapper: RowMapper) -> pl.DataFrame:
    """Whether each page is open, paywalled, blocked or needs JavaScript (in the pool)."""
    return classify_batch(raw, mapper)


@task(name="load-fetch-state", cache_policy=NO_CACHE)
def load_fetch_state_task(settings: Settings) -> FetchState:
    return load_state(settings.db)


@task(name="save-fetch-state", cache_policy=NO_CACHE)
def save_fetch_state_task(state: FetchState, settings: Settings) -> tuple[int, int]:
    """Only after the run's loads committed: a page marked seen must be in the warehouse."""
    return save_state(settings.db, state)
