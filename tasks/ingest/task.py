"""Prefect wrapper of the ingest stage."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.ingest.records import IngestFailure, RawRecord, to_frames


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(
    items: Sequence[RawRecord | IngestFailure], run_id: str, max_bytes: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return to_frames(items, run_id=run_id, max_bytes=max_bytes)
