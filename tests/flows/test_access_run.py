"""A web run against a real HTTP server on 127.0.0.1 that answers like the hostile web: a
403 challenge page, a plain 403, a JavaScript app shell, a paywalled story and an open one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.httpserver import Reply, Site

FIXTURES = Path(__file__).parents[1] / "fixtures" / "access"
STORY = (
    "The council voted on Tuesday to rebuild the old harbour wall, which storms damaged "
    "last winter. Engineers said the work would take two years and cost less than a new "
    "breakwater. "
) * 4


def _open_page() -> bytes:
    return f"""<!DOCTYPE html><html lang="en"><head><title>Harbour wall | Local Wire</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Harbour wall",
"datePublished": "2024-03-01T08:30:00+01:00"}}</script></head><body>
<article><h1>Harbour wall</h1><p>{STORY}</p><p>{STORY}</p></article></body></html>""".encode()


@pytest.fixture
def hostile(sites: Callable[[], Site]) -> str:
    site = sites()
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages = {
        "/news/open.html": (200, _open_page()),
        "/news/challenge.html": (403, (FIXTURES / "cloudflare_challenge.html").read_bytes()),
        "/news/forbidden.html": (
            403,
            b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden"
            b"</h1></center><hr><center>nginx</center></body></html>",
        ),
        "/news/shell.html": (200, (FIXTURES / "react_shell.html").read_bytes()),
        "/news/paywall.html": (200, (FIXTURES / "jsonld_gated_teaser.html").read_bytes()),
    }
    site.robots()
    for path, (status, body) in pages.items():
        site.add(path, Reply(status, body, html))
    return site.base


def test_each_page_that_gives_nothing_is_quarantined_with_why(
    prefect_api_url: str,
    hostile: str,
    tmp_path: Path,
    warehouse_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.pipeline import newsdesk_run

    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "127.0.0.1:*")
    registry = tmp_path / "sources.toml"
    registry.write_text(
        '[[source]]\nname = "Local Wire"\ndomains = ["127.0.0.1"]\ntimezone = "Europe/Madrid"\n'
    )
    urls = [f"{hostile}/news/{name}.html" for name in ("open", "challenge", "forbidden")]
    urls += [f"{hostile}/news/{name}.html" for name in ("shell", "paywall")]
    summary = newsdesk_run(
        web={"urls": urls},
        settings_overrides={
            "db": str(warehouse_path),
            "sources": str(registry),
            "workers": 1,
            "fetch_per_host_delay_s": 0,
            "fetch_retries": 0,
            "ingest_threshold": 1.0,
        },
    )
    assert summary["loaded"] == 1
    assert summary["access"] == {"open": 1, "paywalled": 1, "blocked": 1, "js_required": 1}
    from prefect.artifacts import Artifact

    artifact = Artifact.get("newsdesk-run-access")
    assert artifact is not None
    shown = {row["access"]: row["pages"] for row in json.loads(artifact.data)}
    assert shown == summary["access"]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        held = dict(
            (uri.rsplit("/", 1)[1], (reason, observed))
            for uri, reason, observed in con.execute(
                "SELECT uri, reason, observed FROM quarantine WHERE stage = 'ingest'"
            ).fetchall()
        )
        stored = dict(
            (uri.rsplit("/", 1)[1], (access, evidence))
            for uri, access, evidence in con.execute(
                "SELECT uri, access, access_evidence FROM raw_documents"
            ).fetchall()
        )
        logged = dict(
            (url.rsplit("/", 1)[1], (status, reason))
            for url, status, reason in con.execute(
                "SELECT url, status, reason FROM fetch_log WHERE url LIKE '%/news/%'"
            ).fetchall()
        )
    # The 403 challenge never became a document: the fetch itself is the blocked record.
    reason, observed = held["challenge.html"]
    assert reason == "blocked"
    assert observed.startswith("HTTP 403; challenge markup 'challenge-platform'")
    assert logged["challenge.html"] == (403, "blocked")
    # A 403 with an ordinary error page is an HTTP failure, not a bot wall.
    assert held["forbidden.html"][0] == "http_status"
    assert logged["forbidden.html"] == (403, "http_status")
    # Pages that arrived: the reason and the evidence, in quarantine and on the document.
    assert held["shell.html"][0] == "js_required"
    assert "empty #root" in held["shell.html"][1]
    assert stored["shell.html"] == ("js_required", held["shell.html"][1])
    assert held["paywall.html"] == (
        "paywalled",
        "jsonld isAccessibleForFree=false; gated part .article-premium holds 13 words",
    )
    assert stored["paywall.html"][0] == "paywalled"
    assert stored["open.html"] == ("open", None)
    assert "open.html" not in held
