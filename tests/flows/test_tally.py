"""What a run keeps between batches stays the same size however many batches it loads."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, datetime

import polars as pl

from expectations.result import ExpectationOutcome, GateResult
from flows.tally import EXAMPLES, GateTally, ProposalTally, TemplateLineTally
from newsdesk.core.contracts.frames import PROPOSED_SOURCE_SCHEMA, TEMPLATE_LINE_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA

BATCHES = 200


def gate_of_batch(batch_no: int, rows: int = 50) -> GateResult:
    """A gate result as a batch's gate hands it back: with the batch's frame, bytes included."""
    raw = pl.DataFrame(
        {"doc_id": [f"{batch_no}-{i}" for i in range(rows)], "content": [b"x" * 1000] * rows}
    )
    outcomes = tuple(
        ExpectationOutcome(
            expectation=name,
            column="text",
            reason=name,
            severity="error",
            evaluated=rows,
            failed=1,
            success=False,
            sample=({"id": f"{batch_no}-0", "observed": "x"},),
        )
        for name in ("not_null", "min_length", "decodable")
    )
    return GateResult(
        suite="ingest",
        stage="ingest",
        rows_evaluated=rows,
        rows_failed=1,
        outcomes=outcomes,
        rejects=pl.DataFrame(schema=REJECT_SCHEMA),
        passed=raw,
        threshold=0.5,
        validated_at=datetime.now(UTC),
    )


def test_the_gate_tally_keeps_counts_not_the_batches_frames() -> None:
    tally = GateTally()
    alive: list[weakref.ref] = []
    for batch_no in range(BATCHES):
        gate = gate_of_batch(batch_no)
        alive += [weakref.ref(gate), weakref.ref(gate.passed)]
        tally.add([gate])
        del gate
        assert len(tally) == 3  # one row per expectation, whatever the batch count
    gc.collect()
    assert not any(ref() is not None for ref in alive), "the tally holds a batch's gate result"
    rows = tally.table()
    assert {r["expectation"] for r in rows} == {"not_null", "min_length", "decodable"}
    assert all(r["evaluated"] == 50 * BATCHES and r["failed"] == BATCHES for r in rows)
    assert all(r["passed"] == 49 * BATCHES for r in rows)
    assert all(len(r["examples"].split("; ")) == EXAMPLES for r in rows)


def test_proposals_are_one_row_per_domain() -> None:
    tally = ProposalTally()
    for batch_no in range(BATCHES):
        tally.add(
            pl.DataFrame(
                [
                    {
                        "domain": f"site{(batch_no + k) % 5}.example",
                        "site_name": None if batch_no < 3 else f"Site {(batch_no + k) % 5}",
                        "language": "en",
                        "pages": 1,
                        "sample_uri": f"file:///p{batch_no}-{k}",
                    }
                    for k in range(2)
                ],
                schema=PROPOSED_SOURCE_SCHEMA,
            )
        )
        assert tally.frame.height <= 5
    assert tally.frame["pages"].sum() == 2 * BATCHES
    assert tally.frame["site_name"].null_count() == 0  # the first name seen is kept


def test_template_lines_are_saved_in_parts_that_add_up() -> None:
    saved: list[pl.DataFrame] = []
    tally = TemplateLineTally(saved.append, max_rows=100)
    given = 0
    for batch_no in range(BATCHES):
        lines = [("S", f"line {batch_no} {i}", f"a{batch_no}", 1) for i in range(10)]  # new
        lines += [("S", f"menu {i}", f"a{batch_no}", 1) for i in range(5)]  # every page
        given += len(lines)
        tally.add(pl.DataFrame(lines, schema=TEMPLATE_LINE_SCHEMA, orient="row"))
        assert tally.frame.height <= tally.max_rows
    tally.flush()
    assert tally.flushes == len(saved) > 1 and tally.frame.is_empty()
    total = pl.concat(saved).group_by("source_id", "line").agg(pl.col("pages_seen").sum())
    assert total["pages_seen"].sum() == given
    assert total.filter(pl.col("line") == "menu 0")["pages_seen"].item() == BATCHES
    assert total.height == 10 * BATCHES + 5


def test_template_lines_keep_whether_one_article_showed_them() -> None:
    saved: list[pl.DataFrame] = []
    tally = TemplateLineTally(saved.append)
    rows = [("S", "only a", "a", 1), ("S", "both", "a", 1), ("S", "both", "b", 1)]
    rows += [("S", "both", "a", 1), ("S", "no article", None, 1)]
    tally.add(pl.DataFrame(rows, schema=TEMPLATE_LINE_SCHEMA, orient="row"))
    tally.flush()
    out = (
        pl.concat(saved)
        .group_by("line")
        .agg(pl.col("article_id").n_unique().alias("articles"), pl.col("pages_seen").sum())
    )
    got = {r["line"]: (r["articles"], r["pages_seen"]) for r in out.to_dicts()}
    assert got == {"only a": (1, 1), "both": (2, 3)}
