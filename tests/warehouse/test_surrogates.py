"""Unpaired surrogates in Python text must not fail a load (one bad string fails a batch)."""

from pathlib import Path

import polars as pl
import pytest

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.frames import DQ_SCHEMA, TEMPLATE_LINE_SCHEMA, rows_to_frame, scrub
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA
from tests.warehouse.wh_frames import article_row, raw_row
from warehouse.load import (
    finish_run,
    load_batch,
    load_template_lines,
    save_template_lines,
    start_run,
)
from warehouse.read import query

BROKEN = "caf\udce9 \ud83d\ude00 end\ud800"  # a lone low, a valid pair, a lone high


def test_scrub_keeps_valid_pairs_and_replaces_lone_halves() -> None:
    assert scrub(BROKEN) == "caf\ufffd \U0001f600 end\ufffd"
    assert scrub("plain ascii") == "plain ascii"
    with pytest.raises(UnicodeEncodeError):
        pl.DataFrame({"title": [BROKEN]})  # why scrubbing is needed before frames


def test_rows_with_surrogates_load_once_scrubbed(db: Path) -> None:
    run = start_run(db, command="surrogates \udc80")
    raw = raw_row(b"page bytes", "https://example.com/s", run, text=None)
    article = article_row(raw, "art-s", title=BROKEN, authors=[BROKEN], tags=["ok", BROKEN])
    result = load_batch(
        db,
        run_id=run,
        raw=rows_to_frame([raw], RAW_SCHEMA),
        articles=rows_to_frame([article], ARTICLE_SCHEMA),
        rejects=rows_to_frame([], REJECT_SCHEMA),
        dq=rows_to_frame([], DQ_SCHEMA),
    )
    assert result.loaded == 1
    row = query(db, "SELECT title, authors, tags FROM v_articles").row(0)
    assert row == (scrub(BROKEN), [scrub(BROKEN)], ["ok", scrub(BROKEN)])

    finish_run(db, {"run_id": run, "status": "failed", "error": f"boom: {BROKEN}"})
    assert query(db, "SELECT command, error FROM runs").row(0) == (
        "surrogates \ufffd",
        f"boom: {scrub(BROKEN)}",
    )


def test_template_lines_with_surrogates(db: Path) -> None:
    lines = rows_to_frame(
        [{"source_id": "Example News", "line": BROKEN, "article_id": "a1", "pages_seen": 2}],
        TEMPLATE_LINE_SCHEMA,
    )
    save_template_lines(db, run_id="1.0", lines=lines)
    assert load_template_lines(db) == {"Example News": {scrub(BROKEN): "a1"}}
