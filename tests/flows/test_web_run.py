"""A run that fetches a registry source's feed from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.httpserver import Site

STORY = (
    "The council voted on Tuesday to rebuild the old harbour wall, which storms damaged "
    "last winter. Engineers said the work would take two years and cost less than a new "
    "breakwater. Residents who spoke at the meeting welcomed the plan but asked for the "
    "footpath along the wall to stay open during construction. "
)


def article(n: int) -> bytes:
    return f"""<!DOCTYPE html><html lang="en"><head><title>Harbour story {n} | Local Wire</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Harbour story {n}",
"datePublished": "2024-03-0{n}T08:30:00+01:00", "author": {{"name": "Ana Ruiz"}}}}</script>
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour story {n}</h1><p>{STORY}</p><p>{STORY}</p><p>Story number {n}.</p>
</article><footer>© Local Wire</footer></body></html>""".encode()


@pytest.fixture
def site(sites: Callable[[], Site]) -> Site:
    """A registry source's host: robots.txt, a feed of two stories, one link robots.txt
    forbids and one to a missing page; the feed and pages have ETags."""
    site = sites()
    site.robots("User-agent: *\nDisallow: /private/\n")
    items = "".join(
        f"<item><title>Harbour story {n}</title><link>{site.url(f'/news/{n}.html')}</link></item>"
        for n in (1, 2)
    )
    items += f"<item><link>{site.url('/private/3.html')}</link></item>"
    items += f"<item><link>{site.url('/news/missing.html')}</link></item>"
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>{items}"
    site.serve("/feed.xml", f"{feed}</channel></rss>".encode(), "application/rss+xml")
    for n in (1, 2):
        site.serve(f"/news/{n}.html", article(n), "text/html; charset=utf-8")
    return site


def test_a_source_is_fetched_politely_once_and_incrementally(
    prefect_api_url: str,
    site: Site,
    tmp_path: Path,
    warehouse_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.pipeline import newsdesk_run

    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "127.0.0.1:*")
    registry = tmp_path / "sources.toml"
    registry.write_text(f"""
[[source]]
name = "Local Wire"
domains = ["127.0.0.1"]
timezone = "Europe/Madrid"
feeds = ["{site.url("/feed.xml")}"]
""")
    overrides = {
        "db": str(warehouse_path),
        "sources": str(registry),
        "workers": 1,
        "fetch_per_host_delay_s": 0,
        "extract_threshold": 0.9,
    }
    first = newsdesk_run(web={"sources": ["Local Wire"]}, settings_overrides=overrides)
    assert first["loaded"] == 2
    # robots.txt forbids /private/, and the missing page answers 404: both are on record.
    reasons = dict(((r["stage"], r["reason"]), r["documents"]) for r in first["quarantine_reasons"])
    assert reasons == {("ingest", "robots_disallowed"): 1, ("ingest", "http_status"): 1}
    assert "/private/3.html" not in site.paths()
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        titles = con.execute(
            "SELECT title, source_id, published_local FROM articles ORDER BY title"
        ).fetchall()
        logged = con.execute("SELECT count(*) FROM fetch_log").fetchone()[0]
    assert titles == [
        ("Harbour story 1", "Local Wire", "2024-03-01T08:30:00+01:00"),
        ("Harbour story 2", "Local Wire", "2024-03-02T08:30:00+01:00"),
    ]
    assert logged >= 3

    asked_before = len(site.paths())
    second = newsdesk_run(web={"sources": ["Local Wire"]}, settings_overrides=overrides)
    assert second["loaded"] == 0
    # The feed answered 304 Not Modified: no page was asked for again.
    assert "/feed.xml" in site.paths()[asked_before:]
    assert not any(path.startswith("/news/") for path in site.paths()[asked_before:])


def test_a_feed_that_answers_again_clears_its_fetch_failure(
    prefect_api_url: str,
    site: Site,
    tmp_path: Path,
    warehouse_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by hand: a feed refused once (here, its address not yet allowed) kept its open
    blocked_address row in `newsdesk quarantine` after later runs fetched it fine; a page's
    failure clears when the page loads, a feed is never loaded."""
    from flows.pipeline import newsdesk_run

    feed = site.url("/feed.xml")
    overrides = {
        "db": str(warehouse_path),
        "workers": 1,
        "fetch_per_host_delay_s": 0,
        "extract_threshold": 1.0,
    }
    monkeypatch.delenv("NEWSDESK_FETCH_ALLOW", raising=False)
    refused = newsdesk_run(web={"feeds": [feed]}, settings_overrides=overrides)
    assert [(r["reason"], r["documents"]) for r in refused["quarantine_reasons"]] == [
        ("blocked_address", 1)
    ]
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "127.0.0.1:*")
    newsdesk_run(web={"feeds": [feed]}, settings_overrides=overrides)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rows = dict(
            con.execute(
                "SELECT uri || ' ' || reason, status FROM quarantine WHERE stage = 'ingest'"
            ).fetchall()
        )
    assert rows[f"{feed} blocked_address"] == "resolved"
    # the feed's other links failed this run, as the first test shows: they stay open
    assert rows[f"{site.url('/news/missing.html')} http_status"] == "open"
    assert rows[f"{site.url('/private/3.html')} robots_disallowed"] == "open"
