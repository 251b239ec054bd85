"""Warehouse upkeep in one write connection (run by flows/maintenance.py under the run lock):
close dead runs, prune old gate results and one-off template lines, ANALYZE, CHECKPOINT."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.connection import open_write
from warehouse.load import CRASHED_SQL
from warehouse.sql import query_sql


@dataclass
class Tidied:
    aborted_runs: int
    pruned_dq_rows: int
    pruned_template_lines: int
    size_before_bytes: int
    size_after_bytes: int


def _size(db: Path) -> int:
    wal = Path(f"{db}.wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def tidy(
    db: Path, *, dq_retention_days: int, template_retention_days: int, timeout_s: float
) -> Tidied:
    """One write connection: the bookkeeping fixes, then statistics and a checkpoint (which
    folds the WAL into the file and frees the space of deleted rows for reuse). The caller
    holds the run lock, so any run still `started` is dead."""
    before = _size(db)
    with open_write(db, timeout_s) as con:
        aborted = len(
            con.execute(
                CRASHED_SQL, {"error": "the run ended without finishing (found by maintenance)"}
            ).fetchall()
        )
        (pruned,) = con.execute(
            query_sql("prune_dq_results"), {"days": dq_retention_days}
        ).fetchone()
        (forgotten,) = con.execute(
            query_sql("prune_template_lines"), {"days": template_retention_days}
        ).fetchone()
        con.execute("ANALYZE")
        con.execute("CHECKPOINT")
    return Tidied(aborted, pruned, forgotten, before, _size(db))
