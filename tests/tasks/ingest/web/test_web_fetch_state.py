"""The crawler's memory through a real warehouse file: migrate, save, load, save again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsdesk.core.contracts.fetch import FetchState, LogEntry, Seen
from warehouse.connection import open_read
from warehouse.fetch_state import load_state, save_state
from warehouse.migrate import migrate

T1 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
T2 = datetime(2025, 6, 10, 13, 0, tzinfo=UTC)


def test_state_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "newsdesk.duckdb"
    assert load_state(db).get("https://a.example/1") is None  # no warehouse yet: empty memory
    migrate(db)
    state = load_state(db)
    first = Seen(
        "https://a.example/1",
        T1,
        '"e1"',
        "Tue, 10 Jun 2025 10:00:00 GMT",
        "d" * 64,
        200,
        "https://a.example/1/",
    )
    state.remember(first)
    state.remember(Seen("https://a.example/2", T1))
    state.log(
        LogEntry(
            "r1",
            "https://a.example/1",
            200,
            None,
            1234,
            12.5,
            T1,
            "https://a.example/1/",
            {"etag": '"e1"', "content-type": "text/html"},
        )
    )
    state.log(LogEntry("r1", "https://a.example/3", 404, "http_status", 0, 3.0, T1, None))
    assert save_state(db, state) == (2, 2)
    assert state.changes() == [] and state.log_entries() == []

    again = load_state(db)
    assert again.get("https://a.example/1") == first
    again.remember(Seen("https://a.example/1", T2, '"e2"', None, "e" * 64, 200, None))
    assert save_state(db, again) == (1, 0)
    assert load_state(db).get("https://a.example/1").etag == '"e2"'

    with open_read(db) as con:
        assert con.execute("SELECT count(*) FROM seen_urls").fetchone() == (2,)
        rows = con.execute(
            "SELECT url, status, reason, headers->>'etag' FROM fetch_log ORDER BY url"
        ).fetchall()
    assert rows == [
        ("https://a.example/1", 200, None, '"e1"'),
        ("https://a.example/3", 404, "http_status", None),
    ]


def test_saving_nothing_is_fine(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    migrate(db)
    assert save_state(db, FetchState()) == (0, 0)


def test_a_large_memory_is_looked_up_not_loaded(tmp_path: Path) -> None:
    """50,000 pages on record: loading the state takes no Python memory for them (a dict of
    Seen took about 25 MB), and each URL is still found with what was kept of it."""
    import tracemalloc

    from warehouse.connection import open_write

    db = tmp_path / "newsdesk.duckdb"
    migrate(db)
    with open_write(db) as con:
        con.execute(
            """
            INSERT INTO seen_urls (canonical_url, last_fetched_at, etag, doc_id, status)
            SELECT 'https://a.example/' || i, TIMESTAMPTZ '2025-06-10 12:00:00+00',
                   '"e' || i || '"', NULL, 200
            FROM range(50000) t(i)
            """
        )
    tracemalloc.start()
    try:
        state = load_state(db)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 1_000_000, held
    assert state.get("https://a.example/31337") == Seen(
        "https://a.example/31337", T1, '"e31337"', None, None, 200, None
    )
    assert state.get("https://a.example/50000") is None
    state.remember(Seen("https://a.example/50000", T2))  # this run's pages come first
    assert state.get("https://a.example/50000").last_fetched_at == T2
