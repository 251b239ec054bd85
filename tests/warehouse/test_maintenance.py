"""Warehouse upkeep (warehouse/maintenance.py) and the query files it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.connection import open_write
from warehouse.load import start_run
from warehouse.maintenance import tidy
from warehouse.read import query
from warehouse.sql import QUERIES, query_sql


def test_tidy_closes_dead_runs_and_prunes_only_what_is_old(db: Path) -> None:
    dead = start_run(db, command="test")  # never finished: the caller holds the lock
    with open_write(db, 10.0) as con:
        con.execute(
            "INSERT INTO dq_results (run_id, batch_no, suite, stage, expectation, severity, "
            "success, recorded_at) VALUES "
            "(?, 0, 's', 'clean', 'old', 'error', true, now() - INTERVAL 40 DAY), "
            "(?, 0, 's', 'clean', 'new', 'error', true, now())",
            [dead, dead],
        )
        con.execute(
            "INSERT INTO source_template_lines (source_id, line, pages_seen, first_run_id, "
            "last_run_id, last_seen, article_id) VALUES "
            "('S', 'one-off, old', 1, ?, ?, now() - INTERVAL 40 DAY, 'a1'), "
            "('S', 'template, old', 3, ?, ?, now() - INTERVAL 40 DAY, NULL), "
            "('S', 'one-off, recent', 1, ?, ?, now(), 'a2')",
            [dead] * 6,
        )
    tidied = tidy(db, dq_retention_days=30, template_retention_days=30, timeout_s=10.0)
    assert (tidied.aborted_runs, tidied.pruned_dq_rows, tidied.pruned_template_lines) == (1, 1, 1)
    assert query(db, "SELECT status FROM runs WHERE run_id = ?", [dead]).item() == "crashed"
    assert query(db, "SELECT expectation FROM dq_results").to_series().to_list() == ["new"]
    kept = query(db, "SELECT line FROM source_template_lines ORDER BY line").to_series()
    assert kept.to_list() == ["one-off, recent", "template, old"]


def test_every_query_file_is_read_by_name_and_a_missing_one_fails() -> None:
    names = sorted(path.stem for path in QUERIES.glob("*.sql"))
    assert {"prune_dq_results", "run_counts", "status_runs", "quiet_sources"} <= set(names)
    for name in names:
        assert query_sql(name).strip()
    with pytest.raises(FileNotFoundError, match="no query 'nope'"):
        query_sql("nope")
