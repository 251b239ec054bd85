from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.core.registry import Registry, Source
from tests.warehouse.wh_frames import article_row, dq_row, frames, raw_row, reject_row
from warehouse.load import finish_run, load_batch, start_run
from warehouse.read import query

REGISTRY = Registry(
    (
        Source(
            name="Example News",
            domains=("example.com",),
            timezone="Europe/Helsinki",
            language="en",
            aliases=("Example",),
        ),
        Source(name="Quiet Times", domains=("quiet.example.org",), timezone="UTC"),
    )
)


@pytest.fixture
def loaded(db: Path) -> Path:
    """Two days of Example News, one quarantined page from its domain, one unknown page."""
    run = start_run(db, command="daily", registry=REGISTRY)
    now = datetime.now(UTC)
    raws, articles = [], []
    for n, published in enumerate([now - timedelta(days=1)] * 2 + [now - timedelta(days=30)]):
        raw = raw_row(f"story {n}".encode(), f"https://www.example.com/story/{n}", run)
        raws.append(raw)
        articles.append(article_row(raw, f"art-{n}", published_at=published, word_count=100))
    no_date = raw_row(b"no date", "https://news.example.com/undated", run)
    unknown = raw_row(b"who wrote this", "file:///dumps/unknown.txt", run)
    rejects = [
        reject_row(no_date, "extract", "published_at_not_null", "unparsed_date"),
        reject_row(unknown, "extract", "published_at_not_null", "unparsed_date"),
        reject_row(unknown, "extract", "source_id_in_registry", "unknown_source"),
    ]
    load_batch(
        db,
        run_id=run,
        **frames(
            [*raws, no_date, unknown], articles, rejects, [dq_row(run, 0, failed=2), dq_row(run, 0)]
        ),
    )
    finish_run(db, {"run_id": run, "status": "loaded"})
    return db


def test_v_articles_carries_source_fields_and_lists(loaded: Path) -> None:
    row = query(loaded, "SELECT * FROM v_articles WHERE article_id = 'art-0'").row(0, named=True)
    assert row["authors"] == ["Ann Writer", "Bob Reporter"]
    assert row["tags"] == ["politics", "europe"]
    assert row["source_timezone"] == "Europe/Helsinki"
    assert row["source_domains"] == ["example.com"]
    assert row["body"] == "story 0"


def test_v_daily_counts_counts_per_day_and_source(loaded: Path) -> None:
    counts = query(loaded, "SELECT day, source_id, articles, words FROM v_daily_counts")
    assert counts.height == 2
    assert counts["articles"].to_list() == [2, 1]  # newest day first
    assert counts["words"].to_list() == [200, 100]
    assert set(counts["source_id"]) == {"Example News"}


def test_v_quarantine_summary_groups_open_rows(loaded: Path) -> None:
    summary = query(loaded, "SELECT * FROM v_quarantine_summary").rows_by_key(
        ["stage", "reason"], named=True, unique=True
    )
    assert summary[("extract", "unparsed_date")]["documents"] == 2
    assert summary[("extract", "unknown_source")]["documents"] == 1
    assert summary[("extract", "unknown_source")]["example_uri"] == "file:///dumps/unknown.txt"


def test_v_source_health_rates_sources(loaded: Path) -> None:
    health = query(loaded, "SELECT * FROM v_source_health").rows_by_key(
        "source_id", named=True, unique=True
    )
    example = health["Example News"]
    assert example["articles"] == 3
    assert example["articles_per_day_7d"] == pytest.approx(2 / 7, abs=0.01)
    # the undated page came from a subdomain of example.com; the file dump from nowhere
    assert example["quarantined_docs"] == 1
    assert example["quarantine_rate"] == pytest.approx(0.25)
    quiet = health["Quiet Times"]
    assert (quiet["articles"], quiet["quarantined_docs"], quiet["quarantine_rate"]) == (0, 0, None)


def test_v_runs_shows_counts_and_gate_results(loaded: Path) -> None:
    runs = query(loaded, "SELECT * FROM v_runs")
    assert runs.height == 1
    run = runs.row(0, named=True)
    assert (run["status"], run["loaded"], run["quarantined"], run["ingested"]) == (
        "loaded",
        3,
        2,
        5,
    )
    assert (run["dq_checks"], run["dq_failed_checks"]) == (2, 1)
    assert run["duration_s"] >= 0
