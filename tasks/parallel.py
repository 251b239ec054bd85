"""A plain process pool for the CPU-bound stages (measured faster here than Prefect's
process runner), created once per run and handed the registry once per worker."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from newsdesk.sources import Registry

_registry: Registry | None = None


def _init_worker(registry: Registry) -> None:
    global _registry
    _registry = registry


def worker_registry() -> Registry:
    if _registry is None:
        raise RuntimeError("worker used before the pool handed it the registry")
    return _registry


class RowMapper:
    """Maps a per-row function over a batch, in this process (workers=1) or in a pool of
    spawned processes (spawn, not fork: the parent runs Prefect's threads)."""

    def __init__(self, registry: Registry, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        _init_worker(registry)
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(registry,),
            )

    def map(
        self, fn: Callable[[dict[str, Any]], dict[str, Any]], rows: Iterable[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        rows = list(rows)
        if self._pool is None or len(rows) < 2:
            return [fn(row) for row in rows]
        chunksize = max(1, len(rows) // (self.workers * 4))
        return list(self._pool.map(fn, rows, chunksize=chunksize))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> RowMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
