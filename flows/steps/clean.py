"""Prefect wrapper of the clean stage."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.clean.stage import clean_with_templates
from tasks.parallel import Mapper


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(
    raw: pl.DataFrame, mapper: Mapper, templates: dict[str, frozenset[str]], replay: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """tasks.clean.stage.clean_with_templates; a replay learns nothing."""
    return clean_with_templates(raw, mapper, templates, learn=not replay)
