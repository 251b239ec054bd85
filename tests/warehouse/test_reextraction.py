"""The same page extracted again (a reprocess): a change updates the article and is kept as
a version with its parser; no change is a duplicate."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.warehouse.wh_frames import article_row, frames, good_batch
from warehouse.load import LoadResult, load_batch, start_run


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_new_extraction_of_the_same_page_is_a_version_with_its_parser(db: Path) -> None:
    first = start_run(db, command="run")
    raws, articles = good_batch(first, range(3))
    load_batch(db, run_id=first, **frames(raws, articles))

    # the same pages, extracted by a newer parser: one body changes, one author list
    # changes, one comes out the same (timings and parser differ, which is no change)
    again = start_run(db, command="reprocess")
    newer = [
        article_row(raws[0], "art-0", body="A cleaner body.", parser_version="test-2"),
        article_row(raws[1], "art-1", authors=["Ann Writer"], parser_version="test-2"),
        article_row(raws[2], "art-2", parser_version="test-2", clean_ms=9.0, extract_ms=9.0),
    ]
    result = load_batch(db, run_id=again, **frames(raws, newer))
    assert result == LoadResult(loaded=0, updated=2, duplicates=1, quarantined=0)
    assert _rows(db, "SELECT article_id, parser_version, body FROM articles ORDER BY 1")[0] == (
        "art-0",
        "test-2",
        "A cleaner body.",
    )
    assert _rows(db, "SELECT author FROM article_authors WHERE article_id = 'art-1'") == [
        ("Ann Writer",)
    ]
    assert _rows(db, "SELECT parser_version FROM articles WHERE article_id = 'art-2'") == [
        ("test-1",)
    ]
    # each version names its parser; the superseded one keeps the body it had
    versions = _rows(
        db,
        f"""
        SELECT article_id, run_id = '{again}', parser_version, body IS NOT NULL,
               starts_with(body, 'Page 0')
        FROM article_versions ORDER BY article_id, valid_from""",
    )
    assert versions == [
        ("art-0", False, "test-1", True, True),
        ("art-0", True, "test-2", False, None),
        ("art-1", False, "test-1", True, False),
        ("art-1", True, "test-2", False, None),
        ("art-2", False, "test-1", False, None),
    ]

    # the same extraction once more changes nothing
    third = start_run(db, command="reprocess")
    result = load_batch(db, run_id=third, **frames(raws, newer))
    assert result == LoadResult(loaded=0, updated=0, duplicates=3, quarantined=0)
    assert _rows(db, "SELECT count(*) FROM article_versions") == [(5,)]
