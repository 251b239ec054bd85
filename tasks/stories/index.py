"""The stories step on a warehouse: index a run's new articles, link copies and same-story
pairs, and rebuild the stories (the Prefect task is flows/steps/stories.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from newsdesk.core.config import Settings
from tasks.parallel import Mapper
from tasks.stories.features import features
from tasks.stories.groups import components, largest_groups
from tasks.stories.signatures import LshParams, bands
from tasks.stories.stage import StoryParams, choose_links, score_copies
from warehouse import stories as wh

# Candidate pairs for copies share a bucket when their Jaccard similarity is around this or
# more; it sits below the copy threshold so that the LSH misses few true copies.
LSH_THRESHOLD = 0.4
CHUNK = 2000  # articles hashed and written at a time


@dataclass
class StoriesResult:
    indexed: int = 0
    copies: int = 0
    same_story: int = 0
    stories: int = 0
    new_stories: int = 0
    story_rows: list[dict] = field(default_factory=list)  # stories the run started or grew
    # the largest around the run's articles: size, outlets, title
    copy_clusters: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for the run's log


def index_run(
    db: Path | str,
    run_id: str,
    params: StoryParams,
    *,
    read_timeout_s: float = 60.0,
    write_timeout_s: float = 300.0,
    mapper: Mapper | None = None,
) -> StoriesResult:
    """The whole step on a warehouse file; a run with nothing new to index changes nothing.
    With `mapper` (the run's workers), the articles' features are computed there."""
    clock = _Clock()
    ids = wh.articles_to_index(db, run_id, timeout_s=read_timeout_s)
    if not ids:
        return StoriesResult()
    lsh = LshParams.for_threshold(LSH_THRESHOLD)
    for start in range(0, len(ids), CHUNK):
        # In chunks: the shingle sets of a whole warehouse (a first run after an upgrade)
        # would not fit in memory at once.
        chunk = ids[start : start + CHUNK]
        texts = wh.article_texts(db, chunk, timeout_s=read_timeout_s)
        clock.lap("read")
        sigs, found = features(texts, mapper)
        clock.lap("minhash")
        wh.save_features(
            db,
            run_id,
            indexed=chunk,
            signatures=sigs,
            bands=bands(sigs, lsh),
            terms=found,
            timeout_s=write_timeout_s,
        )
        clock.lap("features")
    copies = score_copies(wh.copy_candidates(db, ids, timeout_s=read_timeout_s))
    clock.lap("copy_candidates")
    story = wh.story_candidates(
        db,
        ids,
        window_days=params.window_days,
        title_weight=params.title_weight,
        timeout_s=read_timeout_s,
    )
    clock.lap("story_candidates")
    new_links = choose_links(copies, story, params)
    touched = sorted({*ids, *new_links["article_id"].to_list(), *new_links["other_id"].to_list()})
    # Only the links around the run's articles: what a run reads grows with what it loaded,
    # not with the warehouse.
    affected, stored = wh.links_around(db, touched, timeout_s=read_timeout_s)
    links_now = pl.concat(
        [stored.join(new_links, on=["article_id", "other_id"], how="anti"), new_links]
    )
    total, new = wh.save_links_and_stories(
        db,
        run_id,
        new_links=new_links,
        components=components(links_now.select("article_id", "other_id").iter_rows()),
        touched=touched,
        affected=affected,
        timeout_s=write_timeout_s,
    )
    clock.lap("stories")
    copy_pairs = links_now.filter(pl.col("relation") == "copy")
    result = StoriesResult(
        indexed=len(ids),
        copies=int((new_links["relation"] == "copy").sum()),
        same_story=int((new_links["relation"] == "same_story").sum()),
        stories=total,
        new_stories=new,
        story_rows=wh.run_stories(db, run_id, timeout_s=read_timeout_s).to_dicts(),
        copy_clusters=[
            _cluster(wh.describe(db, ids, timeout_s=read_timeout_s))
            for ids in largest_groups(copy_pairs.select("article_id", "other_id").iter_rows(), 5)
        ],
        seconds=clock.laps,
    )
    clock.lap("report")
    return result


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 3)
        self._last = now


def _cluster(members: pl.DataFrame) -> dict:
    return {
        "articles": members.height,
        "outlets": ", ".join(dict.fromkeys(s or "?" for s in members["source_id"])),
        "first_seen": str(members["published_at"][0]),
        "title": members["title"][0],
    }


def params_of(settings: Settings) -> StoryParams:
    return StoryParams(
        copy_threshold=settings.stories.copy_threshold,
        story_threshold=settings.stories.story_threshold,
        window_days=settings.stories.window_days,
    )
