"""Prefect wrapper of the extract stage."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.extract.stage import extract_batch
from tasks.parallel import Mapper


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(clean: pl.DataFrame, mapper: Mapper) -> tuple[pl.DataFrame, pl.DataFrame]:
    return extract_batch(clean, mapper)
