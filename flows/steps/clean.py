"""Prefect wrapper of the clean stage."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.clean.stage import clean_with_templates
from tasks.clean.templates import TemplateMemory
from tasks.parallel import Mapper


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(
    raw: pl.DataFrame, mapper: Mapper, memory: TemplateMemory, learn: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """tasks.clean.stage.clean_with_templates; a replay or reprocess learns nothing."""
    return clean_with_templates(raw, mapper, memory, learn=learn)
