from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from newsdesk.core.contracts.frames import DQ_SCHEMA
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.run import new_run_id
from tests.warehouse.wh_frames import (
    article_row,
    dq_row,
    frames,
    good_batch,
    page,
    raw_row,
    reject_row,
)
from warehouse import rawstore
from warehouse.load import (
    LoadResult,
    finish_run,
    load_batch,
    loaded_doc_ids,
    quarantined_raw,
    start_run,
)
from warehouse.read import quarantine_rows, quarantine_summary, table_counts

DATA_TABLES = (
    "raw_documents",
    "articles",
    "article_authors",
    "article_tags",
    "article_versions",
    "quarantine",
)


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _bad_doc(run_id: str, n: int = 0) -> tuple[dict, dict]:
    raw = raw_row(f"no date on page {n}".encode(), f"file:///dumps/{n}.txt", run_id)
    return raw, reject_row(raw, "extract", "published_at_not_null", "unparsed_date")


def test_a_new_batch_lands_in_every_table_with_its_lineage(db: Path) -> None:
    run = start_run(db, command="test", params={"paths": ["a", "b"]})
    raws, articles = good_batch(run, range(3))
    bad_raw, bad = _bad_doc(run)
    result = load_batch(
        db, run_id=run, **frames([*raws, bad_raw], articles, [bad], [dq_row(run, 0, failed=1)])
    )
    assert result == LoadResult(loaded=3, updated=0, duplicates=0, quarantined=1)
    counts = table_counts(db)
    assert {t: counts[t] for t in DATA_TABLES} == {
        "raw_documents": 4,
        "articles": 3,
        "article_authors": 6,
        "article_tags": 6,
        "article_versions": 3,
        "quarantine": 1,
    }
    assert counts["dq_results"] == 1
    assert _rows(
        db,
        "SELECT first_run_id, last_run_id, clean_ms, extract_ms, published_at::VARCHAR "
        "FROM articles WHERE article_id = 'art-1'",
    ) == [(run, run, 2.0, 3.0, "2025-03-01 09:30:00+00")]
    assert _rows(
        db, "SELECT author FROM article_authors WHERE article_id = 'art-1' ORDER BY position"
    ) == [("Ann Writer",), ("Bob Reporter",)]
    # the bytes live in the raw store beside the file, named by their hash
    (sha, size, inline), *_ = _rows(
        db,
        "SELECT content_sha256, content_size, content FROM raw_documents WHERE doc_id = ?",
        [raws[2]["doc_id"]],
    )
    assert (size, inline) == (len(page(2)), None)
    assert rawstore.get(rawstore.store_root(db), sha) == page(2)
    assert _rows(
        db,
        "SELECT ingested, loaded, quarantined, batches, status FROM runs WHERE run_id = ?",
        [run],
    ) == [(4, 3, 1, 1, "started")]


def test_standfirst_and_page_type_are_stored_and_shown_in_v_articles(db: Path) -> None:
    run = start_run(db, command="test", params={})
    raw = raw_row(b"The story itself, paragraph one.", "https://example.com/s", run)
    dek = "A one-line summary shown above the story."
    article = article_row(raw, "art-dek", standfirst=dek, page_type="liveblog")
    load_batch(db, run_id=run, **frames([raw], [article], [], []))
    assert _rows(
        db, "SELECT standfirst, page_type, body FROM v_articles WHERE article_id = 'art-dek'"
    ) == [(dek, "liveblog", "The story itself, paragraph one.")]


def test_the_same_batch_twice_adds_no_rows(db: Path) -> None:
    first = start_run(db, command="test")
    raws, articles = good_batch(first, range(5))
    bad_raw, bad = _bad_doc(first)
    load_batch(db, run_id=first, **frames([*raws, bad_raw], articles, [bad]))
    before = table_counts(db)

    again = start_run(db, command="test")
    result = load_batch(db, run_id=again, **frames([*raws, bad_raw], articles, [bad]))
    assert result == LoadResult(loaded=0, updated=0, duplicates=5, quarantined=1)
    after = table_counts(db)
    assert {t: after[t] for t in DATA_TABLES} == {t: before[t] for t in DATA_TABLES}
    # raw documents are touched, articles keep the run that loaded them
    assert _rows(db, "SELECT DISTINCT first_run_id, last_run_id FROM raw_documents") == [
        (first, again)
    ]
    assert _rows(db, "SELECT DISTINCT last_run_id FROM articles") == [(first,)]


