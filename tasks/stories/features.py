"""A chunk's story features (MinHash signatures and story terms) computed in parts on the
run's workers, which are idle once the batches are in: each article's features depend on it
alone, so the parts, put back in order, are what the whole chunk gives in one process."""

from __future__ import annotations

import polars as pl

from tasks.parallel import Mapper, Row
from tasks.stories.signatures import signatures
from tasks.stories.terms import terms

PART = 50  # articles a worker call


def features_part(part: Row) -> Row:
    """In a worker: one part's signatures and terms."""
    texts = part["texts"]
    return {"signatures": signatures(texts), "terms": terms(texts)}


def features(texts: pl.DataFrame, mapper: Mapper | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The signatures and terms of `texts` (article_id, title, body, standfirst), on the
    mapper's workers when there is one and more than one part, else here; here too when the
    workers fail (a worker that died on a part)."""
    if mapper is None or texts.height <= PART:
        return signatures(texts), terms(texts)
    parts = [{"texts": texts.slice(i, PART)} for i in range(0, texts.height, PART)]
    try:
        done = mapper.map(features_part, parts)
    except Exception:
        done = []
    if len(done) != len(parts) or not all("signatures" in d for d in done):
        return signatures(texts), terms(texts)
    return (
        pl.concat([d["signatures"] for d in done], how="vertical"),
        pl.concat([d["terms"] for d in done], how="vertical"),
    )
