"""Where the CPU-bound stages (clean, extract) run: a plain process pool (measured faster
here than Prefect's process runner), created once per run and handed the registry once per
worker; or the workers of a Dask cluster. Either way the stage gets its rows back in order,
and the run that called it stays the only writer of the warehouse."""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.context
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, overload

import polars as pl

from newsdesk.core.config import Settings
from newsdesk.core.processes import die_with
from newsdesk.core.registry import Registry

_registry: Registry | None = None


def _init_worker(registry: Registry, die: bool = False, warm: Sequence[str] = ()) -> None:
    """In a worker as it starts: the run's registry; with `die`, death with the process that
    started it (the fork server, which ends when the run does); the `warm` modules (already
    there when the fork server imported them)."""
    global _registry
    _registry = registry
    if die:
        die_with(os.getppid())
    for module in warm:  # the stages' imports (~1 s of CPU) as the worker starts
        importlib.import_module(module)


def _context(warm: Sequence[str]) -> multiprocessing.context.BaseContext:
    """Where a pool's workers come from: a fork server (POSIX) that imported the `warm`
    modules once and forks each worker from itself, so the stages' imports (~1 s of CPU a
    worker) are paid once a run, not once a worker; else spawn. Not plain fork: the run's
    process runs Prefect's threads, and a fork of it could copy a lock some thread held.
    The fork server is a fresh single-threaded interpreter; it ends when the run's process
    does (its pipe to it closes), and its workers die with it (die_with)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(warm))  # only until the server has started
    return context


def worker_registry() -> Registry:
    if _registry is None:
        raise RuntimeError("worker used before the pool handed it the registry")
    return _registry


Row = dict[str, Any]
RowFn = Callable[[Row], Row]
DIED = "the worker process died on it"
_CHUNKS_PER_WORKER = 16
# Chunks sent to the pool ahead of the one waited for, per worker: enough that a worker
# finding its chunk done has the next one queued, few enough that a batch's rows are not
# all made at once (_windowed).
_WINDOW_PER_WORKER = 4


class Mapper(Protocol):
    """What clean and extract need: a per-row function mapped over a batch, in order."""

    def map(self, fn: RowFn, rows: Iterable[Row]) -> list[Row]: ...


def mapped_rows(frame: pl.DataFrame, mapper: Mapper, large: str) -> list[Row]:
    """The frame's rows for `mapper.map`, with the `large` column (a page's text) only in
    the rows the mapper will compute: a Mapper that holds results already (tasks.one_pass's
    `Ready`) says which with `waiting(rows)`. Copying every page's text into Python for rows
    whose result is waiting cost ~0.1 ms a page in the run's process, at each stage."""
    rows = list(frame.drop(large).iter_rows(named=True))
    waiting = getattr(mapper, "waiting", None)
    ready = waiting(rows) if waiting is not None else [False] * len(rows)
    needed = [i for i, done in enumerate(ready) if not done]
    for i, value in zip(needed, frame[large].gather(needed).to_list(), strict=True):
        rows[i][large] = value
    return rows


def _map_rows(fn: RowFn, rows: Sequence[Row]) -> list[Row]:
    return [fn(row) for row in rows]


class FrameRows(Sequence[Row]):
    """Some rows of a frame (by index, in the order given) as dicts, each made when it is
    read: a mapper that sends rows out a chunk at a time holds a chunk's pages as Python
    strings, not the batch's."""

    _STEP = 16  # rows made by one gather

    def __init__(self, frame: pl.DataFrame, indices: Sequence[int]) -> None:
        self._frame = frame
        self._indices = list(indices)

    def __len__(self) -> int:
        return len(self._indices)

    @overload
    def __getitem__(self, i: int) -> Row: ...
    @overload
    def __getitem__(self, i: slice) -> list[Row]: ...
    def __getitem__(self, i: int | slice) -> Row | list[Row]:
        if isinstance(i, slice):
            return list(self._rows(self._indices[i]))
        return self._frame.row(self._indices[i], named=True)

    def __iter__(self) -> Iterator[Row]:
        return self._rows(self._indices)

    def _rows(self, indices: list[int]) -> Iterator[Row]:
        for start in range(0, len(indices), self._STEP):
            yield from self._frame[indices[start : start + self._STEP]].iter_rows(named=True)


def _windowed(
    pool: ProcessPoolExecutor, window: int, fn: RowFn, rows: Sequence[Row], chunksize: int
) -> list[Row]:
    """`rows` in chunks, `window` of them in the pool ahead of the one waited for, the
    results taken back in order. The pool's own map submits every chunk at once, so a
    batch's rows (each page's text as a Python string) were all made and held until their
    chunk was sent."""
    pending: deque[Future[list[Row]]] = deque()
    results: list[Row] = []
    for start in range(0, len(rows), chunksize):
        pending.append(pool.submit(_map_rows, fn, rows[start : start + chunksize]))
        if len(pending) >= window:
            results += pending.popleft().result()
    while pending:
        results += pending.popleft().result()
    return results


def _died(row: Row) -> Row:
    return {"doc_id": row["doc_id"], "run_id": row["run_id"], "uri": row["uri"], "error": DIED}


