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

`[pipeline] overlap = false` runs every batch in line (the loader's steps then run in the
flow's thread, at once).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Set
from concurrent.futures import Future, ThreadPoolExecutor

logger = logging.getLogger(__name__)


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
