"""Batches cut by size or by time: a batch is handed on when it is full, or when its first
item has waited `flush_s` seconds, so a slow crawl is loaded as it goes and a run that is
interrupted keeps every page it had fetched (nothing sits in memory for long).

The items are read in a thread of their own (a crawl's iterator blocks until its next page
arrives; a time limit needs someone else to watch the clock). At most `batch_size` items
wait between the reader and the batches, so a fast reader does not pile them up."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()
_PUT_POLL_S = 0.2


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class TimedBatches(Generic[T]):
    """`next_batch()` returns up to `batch_size` items (an empty list once the items are
    exhausted); an error raised by the items is raised there. Use as a context manager:
    leaving it stops the reader. Items for which `counts` is false (marks that carry no
    document) ride along without taking a place in the batch."""

    def __init__(
        self,
        items: Iterator[T],
        *,
        batch_size: int,
        flush_s: float,
        counts: Callable[[T], bool] = lambda _: True,
    ) -> None:
        self.batch_size = max(1, batch_size)
        self.flush_s = flush_s
        self._counts = counts
        self._items = items
        self._queue: queue.Queue[object] = queue.Queue(maxsize=self.batch_size)
        self._stop = threading.Event()
        self._done = False
        self._error: BaseException | None = None
        self._read_counted = 0  # items that count, read so far (wait_for)
        self._ended = False
        self._progress = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="newsdesk-batches", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    break
                if self._counts(item):
                    with self._progress:
                        self._read_counted += 1
                        self._progress.notify_all()
            else:
                self._put(_DONE)
        except BaseException as exc:  # handed to the consumer, who fails the run with it
            self._put(_Failed(exc))
        finally:
            with self._progress:
                self._ended = True
                self._progress.notify_all()
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a generator's cleanup (a crawl stops its fetches) runs here

    def next_batch(self) -> list[T]:
        batch: list[T] = []
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._done:
            return batch
        deadline: float | None = None
        counted = 0
        while counted < self.batch_size:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                break  # the first item has waited flush_s: hand on what there is
            if item is _DONE:
                self._done = True
                break
            if isinstance(item, _Failed):
                self._done = True
                if not batch:
                    raise item.error
                self._error = item.error  # what came before it is loaded first
                break
            batch.append(item)  # type: ignore[arg-type]
            counted += self._counts(item)  # type: ignore[arg-type]
            if deadline is None:
                deadline = time.monotonic() + self.flush_s
        return batch

    def wait_for(self, items: int, timeout: float) -> bool:
        """Whether the reader has read `items` items that count (waited for up to `timeout`
        seconds; False at once when the items end before that many)."""
        with self._progress:
            self._progress.wait_for(
                lambda: self._read_counted >= items or self._ended, timeout=timeout
            )
            return self._read_counted >= items

    def close(self) -> None:
        """Stop the reader. One waiting for room is let go at once; one inside the source's
        next() (a crawl waiting for its next page) stops when that returns, and being a
        daemon thread it never keeps the process alive. A consumer waiting for a batch gets
        what it has."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout=1.0)
        # A consumer waiting in next_batch (a batch read ahead, flows/overlap.py) ends now:
        # the reader puts nothing more once stopped.
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(_DONE)

    def __enter__(self) -> TimedBatches[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
