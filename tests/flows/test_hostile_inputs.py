"""Real Prefect runs over hostile inputs: a folder of bad records, a FIFO and a symlink out of
the folder; a feed and URL list served on 127.0.0.1 with credentials and unusable links.
Each input fails alone with a reason row; the run loads the rest; a rerun adds no rows."""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.httpserver import Reply, Site
from warehouse import rawstore

REGISTRY = """
[[source]]
name = "Local Wire"
domains = ["wire.example", "127.0.0.1"]
timezone = "Europe/Madrid"
language = "en"

[[source]]
name = "Day First Daily"
domains = ["dmy.example"]
timezone = "Europe/London"
language = "en"
date_order = "DMY"
"""


def story(topic: str) -> str:
    return (
        f"The council voted on Tuesday to rebuild the old {topic}, which storms damaged last "
        f"winter. Engineers said the work on the {topic} would take two years and cost less "
        "than the alternatives. Residents who spoke at the meeting welcomed the plan but asked "
        "for the footpath to stay open during construction, which begins in May."
    )


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def overrides(db: Path, registry: Path) -> dict:
    # Most inputs here are bad on purpose: the gates' run-level thresholds are not under test.
    return {
        "db": str(db),
        "sources": str(registry),
        "workers": 1,
        "batch_size": 4,
        "ingest_threshold": 1.0,
        "clean_threshold": 1.0,
        "extract_threshold": 1.0,
        "fetch_per_host_delay_s": 0,
        "fetch_retries": 0,
    }


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(REGISTRY)
    return path


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    text = [
        {"url": f"https://wire.example/news/{n}", "title": f"Story {n}", "date": "2024-03-01"}
        # Paragraphs the three share: an export's text is the story, never a page template.
        | {"text": story("harbour wall").replace(". ", ".\n\n") + f"\n\nUpdate number {n}."}
        for n in (1, 2, 3)
    ]
    lines = [
        *(json.dumps(t) for t in text),
        "[" * 100_000 + "]" * 100_000,
        '{"url": "https://wire.example/s\\ud800", "title": "t", "text": "x"}',
        '{"url": "https://wire.example/big", "n": ' + "9" * 5000 + ', "title": "Big number",'
        ' "date": "2024-03-02", "text": "' + story("bridge") + '"}',
        json.dumps(
            {
                "url": "https://wire.example/bidi",
                "title": "\u202etxt.exe " + "very long title " * 10_000,
                "date": "2024-03-03",
                "text": story("pier") + "\u0000\u0007",
            }
        ),
        json.dumps(
            {"url": "https://dmy.example/a", "title": "Day first", "date": "01/02/03"}
            | {"text": story("lighthouse")}
        ),
        json.dumps(
            {"url": "https://wire.example/amb", "title": "Ambiguous", "date": "01/02/03"}
            | {"text": story("museum")}
        ),
    ]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n")
    os.mkfifo(folder / "page.html")
    (folder / "passwd.html").symlink_to("/etc/passwd")
    page = (
        "<html><head><title>Gzipped story</title><script type='application/ld+json'>"
        '{"@type": "NewsArticle", "headline": "Gzipped story", "datePublished": '
        '"2024-03-04T08:00:00+01:00"}</script></head><body><article><h1>Gzipped story</h1>'
        f"<p>{story('school')}</p><p>{story('school roof')}</p></article></body></html>"
    )
    (folder / "gz.html.gz").write_bytes(gzip.compress(page.encode()))
    (folder / "gz.html.meta.json").write_text(json.dumps({"url": "https://wire.example/gz"}))
    control = page.replace("Gzipped", "Control").replace("school", "library")
    control = control.replace("<p>", "<p>\x00\x01", 2)
    (folder / "control.html").write_bytes(control.encode())
    (folder / "control.html.meta.json").write_text(json.dumps({"url": "https://wire.example/c"}))
    (folder / "dump.txt").write_text(
        "URL: https://wire.example/news/dump\n\nHarbour wall to be rebuilt after storms\n\n"
        f"By Ana Ruiz | 3 March 2024\n\n{story('sea wall')}\n\n{story('old quay')}\n"
    )
    return folder


