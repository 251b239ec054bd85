"""Sources that go quiet: a real warehouse whose history is made to go quiet (articles with
past dates, fetches that kept failing), a real scheduled-ingest run, and the alert arriving
through a real Prefect notification block at a webhook on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from newsdesk.cli.status import read_status
from newsdesk.core.config import load_settings
from tests.httpserver import Site
from warehouse.migrate import migrate
from warehouse.quiet import quiet_rule

SOURCES = {
    "Quiet Times": ["quiet.example"],
    "Steady Post": ["steady.example"],
    "Dead Wire": ["dead.example"],
}


def _history(db: Path, now: datetime) -> None:
    """16 days back: Quiet Times published 10 a day, then 1 and 0 on the last two days;
    Steady Post 5 a day throughout; Dead Wire's fetches have failed for 30 hours."""
    migrate(db)
    rows = []
    for back in range(1, 17):
        noon = (now - timedelta(days=back)).replace(hour=12, minute=0, second=0, microsecond=0)
        quiet = 10 if back > 2 else (1 if back == 2 else 0)
        for source, n in (("Quiet Times", quiet), ("Steady Post", 5)):
            rows += [(f"{source}-{back}-{i}", source, noon) for i in range(n)]
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "INSERT INTO articles (article_id, doc_id, source_id, published_at, first_run_id, "
            "last_run_id) VALUES (?, ?, ?, ?, 'history', 'history')",
            [(a, "doc-" + a, s, at) for a, s, at in rows],
        )
        fetches = [
            ("https://dead.example/feed.xml", 200, None, now - timedelta(hours=40)),
            *(
                ("https://dead.example/feed.xml", 503, "http_status", now - timedelta(hours=h))
                for h in range(1, 31, 3)
            ),
            ("https://www.steady.example/feed.xml", 200, None, now - timedelta(hours=1)),
        ]
        con.executemany(
            "INSERT INTO fetch_log (run_id, url, status, reason, bytes, elapsed_ms, fetched_at) "
            "VALUES ('history', ?, ?, ?, 0, 1.0, ?)",
            fetches,
        )


def test_a_source_that_goes_quiet_raises_one_alert_and_shows_in_status(
    alert_block: str,
    webhook: Site,
    warehouse_path: Path,
    tmp_path: Path,
    write_registry: Callable[..., Path],
) -> None:
    from prefect.artifacts import Artifact

    from flows.pipeline import newsdesk_run

    now = datetime.now(UTC)
    if now.hour == 23 and now.minute >= 55:  # the run must see the same "today" as the history
        pytest.fail("run this test away from midnight UTC")
    _history(warehouse_path, now)
    registry = write_registry(SOURCES)
    nothing = tmp_path / "inbox"
    nothing.mkdir()
    overrides = {
        "db": str(warehouse_path),
        "sources": str(registry),
        "workers": 1,
        "alerts_block": alert_block,
    }

    first = newsdesk_run(
        paths=[str(nothing)], label="scheduled", watch_sources=True, settings_overrides=overrides
    )
    assert first["status"] == "loaded"
    found = {(a["source_id"], a["kind"]) for a in first["source_alerts"]}
    assert found == {("Quiet Times", "quiet"), ("Dead Wire", "failing")}

    [received] = webhook.posted()
    hit = received["json"]
    assert hit["subject"] == (
        "newsdesk: 2 sources need attention: Dead Wire failing, Quiet Times quiet"
    )
    assert (
        "Quiet Times (quiet): articles per day over the last 2 days: 1, 0; "
        "its 14-day median before them: 10 (alert below 20%)"
    ) in hit["body"]
    assert "Dead Wire (failing): all 10 fetches failed since" in hit["body"]
    assert "(http_status)" in hit["body"]
    assert "Steady Post" not in hit["body"]

    artifact = Artifact.get("newsdesk-run-sources")
    assert artifact is not None and "| Quiet Times | quiet |" in artifact.data
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        sent = con.execute(
            "SELECT source_id, kind, sent_through FROM source_alerts ORDER BY 1"
        ).fetchall()
    assert sent == [("Dead Wire", "failing", alert_block), ("Quiet Times", "quiet", alert_block)]

    # The next scheduled ingest finds the same sources: no second alert within realert_hours.
    second = newsdesk_run(
        paths=[str(nothing)], label="scheduled", watch_sources=True, settings_overrides=overrides
    )
    assert len(second["source_alerts"]) == 2
    assert len(webhook.posted()) == 1

    settings = load_settings(overrides=overrides)
    status = read_status(warehouse_path, timeout_s=5, rule=quiet_rule(settings))
    attention = dict(status.sources.select("source_id", "attention").iter_rows())
    assert attention["Quiet Times"] == "quiet: 1, 0 a day, median 10"
    assert attention["Dead Wire"].startswith("failing since ")
    assert attention["Dead Wire"].endswith(" (http_status)")
    assert attention["Steady Post"] is None
    # The same through the command line, as a person would look.
    shown = subprocess.run(
        [str(Path(sys.executable).with_name("newsdesk")), "--db", str(warehouse_path), "status"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "attention: Quiet Times: quiet: 1, 0 a day, median 10" in shown


def test_a_smaller_dip_or_a_higher_share_setting_decides(warehouse_path: Path) -> None:
    """The share and the windows are settings: against a median of 10 a day, the last two
    days (1, 0) are both below 20% but not both below 5%; the last day alone (0) is."""
    from warehouse.quiet import QuietRule, source_activity

    now = datetime.now(UTC)
    _history(warehouse_path, now)
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute(
            "INSERT INTO sources (name, aliases, domains, timezone, feeds, sitemaps) VALUES "
            "('Quiet Times', [], ['quiet.example'], 'UTC', [], []), "
            "('Steady Post', [], ['steady.example'], 'UTC', [], []), "
            "('Dead Wire', [], ['dead.example'], 'UTC', [], [])"
        )

    def quiet(share: float, min_days: int, fetch_hours: float = 24) -> dict[str, tuple]:
        rule = QuietRule(share, 14, min_days, fetch_hours, 24)
        frame = source_activity(warehouse_path, rule, now, timeout_s=5)
        return {s: (q, f) for s, q, f in frame.select("source_id", "quiet", "failing").rows()}

    assert quiet(0.2, 2)["Quiet Times"] == (True, False)
    assert quiet(0.05, 2)["Quiet Times"] == (False, False)  # 1 a day is not below 0.5
    assert quiet(0.05, 1)["Quiet Times"] == (True, False)  # the last day alone: 0
    assert quiet(0.2, 2)["Steady Post"] == (False, False)
    # Failing for 30 hours: a day, yes; two days, not yet.
    assert quiet(0.2, 2, fetch_hours=24)["Dead Wire"] == (False, True)
    assert quiet(0.2, 2, fetch_hours=48)["Dead Wire"] == (False, False)


def test_the_scheduled_ingest_watches_sources() -> None:
    """The committed [schedules] ingest_parameters turn the watch on, and the flow takes
    them (Prefect's own check of a deployment's parameters)."""
    from flows.pipeline import newsdesk_run

    parameters = load_settings(env={}).schedule_ingest_parameters
    assert parameters["watch_sources"] is True
    assert newsdesk_run.validate_parameters(parameters)["watch_sources"] is True
