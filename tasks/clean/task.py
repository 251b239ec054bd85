"""Prefect wrapper of the clean stage."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.clean.stage import clean_batch
from tasks.parallel import RowMapper


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(
    raw: pl.DataFrame, mapper: RowMapper, templates: Mapping[str, frozenset[str]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return clean_batch(raw, mapper, templates)
