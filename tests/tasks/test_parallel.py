"""The worker pool survives a page that kills its worker process."""

from __future__ import annotations

import os
from typing import Any

from newsdesk.core.registry import Registry
from tasks.parallel import RowMapper


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
