"""End to end: real Prefect runs of the pipeline into a real DuckDB file."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT, SEEDS

SEED_LOADED = "002_9fff910d0917317a.txt"
SEED_QUARANTINED = "000_aead3fb2f9192cb0.txt"
UNKNOWN_HTML = PROJECT / "tests" / "fixtures" / "html" / "pythonspeed-pipenv-docker.html"


def seed_inputs(folder: Path) -> Path:
    """`folder` made with the two seeds (one loads, one is quarantined) and an HTML page, with
    its URL in a sidecar, of a publisher the registry does not know."""
    folder.mkdir()
    for name in (SEED_LOADED, SEED_QUARANTINED):
        shutil.copy(SEEDS / name, folder / name)
    shutil.copy(UNKNOWN_HTML, folder / UNKNOWN_HTML.name)
    (folder / (UNKNOWN_HTML.name + ".meta.json")).write_text(
        json.dumps({"url": "https://pythonspeed.com/articles/pipenv-docker/"})
    )
    return folder


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def run(
    db: Path,
    paths: list[Path],
    *,
    sources: Path | None = None,
    replay: bool = False,
    workers: int = 1,
    rescan: bool = False,
) -> dict:
    from flows.pipeline import newsdesk_run

    # Two of the three pages that reach extract are quarantined on purpose.
    overrides = {"db": str(db), "workers": workers, "batch_size": 3, "extract_threshold": 0.9}
    if sources:
        overrides["sources"] = str(sources)
    return newsdesk_run(
        paths=[str(p) for p in paths], replay=replay, settings_overrides=overrides, rescan=rescan
    )


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = seed_inputs(tmp_path / "inputs")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_run_loads_gates_and_accounts_for_every_document(
    prefect_api_url: str, inputs: Path, warehouse_path: Path
) -> None:
    summary = run(warehouse_path, [inputs])
    assert summary["status"] == "loaded"
    assert summary["ingested"] == 4
    assert summary["loaded"] == 1
    assert summary["quarantined"] == 3
    assert summary["loaded"] + summary["duplicates"] + summary["quarantined"] == 4

    [(title, published_local, tz, source, authors, tags)] = rows(
        warehouse_path,
        """
        SELECT title, published_local, published_tz, source_id, authors, tags FROM v_articles""",
    )
    assert title == "Russian-Belarusian joint military group kicks off protection mission"
    assert published_local == "2022-10-17T19:58:00+03:00"
    assert tz == "Asia/Beirut"
    assert source == "Al Mayadeen English"
    assert authors == ["Al Mayadeen English"]
    assert tags == ["Nato", "Union State", "Russia", "Ukraine", "Belarus"]

    reasons = rows(
        warehouse_path,
        """
        SELECT regexp_extract(uri, '[^/]+$'), stage, reason FROM quarantine ORDER BY 1, 3""",
    )
    assert reasons == [
        (SEED_QUARANTINED, "extract", "unknown_source"),
        (SEED_QUARANTINED, "extract", "unparsed_date"),
        ("empty.txt", "ingest", "empty_content"),
        (UNKNOWN_HTML.name, "extract", "unknown_source"),
    ]
    # Every expectation of every gate is on record for the batch.
    stages = rows(warehouse_path, "SELECT DISTINCT stage FROM dq_results ORDER BY 1")
    assert [s for (s,) in stages] == ["clean", "extract", "ingest", "load"]
    [(status, ingested)] = rows(warehouse_path, "SELECT status, ingested FROM runs")
    assert (status, ingested) == ("loaded", 4)


def test_rerun_adds_nothing_and_changed_page_updates_its_article(
    prefect_api_url: str, inputs: Path, warehouse_path: Path
) -> None:
    # The page's URL is its article's identity: a changed text at it is a new version. (A
    # text with no URL anywhere is its own identity: changed, it would be a new article.)
    # A mirror's URL, so that the source is still found from the name printed on the page.
    (inputs / f"{SEED_LOADED}.meta.json").write_text(
        json.dumps({"url": "https://mirror.example/news/politics/seed-002"})
    )
    run(warehouse_path, [inputs])
    counts = (
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM quarantine), "
        "(SELECT count(*) FROM raw_documents), (SELECT count(*) FROM article_versions)"
    )
    before = rows(warehouse_path, counts)
    assert rows(warehouse_path, "SELECT count(*) FROM file_reads") == [(4,)]
    again = run(warehouse_path, [inputs])
    assert again["loaded"] == 0 and again["updated"] == 0
    # Unchanged files are not read again: each is a duplicate, whether it loaded or was
    # quarantined last time (`newsdesk replay` runs the latter again).
    assert again["files_read"] == 0 and again["unchanged_files"] == 4
    assert again["duplicates"] == 4 and again["quarantined"] == 0
    assert again["ingested"] == again["loaded"] + again["duplicates"] + again["quarantined"]
    assert rows(warehouse_path, counts) == before

    page = inputs / SEED_LOADED
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "the official underlined.", "the official underlined, according to Belta."
        ),
        encoding="utf-8",
    )
    changed = run(warehouse_path, [inputs])
    assert changed["updated"] == 1 and changed["loaded"] == 0
    assert changed["files_read"] == 1 and changed["unchanged_files"] == 3
    [(articles, versions)] = rows(
        warehouse_path,
        """
        SELECT count(DISTINCT article_id), count(*) FROM article_versions""",
    )
    assert (articles, versions) == (1, 2)
    [(body,)] = rows(warehouse_path, "SELECT body FROM articles")
    assert "according to Belta" in body


def test_a_file_touched_or_edited_behind_its_mtime_is_read_when_it_should_be(
    prefect_api_url: str, inputs: Path, warehouse_path: Path
) -> None:
    # A URL makes the page's identity, so that an edited text updates its article.
    (inputs / f"{SEED_LOADED}.meta.json").write_text(
        json.dumps({"url": "https://mirror.example/news/politics/seed-002"})
    )
    first = run(warehouse_path, [inputs])
    assert first["files_read"] == 4 and first["unchanged_files"] == 0

    # A new mtime, the same bytes: read again, and a duplicate of what is loaded.
    page = inputs / SEED_LOADED
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    touched = run(warehouse_path, [inputs])
    assert touched["files_read"] == 1 and touched["unchanged_files"] == 3
    assert touched["duplicates"] == 4 and touched["loaded"] + touched["updated"] == 0

    # Edited in place with its size and mtime put back: invisible to a rerun, which is what
    # --rescan is for.
    text = page.read_text(encoding="utf-8")
    edited = text.replace("the official underlined.", "the official underlined!")
    assert edited != text and len(edited) == len(text)
    stat = page.stat()
    page.write_text(edited, encoding="utf-8")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    blind = run(warehouse_path, [inputs])
    assert blind["files_read"] == 0 and blind["updated"] == 0
    rescanned = run(warehouse_path, [inputs], rescan=True)
    assert rescanned["files_read"] == 4 and rescanned["unchanged_files"] == 0
    assert rescanned["updated"] == 1
    [(body,)] = rows(warehouse_path, "SELECT body FROM articles")
    assert "the official underlined!" in body


def test_replay_loads_a_page_once_its_source_is_registered(
    prefect_api_url: str, inputs: Path, warehouse_path: Path, tmp_path: Path
) -> None:
    run(warehouse_path, [inputs])
    registry = tmp_path / "sources.toml"
    registry.write_text(
        (PROJECT / "sources.toml").read_text(encoding="utf-8")
        + """