def test_a_changed_page_updates_its_article_and_keeps_history(db: Path) -> None:
    first = start_run(db, command="test")
    raws, articles = good_batch(first, range(2))
    load_batch(db, run_id=first, **frames(raws, articles))

    second = start_run(db, command="test")
    changed = raw_row(page(0, version=2), raws[0]["uri"], second)
    new_article = article_row(changed, "art-0", title="Corrected", authors=["Cy"], tags=[])
    result = load_batch(db, run_id=second, **frames([changed], [new_article]))
    assert (result.updated, result.loaded, result.duplicates) == (1, 0, 0)

    assert _rows(
        db,
        "SELECT doc_id, title, first_run_id, last_run_id FROM articles WHERE article_id = 'art-0'",
    ) == [(changed["doc_id"], "Corrected", first, second)]
    assert _rows(db, "SELECT author FROM article_authors WHERE article_id = 'art-0'") == [("Cy",)]
    assert _rows(db, "SELECT count(*) FROM article_tags WHERE article_id = 'art-0'") == [(0,)]
    history = _rows(
        db,
        "SELECT doc_id, run_id, title, body_sha = sha256(?) FROM article_versions "
        "WHERE article_id = 'art-0' ORDER BY valid_from",
        [page(0, version=2).decode()],
    )
    assert history == [
        (raws[0]["doc_id"], first, "Title of art-0", False),
        (changed["doc_id"], second, "Corrected", True),
    ]
    assert _rows(db, "SELECT count(*) FROM raw_documents") == [(3,)]  # both versions kept
    assert _rows(db, "SELECT updated, batches FROM runs WHERE run_id = ?", [second]) == [(1, 1)]


def test_quarantine_is_upserted_then_resolved_when_the_doc_loads(db: Path) -> None:
    first = start_run(db, command="test")
    bad_raw, bad = _bad_doc(first)
    also = reject_row(bad_raw, "extract", "source_id_in_registry", "unknown_source")
    load_batch(db, run_id=first, **frames([bad_raw], [], [bad, also, bad]))  # bad twice
    assert _rows(db, "SELECT count(*), min(times_seen) FROM quarantine") == [(2, 1)]

    second = start_run(db, command="test")
    result = load_batch(db, run_id=second, **frames([bad_raw], [], [bad, also]))
    assert result.quarantined == 1
    assert _rows(
        db, "SELECT DISTINCT first_run_id, last_run_id, times_seen, status FROM quarantine"
    ) == [(first, second, 2, "open")]

    replay = quarantined_raw(db, stage="extract")
    assert replay.drop("raw_error").schema == RAW_SCHEMA
    assert replay["raw_error"].null_count() == replay.height  # its bytes read back whole
    assert replay.select("doc_id", "content", "uri").rows() == [
        (bad_raw["doc_id"], bad_raw["content"], bad_raw["uri"])
    ]
    assert quarantined_raw(db, stage="clean").height == 0

    fixed = start_run(db, command="replay")
    result = load_batch(db, run_id=fixed, **frames([bad_raw], [article_row(bad_raw, "art-dump-0")]))
    assert (result.loaded, result.quarantined) == (1, 0)
    assert _rows(db, "SELECT DISTINCT status, resolved_run_id FROM quarantine") == [
        ("resolved", fixed)
    ]
    assert quarantined_raw(db).height == 0


def test_a_new_version_of_a_page_resolves_the_old_versions_failures(db: Path) -> None:
    first = start_run(db, command="test")
    bad_raw, bad = _bad_doc(first)
    load_batch(db, run_id=first, **frames([bad_raw], [], [bad]))
    second = start_run(db, command="test")
    fixed_raw = raw_row(b"now with a date", bad_raw["uri"], second)
    load_batch(db, run_id=second, **frames([fixed_raw], [article_row(fixed_raw, "art-x")]))
    assert _rows(db, "SELECT status FROM quarantine") == [("resolved",)]


def test_fetch_failures_without_bytes_are_quarantined_by_uri(db: Path) -> None:
    run = start_run(db, command="test")
    failure = {
        "doc_id": None,
        "run_id": run,
        "uri": "https://example.com/gone",
        "stage": "ingest",
        "expectation": "http_status_ok",
        "reason": "fetch_failed",
        "observed": "404",
    }
    result = load_batch(db, run_id=run, **frames([], [], [failure]))
    assert result.quarantined == 1
    assert _rows(db, "SELECT doc_id, observed FROM quarantine") == [
        ("uri:https://example.com/gone", "404")
    ]


def test_loaded_doc_ids_names_the_documents_a_rerun_can_skip(db: Path) -> None:
    run = start_run(db, command="test")
    raws, articles = good_batch(run, range(4))
    bad_raw, bad = _bad_doc(run)
    load_batch(db, run_id=run, **frames([*raws, bad_raw], articles, [bad]))
    asked = [r["doc_id"] for r in raws] + [bad_raw["doc_id"], "unknown"]
    assert loaded_doc_ids(db, asked) == {r["doc_id"] for r in raws}
    assert loaded_doc_ids(db.parent / "absent.duckdb", asked) == set()
    # the rerun skips those documents before clean: only their raw rows reach the load
    again = start_run(db, command="test")
    result = load_batch(db, run_id=again, **frames(raws, []))
    assert result == LoadResult(loaded=0, updated=0, duplicates=0, quarantined=0)


