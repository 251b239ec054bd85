"""Prefect wrappers of the steps after a run's batches: copies and stories, the search index."""

from __future__ import annotations

import time

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsdesk.core.config import Settings
from tasks.parallel import Mapper
from tasks.stories.index import StoriesResult, index_run, params_of
from warehouse import search


@task(name="stories", cache_policy=NO_CACHE)
def stories_task(run_id: str, settings: Settings, mapper: Mapper | None = None) -> StoriesResult:
    """Copies and stories of the run's new and changed articles (their features computed on
    `mapper`, the run's workers, when it has them)."""
    result = index_run(
        settings.db,
        run_id,
        params_of(settings),
        read_timeout_s=settings.read_lock_timeout_s,
        write_timeout_s=settings.write_lock_timeout_s,
        mapper=mapper,
    )
    get_run_logger().info(
        "stories: %d articles indexed, %d copy and %d same_story links added; "
        "%d stories (%d new); seconds per step %s",
        result.indexed,
        result.copies,
        result.same_story,
        result.stories,
        result.new_stories,
        result.seconds,
    )
    return result


@task(name="search-index", cache_policy=NO_CACHE)
def search_index_task(run_id: str, settings: Settings) -> dict:
    """Keep the full-text index current: the run's changes only, a full build the first time."""
    started = time.perf_counter()
    result = search.refresh_index(settings.db, run_id, timeout_s=settings.write_lock_timeout_s)
    result["seconds"] = round(time.perf_counter() - started, 3)
    get_run_logger().info("search index: %s", result)
    return result