def test_a_hostile_folder_loads_what_is_valid_and_accounts_for_the_rest(
    prefect_api_url: str, hostile: Path, registry: Path, warehouse_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    started = time.monotonic()
    summary = newsdesk_run(
        paths=[str(hostile)], settings_overrides=overrides(warehouse_path, registry)
    )
    elapsed = time.monotonic() - started
    assert summary["status"] == "loaded"
    assert elapsed < 120  # the FIFO never blocks (it took seconds; most of it is Prefect)
    titles = dict(rows(warehouse_path, "SELECT url, title FROM articles"))
    assert set(titles) == {
        "https://wire.example/news/1",
        "https://wire.example/news/2",
        "https://wire.example/news/3",
        "https://wire.example/big",
        "https://wire.example/bidi",
        "https://dmy.example/a",
        "https://wire.example/gz",
        "https://wire.example/c",
        "https://wire.example/news/dump",
    }
    bidi = titles["https://wire.example/bidi"]
    assert len(bidi) <= 300 and bidi.startswith("txt.exe very long title") and "\u202e" not in bidi
    [(words,)] = rows(warehouse_path, "SELECT min(word_count) FROM articles")
    assert words >= 40  # three records with one text: each keeps all of it
    [(dmy,)] = rows(
        warehouse_path, "SELECT published_local FROM v_articles WHERE title = 'Day first'"
    )
    assert dmy.startswith("2003-02-01")
    [(source,)] = rows(
        warehouse_path, "SELECT source_id FROM articles WHERE url LIKE '%/news/dump'"
    )
    assert source == "Local Wire"

    quarantined = rows(
        warehouse_path,
        "SELECT regexp_extract(uri, '[^/]+$'), reason, observed FROM quarantine ORDER BY 1, 2",
    )
    reasons = [(name, reason) for name, reason, _ in quarantined]
    assert reasons == [
        ("export.jsonl#L4", "malformed_record"),
        ("export.jsonl#L5", "malformed_record"),
        ("export.jsonl#L9", "unparsed_date"),
        ("page.html", "special_file"),
        ("passwd.html", "outside_root"),
    ]
    stored = rows(warehouse_path, "SELECT content_sha256 FROM raw_documents")
    root = rawstore.store_root(warehouse_path)
    assert len(list(root.glob("*/*.gz"))) >= 1  # the pages' bytes went to the raw store
    assert not any(b"root:x:" in rawstore.get(root, sha) for (sha,) in stored if sha)
    found = rows(
        warehouse_path, "SELECT published_raw FROM quarantine_found WHERE published_raw IS NOT NULL"
    )
    assert found == [("01/02/03",)]  # shown to whoever looks into the quarantine, not guessed
    n = summary["ingested"]
    assert summary["loaded"] + summary["duplicates"] + summary["quarantined"] == n == 14

    again = newsdesk_run(
        paths=[str(hostile)], settings_overrides=overrides(warehouse_path, registry)
    )
    assert again["status"] == "loaded" and again["loaded"] == 0
    assert rows(warehouse_path, "SELECT count(*) FROM quarantine") == [(5,)]
    assert rows(
        warehouse_path, "SELECT DISTINCT times_seen FROM quarantine WHERE stage = 'ingest'"
    ) == [(2,)]


@pytest.fixture
def wire(sites: Callable[[], Site]) -> int:
    """A feed whose items link with credentials, javascript:, file: and nothing; a page; and
    pages that fail (404 for any path not served, 410 under /gone/)."""
    site = sites()
    base = site.base
    site.robots()
    items = (
        f"<item><title>Harbour</title><link>http://reader:secret@127.0.0.1:{site.port}"
        "/news/1.html</link></item>"
        "<item><title>Script</title><link>javascript:alert(1)</link></item>"
        "<item><title>Local</title><link>file:///etc/passwd</link></item>"
        "<item><title>Nothing</title></item>"
    )
    feed = f"<rss version='2.0'><channel><title>W</title>{items}</channel></rss>".encode()
    site.add("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    page = (
        "<html><head><title>Harbour</title><script type='application/ld+json'>"
        '{"@type": "NewsArticle", "headline": "Harbour", "datePublished": '
        f'"2024-03-04T08:00:00+01:00", "url": "{base}/news/1.html"}}</script></head>'
        f"<body><article><h1>Harbour</h1><p>{story('harbour')}</p>"
        f"<p>{story('quay')}</p></article></body></html>"
    ).encode()
    site.add("/news/1.html", Reply(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    for n in range(5):
        site.add(f"/gone/{n}", Reply(410, b"gone", {"Content-Type": "text/plain"}))
    return site.port


def test_web_items_are_accounted_for_credentials_never_stored_failures_counted(
    prefect_api_url: str,
    wire: int,
    registry: Path,
    tmp_path: Path,
    warehouse_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.pipeline import newsdesk_run

    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", f"127.0.0.1:{wire}")
    base = f"http://127.0.0.1:{wire}"
    url_list = tmp_path / "urls.txt"
    url_list.write_text(
        "\n".join(
            [f"http://someone:secret@127.0.0.1:{wire}/missing/{n}" for n in range(5)]
            + [f"{base}/gone/{n}" for n in range(5)]
        )
    )
    web = {"feeds": [f"{base}/feed.xml"], "url_lists": [str(url_list)]}
    settings = overrides(warehouse_path, registry)
    first = newsdesk_run(web=web, settings_overrides=settings)
    assert first["status"] == "loaded" and first["loaded"] == 1
    reasons = sorted((r["reason"], r["documents"]) for r in first["quarantine_reasons"])
    assert reasons == [("http_status", 10), ("invalid_url", 3)]
    items = rows(
        warehouse_path,
        "SELECT observed FROM quarantine WHERE reason = 'invalid_url' ORDER BY uri",
    )
    observed = " ".join(o for (o,) in items)
    for why in ("javascript: link", "file: link", "no link"):
        assert why in observed

    tables = {
        "quarantine": "uri || coalesce(observed, '')",
        "fetch_log": "url || coalesce(final_url, '') || coalesce(headers::VARCHAR, '')",
        "raw_documents": "uri || coalesce(url, '')",
        "articles": "uri || coalesce(url, '')",
        "seen_urls": "canonical_url || coalesce(final_url, '')",
        "runs": "coalesce(params::VARCHAR, '')",
    }
    for table, text in tables.items():
        leaks = rows(warehouse_path, f"SELECT {text} FROM {table} WHERE {text} LIKE '%secret%'")
        assert leaks == [], table

    count = rows(warehouse_path, "SELECT count(*) FROM quarantine")
    second = newsdesk_run(web=web, settings_overrides=settings)
    assert second["status"] == "loaded"
    assert rows(warehouse_path, "SELECT count(*) FROM quarantine") == count == [(13,)]
    seen = rows(
        warehouse_path,
        "SELECT times_seen, count(*) FROM quarantine WHERE reason = 'http_status' GROUP BY 1",
    )
    assert seen == [(2, 10)]
