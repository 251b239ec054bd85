"""`newsdesk status` over a real, migrated DuckDB file; no Prefect server involved."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from newsdesk import cli
from newsdesk.cli.ops import status
from newsdesk.cli.status import read_status
from warehouse.migrate import migrate

FILL = """
INSERT INTO sources (name, aliases, domains, timezone, language, feeds, sitemaps) VALUES
  ('Daily Example', [], ['example.com'], 'UTC', 'en', [], []),
  ('Quiet Times', [], ['quiet.test'], 'UTC', 'en', [], []);
INSERT INTO runs (run_id, command, status, started_at, finished_at, ingested, loaded, updated,
                  duplicates, quarantined, batches, error) VALUES
  ('20250101T000000-a', 'run', 'loaded', now() - INTERVAL 2 HOUR,
   now() - INTERVAL 2 HOUR + INTERVAL 90 SECOND, 5, 3, 0, 0, 2, 1, NULL),
  ('20250101T010000-b', 'run', 'failed', now() - INTERVAL 1 HOUR,
   now() - INTERVAL 1 HOUR + INTERVAL 4 SECOND, 2, 0, 0, 1, 1, 1,
   'GateThresholdExceeded: the extract gate rejected 100%');
INSERT INTO dq_results (run_id, batch_no, suite, stage, expectation, reason, severity,
                        evaluated, failed, success) VALUES
  ('20250101T000000-a', 0, 'after_extract', 'extract', 'expect_source', 'unknown_source',
   'error', 5, 2, false),
  ('20250101T000000-a', 0, 'after_extract', 'extract', 'expect_date', 'unparsed_date',
   'error', 5, 1, false),
  ('20250101T000000-a', 0, 'after_extract', 'extract', 'expect_title', 'missing_title',
   'error', 5, 0, true),
  ('20250101T000000-a', 0, 'after_clean', 'clean', 'expect_lang', 'odd_language',
   'warn', 5, 4, false),
  ('20250101T010000-b', 0, 'after_extract', 'extract', 'expect_source', 'unknown_source',
   'error', 2, 1, false);
INSERT INTO articles (article_id, doc_id, source_id, published_at, first_run_id, last_run_id)
  SELECT 'a' || i, 'd' || i, 'Daily Example', now() - INTERVAL (i) DAY, 'r', 'r'
  FROM range(3) AS t(i);
INSERT INTO raw_documents (doc_id, uri, url, first_run_id, last_run_id) VALUES
  ('q1', 'https://www.example.com/broken', 'https://www.example.com/broken', 'r', 'r');
INSERT INTO quarantine (doc_id, stage, expectation, uri, reason, first_run_id, last_run_id)
  VALUES ('q1', 'extract', 'expect_date', 'https://www.example.com/broken', 'unparsed_date',
          'r', 'r');
INSERT INTO fetch_log (run_id, url, status, reason, bytes, elapsed_ms, fetched_at) VALUES
  ('r', 'https://example.com/a', 200, NULL, 10, 5, TIMESTAMPTZ '2025-03-01 10:00:00+00'),
  ('r', 'https://news.example.com/b', 200, NULL, 10, 5, TIMESTAMPTZ '2025-03-02 11:00:00+00'),
  ('r', 'https://example.com/c', 503, 'http_error', 0, 5, TIMESTAMPTZ '2025-03-05 09:00:00+00'),
  ('r', 'https://quiet.test/x', NULL, 'timeout', 0, 5, TIMESTAMPTZ '2025-03-05 09:00:00+00');
"""


@pytest.fixture
def filled(warehouse_path: Path) -> Path:
    migrate(warehouse_path)
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute(FILL)
    return warehouse_path


def test_status_reads_runs_reasons_and_source_health(filled: Path) -> None:
    report = read_status(filled, runs=10, timeout_s=5)

    runs = report.runs.to_dicts()
    assert [r["run_id"] for r in runs] == ["20250101T010000-b", "20250101T000000-a"]
    assert [r["status"] for r in runs] == ["failed", "loaded"]
    assert [r["duration_s"] for r in runs] == [4.0, 90.0]
    assert "extract gate" in runs[0]["error"]

    # Error-severity failures only, per run, most frequent first; a warning is not a reason.
    reasons = report.reasons.select("run_id", "stage", "reason", "rows").rows()
    assert reasons == [
        ("20250101T000000-a", "extract", "unknown_source", 2),
        ("20250101T000000-a", "extract", "unparsed_date", 1),
        ("20250101T010000-b", "extract", "unknown_source", 1),
    ]

    sources = {r["source_id"]: r for r in report.sources.to_dicts()}
    daily = sources["Daily Example"]
    assert daily["articles"] == 3
    assert daily["articles_per_day_7d"] == round(3 / 7, 2)
    # The last *successful* fetch on any of its hosts; the later 503 does not count.
    assert daily["last_fetch_ok"].isoformat().startswith("2025-03-02T11:00")
    assert daily["quarantined_docs"] == 1 and daily["quarantine_rate"] == 0.25
    quiet = sources["Quiet Times"]
    assert quiet["articles"] == 0 and quiet["last_fetch_ok"] is None


def test_status_limits_the_runs_shown(filled: Path) -> None:
    report = read_status(filled, runs=1, timeout_s=5)
    assert report.runs["run_id"].to_list() == ["20250101T010000-b"]
    assert report.reasons["run_id"].unique().to_list() == ["20250101T010000-b"]


def _app() -> typer.Typer:
    """The CLI as the lead wires it: the global options, plus the status command."""
    app = typer.Typer()
    app.callback()(cli.main)
    app.command()(status)
    return app


def test_status_command_prints_tables_and_json(filled: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(_app(), ["--db", str(filled), "status"])
    assert table.exit_code == 0, table.output
    assert "20250101T010000-b" in table.output
    assert "extract/unknown_source 2" in table.output
    assert "extract/unparsed_date 1" in table.output
    assert "Daily Example" in table.output and "25%" in table.output

    as_json = runner.invoke(_app(), ["--db", str(filled), "status", "--json", "--runs", "1"])
    data = json.loads(as_json.output)
    [run] = data["runs"]
    assert run["status"] == "failed"
    assert run["gate_failures"] == [{"stage": "extract", "reason": "unknown_source", "rows": 1}]


def test_status_without_a_warehouse_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["--db", str(tmp_path / "none.duckdb"), "status"])
    assert result.exit_code == 1
    assert "no warehouse" in result.output
