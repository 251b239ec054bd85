"""Links from candidates: which pairs are copies, which tell the same story.

`copy`: the estimated Jaccard similarity of the two bodies' 5-word shingles is at least
`copy_threshold` (the same text, e.g. syndicated wire copy with its own furniture).
`same_story`: not a copy, published within the window, and the rarity-weighted share of
story terms (names in title and lead) the two have in common is at least `story_threshold`.
Both thresholds were chosen on one half of the labelled pairs (bench/eval_stories.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tasks.stories.signatures import jaccard

LINK_SCHEMA = pl.Schema(
    {
        "article_id": pl.String,
        "other_id": pl.String,
        "similarity": pl.Float64,
        "relation": pl.String,
    }
)


@dataclass(frozen=True)
class StoryParams:
    copy_threshold: float = 0.4
    story_threshold: float = 0.3
    story_metric: str = "overlap"  # or "cosine" (columns of warehouse.stories.story_candidates)
    window_days: float = 3.0
    title_weight: float = 2.0
    min_shared_terms: int = 3


def score_copies(candidates: pl.DataFrame) -> pl.DataFrame:
    """article_id, other_id, similarity (MinHash Jaccard estimate) of each candidate pair."""
    sims = [jaccard(a, b) for a, b in candidates.select("minhash_a", "minhash_b").iter_rows()]
    return candidates.select("article_id", "other_id").with_columns(
        similarity=pl.Series(sims, dtype=pl.Float64)
    )


def choose_links(copies: pl.DataFrame, story: pl.DataFrame, params: StoryParams) -> pl.DataFrame:
    """LINK_SCHEMA rows: copies at or over the copy threshold, then same_story pairs over the
    story threshold that are not copies."""
    copy_links = copies.filter(pl.col("similarity") >= params.copy_threshold).with_columns(
        relation=pl.lit("copy")
    )
    story_links = (
        story.filter(
            (pl.col(params.story_metric) >= params.story_threshold)
            & (pl.col("shared_terms") >= params.min_shared_terms)
        )
        .select("article_id", "other_id", pl.col(params.story_metric).alias("similarity"))
        .with_columns(relation=pl.lit("same_story"))
        .join(copy_links, on=["article_id", "other_id"], how="anti")
    )
    return pl.concat(
        [copy_links.select(LINK_SCHEMA.names()), story_links.select(LINK_SCHEMA.names())]
    ).cast(dict(LINK_SCHEMA))
