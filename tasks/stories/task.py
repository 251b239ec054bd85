"""Prefect wrapper of the stories step: after a run's batches, index its new articles, link
copies and same-story pairs, and rebuild the stories."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.stories.groups import components, largest_groups
from tasks.stories.signatures import LshParams, bands, signatures
from tasks.stories.stage import StoryParams, choose_links, score_copies
from tasks.stories.terms import terms
from warehouse import stories as wh

# Candidate pairs for copies share a bucket when their Jaccard similarity is around this or
# more; it sits below the copy threshold so that the LSH misses few true copies.
LSH_THRESHOLD = 0.4


@dataclass
class StoriesResult:
    indexed: int = 0
    copies: int = 0
    same_story: int = 0
    stories: int = 0
    new_stories: int = 0
    story_rows: list[dict] = field(default_factory=list)  # stories the run started or grew
    copy_clusters: list[list[str]] = field(default_factory=list)  # largest, article ids


def index_run(
    db: Path | str,
    run_id: str,
    params: StoryParams,
    *,
    read_timeout_s: float = 60.0,
    write_timeout_s: float = 300.0,
) -> StoriesResult:
    """The whole step on a warehouse file; a run with nothing new to index changes nothing."""
    todo = wh.articles_to_index(db, run_id, timeout_s=read_timeout_s)
    if todo.is_empty():
        return StoriesResult()
    sigs = signatures(todo)
    wh.save_features(
        db,
        run_id,
        indexed=todo,
        signatures=sigs,
        bands=bands(sigs, LshParams.for_threshold(LSH_THRESHOLD)),
        terms=terms(todo),
        timeout_s=write_timeout_s,
    )
    ids = todo["article_id"].to_list()
    copies = score_copies(wh.copy_candidates(db, ids, timeout_s=read_timeout_s))
    story = wh.story_candidates(
        db,
        ids,
        window_days=params.window_days,
        title_weight=params.title_weight,
        timeout_s=read_timeout_s,
    )
    new_links = choose_links(copies, story, params)
    all_links = pl.concat(
        [
            wh.links(db, timeout_s=read_timeout_s).join(
                new_links, on=["article_id", "other_id"], how="anti"
            ),
            new_links,
        ]
    )
    pairs = list(all_links.select("article_id", "other_id").iter_rows())
    total, new = wh.save_links_and_stories(
        db, run_id, new_links=new_links, components=components(pairs), timeout_s=write_timeout_s
    )
    copy_pairs = all_links.filter(pl.col("relation") == "copy")
    return StoriesResult(
        indexed=todo.height,
        copies=int((new_links["relation"] == "copy").sum()),
        same_story=int((new_links["relation"] == "same_story").sum()),
        stories=total,
        new_stories=new,
        story_rows=wh.run_stories(db, run_id, timeout_s=read_timeout_s).to_dicts(),
        copy_clusters=largest_groups(copy_pairs.select("article_id", "other_id").iter_rows(), 5),
    )


@task(name="stories", cache_policy=NO_CACHE)
def stories_task(
    db: Path, run_id: str, params: StoryParams, read_timeout_s: float, write_timeout_s: float
) -> StoriesResult:
    return index_run(
        db, run_id, params, read_timeout_s=read_timeout_s, write_timeout_s=write_timeout_s
    )