class RowMapper:
    """Maps a per-row function over a batch, in this process (workers=1) or in a pool of
    processes from a fork server (`_context`)."""

    def __init__(self, registry: Registry, workers: int, warm: Sequence[str] = ()) -> None:
        self.workers = max(1, workers)
        self._registry = registry
        self._warm = tuple(warm)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # a run's loader thread maps too (flows/overlap.py)
        _init_worker(registry)
        if self.workers > 1:
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=_context(self._warm),
            initializer=_init_worker,
            initargs=(self._registry, True, self._warm),
        )
        # Start every worker now: the pool starts a process at each submit while none is
        # idle; not waiting for them lets the caller go on while they start (and the fork
        # server, the first time, imports the `warm` modules).
        for _ in range(self.workers):
            pool.submit(os.getpid)
        return pool

    def map(
        self, fn: Callable[[dict[str, Any]], dict[str, Any]], rows: Iterable[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """`rows` may be a Sequence that makes each row as it is read (FrameRows): only the
        chunks in the pool's window are made at once."""
        rows = rows if isinstance(rows, Sequence) else list(rows)
        if self._pool is None or len(rows) < 2:
            return [fn(row) for row in rows]
        # Small chunks: a batch's map ends when its last chunk does, and the other workers
        # wait for it (with 4 chunks a worker, a 200-row batch left one worker idle for
        # half a chunk of 25 pages on average, every batch).
        chunksize = max(1, len(rows) // (self.workers * _CHUNKS_PER_WORKER))
        try:
            return _windowed(self._pool, self.workers * _WINDOW_PER_WORKER, fn, rows, chunksize)
        except BrokenProcessPool:
            return self._map_one_by_one(fn, rows)

    def _map_one_by_one(
        self, fn: Callable[[dict[str, Any]], dict[str, Any]], rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """A worker died (a crash in a C extension on some page): run the batch again one
        document at a time, in a fresh pool after each death, so only the page that kills
        its worker fails."""
        results = []
        for row in rows:
            try:
                results.append(self._live_pool().submit(fn, row).result())
            except BrokenProcessPool:
                results.append(_died(row))
        return results

    def _live_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or getattr(self._pool, "_broken", False):
                if self._pool is not None:
                    self._pool.shutdown(cancel_futures=True)
                self._pool = self._new_pool()
            return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> RowMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _map_chunk(fn: RowFn, rows: list[Row], registry: Registry) -> list[Row]:
    """On a Dask worker: the registry the run scattered, then the rows."""
    _init_worker(registry)
    return [fn(row) for row in rows]


class DaskRowMapper:
    """Maps a per-row function over a batch on a Dask cluster (dask.distributed): the batch
    goes out in chunks, a few per worker thread, and comes back in order. The registry is
    sent to every worker once per run. A chunk whose worker died is run again one row per
    task, so that only the page that kills its worker fails (after Dask's own retries)."""

    def __init__(self, registry: Registry, address: str, timeout_s: float = 30) -> None:
        from distributed import Client

        self._client = Client(address, timeout=timeout_s, set_as_default=False)
        self.workers = max(1, sum(self._client.nthreads().values()))
        [self._registry] = self._client.scatter([registry], broadcast=True, hash=False)

    def map(self, fn: RowFn, rows: Iterable[Row]) -> list[Row]:
        rows = list(rows)
        if not rows:
            return []
        size = max(1, -(-len(rows) // (self.workers * 4)))
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
        futures = [
            self._client.submit(_map_chunk, fn, chunk, self._registry, pure=False)
            for chunk in chunks
        ]
        results: list[Row] = []
        for future, chunk in zip(futures, chunks, strict=True):
            try:
                results += future.result()
            except Exception:  # KilledWorker, or a worker lost with the chunk
                results += [self._one(fn, row) for row in chunk]
        return results

    def _one(self, fn: RowFn, row: Row) -> Row:
        try:
            [result] = self._client.submit(
                _map_chunk, fn, [row], self._registry, pure=False
            ).result()
        except Exception:
            return _died(row)
        return result

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> DaskRowMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_mapper(
    registry: Registry,
    *,
    workers: int,
    executor: str = "processes",
    dask_address: str = "",
    warm: Sequence[str] = (),
) -> RowMapper | DaskRowMapper:
    """The mapper [pipeline] executor names; use it as a context manager. `warm`: modules
    local workers import as they start."""
    if executor == "dask":
        if not dask_address:
            raise ValueError('[pipeline] executor = "dask" needs dask_address = "tcp://HOST:PORT"')
        return DaskRowMapper(registry, dask_address)
    return RowMapper(registry, workers, warm)


def run_mapper(registry: Registry, settings: Settings) -> RowMapper | DaskRowMapper:
    """The mapper of a run's [pipeline] settings (executor, workers, dask_address): local
    processes, or a Dask cluster's workers; use it as a context manager."""
    return open_mapper(
        registry,
        workers=settings.worker_count,
        executor=settings.executor,
        dask_address=settings.dask_address,
        # the page pass, what a run's workers run first, with its HTML cleaner and extractor
        # (imported at the first HTML page otherwise)
        warm=("tasks.one_pass", "tasks.page.html", "tasks.extract.html"),
    )
