"""One article per canonical URL, in real runs: spellings of one URL are one article, a
changed page is a new version of it, the same text under another URL of the same source is
a duplicate of the first, and across sources each outlet keeps its own article."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb

from tests.flows.test_web_run import STORY

SOURCES = {"Local Wire": ["local.example"], "Other Wire": ["other.example"]}


def page(title: str, extra: str = "", head: str = "", site: str = "") -> str:
    site_meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    return f"""<!DOCTYPE html><html lang="en"><head><title>{title}</title>{head}{site_meta}
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}",
"datePublished": "2024-03-01T08:30:00+01:00"}}</script></head><body>
<article><h1>{title}</h1><p>{STORY}</p><p>{STORY}</p><p>{extra}</p></article></body></html>"""


def put(folder: Path, name: str, html: str, url: str | None = None) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(html, encoding="utf-8")
    if url is not None:
        (folder / f"{name}.meta.json").write_text(json.dumps({"url": url}))


def test_articles_are_canonical_urls_versions_and_same_source_copies(
    prefect_api_url: str,
    tmp_path: Path,
    warehouse_path: Path,
    write_registry: Callable[..., Path],
) -> None:
    from flows.pipeline import newsdesk_run

    registry = write_registry(SOURCES, timezone="Europe/Madrid")
    overrides = {"db": str(warehouse_path), "sources": str(registry), "workers": 1}
    first, second = tmp_path / "first", tmp_path / "second"
    harbour = page("Harbour wall", "The vote was close.")
    given = "HTTPS://Local.Example:443/news/1?utm_source=feed&id=7#comments"
    put(first, "harbour.html", harbour, given)
    # The same URL spelt otherwise, same text: the same article, not a second one.
    put(first, "harbour-again.html", harbour + "\n", "https://local.example/news/1?id=7")
    # The same text under another URL of the same source: a duplicate of the first.
    put(first, "harbour-copy.html", harbour + " ", "https://local.example/print/1")
    # The same text at another outlet: that outlet's own article.
    put(first, "harbour-syndicated.html", harbour, "https://other.example/wire/harbour")
    # No sidecar: the page's own rel=canonical names it.
    canonical = '<link rel="canonical" href="https://local.example/news/2?utm_medium=x">'
    put(first, "market.html", page("Market hall", "Stalls reopen.", canonical))
    # An older text of that URL in the same batch: a version of the article, not an article.
    put(first, "market-old.html", page("Market hall", "Stalls close for repairs."))
    (first / "market-old.html.meta.json").write_text(
        json.dumps({"url": "https://local.example/news/2", "fetched_at": "2024-03-01T09:00:00Z"})
    )
    # No URL at all: the text is the identity; two files with one text are one article.
    bridge = page("Bridge works", "Lanes close at night.", site="Local Wire")
    put(first, "bridge.html", bridge)
    put(first, "bridge-saved-twice.html", bridge + "\n\n")

    result = newsdesk_run(paths=[str(first)], settings_overrides=overrides)
    assert result["ingested"] == 8
    assert (result["loaded"], result["updated"]) == (4, 1)
    assert (result["duplicates"], result["quarantined"]) == (3, 0)

    # A changed page at the canonical URL: a new version of the same article.
    put(
        second,
        "harbour-changed.html",
        page("Harbour wall", "The vote was close: 9 to 8."),
        "https://local.example/news/1?id=7&utm_campaign=spring",
    )
    again = newsdesk_run(paths=[str(second)], settings_overrides=overrides)
    assert (again["loaded"], again["updated"]) == (0, 1)

    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        articles = con.execute(
            "SELECT url, url_given, source_id FROM articles ORDER BY source_id, url NULLS LAST"
        ).fetchall()
        versions = con.execute(
            "SELECT count(*) FROM article_versions v JOIN articles a USING (article_id) "
            "WHERE a.url = 'https://local.example/news/1?id=7'"
        ).fetchone()[0]
        market = con.execute(
            "SELECT a.body, count(*) FROM articles a JOIN article_versions v USING (article_id) "
            "WHERE a.url = 'https://local.example/news/2' GROUP BY a.body"
        ).fetchall()
        copies = con.execute(
            "SELECT d.url, a.url FROM article_duplicates d JOIN articles a USING (article_id) "
            "WHERE d.url <> a.url OR d.url IS NULL"
        ).fetchall()
    assert articles == [
        (
            "https://local.example/news/1?id=7",
            "https://local.example/news/1?id=7&utm_campaign=spring",
            "Local Wire",
        ),
        ("https://local.example/news/2", "https://local.example/news/2?utm_medium=x", "Local Wire"),
        (None, None, "Local Wire"),
        ("https://other.example/wire/harbour", "https://other.example/wire/harbour", "Other Wire"),
    ]
    assert versions == 2
    [(market_body, market_versions)] = market
    assert "Stalls reopen." in market_body and market_versions == 2
    assert copies == [("https://local.example/print/1", "https://local.example/news/1?id=7")]
