"""Prefect wrapper of the clean stage."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.clean.stage import clean_batch, learn_batch_templates
from tasks.clean.templates import merge_template
from tasks.parallel import RowMapper


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(
    raw: pl.DataFrame, mapper: RowMapper, templates: dict[str, frozenset[str]], replay: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Clean a batch with its sources' templates: the short lines already seen on another
    page of the source, in an earlier run or batch, and the lines this batch's pages share
    (`templates` is the run's own and grows in place). Also returns the batch's short lines
    for the warehouse to count. A replay's pages were counted before, so their own lines must
    not become their template: a replay learns nothing."""
    learned, lines = learn_batch_templates(raw)
    for source, template in learned.items():
        templates[source] = merge_template(templates.get(source, ()), template)
    clean, errors = clean_batch(raw, mapper, templates)
    if replay:
        return clean, errors, lines.clear()
    for (source,), seen in lines.group_by("source_id"):
        templates[source] = merge_template(templates.get(source, ()), seen["line"])
    return clean, errors, lines
