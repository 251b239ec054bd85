"""Batches cut by size or by time, over a source that is slow as a crawl is."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tasks.ingest.batches import TimedBatches


def slow(delays: list[float]) -> Iterator[int]:
    for n, delay in enumerate(delays):
        time.sleep(delay)
        yield n


def silent_after_two(end: threading.Event) -> Iterator[int]:
    """Two quick items, then a silence until `end` (the bound only stops a hang)."""
    yield 0
    yield 1
    end.wait(60)
    yield 2
    yield 3


def test_a_batch_goes_when_full_or_when_its_first_item_has_waited() -> None:
    # The two go after flush_s, while the source is still silent: had the batch waited for
    # the silence to end it would hold all four (no clock to read on a loaded machine).
    end = threading.Event()
    with TimedBatches(silent_after_two(end), batch_size=10, flush_s=0.5) as batches:
        assert batches.next_batch() == [0, 1]
        end.set()
        assert batches.next_batch() == [2, 3]
        assert batches.next_batch() == []
    with TimedBatches(iter(range(5)), batch_size=2, flush_s=60) as batches:
        assert [batches.next_batch() for _ in range(4)] == [[0, 1], [2, 3], [4], []]


def test_an_error_of_the_source_reaches_the_consumer() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise OSError("disk gone")

    with TimedBatches(broken(), batch_size=5, flush_s=0.2) as batches:
        assert batches.next_batch() == [1]
        with pytest.raises(OSError, match="disk gone"):
            batches.next_batch()


def test_marks_ride_along_without_taking_a_place() -> None:
    """Unchanged-file marks (here: negative numbers) do not count toward batch_size."""
    items = iter([-1, -2, 0, -3, 1, 2, -4, -5, 3, -6])
    with TimedBatches(items, batch_size=2, flush_s=60, counts=lambda n: n >= 0) as batches:
        assert [batches.next_batch() for _ in range(3)] == [
            [-1, -2, 0, -3, 1],
            [2, -4, -5, 3],
            [-6],
        ]
        assert batches.next_batch() == []


def test_closing_lets_a_consumer_waiting_for_a_batch_go() -> None:
    """A batch read ahead (flows/overlap.py ReadAhead) may be waiting for items when a
    failing run closes the batches: it gets what it has, at once."""
    batches = TimedBatches(slow([0, 60.0]), batch_size=5, flush_s=60)
    got: list[list[int]] = []
    consumer = threading.Thread(target=lambda: got.append(batches.next_batch()))
    consumer.start()
    time.sleep(0.3)  # the consumer holds item 0 and waits for the next one
    batches.close()
    consumer.join(5.0)
    assert not consumer.is_alive()
    assert got == [[0]]


def test_waiting_for_items_that_count() -> None:
    """wait_for (a run starts its workers once its first batch will be large): true once
    that many items that count were read; false as soon as the items end with fewer (a rerun
    of unchanged files: marks only), or when the wait times out (a slow source)."""
    items = iter([-1, 0, -2, 1, 2])
    with TimedBatches(items, batch_size=10, flush_s=60, counts=lambda n: n >= 0) as batches:
        assert batches.wait_for(3, timeout=30)
        assert not batches.wait_for(4, timeout=30)  # the items ended with three
    marks = iter([-1, -2, -3])
    with TimedBatches(marks, batch_size=10, flush_s=60, counts=lambda n: n >= 0) as batches:
        started = time.monotonic()
        assert not batches.wait_for(1, timeout=30)
        assert time.monotonic() - started < 10
        assert batches.next_batch() == [-1, -2, -3]
    with TimedBatches(slow([0, 5.0]), batch_size=10, flush_s=60) as batches:
        assert not batches.wait_for(2, timeout=0.3)
        assert batches.wait_for(1, timeout=30)
