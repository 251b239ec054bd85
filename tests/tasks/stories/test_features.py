"""A chunk's story features computed in parts on the workers (tasks/stories/features.py) are
the ones one process computes for the whole chunk, in the same order; a mapper that fails
leaves them to this process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl
import pytest

from newsdesk.core.registry import Registry
from tasks.parallel import RowMapper
from tasks.stories.features import PART, features
from tasks.stories.signatures import signatures
from tasks.stories.terms import terms
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def texts() -> pl.DataFrame:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    n = PART * 2 + 7  # three parts, the last one short
    return pl.DataFrame(
        {
            "article_id": [f"a{i:03d}" for i in range(n)],
            "title": [f"Story {i} from Lagos and Kyiv" for i in range(n)],
            "standfirst": [None if i % 3 else "A standfirst" for i in range(n)],
            # the seeds, cut at different points: bodies that share text and differ
            "body": [None if i == 5 else seeds[i % len(seeds)][i * 7 :] for i in range(n)],
        }
    )


@pytest.fixture(scope="module")
def mapper() -> Iterator[RowMapper]:
    with RowMapper(Registry(()), workers=2) as mapper:
        yield mapper


def test_parts_on_the_workers_give_what_one_process_gives(
    texts: pl.DataFrame, mapper: RowMapper
) -> None:
    sigs, found = features(texts, mapper)
    assert sigs.equals(signatures(texts))
    assert found.equals(terms(texts))
    assert sigs.height == texts.height - 1  # the empty body has no signature


class Failing:
    def map(self, fn: Any, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        raise RuntimeError("the worker process died on it")


def test_a_failing_mapper_leaves_the_features_to_this_process(texts: pl.DataFrame) -> None:
    sigs, found = features(texts, Failing())
    assert sigs.equals(signatures(texts))
    assert found.equals(terms(texts))
