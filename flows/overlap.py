"""Overlapped batches: batch n is gated and loaded in a thread of its own while batch n+1 is
read, and goes through its page pass (access, clean and extract) in the workers.

A batch's steps after its page pass (the gates, the template lines of text dumps, the load,
accounting) need little of the workers but take wall time: run in line, the workers wait for
them. `BatchLoader` runs them in one thread, one batch at a time and in order, so the
warehouse still has one writer and sees the batches as a serial run gives them. At most one
batch is in that thread while the next is read: memory holds two batches, not more.

What a batch's page pass reads from the warehouse (the documents it already knows) may then
be read while the batch before it loads. The ids the two batches share are looked up again
once that load is in (`in_flight`): a document in two batches in a row is
still a duplicate the second time, as it is in a serial run.

The next batch is also read ahead (`ReadAhead`): its ingest (decoding, hashing, the batch
frame) runs in a thread of its own while the workers clean and extract the batch before it,
so the workers get the next batch as soon as they are done instead of waiting for it to be
read. The batches are read in the same order and cut the same way; memory then holds one
more batch as read (three, not two).

`[pipeline] overlap = false` runs every batch in line (the loader's steps then run in the
flow's thread, at once, and each batch is read when the one before it is in).
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Set
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")
# How long leaving a ReadAhead waits for a read it started (the batches' source is closed
# first, which ends the read at once); a read still going after that is left to end alone.
_JOIN_S = 10.0


class BatchLoader:
    """Runs each batch's `finish` step, one batch at a time in order: in a thread of its own
    while the flow reads the next batch (overlap), or at once. A step that failed raises in
    the flow's thread at the next `submit` or `wait`, and stops the run there."""

    def __init__(self, overlap: bool) -> None:
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-load")
            if overlap
            else None
        )
        self._pending: Future[None] | None = None
        self._ids: Set[str] = frozenset()

    @property
    def in_flight(self) -> Set[str]:
        """The doc ids of the batch being loaded, whose known state is not settled yet."""
        return self._ids

    def submit(self, finish: Callable[[], None], doc_ids: Set[str]) -> None:
        """After the batch before this one is in: `finish` this one (in the loader's thread,
        with the flow's context: its Prefect tasks belong to the run)."""
        self.wait()
        if self._pool is None:
            finish()
            return
        context = contextvars.copy_context()
        self._pending = self._pool.submit(context.run, finish)
        self._ids = frozenset(doc_ids)

    def wait(self) -> None:
        """Until the batch in the loader's thread is in; raises what stopped it."""
        pending, self._pending, self._ids = self._pending, None, frozenset()
        if pending is not None:
            pending.result()

    def __enter__(self) -> BatchLoader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        """The last batch in (the run's end steps and its record come after it). When the
        run is failing already, a failure of that batch is logged, not raised over it."""
        try:
            self.wait()
        except Exception:
            if exc_type is None:
                raise
            logger.exception("the batch being loaded failed too")
        finally:
            if self._pool is not None:
                self._pool.shutdown()


class ReadAhead(Generic[T]):
    """One call of `read` ahead: `start()` begins the next call in a thread of its own (with
    the flow's context: its Prefect task belongs to the run), `take()` returns its result,
    or calls `read` now when none was started. Calls never overlap one another, so they come
    in the order a serial run makes them. Without `ahead`, `start` does nothing."""

    def __init__(self, read: Callable[[], T], ahead: bool) -> None:
        self._read = read
        self._ahead = ahead
        self._pending: Future[T] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self._ahead or self._pending is not None:
            return
        future: Future[T] = Future()
        context = contextvars.copy_context()

        def run() -> None:
            try:
                future.set_result(context.run(self._read))
            except BaseException as exc:  # raised in the flow's thread, by take()
                future.set_exception(exc)

        # a daemon thread: a read that never ends (a source that hangs) never keeps the
        # process alive
        self._thread = threading.Thread(target=run, name="newsdesk-read-ahead", daemon=True)
        self._pending = future
        self._thread.start()

    def take(self) -> T:
        pending, self._pending = self._pending, None
        return self._read() if pending is None else pending.result()

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        """A read started and not taken (the run is failing) is let end, its result
        dropped: its documents were not loaded, so no file of theirs is on record."""
        self._pending = None
        if self._thread is not None:
            self._thread.join(_JOIN_S)
