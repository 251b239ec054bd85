"""The worker pool survives a page that kills its worker process, and is sent a batch's rows a
chunk at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import polars as pl

from newsdesk.core.registry import Registry
from tasks.parallel import FrameRows, RowMapper


def crash_on_poison(row: dict[str, Any]) -> dict[str, Any]:
    if row["uri"] == "poison":
        os._exit(1)  # what a segfault in a C extension looks like to the pool
    return {**row, "seen_by": os.getpid()}


def test_a_dying_worker_fails_only_its_own_document() -> None:
    rows = [
        {"doc_id": str(i), "run_id": "r", "uri": "poison" if i == 3 else f"u{i}"} for i in range(6)
    ]
    with RowMapper(Registry(()), workers=2) as mapper:
        results = mapper.map(crash_on_poison, rows)
        assert [r["doc_id"] for r in results] == [str(i) for i in range(6)]
        assert results[3]["error"] == "the worker process died on it"
        assert all("seen_by" in r for i, r in enumerate(results) if i != 3)
        # The pool works again afterwards.
        again = mapper.map(crash_on_poison, rows[:2])
        assert all(r["seen_by"] != os.getpid() for r in again)


def tag(row: dict[str, Any]) -> dict[str, Any]:
    return {"doc_id": row["doc_id"], "length": len(row["text"])}


class ReadRows(FrameRows):
    """FrameRows that records how it is read."""

    def __init__(self, frame: pl.DataFrame, indices: list[int]) -> None:
        super().__init__(frame, indices)
        self.reads: list[int] = []  # rows made by each read

    def __getitem__(self, i: Any) -> Any:
        made = super().__getitem__(i)
        self.reads.append(len(made) if isinstance(i, slice) else 1)
        return made

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.reads.append(len(self))
        return super().__iter__()


def test_the_pool_makes_a_frames_rows_a_chunk_at_a_time() -> None:
    """A batch's rows (each page's text as a Python string) are made as their chunk goes to
    a worker, not all at once; they come back in the order given all the same."""
    frame = pl.DataFrame(
        {"doc_id": [f"d{i}" for i in range(200)], "text": ["x" * i for i in range(200)]}
    )
    order = list(range(199, -1, -1))
    rows = ReadRows(frame, order)
    with RowMapper(Registry(()), workers=2) as mapper:
        results = mapper.map(tag, rows)
    assert [r["doc_id"] for r in results] == [f"d{i}" for i in order]
    assert [r["length"] for r in results] == order
    assert sum(rows.reads) == 200
    assert max(rows.reads) < 200 // 4