def test_a_failing_batch_writes_nothing(db: Path) -> None:
    run = start_run(db, command="test")
    raws, articles = good_batch(run, range(3))
    before = table_counts(db)
    # dq_results is written last; its CHECK on severity fails after everything else ran
    with pytest.raises(duckdb.ConstraintException):
        load_batch(db, run_id=run, **frames(raws, articles, [], [dq_row(run, 0, severity="x")]))
    assert table_counts(db) == before
    assert _rows(db, "SELECT batches FROM runs") == [(0,)]


def test_contract_breaches_are_refused_before_any_write(db: Path) -> None:
    run = start_run(db, command="test")
    raws, articles = good_batch(run, range(2))
    with pytest.raises(ValueError, match="never started"):
        load_batch(db, run_id="0.1", **frames(raws, articles))
    twice = [articles[0], {**articles[1], "article_id": articles[0]["article_id"]}]
    with pytest.raises(ValueError, match="repeats an article_id"):
        load_batch(db, run_id=run, **frames(raws, twice))
    with pytest.raises(ValueError, match="lacks columns"):
        load_batch(db, run_id=run, **{**frames(raws, articles), "raw": pl.DataFrame({"x": [1]})})
    assert table_counts(db)["articles"] == 0


def test_finish_run_records_the_flows_summary(db: Path) -> None:
    run = start_run(db, command="daily", flow_run_id="abc")
    raws, articles = good_batch(run, range(2))
    load_batch(db, run_id=run, **frames(raws, articles))
    summary = {
        "run_id": run,
        "status": "failed",
        "error": "boom",
        "ingested": 3,
        "loaded": 2,
        "duplicates": 1,
        "cleaned": 2,
        "quarantine_reasons": [],
    }
    finish_run(db, summary)
    assert _rows(
        db,
        "SELECT status, error, ingested, loaded, duplicates, batches, "
        "finished_at >= started_at FROM runs",
    ) == [("failed", "boom", 3, 2, 1, 1, True)]
    with pytest.raises(ValueError, match="finishes as one of"):
        finish_run(db, {"run_id": run, "status": "done"})
    with pytest.raises(ValueError, match="never started"):
        finish_run(db, {"run_id": "1.0", "status": "loaded"})
    # Run ids sort by their start, to the second (two runs in one second differ by a salt).
    later = start_run(
        db, command="daily", run_id=new_run_id(datetime.now(UTC) + timedelta(seconds=1))
    )
    assert later > run


def test_dq_rows_are_replaced_per_run_batch_and_suite(db: Path) -> None:
    run = start_run(db, command="test")
    raws, articles = good_batch(run, range(1))
    gate = dq_row(run, 0, failed=1)
    accounting = pl.DataFrame(
        [
            {
                **dq_row(run, 0),
                "suite": "accounting",
                "recorded_at": datetime(2025, 1, 1, tzinfo=UTC),
            }
        ],
        schema=DQ_SCHEMA,
    )
    counted: list[LoadResult] = []

    def checks(result: LoadResult) -> pl.DataFrame:  # the run's accounting, in the load
        counted.append(result)
        return accounting

    for _ in range(2):  # a retried batch replaces its rows, does not add
        load_batch(
            db, run_id=run, **frames(raws, articles, [], [gate, dq_row(run, 0)]), checks=checks
        )
    assert counted[0] == LoadResult(loaded=1, updated=0, duplicates=0, quarantined=0)
    assert len(counted) == 2
    assert _rows(db, "SELECT suite, count(*) FROM dq_results GROUP BY suite ORDER BY suite") == [
        ("accounting", 1),
        ("after_extract", 2),
    ]
    assert _rows(db, "SELECT recorded_at::VARCHAR FROM dq_results WHERE suite = 'accounting'") == [
        ("2025-01-01 00:00:00+00",)
    ]


def test_a_check_that_fails_inside_the_load_rolls_the_batch_back(db: Path) -> None:
    run = start_run(db, command="test")
    raws, articles = good_batch(run, range(2))

    def broken(result: LoadResult) -> pl.DataFrame:
        raise RuntimeError("the gate process is gone")

    with pytest.raises(RuntimeError, match="gate process"):
        load_batch(db, run_id=run, **frames(raws, articles, [], []), checks=broken)
    assert {t: n for t, n in table_counts(db).items() if t in DATA_TABLES} == dict.fromkeys(
        DATA_TABLES, 0
    )


def test_quarantine_listings(db: Path) -> None:
    run = start_run(db, command="test")
    bad_raw, bad = _bad_doc(run)
    other_raw, other = _bad_doc(run, 1)
    load_batch(db, run_id=run, **frames([bad_raw, other_raw], [], [bad, other]))
    load_batch(db, run_id=run, **frames([other_raw], [article_row(other_raw, "fixed")]))
    summary = quarantine_summary(db)
    assert summary.select("stage", "reason", "documents").rows() == [
        ("extract", "unparsed_date", 1)
    ]
    assert quarantine_rows(db)["uri"].to_list() == [bad_raw["uri"]]
    assert quarantine_rows(db, include_resolved=True).height == 2
    assert quarantine_rows(db, stage="clean").height == 0
    assert quarantine_rows(db, reason="unparsed_date", limit=1).height == 1
