"""A run's first batches of at most SMALL_BATCH documents are cleaned in the run's own
process: a pool (its workers import the stages) is started only for a larger batch."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from flows.pipeline import SMALL_BATCH, LazyMapper


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def map(self, fn: Any, rows: Any) -> list[Any]:
        self.log.append(self.name)
        return [fn(row) for row in rows]


def test_small_batches_run_here_until_a_larger_one_opens_the_pool() -> None:
    log: list[str] = []
    opened: list[int] = []

    @contextmanager
    def pool() -> Any:
        opened.append(1)
        yield Recorder("pool", log)

    with LazyMapper(pool, local=lambda: Recorder("here", log)) as mapper:
        mapper.for_batch(3)
        assert mapper.map(lambda r: r + 1, [1, 2]) == [2, 3]
        mapper.for_batch(SMALL_BATCH)
        mapper.map(lambda r: r, [1])
        assert not opened and log == ["here", "here"]
        mapper.for_batch(SMALL_BATCH + 1)
        mapper.map(lambda r: r, [1])
        mapper.for_batch(2)  # once a pool is open, every batch goes there
        mapper.map(lambda r: r, [1])
    assert opened == [1] and log == ["here", "here", "pool", "pool"]

    with LazyMapper(pool) as remote:  # no local mapper (a Dask cluster): always the pool
        remote.for_batch(1)
        remote.map(lambda r: r, [1])
    assert opened == [1, 1] and log[-1] == "pool"