[[source]]
name = "Python Speed"
domains = ["pythonspeed.com"]
timezone = "America/New_York"
""",
        encoding="utf-8",
    )
    replayed = run(warehouse_path, [], sources=registry, replay=True)
    assert replayed["loaded"] == 1
    assert rows(
        warehouse_path, "SELECT count(*) FROM articles WHERE source_id = 'Python Speed'"
    ) == [(1,)]
    open_reasons = rows(
        warehouse_path,
        """
        SELECT regexp_extract(uri, '[^/]+$'), reason FROM quarantine WHERE status = 'open'
        ORDER BY 1, 2""",
    )
    assert (UNKNOWN_HTML.name, "unknown_source") not in open_reasons
    assert (SEED_QUARANTINED, "unparsed_date") in open_reasons


def test_parallel_workers_give_the_same_articles(
    prefect_api_url: str, inputs: Path, tmp_path: Path
) -> None:
    serial, parallel = tmp_path / "serial.duckdb", tmp_path / "parallel.duckdb"
    run(serial, [inputs], workers=1)
    run(parallel, [inputs], workers=2)
    query = "SELECT article_id, title, published_at, body FROM articles ORDER BY 1"
    assert rows(serial, query) == rows(parallel, query)


def test_a_gate_over_its_threshold_fails_the_run_loudly(
    prefect_api_url: str, seed_dir: Path, warehouse_path: Path, tmp_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    empty_registry = tmp_path / "none.toml"
    empty_registry.write_text("")
    state = newsdesk_run(
        paths=[str(seed_dir)],
        return_state=True,
        settings_overrides={
            "db": str(warehouse_path),
            "sources": str(empty_registry),
            "workers": 1,
        },
    )
    assert state.is_failed()
    assert "the extract gate rejected 100% of 2 documents" in str(
        state.result(raise_on_failure=False)
    )
    [(status, error)] = rows(warehouse_path, "SELECT status, error FROM runs")
    assert status == "failed" and "threshold" in error
    # What the gate turned away is still on record, with its reasons.
    assert rows(warehouse_path, "SELECT count(DISTINCT doc_id) FROM quarantine") == [(2,)]
    assert rows(warehouse_path, "SELECT count(*) FROM articles") == [(0,)]


def test_a_second_page_of_a_source_is_cleaner_because_of_the_first(
    prefect_api_url: str, tmp_path: Path
) -> None:
    """The warehouse remembers a source's short lines across runs: a line printed on
    another page of the source before is template, not story."""
    notice = "Our team in Beirut contributed reporting to this story."

    def page(seed: str, name: str, folder: Path) -> Path:
        folder.mkdir(exist_ok=True)
        text = (SEEDS / seed).read_text(encoding="utf-8")
        anchor = "\n\nOn October 10," if "On October 10," in text else "\n\nAs such,"
        path = folder / name
        path.write_text(text.replace(anchor, f"\n\n{notice}{anchor}", 1), encoding="utf-8")
        (folder / f"{name}.meta.json").write_text(
            json.dumps(
                {
                    "url": f"https://english.almayadeen.net/news/{name}",
                    "published": "2022-10-20T10:00:00",
                }
            )
        )
        return folder

    def body_of(db: Path) -> str:
        [(body,)] = rows(db, "SELECT body FROM articles WHERE uri LIKE '%b.txt'")
        return body

    alone, remembered = tmp_path / "alone.duckdb", tmp_path / "remembered.duckdb"
    run(alone, [page(SEED_LOADED, "b.txt", tmp_path / "second")])
    assert notice in body_of(alone)

    run(remembered, [page(SEED_QUARANTINED, "a.txt", tmp_path / "first")])
    run(remembered, [tmp_path / "second"])
    assert notice not in body_of(remembered)
    assert "The regional military group comprised of Russia" in body_of(remembered)


def test_the_run_id_sorts_by_time_and_names_the_flow_run(
    prefect_api_url: str, inputs: Path, warehouse_path: Path
) -> None:
    """The run id is readable and sortable (`20261202T122741Z-7f3a`), and the Prefect flow run
    is named by it and by what ran."""
    from prefect.client.orchestration import get_client

    from flows.pipeline import newsdesk_run

    overrides = {"db": str(warehouse_path), "workers": 1, "extract_threshold": 0.9}
    state = newsdesk_run(paths=[str(inputs)], settings_overrides=overrides, return_state=True)
    run_id = state.result()["run_id"]
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{4}", run_id), run_id
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(state.state_details.flow_run_id)
    assert flow_run.name == f"{run_id} files: inputs/"
    [(stored, flow_run_id)] = rows(warehouse_path, "SELECT run_id, flow_run_id FROM runs")
    assert (stored, flow_run_id) == (run_id, str(flow_run.id))

    second = newsdesk_run(paths=[str(inputs)], settings_overrides=overrides)["run_id"]
    assert second > run_id or second[:16] == run_id[:16]  # later, or within the same second
