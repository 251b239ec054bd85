"""The next batch read ahead (flows/overlap.py ReadAhead): reads come in the order a serial
run makes them, one at a time, in a thread of their own when read ahead; an error is raised
where the batch is taken; leaving does not wait for a read that hangs for ever."""

from __future__ import annotations

import threading
import time

import pytest

from flows.overlap import ReadAhead


class Source:
    def __init__(self, fail_at: int | None = None) -> None:
        self.n = 0
        self.threads: list[str] = []
        self.running = 0
        self.most = 0
        self.fail_at = fail_at
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.01)
        self.threads.append(threading.current_thread().name)
        with self._lock:
            self.running -= 1
            self.n += 1
            if self.n == self.fail_at:
                raise OSError("disk gone")
            return self.n


@pytest.mark.parametrize("ahead", [True, False])
def test_reads_come_in_order_one_at_a_time(ahead: bool) -> None:
    source = Source()
    taken = []
    with ReadAhead(source.read, ahead) as reads:
        for _ in range(5):
            taken.append(reads.take())
            reads.start()
            reads.start()  # a second start while one is pending adds no read
    assert taken == [1, 2, 3, 4, 5]
    assert source.most == 1
    if ahead:
        assert source.threads[0] == threading.current_thread().name  # nothing started yet
        assert set(source.threads[1:]) == {"newsdesk-read-ahead"}
        assert source.n == 6  # the last one read ahead, never taken
    else:
        assert set(source.threads) == {threading.current_thread().name}
        assert source.n == 5


def test_a_read_that_failed_raises_where_it_is_taken() -> None:
    source = Source(fail_at=2)
    with ReadAhead(source.read, True) as reads:
        assert reads.take() == 1
        reads.start()
        with pytest.raises(OSError, match="disk gone"):
            reads.take()


def test_leaving_does_not_wait_for_ever(monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.overlap

    monkeypatch.setattr(flows.overlap, "_JOIN_S", 0.2)
    release = threading.Event()
    started = time.monotonic()
    with ReadAhead(lambda: release.wait(60), True) as reads:
        reads.start()
    assert time.monotonic() - started < 5
    release.set()
